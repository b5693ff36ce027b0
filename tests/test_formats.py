"""RDF syntaxes: every format of the same records is the same graph, read by two parsers."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib

from marc2rdf.cli import main
from marc2rdf.serialize import FORMATS, Unwritable, make_format
from marc2rdf.serialize.jsonld import load_context
from marc2rdf.vocab import PREFIXES

from support import CORPUS

# 219 real records with distinct record ids: MARCXML (99), MARC-8 ISO 2709 in French (100) and
# Hebrew with 880 fields (20)
INPUTS = [
    CORPUS / "marcxml/marc2bibframe2__gwu.xml",
    CORPUS / "iso2709/evergreen__lul_fre_100.mrc",
    CORPUS / "iso2709/evergreen__hebrew.mrc",
]
OX = {
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "turtle": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "jsonld-lines": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}
# rdflib's own parsers call its deprecated APIs
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
RDFLIB = {"nt": "nt", "nq": "nquads", "turtle": "turtle", "jsonld": "json-ld", "jsonld-lines": "json-ld", "xml": "xml"}


def canonical(quads) -> set[str]:
    """The graph (named graphs merged) with its blank nodes canonicalized (RDFC-1.0)."""
    ds = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in ds}


def documents(fmt: str, data: bytes) -> list[bytes]:
    return data.splitlines() if fmt == "jsonld-lines" else [data]


def with_oxigraph(fmt: str, data: bytes) -> list:
    return [q for doc in documents(fmt, data) for q in ox.parse(doc, OX[fmt])]


def with_rdflib(fmt: str, data: bytes) -> list:
    if fmt == "nq":  # read as a dataset; the graph names are checked on their own below
        return [q for g in rdflib.Dataset().parse(data=data, format="nquads").graphs()
                for q in with_rdflib("nt", g.serialize(format="nt", encoding="utf-8"))]
    text = b"".join(rdflib.Graph().parse(data=doc, format=RDFLIB[fmt]).serialize(format="nt", encoding="utf-8")
                    for doc in documents(fmt, data))
    return list(ox.parse(text, ox.RdfFormat.N_TRIPLES))


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, bytes]:
    out = {}
    for fmt in FORMATS:
        path = tmp_path_factory.mktemp("formats") / fmt
        args = ["--jsonld-lines"] if fmt == "jsonld-lines" else ["-t", fmt]
        assert main(["convert", *map(str, INPUTS), *args, "-o", str(path), "--no-progress"]) == 0
        out[fmt] = path.read_bytes()
    return out


def test_every_format_is_the_same_graph_for_both_parsers(outputs):
    expected = canonical(with_oxigraph("nt", outputs["nt"]))
    assert len(expected) > 20_000
    for fmt, data in outputs.items():
        assert canonical(with_oxigraph(fmt, data)) == expected, f"{fmt} read by pyoxigraph"
        assert canonical(with_rdflib(fmt, data)) == expected, f"{fmt} read by rdflib"


def test_nquads_put_each_record_in_the_graph_named_by_its_work(outputs):
    quads = list(ox.parse(outputs["nq"], ox.RdfFormat.N_QUADS))
    works = {q.subject.value for q in quads if q.subject.value.endswith("#Work")}
    graphs = {q.graph_name.value for q in quads}
    assert len(works) == 219 and graphs == {w.removesuffix("#Work") for w in works}
    for q in quads:  # the record's own nodes are in the record's graph
        if isinstance(q.subject, ox.NamedNode) and "#" in q.subject.value:
            assert q.subject.value.split("#")[0] == q.graph_name.value


def test_turtle_reads_well(outputs):
    text = outputs["turtle"].decode()
    head, _, body = text.partition("\n\n")
    assert head.splitlines() == [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items()]
    first = body.split(" .\n")[0]
    assert first.startswith("<http://example.org/") and "#Work> a bf:Work" in first.splitlines()[0]
    assert "    bf:title [\n        a bf:Title ;\n        bf:mainTitle " in first
    assert "<http://id.loc.gov/ontologies/" not in body  # every BIBFRAME term has its prefix
    assert "\n_:" not in body  # blank nodes used once are nested, never labelled


def test_jsonld_is_compact_and_framed_around_the_work(outputs):
    lines = outputs["jsonld-lines"].splitlines()
    assert len(lines) == 219
    context = load_context()
    for line in lines:
        doc = json.loads(line)
        assert list(doc)[:3] == ["@context", "@id", "@type"] and doc["@context"] == context
        assert doc["@id"].endswith("#Work") and "bf:Work" in doc["@type"]
        instances = doc["bf:hasInstance"]  # the Instances are embedded in their Work
        for instance in instances if isinstance(instances, list) else [instances]:
            assert instance["@id"].startswith(doc["@id"].removesuffix("Work"))
            assert instance["bf:instanceOf"] == {"@id": doc["@id"]}
    whole = json.loads(outputs["jsonld"])
    assert whole["@context"] == context and len(whole["@graph"]) == 219
    assert [json.loads(line)["@id"] for line in lines] == [tree["@id"] for tree in whole["@graph"]]


@pytest.mark.parametrize("name", ["bibframe", "schema"])
def test_the_shipped_contexts_declare_every_prefix_the_profiles_use(name):
    assert {p: ns for p, ns in load_context(name).items() if p in PREFIXES} == PREFIXES


def test_jsonld_context_by_reference(tmp_path):
    out = tmp_path / "x.jsonl"
    iri = "https://example.org/contexts/bibframe.jsonld"
    assert main(["convert", str(CORPUS / "iso2709/marc4j__chabon.mrc"), "--jsonld-lines",
                 "--jsonld-context", iri, "-o", str(out)]) == 0
    assert [json.loads(line)["@context"] for line in out.read_bytes().splitlines()] == [iri, iri]


# triples a real record does not have: escapes, blank node shapes, names no syntax can shorten
EDGE = [
    ("<http://example.org/1#Work>", f"<{PREFIXES['rdf']}type>", f"<{PREFIXES['bf']}Work>"),
    ("<http://example.org/1#Work>", f"<{PREFIXES['bf']}note>", '"a \\"quote\\", a \\\\ and\\na line\\tbreak\\r"'),
    ("<http://example.org/1#Work>", f"<{PREFIXES['bf']}note>", '"<&>]]> ünï 東海道 \\u0001"@ja-Jpan'),
    ("<http://example.org/1#Work>", f"<{PREFIXES['bf']}date>", f'"1999"^^<{PREFIXES["xsd"]}gYear>'),
    ("<http://example.org/1#Work>", f"<{PREFIXES['bf']}date>", '"19uu"^^<http://id.loc.gov/datatypes/edtf>'),
    ("<http://example.org/1#Work>", "<http://example.org/p/x.y>", "<http://example.org/a(b)>"),
    ("<http://example.org/1#Work>", f"<{PREFIXES['bf']}part>", "_:shared"),
    ("<http://example.org/1#Work>", f"<{PREFIXES['bf']}relatedTo>", "_:shared"),
    ("_:shared", f"<{PREFIXES['rdfs']}label>", '"used twice"'),
    ("_:a", f"<{PREFIXES['bf']}relatedTo>", "_:b"),  # a cycle of blank nodes used once each
    ("_:b", f"<{PREFIXES['bf']}relatedTo>", "_:a"),
    ("_:self", f"<{PREFIXES['bf']}relatedTo>", "_:self"),
    ("<http://example.org/1#Work>", f"<{PREFIXES['bf']}empty>", "_:nothing"),
    ("<http://example.org/other>", f"<{PREFIXES['relators']}aut>", f"<{PREFIXES['relators']}>"),
]


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_edge_cases_round_trip(name):
    expected = canonical(ox.parse("".join(f"{s} {p} {o} .\n" for s, p, o in EDGE), ox.RdfFormat.N_TRIPLES))
    fmt = make_format(name)
    triples = [t for t in EDGE if "\\u0001" not in t[2]] if name == "xml" else EDGE
    body = fmt.record(triples, "<http://example.org/1>", "<http://example.org/1#Work>")
    data = fmt.header() + body + fmt.footer()
    if name == "xml":
        expected = {q for q in expected if "\\u0001" not in q}
    assert canonical(with_oxigraph(name, data)) == expected
    assert canonical(with_rdflib(name, data)) == expected


def test_what_xml_cannot_carry_is_unwritable():
    with pytest.raises(Unwritable, match="U\\+0001"):
        make_format("xml").record([EDGE[2]])
    with pytest.raises(Unwritable, match="no XML element name"):
        make_format("xml").record([("<http://example.org/s>", "<http://example.org/p/1>", '"x"')])


def test_an_unwritable_record_is_rejected_and_the_run_goes_on(tmp_path, capsys):
    line = (CORPUS / "json/traject__test_data.utf8.json").read_bytes().splitlines()[0]
    record = json.loads(line)
    for field in record["fields"]:
        if "245" in field:
            field["245"]["subfields"][0]["a"] += "\u0007"
    src = tmp_path / "in.json"
    src.write_bytes(json.dumps(record).encode() + b"\n" + line + b"\n")
    out, rejects = tmp_path / "out.rdf", tmp_path / "bad.json"
    status = main(["convert", str(src), "-t", "xml", "-o", str(out), "--rejects", str(rejects)])
    err = capsys.readouterr().err
    assert status == 3
    assert f"rejected {src}: record 1, line 1, byte 0" in err and "cannot be written as xml: character U+0007" in err
    assert "2 records read, 1 converted, 1 rejected" in err
    assert rejects.read_bytes().rstrip(b"\n") == json.dumps(record).encode()
    assert len(list(ox.parse(out.read_bytes(), ox.RdfFormat.RDF_XML))) > 10


def test_a_context_with_a_vocab_gives_bare_words():
    schema = PREFIXES["schema"]
    triples = [
        ("<http://example.org/1#Work>", f"<{PREFIXES['rdf']}type>", f"<{schema}Book>"),
        ("<http://example.org/1#Work>", f"<{schema}name>", '"Walden"@en'),
        ("<http://example.org/1#Work>", f"<{schema}author>", "<http://example.org/person/thoreau>"),
        ("<http://example.org/1#Work>", f"<{schema}datePublished>", f'"1854"^^<{PREFIXES["xsd"]}gYear>'),
        ("<http://example.org/1#Work>", f"<{PREFIXES['bf']}genreForm>", f"<{schema}Novel>"),
    ]
    fmt = make_format("jsonld-lines", context="schema")
    data = fmt.record(triples, focus="<http://example.org/1#Work>")
    doc = json.loads(data)
    assert doc["@context"]["@vocab"] == schema
    assert doc["@type"] == "Book" and doc["name"] == {"@value": "Walden", "@language": "en"}
    assert doc["author"] == {"@id": "http://example.org/person/thoreau"}
    assert doc["bf:genreForm"] == {"@id": "schema:Novel"}  # @vocab is for properties and classes only
    expected = canonical(ox.parse("".join(f"{s} {p} {o} .\n" for s, p, o in triples), ox.RdfFormat.N_TRIPLES))
    assert canonical(with_oxigraph("jsonld-lines", data)) == expected == canonical(with_rdflib("jsonld-lines", data))


def _unique_keys(pairs):
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), f"a key twice in one object: {keys}"
    return dict(pairs)


def _as_json_dumps_writes(line: str) -> str:
    return json.dumps(json.loads(line, object_pairs_hook=_unique_keys), ensure_ascii=False, separators=(",", ":"))


def test_jsonld_text_is_what_json_dumps_writes_for_its_tree(outputs):
    # the trees are written as text directly: each line must be the text json.dumps gives for the
    # tree it parses to, with no key twice in an object
    lines = outputs["jsonld-lines"].decode("utf-8").splitlines()
    assert len(lines) == 219
    for line in lines:
        assert _as_json_dumps_writes(line) == line


def test_jsonld_literals_with_escapes_language_and_datatype():
    bf, xsd = PREFIXES["bf"], PREFIXES["xsd"]
    work = "<http://example.org/1#Work>"
    triples = [
        (work, f"<{PREFIXES['rdf']}type>", f"<{bf}Work>"),
        (work, f"<{bf}note>", '"say \\"hi\\" \\\\ back\\nslash\\ttab \\u0001 é"'),  # N-Triples escapes
        (work, f"<{bf}summary>", '"plain é ü 日本"'),
        (work, f"<{bf}title>", '"Война и мир"@ru-Cyrl'),
        (work, f"<{bf}date>", f'"1869"^^<{xsd}gYear>'),
        (work, f"<{bf}code>", f'"x"^^<{xsd}string>'),
        (work, f"<{bf}subject>", "_:b1"),
        (work, f"<{bf}subject>", "_:b2"),
        ("_:b1", f"<{PREFIXES['rdfs']}label>", '"one"'),
        ("_:b2", f"<{PREFIXES['rdfs']}label>", '"two \\"2\\""'),
        (work, f"<{bf}genreForm>", "<http://id.loc.gov/authorities/genreForms/gf2014026339>"),
    ]
    fmt = make_format("jsonld-lines")
    line = fmt.record(triples, focus=work).decode("utf-8").rstrip("\n")
    assert _as_json_dumps_writes(line) == line
    doc = json.loads(line)
    assert doc["bf:note"] == 'say "hi" \\ back\nslash\ttab \x01 é'
    assert doc["bf:summary"] == "plain é ü 日本"
    assert doc["bf:title"] == {"@value": "Война и мир", "@language": "ru-Cyrl"}
    assert doc["bf:date"] == {"@value": "1869", "@type": "xsd:gYear"}
    assert doc["bf:code"] == "x"  # xsd:string is a plain literal
    assert [s["rdfs:label"] for s in doc["bf:subject"]] == ["one", 'two "2"']
    assert doc["bf:genreForm"] == {"@id": "http://id.loc.gov/authorities/genreForms/gf2014026339"}
    expected = canonical(ox.parse("".join(f"{s} {p} {o} .\n" for s, p, o in triples), ox.RdfFormat.N_TRIPLES))
    assert canonical(with_oxigraph("jsonld-lines", line.encode())) == expected
