"""`marc2rdf load` and `marc2rdf query` on the embedded store: a graph per record, counts that
match the dump, reloads that change nothing, RDF files as they are, rejects and errors."""

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from marc2rdf.mapping import load_mappers
from marc2rdf.readers import read
from marc2rdf.readers.base import Read
from marc2rdf.store import EmbeddedWriter, dataset_graph, graph_of, open_graph, open_store, query, record_graph

from support import CORPUS, mapped_counts

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(str(p) for p in (ROOT / "examples" / "records").iterdir())
FSL = str(CORPUS / "iso2709/evergreen__FSL.mrc")  # 52 records, each with its own 001
EX = "http://example.org/"
IN_RECORD_GRAPHS = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g != <{EX}dataset>) }}"
IN_ALL_GRAPHS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def run(*args):
    proc = subprocess.run([sys.executable, "-m", "marc2rdf", *map(str, args)], capture_output=True, timeout=600)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def count(store_dir, sparql=IN_RECORD_GRAPHS) -> int:
    return int(next(iter(query(open_store(store_dir, read_only=True), sparql)))["n"].value)


def dump(store_dir) -> bytes:
    return open_store(store_dir, read_only=True).dump(format=ox.RdfFormat.N_QUADS)


def canonical(store_dir) -> set:
    ds = ox.Dataset(open_store(store_dir, read_only=True))
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in ds}


def quads_of(paths) -> set:
    """(graph, triple) for every triple of every record, graphs as the store names them."""
    (mapper,) = load_mappers(["bibframe"])
    out = set()
    for path in paths:
        for item in read(path):
            if isinstance(item, Read):
                out |= {(graph_of(mapper, item.record), *t) for t in mapper.map(item.record)}
    return out


def test_graph_names_follow_the_work_iris():
    assert record_graph(EX, "12883376") == f"<{EX}12883376>"
    assert record_graph(EX, "a b<c>") == f"<{EX}a%20b%3Cc%3E>"  # escaped as the Work IRI is
    assert dataset_graph(EX) == f"<{EX}dataset>"


def test_examples_load_as_their_n_quads_and_a_reload_changes_nothing(tmp_path):
    where = tmp_path / "new" / "store"  # parent directories are made
    code, _, err = run("load", *EXAMPLES, "--store", where)
    assert code == 0, err
    # 13 records, their triples as `convert` writes them, but two records (chabon-loc-marc8.mrc
    # and summerland.xml) share an id, hence a graph: fewer distinct (graph, triple) quads
    written, quads = mapped_counts(EXAMPLES)
    assert 1000 < quads < written
    assert f"13 records read, 13 loaded, 0 rejected, 1 repaired; {written:,} triples into 12 graphs" in err
    assert f"the store holds 12 graphs, {quads:,} triples" in err
    assert f"<{EX}12883376> ({EXAMPLES[-1]}: record 1" in err  # summerland.xml
    expected = quads_of(EXAMPLES)
    assert len(expected) == quads
    assert count(where) == quads
    description = count(where, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{EX}dataset> {{ ?s ?p ?o }} }}")
    assert count(where, IN_ALL_GRAPHS) == quads + description
    store = open_store(where, read_only=True)
    quads = {(f"<{q.graph_name.value}>", str(q.subject), str(q.predicate), str(q.object))
             for q in store if q.graph_name.value != f"{EX}dataset"}
    assert quads == expected  # the very terms of the mapping, blank node labels included
    before = dump(where)
    del store
    code, _, err = run("load", *EXAMPLES, "--store", where)
    assert code == 0, err
    assert dump(where) == before


def test_count_equals_the_lines_of_convert_when_ids_are_unique(tmp_path):
    code, nt, err = run("convert", FSL)
    assert code == 0, err
    lines = nt.splitlines()
    assert len(lines) == mapped_counts([FSL])[0] > 3000
    code, _, err = run("load", FSL, "--store", tmp_path / "s", "--batch-size", "7")
    assert code == 0, err
    assert count(tmp_path / "s") == len(lines)
    # a triple repeated across records (an agent's label) is in each record's graph, once
    assert len(set(lines)) < len(lines)


