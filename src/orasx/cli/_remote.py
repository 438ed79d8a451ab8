"""How to reach a registry, as the flags gave it (:class:`RemoteOptions`), and the library's
:class:`~orasx.api.Remote` made of it: the credential (checked, a secret read from stdin) and
the connection (TLS files, headers, ``--resolve``, timeouts from ``ORASX_*``)."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from orasx.cli._command import GoUsageError

if TYPE_CHECKING:
    from orasx.api import Remote
    from orasx.registry._http import ClientOptions
    from orasx.registry.auth import Credential

DISTRIBUTION_SPECS = ("v1.1-referrers-tag", "v1.1-referrers-api")


@dataclass(frozen=True)
class CommonOptions:
    """``-d/--debug`` (debug log and HTTP traffic on stderr) and ``--no-tty`` (plain status
    lines), both off by default; ``verbose``."""

    debug: bool = False
    no_tty: bool = False
    #: the deprecated ``-v/--verbose`` (default true, as Go's): ``--verbose=false`` hides the
    #: status lines of content without a name (blobs and manifests without a title)
    verbose: bool = True

    @property
    def plain(self) -> bool:
        """Plain status lines instead of the live display (``--debug`` or ``--no-tty``)."""
        return self.debug or self.no_tty


@dataclass(frozen=True)
class RemoteOptions:
    """How to reach a registry, as the flags gave it: credentials (``-u``, ``-p``,
    ``--password-stdin``, ``--identity-token[-stdin]``), ``--registry-config`` files, the
    connection (``--plain-http``, ``--insecure``, TLS files, ``-H``, ``--resolve``) and
    ``--distribution-spec``. The defaults are the flags' defaults: nothing given.

    ``common`` holds ``-d``/``--no-tty`` when they came with these flags (commands without a
    prefix); ``copy`` takes them once for both sides.
    """

    username: str = ""
    password: str = ""
    password_stdin: bool = False
    identity_token: str = ""
    identity_token_stdin: bool = False
    registry_config: tuple[str, ...] = ()
    #: None: plain HTTP for localhost only (--plain-http=false turns that off too).
    plain_http: bool | None = None
    insecure: bool = False
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    #: ``Name: value`` (-H), as given.
    headers: tuple[str, ...] = ()
    #: ``HOST:PORT:ADDRESS[:PORT]`` (--resolve), as given.
    resolves: tuple[str, ...] = ()
    distribution_spec: str | None = None
    common: CommonOptions = field(default_factory=CommonOptions)
    #: ``from``/``to`` for copy's sides (no ``-p`` warning there, as the Go CLI)
    prefix: str = ""

    @property
    def reads_stdin(self) -> bool:
        """A secret comes from stdin (``--password-stdin``, ``--identity-token-stdin``)."""
        return self.password_stdin or self.identity_token_stdin

    @property
    def has_secret(self) -> bool:
        """A password or identity token was given, or is to be read from stdin."""
        return bool(self.password or self.identity_token or self.reads_stdin)

    def credential(self, *, empty_stdin: bool = False) -> Credential:
        """The credential the flags give (empty when none); checks the flags go together and reads
        a secret from stdin if asked to (``empty_stdin``: an empty one is no secret, as login
        takes it, instead of an error). Warns on stderr about ``-p``."""
        from orasx.registry.auth import Credential

        username, password, token = self.username, self.password, self.identity_token
        if password and self.password_stdin:
            raise GoUsageError("--password, --password-stdin cannot be used at the same time")
        if token and self.identity_token_stdin:
            raise GoUsageError(
                "--identity-token and --identity-token-stdin cannot be used together")
        if (token or self.identity_token_stdin) and username:
            raise GoUsageError("--username, --identity-token cannot be used at the same time")
        if (token or self.identity_token_stdin) and (password or self.password_stdin):
            raise GoUsageError("--password, --identity-token cannot be used at the same time")
        if self.password_stdin and self.identity_token_stdin:
            raise GoUsageError("only one secret can be read from stdin")
        if self.password_stdin:
            password = _read_secret()
            if not password and not empty_stdin:
                raise GoUsageError("--password-stdin: stdin is empty: a password is required")
        elif password and not self.prefix:
            sys.stderr.write("WARNING! Using --password via the CLI is insecure. Use "
                             "--password-stdin.\n")
            sys.stderr.flush()
        if token and not self.prefix:
            sys.stderr.write("WARNING! Using --identity-token via the CLI is insecure. Use "
                             "--identity-token-stdin.\n")
            sys.stderr.flush()
        if self.identity_token_stdin:
            token = _read_secret()
        if token or (password and not username):
            return Credential(identity_token=token or password)
        if username:
            return Credential(username=username, password=password)
        return Credential()

    def client_options(self) -> ClientOptions:
        """The connection flags as the HTTP client's options (timeouts from ``ORASX_*``)."""
        from orasx.registry._http import ClientOptions, parse_resolve

        given: dict[str, list[str]] = {}  # repeats are sent as one header, values joined
        for h in self.headers:
            name, sep, value = h.partition(":")
            if not sep or not name.strip():
                raise GoUsageError(f"invalid header: {json.dumps(h, ensure_ascii=False)}")
            given.setdefault(name.strip(), []).append(value)
        headers = {k: ", ".join(v.strip() for v in vs) for k, vs in given.items()}
        if bool(self.cert_file) != bool(self.key_file):
            p = f"--{self.prefix}-" if self.prefix else "--"
            given_, missing = ("cert-file", "key-file") if self.cert_file else ("key-file", "cert-file")
            raise GoUsageError(f"{p}{given_} must be used in conjunction with {p}{missing}")
        resolve = dict(parse_resolve(r) for r in self.resolves)
        return ClientOptions(
            connect_timeout=_seconds("ORASX_CONNECT_TIMEOUT", 30.0),
            read_timeout=_seconds("ORASX_READ_TIMEOUT", 300.0),
            stall_window=_seconds("ORASX_STALL_SECONDS", 60.0),
            stall_min_bytes=int(_seconds("ORASX_STALL_MIN_BYTES", 16 * 1024)),
            metadata_deadline=_seconds("ORASX_METADATA_DEADLINE", 60.0),
            range_connections=_count("ORASX_RANGE_CONNECTIONS", 8),
            plain_http=self.plain_http,
            insecure=self.insecure,
            ca_file=self.ca_file,
            cert_file=self.cert_file,
            key_file=self.key_file,
            headers=headers,
            shown_headers={k: ", ".join(vs) for k, vs in given.items()},
            resolve=resolve,
        )

    def remote(self) -> Remote:
        """The library's :class:`~orasx.api.Remote` for these flags (credential first, then the
        connection: the order the checks report in)."""
        from orasx.api import Remote

        credential = self.credential()
        return Remote(options=self.client_options(), credential=credential,
                      registry_config=self.registry_config,
                      referrers_capability={"v1.1-referrers-api": "api",
                                            "v1.1-referrers-tag": "tag"}.get(
                                                self.distribution_spec or ""))


def _read_secret() -> str:
    """All of stdin, less one trailing newline and carriage return (as docker and oras)."""
    data = sys.stdin.read()
    return data.removesuffix("\n").removesuffix("\r")


def _count(env: str, default: int) -> int:
    """A count from the environment (``ORASX_RANGE_CONNECTIONS``: parallel ranges per big blob,
    0 for one stream)."""
    value = os.environ.get(env)
    if not value:
        return default
    if not value.isdigit() or int(value) > 64:
        raise GoUsageError(f"{env}={value!r}: use a number from 0 to 64")
    return int(value)


def _seconds(env: str, default: float) -> float:
    """A timeout from the environment (``ORASX_CONNECT_TIMEOUT``, ``ORASX_READ_TIMEOUT``)."""
    value = os.environ.get(env)
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        raise GoUsageError(f"{env}={value!r}: use a number of seconds") from None
