"""String-level verbs for the CLI and simple scripts.

These take what a user types (references, ``file[:type]`` arguments, ``key=value`` annotations)
and compose the stores, packing and graph copy below them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from dataclasses import dataclass, field

from orasx.content import Readable, ReadOnlyStorage, Target
from orasx.content.oci import OCILayoutStore
from orasx.descriptor import Descriptor
from orasx.errors import InvalidInputError, NotFoundError
from orasx.reference import parse_layout_reference, parse_reference
from orasx.registry._http import Client, ClientOptions
from orasx.registry.auth import Credential
from orasx.registry.credentials import CredentialStore
from orasx.registry.remote import Repository, registry_host


@dataclass(frozen=True)
class Remote:
    """How to reach a registry: connection options and credentials.

    ``credential`` (from -u/-p or --identity-token) is used for the registry the command names;
    everything else comes from the docker-style credential store (``registry_config`` files, or
    ``$DOCKER_CONFIG/config.json`` / ``~/.docker/config.json`` with podman's ``auth.json`` as a
    fallback). Set ``use_credential_store=False`` to use only ``credential``.
    """

    options: ClientOptions = field(default_factory=ClientOptions)
    credential: Credential = field(default_factory=Credential)
    registry_config: tuple[str, ...] = ()
    use_credential_store: bool = True
    #: ``"api"`` or ``"tag"`` forces how referrers are handled (``--distribution-spec``).
    referrers_capability: str | None = None

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

        return Client(self.options, lookup)


def open_target(
    reference: str, *, oci_layout: bool = False, remote: Remote | None = None, create: bool = True,
    need_ref: bool = False,
) -> tuple[Target, str, str]:
    """Open the store a CLI reference names; returns (target, tag-or-digest, display name).

    ``need_ref``: the reference must name a tag or digest.
    """
    target, ref, name = _open(reference, oci_layout, remote, create)
    if need_ref and not ref:
        raise InvalidInputError(f"{reference}: no tag or digest: add one, e.g. {reference}:v1")
    return target, ref, name


def _open(
    reference: str, oci_layout: bool, remote: Remote | None, create: bool
) -> tuple[Target, str, str]:
    if oci_layout:
        path, ref = parse_layout_reference(reference)
        if not create and os.path.isfile(path):
            tmp = tempfile.mkdtemp(prefix="orasx-layout-")
            store = OCILayoutStore.from_tar(path, tmp)
            weakref.finalize(store, shutil.rmtree, tmp, True)
            return store, ref, path
        if not create and not os.path.isdir(path):
            raise NotFoundError(f"{path}: no such OCI layout directory or tar file")
        return OCILayoutStore(path, create=create), ref, path
    parsed = parse_reference(reference)
    remote = remote or Remote()
    repo = Repository(parsed, remote.client(parsed.registry),
                      referrers_capability=remote.referrers_capability)
    return repo, parsed.reference, f"{parsed.registry}/{parsed.repository}"


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
