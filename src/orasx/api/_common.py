"""String-level verbs for the CLI and simple scripts.

These take what a user types (references, ``file[:type]`` arguments, ``key=value`` annotations)
and compose the stores, packing and graph copy below them.
"""

from __future__ import annotations

import dataclasses
import os
import weakref
from dataclasses import dataclass, field
from typing import IO

from orasx.content import Readable, ReadOnlyStorage, Target
from orasx.descriptor import Descriptor
from orasx.digest import CHUNK_SIZE, Digest, parse_digest, write_verified
from orasx.errors import InvalidDigestError, InvalidInputError, NotFoundError, Reason
from orasx.reference import LayoutReference, Reference, parse_layout_reference, parse_reference
from orasx.registry._http import Client, ClientOptions
from orasx.registry.auth import Credential
from orasx.registry.credentials import CredentialStore
from orasx.registry.remote import Repository, registry_host

#: Content up to this size is verified before its first byte reaches a stream that cannot be
#: taken back (stdout) or a ranged reader: it is spooled first (see :func:`spool_verified`).
VERIFY_FIRST_LIMIT = 64 * 1024 * 1024
#: A spool stays in memory up to this size, then moves to an unlinked temp file (mode 0600).
SPOOL_MEMORY = 8 * 1024 * 1024


def spool_verified(stream: Readable, digest: Digest, size: int, *, name: str = "") -> IO[bytes]:
    """Read ``stream`` whole into a private spool, checked against ``digest`` and ``size``;
    returns it rewound (the caller closes it). A mismatch raises and leaves nothing behind."""
    import tempfile  # (a resolve or a pull to files needs no spool)

    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)
    try:
        write_verified(stream, digest, size, spool, name=name)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool


def write_verified_stream(stream: Readable, digest: Digest, size: int, out: IO[bytes], *,
                          name: str = "", limit: int = VERIFY_FIRST_LIMIT) -> None:
    """Copy ``stream`` to ``out``, a stream that cannot be taken back (stdout), checked against
    ``digest`` and ``size``. Content of at most ``limit`` bytes is verified before its first byte
    goes out (spooled, see :func:`spool_verified`); larger content goes out as it verifies, and
    a mismatch raises after what was written."""
    whole = _WholeWrites(out)
    if size > limit:
        write_verified(stream, digest, size, whole, name=name)  # type: ignore[arg-type]
        return
    import shutil

    with spool_verified(stream, digest, size, name=name) as spool:
        shutil.copyfileobj(spool, whole, CHUNK_SIZE)


