"""The flag groups commands share, each declared once with the Go CLI's words and built into one
frozen value the command receives (as the Go CLI's ``cmd/oras/internal/option`` structs):

- :class:`CommonFlags`: ``-d/--debug``, ``--no-tty`` -> :class:`CommonOptions` (and the debug log);
- :class:`RemoteFlags`: credentials, connection, ``--distribution-spec`` -> :class:`RemoteOptions`;
- :class:`TargetFlags`: a reference argument, ``--oci-layout``, ``--oci-layout-path`` and the
  remote flags -> :class:`TargetOptions`;
- ``_format.FormatFlags``: ``--format``, ``--template`` -> :class:`FormatOptions`.

``prefix`` gives the ``--from-*``/``--to-*`` forms ``copy`` takes (``--from-username``,
``--to-plain-http``, ...), without shorthands, the Go CLI's texts naming the side. Building a
group reads nothing and checks little: the credential flags are checked, and a secret read from
stdin, only when the command asks for the library's :class:`~orasx.api.Remote`
(:meth:`RemoteOptions.remote`), so a command's own checks come first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from orasx.cli._command import GoUsageError, Invocation
from orasx.cli._format import FormatFlags, FormatOptions, parse_format
from orasx.cli._logging import setup_logging
from orasx.cli._pflag import Flag
from orasx.cli._remote import DISTRIBUTION_SPECS, CommonOptions, RemoteOptions

if TYPE_CHECKING:
    from orasx.api import Endpoint, Location
    from orasx.reference import LayoutReference

__all__ = ["CommonFlags", "CommonOptions", "FormatFlags", "FormatOptions", "RemoteFlags",
           "RemoteOptions", "TargetFlags", "TargetOptions", "parse_format"]

#: cobra's deprecation note of ``-v/--verbose``
_DEPRECATED = "and will be removed in a future release."


@dataclass(frozen=True)
class CommonFlags:
    """``-d/--debug`` and ``--no-tty`` (``no_tty``: its text; None: accepted but not listed, as
    where the Go CLI lacks it; ``tty=False``: not taken); ``verbose``: the deprecated ``-v``."""

    debug: str = "output debug logs (implies --no-tty)"
    no_tty: str | None = "[Preview] disable progress bars"
    tty: bool = True
    verbose: bool = False
    into: str = "common"
    arguments: tuple[str, ...] = ()

    def flags(self) -> list[Flag]:
        flags = [Flag("debug", self.debug, short="d")]
        if self.tty:
            flags.append(Flag("no-tty", self.no_tty or "", hidden=self.no_tty is None))
        if self.verbose:
            flags.append(Flag("verbose", "print status output for unnamed blobs", short="v",
                              default=True, hidden=True, deprecated=_DEPRECATED))
        return flags

    def build(self, invocation: Invocation) -> CommonOptions:
        common = CommonOptions(debug=invocation.boolean("debug"),
                               no_tty=invocation.boolean("no_tty") if self.tty else False,
                               verbose=invocation.boolean("verbose") if self.verbose else True)
        setup_logging(common.debug)
        return common


#: -d, and --no-tty accepted but not listed (the Go CLI's command has no --no-tty), -v
_NO_TTY_HIDDEN = CommonFlags(no_tty=None, verbose=True)


def remote_flags(prefix: str = "", *, distribution_spec: bool = False,
                 seed_config: bool = False) -> list[Flag]:
    """The credential and connection flags (and ``--distribution-spec``), ``prefix``-ed.
    ``--registry-config`` also answers to ``-c`` (unprefixed) and, with ``seed_config`` (login,
    where the Go CLI has no ``--config``), to ``--config``: the spellings of the seed ORAS
    README, kept out of help as the other old spellings."""
    side = {"from": "source ", "to": "destination "}.get(prefix, "")
    p = f"{prefix}-" if prefix else ""
    k = f"{prefix}_" if prefix else ""

    def short(s: str) -> str:
        return "" if prefix else s

    def text(s: str) -> str:
        return s.replace("{side}", side)

    flags = [
        Flag(p + "username", text("{side}registry username"), short=short("u"), kind="string",
             default=""),
        Flag(p + "password", text("{side}registry password or identity token"),
             short=short("p"), kind="string", default=""),
        # not in the Go CLI's copy: a secret for one side, kept off the command line
        Flag(p + "password-stdin", f"read {side}registry password from stdin" if prefix
             else "read password from stdin", ours=bool(prefix)),
        Flag(p + "identity-token", text("{side}registry identity token"), kind="string",
             default=""),
        Flag(p + "identity-token-stdin", f"read {side}registry identity token from stdin"
             if prefix else "read identity token from stdin", ours=bool(prefix)),
        Flag(p + "registry-config", text("`path` of the authentication file for {side}registry"),
             short=short("c"), short_hidden=True, kind="stringArray", default=(),
             spellings=("config",) if seed_config and not prefix else ()),
        Flag(p + "plain-http", text("allow insecure connections to {side}registry without SSL "
                                    "check"), default=None),
        Flag(p + "insecure", text("allow connections to {side}SSL registry without certs")),
        Flag(p + "ca-file", text("server certificate authority file for the remote "
                                 "{side}registry"), kind="string", default=None),
        Flag(p + "cert-file", text("client certificate file for the remote {side}registry"),
             kind="string", default=None),
        Flag(p + "key-file", text("client private key file for the remote {side}registry"),
             kind="string", default=None),
        Flag(p + "header", text("add custom headers to {side}requests"), short=short("H"),
             kind="stringArray", default=(), dest=k + "headers"),
        Flag(p + "resolve", text("customized DNS for {side}registry, formatted in "
                                 "`host:port:address[:address_port]`"),
             kind="stringArray", default=(), dest=k + "resolves"),
    ]
    if distribution_spec:
        flags.append(Flag(
            p + "distribution-spec",
            text("[Preview] set OCI distribution spec version and API option for {side}target. "
                 "Options: v1.1-referrers-tag, v1.1-referrers-api"),
            kind="string", default=None, choices=DISTRIBUTION_SPECS,
            choice_what="distribution specification", default_text='"unknown"'))
    return flags


@dataclass(frozen=True)
class RemoteFlags:
    """The flags of a command that talks to a registry, as :class:`RemoteOptions`. Unprefixed,
    they include ``common`` (``-d``, ``--no-tty`` and the deprecated ``-v``)."""

    prefix: str = ""
    distribution_spec: bool = False
    common: CommonFlags = field(default_factory=lambda: CommonFlags(verbose=True))
    into: str = "remote"
    arguments: tuple[str, ...] = ()
    #: ``--config`` for ``--registry-config`` (login: the seed README's spelling)
    seed_config: bool = False

    def flags(self) -> list[Flag]:
        own = remote_flags(self.prefix, distribution_spec=self.distribution_spec,
                           seed_config=self.seed_config)
        return own if self.prefix else [*own, *self.common.flags()]

    def build(self, invocation: Invocation) -> RemoteOptions:
        k = f"{self.prefix}_" if self.prefix else ""
        i = invocation
        return RemoteOptions(
            username=i.text(k + "username"),
            password=i.text(k + "password"),
            password_stdin=i.boolean(k + "password_stdin"),
            identity_token=i.text(k + "identity_token"),
            identity_token_stdin=i.boolean(k + "identity_token_stdin"),
            registry_config=i.texts(k + "registry_config"),
            plain_http=i.tristate(k + "plain_http"),
            insecure=i.boolean(k + "insecure"),
            ca_file=i.optional_text(k + "ca_file"),
            cert_file=i.optional_text(k + "cert_file"),
            key_file=i.optional_text(k + "key_file"),
            headers=i.texts(k + "headers"),
            resolves=i.texts(k + "resolves"),
            distribution_spec=i.optional_text(k + "distribution_spec")
            if self.distribution_spec else None,
            common=CommonOptions() if self.prefix else self.common.build(invocation),
            prefix=self.prefix,
        )


# -- a reference and where it is ----------------------------------------------------------------


@dataclass(frozen=True)
class TargetOptions:
    """What a command works on: ``reference`` as typed, whether it names an OCI image layout
    (``--oci-layout``) rather than a registry, and how to reach the registry.

    With ``--oci-layout-path DIR`` (``layout_path``), ``oci_layout`` is true and :attr:`ref` is
    a :class:`~orasx.reference.LayoutReference`: the tag or digest as typed (``reference``, what
    the Go CLI shows) in ``DIR``.
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

    @property
    def ref(self) -> str | LayoutReference:
        """What the library is given: the reference as typed or, with ``--oci-layout-path``, a
        :class:`~orasx.reference.LayoutReference` in that directory."""
        from orasx.reference import LayoutReference

        if self.layout_path is None:
            return self.reference
        return LayoutReference(self.reference, self.layout_path)

    def location(self) -> Location:
        """The reference, parsed (by the library)."""
        from orasx.api import locate

        return locate(self.ref, oci_layout=self.oci_layout)

    def endpoint(self) -> Endpoint:
        """The library's :class:`~orasx.api.Endpoint` (reads a secret from stdin if asked)."""
        from orasx.api import Endpoint

        return Endpoint(self.ref, self.oci_layout, self.remote.remote())


