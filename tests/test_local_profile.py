"""The seed through the local profile of the library that produced it (examples/profiles/koha-article.yaml,
extending both shipped profiles), and through the shipped schema profile alone: the complete expected graphs
are pinned (tests/data/seed-koha-article.nt, tests/data/seed-schema.nt; isomorphism), and the facts the
library cares about are asserted one by one.

Regenerate the golden files on purpose, and review the diff:  python tests/test_local_profile.py
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import rdflib
from rdflib import RDF, RDFS, XSD, Literal, Namespace, URIRef

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import schemaorg  # noqa: E402

from marc2rdf.mapping import Profile, load_mappers, profile_path  # noqa: E402
from marc2rdf.readers import read  # noqa: E402

from support import DATA, SEED, assert_isomorphic  # noqa: E402

LOCAL = HERE.parent / "examples" / "profiles" / "koha-article.yaml"
GOLDEN = {"koha-article": DATA / "seed-koha-article.nt", "schema": DATA / "seed-schema.nt"}
SDO = Namespace("https://schema.org/")
BF = Namespace("http://id.loc.gov/ontologies/bibframe/")
WORK = URIRef("http://example.org/587322#Work")
INSTANCE = URIRef("http://example.org/587322#Instance")
AUTHORS = ["Cherba, Maria", "Thoër, Christine", "Turbide, Olivier", "Denault, Vincent", "Renaud, Lise",
           "Valderrama, Alena", "Courcy, Isabelle", "Cordelier, Benoit", "Laquerre, Marie-Emmanuelle", "Cyr, Claude",
           "Hovington, Jacinthe", "Muloin, Céline"]


def seed_record():
    (item,) = list(read(SEED))
    return item.record


def mapper(name: str):
    return Profile(LOCAL).compile() if name == "koha-article" else load_mappers([name])[0]


def ntriples(name: str) -> str:
    return "".join(sorted(f"{s} {p} {o} .\n" for s, p, o in mapper(name).map(seed_record())))


@cache
def graph(name: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=ntriples(name), format="nt")


def the(g, s, p):
    (o,) = list(g.objects(s, p))
    return o


def assert_golden(name: str) -> None:
    assert_isomorphic(graph(name), rdflib.Graph().parse(GOLDEN[name], format="nt"), name)


def test_complete_graph_with_the_local_profile():
    assert_golden("koha-article")


def test_complete_graph_with_the_shipped_schema_profile():
    assert_golden("schema")


def test_the_record_id_is_the_koha_biblionumber():
    g = graph("koha-article")
    assert (WORK, RDF.type, BF.Work) in g and (INSTANCE, BF.instanceOf, WORK) in g


def test_a_scholarly_article_with_its_twelve_authors():
    g = graph("koha-article")
    assert set(g.objects(WORK, RDF.type)) == {BF.Work, BF.Text, BF.Monograph, SDO.ScholarlyArticle}
    authors = list(g.objects(WORK, SDO.author))
    assert len(authors) == 12 and not list(g.objects(WORK, SDO.contributor))
    assert sorted(str(the(g, a, SDO.name)) for a in authors) == sorted(AUTHORS)
    assert all((a, RDF.type, SDO.Person) in g for a in authors)
    # the same agents as the BIBFRAME contributions
    assert set(authors) == {the(g, c, BF.agent) for c in g.objects(WORK, BF.contribution)}
    cherba = URIRef("http://example.org/person/cherba-maria")
    assert (str(the(g, cherba, SDO.familyName)), str(the(g, cherba, SDO.givenName))) == ("Cherba", "Maria")


def test_language_topics_abstract_and_url():
    g = graph("koha-article")
    assert list(g.objects(WORK, SDO.inLanguage)) == [Literal("fr")]
    topics = list(g.objects(WORK, SDO.about))
    assert sorted(str(the(g, t, SDO.name)) for t in topics) == ["literature review", "online interventions",
                                                                 "peer support", "social support"]
    assert set(topics) == set(g.objects(WORK, BF.subject))  # one node per heading in both vocabularies
    assert all((t, RDF.type, SDO.DefinedTerm) in g for t in topics)
    assert str(the(g, WORK, SDO.abstract)).startswith("Objective: The goal of this review is to present")
    assert str(the(g, WORK, SDO.abstract)).endswith("the evaluation of interventions.")
    assert the(g, WORK, SDO.url) == URIRef(
        "https://shs.cairn.info/journal-sante-publique-2019-1-page-83?lang=en&redirect-ssocas=7080")
    assert the(g, WORK, SDO.datePublished) == Literal("2019", datatype=XSD.gYear)


def test_host_journal_volume_issue_and_pages_in_schema_org():
    g = graph("koha-article")
    assert the(g, WORK, SDO.pageStart) == Literal(83) and the(g, WORK, SDO.pageEnd) == Literal(92)
    issue = the(g, WORK, SDO.isPartOf)
    assert (issue, RDF.type, SDO.PublicationIssue) in g
    assert the(g, issue, SDO.issueNumber) == Literal("1")
    assert the(g, issue, SDO.datePublished) == Literal("2019-05-14", datatype=XSD.date)
    volume = the(g, issue, SDO.isPartOf)
    assert (volume, RDF.type, SDO.PublicationVolume) in g and the(g, volume, SDO.volumeNumber) == Literal("31")
    journal = the(g, volume, SDO.isPartOf)
    assert journal == URIRef("https://portal.issn.org/resource/ISSN/0995-3914")
    assert (journal, RDF.type, SDO.Periodical) in g
    assert the(g, journal, SDO.name) == Literal("Santé Publique") and the(g, journal, SDO.issn) == Literal("0995-3914")
    assert not list(g.objects(WORK, SDO.isBasedOn))  # the shipped reading of 786 is overridden


def test_host_journal_in_bibframe():
    g = graph("koha-article")
    host = the(g, INSTANCE, BF.partOf)
    assert (host, RDF.type, BF.Instance) in g
    assert str(the(g, the(g, host, BF.title), BF.mainTitle)) == "Santé Publique"
    issn = the(g, host, BF.identifiedBy)
    assert (issn, RDF.type, BF.Issn) in g and str(the(g, issn, RDF.value)) == "0995-3914"
    enumeration = the(g, host, BF.enumerationAndChronology)
    assert (enumeration, RDF.type, BF.Enumeration) in g and str(the(g, enumeration, RDFS.label)) == "vol. 31, no. 1"
    assert str(the(g, host, BF.date)) == "2019-05-14"
    assert str(the(g, the(g, INSTANCE, BF.extent), RDFS.label)) == "p. 83-92"
    assert not list(g.subjects(RDF.type, BF.Relation))  # no data-source relation any more


def test_terms_exist_in_both_vocabularies():
    from test_bibframe_terms import BUILTIN, ontology_terms

    triples = Profile(LOCAL).compile().map(seed_record())
    undefined, violations = schemaorg.check(triples)
    assert (undefined, violations) == ([], [])
    bf = {t[1:-1] for s, p, o in triples for t in (p, o if p.endswith("#type>") else "")
          if t.startswith("<http://id.loc.gov/ontologies/")}
    assert sorted(bf - ontology_terms() - BUILTIN) == []


def test_the_local_profile_is_short_and_changes_rules_by_id():
    text = LOCAL.read_text(encoding="utf-8")
    assert "extends: [bibframe, schema]" in text and len(text.splitlines()) < 50
    local = Profile(LOCAL)
    shipped = [r["id"] for name in ("bibframe", "schema") for r, _ in Profile(profile_path(name)).rules]
    assert [r["id"] for r, _ in local.rules] == shipped  # overridden in place, nothing added or lost
    assert [r["id"] for r, file in local.rules if file == str(LOCAL)] == ["links.data_source", "schema.links.data_source"]
    assert local.record["id"] == ["999c"]


def test_bibframe_and_schema_together_share_iris_and_never_blank_nodes():
    (item,) = list(read(SEED))
    bf, sdo = load_mappers(["bibframe", "schema"])
    a, b = bf.map(item.record), sdo.map(item.record)
    assert {s for s, _, _ in a if s.startswith("_:")}.isdisjoint({t for t in (x for tr in b for x in (tr[0], tr[2]))
                                                                  if t.startswith("_:")})
    work = bf.context(item.record).nodes["work"]
    assert work == sdo.context(item.record).nodes["work"] and work.endswith('#Work>')
    assert {o for s, p, o in a if p.endswith("/agent>")} == {o for s, p, o in b if p == f"<{SDO.author}>"}


def regenerate() -> None:
    for name, path in GOLDEN.items():
        path.write_text(ntriples(name), encoding="utf-8")
        print(f"wrote {path.relative_to(HERE.parent)}")


if __name__ == "__main__":
    regenerate()
