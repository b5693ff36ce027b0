"""Dumps: shards, manifest, VoID; byte-identical re-runs; a killed run leaves no finished-looking shard."""

from __future__ import annotations

import gzip
import hashlib
import json
import signal
import subprocess
import sys
import time

import pyoxigraph as ox
import pytest

from marc2rdf.cli import main

from support import CORPUS, mapped_counts

PRIDE = CORPUS / "iso2709/marc4j__pride-and-prejudice-fixed.mrc"  # 383 records, ~37,000 triples
CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"
VOID = "http://rdfs.org/ns/void#"
OX = {"nt": ox.RdfFormat.N_TRIPLES, "turtle": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD}


def convert(*args) -> int:
    return main(["convert", *map(str, args), "--no-progress"])


def shard_bytes(path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


@pytest.mark.parametrize("fmt, gz", [("nt", True), ("turtle", False), ("jsonld", False)])
def test_dump_writes_shards_a_manifest_and_void(tmp_path, fmt, gz):
    out = tmp_path / "dump"
    expected, _ = mapped_counts([PRIDE])  # the triples the mapper makes of these records
    assert expected > 30_000
    assert convert(PRIDE, "-t", fmt, "-o", out, "--shard-size", 100, *(["--gzip"] if gz else []),
                   "--license", CC0) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    ext = {"nt": "nt", "turtle": "ttl", "jsonld": "jsonld"}[fmt] + (".gz" if gz else "")
    names = [f"part-0000{i}.{ext}" for i in range(1, 5)]
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", *names, "void.ttl"]
    assert [s["file"] for s in manifest["shards"]] == names
    assert [s["records"] for s in manifest["shards"]] == [100, 100, 100, 83]
    assert manifest["totals"] == {"shards": 4, "records": 383, "triples": expected,
                                  "bytes": sum((out / n).stat().st_size for n in names)}
    assert manifest["format"] == fmt and manifest["profiles"] == ["bibframe"]
    assert manifest["inputs"] == [{"path": str(PRIDE), "bytes": PRIDE.stat().st_size}]
    assert (manifest["records_read"], manifest["records_rejected"]) == (383, 0)
    triples = 0
    for shard in manifest["shards"]:
        path = out / shard["file"]
        assert shard["bytes"] == path.stat().st_size
        assert shard["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        n = len(list(ox.parse(shard_bytes(path), OX[fmt])))  # each shard is a document of its own
        assert n == shard["triples"]
        triples += n
    assert triples == expected

    base = (out / "void.ttl").as_uri()
    void = ox.Dataset(ox.parse(path=str(out / "void.ttl"), format=ox.RdfFormat.TURTLE, base_iri=base))
    dataset = ox.NamedNode(base + "#dataset")

    def values(prop):
        return sorted(q.object.value for q in void.quads_for_subject(dataset) if q.predicate.value == VOID + prop)

    assert values("triples") == [str(expected)] and values("entities") == ["383"]
    assert values("dataDump") == sorted((out / n).as_uri() for n in names)
    assert "http://id.loc.gov/ontologies/bibframe/" in values("vocabulary")
    assert [q.object.value for q in void if q.predicate.value.endswith("/license")] == [CC0]


def test_rerun_is_byte_identical_and_clears_what_a_larger_run_left(tmp_path):
    out = tmp_path / "dump"
    assert convert(PRIDE, "-o", out, "--shard-size", 50, "--gzip") == 0
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    assert convert(PRIDE, "-o", out, "--shard-size", 50, "--gzip", "--jobs", 2) == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first
    assert convert(PRIDE, "-o", out, "--shard-size", 200, "--gzip") == 0
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "part-00001.nt.gz", "part-00002.nt.gz",
                                                     "void.ttl"]


def test_a_killed_dump_leaves_no_finished_looking_shard_and_a_rerun_completes_it(tmp_path):
    inputs = [PRIDE] * 4  # 1,532 records: long enough to be killed in the middle
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    assert convert(*inputs, "-o", whole, "--shard-size", 40, "--gzip") == 0

    cmd = [sys.executable, "-m", "marc2rdf", "convert", *map(str, inputs), "-o", str(killed),
           "--shard-size", "40", "--gzip"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not (killed / "part-00003.nt.gz").exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    left = sorted(p.name for p in killed.iterdir())
    assert "manifest.json" not in left
    finished = [n for n in left if not n.endswith(".tmp")]
    assert finished and len(finished) < len(list(whole.glob("part-*")))
    for name in finished:  # whatever has a shard's name is that shard, complete
        assert (killed / name).read_bytes() == (whole / name).read_bytes()

    assert convert(*inputs, "-o", killed, "--shard-size", 40, "--gzip") == 0
    assert {p.name: p.read_bytes() for p in killed.iterdir()} == {p.name: p.read_bytes() for p in whole.iterdir()}


def test_dump_options_need_a_directory(capsys):
    assert main(["convert", str(PRIDE), "--shard-size", "10"]) == 2
    assert "name its directory with -o DIR" in capsys.readouterr().err
    assert main(["convert", str(PRIDE), "-o", "x.nt", "--license", "not an iri"]) == 2
