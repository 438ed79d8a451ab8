"""``attach``, ``discover``, ``copy``/``cp``, ``tag`` and ``resolve``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from orasx.cli._common import (
    F,
    build_remote,
    connection_options,
    distribution_spec_option,
    handle_errors,
    oci_layout_option,
    platform_value,
    remote_options,
)
from orasx.cli._flags import flag
from orasx.cli._output import emit, format_option, parse_format
from orasx.cli._progress import begin, reporter

_ATTACH_HELP = """Attach files to an existing artifact as a referrer (image-spec v1.1, with subject).

\b
Examples:
  oras attach --artifact-type application/vnd.example.sbom localhost:5000/hello:v1 sbom.json
  oras attach --artifact-type doc/example -a "key=value" localhost:5000/hello:v1
  oras attach --oci-layout --artifact-type sig/example layout-dir:v1 sig.bin
"""


@click.command("attach", help=_ATTACH_HELP)
@click.argument("subject")
@click.argument("files", nargs=-1)
@click.option("--artifact-type", required=True, help="Artifact type of the referrer (required).")
@click.option("-a", "--annotation", "annotations", multiple=True, help="key=value (repeatable).")
@click.option("--annotation-file", default=None, help="JSON annotation file (see push).")
@click.option("--export-manifest", default=None, metavar="PATH", help="Write the manifest here.")
@click.option("--platform", default=None, help="Attach to this platform's manifest of an index.")
@click.option("--concurrency", default=5, show_default=True, help="Blobs pushed at once.")
@flag("--disable-path-validation", help="Allow absolute file paths.")
@oci_layout_option
@distribution_spec_option
@format_option()
@remote_options
@handle_errors
def attach(**kw: Any) -> None:
    from orasx.api import attach as do_attach
    from orasx.fileref import parse_annotations

    fmt, template, remote, status = begin(kw, ("Uploading", "Uploaded", "Exists"))
    result = status.run(
        do_attach,
        kw["subject"], kw["files"], artifact_type=kw["artifact_type"],
        annotations=parse_annotations(kw["annotations"]), annotation_file=kw["annotation_file"],
        export_manifest=kw["export_manifest"], platform=platform_value(kw["platform"]),
        concurrency=kw["concurrency"], oci_layout=kw["oci_layout"],
        disable_path_validation=kw["disable_path_validation"], remote=remote,
        hooks=status.hooks(),
    )
    repo = _repo_of(kw["subject"], kw["oci_layout"])
    doc = {"reference": f"{repo}@{result.descriptor.digest}", **result.descriptor.to_dict()}
    if emit(fmt, template, doc):
        return
    kind = "oci-layout" if kw["oci_layout"] else "registry"
    click.echo(f"Attached to [{kind}] {repo}@{result.subject.digest}")
    click.echo(f"Digest: {result.descriptor.digest}")


def _repo_of(reference: str, oci_layout: bool) -> str:
    if oci_layout:
        from orasx.reference import parse_layout_reference

        return parse_layout_reference(reference)[0]
    from orasx.reference import parse_reference

    ref = parse_reference(reference)
    return f"{ref.registry}/{ref.repository}"


_DISCOVER_HELP = """Discover the referrers of an artifact.

\b
Examples:
  oras discover localhost:5000/hello:v1
  oras discover --format table localhost:5000/hello:v1
  oras discover --format json --artifact-type application/vnd.example.sbom localhost:5000/hello:v1
"""


@click.command("discover", help=_DISCOVER_HELP)
@click.argument("reference")
@click.option("--artifact-type", default="", help="Only referrers of this artifact type.")
@click.option("--depth", default=0, help="Levels of referrers to follow (0: all, up to 64).")
@click.option("--platform", default=None, help="Discover for this platform's manifest.")
@oci_layout_option
@distribution_spec_option
@format_option("tree", "table")
@remote_options
@handle_errors
def discover(**kw: Any) -> None:
    from orasx.api import discover as do_discover

    fmt, template = parse_format(kw, ("tree", "table"))
    remote = build_remote(kw)
    root, name = do_discover(kw["reference"], artifact_type=kw["artifact_type"],
                             depth=kw["depth"], platform=platform_value(kw["platform"]),
                             oci_layout=kw["oci_layout"], remote=remote)
    if emit(fmt, template, root.to_dict(name)):
        return
    if fmt == "table":
        rows = []

        def collect(node: Any) -> None:
            for r in node.referrers:
                rows.append((r.descriptor.artifact_type or "-", str(r.descriptor.digest)))
                collect(r)

        collect(root)
        width = max([len("Artifact Type")] + [len(a) for a, _ in rows])
        click.echo(f"{'Artifact Type':<{width}}  Digest")
        for a, d in rows:
            click.echo(f"{a:<{width}}  {d}")
        return
    click.echo(f"{name}@{root.descriptor.digest}")
    _tree(root, "")


def _tree(node: Any, prefix: str) -> None:
    groups: dict[str, list[Any]] = {}
    for r in node.referrers:
        groups.setdefault(r.descriptor.artifact_type or "<unknown>", []).append(r)
    items = list(groups.items())
    for gi, (artifact_type, refs) in enumerate(items):
        last_group = gi == len(items) - 1
        click.echo(f"{prefix}{'└── ' if last_group else '├── '}{artifact_type}")
        inner = prefix + ("    " if last_group else "│   ")
        for ri, r in enumerate(refs):
            last = ri == len(refs) - 1
            click.echo(f"{inner}{'└── ' if last else '├── '}{r.descriptor.digest}")
            _tree(r, inner + ("    " if last else "│   "))


def _prefixed(prefix: str) -> Callable[[F], F]:
    """The remote flags of one side of ``copy``: --from-username, --to-plain-http, ..."""
    opts = [
        click.option(f"--{prefix}-username", default=""),
        click.option(f"--{prefix}-password", default=""),
        flag(f"--{prefix}-password-stdin"),
        click.option(f"--{prefix}-identity-token", default=""),
        flag(f"--{prefix}-identity-token-stdin"),
        click.option(f"--{prefix}-registry-config", multiple=True),
        flag(f"--{prefix}-plain-http", default=None),
        flag(f"--{prefix}-insecure"),
        click.option(f"--{prefix}-ca-file", default=None),
        click.option(f"--{prefix}-cert-file", default=None),
        click.option(f"--{prefix}-key-file", default=None),
        click.option(f"--{prefix}-header", f"{prefix}_headers", multiple=True),
        click.option(f"--{prefix}-resolve", f"{prefix}_resolves", multiple=True),
        flag(f"--{prefix}-oci-layout"),
        click.option(f"--{prefix}-distribution-spec", default=None,
                     type=click.Choice(["v1.1-referrers-api", "v1.1-referrers-tag"])),
    ]

    def decorate(f: F) -> F:
        for o in reversed(opts):
            f = o(f)
        return f

    return decorate


def _side(kw: dict[str, Any], prefix: str, shared: dict[str, Any]) -> tuple[bool, Any]:
    sub = {k[len(prefix) + 1:]: kw.pop(k) for k in [k for k in kw if k.startswith(prefix + "_")]}
    layout = sub.pop("oci_layout")
    sub.update(shared)
    return layout, build_remote(sub)


_COPY_HELP = """Copy artifacts from one target to another (registry or OCI layout).

