"""Every class and property the BIBFRAME profile can emit exists in BIBFRAME 2.6 or BFLC (or in
RDF/RDFS/XSD), every IRI it emits is valid, and literals are well typed; checked on the rules
themselves and on the output for the whole corpus."""

from __future__ import annotations

import re
from functools import lru_cache

import pytest
import rdflib
from rdflib import RDF

from marc2rdf.mapping import load_mappers
from marc2rdf.readers import read
from marc2rdf.readers.base import Read

from support import CORPUS, DATA

BUILTIN = {str(RDF.type), str(RDF.value), "http://www.w3.org/2000/01/rdf-schema#label"}
# MADS/RDF, whose ontology is not among the vocabularies at hand: the one property the profile
# takes from it links an agent to its authority record, as LC's converter does (checked below
# against LC's own output)
MADS_ALLOWED = {"http://www.loc.gov/mads/rdf/v1#isIdentifiedByAuthority"}
IRIREF = re.compile(r'^<[^\x00-\x20<>"{}|^`\\]*>$')
ABSOLUTE = re.compile(r"^<[A-Za-z][A-Za-z0-9+.-]*:")
# EDTF level 1 as the profile writes it: a year (X for unknown digits), an interval whose end may
# be open (..) or unknown (empty), approximate years with ~
EDTF = re.compile(r"^(\d{4}|\d{2}XX|\d{3}X|XXXX)(~)?(/(\d{4}|\d{2}XX|\d{3}X|\.\.|)(~)?)?$")


@lru_cache(maxsize=1)
def ontology_terms() -> set[str]:
    g = rdflib.Graph()
    g.parse(DATA / "vocab" / "bibframe.rdf")
    g.parse(DATA / "vocab" / "bflc.rdf")
    return {str(s) for s in g.subjects() if isinstance(s, rdflib.URIRef)}


@lru_cache(maxsize=1)
def corpus_output():
    (mapper,) = load_mappers(["bibframe"])
    triples = []
    for path in sorted(CORPUS.rglob("*")):
        if path.is_file() and path.suffix in (".mrc", ".xml", ".json", ".mrk") and "malformed" not in path.parts:
            for item in read(path):
                if isinstance(item, Read):
                    triples.extend(mapper.map(item.record))
    return mapper, triples


def test_every_term_the_rules_name_exists():
    mapper, _ = corpus_output()
    known = ontology_terms() | BUILTIN | MADS_ALLOWED
    assert mapper.terms, "the compiler collects the terms"
    assert sorted(t for t in mapper.terms if t not in known) == []


def test_every_term_emitted_on_the_corpus_exists():
    _, triples = corpus_output()
    known = ontology_terms() | BUILTIN | MADS_ALLOWED
    predicates = {p[1:-1] for _, p, _ in triples}
    classes = {o[1:-1] for _, p, o in triples if p == f"<{RDF.type}>"}
    assert len(triples) > 50_000
    assert sorted((predicates | classes) - known) == []


def test_the_mads_property_is_lcs_own_and_used_as_lc_uses_it():
    """LC's output states it from agents of contributions and from names as subjects; ours
    states exactly LC's links where LC's output has any (the names-with-URIs test file)."""
    mads = rdflib.URIRef(next(iter(MADS_ALLOWED)))
    lc = rdflib.Graph()
    lc.parse(DATA / "reference-bibframe" / "marc2bibframe2__ConvSpec-1XX-6XX-7XX-8XX-names__marc_uris.rdf")
    lc_links = {(str(a), str(t)) for a, t in lc.subject_objects(mads)}
    assert len(lc_links) == 8
    (mapper,) = load_mappers(["bibframe"])
    ours = set()
    for item in read(CORPUS / "marcxml" / "marc2bibframe2__ConvSpec-1XX-6XX-7XX-8XX-names__marc_uris.xml"):
        if isinstance(item, Read):
            ours |= {(s[1:-1], o[1:-1]) for s, p, o in mapper.map(item.record) if p == f"<{mads}>"}
    # the authority records are LC's (a $0 beside a $1, an LC name $0, the LC name of a $1 real-world
    # object); the agents too, but where LC takes an id.loc.gov $0 over the $1 beside it (the same
    # person as another field's $1), ours keeps the $1: one node per person
    assert {t for _, t in ours} == {t for _, t in lc_links}
    assert ours - lc_links == {("http://viaf.org/viaf/27297150/", "http://id.loc.gov/authorities/names/n83170323")}


def test_every_iri_is_valid_and_absolute():
    _, triples = corpus_output()
    bad = [t for t in {term for triple in triples for term in triple} if t.startswith("<") and not (IRIREF.match(t) and ABSOLUTE.match(t))]
    assert bad == []


def test_literals_are_well_typed():
    _, triples = corpus_output()
    typed = {o for _, _, o in triples if o.startswith('"') and '"^^<' in o}
    for lit in typed:
        value, _, dt = lit.rpartition("^^")
        value = value[1:-1]
        if dt == "<http://id.loc.gov/datatypes/edtf>":
            assert EDTF.match(value), lit
        elif dt.endswith("#date>"):
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), lit
        elif dt.endswith("#dateTime>"):
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", value), lit
        else:
            pytest.fail(f"unexpected datatype {dt}")


def test_output_parses_as_ntriples():
    _, triples = corpus_output()
    g = rdflib.Graph()
    g.parse(data="".join(f"{s} {p} {o} .\n" for s, p, o in triples[:20000]), format="nt")
    assert len(g) > 0


def test_no_blank_node_is_only_its_classes():
    """A blank node whose properties all gave nothing (LC's converter writes them: a 246 with no
    title in it, a 260 with no place, publisher or date) is left out with the link to it, over
    the whole corpus; nor does any link point at a blank node that is not described."""
    _, triples = corpus_output()
    rdf_type = f"<{RDF.type}>"
    preds: dict[str, set[str]] = {}
    for s, p, _ in triples:
        preds.setdefault(s, set()).add(p)
    assert [s for s, ps in preds.items() if s.startswith("_:") and ps == {rdf_type}] == []
    assert {o for _, _, o in triples if o.startswith("_:")} <= set(preds)