def test_reloading_a_changed_record_replaces_its_graph(tmp_path):
    where = tmp_path / "s"
    store = open_store(where)
    writer = EmbeddedWriter(store, EX, batch_size=2)
    g = record_graph(EX, "1")
    old = [(f"<{EX}1#Work>", "<http://purl.org/dc/terms/title>", '"old"'), ("_:b1", "<urn:p>", '"x"')]
    writer.add(g, old)
    writer.add(record_graph(EX, "2"), [(f"<{EX}2#Work>", "<http://purl.org/dc/terms/title>", '"two"')])
    writer.finish(["bibframe"])
    writer = EmbeddedWriter(store, EX)
    writer.add(g, [(f"<{EX}1#Work>", "<http://purl.org/dc/terms/title>", '"new"')])
    assert writer.finish(["bibframe"]) == []
    titles = {str(q.object) for q in store if q.graph_name == ox.NamedNode(f"{EX}1")}
    assert titles == {'"new"'}
    assert writer.totals() == (2, 2)


def test_a_record_whose_terms_do_not_parse_costs_that_record_only(tmp_path):
    store = open_store(tmp_path / "s")
    writer = EmbeddedWriter(store, EX, batch_size=10)
    good = [(f"<{EX}1#Work>", "<urn:p>", '"fine"')]
    bad = [(f"<{EX}2#Work>", "<urn:p>", '"x"@not a tag')]
    assert writer.add(record_graph(EX, "1"), good, "first") == []
    assert writer.add(record_graph(EX, "2"), bad, "second") == []
    events = writer.finish()
    assert [(kind, tag) for kind, tag, _ in events] == [("rejected", "second")]
    assert sorted({str(q.graph_name) for q in store}) == [f"<{EX}1>", f"<{EX}dataset>"]


def test_rejects_are_kept_and_the_rest_is_loaded(tmp_path):
    bad = CORPUS / "malformed/pymarc__bad_records.mrc"
    code, _, err = run("load", bad, "--store", tmp_path / "s", "--rejects", tmp_path / "rej.mrc")
    assert code == 3
    assert f"rejected {bad}: record 7, byte 764: no fields" in err
    assert "8 records read, 7 loaded, 1 rejected" in err and "Traceback" not in err
    assert (tmp_path / "rej.mrc").stat().st_size > 0
    # records without 001 are named by their content: identical ones share a graph
    assert "5 records share their id with an earlier record of this run (5 identical to it)" in err
    assert count(tmp_path / "s") == 30


def test_strict_stops_at_the_first_bad_record(tmp_path):
    bad = CORPUS / "malformed/marc4j__chabon-missing-subfield-code.xml"
    code, _, err = run("load", FSL, bad, "--store", tmp_path / "s", "--strict")
    assert code == 1
    assert "subfield of 020 without a code" in err and "Traceback" not in err


def test_rdf_files_load_as_they_are(tmp_path):
    code, nt, _ = run("convert", FSL)
    dump_file = tmp_path / "fsl.nt"
    dump_file.write_text(nt, encoding="utf-8")
    where = tmp_path / "s"
    code, _, err = run("load", dump_file, "--store", where)
    assert code == 0, err
    file_graph = dump_file.resolve().as_uri()
    in_file = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{file_graph}> {{ ?s ?p ?o }} }}"
    assert count(where, in_file) == len(set(nt.splitlines()))  # a graph is a set: the dump's distinct triples
    code, _, err = run("load", dump_file, "--store", where)
    assert count(where, in_file) == len(set(nt.splitlines()))
    # the store's own N-Quads, gzipped, load into a new store as the same dataset (blank nodes
    # of a file are named apart from any other file's)
    (tmp_path / "copy.nq.gz").write_bytes(gzip.compress(dump(where)))
    code, _, err = run("load", tmp_path / "copy.nq.gz", "--store", tmp_path / "copy")
    assert code == 0, err
    assert canonical(tmp_path / "copy") == canonical(where)


