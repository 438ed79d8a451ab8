"""String-level verbs used by the CLI and by simple scripts.

Names are imported on first use (a command loads the verbs it runs, not all of them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orasx._lazy import lazy_exports

_EXPORTS = {
    "AttachResult": "orasx.api._graph",
    "BackupEvents": "orasx.api._backup",
    "BackupResult": "orasx.api._backup",
    "CopyResult": "orasx.api._graph",
    "Endpoint": "orasx.api._graph",
    "Location": "orasx.api._common",
    "FileReference": "orasx.fileref",
    "LayoutReference": "orasx.reference",
    "PullResult": "orasx.api._pull",
    "PulledFile": "orasx.api._pull",
    "PushResult": "orasx.api._push",
    "ReferrerNode": "orasx.api._graph",
    "Remote": "orasx.api._common",
    "attach": "orasx.api._graph",
    "backup": "orasx.api._backup",
    "copy": "orasx.api._graph",
    "delete_blob": "orasx.api._content",
    "delete_manifest": "orasx.api._content",
    "discover": "orasx.api._graph",
    "fetch_blob": "orasx.api._content",
    "fetch_config": "orasx.api._content",
    "fetch_manifest": "orasx.api._content",
    "index_create": "orasx.api._content",
    "index_update": "orasx.api._content",
    "locate": "orasx.api._common",
    "login": "orasx.api._auth",
    "logout": "orasx.api._auth",
    "open_location": "orasx.api._common",
    "open_target": "orasx.api._common",
    "parse_file_reference": "orasx.fileref",
    "pull": "orasx.api._pull",
    "pull_to_stream": "orasx.api._pull",
    "push": "orasx.api._push",
    "push_blob": "orasx.api._content",
    "push_manifest": "orasx.api._content",
    "repo_ls": "orasx.api._content",
    "repo_tags": "orasx.api._content",
    "resolve": "orasx.api._resolve",
    "restore": "orasx.api._backup",
    "select_platform": "orasx._copy",
    "tag": "orasx.api._graph",
}

__all__ = [
    "AttachResult",
    "BackupEvents",
    "BackupResult",
    "CopyResult",
    "Endpoint",
    "FileReference",
    "LayoutReference",
    "Location",
    "PullResult",
    "PulledFile",
    "PushResult",
    "ReferrerNode",
    "Remote",
    "attach",
    "backup",
    "copy",
    "delete_blob",
    "delete_manifest",
    "discover",
    "fetch_blob",
    "fetch_config",
    "fetch_manifest",
    "index_create",
    "index_update",
    "locate",
    "login",
    "logout",
    "open_location",
    "open_target",
    "parse_file_reference",
    "pull",
    "pull_to_stream",
    "push",
    "push_blob",
    "push_manifest",
    "repo_ls",
    "repo_tags",
    "resolve",
    "restore",
    "select_platform",
    "tag",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)


if TYPE_CHECKING:
    from orasx._copy import select_platform
    from orasx.api._auth import login, logout
    from orasx.api._backup import BackupEvents, BackupResult, backup, restore
    from orasx.api._common import Location, Remote, locate, open_location, open_target
    from orasx.api._content import (
        delete_blob,
        delete_manifest,
        fetch_blob,
        fetch_config,
        fetch_manifest,
        index_create,
        index_update,
        push_blob,
        push_manifest,
        repo_ls,
        repo_tags,
    )
    from orasx.api._graph import (
        AttachResult,
        CopyResult,
        Endpoint,
        ReferrerNode,
        attach,
        copy,
        discover,
        resolve,
        tag,
    )
    from orasx.api._pull import PulledFile, PullResult, pull, pull_to_stream
    from orasx.api._push import PushResult, push
    from orasx.fileref import FileReference, parse_file_reference
    from orasx.reference import LayoutReference
