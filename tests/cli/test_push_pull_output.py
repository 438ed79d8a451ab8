"""push, pull, attach, discover, tag, resolve and cp as the Go CLI v1.3.3 shows them: the discover
tree with each referrer's annotations (yaml.v3's scalar styles), the deprecated table and
``-o/--output``, ``--artifact-platform``'s config, and the errors these commands raise themselves,
in the Go CLI's words and order. In process: the library is faked where a command would reach a
registry. Every expected text here was printed by the Go binary."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import orasx.api
from orasx.api import FileReference, PushResult, ReferrerNode, locate
from orasx.api._platform import host_architecture, parse_platform_flag, platform_config
from orasx.cli import _artifact as go
from orasx.cli._options import FormatOptions
from orasx.cli.display import graph as display
from orasx.cli.display._yaml import annotation_line
from orasx.cli.main import cli
from orasx.descriptor import Descriptor, Platform
from orasx.errors import AlreadyExistsError, InvalidInputError, PathTraversalError

MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
CREATED = "org.opencontainers.image.created"


def manifest(n: int, artifact_type: str = "", **annotations: str) -> Descriptor:
    desc = Descriptor.from_bytes(MANIFEST_TYPE, json.dumps({"n": n}).encode())
    return Descriptor(desc.media_type, desc.digest, desc.size, annotations,
                      artifact_type=artifact_type)


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), prog_name="oras", input=stdin)
    return result.exit_code, result.stdout, result.stderr


# -- one annotation as yaml.v3 prints it --------------------------------------------------------


@pytest.mark.parametrize(("key", "value", "text"), [
    (CREATED, "2000-01-01T00:00:00Z", f'{CREATED}: "2000-01-01T00:00:00Z"'),
    ("k", "v", "k: v"),
    ("zz", "hello world", "zz: hello world"),
    ("a", "1", 'a: "1"'),
    ("e", "", 'e: ""'),
    ("q", "yes", "q: 'yes'"),
    ("n", "\n", "'n': \"\\n\""),
    ("k", "1:20", "k: '1:20'"),
    ("k", "<<", "k: '<<'"),
    ("k", "0x1F", 'k: "0x1F"'),
    ("k", ".inf", 'k: ".inf"'),
    ("k", "2001-12-14", 'k: "2001-12-14"'),
    ("k", "2001-13-14", "k: 2001-13-14"),
    ("k", "a: b", "k: 'a: b'"),
    ("k", "a:b", "k: a:b"),
    ("k", "# x", "k: '# x'"),
    ("k", "-x", "k: -x"),
    ("k", "- x", "k: '- x'"),
    ("k", "'a", "k: '''a'"),
    ("k", " lead", "k: ' lead'"),
    ("k", "a\tb", 'k: "a\\tb"'),
    ("k", "\abell", 'k: "\\abell"'),
    ("k", "emoji\U0001F600", 'k: "emoji\\U0001F600"'),
    ("b", "\ufeffbom", 'b: "\\uFEFF\\x62\\x6F\\x6D"'),
    ("k", "ünï", "k: ünï"),
    ("k", "---", "k: '---'"),
    ("l", "a\nb", "l: |-\n    a\n    b"),
    ("m", " a\nb", "m: |4-\n     a\n    b"),
    ("k", "a\nb\n", "k: |\n    a\n    b"),
    ("k", "\na", "k: |-\n\n    a"),
    ("k", "a " * 60, "k: '" + "a " * 60 + "'"),
    ("1", "v", '"1": v'),
    ("yes", "v", "'yes': v"),
    ("", "empty key", '"": empty key'),
    ("x" * 130, "v", "? " + "x" * 130 + "\n: v"),
])
def test_annotations_print_as_go_yaml_marshal(key: str, value: str, text: str) -> None:
    assert annotation_line(key, value) == text


# -- discover -----------------------------------------------------------------------------------


def nested() -> ReferrerNode:
    sbom = ReferrerNode(manifest(3, "application/vnd.example.sbom", **{CREATED: "2000-01-01"}))
    sig = ReferrerNode(manifest(2, "application/vnd.example.sig",
                                **{CREATED: "2000-01-01T00:00:00Z", "a": "yes"}), [sbom])
    bare = ReferrerNode(manifest(4))
    return ReferrerNode(manifest(1), [sig, bare])


def test_tree_shows_each_referrers_annotations_before_its_referrers(capsys):
    root = nested()
    display.TreeDiscoverHandler().on_discovered(root, "localhost:5000/r")
    sig, bare = root.referrers
    sbom = sig.referrers[0]
    assert capsys.readouterr().out == (
        f"localhost:5000/r@{root.descriptor.digest}\n"
        "├── application/vnd.example.sig\n"
        f"│   └── {sig.descriptor.digest}\n"
        "│       ├── [annotations]\n"
        "│       │   ├── a: 'yes'\n"
        f'│       │   └── {CREATED}: "2000-01-01T00:00:00Z"\n'
        "│       └── application/vnd.example.sbom\n"
        f"│           └── {sbom.descriptor.digest}\n"
        "│               └── [annotations]\n"
        f'│                   └── {CREATED}: "2000-01-01"\n'
        "└── <unknown>\n"
        f"    └── {bare.descriptor.digest}\n")


def test_tree_keeps_a_multiline_annotation_under_its_node(capsys):
    """Deliberate: the Go CLI prints a ``|`` block's lines from the first column, where a
    registry-supplied value could draw fake nodes; here they stay under their annotation."""
    forged = "x\n└── sha256:" + "0" * 64
    root = ReferrerNode(manifest(1), [ReferrerNode(manifest(2, "t/x", k=forged))])
    display.TreeDiscoverHandler().on_discovered(root, "r")
    lines = capsys.readouterr().out.splitlines()
    assert lines[4:] == ["            └── k: |-",
                         "                    x",
                         "                    └── sha256:" + "0" * 64]


def test_tree_on_a_terminal_has_the_go_clis_colors(capsys):
    root = ReferrerNode(manifest(1), [ReferrerNode(manifest(2, "t/\x1bx", k="v"))])
    display.TreeDiscoverHandler(color=True).on_discovered(root, "r")
    ref = root.referrers[0].descriptor
    assert capsys.readouterr().out.splitlines() == [
        f"\x1b[32mr@{root.descriptor.digest}\x1b[0m",
        "└── \x1b[93mt/\\x1bx\x1b[0m",  # the registry's escape is shown, never sent
        f"    └── \x1b[32m{ref.digest}\x1b[0m",
        "        └── \x1b[90m[annotations]\x1b[0m",
        "            └── k: v",
    ]


def test_table_is_gos_deprecated_table_of_direct_referrers(capsys):
    root = nested()
    display.TableDiscoverHandler("localhost:5000/r:v1").on_discovered(root, "localhost:5000/r")
    sig, bare = (r.descriptor for r in root.referrers)
    out = capsys.readouterr().out
    head = (f"Discovered 2 artifacts referencing localhost:5000/r:v1\n"
            f"Digest: {root.descriptor.digest}\n\n"
            "Artifact Type                 Digest\n"
            f"application/vnd.example.sig   {sig.digest}\n")
    assert out.startswith(head)
    rest = out[len(head):]
    first = json.dumps(sig.to_dict(), indent=2) + "\n"
    assert rest == first + f" {' ' * 28} {bare.digest}\n" + json.dumps(bare.to_dict(), indent=2) \
        + "\n"


def test_table_without_referrers_says_so_in_two_lines(capsys):
    root = ReferrerNode(manifest(1))
    display.TableDiscoverHandler("r:v1").on_discovered(root, "r")
    assert capsys.readouterr().out == (f"Discovered 0 artifact referencing r:v1\n"
                                       f"Digest: {root.descriptor.digest}\n")


@pytest.fixture
def fake_discover(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    calls: list[dict[str, object]] = []

    def fake(reference: str, **kwargs: object) -> tuple[ReferrerNode, str]:
        calls.append({"reference": reference, **kwargs})
        return nested(), "localhost:5000/r"

    monkeypatch.setattr(orasx.api, "discover", fake)
    return calls


def test_discover_output_flag_is_a_deprecated_format(fake_discover):
    code, out, err = run("discover", "localhost:5000/r:v1", "-o", "json")
    assert code == 0, err
    assert err == "[DEPRECATED] --output is deprecated, try `--format ` instead\n"
    assert json.loads(out)["referrers"][0]["artifactType"] == "application/vnd.example.sig"


def test_discover_table_warns_and_lists_direct_referrers_only(fake_discover):
    code, out, err = run("discover", "localhost:5000/r:v1", "-o", "table")
    assert code == 0, err
    assert err == ('Format "table" is deprecated and will be removed in a future release.\n'
                   "[DEPRECATED] --output is deprecated, try `--format ` instead\n")
    assert fake_discover[0]["depth"] == 1
    assert out.startswith("Discovered 2 artifacts referencing localhost:5000/r:v1\n")


@pytest.mark.parametrize(("args", "error"), [
    (["--format", "json", "-o", "json"], "Error: --format, --output cannot be used at the same time"),
    (["-o", "go-template", "--template", "x"], "Error: output type can only be tree, table or json"),
    (["-o", "xml"], 'Error: invalid format type: "xml"'),
])
def test_discover_output_flag_errors(fake_discover, args, error):
    code, out, err = run("discover", "localhost:5000/r:v1", *args)
    assert (code, out) == (1, "")
    assert err.startswith(error + "\n")
    assert not fake_discover


# -- platforms ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "platform"), [
    ("linux/amd64", Platform("linux", "amd64")),
    ("linux/arm64/v8:10.0", Platform("linux", "arm64", "v8", "10.0")),
    ("linux/amd64/", Platform("linux", "amd64")),
    ("linux/amd64:", Platform("linux", "amd64")),
    ("a:b:c", Platform("a", host_architecture(), "", "b:c")),
    ("LINUX/AMD64", Platform("LINUX", "AMD64")),
])
def test_platforms_parse_as_the_go_cli(text, platform):
    assert parse_platform_flag(text) == platform


@pytest.mark.parametrize(("text", "error"), [
    ("linux/amd64/v8/x", 'failed to parse platform "linux/amd64/v8/x": expected format '
                         "os[/arch[/variant]]"),
    ("/amd64", "invalid platform: OS cannot be empty"),
    ("linux/", "invalid platform: Architecture cannot be empty"),
    ("linux//v8", "invalid platform: Architecture cannot be empty"),
])
def test_bad_platforms_fail_as_the_go_cli(text, error):
    with pytest.raises(InvalidInputError) as e:
        parse_platform_flag(text)
    assert str(e.value) == error


def test_platform_config_is_the_platform_as_go_marshals_it():
    data = platform_config(Platform("linux", "amd64"))
    assert data == b'{"architecture":"amd64","os":"linux"}'
    # the digest of the config the Go CLI pushes for --artifact-platform linux/amd64
    assert hashlib.sha256(data).hexdigest().startswith("9d99a75171ae")
    assert platform_config(Platform("linux", "arm64", "v8", "10.0")) == \
        b'{"architecture":"arm64","os":"linux","os.version":"10.0","variant":"v8"}'


# -- push and attach: what they check before the library ----------------------------------------


@pytest.fixture
def fake_push(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[dict[str, object]]:
    calls: list[dict[str, object]] = []

    def fake(reference: str, files: list[FileReference], **kwargs: object) -> PushResult:
        config = kwargs.get("config")
        if isinstance(config, FileReference) and os.path.isfile(config.path):
            kwargs["config_bytes"] = Path(config.path).read_bytes()
        on_file = kwargs.get("on_file")
        assert callable(on_file)
        for f in files:
            on_file(os.path.normpath(f.path))
        calls.append({"reference": reference, "files": files, **kwargs})
        desc = manifest(9)
        return PushResult(desc, b"{}", reference, ("v1",), locate(reference))

    monkeypatch.setattr(orasx.api, "push", fake)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("hi\n")
    return calls


ANNOTATION_FILE_ERROR = (
    "Error: invalid annotation json file: failed to load annotations from {}\n"
    "Annotation file doesn't match the required format. Please refer to the document at "
    "https://oras.land/docs/how_to_guides/manifest_annotations\n")


@pytest.mark.parametrize(("args", "files", "error"), [
    (["-a", "novalue"], {}, "Error: annotation value doesn't match the required format\n"
     'Please use the correct format in the flag: --annotation "key=value"\n'),
    (["-a", "k=1", "-a", "k=2"], {}, "Error: duplicate annotation key: k, \n"),
    (["--annotation-file", "ann.json", "-a", "k=v"], {"ann.json": "{}"},
     "Error: `--annotation` and `--annotation-file` cannot be both specified\n"),
    (["--annotation-file", "nope.json"], {}, ANNOTATION_FILE_ERROR.format("nope.json")),
    (["--annotation-file", "bad.json"], {"bad.json": "{bad"},
     ANNOTATION_FILE_ERROR.format("bad.json")),
    (["--annotation-file", "shape.json"], {"shape.json": '{"$manifest": {"k": 1}}'},
     ANNOTATION_FILE_ERROR.format("shape.json")),
    (["--artifact-platform", "linux/amd64/v8/x"], {},
     'Error: failed to parse platform "linux/amd64/v8/x": expected format os[/arch[/variant]]\n'),
    (["--artifact-platform", "linux/amd64", "--config", "a.txt"], {},
     "Error: --config, --artifact-platform cannot be used at the same time\n"),
    (["--artifact-platform", "linux", "--image-spec", "v1.0", "--artifact-type", "x/y"], {},
     "Error: artifact type cannot be customized for OCI image-spec v1.0 when platform is "
     "specified\nconsider using image spec v1.1 or remove --artifact-type\n"),
    (["--config", "a.txt", "--image-spec", "v1.1"], {},
     "Error: missing artifact type for OCI image-spec v1.1 artifacts\n"
     "set an artifact type via `--artifact-type` or consider image spec v1.0\n"),
    (["--config", "a.txt", "--image-spec", "v1.0", "--artifact-type", "x/y"], {},
     "Error: --artifact-type and --config cannot both be provided for 1.0 OCI image\n"),
])
def test_push_option_errors_are_gos(fake_push, tmp_path, args, files, error):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    code, out, err = run("push", "localhost:5000/r:v1", "a.txt", *args)
    assert (code, out, err) == (1, "", error)
    assert not fake_push


def test_push_names_every_absolute_path_before_reading_annotations(fake_push, tmp_path):
    a, b = str(tmp_path / "a.txt"), str(tmp_path / "b.txt")
    code, _, err = run("push", "localhost:5000/r:v1", a, b + ":text/plain", "-a", "novalue")
    assert code == 1
    assert err == ("Error: absolute file path detected. If it's intentional, use "
                   f"--disable-path-validation flag to skip this check: {a}, {b}\n")


def test_push_missing_config_is_a_stat_error_before_any_file(fake_push, tmp_path):
    code, out, err = run("push", "localhost:5000/r:v1", "--config", "nope.json", "a.txt")
    assert (code, out) == (1, "")
    assert err == f"Error: stat {tmp_path / 'nope.json'}: no such file or directory\n"


def test_prepared_files_print_then_fail_as_go_for_missing_and_repeated_files(tmp_path,
                                                                             monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("hi")
    notes: list[str] = []
    prepared = go.PreparedFiles(notes.append)
    prepared("a.txt")
    with pytest.raises(InvalidInputError, match=r"^a\.txt: duplicate name$"):
        prepared("a.txt")
    with pytest.raises(InvalidInputError) as e:
        prepared("nope.txt")
    assert str(e.value) == f"stat {tmp_path / 'nope.txt'}: no such file or directory"
    assert notes == ["Preparing a.txt", "Preparing a.txt", "Preparing nope.txt"]


def test_push_artifact_platform_pushes_the_platform_as_a_v1_1_config(fake_push):
    code, _, err = run("push", "localhost:5000/r:v1", "--artifact-platform", "linux/amd64",
                       "a.txt", "--concurrency", "0", "-a", "=v", "-a", " k = v ")
    assert code == 0, err
    (call,) = fake_push
    assert call["config_bytes"] == b'{"architecture":"amd64","os":"linux"}'
    config = call["config"]
    assert isinstance(config, FileReference)
    assert config.media_type == "application/vnd.oci.image.config.v1+json"
    assert (call["image_spec"], call["artifact_type"]) == ("v1.1",
                                                           "application/vnd.unknown.artifact.v1")
    assert call["concurrency"] == 3  # 0 is oras-go's default, as in the Go CLI
    assert call["annotations"] == {"": "v", " k ": " v "}  # as typed, as the Go CLI keeps them


def test_attach_without_files_or_annotations_is_gos_usage_error(monkeypatch):
    monkeypatch.setattr(orasx.api, "attach", lambda *a, **k: pytest.fail("attached"))
    code, out, err = run("attach", "localhost:5000/r:v1", "--artifact-type", "a/b")
    assert (code, out) == (1, "")
    assert err == (
        "Error: neither file nor annotation provided in the command\n"
        "Usage: oras attach [flags] --artifact-type=<type> <name>{:<tag>|@<digest>} "
        "{<file>[:<layer_media_type>]|--annotation <key>=<value>} [...]\n"
        "To attach to an existing artifact, please provide files via argument or annotations via "
        'flag "--annotation". Run "oras attach -h" for more options and examples\n')


def test_attach_without_a_tag_asks_whether_the_reference_is_missing(monkeypatch):
    monkeypatch.setattr(orasx.api, "attach", lambda *a, **k: pytest.fail("attached"))
    code, _, err = run("attach", "localhost:5000/r", "--artifact-type", "a/b")
    assert code == 1
    assert err.splitlines()[0] == 'Error: "localhost:5000/r": no tag or digest specified'
    assert err.splitlines()[2].startswith("Are you missing an artifact reference to attach to? "
                                          'Please specify a reference in the form of')


# -- resolve, tag, pull -------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["resolve", "discover", "pull"])
def test_a_reference_without_tag_or_digest_is_gos_usage_error(monkeypatch, command):
    for verb in ("resolve", "discover", "pull"):
        monkeypatch.setattr(orasx.api, verb, lambda *a, **k: pytest.fail("called the library"))
    code, out, err = run(command, "localhost:5000/r")
    assert (code, out) == (1, "")
    assert err == (
        'Error: "localhost:5000/r": no tag or digest specified\n'
        f"Usage: oras {command} [flags] <name>{{:<tag>|@<digest>}}\n"
        'Please specify a reference in the form of "<name>:<tag>" or "<name>@<digest>". '
        f'Run "oras {command} -h" for more options and examples\n')


@pytest.mark.parametrize("flag", ["-v", "--verbose", "--verbose=false"])
def test_the_deprecated_verbose_flag_warns_as_cobra_does(monkeypatch, flag):
    monkeypatch.setattr(orasx.api, "resolve", lambda *a, **k: manifest(1))
    code, out, err = run("resolve", flag, "localhost:5000/r:v1")
    assert (code, out) == (0, f"{manifest(1).digest}\n")
    assert err == "Flag --verbose has been deprecated, and will be removed in a future release.\n"
    assert run("resolve", "localhost:5000/r:v1")[2] == ""


def test_tag_names_the_manifest_before_refusing_a_bad_tag(monkeypatch):
    desc = manifest(1)
    tagged: list[object] = []
    monkeypatch.setattr(orasx.api, "resolve", lambda *a, **k: desc)
    monkeypatch.setattr(orasx.api, "tag", lambda *a, **k: tagged.append(a))
    code, out, err = run("tag", "localhost:5000/r:v1", "bad tag!")
    assert code == 1 and not tagged
    assert out == f"Tagging [registry] localhost:5000/r@{desc.digest}\n"
    assert err == 'Error: invalid reference: invalid tag "bad tag!"\n'
    code, out, err = run("tag", "localhost:5000/r:v1", "good", "bad tag!")
    assert err == 'Error: failed to tag bad tag!: invalid reference: invalid tag "bad tag!"\n'
    code, out, err = run("tag", "localhost:5000/r:v1", "v2", "v3")
    assert (code, err) == (0, "")
    assert out.splitlines()[1:] == ["Tagged v2", "Tagged v3"]
    assert tagged == [(f"localhost:5000/r@{desc.digest}", ("v2", "v3"))]


@pytest.mark.parametrize(("raised", "error"), [
    (PathTraversalError("'/x' would be written outside the output directory",
                        reason="path-traversal"),
     "Error: failed to resolve path for writing: path traversal disallowed\n"
     "Pulling files outside of working directory is insecure and blocked by default. If you "
     "trust the content producer, use --allow-path-traversal to bypass this check.\n"),
    (AlreadyExistsError("b.txt: file already exists", reason="keep-old-files"),
     "Error: failed to resolve path for writing: overwrite disallowed\n"),
])
def test_pull_refusals_are_in_gos_words(monkeypatch, tmp_path, raised, error):
    def fake(*args: object, **kwargs: object) -> None:
        raise raised

    monkeypatch.setattr(orasx.api, "pull", fake)
    code, out, err = run("pull", "localhost:5000/r:v1", "-o", str(tmp_path))
    assert (code, out, err) == (1, "", error)


def test_pull_platform_is_parsed_as_the_go_cli(monkeypatch):
    seen: list[object] = []
    monkeypatch.setattr(orasx.api, "pull", lambda *a, **k: seen.append(k))
    code, _, err = run("pull", "localhost:5000/r:v1", "--platform", "linux/arm64/v8/x")
    assert (code, seen) == (1, [])
    assert err == ('Error: failed to parse platform "linux/arm64/v8/x": expected format '
                   "os[/arch[/variant]]\n")


def test_discover_formats_pick_their_handlers():
    assert isinstance(display.discover_handler(FormatOptions("table"), "r:v1"),
                      display.TableDiscoverHandler)
    assert isinstance(display.discover_handler(FormatOptions("tree")), display.TreeDiscoverHandler)