def test_an_rdf_file_with_a_syntax_error_is_not_loaded(tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text('<urn:a> <urn:b> "one" .\n<urn:a> <urn:b> oops .\n', encoding="utf-8")
    code, _, err = run("load", broken, FSL, "--store", tmp_path / "s")
    assert code == 2
    assert f"error: {broken}: " in err and "line 2" in err
    assert "52 records read, 52 loaded, 0 rejected" in err and "1 input(s) could not be read" in err
    assert count(tmp_path / "s", "ASK { <urn:a> ?p ?o }".replace("ASK", "SELECT (COUNT(*) AS ?n) WHERE")) == 0


def test_query_command_formats(tmp_path):
    where = tmp_path / "s"
    run("load", *EXAMPLES, "--store", where)
    q = tmp_path / "works.rq"
    q.write_text("SELECT ?w ?lang WHERE { ?w a bf:Work ; bf:language ?lang } ORDER BY ?w LIMIT 2\n")
    code, out, err = run("query", "--store", where, f"@{q}")
    assert code == 0, err
    assert out.splitlines() == [
        "w                                   lang",
        "----------------------------------  -------------",
        f"<{EX}11939876#Work>  languages:eng",
        f"<{EX}12883376#Work>  languages:eng",
        "(2 rows)",
    ]
    code, out, _ = run("query", "--store", where, f"@{q}", "--format", "csv")
    assert out.splitlines()[1] == f"{EX}11939876#Work,http://id.loc.gov/vocabulary/languages/eng"
    code, out, _ = run("query", "--store", where, f"@{q}", "--format", "json")
    assert json.loads(out)["head"]["vars"] == ["w", "lang"]
    code, out, _ = run("query", "--store", where, "ASK { ?w a bf:Work }")
    assert out == "true\n"
    code, out, _ = run("query", "--store", where, f"CONSTRUCT {{ ?w a bf:Work }} WHERE {{ GRAPH <{EX}5674874> {{ ?w a bf:Work }} }}",
                       "--format", "nt")
    assert out == f"<{EX}5674874#Work> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://id.loc.gov/ontologies/bibframe/Work> .\n"
    code, out, _ = run("query", "--store", where, f"DESCRIBE <{EX}5674874#Work>")
    assert out.startswith("@prefix ") and f"<{EX}5674874#Work>" in out


@pytest.mark.parametrize("args, message", [
    (["SELEC * WHERE {}"], "query: error at 1:1"),
    (["SELECT * WHERE { ?s ?p ?o }", "--format", "turtle"], "SELECT and ASK give results"),
    (["@/nonexistent.rq"], "/nonexistent.rq: cannot read"),
])
def test_query_errors_are_usage_errors(tmp_path, args, message):
    run("load", EXAMPLES[0], "--store", tmp_path / "s")
    code, _, err = run("query", "--store", tmp_path / "s", *args)
    assert code == 2 and message in err and "Traceback" not in err


def test_query_without_a_store(tmp_path):
    code, _, err = run("query", "--store", tmp_path / "none", "ASK {}")
    assert code == 2 and "no store here" in err


def test_rdflib_view_of_the_store(tmp_path):
    pytest.importorskip("oxrdflib", reason="the rdflib view needs the optional oxrdflib")
    run("load", *EXAMPLES, "--store", tmp_path / "s")
    ds = open_graph(tmp_path / "s")
    titles = {str(row.t) for row in ds.query(
        "PREFIX bf: <http://id.loc.gov/ontologies/bibframe/> "
        f"SELECT ?t WHERE {{ <{EX}5674874#Work> bf:title/bf:mainTitle ?t }}")}
    assert titles == {"The freewheelin' Bob Dylan"}


def test_dry_run_needs_no_store(tmp_path):
    code, out, err = run("load", EXAMPLES[1], "--endpoint", "http://127.0.0.1:9/store", "--dry-run")
    assert code == 0, err
    sizes = {}
    for graph, *_ in quads_of(EXAMPLES[1:2]):
        sizes[graph] = sizes.get(graph, 0) + 1
    assert out.splitlines() == [
        f"PUT http://127.0.0.1:9/store?graph={g[1:-1]} (graph {g}, {sizes[g]} triples)" for g in sorted(sizes)
    ]
    assert "dry run: 2 requests not sent" in err
