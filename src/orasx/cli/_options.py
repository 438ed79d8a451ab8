"""Typed option groups: the flags several commands share, declared once and handed to the command
as one frozen value.

A group decorator (:func:`common_options`, :func:`remote_options`, :func:`target_options`,
:func:`format_options`) declares the group's click parameters and wraps the command so that it
receives, instead of those parameters, one argument holding them typed::

    @click.command("push")
    @target_options(layout_help="Push to an OCI image layout directory.")
    @click.argument("files", nargs=-1)
    @format_options()
    @handle_errors
    def command(target: TargetOptions, fmt: FormatOptions, files: tuple[str, ...]) -> None: ...

``prefix`` gives the ``--from-*``/``--to-*`` forms ``copy`` takes (``--from-username``,
``--to-plain-http``, ...). Boolean flags are :func:`~orasx.cli._flags.flag` s (Go's
``--flag=false``). Where the flags appear in ``--help``: a group's argument and its own options
(``--oci-layout``, ``--distribution-spec``) where its decorator is; the unprefixed remote flags
(credentials, connection, ``-d``, ``--no-tty``) close the option list, after the command's own
options and ``--format``; prefixed (copy's sides), all of a group's flags sit where its decorator
is.

Building a group reads nothing and checks little: ``--format`` is checked, and ``-d`` turns on
the debug log (:func:`setup_logging`, the one place the CLI sets up logging). The credential
flags are checked, and a secret read from stdin, only when the command asks for the library's
:class:`~orasx.api.Remote` (:meth:`RemoteOptions.remote`), so a command's own checks come first.
"""

from __future__ import annotations

import datetime
import functools
import json
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

import click

from orasx._gostr import go_quote
from orasx.cli._flags import flag

if TYPE_CHECKING:
    from orasx.api import Endpoint, Location, Remote
    from orasx.registry._http import ClientOptions
    from orasx.registry.auth import Credential

#: A click command callback: called with keyword arguments only.
Command = Callable[..., None]
Decorator = Callable[[Command], Command]
G = TypeVar("G")

DISTRIBUTION_SPECS = ("v1.1-referrers-api", "v1.1-referrers-tag")
FORMATS = ("text", "json", "go-template")


# -- reading click's values with their types ----------------------------------------------------


class Values:
    """The values click parsed for one group, by the group's own (unprefixed) names."""

    def __init__(self, values: Mapping[str, object], prefix: str = "") -> None:
        self._values = values
        self._prefix = prefix

    @property
    def prefix(self) -> str:
        """The group's flag prefix (``from``, ``to``) or ``""``."""
        return self._prefix

    def _get(self, name: str) -> object:
        return self._values[f"{self._prefix}_{name}" if self._prefix else name]

    def argument(self, name: str) -> str:
        """A positional argument's value (arguments take no prefix)."""
        value = self._values[name]
        if not isinstance(value, str):
            raise TypeError(f"{name}: expected a string, got {value!r}")
        return value

    def text(self, name: str) -> str:
        value = self._get(name)
        if not isinstance(value, str):
            raise TypeError(f"{name}: expected a string, got {value!r}")
        return value

    def optional_text(self, name: str) -> str | None:
        value = self._get(name)
        return None if value is None else self.text(name)

    def texts(self, name: str) -> tuple[str, ...]:
        value = self._get(name)
        if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
            raise TypeError(f"{name}: expected strings, got {value!r}")
        return tuple(str(v) for v in value)

    def given(self, name: str) -> bool:
        """Whether the flag was on the command line (pflag's ``Changed``), whatever its value."""
        from click.core import ParameterSource

        ctx = click.get_current_context(silent=True)
        key = f"{self._prefix}_{name}" if self._prefix else name
        source = ctx.get_parameter_source(key) if ctx is not None else None
        return source is not None and source is not ParameterSource.DEFAULT

    def boolean(self, name: str) -> bool:
        value = self._get(name)
        if not isinstance(value, bool):
            raise TypeError(f"{name}: expected a boolean, got {value!r}")
        return value

    def tristate(self, name: str) -> bool | None:
        value = self._get(name)
        return None if value is None else self.boolean(name)


