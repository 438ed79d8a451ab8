"""Parity with the Go ``oras`` CLI v1.3.3: every scenario runs with both CLIs against the same registries.

A scenario passes when exit code, stdout, stderr (and the manifests and files it names) are equal
after normalising ports, namespaces, work directories and durations. Scenarios listed in
``known_differences.txt`` are expected to differ (``xfail(strict=True)``): once one is fixed it fails
until its line is removed. The default run (CI) runs the scenarios that must stay identical;
``ORASX_PARITY_ALL=1`` runs every scenario, the extended ones and the known differences too.
``REPORT.md`` lists every difference; ``python -m tests.parity.report``
regenerates it.

Skips when the Go binary is absent (a user's clone has no ``../shared``); ``ORASX_GO_ORAS`` overrides
where it is looked for.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.parity.harness import (
    Runner,
    Scenario,
    go_oras_path,
    load_known_differences,
)
from tests.parity.scenarios import EXTENDED, SCENARIOS
from tests.support.registry import ORAS_DISTRIBUTION, REGISTRY_BIN, Registry, free_port

GO_ORAS = go_oras_path()
PY_ORAS = os.environ.get("ORASX_PARITY_PY_ORAS") or os.path.join(os.path.dirname(sys.executable), "oras")
HERE = Path(__file__).resolve().parent

if not os.access(GO_ORAS, os.X_OK):
    pytest.skip(f"the reference Go oras CLI is absent ({GO_ORAS}); set ORASX_GO_ORAS",
                allow_module_level=True)
if not os.path.exists(REGISTRY_BIN) or shutil.which("htpasswd") is None:
    pytest.skip("docker-registry and htpasswd are needed for the parity suite", allow_module_level=True)

KNOWN = load_known_differences(HERE / "known_differences.txt")
RUN_ALL = os.environ.get("ORASX_PARITY_ALL", "") not in ("", "0")


def _param(s: Scenario) -> object:
    marks = []
    if s.referrers_api and not os.access(ORAS_DISTRIBUTION, os.X_OK):
        marks.append(pytest.mark.skip(reason=f"needs the referrers-API registry {ORAS_DISTRIBUTION}"))
    if s.id in EXTENDED and not RUN_ALL:
        marks.append(pytest.mark.skip(reason="extended parity scenario: set ORASX_PARITY_ALL=1"))
    if s.id in KNOWN:
        categories = KNOWN[s.id].partition("]")[0] + "]" if KNOWN[s.id].startswith("[") else ""
        if not RUN_ALL:  # the default run (CI) checks what must stay identical, in half the time
            marks.append(pytest.mark.skip(reason="known difference: set ORASX_PARITY_ALL=1"))
        marks.append(pytest.mark.xfail(strict=True, raises=AssertionError,
                                       reason=f"known difference {categories}".rstrip()))
    return pytest.param(s, id=s.id, marks=marks)


@pytest.fixture(scope="module")
def parity(request: pytest.FixtureRequest, registry: Registry, auth_registry: Registry,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    started = time.monotonic()
    runner = Runner(go_exe=str(GO_ORAS), py_exe=PY_ORAS, base=tmp_path_factory.mktemp("parity"),
                    registry=registry, auth_registry=auth_registry, dead_port=free_port())
    # Start every selected scenario now, so they run in parallel while the tests collect results.
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        scenario = callspec.params.get("scenario") if callspec is not None else None
        if isinstance(scenario, Scenario) and (RUN_ALL or (scenario.id not in EXTENDED
                                                          and scenario.id not in KNOWN)):
            runner.submit(scenario)
    yield runner
    runner.close()
    dump = os.environ.get("ORASX_PARITY_DUMP")
    if dump:  # both transcripts of every outcome: ``python -m tests.parity.report --from-dump FILE``
        done = {sid: f.result() for sid, f in runner.futures.items() if f.done() and not f.exception()}
        data: dict[str, object] = {"_meta": {"elapsed": time.monotonic() - started}}
        data.update({sid: {"go": o.go, "py": o.py, "same": o.same} for sid, o in sorted(done.items())})
        Path(dump).write_text(json.dumps(data, indent=1))


def test_scenario_ids_are_unique_and_known_list_is_current() -> None:
    ids = [s.id for s in SCENARIOS]
    assert len(ids) == len(set(ids)), "duplicate scenario ids"
    assert set(KNOWN) <= set(ids), f"known_differences.txt names no scenario: {set(KNOWN) - set(ids)}"


@pytest.mark.parametrize("scenario", [_param(s) for s in SCENARIOS])
def test_parity(scenario: Scenario, parity: Runner) -> None:
    outcome = parity.result(scenario)  # a SetupError is an error of the scenario, never an xfail
    assert outcome.same, "orasx differs from the Go oras CLI:\n" + outcome.diff()
