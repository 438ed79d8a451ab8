"""A sharded dataset read through ``oras://`` by Dask (2 worker processes) and pyarrow, against a
real registry: every shard read, each shard's blob fetched at most once per worker, a tag pinned
to one digest for the whole read, credentials from the workers' own docker config."""

from __future__ import annotations

import base64
import collections
import json
import os
import pickle
import tempfile
from collections.abc import Iterator

import pytest

import orasx
from orasx.errors import NotFoundError
from tests.e2e.helpers import PLAIN
from tests.support.servers import Proxy

fsspec = pytest.importorskip("fsspec")
pandas = pytest.importorskip("pandas")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pa_ds = pytest.importorskip("pyarrow.dataset")

SHARDS = 8
ROWS = 500
WORKERS = 2
DOCKER_CONFIG = tempfile.mkdtemp(prefix="orasx-dask-docker-")


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    """One LocalCluster for the module: 2 worker processes, 1 thread each. The workers inherit
    ``DOCKER_CONFIG`` (a directory this module writes a login into)."""
    old = os.environ.get("DOCKER_CONFIG")
    os.environ["DOCKER_CONFIG"] = DOCKER_CONFIG
    try:
        with distributed.LocalCluster(n_workers=WORKERS, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster, \
                distributed.Client(cluster) as c:
            yield c
    finally:
        if old is None:
            os.environ.pop("DOCKER_CONFIG", None)
        else:
            os.environ["DOCKER_CONFIG"] = old


def _shards(directory, offset: int = 0) -> list[str]:
    import numpy

    directory.mkdir(exist_ok=True)
    names = []
    for i in range(SHARDS):
        frame = pandas.DataFrame({"id": numpy.arange(ROWS) + i * ROWS + offset,
                                  "value": numpy.full(ROWS, i + offset, dtype="float64")})
        name = f"shards/part-{i:03d}.parquet"
        frame.to_parquet(directory.parent / name)
        frame.to_csv(directory.parent / name.replace(".parquet", ".csv"), index=False)
        names += [name, name.replace(".parquet", ".csv")]
    return names


@pytest.fixture
def dataset(proxy, repo_name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    files = _shards(tmp_path / "shards")
    ref = f"localhost:{proxy.host.rpartition(':')[2]}/{repo_name}:v1"
    orasx.push(ref, files, remote=PLAIN)
    proxy.requests.clear()
    return ref


def _blob_gets(proxy: Proxy) -> collections.Counter[str]:
    return collections.Counter(r.path.rpartition("/")[2] for r in proxy.requests
                               if r.method == "GET" and "/blobs/" in r.path)


def test_dask_reads_every_parquet_shard_each_blob_once_per_worker(client, dataset, proxy):
    frame = dd.read_parquet(f"oras://{dataset}/shards/*.parquet",
                            storage_options={"skip_instance_cache": True})
    assert frame.npartitions == SHARDS
    total = frame["value"].sum().compute()
    assert total == sum(i * ROWS for i in range(SHARDS))
    gets = _blob_gets(proxy)
    # each process that reads a shard fetches it once: the workers, and the client that read
    # the first footer to plan the read
    assert len(gets) >= SHARDS and all(n <= WORKERS + 1 for n in gets.values()), gets
    proxy.requests.clear()
    assert len(frame.compute()) == SHARDS * ROWS  # again: no process fetches a shard twice
    assert all(n <= WORKERS + 1 for n in (_blob_gets(proxy) + gets).values())


def test_dask_reads_csv_shards(client, dataset):
    frame = dd.read_csv(f"oras://{dataset}/shards/*.csv")
    assert sorted(frame["id"].compute()) == list(range(SHARDS * ROWS))


def test_pyarrow_dataset_reads_the_same(dataset):
    fs = fsspec.filesystem("oras", skip_instance_cache=True)
    files = fs.glob(f"oras://{dataset}/shards/*.parquet")
    assert len(files) == SHARDS and all("@sha256:" in f for f in files)  # pinned by digest
    table = pa_ds.dataset(files, filesystem=fs, format="parquet").to_table()
    assert table.num_rows == SHARDS * ROWS
    whole = pa_ds.dataset(f"{dataset}/shards", filesystem=fs, format="parquet",
                          exclude_invalid_files=True)  # (the .csv shards beside them)
    assert sorted(whole.files) == [f"{dataset}/{f.partition('/shards/')[1]}{f.rpartition('/')[2]}"
                                   .replace("//", "/") for f in sorted(files)]
    assert whole.to_table().num_rows == SHARDS * ROWS


def test_listings_carry_sizes_and_checksums(dataset):
    fs = fsspec.filesystem("oras", skip_instance_cache=True)
    top = fs.ls(f"oras://{dataset}")
    assert [(e["name"].rpartition("/")[2], e["type"]) for e in top] == [("shards", "directory")]
    found = fs.find(f"oras://{dataset}", detail=True)
    assert len(found) == 2 * SHARDS
    info = fs.info(f"oras://{dataset}/shards/part-000.parquet")
    assert info["type"] == "file" and info["size"] > 0 and info["digest"].startswith("sha256:")
    assert fs.checksum(f"oras://{dataset}/shards/part-000.parquet")


def test_a_tag_moved_mid_read_does_not_mix_versions(client, dataset, tmp_path):
    files = fsspec.filesystem("oras", skip_instance_cache=True).glob(
        f"oras://{dataset}/shards/*.parquet")
    later = tmp_path / "later"
    later.mkdir()
    os.chdir(later)
    orasx.push(dataset, _shards(later / "shards", offset=1000), remote=PLAIN)  # the tag moves
    frame = dd.read_parquet([f"oras://{f}" for f in files])
    assert frame["value"].sum().compute() == sum(i * ROWS for i in range(SHARDS))  # all of v1
    fresh = dd.read_parquet(f"oras://{dataset}/shards/*.parquet",
                            storage_options={"skip_instance_cache": True})
    assert fresh["value"].min().compute() == 1000  # a new read sees the new version


def test_a_missing_tag_is_both_not_found_errors(dataset):
    fs = fsspec.filesystem("oras", skip_instance_cache=True)
    missing = dataset.rpartition(":")[0] + ":nope"
    with pytest.raises(NotFoundError) as caught:
        fs.ls(f"oras://{missing}")
    assert isinstance(caught.value, FileNotFoundError)
    with pytest.raises(FileNotFoundError):
        fs.info(f"oras://{dataset}/shards/none.parquet")


def test_workers_use_their_docker_config_and_no_password_is_pickled(client, auth_registry,
                                                                     repo_name, tmp_path):
    monkey_dir = tmp_path / "push"
    monkey_dir.mkdir()
    os.chdir(monkey_dir)
    files = _shards(monkey_dir / "shards")
    user, password = auth_registry.username, auth_registry.password
    assert user and password
    ref = f"{auth_registry.host}/{repo_name}:v1"
    login = orasx.api.Remote(options=PLAIN.options, credential=orasx.registry.auth.Credential(
        username=user, password=password), use_credential_store=False)
    orasx.push(ref, files, remote=login)
    with open(os.path.join(DOCKER_CONFIG, "config.json"), "w") as f:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        json.dump({"auths": {auth_registry.host: {"auth": token}}}, f)
    fs = fsspec.filesystem("oras", username=user, password=password, skip_instance_cache=True)
    assert password.encode() not in pickle.dumps(fs)
    frame = dd.read_parquet(f"oras://{ref}/shards/*.parquet",
                            storage_options={"username": user, "password": password})
    assert len(frame.compute()) == SHARDS * ROWS
