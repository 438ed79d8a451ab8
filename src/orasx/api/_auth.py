"""``login`` and ``logout``."""

from __future__ import annotations

from orasx.api._common import Remote
from orasx.errors import InvalidInputError, Reason
from orasx.registry._errors import registry_error
from orasx.registry.auth import Credential
from orasx.registry.remote import registry_host


def login(registry: str, credential: Credential, *, remote: Remote | None = None) -> bool:
    """Check ``credential`` against ``registry`` (``GET /v2/`` through the auth flow), then save it.

    Returns True when it was saved in plain text (no credential helper configured).
    """
    if not credential:
        raise InvalidInputError(f"{registry}: no credentials given", reason=Reason.NO_CREDENTIALS)
    remote = remote or Remote()
    check = Remote(options=remote.options, credential=credential, use_credential_store=False)
    host = registry_host(registry)
    client = check.client(registry)
    url = f"{client.base_url(host)}/v2/"
    resp = client.request("GET", url)
    if resp.status != 200:  # oras-go's text of the answer (401 included)
        raise registry_error(resp, "GET", registry, host)
    resp.discard()
    return remote.credential_store().store(host, credential)


def logout(registry: str, *, remote: Remote | None = None) -> bool:
    """Forget the saved credentials for ``registry``; False when there were none."""
    return (remote or Remote()).credential_store().erase(registry_host(registry))
