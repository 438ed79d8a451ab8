#!/usr/bin/env python3
"""The Python twin of the classic ORAS Go example: push a file with a custom media type from a
memory store to a registry, then pull it back to disk.

    python examples/simple_push_pull.py [localhost:5000/oras:test] [output-dir]
"""

from __future__ import annotations

import io
import sys

import orasx
from orasx.content.memory import MemoryStore


def main() -> None:
    ref = sys.argv[1] if len(sys.argv) > 1 else "localhost:5000/oras:test"
    output = sys.argv[2] if len(sys.argv) > 2 else "."
    file_name = "hello.txt"
    file_content = b"Hello World!\n"
    custom_media_type = "my.custom.media.type"

    # Push file(s) with a custom media type to the registry.
    store = MemoryStore()
    layer = store.push_bytes(custom_media_type, file_content,
                             {"org.opencontainers.image.title": file_name})
    manifest, raw = orasx.pack_manifest([layer])
    store.push(manifest, io.BytesIO(raw))
    store.push_bytes("application/vnd.oci.empty.v1+json", b"{}")
    store.tag(manifest, "latest")
    print(f"Pushing {file_name} to {ref}...")
    target = orasx.Repository(orasx.parse_reference(ref))
    desc = orasx.copy(store, "latest", target, target.reference.reference or "latest")
    print(f"Pushed to {ref} with digest {desc.digest}")

    # Pull file(s) from the registry and save them to disk (every file is digest-verified).
    print(f"Pulling from {ref} and saving to {output}/{file_name}...")
    result = orasx.pull(ref, output)
    print(f"Pulled from {ref} with digest {result.descriptor.digest}")
    print(f"Try running 'cat {result.files[0].path}'")


if __name__ == "__main__":
    main()