# -- the one decorator factory ------------------------------------------------------------------


def _parameters(declarations: Sequence[Decorator]) -> list[click.Parameter]:
    """The click parameters ``declarations`` (click.option(...), flag(...)) make, in order."""

    def holder() -> None:
        return None

    for declare in reversed(declarations):
        declare(holder)
    params: list[click.Parameter] = holder.__dict__.get("__click_params__", [])
    return list(reversed(params))


def option_group(
    into: str,
    build: Callable[[Values], G],
    here: Sequence[Decorator],
    *,
    trailing: Sequence[Decorator] = (),
    prefix: str = "",
) -> Decorator:
    """A decorator that declares the click parameters ``here`` (where the decorator is) and
    ``trailing`` (at the end of the option list), and calls the command with ``into=`` the group
    ``build`` makes of their values instead of the values themselves."""

    def decorate(f: Command) -> Command:
        placed = _parameters(here)
        last = _parameters(trailing)
        names = [p.name for p in (*placed, *last) if p.name]

        @functools.wraps(f)
        def wrapper(**kwargs: object) -> None:
            values = {name: kwargs.pop(name) for name in names}
            kwargs[into] = build(Values(values, prefix))
            f(**kwargs)

        # click reads the parameters from __click_params__ in reverse (decorators apply bottom-up):
        # the first element is the last option shown.
        params: list[click.Parameter] = wrapper.__dict__.setdefault("__click_params__", [])
        params[0:0] = reversed(last)
        params.extend(reversed(placed))
        return wrapper

    return decorate


# -- -d/--debug and --no-tty --------------------------------------------------------------------


@dataclass(frozen=True)
class CommonOptions:
    """``-d/--debug`` (debug log and HTTP traffic on stderr) and ``--no-tty`` (plain status
    lines). Defaults: both off."""

    debug: bool = False
    no_tty: bool = False

    @property
    def plain(self) -> bool:
        """Plain status lines instead of the live display (``--debug`` or ``--no-tty``)."""
        return self.debug or self.no_tty


_DEBUG_HANDLER = "orasx-cli-debug"
_WARNING_HANDLER = "orasx-cli-warnings"


class GoLogFormatter(logging.Formatter):
    """A record as the Go CLI's debug log prints one: ``[time][LEVEL]: message`` and two blank
    lines, the time in RFC 3339 (local, fraction without trailing zeros, ``Z`` for UTC)."""

    def format(self, record: logging.LogRecord) -> str:
        t = datetime.datetime.fromtimestamp(record.created).astimezone()
        stamp = t.strftime("%Y-%m-%dT%H:%M:%S")
        fraction = f"{t.microsecond:06d}".rstrip("0")
        stamp += f".{fraction}" if fraction else ""
        offset = t.strftime("%z")
        stamp += "Z" if offset in ("+0000", "") else f"{offset[:3]}:{offset[3:5]}"
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + self.formatException(record.exc_info)
        return f"[{stamp}][{record.levelname}]: {message}\n\n"


def setup_logging(debug: bool) -> None:
    """With ``debug``, the library's log goes to stderr in the Go CLI's format (``[time][DEBUG]:
    message``, HTTP traffic as ``--> Request #N`` / ``<-- Response #N`` blocks). The one place the
    CLI configures logging; calling it again replaces the handler, never doubles it."""
    log = logging.getLogger("orasx")
    if not debug:  # the library's warnings (a cache it cannot write...): one line each
        if not any(h.get_name() == _WARNING_HANDLER for h in log.handlers):
            warn = logging.StreamHandler(sys.stderr)
            warn.set_name(_WARNING_HANDLER)
            warn.setLevel(logging.WARNING)
            warn.setFormatter(logging.Formatter("Warning: %(message)s"))
            log.addHandler(warn)
        return
    for old in [h for h in log.handlers if h.get_name() in (_DEBUG_HANDLER, _WARNING_HANDLER)]:
        log.removeHandler(old)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_DEBUG_HANDLER)
    handler.setFormatter(GoLogFormatter())
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)


