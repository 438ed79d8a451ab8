"""``resolve``: a reference to the descriptor of its manifest, in a module of its own so that
``oras resolve`` loads no copy engine, file store or packer (docs/performance.md)."""

from __future__ import annotations

from orasx.api._common import Remote, open_target
from orasx.descriptor import Descriptor, Platform
from orasx.reference import LayoutReference

__all__ = ["resolve"]


def resolve(
    reference: str | LayoutReference, *, oci_layout: bool = False, remote: Remote | None = None,
    platform: Platform | None = None,
) -> Descriptor:
    target, ref, _ = open_target(reference, oci_layout=oci_layout, remote=remote, create=False,
                                 need_ref=True)
    if platform is None:
        return target.resolve(ref)  # a registry answers a HEAD
    from orasx._copy import resolve_root

    return resolve_root(target, ref, platform)[0]