@dataclass(frozen=True)
class TargetFlags:
    """A reference argument (``argument``), ``--oci-layout``, ``--oci-layout-path`` and the
    remote flags, as :class:`TargetOptions`; ``prefix="from"`` gives ``--from-oci-layout``,
    ``--from-oci-layout-path``, ``--from-username``..."""

    prefix: str = ""
    argument: str = "reference"
    distribution_spec: bool = False
    common: CommonFlags = field(default_factory=lambda: CommonFlags(verbose=True))
    into: str = "target"

    @property
    def arguments(self) -> tuple[str, ...]:
        return (self.argument,)

    def _remote(self) -> RemoteFlags:
        return RemoteFlags(self.prefix, self.distribution_spec, self.common)

    def flags(self) -> list[Flag]:
        side = {"from": "source ", "to": "destination "}.get(self.prefix, "")
        p = f"{self.prefix}-" if self.prefix else ""
        return [
            Flag(p + "oci-layout", f"set {side}target as an OCI image layout"),
            Flag(p + "oci-layout-path",
                 f"[Experimental] set the path for the {side}OCI image layout target",
                 kind="string", default=None),
            *self._remote().flags(),
        ]

    def build(self, invocation: Invocation) -> TargetOptions:
        k = f"{self.prefix}_" if self.prefix else ""
        if invocation.given(k + "oci_layout_path") and invocation.given(k + "oci_layout"):
            # pflag's "changed": --oci-layout=false or an empty path still counts, as in Go
            p = f"--{self.prefix}-" if self.prefix else "--"
            raise GoUsageError(f"{p}oci-layout-path, {p}oci-layout cannot be used at the same time")
        reference = invocation.text(self.argument)
        oci_layout = invocation.boolean(k + "oci_layout")
        path = invocation.optional_text(k + "oci_layout_path") or None  # "": not set, as in Go
        if path is not None:
            oci_layout = True
        return TargetOptions(reference=reference, oci_layout=oci_layout,
                             remote=self._remote().build(invocation), layout_path=path)
