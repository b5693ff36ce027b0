"""`--jobs N` and `--engine dask` give the output, rejects and counts of one process."""

from __future__ import annotations

import gzip
import io
import subprocess
import sys

import pytest

from marc2rdf.parallel import iso2709_chunks

from support import CORPUS, SEED

GOOD = [CORPUS / "iso2709/marc4j__pride-and-prejudice-fixed.mrc", CORPUS / "marcxml/marc2bibframe2__gwu.xml",
        CORPUS / "json/traject__test_data.utf8.json"]
BAD = sorted((CORPUS / "malformed").iterdir())  # broken ISO 2709, XML and JSON: rejects and repairs


def convert(tmp_path, tag: str, *args, inputs=(*BAD, *GOOD), stdin=None):
    out, rejects = tmp_path / f"{tag}.out", tmp_path / f"{tag}.rej"
    proc = subprocess.run(
        [sys.executable, "-m", "marc2rdf", "convert", *map(str, inputs), "-o", str(out),
         "--rejects", str(rejects), *map(str, args)],
        input=stdin, capture_output=True, timeout=600,
    )
    assert b"Traceback" not in proc.stderr, proc.stderr.decode()
    err = proc.stderr.decode().replace(str(rejects), "REJECTS")
    log = rejects.with_name(rejects.name + ".log")
    kept = rejects.read_bytes() if rejects.exists() else None
    return proc.returncode, out.read_bytes(), kept, log.read_text() if log.exists() else None, err


@pytest.fixture(scope="module")
def one_process(tmp_path_factory):
    return convert(tmp_path_factory.mktemp("one"), "one")


def test_one_process_keeps_the_contract(one_process):
    status, out, rejects, log, err = one_process
    assert status == 3 and out and rejects
    assert "1,141 records read, 1,131 converted, 10 rejected, 128 repaired" in err
    assert log.count("\nrejected ") + log.startswith("rejected ") == 10
    assert "\r" not in err  # no progress in pipes


@pytest.mark.parametrize("jobs", [2, 3])
def test_jobs_give_the_same_bytes_rejects_and_summary(tmp_path, one_process, jobs):
    assert convert(tmp_path, f"j{jobs}", "--jobs", jobs) == one_process


def test_jobs_with_turtle_from_gzip_on_stdin(tmp_path):
    data = gzip.compress(GOOD[0].read_bytes())
    one = convert(tmp_path, "a", "-t", "turtle", inputs=["-"], stdin=data)
    assert convert(tmp_path, "b", "-t", "turtle", "--jobs", 2, inputs=["-"], stdin=data) == one
    assert one[0] == 0 and one[1].count(b"#Work> a bf:Work") == 383


def test_dask_local_cluster_gives_the_same_output(tmp_path, one_process):
    """A real dask.distributed LocalCluster of two worker processes: ISO 2709 files go to the
    workers as byte ranges, the other inputs as record batches."""
    assert convert(tmp_path, "dask", "--engine", "dask", "--jobs", 2) == one_process


def test_iso2709_chunks_end_at_record_boundaries():
    data = b"".join(p.read_bytes() for p in sorted((CORPUS / "iso2709").glob("*.mrc")))
    chunks = list(iso2709_chunks(io.BytesIO(data), 4096))
    assert b"".join(c for _, c in chunks) == data
    assert [start for start, _ in chunks] == [sum(len(c) for _, c in chunks[:i]) for i in range(len(chunks))]
    assert len(chunks) > 100
    for _, chunk in chunks[:-1]:
        assert chunk.endswith(b"\x1e\x1d") and len(chunk) >= 4096
    for _, chunk in chunks[1:]:
        assert chunk[:5].isdigit()


def test_bad_engine_options_are_usage_errors(tmp_path):
    for args in (["--scheduler", "tcp://127.0.0.1:1"], ["--jobs", "-1"], ["--engine", "spark"]):
        proc = subprocess.run([sys.executable, "-m", "marc2rdf", "convert", str(GOOD[0]), *args],
                              capture_output=True, timeout=60)
        assert proc.returncode == 2 and b"Traceback" not in proc.stderr


def test_an_input_that_cannot_be_read_costs_that_input_on_any_number_of_processes(tmp_path):
    """Small inputs of other serializations are read whole by a worker; one that turns out not to
    be what --from says fails as it does in one process, and the other inputs are converted."""
    inputs = [CORPUS / "mrk/marc4j__brkrtest.mrk", CORPUS / "iso2709/marc4j__summerland.mrc", SEED]
    one = convert(tmp_path, "t1", "--from", "text", inputs=inputs)
    status, out, rejects, log, err = one
    assert status == 2 and rejects is None and out.count(b"#Work> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://id.loc.gov/ontologies/bibframe/Work>") == 9
    assert "marc4j__summerland.mrc: not a MARC text dump this reader knows" in err
    assert "9 records read, 9 converted, 0 rejected, 1 repaired; 1 input(s) could not be read" in err
    assert convert(tmp_path, "t2", "--from", "text", "--jobs", 2, inputs=inputs) == one


def test_a_dump_on_two_processes_is_the_dump_of_one(tmp_path):
    """Shards, manifest and VoID (its vocabularies gathered by each task) byte for byte."""
    dumps = []
    for jobs in (1, 2):
        out = tmp_path / f"dump{jobs}"
        proc = subprocess.run([sys.executable, "-m", "marc2rdf", "convert", *map(str, GOOD), "-t", "jsonld",
                               "-o", str(out), "--shard-size", "100", "--jobs", str(jobs), "--no-progress"],
                              capture_output=True, timeout=600)
        assert proc.returncode == 0, proc.stderr.decode()
        dumps.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert dumps[0] == dumps[1]
    assert len(dumps[0]) > 4 and b"<http://id.loc.gov/ontologies/bibframe/>" in dumps[0]["void.ttl"]


def test_strict_stops_at_the_same_record_on_two_processes(tmp_path):
    one = convert(tmp_path, "s1", "--strict", inputs=(*GOOD, *BAD))
    assert one[0] == 1 and one[1]
    assert convert(tmp_path, "s2", "--strict", "--jobs", 2, inputs=(*GOOD, *BAD)) == one


def test_an_input_too_large_to_travel_whole_is_read_again_from_its_first_bytes(tmp_path, monkeypatch):
    # above WHOLE_BYTES, the bytes taken to measure a MARCXML input are put back in front of the
    # rest of it and the parent reads it in batches: the output is the one process's, byte for byte
    from marc2rdf import cli, parallel

    xml = str(CORPUS / "marcxml" / "marc2bibframe2__nlm.xml")
    one = tmp_path / "one.nt"
    assert cli.main(["convert", "--no-progress", "-o", str(one), xml]) == 0
    monkeypatch.setattr(parallel, "WHOLE_BYTES", 4096)
    two = tmp_path / "two.nt"
    assert cli.main(["convert", "--no-progress", "--jobs", "2", "-o", str(two), xml]) == 0
    assert one.stat().st_size > 4096
    assert two.read_bytes() == one.read_bytes()
