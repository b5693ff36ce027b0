"""The SPARQL queries of examples/queries, each on the store built from examples/records with
`marc2rdf load`, each with its expected answer, row for row."""

import itertools
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from marc2rdf.store import open_store, query
from marc2rdf.store.query import compact

from support import mapped_counts

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "examples" / "queries"
EX = "http://example.org/"
EXAMPLES = sorted(str(p) for p in (ROOT / "examples" / "records").iterdir())

SEED_AUTHORS = ["Cherba, Maria", "Cordelier, Benoit", "Courcy, Isabelle", "Cyr, Claude", "Denault, Vincent",
                "Hovington, Jacinthe", "Laquerre, Marie-Emmanuelle", "Muloin, Céline", "Renaud, Lise",
                "Thoër, Christine", "Turbide, Olivier", "Valderrama, Alena"]

EXPECTED = {
    "authors-with-most-works": [
        (f"<{EX}person/deer-doe-jane-1957>", "Deer-Doe, Jane, 1957-", "7"),
        (f"<{EX}person/chabon-michael>", "Chabon, Michael", "2"),
        (f"<{EX}person/cherba-maria>", "Cherba, Maria", "1"),
        (f"<{EX}person/cordelier-benoit>", "Cordelier, Benoit", "1"),
        (f"<{EX}person/courcy-isabelle>", "Courcy, Isabelle", "1"),
        (f"<{EX}person/cyr-claude>", "Cyr, Claude", "1"),
        (f"<{EX}person/deer-doe-j-jane-saint-1355-1401-spirit>", "Deer-Doe, J. (Jane), saint, 1355-1401, spirit", "1"),
        (f"<{EX}person/denault-vincent>", "Denault, Vincent", "1"),
        (f"<{EX}person/hovington-jacinthe>", "Hovington, Jacinthe", "1"),
        (f"<{EX}person/laquerre-marie-emmanuelle>", "Laquerre, Marie-Emmanuelle", "1"),
    ],
    # the seed's twelve authors have no other work in the examples: the network is their clique
    "seed-coauthor-network": [(a, b, "1") for a, b in itertools.combinations(SEED_AUTHORS, 2)],
    "subjects-by-thesaurus": [
        ("http://id.loc.gov/authorities/subjects", "8", "2"),
        ("(none)", "6", "8"),
        ("http://id.loc.gov/authorities/childrensSubjects", "3", "1"),
    ],
    # the seed (a Koha export without 008) has no coded date, so it is in no decade
    "works-per-decade": [("1950s", "8"), ("1960s", "1"), ("2000s", "2")],
    # the examples are loaded without enrichment: no owl:sameAs at all (see test_wikidata_links)
    "records-linked-to-wikidata": [],
    "instances-without-identifiers": [
        (f"<{EX}11939876#Electronic1>", ""),
        (f"<{EX}5674874#Electronic1>", ""),
        (f"<{EX}r3df0073341434b2f#Electronic1>", ""),
        (f"<{EX}tes96000001#Instance>", "New test record number 1 with ordinary data"),
    ],
    "same-agent-across-records": [
        (f"<{EX}person/deer-doe-jane-1957>", "Deer-Doe, Jane, 1957-", "7"),
        # two records (chabon-loc-marc8.mrc and summerland.xml share the id of Summerland)
        (f"<{EX}person/chabon-michael>", "Chabon, Michael", "2"),
    ],
    "works-by-language": [("languages:spa", "7"), ("languages:eng", "4"), ("languages:fre", "1")],
    "top-publishers": [
        ("Library of Congress", "8", "Washington, DC"),
        ("Columbia", "1", "New York, N.Y."),
        ("Miramax Books/Hyperion Books for Children", "1", "New York"),
        ("Random House", "1", "New York"),
    ],
    "find-by-isbn": [(f"<{EX}11939876#Instance>", "The amazing adventures of Kavalier and Clay", "Chabon, Michael")],
    "genre-forms": [
        ("<http://id.loc.gov/vocabulary/marcgt/fic>", "fiction", "2"),
        (f"<{EX}genreform/bildungsromane>", "Bildungsromane", "1"),
        (f"<{EX}genreform/humorous-stories>", "Humorous stories", "1"),
    ],
    # 13 records, 12 graphs (two records share an id); the triples are those of the N-Quads dump
    "dataset-description": [(f"<{EX}dataset>", "12", str(mapped_counts(EXAMPLES)[1]), "bibframe")],
    # the journal hosting the seed article (786) is a work known by a note only
    "works-without-title": True,
}

WORK_TITLES = {
    "11939876": "The amazing adventures of Kavalier and Clay",
    "12883376": "Summerland",
    "5674874": "The freewheelin' Bob Dylan",
    "r3df0073341434b2f": "Online social support as a mode of psychosocial intervention: A review of scientific "
                         "literature, avenues for future research, and recommendations for practitioners",
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    where = tmp_path_factory.mktemp("examples") / "store"
    records = sorted(str(p) for p in (ROOT / "examples" / "records").iterdir())
    proc = subprocess.run([sys.executable, "-m", "marc2rdf", "load", *records, "--store", str(where)],
                          capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    return open_store(where, read_only=True)


def rows(results) -> list[tuple]:
    names = [v.value for v in results.variables]
    return [tuple(compact(row[n]) for n in names) for row in results]


def text(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def test_every_query_opens_with_its_question_and_is_tested():
    names = {p.stem for p in QUERIES.glob("*.rq")}
    assert len(names) >= 12
    assert names == set(EXPECTED) | {"work-cards"}
    for name in names:
        assert text(name).startswith("# "), f"{name}.rq: the header comment says what it answers"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_query_answers(store, name):
    results = query(store, text(name))
    if isinstance(results, ox.QueryBoolean):
        assert bool(results) is EXPECTED[name]
    else:
        assert rows(results) == EXPECTED[name]


def test_work_cards_construct(store):
    triples = list(query(store, text("work-cards")))
    sd = "https://schema.org/"
    titles = {t.subject.value.removeprefix(EX).removesuffix("#Work"): t.object.value
              for t in triples if t.predicate.value == sd + "name"}
    assert len(titles) == 12  # every record's work but the host journal, which has no title
    assert {k: titles[k] for k in WORK_TITLES} == WORK_TITLES
    seed = ox.NamedNode(f"{EX}r3df0073341434b2f#Work")
    names = {t.object.value for t in triples if t.subject == seed and t.predicate.value == sd + "contributor"}
    assert names == set(SEED_AUTHORS)
    dates = {t.subject.value: t.object.value for t in triples if t.predicate.value == sd + "datePublished"}
    assert dates[f"{EX}11939876#Work"] == "2000" and dates[f"{EX}5674874#Work"] == "1963"
    assert seed.value not in dates


def test_wikidata_links(store):
    """After enrichment a record graph holds owl:sameAs links of the nodes it names: a fixture
    link (to Wikidata's sandbox item) in the graph of record 11939876 comes out of the query."""
    copy = ox.Store()
    copy.extend(store)
    chabon = ox.NamedNode(f"{EX}person/chabon-michael")
    copy.add(ox.Quad(chabon, ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs"),
                     ox.NamedNode("http://www.wikidata.org/entity/Q4115189"), ox.NamedNode(f"{EX}11939876")))
    assert rows(query(copy, text("records-linked-to-wikidata"))) == [
        (f"<{EX}11939876>", f"<{EX}person/chabon-michael>", "Chabon, Michael", "<http://www.wikidata.org/entity/Q4115189>")
    ]