\b
Every remote flag has --from-* and --to-* forms (--from-username, --to-plain-http, ...).
Within one registry and with the same credentials, blobs are mounted, not copied.

\b
Examples:
  oras cp localhost:5000/net-monitor:v1 localhost:6000/net-monitor-copy:v1
  oras cp -r localhost:5000/net-monitor:v1 localhost:5000/net-monitor-copy:v1,latest
  oras cp --to-oci-layout localhost:5000/net-monitor:v1 ./layout:v1
"""


@click.command("copy", help=_COPY_HELP)
@click.argument("source")
@click.argument("destination")
@flag("-r", "--recursive", help="Copy the referrers too.")
@click.option("--platform", default=None, help="Copy only this platform's manifest.")
@click.option("--concurrency", default=3, show_default=True, help="Blobs copied at once.")
@_prefixed("from")
@_prefixed("to")
@flag("-d", "--debug", help="Print debug logs and HTTP traffic.")
@flag("--no-tty", help="Plain status lines, no progress display.")
@format_option()
@handle_errors
def copy(**kw: Any) -> None:
    from orasx.api import Endpoint
    from orasx.api import copy as do_copy

    fmt, template = parse_format(kw)
    shared = {"debug": kw.pop("debug"), "no_tty": kw.pop("no_tty"), "verbose": False}
    tty_off = shared["debug"] or shared["no_tty"]
    src_layout, src_remote = _side(kw, "from", dict(shared))
    dst_layout, dst_remote = _side(kw, "to", {**shared, "debug": False})
    status = reporter(("Copying", "Copied", "Exists"), quiet=fmt != "text", plain=tty_off)
    root, _tags = status.run(
        do_copy,
        Endpoint(kw["source"], src_layout, src_remote),
        Endpoint(kw["destination"], dst_layout, dst_remote),
        recursive=kw["recursive"], platform=platform_value(kw["platform"]),
        concurrency=kw["concurrency"], hooks=status.hooks(),
    )
    dst_repo = _repo_of(kw["destination"].split(",")[0], dst_layout)
    doc = {"reference": f"{dst_repo}@{root.digest}", **root.to_dict()}
    if emit(fmt, template, doc):
        return
    src_kind = "oci-layout" if src_layout else "registry"
    dst_kind = "oci-layout" if dst_layout else "registry"
    click.echo(f"Copied [{src_kind}] {kw['source']} => [{dst_kind}] {kw['destination']}")
    click.echo(f"Digest: {root.digest}")


@click.command("tag", help="Tag a manifest: oras tag REF TAG [TAG...]")
@click.argument("reference")
@click.argument("tags", nargs=-1, required=True)
@oci_layout_option
@remote_options
@handle_errors
def tag(**kw: Any) -> None:
    from orasx.api import tag as do_tag

    remote = build_remote(kw)
    kind = "oci-layout" if kw["oci_layout"] else "registry"
    desc = do_tag(kw["reference"], kw["tags"], oci_layout=kw["oci_layout"], remote=remote)
    click.echo(f"Tagging [{kind}] {_repo_of(kw['reference'], kw['oci_layout'])}@{desc.digest}")
    for t in kw["tags"]:
        click.echo(f"Tagged {t}")


@click.command("resolve", help="Resolve a tag or digest to the manifest's digest.")
@click.argument("reference")
@flag("-l", "--full-reference", help="Print registry/repo@digest.")
@click.option("--platform", default=None, help="Resolve this platform's manifest of an index.")
@oci_layout_option
@remote_options
@handle_errors
def resolve(**kw: Any) -> None:
    from orasx.api import resolve as do_resolve

    remote = build_remote(kw)
    desc = do_resolve(kw["reference"], oci_layout=kw["oci_layout"], remote=remote,
                      platform=platform_value(kw["platform"]))
    if kw["full_reference"]:
        click.echo(f"{_repo_of(kw['reference'], kw['oci_layout'])}@{desc.digest}")
    else:
        click.echo(str(desc.digest))


__all__ = ["attach", "connection_options", "copy", "discover", "resolve", "tag"]
