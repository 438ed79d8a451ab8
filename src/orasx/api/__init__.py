"""String-level verbs used by the CLI and by simple scripts."""

from orasx.api._auth import login, logout
from orasx.api._common import Remote, open_target
from orasx.api._transfer import PulledFile, PullResult, PushResult, pull, push, select_platform

__all__ = [
    "PullResult",
    "PulledFile",
    "PushResult",
    "Remote",
    "login",
    "logout",
    "open_target",
    "pull",
    "push",
    "select_platform",
]
