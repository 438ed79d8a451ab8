"""What to do about a library error, in the command line's words (the library states only the problem)."""

from __future__ import annotations

from orasx.errors import OrasError, RegistryError

_HINTS = {
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


def message(err: OrasError) -> str:
    """``str(err)`` with the command-line advice for its ``reason``, if any."""
    hint = _HINTS.get(err.reason)
    if hint is None:
        return str(err)
    registry = err.registry if isinstance(err, RegistryError) and err.registry else "REGISTRY"
    return f"{err}: {hint.format(registry=registry)}"
