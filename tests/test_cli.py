"""The `marc2rdf records` command: detection, conversion, rejects, summary and exit status."""

import gzip
import json
import subprocess
import sys

import pytest

from support import CORPUS, DATA


def run(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "marc2rdf", *map(str, args)],
        input=stdin, capture_output=True, timeout=120,
    )


def test_converts_every_example_serialization_to_marcjson():
    examples = sorted((DATA.parent.parent / "examples" / "records").iterdir())
    proc = run("records", *examples)
    assert proc.returncode == 0, proc.stderr.decode()
    lines = proc.stdout.decode().splitlines()
    # seed 1, chabon 2, summerland 1, marc-in-json 1, brkrtest 8
    assert len(lines) == 13
    assert all(json.loads(line)["leader"][9] == "a" for line in lines)
    assert b"13 records read, 13 written, 0 rejected" in proc.stderr


def test_stdin_and_gzip_are_detected_by_content(tmp_path):
    data = (CORPUS / "marcxml/marc4j__chabon.xml").read_bytes()
    gz = tmp_path / "x.bin"
    gz.write_bytes(gzip.compress(data))
    for proc in (run("records", "-", stdin=data), run("records", gz)):
        assert proc.returncode == 0, proc.stderr
        assert len(proc.stdout.splitlines()) == 2


def test_rejects_are_kept_counted_and_exit_3(tmp_path):
    out, rejects = tmp_path / "out.xml", tmp_path / "bad.json"
    good = CORPUS / "json/traject__test_data.utf8.json"
    lines = good.read_bytes().splitlines(keepends=True)
    src = tmp_path / "in.json"
    src.write_bytes(lines[0] + b'{"leader": 1}\n' + lines[1])
    proc = run("records", src, "--to", "marcxml", "-o", out, "--rejects", rejects)
    assert proc.returncode == 3
    err = proc.stderr.decode()
    assert f"rejected {src}: record 2, line 2, byte {len(lines[0])}" in err
    assert "3 records read, 2 written, 1 rejected" in err
    assert rejects.read_bytes() == b'{"leader": 1}\n'
    assert "record 2" in (tmp_path / "bad.json.log").read_text()
    assert out.read_bytes().count(b"<record>") == 2
    assert "Traceback" not in err


def test_strict_stops_with_exit_1():
    proc = run("records", "--strict", CORPUS / "malformed/marc4j__chabon-missing-subfield-code.xml")
    assert proc.returncode == 1
    assert b"subfield of 020 without a code" in proc.stderr and b"Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["records", "/nonexistent/file.mrc"], b"cannot open"),
        (["records", "--to", "pdf", "x"], b"unknown MARC serialization 'pdf'"),
        (["records", "--from", "nope", "x"], b"unknown MARC serialization 'nope'"),
        (["records", "-"], b"cannot tell which MARC serialization"),
    ],
)
def test_usage_and_unreadable_input_exit_2(args, message):
    proc = run(*args, stdin=b"hello, this is not MARC\n")
    assert proc.returncode == 2
    assert message in proc.stderr and b"Traceback" not in proc.stderr


def test_no_progress_in_pipes():
    proc = run("records", CORPUS / "marcxml/marc2bibframe2__gwu.xml")
    assert proc.returncode == 0
    assert b"\r" not in proc.stderr and b"records/s" not in proc.stderr


def test_convert_examples_to_turtle_and_ntriples(tmp_path):
    import rdflib

    examples = sorted((DATA.parent.parent / "examples" / "records").iterdir())
    ttl, nt = tmp_path / "out.ttl", tmp_path / "out.nt"
    for fmt, out in (("turtle", ttl), ("nt", nt)):
        proc = run("convert", *examples, "-t", fmt, "-o", out)
        assert proc.returncode == 0, proc.stderr.decode()
        assert b"13 records read, 13 converted, 0 rejected" in proc.stderr
    a, b = rdflib.Graph(), rdflib.Graph()
    a.parse(ttl, format="turtle")
    b.parse(nt, format="nt")
    assert len(a) == len(b) > 1000
    # the same graph: blank nodes canonicalized (RDFC-1.0) on both sides; rdflib's isomorphism
    # check takes minutes on this many blank nodes
    assert canonical(a) == canonical(b)


def canonical(graph) -> set[str]:
    import pyoxigraph as ox

    ds = ox.Dataset(ox.parse(graph.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES))
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in ds}


def test_convert_twice_is_byte_identical(tmp_path):
    outs = []
    for n in (1, 2):
        out = tmp_path / f"{n}.nt"
        assert run("convert", CORPUS / "marcxml/marc2bibframe2__gwu.xml", "-o", out).returncode == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_convert_base_iri():
    proc = run("convert", DATA / "seed.txt", "--base", "https://catalogue.example/id/")
    assert proc.returncode == 0
    assert b"<https://catalogue.example/id/person/cherba-maria>" in proc.stdout


def test_explain_names_the_rule_of_every_triple():
    proc = run("explain", DATA / "seed.txt")
    assert proc.returncode == 0
    lines = proc.stdout.decode().splitlines()
    assert all("\t" in line and line.endswith(" .") for line in lines)
    rules = {line.split("\t")[0] for line in lines}
    assert {"bibframe:names.contribution", "bibframe:subjects.local", "bibframe:notes.summary"} <= rules


def test_a_broken_profile_is_a_usage_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nextends: bibframe\nrules:\n  - {id: x, match: '245', attach: {to: work, via: bf:title}, value: {frm: '$a'}}\n")
    proc = run("convert", DATA / "seed.txt", "--profile", bad)
    assert proc.returncode == 2
    assert f"{bad}:4: rule x: unknown key 'frm'".encode() in proc.stderr
    assert b"Traceback" not in proc.stderr


def test_profiles_lists_rules_and_transforms():
    proc = run("profiles")
    assert proc.returncode == 0 and b"bibframe" in proc.stdout and b"trim_punctuation" in proc.stdout
    proc = run("profiles", "bibframe")
    assert b"names.contribution\t100:110:111:700:710:711:720" in proc.stdout
