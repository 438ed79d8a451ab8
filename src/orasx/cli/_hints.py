"""How an error is printed, in the Go CLI's words where it has them (the library states only the
problem; this module adds the prefix, the operation and the advice).

:func:`render` is the one place: ``handle_errors`` (``_common``) prints what it returns.

- a failure on one side of ``cp``: ``Error from source registry for "<ref>": <message>``
  (``oci-layout`` for a layout side);
- an error answer of a registry (oras-go's ``ErrorResponse``): ``Error response from registry: ``
  and the registry's own errors (``name unknown: repository name not known to registry: ...``),
  or, when its body named none, the whole answer (``HEAD "<url>": response status code 401:
  Unauthorized``); as in Go, without the operation;
- a registry that says not found: ``Error response from registry: <operation><message>``, the
  operation (``failed to resolve digest: ``...) from :data:`OPERATIONS` by Go command path;
- a connection failure: ``Error: <operation>`` and Go's words for it (``_nethttp``: ``Head
  "<url>": dial tcp ...``), and for
  an HTTPS request answered in plain HTTP or a certificate that does not verify, a second line
  with what to pass (not when ``--plain-http`` was given explicitly: the user chose);
- no credentials for a registry that wants them: ``Error: <operation>basic credential not found``
  and the line pointing at the credentials file;
- an invalid reference: ``Error: "<ref>": invalid reference: invalid repository "X"`` and the line
  showing the reference's form;
- everything else: ``Error: <message>``, with our advice for its ``reason`` (:data:`HINTS`).

What is said is chosen by the error's data (its class, ``reason``, ``reference``, ``path``) and the
command's, never by parsing the library's message.

Text from a registry reaches these messages with its control characters already escaped
(``registry._errors.escape_controls``), so it cannot forge a line; the line breaks here are ours.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from orasx.cli._nethttp import go_text, unsupported_scheme, via
from orasx.errors import (
    InvalidReferenceError,
    NetworkError,
    NotFoundError,
    OrasError,
    Reason,
    RegistryError,
)

if TYPE_CHECKING:
    from orasx.cli._command import Invocation

HINTS = {
    Reason.UNAUTHORIZED: "run 'oras login {registry}' or pass -u/-p",
    Reason.CREDENTIALS_REFUSED: "check the username and password (oras login {registry}, or -u/-p)",
    Reason.DENIED: "check that the account has permission for this repository",
    Reason.PLAIN_HTTP_CREDENTIALS: "use https, or pass --plain-http to allow it",
    Reason.TLS_VERIFY: "pass --ca-file with the registry's CA, or --insecure to skip verification",
    Reason.PATH_TRAVERSAL: "pass -T/--allow-path-traversal to allow it",
    Reason.SYMLINK_TRAVERSAL: "pass -T/--allow-path-traversal to allow it",
    Reason.KEEP_OLD_FILES: "remove it or drop -k/--keep-old-files",
    Reason.NO_CREDENTIALS: "pass -u and --password-stdin",
    Reason.IS_INDEX: "pass --platform to pick a manifest",
    Reason.STDOUT_ONE_FILE: "select one with --include, or pull to a directory with -o DIR",
    Reason.SIZE_MISMATCH: "check --size",
    Reason.GRAPH_LIMIT: "narrow it with --depth or --artifact-type",
    Reason.MEDIA_TYPE_UNKNOWN: "pass --media-type",
}
_HINTS = HINTS  # the old name

#: Second lines for connection failures (``NetworkError.reason``), in the Go CLI's style of
#: recommendation.
NETWORK_HINTS = {
    Reason.HTTPS_PLAIN: "The registry answered in plain HTTP: pass --plain-http to use HTTP for it",
    Reason.TLS_VERIFY: ("Pass --ca-file with the registry's CA certificate, or --insecure to skip "
                        "the verification"),
}

#: Go command path -> the operation the Go CLI names before a failure of the command's first
#: registry call (``{ref}``: the reference as typed; ``{tag}``: its tag or digest)
OPERATIONS = {
    "manifest fetch": 'failed to fetch the content of "{ref}": ',
    "resolve": "failed to resolve digest: ",
    "attach": "failed to resolve {tag}: ",
    "login": "failed to validate the credentials for {registry}: ",
    "repo ls": "could not list repositories for \"{registry}\"\n",
}

_REFERENCE_FORM = ("Please make sure the provided reference is in the form of "
                   "<registry>/<repo>[:tag|@digest]")


def message(err: OrasError) -> str:
    """``str(err)`` with the command-line advice for its ``reason``, if any."""
    hint = HINTS.get(err.reason)
    if hint is None:
        return str(err)
    registry = err.registry if isinstance(err, RegistryError) and err.registry else "REGISTRY"
    return f"{err}: {hint.format(registry=registry)}"


def _reference(ctx: Invocation | None, side: str | None = None) -> str:
    if ctx is None:
        return ""
    names = {"source": ("source",), "destination": ("destination",)}.get(
        side or "", ("reference", "subject", "source"))
    for name in names:
        value = ctx.params.get(name)
        if isinstance(value, str):
            return value
    return ""


def _argument_naming(ctx: Invocation | None, path: str) -> str:
    """The command-line argument that names the layout at ``path`` (``path[:tag|@digest]``)."""
    if ctx is not None:
        for name in ("reference", "source", "destination", "subject"):
            value = ctx.params.get(name)
            if isinstance(value, str) and value.startswith(path) \
                    and value[len(path):][:1] in ("", ":", "@"):
                return value
    return path


def _is_remote(ctx: Invocation | None, side: str | None) -> bool:
    if ctx is None:
        return True
    flag = {"source": "from_oci_layout", "destination": "to_oci_layout"}.get(side or "", "oci_layout")
    return not ctx.params.get(flag)


def _operation(ctx: Invocation | None) -> str:
    if ctx is None:
        return ""
    from orasx.cli._cobra import go_path

    template = OPERATIONS.get(go_path(ctx))
    if template is None:
        return ""
    ref = _reference(ctx)
    tag = re.split(r"[:@]", ref.rsplit("/", 1)[-1], maxsplit=1)[-1] if ref else ""
    registry = ctx.params.get("registry")
    return template.format(ref=ref, tag=tag,
                           registry=registry if isinstance(registry, str) else "")


def _tag_of(ref: str) -> str:
    """The tag or digest of ``ref`` (``""`` without one)."""
    last = ref.rsplit("/", 1)[-1]
    if "@" in last:
        return last.partition("@")[2]
    return last.partition(":")[2]


def _index_operation(ctx: Invocation | None, err: OrasError) -> str:
    """``manifest index create/update`` name what they could not find (Go: ``could not find the
    manifest nope: ``; ``could not find the index nope: `` for the index ``update`` changes)."""
    if ctx is None:
        return ""
    from orasx.cli._cobra import go_path

    path = go_path(ctx)
    if path not in ("manifest index create", "manifest index update") or not err.reference:
        return ""
    tag = _tag_of(err.reference)
    reference = ctx.params.get("reference")
    what = "manifest"
    if path == "manifest index update" and isinstance(reference, str) \
            and _tag_of(reference) == tag and reference.rsplit("/", 1)[0] in err.reference:
        what = "index"
    return f"could not find the {what} {tag}: "


def _plain_http_explicit(ctx: Invocation | None) -> bool:
    """Did the user pass ``--plain-http`` (true or false) to the command of ``ctx``?"""
    if ctx is None:
        return False
    return any((k.endswith("plain_http") and v is not None)
               or getattr(v, "plain_http", None) is not None for k, v in ctx.params.items())


def _credentials_file(ctx: Invocation | None) -> str:
    configs = ctx.params.get("registry_config") if ctx is not None else None
    if isinstance(configs, tuple) and configs:
        return str(configs[0])
    from orasx.registry.credentials import default_config_path

    return default_config_path()


def render(err: OrasError, ctx: Invocation | None = None) -> str:
    """The whole text the Go CLI prints for ``err`` in the command of ``ctx`` (one or two lines,
    without the final newline), prefix included."""
    from orasx.cli._cobra import go_path

    # only cp names the side (push and attach copy too, but have one side)
    side = err.origin if err.origin in ("source", "destination") and ctx is not None \
        and go_path(ctx) == "cp" else None
    remote = _is_remote(ctx, side)
    operation = "" if side else _operation(ctx)
    kind = "registry" if remote else "oci-layout"
    prefix = f'Error from {side} {kind} for "{_reference(ctx, side)}": ' if side else "Error: "
    if isinstance(err, RegistryError) and err.reason is Reason.TOKEN_REALM and err.method:
        # Go's client tries the realm, and cannot send it
        return f"{prefix}{operation}{via(err)}{unsupported_scheme(err.method, err.url)}"
    if isinstance(err, RegistryError) and err.method and err.for_request \
            and err.status not in (401, 403) and go_path(ctx) != "login" and not side:
        # a token server's answer: oras-go names the request it was for; only login's handler
        # prints it as the registry's
        return f"{prefix}{operation}{via(err)}{err}"
    if isinstance(err, RegistryError) and err.method:
        # an answer of the registry: Go prints the registry's own errors, without the operation
        return f"{prefix if side else 'Error response from registry: '}{err.detail or err}"
    if isinstance(err, RegistryError) and err.reason is Reason.UNAUTHORIZED:
        if operation.endswith("\n"):  # repo ls: Go trims its two-line wrapping here
            operation = ""
        return (f"{prefix}{operation}basic credential not found\n"
                "Please check whether the registry credential stored in the authentication file "
                f'at "{_credentials_file(ctx)}" is correct')
    if err.reason is Reason.BASIC_INCOMPLETE:  # oras-go's words, after the operation
        return f"{prefix}{operation}{err}"
    if isinstance(err, InvalidReferenceError) and err.reason is Reason.REFERENCE_FORM:
        return f"{prefix}{err}\n{_REFERENCE_FORM}"
    if err.reason is Reason.NO_LAYOUT:
        path = err.path
        arg = _argument_naming(ctx, path)
        return (f'Error: invalid argument "{arg}": failed to find path "{path}": stat {path}: '
                "no such file or directory")
    if isinstance(err, NotFoundError) and err.reason is Reason.NOT_IN_STORE and not side \
            and ctx is not None and ctx.params.get("oci_layout_path"):
        # Go's --oci-layout-path target is no "OCI layout" to its error handler: a registry's prefix
        return f"Error response from registry: {operation}not found"
    if isinstance(err, NotFoundError) and not remote:  # Go's OCI store says only "not found"
        detail = "not found" if err.reason is Reason.NOT_IN_STORE else message(err)
        return f"{prefix}{operation}{detail}"
    if isinstance(err, NotFoundError) and remote and not err.path:  # not from a local layout
        if not side:
            prefix = "Error response from registry: "
        return f"{prefix}{operation or _index_operation(ctx, err)}{err}"
    if err.reason is Reason.BLOB_NEEDS_DIGEST and _tag_of(err.reference):
        return f"{prefix}invalid checksum digest format"
    if isinstance(err, NetworkError):
        hint = NETWORK_HINTS.get(err.reason)
        if err.reason is Reason.HTTPS_PLAIN and _plain_http_explicit(ctx):
            hint = None
        return f"{prefix}{operation}{go_text(err)}" + (f"\n{hint}" if hint else "")
    return f"{prefix}{message(err)}"
