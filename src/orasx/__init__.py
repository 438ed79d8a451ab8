"""orasx: OCI Registry As Storage for Python.

Push and pull arbitrary files as OCI artifacts to any OCI registry or OCI image layout. The public
API is listed in ``__all__``; names are imported lazily so that ``import orasx`` stays cheap.
"""

from __future__ import annotations

from orasx._lazy import lazy_exports
from orasx._version import __version__

TYPE_CHECKING = False  # (not imported from typing: `import orasx` stays cheap)

_EXPORTS = {
    "AlreadyExistsError": "orasx.errors",
    "AuthenticationError": "orasx.errors",
    "ClientOptions": "orasx.registry._http",
    "Client": "orasx.registry._http",
    "CopyError": "orasx.errors",
    "CopyOptions": "orasx._copy",
    "Credential": "orasx.registry.auth",
    "Descriptor": "orasx.descriptor",
    "Digest": "orasx.digest",
    "FileStore": "orasx.content.file",
    "Hooks": "orasx._copy",
    "Index": "orasx.manifest",
    "InvalidDigestError": "orasx.errors",
    "InvalidInputError": "orasx.errors",
    "InvalidManifestError": "orasx.errors",
    "InvalidReferenceError": "orasx.errors",
    "LockTimeoutError": "orasx.errors",
    "Manifest": "orasx.manifest",
    "MemoryStore": "orasx.content.memory",
    "NetworkError": "orasx.errors",
    "NotFoundError": "orasx.errors",
    "OCILayoutStore": "orasx.content.oci",
    "OrasError": "orasx.errors",
    "PathTraversalError": "orasx.errors",
    "Platform": "orasx.descriptor",
    "PullResult": "orasx.api",
    "PushResult": "orasx.api",
    "Reason": "orasx.errors",
    "Reference": "orasx.reference",
    "RegistryError": "orasx.errors",
    "Remote": "orasx.api",
    "Repository": "orasx.registry.remote",
    "SizeLimitError": "orasx.errors",
    "Target": "orasx.content",
    "VerificationError": "orasx.errors",
    "copy": "orasx._copy",
    "copy_graph": "orasx._copy",
    "pack_manifest": "orasx.pack",
    "parse_digest": "orasx.digest",
    "parse_manifest": "orasx.manifest",
    "parse_platform": "orasx.descriptor",
    "parse_reference": "orasx.reference",
    "pull": "orasx.api",
    "push": "orasx.api",
    "snapshot": "orasx.api._snapshot",
}

__all__ = sorted([*_EXPORTS, "__version__"])


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)


if TYPE_CHECKING:
    from orasx._copy import CopyOptions, Hooks, copy, copy_graph
    from orasx.api import PullResult, PushResult, Remote, pull, push
    from orasx.api._snapshot import snapshot
    from orasx.content import Target
    from orasx.content.file import FileStore
    from orasx.content.memory import MemoryStore
    from orasx.content.oci import OCILayoutStore
    from orasx.descriptor import Descriptor, Platform, parse_platform
    from orasx.digest import Digest, parse_digest
    from orasx.errors import (
        AlreadyExistsError,
        AuthenticationError,
        CopyError,
        InvalidDigestError,
        InvalidInputError,
        InvalidManifestError,
        InvalidReferenceError,
        LockTimeoutError,
        NetworkError,
        NotFoundError,
        OrasError,
        PathTraversalError,
        Reason,
        RegistryError,
        SizeLimitError,
        VerificationError,
    )
    from orasx.manifest import Index, Manifest, parse_manifest
    from orasx.pack import pack_manifest
    from orasx.reference import Reference, parse_reference
    from orasx.registry._http import Client, ClientOptions
    from orasx.registry.auth import Credential
    from orasx.registry.remote import Repository
