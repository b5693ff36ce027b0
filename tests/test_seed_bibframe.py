"""The project's first record, a Koha export of a journal article, in BIBFRAME 2."""

from functools import lru_cache

import rdflib
from rdflib import RDF, RDFS, Namespace, URIRef

from marc2rdf.mapping import load_mappers
from marc2rdf.readers import read

from support import SEED

BF = Namespace("http://id.loc.gov/ontologies/bibframe/")
RELATORS = Namespace("http://id.loc.gov/vocabulary/relators/")


@lru_cache(maxsize=1)
def seed_graph():
    (item,) = list(read(SEED))
    (mapper,) = load_mappers(["bibframe"])
    g = rdflib.Graph()
    g.parse(data="".join(f"{s} {p} {o} .\n" for s, p, o in mapper.map(item.record)), format="nt")
    return g


def the(g, s, p):
    (o,) = list(g.objects(s, p))
    return o


def test_work_and_instance():
    g = seed_graph()
    (work,) = [w for w in g.subjects(RDF.type, BF.Work) if str(w).endswith("#Work")]
    assert set(g.objects(work, RDF.type)) == {BF.Work, BF.Text, BF.Monograph}
    assert set(g.objects(work, BF.language)) == {URIRef("http://id.loc.gov/vocabulary/languages/fre")}
    (instance,) = [i for i in g.objects(work, BF.hasInstance) if str(i).endswith("#Instance")]
    assert the(g, instance, BF.instanceOf) == work
    title = the(g, instance, BF.title)
    assert str(the(g, title, BF.mainTitle)).startswith("Online social support as a mode of psychosocial intervention: A review")


def test_twelve_authors_cherba_first():
    g = seed_graph()
    contributions = list(g.subjects(RDF.type, BF.Contribution))
    assert len(contributions) == 12
    assert {the(g, c, BF.role) for c in contributions} == {RELATORS.aut}
    (primary,) = list(g.subjects(RDF.type, BF.PrimaryContribution))
    assert str(the(g, the(g, primary, BF.agent), RDFS.label)) == "Cherba, Maria"
    names = {str(the(g, the(g, c, BF.agent), RDFS.label)) for c in contributions}
    assert {"Thoër, Christine", "Muloin, Céline", "Laquerre, Marie-Emmanuelle"} <= names
    assert all(isinstance(the(g, c, BF.agent), URIRef) for c in contributions)  # minted, shareable


def test_local_subjects_summary_locator_identifier_and_host():
    g = seed_graph()
    subjects = {str(the(g, s, RDFS.label)) for w in g.subjects(RDF.type, BF.Work) for s in g.objects(w, BF.subject)}
    assert subjects == {"social support", "online interventions", "literature review", "peer support"}
    (summary,) = list(g.objects(None, BF.summary))
    assert str(the(g, summary, RDFS.label)).startswith("Objective: The goal of this review")
    (locator,) = list(g.objects(None, BF.electronicLocator))
    assert str(locator) == "https://shs.cairn.info/journal-sante-publique-2019-1-page-83?lang=en&redirect-ssocas=7080"
    local_ids = {str(the(g, i, RDF.value)) for i in g.subjects(RDF.type, BF.Local)}
    assert "587322" in local_ids  # Koha's 999 $c
    (relation,) = list(g.subjects(RDF.type, BF.Relation))
    assert the(g, relation, BF.relationship) == URIRef("http://id.loc.gov/vocabulary/relationship/datasource")
    host = the(g, relation, BF.associatedResource)
    notes = {str(the(g, n, RDFS.label)) for i in g.objects(host, BF.hasInstance) for n in g.objects(i, BF.note)}
    assert notes == {"Santé Publique | 31 | 1 | 2019-05-14 | p. 83-92 | 0995-3914"}


def test_same_output_on_every_run():
    (item,) = list(read(SEED))
    (a,) = load_mappers(["bibframe"])
    assert a.map(item.record) == a.map(item.record)
