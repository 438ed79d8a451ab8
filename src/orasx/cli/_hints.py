"""How an error is printed, in the Go CLI's words where it has them (the library states only the
problem; this module adds the prefix, the operation and the advice).

:func:`render` is the one place: ``handle_errors`` (``_common``) prints what it returns.

- a failure on one side of ``cp``: ``Error from source registry for "<ref>": <message>``;
- a registry that says not found: ``Error response from registry: <operation><message>``, the
  operation (``failed to resolve digest: ``...) from :data:`OPERATIONS` by Go command path;
- no credentials for a registry that wants them: ``Error: <operation>basic credential not found``
  and the line pointing at the credentials file;
- an invalid reference: ``Error: "<ref>": invalid reference: invalid repository "X"`` and the line
  showing the reference's form;
- everything else: ``Error: <message>``, with our advice for its ``reason`` (:data:`HINTS`).
"""

from __future__ import annotations

import re

import click

from orasx.errors import NotFoundError, OrasError, RegistryError

HINTS = {
    "unauthorized": "run 'oras login {registry}' or pass -u/-p",
    "credentials-refused": "check the username and password (oras login {registry}, or -u/-p)",
    "denied": "check that the account has permission for this repository",
    "plain-http-credentials": "use https, or pass --plain-http to allow it",
    "tls-verify": "pass --ca-file with the registry's CA, or --insecure to skip verification",
    "https-refused": "is the registry serving plain HTTP? pass --plain-http",
    "path-traversal": "pass -T/--allow-path-traversal to allow it",
    "keep-old-files": "remove it or drop -k/--keep-old-files",
    "no-credentials": "pass -u and --password-stdin",
}
_HINTS = HINTS  # the old name

#: Go command path -> the operation the Go CLI names before a failure of the command's first
#: registry call (``{ref}``: the reference as typed; ``{tag}``: its tag or digest)
OPERATIONS = {
    "manifest fetch": 'failed to fetch the content of "{ref}": ',
    "resolve": "failed to resolve digest: ",
    "attach": "failed to resolve {tag}: ",
}

_REFERENCE_FORM = ("Please make sure the provided reference is in the form of "
                   "<registry>/<repo>[:tag|@digest]")
_INVALID_REFERENCE = re.compile(
    r"invalid reference '(?P<ref>[^']*)': invalid (?P<what>repository|tag|registry) "
    r"'(?P<value>[^']*)'")


def message(err: OrasError) -> str:
    """``str(err)`` with the command-line advice for its ``reason``, if any."""
    hint = HINTS.get(err.reason)
    if hint is None:
        return str(err)
    registry = err.registry if isinstance(err, RegistryError) and err.registry else "REGISTRY"
    return f"{err}: {hint.format(registry=registry)}"


def _reference(ctx: click.Context | None, side: str | None = None) -> str:
    if ctx is None:
        return ""
    names = {"source": ("source",), "destination": ("destination",)}.get(
        side or "", ("reference", "subject", "source"))
    for name in names:
        value = ctx.params.get(name)
        if isinstance(value, str):
            return value
    return ""


def _is_remote(ctx: click.Context | None, side: str | None) -> bool:
    if ctx is None:
        return True
    flag = {"source": "from_oci_layout", "destination": "to_oci_layout"}.get(side or "", "oci_layout")
    return not ctx.params.get(flag)


def _operation(ctx: click.Context | None) -> str:
    if ctx is None:
        return ""
    from orasx.cli._cobra import go_path

    template = OPERATIONS.get(go_path(ctx))
    if template is None:
        return ""
    ref = _reference(ctx)
    tag = re.split(r"[:@]", ref.rsplit("/", 1)[-1], maxsplit=1)[-1] if ref else ""
    return template.format(ref=ref, tag=tag)


def _credentials_file(ctx: click.Context | None) -> str:
    configs = ctx.params.get("registry_config") if ctx is not None else None
    if isinstance(configs, tuple) and configs:
        return str(configs[0])
    from orasx.registry.credentials import default_config_path

    return default_config_path()


def render(err: OrasError, ctx: click.Context | None = None) -> str:
    """The whole text the Go CLI prints for ``err`` in the command of ``ctx`` (one or two lines,
    without the final newline), prefix included."""
    from orasx.cli._cobra import go_path

    # only cp names the side (push and attach copy too, but have one side)
    side = err.origin if err.origin in ("source", "destination") and ctx is not None \
        and go_path(ctx) == "cp" else None
    remote = _is_remote(ctx, side)
    operation = "" if side else _operation(ctx)
    prefix = f'Error from {side} registry for "{_reference(ctx, side)}": ' if side else "Error: "
    if isinstance(err, RegistryError) and err.reason == "unauthorized":
        return (f"{prefix}{operation}basic credential not found\n"
                "Please check whether the registry credential stored in the authentication file "
                f'at "{_credentials_file(ctx)}" is correct')
    m = _INVALID_REFERENCE.match(str(err))
    if m:
        return (f'{prefix}"{m["ref"]}": invalid reference: invalid {m["what"]} "{m["value"]}"\n'
                f"{_REFERENCE_FORM}")
    if isinstance(err, NotFoundError) and remote and "OCI layout" not in str(err):
        if not side:
            prefix = "Error response from registry: "
        return f"{prefix}{operation}{err}"
    return f"{prefix}{message(err)}"
