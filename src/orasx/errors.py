"""The exception tree of orasx: every error the library raises derives from :class:`OrasError`."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Why an operation failed, for the failures a caller may want to tell apart or explain: a
    closed set. Members are strings (``err.reason == "unauthorized"`` holds), ``Reason.NONE``
    (``""``, false) for an error without one."""

    NONE = ""
    # credentials and permissions
    UNAUTHORIZED = "unauthorized"  #: the registry wants credentials we do not have
    CREDENTIALS_REFUSED = "credentials-refused"  #: the registry refused our credentials
    DENIED = "denied"  #: the account may not do this
    PLAIN_HTTP_CREDENTIALS = "plain-http-credentials"  #: credentials would go over plain HTTP
    NO_CREDENTIALS = "no-credentials"  #: a login was asked for without credentials
    BASIC_INCOMPLETE = "basic-incomplete"  #: basic auth wanted; no username or no password
    # connections (:class:`NetworkError`)
    REFUSED = "refused"  #: the connection was refused (plain HTTP)
    HTTPS_REFUSED = "https-refused"  #: the connection was refused (HTTPS)
    TIMEOUT = "timeout"  #: the connection could not be opened in time
    LOOKUP = "lookup"  #: the host name does not resolve
    CONNECTION_RESET = "connection-reset"  #: the peer reset the connection
    CONNECTION_CLOSED = "connection-closed"  #: the peer closed the connection without answering
    HTTPS_PLAIN = "https-plain"  #: an HTTPS request was answered in plain HTTP
    TLS_VERIFY = "tls-verify"  #: the registry's certificate does not verify
    DEADLINE = "deadline"  #: a metadata request overran its time budget
    TOO_SLOW = "too-slow"  #: a download stayed under the minimum rate
    TOKEN_REALM = "token-realm"  #: a token realm that is no http(s) URL (it cannot be asked)
    # input and references
    REFERENCE_FORM = "reference-form"  #: a reference that does not parse
    BLOB_NEEDS_DIGEST = "blob-needs-digest"  #: a blob reference without a digest
    MEDIA_TYPE_FORM = "media-type-form"  #: an artifact type that is no ``type/subtype``
    # stores
    NO_LAYOUT = "no-layout"  #: no OCI layout (directory or tar) at ``path``
    NOT_IN_STORE = "not-in-store"  #: a local store does not hold the content
    NO_TAGS = "no-tags"  #: a repository or layout holds no tag
    LOCK_TIMEOUT = "lock-timeout"  #: a store's lock stayed held by another process
    DISK_SPACE = "disk-space"  #: not enough free space for the content
    # files written and read
    PATH_TRAVERSAL = "path-traversal"  #: a name would be written outside the output directory
    SYMLINK_TRAVERSAL = "symlink-traversal"  #: a name would be written through a link
    SYMLINK_IN_OUTPUT = "symlink-in-output"  #: the output holds a link in the way
    KEEP_OLD_FILES = "keep-old-files"  #: a file exists and must be kept
    TITLE_TOO_LONG = "title-too-long"  #: a file name over the limit
    UNPACK_LIMIT = "unpack-limit"  #: a directory layer unpacks to more than the limit
    OUTPUT_IS_DIRECTORY = "output-is-directory"  #: a file output names a directory
    INPUT_PATH = "input-path"  #: an input file cannot be read
    IS_INDEX = "is-index"  #: an index where one manifest is needed (pick one by platform)
    STDOUT_ONE_FILE = "stdout-one-file"  #: writing to a stream needs exactly one plain file
    SIZE_MISMATCH = "size-mismatch"  #: content of another size than the size given
    GRAPH_LIMIT = "graph-limit"  #: a referrers graph over the node limit
    MEDIA_TYPE_UNKNOWN = "media-type-unknown"  #: a manifest whose media type cannot be told
    SPARSE_MEMBER = "sparse-member"  #: a tar holds a sparse member (restore)
    COMPRESSED_GZIP = "compressed-gzip"  #: a compressed archive where a plain tar is read
    COMPRESSED_BZIP2 = "compressed-bzip2"
    COMPRESSED_XZ = "compressed-xz"
    COMPRESSED_ZSTD = "compressed-zstd"


class OrasError(Exception):
    """Root of every orasx error. ``str(err)`` is a one-line message that states the problem.

    ``origin`` says which side of a copy failed (``"source"`` or ``"destination"``; ``None``
    outside a copy). ``reason`` (a :class:`Reason`) tells apart the failures a caller may want to
    explain; ``reference`` is the reference the error is about and ``path`` the local path (an
    OCI layout's directory), where the raiser knows them (``""`` otherwise). ``for_request`` is
    the registry request (method, URL) whose authentication failed, for a failure of the auth
    flow (a token request); None otherwise. The library's messages carry no advice about
    command-line flags: the CLI adds that.
    """

    origin: str | None = None
    reason: Reason = Reason.NONE
    reference: str = ""
    path: str = ""
    for_request: tuple[str, str] | None = None

    def __init__(self, *args: object, reason: Reason | str = Reason.NONE, reference: str = "",
                 path: str = "") -> None:
        super().__init__(*args)
        if reason:
            self.reason = Reason(reason)
        if reference:
            self.reference = reference
        if path:
            self.path = path


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
        super().__init__(*args, reason=Reason.LOCK_TIMEOUT, path=path)


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
        reason: Reason | str = Reason.NONE,
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
    """A connection-level failure (refused, reset, timeout, TLS).

    For a request that failed to get an answer, the error carries the request (``method``,
    ``url``: without userinfo and query values), where it was going (``host`` and ``port`` of the
    connection; ``port`` ``None`` when unknown), the OS error number (``errno``, ``None`` when
    there was none) and the HTTP library's own text of the failure (``detail``); ``reason`` says
    what kind of failure it was (:attr:`Reason.REFUSED`, :attr:`Reason.TLS_VERIFY`...).
    """

    def __init__(self, *args: object, reason: Reason | str = Reason.NONE, method: str = "",
                 url: str = "", host: str = "", port: int | None = None,
                 errno: int | None = None, detail: str = "") -> None:
        super().__init__(*args, reason=reason)
        self.method = method
        self.url = url
        self.host = host
        self.port = port
        self.errno = errno
        self.detail = detail


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