class _WholeWrites:
    """``out`` written whole: a pipe's buffered writer may take part of a chunk and say so (its
    reader left mid-write); the rest is written again, so a closed pipe raises
    ``BrokenPipeError`` instead of losing bytes silently."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out

    def write(self, data: bytes) -> int:
        view = memoryview(data)
        while view:
            n = self.out.write(view)
            view = view[n if n is not None else len(view):]
        return len(data)


@dataclass(frozen=True)
class Remote:
    """How to reach a registry: connection options and credentials.

    ``credential`` is used for the registry the reference names;
    everything else comes from the docker-style credential store (``registry_config`` files, or
    ``$DOCKER_CONFIG/config.json`` / ``~/.docker/config.json`` with podman's ``auth.json`` as a
    fallback). Set ``use_credential_store=False`` to use only ``credential``.
    ``plain_http``: True talks plain HTTP to any registry, False HTTPS even to ``localhost``;
    None (default) leaves it to ``options`` (plain HTTP for ``localhost`` only).
    """

    options: ClientOptions = field(default_factory=ClientOptions)
    credential: Credential = field(default_factory=Credential)
    registry_config: tuple[str, ...] = ()
    use_credential_store: bool = True
    #: ``"api"`` or ``"tag"`` forces how referrers are handled (None: detected).
    referrers_capability: str | None = None
    plain_http: bool | None = None

    def credential_store(self) -> CredentialStore:
        return CredentialStore(self.registry_config or None)

    def client(self, registry: str) -> Client:
        """A client whose explicit credential applies to ``registry`` only."""
        explicit = self.credential
        store: list[CredentialStore] = []

        def lookup(host: str) -> Credential:
            if explicit and host in (registry, registry_host(registry)):
                return explicit
            if not self.use_credential_store:
                return Credential()
            if not store:
                store.append(self.credential_store())
            return store[0].get(host)

        options = self.options
        if self.plain_http is not None:
            options = dataclasses.replace(options, plain_http=self.plain_http)
        return Client(options, lookup)


@dataclass(frozen=True)
class Location:
    """Where an artifact is: a repository on a registry or an OCI image layout directory.

    ``name`` is ``registry/repository`` or the layout's path, as the CLI shows it; ``tag`` and
    ``digest`` are what the reference names in it (either, both or neither). For a registry,
    ``registry_reference`` is the parsed :class:`~orasx.reference.Reference`; it is None for a
    layout. ``str()`` gives ``name[:tag][@digest]``.
    """

    name: str
    oci_layout: bool = False
    tag: str | None = None
    digest: Digest | None = None
    registry_reference: Reference | None = None

    @property
    def ref(self) -> str:
        """The digest if there is one, else the tag, else ``""`` (what a store resolves)."""
        return str(self.digest) if self.digest is not None else self.tag or ""

    def with_digest(self, digest: Digest) -> Location:
        """The same repository or layout at ``digest`` (no tag)."""
        ref = self.registry_reference
        return Location(self.name, self.oci_layout, None, digest,
                        ref.with_reference(digest) if ref is not None else None)

    def with_tag(self, tag: str) -> Location:
        """The same repository or layout at ``tag`` (no digest)."""
        ref = self.registry_reference
        return Location(self.name, self.oci_layout, tag, None,
                        ref.with_reference(tag) if ref is not None else None)

    def __str__(self) -> str:
        s = self.name
        if self.tag is not None:
            s += f":{self.tag}"
        if self.digest is not None:
            s += f"@{self.digest}"
        return s


def locate(reference: str | LayoutReference, *, oci_layout: bool = False) -> Location:
    """Parse what a user typed: ``registry/repo[:tag][@digest]`` or, with ``oci_layout``,
    ``dir[:tag|@digest]``; a :class:`~orasx.reference.LayoutReference` is a tag or digest, taken
    whole, in the layout at its ``path``. Pure: nothing is opened."""
    if isinstance(reference, LayoutReference):
        try:
            return Location(reference.path, True, digest=parse_digest(reference.reference))
        except InvalidDigestError:
            return Location(reference.path, True, tag=reference.reference or None)
    if oci_layout:
        path, ref = parse_layout_reference(reference)
        try:
            return Location(path, True, digest=parse_digest(ref))
        except InvalidDigestError:  # anything else is a tag, as the Go CLI's layout resolves it
            return Location(path, True, tag=ref or None)
    parsed = parse_reference(reference)
    return Location(f"{parsed.registry}/{parsed.repository}", False, parsed.tag, parsed.digest,
                    parsed)


def open_target(
    reference: str | LayoutReference, *, oci_layout: bool = False, remote: Remote | None = None,
    create: bool = True, need_ref: bool = False,
) -> tuple[Target, str, str]:
    """Open the store a CLI reference names; returns (target, tag-or-digest, display name).

    ``need_ref``: the reference must name a tag or digest.
    """
    target, location = open_location(reference, oci_layout=oci_layout, remote=remote,
                                     create=create, need_ref=need_ref)
    return target, location.ref, location.name


def open_location(
    reference: str | LayoutReference, *, oci_layout: bool = False, remote: Remote | None = None,
    create: bool = True, need_ref: bool = False,
) -> tuple[Target, Location]:
    """:func:`open_target`, with where the reference points as a :class:`Location`."""
    location = locate(reference, oci_layout=oci_layout)
    target = _open(location, remote, create)
    if need_ref and not location.ref:
        raise InvalidInputError(f"{reference}: no tag or digest: add one, e.g. {reference}:v1")
    return target, location


def _open(location: Location, remote: Remote | None, create: bool) -> Target:
    if location.registry_reference is None:
        import shutil
        import tempfile

        from orasx.content.oci import OCILayoutStore

        path = location.name
        if not create and os.path.isfile(path):
            tmp = tempfile.mkdtemp(prefix="orasx-layout-")
            store = OCILayoutStore.from_tar(path, tmp)
            weakref.finalize(store, shutil.rmtree, tmp, True)
            return store
        if not create and not os.path.isdir(path):
            raise NotFoundError(f"{path}: no such OCI layout directory or tar file",
                                reason=Reason.NO_LAYOUT, path=path)
        return OCILayoutStore(path, create=create)
    parsed = location.registry_reference
    remote = remote or Remote()
    return Repository(parsed, remote.client(parsed.registry),
                      referrers_capability=remote.referrers_capability)


class Union:
    """Read from the first of several stores that has the content."""

    def __init__(self, *stores: ReadOnlyStorage) -> None:
        self.stores = stores

    def fetch(self, desc: Descriptor) -> Readable:
        # Try each store in turn: asking exists() first would cost a request per blob on a
        # registry.
        for s in self.stores:
            try:
                return s.fetch(desc)
            except NotFoundError:
                continue
        raise NotFoundError(f"{desc.digest}: not found")

    def exists(self, desc: Descriptor) -> bool:
        return any(s.exists(desc) for s in self.stores)
