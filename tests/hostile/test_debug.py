"""``--debug`` shows HTTP traffic, never the secrets in it: a realm URL's ``user:password@``,
``Authorization`` values, tokens and refresh tokens."""

from __future__ import annotations

import base64

from tests.hostile.conftest import check_bounded, check_no_escapes
from tests.support.hostile import DEBUG_SECRETS


def test_debug_output_hides_realm_password_and_tokens(h):
    reg = h.registry("debug-secrets")
    o = h.run("resolve", "-d", "--plain-http", "-u", "alice", "--password-stdin", reg.ref(),
              stdin=b"s3cret-pw")
    check_bounded(o)
    check_no_escapes(o)
    assert o.returncode == 0, o.summary()
    assert o.out.strip().startswith("sha256:"), o.out
    assert "][DEBUG]: --> Request #" in o.err  # the traffic is shown, as the Go CLI does ...
    assert '"Authorization": "*****"' in o.err
    secrets = [*DEBUG_SECRETS.values(), "s3cret-pw", base64.b64encode(b"alice:s3cret-pw").decode()]
    for secret in secrets:  # ... without its secrets
        assert secret not in o.err + o.out, f"{secret!r} is in the debug output:\n{o.err}"
