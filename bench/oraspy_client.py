"""Drive oras-py (the PyPI ``oras`` package) like a CLI, for the benchmarks.

    python oraspy_client.py push REF FILE...
    python oraspy_client.py pull REF DIR
"""

from __future__ import annotations

import sys

import oras.client  # type: ignore[import-not-found]


def main() -> None:
    cmd, ref, *rest = sys.argv[1:]
    client = oras.client.OrasClient(insecure=True)
    if cmd == "push":
        client.push(target=ref, files=rest, quiet=True)
    elif cmd == "pull":
        client.pull(target=ref, outdir=rest[0])
    else:
        raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
