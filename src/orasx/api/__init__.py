"""String-level verbs used by the CLI and by simple scripts."""

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
from orasx.api._transfer import PulledFile, PullResult, PushResult, pull, pull_to_stream, push

__all__ = [
    "AttachResult",
    "BackupEvents",
    "BackupResult",
    "CopyResult",
    "Endpoint",
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
