"""The exception tree of orasx: every error the library raises derives from :class:`OrasError`."""

from __future__ import annotations


class OrasError(Exception):
    """Root of every orasx error. ``str(err)`` is a one-line message that states the problem.

    ``origin`` says which side of a copy failed (``"source"`` or ``"destination"``; ``None``
    outside a copy). ``reason`` is a short machine-readable code for the failures a caller may
    want to tell apart or explain (``"unauthorized"``, ``"tls-verify"``, ``"path-traversal"``...);
    the library's messages carry no advice about command-line flags, the CLI adds that.
    """

    origin: str | None = None
    reason: str = ""

    def __init__(self, *args: object, reason: str = "") -> None:
        super().__init__(*args)
        if reason:
            self.reason = reason


class InvalidInputError(OrasError, ValueError):
    """The caller passed something malformed."""


class InvalidReferenceError(InvalidInputError):
    """A reference string does not parse."""


class InvalidDigestError(InvalidInputError):
    """A digest string does not parse or uses an unsupported algorithm."""


class InvalidManifestError(InvalidInputError):
    """A manifest or index could not be parsed or is ambiguous."""


class NotFoundError(OrasError):
    """A blob, manifest, tag or repository does not exist in a store."""


class AlreadyExistsError(OrasError):
    """The content is already present where it must not be (e.g. ``--keep-old-files``)."""


class VerificationError(OrasError):
    """Content did not match its descriptor (digest or size)."""


class LockTimeoutError(OrasError):
    """A store's lock stayed held by another process for longer than the wait allows;
    ``path`` is the lock's file or directory."""

    def __init__(self, *args: object, path: str = "") -> None:
        super().__init__(*args, reason="lock-timeout")
        self.path = path


class SizeLimitError(OrasError):
    """Metadata read from the wire exceeded its limit."""


class InsecurePathError(OrasError):
    """A directory that must be private to this user can be changed by others."""


class PathTraversalError(OrasError):
    """A path would be written outside the output directory."""


class RegistryError(OrasError):
    """The registry answered with an error status.

    ``str(err)`` is the oras-go text of the answer (``HEAD "<url>": response status code 401:
    Unauthorized``); ``detail`` is the registry's own errors from its body, in the same words
    (``name unknown: repository name not known to registry: map[name:r]``; ``""`` when the body
    had none), which is what the Go CLI prints after ``Error response from registry:``.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        url: str = "",
        status: int = 0,
        codes: tuple[str, ...] = (),
        reason: str = "",
        registry: str = "",
        detail: str = "",
    ) -> None:
        super().__init__(message, reason=reason)
        self.detail = detail
        #: The registry host the error is about (for advice such as ``oras login HOST``).
        self.registry = registry
        self.method = method
        self.url = url
        self.status = status
        self.codes = codes


class AuthenticationError(RegistryError):
    """The registry refused our credentials or asked for credentials we do not have."""


class NetworkError(OrasError):
    """A connection-level failure (refused, reset, timeout, TLS)."""


class CopyError(OrasError):
    """A graph copy stopped without a more specific error: it was cancelled (Ctrl-C, SIGTERM, or a
    sibling transfer failed). Every other failure keeps its own class (``NotFoundError``,
    ``AuthenticationError``...) with ``origin`` set to the side that failed."""

    def __init__(self, message: str, *, origin: str) -> None:
        super().__init__(message)
        self.origin = origin


def with_origin(err: OrasError, origin: str) -> OrasError:
    """Mark ``err`` as coming from ``origin`` (the first side to claim it wins); returns it."""
    if err.origin is None:
        err.origin = origin
    return err
