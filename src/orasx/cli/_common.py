"""What every command shares: remote flags, output format, status lines and error handling."""

from __future__ import annotations

import functools
import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import click

from orasx.cli import _signals
from orasx.cli._flags import flag
from orasx.errors import OrasError

F = TypeVar("F", bound=Callable[..., Any])


def auth_options(f: F) -> F:
    """Credential flags shared by login and every remote command."""
    options = [
        click.option("-u", "--username", default="", help="Registry username."),
        click.option(
            "-p", "--password", default="",
            help="Registry password, or identity token without -u (prefer --password-stdin).",
        ),
        flag("--password-stdin", help="Read the password from stdin."),
        click.option("--identity-token", default="", help="Registry identity (refresh) token."),
        flag("--identity-token-stdin", help="Read the identity token from stdin."),
        click.option("--registry-config", multiple=True, metavar="PATH",
                     help="Credentials file(s); the first is written, the rest are read-only "
                     "fallbacks (default: docker's config.json, then podman's auth.json)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def connection_options(f: F) -> F:
    """--plain-http, --insecure, TLS files, -H, --resolve, -d, --no-tty, -v."""
    options = [
        flag(
            "--plain-http", default=None,
            help="Use plain HTTP instead of HTTPS (on by default for localhost, 127.0.0.1 and "
            "[::1]; --plain-http=false turns that off).",
        ),
        flag("--insecure", help="Skip TLS certificate verification."),
        click.option("--ca-file", default=None, help="CA certificate file for the registry."),
        click.option("--cert-file", default=None, help="Client certificate file (mTLS)."),
        click.option("--key-file", default=None, help="Client private key file (mTLS)."),
        click.option(
            "-H", "--header", "headers", multiple=True,
            help="Add a header to registry requests: 'Name: value' (repeatable).",
        ),
        click.option("--resolve", "resolves", multiple=True, metavar="HOST:PORT:ADDRESS[:PORT]",
                     help="Connect to ADDRESS for HOST:PORT, like curl (repeatable)."),
        flag("-d", "--debug", help="Print debug logs and HTTP traffic."),
        flag("--no-tty", help="Plain status lines, no progress display."),
        flag("-v", "--verbose", hidden=True, help="Deprecated: no effect."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def remote_options(f: F) -> F:
    """Every flag a command that talks to a registry takes."""
    return auth_options(connection_options(f))


def _read_secret() -> str:
    """All of stdin, less one trailing newline and carriage return (as docker and oras)."""
    data = sys.stdin.read()
    return data.removesuffix("\n").removesuffix("\r")


def build_credential(kw: dict[str, Any]) -> Any:
    """The credential the flags in ``kw`` give (removed from it); empty when none."""
    from orasx.registry.auth import Credential

    username, password = kw.pop("username"), kw.pop("password")
    token = kw.pop("identity_token")
    password_stdin, token_stdin = kw.pop("password_stdin"), kw.pop("identity_token_stdin")
    if password and password_stdin:
        raise click.UsageError("--password and --password-stdin cannot be used together")
    if token and token_stdin:
        raise click.UsageError("--identity-token and --identity-token-stdin cannot be used together")
    if (token or token_stdin) and (username or password or password_stdin):
        raise click.UsageError("--identity-token cannot be combined with a username or password")
    if password_stdin and token_stdin:
        raise click.UsageError("only one secret can be read from stdin")
    if password_stdin:
        password = _read_secret()
        if not password:
            raise click.UsageError("--password-stdin: stdin is empty: a password is required")
    elif password:
        click.echo("WARNING! Using --password via the CLI is insecure. Use --password-stdin.",
                   err=True)
    if token_stdin:
        token = _read_secret()
    if token or (password and not username):
        return Credential(identity_token=token or password)
    if username:
        return Credential(username=username, password=password)
    return Credential()


def build_options(kw: dict[str, Any]) -> Any:
    """Connection flags in ``kw`` (removed from it) -> :class:`ClientOptions`; sets up --debug."""
    from orasx.registry._http import ClientOptions, parse_resolve

    headers: dict[str, str] = {}
    for h in kw.pop("headers"):
        name, sep, value = h.partition(":")
        if not sep or not name.strip():
            raise click.BadParameter(f"invalid header {h!r}: use 'Name: value'", param_hint="-H")
        headers[name.strip()] = value.strip()
    cert, key = kw.pop("cert_file"), kw.pop("key_file")
    if bool(cert) != bool(key):
        raise click.UsageError("--cert-file and --key-file must be given together")
    resolve = dict(parse_resolve(r) for r in kw.pop("resolves"))
    if kw.pop("debug"):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("[debug] %(name)s: %(message)s"))
        logging.getLogger("orasx").addHandler(handler)
        logging.getLogger("orasx").setLevel(logging.DEBUG)
    kw.pop("no_tty")
    kw.pop("verbose")
    return ClientOptions(
        connect_timeout=_seconds("ORASX_CONNECT_TIMEOUT", 30.0),
        read_timeout=_seconds("ORASX_READ_TIMEOUT", 300.0),
        stall_window=_seconds("ORASX_STALL_SECONDS", 60.0),
        stall_min_bytes=int(_seconds("ORASX_STALL_MIN_BYTES", 16 * 1024)),
        plain_http=kw.pop("plain_http"),
        insecure=kw.pop("insecure"),
        ca_file=kw.pop("ca_file"),
        cert_file=cert,
        key_file=key,
        headers=headers,
        resolve=resolve,
    )


def _seconds(env: str, default: float) -> float:
    """A timeout from the environment (``ORASX_CONNECT_TIMEOUT``, ``ORASX_READ_TIMEOUT``)."""
    value = os.environ.get(env)
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        raise click.UsageError(f"{env}={value!r}: use a number of seconds") from None


def build_remote(kw: dict[str, Any]) -> Any:
    """Turn the remote flags in ``kw`` (removed from it) into an :class:`orasx.api.Remote`."""
    from orasx.api import Remote

    credential = build_credential(kw)
    spec = kw.pop("distribution_spec", None)
    return Remote(options=build_options(kw), credential=credential,
                  registry_config=tuple(kw.pop("registry_config")),
                  referrers_capability={"v1.1-referrers-api": "api",
                                        "v1.1-referrers-tag": "tag"}.get(spec or ""))


def distribution_spec_option(f: F) -> F:
    return click.option(
        "--distribution-spec", default=None,
        type=click.Choice(["v1.1-referrers-api", "v1.1-referrers-tag"]),
        help="Force the referrers API or the referrers tag schema instead of detecting it.",
    )(f)


def oci_layout_option(f: F) -> F:
    return flag("--oci-layout",
                help="The reference is an OCI image layout: DIR[:TAG|@DIGEST].")(f)


def platform_value(value: str | None) -> Any:
    from orasx.descriptor import parse_platform

    return parse_platform(value) if value else None


def confirm(kw: dict[str, Any], question: str) -> None:
    """Ask on a terminal unless -f; with no terminal and no -f, refuse instead of hanging."""
    if kw.pop("force", False):
        return
    if not sys.stdin.isatty():
        raise click.UsageError(f"{question} Pass -f/--force to confirm without a terminal.")
    if not click.confirm(question, default=False, err=True):
        raise SystemExit(0)


def print_done(verb: str, oci_layout: bool, reference: str, digest: object) -> None:
    """The Go CLI's closing lines: ``<Verb> [registry|oci-layout] REF`` and ``Digest: D``."""
    click.echo(f"{verb} [{'oci-layout' if oci_layout else 'registry'}] {reference}")
    click.echo(f"Digest: {digest}")


def handle_errors(f: F) -> F:
    """Print an :class:`OrasError` as ``Error: <message>`` on stderr and exit 1."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except OrasError as e:
            from orasx.cli._hints import message

            click.echo(f"Error: {message(e)}", err=True)
            sys.exit(1)
        except OSError as e:
            where = f"{e.filename}: " if e.filename else ""
            click.echo(f"Error: {where}{e.strerror or e}", err=True)
            sys.exit(1)
        except KeyboardInterrupt as e:  # Ctrl-C, or SIGTERM/SIGHUP (see _signals)
            click.echo(f"Error: {_signals.describe(e)}", err=True)
            sys.exit(_signals.exit_code(e))

    return wrapper  # type: ignore[return-value]


class Reporter:
    """What reports progress: ``hooks()`` for the library, ``run()`` to wrap the operation."""

    def hooks(self) -> Any:
        raise NotImplementedError

    def run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Call ``fn`` and close the display whether it worked or not."""
        try:
            result = fn(*args, **kwargs)
        except BaseException:
            self.finish(ok=False)
            raise
        self.finish()
        return result

    def finish(self, ok: bool = True) -> None:
        return None


class StatusPrinter(Reporter):
    """The Go CLI's plain status lines (``Uploading``/``Uploaded``/``Exists``), thread-safe."""

    def __init__(self, verbs: tuple[str, str, str], *, quiet: bool = False) -> None:
        self.start_verb, self.done_verb, self.skip_verb = verbs
        self.quiet = quiet
        self._lock = threading.Lock()

    def _line(self, verb: str, desc: Any) -> None:
        if self.quiet:
            return
        name = desc.title or desc.media_type
        with self._lock:
            click.echo(f"{verb:<11} {desc.digest.encoded[:12]} {name}")

    def hooks(self) -> Any:
        from orasx._copy import Hooks

        return Hooks(
            on_start=lambda d: self._line(self.start_verb, d),
            on_copied=lambda d: self._line(self.done_verb, d),
            on_skipped=lambda d: self._line(self.skip_verb, d),
            on_mounted=lambda d: self._line("Mounted", d),
        )