def _common_flags(*, debug_help: str, tty: bool, verbose: bool) -> list[Decorator]:
    flags: list[Decorator] = [flag("-d", "--debug", help=debug_help)]
    if tty:
        flags.append(flag("--no-tty", help="Plain status lines, no progress display."))
    if verbose:
        flags.append(flag("-v", "--verbose", hidden=True, help="Deprecated: no effect."))
    return flags


def _build_common(values: Values, *, tty: bool = True) -> CommonOptions:
    common = CommonOptions(debug=values.boolean("debug"),
                           no_tty=values.boolean("no_tty") if tty else False)
    setup_logging(common.debug)
    return common


def common_options(*, debug_help: str = "Print debug logs and HTTP traffic.",
                   tty: bool = True, into: str = "common") -> Decorator:
    """``-d/--debug`` and (with ``tty``) ``--no-tty``, as :class:`CommonOptions`. Commands with
    remote flags get these with them (:attr:`RemoteOptions.common`)."""
    return option_group(into, functools.partial(_build_common, tty=tty),
                        _common_flags(debug_help=debug_help, tty=tty, verbose=False))


# -- registry flags -----------------------------------------------------------------------------


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

    def credential(self) -> Credential:
        """The credential the flags give (empty when none); checks the flags go together and reads
        a secret from stdin if asked to. Warns on stderr about ``-p``."""
        from orasx.registry.auth import Credential

        username, password, token = self.username, self.password, self.identity_token
        if password and self.password_stdin:
            raise click.UsageError("--password, --password-stdin cannot be used at the same time")
        if token and self.identity_token_stdin:
            raise click.UsageError(
                "--identity-token and --identity-token-stdin cannot be used together")
        if (token or self.identity_token_stdin) and username:
            raise click.UsageError("--username, --identity-token cannot be used at the same time")
        if (token or self.identity_token_stdin) and (password or self.password_stdin):
            raise click.UsageError("--password, --identity-token cannot be used at the same time")
        if self.password_stdin and self.identity_token_stdin:
            raise click.UsageError("only one secret can be read from stdin")
        if self.password_stdin:
            password = _read_secret()
            if not password:
                raise click.UsageError("--password-stdin: stdin is empty: a password is required")
        elif password and not self.prefix:
            click.echo("WARNING! Using --password via the CLI is insecure. Use --password-stdin.",
                       err=True)
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

        headers: dict[str, str] = {}
        for h in self.headers:
            name, sep, value = h.partition(":")
            if not sep or not name.strip():
                raise click.UsageError(f"invalid header: {json.dumps(h, ensure_ascii=False)}")
            headers[name.strip()] = value.strip()
        if bool(self.cert_file) != bool(self.key_file):
            raise click.UsageError("--cert-file and --key-file must be given together")
        resolve = dict(parse_resolve(r) for r in self.resolves)
        return ClientOptions(
            connect_timeout=_seconds("ORASX_CONNECT_TIMEOUT", 30.0),
            read_timeout=_seconds("ORASX_READ_TIMEOUT", 300.0),
            stall_window=_seconds("ORASX_STALL_SECONDS", 60.0),
            stall_min_bytes=int(_seconds("ORASX_STALL_MIN_BYTES", 16 * 1024)),
            metadata_deadline=_seconds("ORASX_METADATA_DEADLINE", 60.0),
            plain_http=self.plain_http,
            insecure=self.insecure,
            ca_file=self.ca_file,
            cert_file=self.cert_file,
            key_file=self.key_file,
            headers=headers,
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


def _seconds(env: str, default: float) -> float:
    """A timeout from the environment (``ORASX_CONNECT_TIMEOUT``, ``ORASX_READ_TIMEOUT``)."""
    value = os.environ.get(env)
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        raise click.UsageError(f"{env}={value!r}: use a number of seconds") from None


def _remote_flags(prefix: str) -> list[Decorator]:
    """The credential and connection flags; prefixed (``--from-username``), without help (the
    Go CLI's describe them), but for the ``-stdin`` ones the Go CLI's copy lacks."""
    def name(long: str) -> str:
        return f"--{prefix}-{long}" if prefix else f"--{long}"

    def short(s: str) -> list[str]:
        return [] if prefix else [s]

    def dest(param: str) -> list[str]:
        return [f"{prefix}_{param}" if prefix else param]

    def text(help: str) -> str | None:
        return None if prefix else help

    def meta(metavar: str) -> str | None:
        return None if prefix else metavar

    side = {"from": "source", "to": "destination"}.get(prefix, prefix)
    return [
        click.option(*short("-u"), name("username"), default="", help=text("Registry username.")),
        click.option(
            *short("-p"), name("password"), default="",
            help=text("Registry password, or identity token without -u (prefer --password-stdin)."),
        ),
        # not in the Go CLI's copy: a secret for one side, kept off the command line
        flag(name("password-stdin"),
             help=f"read {side} registry password from stdin" if prefix
             else "Read the password from stdin."),
        click.option(name("identity-token"), default="",
                     help=text("Registry identity (refresh) token.")),
        flag(name("identity-token-stdin"),
             help=f"read {side} registry identity token from stdin" if prefix
             else "Read the identity token from stdin."),
        click.option(name("registry-config"), multiple=True, metavar=meta("PATH"),
                     help=text("Credentials file(s); the first is written, the rest are read-only "
                               "fallbacks (default: docker's config.json, then podman's "
                               "auth.json).")),
        flag(
            name("plain-http"), default=None,
            help=text("Use plain HTTP instead of HTTPS (on by default for localhost only, not "
                      "127.0.0.1 or [::1]; --plain-http=false turns that off)."),
        ),
        flag(name("insecure"), help=text("Skip TLS certificate verification.")),
        click.option(name("ca-file"), default=None,
                     help=text("CA certificate file for the registry.")),
        click.option(name("cert-file"), default=None, help=text("Client certificate file (mTLS).")),
        click.option(name("key-file"), default=None, help=text("Client private key file (mTLS).")),
        click.option(
            *short("-H"), name("header"), *dest("headers"), multiple=True,
            help=text("Add a header to registry requests: 'Name: value' (repeatable)."),
        ),
        click.option(name("resolve"), *dest("resolves"), multiple=True,
                     metavar=meta("HOST:PORT:ADDRESS[:PORT]"),
                     help=text("Connect to ADDRESS for HOST:PORT, like curl (repeatable).")),
    ]


def _distribution_spec(prefix: str) -> Decorator:
    return click.option(
        f"--{prefix}-distribution-spec" if prefix else "--distribution-spec", default=None,
        type=click.Choice(list(DISTRIBUTION_SPECS)),
        help=None if prefix else "Force the referrers API or the referrers tag schema instead of "
        "detecting it.",
    )


def _build_remote(values: Values, *, distribution_spec: bool, common: bool) -> RemoteOptions:
    return RemoteOptions(
        username=values.text("username"),
        password=values.text("password"),
        password_stdin=values.boolean("password_stdin"),
        identity_token=values.text("identity_token"),
        identity_token_stdin=values.boolean("identity_token_stdin"),
        registry_config=values.texts("registry_config"),
        plain_http=values.tristate("plain_http"),
        insecure=values.boolean("insecure"),
        ca_file=values.optional_text("ca_file"),
        cert_file=values.optional_text("cert_file"),
        key_file=values.optional_text("key_file"),
        headers=values.texts("headers"),
        resolves=values.texts("resolves"),
        distribution_spec=values.optional_text("distribution_spec") if distribution_spec else None,
        common=_build_common(values) if common else CommonOptions(),
        prefix=values.prefix,
    )


def _remote_declarations(prefix: str, distribution_spec: bool,
                         ) -> tuple[list[Decorator], list[Decorator]]:
    """(flags placed at the decorator, flags closing the option list) of a remote group."""
    spec = [_distribution_spec(prefix)] if distribution_spec else []
    if prefix:
        return [*_remote_flags(prefix), *spec], []
    common = _common_flags(debug_help="Print debug logs and HTTP traffic.", tty=True, verbose=True)
    return spec, [*_remote_flags(""), *common]


def remote_options(prefix: str = "", *, distribution_spec: bool = False,
                   into: str = "remote") -> Decorator:
    """The flags of a command that talks to a registry, as :class:`RemoteOptions`. Unprefixed,
    they include ``-d``, ``--no-tty`` and the deprecated ``-v``."""
    here, trailing = _remote_declarations(prefix, distribution_spec)
    build = functools.partial(_build_remote, distribution_spec=distribution_spec,
                              common=not prefix)
    return option_group(into, build, here, trailing=trailing, prefix=prefix)


# -- a reference and where it is ----------------------------------------------------------------


@dataclass(frozen=True)
class TargetOptions:
    """What a command works on: ``reference`` as typed, whether it names an OCI image layout
    (``--oci-layout``) rather than a registry, and how to reach the registry.

    With ``--oci-layout-path DIR`` (``layout_path``), ``oci_layout`` is true and ``reference`` is
    a :class:`~orasx.reference.LayoutReference`: the tag or digest as typed (what the Go CLI
    shows), which carries ``DIR`` to the library.
    """

    reference: str
    oci_layout: bool = False
    remote: RemoteOptions = field(default_factory=RemoteOptions)
    #: ``--oci-layout-path``: the layout's directory, or None.
    layout_path: str | None = None

    @property
    def common(self) -> CommonOptions:
        return self.remote.common

    @property
    def kind(self) -> str:
        """``oci-layout`` or ``registry``, as the Go CLI's messages name it."""
        return "oci-layout" if self.oci_layout else "registry"

    def location(self) -> Location:
        """The reference, parsed (by the library)."""
        from orasx.api import locate

        return locate(self.reference, oci_layout=self.oci_layout)

    def endpoint(self) -> Endpoint:
        """The library's :class:`~orasx.api.Endpoint` (reads a secret from stdin if asked)."""
        from orasx.api import Endpoint

        return Endpoint(self.reference, self.oci_layout, self.remote.remote())


_LAYOUT_HELP = "The reference is an OCI image layout: DIR[:TAG|@DIGEST]."
_LAYOUT_PATH_HELP = "[Experimental] set the path for the OCI image layout target"


def _build_target(values: Values, *, argument: str, remote: Callable[[Values], RemoteOptions],
                  ) -> TargetOptions:
    from orasx.cli._cobra import GoUsageError
    from orasx.reference import LayoutReference

    if values.given("oci_layout_path") and values.given("oci_layout"):
        # pflag's "changed": --oci-layout=false or an empty path still counts, as in Go
        p = f"--{values.prefix}-" if values.prefix else "--"
        raise GoUsageError(f"{p}oci-layout-path, {p}oci-layout cannot be used at the same time")
    reference = values.argument(argument)
    oci_layout = values.boolean("oci_layout")
    path = values.optional_text("oci_layout_path") or None  # "": not set, as in Go
    if path is not None:
        reference, oci_layout = LayoutReference(reference, path), True
    return TargetOptions(reference=reference, oci_layout=oci_layout, remote=remote(values),
                         layout_path=path)


def target_options(prefix: str = "", *, argument: str = "reference",
                   layout_help: str = _LAYOUT_HELP, distribution_spec: bool = False,
                   into: str = "target") -> Decorator:
    """A reference argument (named ``argument``), ``--oci-layout``, ``--oci-layout-path`` and the
    remote flags, as :class:`TargetOptions`; ``prefix="from"`` gives ``--from-oci-layout``,
    ``--from-oci-layout-path``, ``--from-username``...
    """
    oci_layout = flag(f"--{prefix}-oci-layout" if prefix else "--oci-layout",
                      help=None if prefix else layout_help)
    layout_path = click.option(
        f"--{prefix}-oci-layout-path" if prefix else "--oci-layout-path", default=None,
        metavar=None if prefix else "DIR", help=None if prefix else _LAYOUT_PATH_HELP)
    here, trailing = _remote_declarations(prefix, distribution_spec)
    if prefix:
        here[len(here) - (1 if distribution_spec else 0):0] = [oci_layout, layout_path]
    else:
        here[0:0] = [oci_layout, layout_path]
    build = functools.partial(
        _build_target, argument=argument,
        remote=functools.partial(_build_remote, distribution_spec=distribution_spec,
                                 common=not prefix),
    )
    return option_group(into, build, [click.argument(argument), *here], trailing=trailing,
                        prefix=prefix)


# -- --format and --template --------------------------------------------------------------------


@dataclass(frozen=True)
class FormatOptions:
    """``--format``: ``kind`` is ``text`` (the default), ``json``, ``go-template`` (with
    ``template``) or a command's own (``tree``, ``table``)."""

    kind: str = "text"
    template: str = ""

    @property
    def document(self) -> bool:
        """The result is printed as a document (json, go-template): stdout carries only that, so
        no status lines."""
        return self.kind in ("json", "go-template")


def parse_format(value: str, template: str | None, allowed: Sequence[str] = FORMATS,
                 ) -> FormatOptions:
    """``--format VALUE`` and ``--template`` -> :class:`FormatOptions`; the Go CLI's errors for a
    kind not in ``allowed``, a go-template without a template, or ``--template`` without
    ``--format go-template`` (also beside ``go-template=TPL``)."""
    from orasx.cli._cobra import GoUsageError

    kind, eq, inline = value.partition("=")
    if kind not in allowed or (eq and kind != "go-template"):
        raise GoUsageError(f"invalid format type: {go_quote(value)}\n"
                           f"supported types: {', '.join(_supported_order(allowed))}")
    if template is not None and (kind != "go-template" or eq):
        raise GoUsageError("--template must be used with --format go-template")
    if kind == "go-template":
        template = inline if eq else template
        if not template:
            raise GoUsageError('"go-template" format specified but no template given\n'
                               "use `--format go-template=TEMPLATE` to specify the template")
    return FormatOptions(kind, template or "")


def _supported_order(allowed: Sequence[str]) -> list[str]:
    """The format kinds the Go CLI lists for the running command, in its order (its help's
    ``--format`` lines); ours when there is no Go fact."""
    import re

    from orasx.cli._cobra import go_facts, go_path

    ctx = click.get_current_context(silent=True)
    facts = go_facts(go_path(ctx)) if ctx is not None else {}
    row = (facts.get("flags") or {}).get("format")
    listed = re.findall(r"'([\w-]+)':", row[1]) if row else []
    known = [k for k in listed if k in allowed]
    return known or list(allowed)


def _build_format(values: Values, *, allowed: Sequence[str]) -> FormatOptions:
    return parse_format(values.text("output_format"), values.optional_text("template"), allowed)


def format_options(*extra: str, into: str = "fmt") -> Decorator:
    """``--format`` (text, json, go-template[=TPL], plus ``extra`` such as tree/table, the first
    of which is then the default) and ``--template``, as :class:`FormatOptions`."""
    allowed = (*FORMATS, *extra)
    declarations = [
        click.option("--format", "output_format", default=extra[0] if extra else "text",
                     metavar="FORMAT", help=f"Output: {', '.join(allowed)}, or go-template=TPL."),
        click.option("--template", default=None, metavar="TPL",
                     help="Go template for --format go-template (see docs/cli.md)."),
    ]
    return option_group(into, functools.partial(_build_format, allowed=allowed), declarations)
