"""Authority enrichment: each service's real answers (replayed over HTTP from tests/data/authority),
scoring and thresholds.

The replay server runs on 127.0.0.1; nothing here reaches the internet. A capture is served for
requests whose parameters contain the words of the captured request (``valim`` answers a search for
"Valim, Jose"); any other request to the same path gets that service's captured empty answer, or
a 404 where no empty answer was captured.
"""

from __future__ import annotations

import pytest

from marc2rdf.enrich.base import EXACT_MATCH, IDENTIFIED_BY_AUTHORITY, SAME_AS, identify, link_targets
from marc2rdf.enrich.cassette import ReplayServer, Route, route_from_body, routes_from_cassette
from marc2rdf.enrich.fast import FAST
from marc2rdf.enrich.http import Client, Limiter, Settings
from marc2rdf.enrich.idloc import LCNames, LCSubjects
from marc2rdf.enrich.idref import IdRef
from marc2rdf.enrich.match import Candidate, Heading, decide, evidence, name_forms, parse_dates, score, split_name
from marc2rdf.enrich.mesh import MeSH
from marc2rdf.enrich.orcid import ORCID
from marc2rdf.enrich.reconcile import Reconcile
from marc2rdf.enrich.viaf import VIAF
from marc2rdf.enrich.wikidata import Wikidata

from support import DATA

AUTH = DATA / "authority"


def _f(name: str) -> str:
    return str(AUTH / name)


def replay_routes() -> list[Route]:
    """Every capture used by the tests, under the path and parameters it was recorded for."""
    cas, body = routes_from_cassette, route_from_body
    q = ("q",)
    fast = ("query", "query_index")
    idref = "/Sru/Solr?q="
    return [
        # id.loc.gov suggest2, names and subjects (A: ExVCR cassettes, and a documented keyword answer)
        *cas(_f("idloc__authoritex_cassette__lcnaf_search_results.json"), q),  # q=valim
        *cas(_f("idloc__authoritex_cassette__lcnaf_search_count.json"), q)[:1],  # q=smith
        body(_f("idloc__suggest2_keyword__trotnow_helmut.json"), "/authorities/names/suggest2?q=trotnow, helmut*",
             match=q),
        *cas(_f("idloc__authoritex_cassette__lcnaf_search_results_empty.json")),  # any other name
        *cas(_f("idloc__authoritex_cassette__lcsh_search_results.json"), q),  # q=authority
        *cas(_f("idloc__authoritex_cassette__lcsh_search_results_empty.json")),
        # FAST /fastsuggest (A)
        *cas(_f("fast__authoritex_cassette__fast-personal_search_results.json"), fast),  # dewey, m
        *cas(_f("fast__authoritex_cassette__fast-topical_search_results.json"), fast),  # subject authorities
        *cas(_f("fast__authoritex_cassette__fast-corporate-name_search_results.json"), fast),  # Charles Deering Library
        *cas(_f("fast__authoritex_cassette__fast_search_results.json"), ("query",)),  # herskovits library...
        *cas(_f("fast__authoritex_cassette__fast_obsolete_id.json")),  # 301 fst01205331 -> /fast/1205331
        *cas(_f("fast__authoritex_cassette__fast_search_results_empty.json")),
        # IdRef Solr (A); the q of each capture is the one in its responseHeader
        body(_f("idref__solr__person-search.json"), idref + 'persname_t:"barth karl"^10 OR persname_t:(barth karl)',
             match=q),
        body(_f("idref__solr__corporate-search.json"),
             idref + '(corpname_t:"croix rouge"^10 OR corpname_t:(croix rouge))', match=q),
        body(_f("idref__solr__place-search.json"), idref + '(geogname_t:"geneve"^10 OR geogname_t:(geneve))', match=q),
        body(_f("idref__solr__subject-search.json"),
             idref + '(subjectheading_t:"dyslexie"^10 OR subjectheading_t:(dyslexie))', match=q),
        body(_f("idref__solr__empty.json"), "/Sru/Solr"),
        # MeSH lookup (B); its empty answer is the documented empty array (not a capture)
        body(_f("mesh__lookup_descriptor__diabetes_mellitus_exact.json"),
             "/mesh/lookup/descriptor?label=Diabetes Mellitus&match=exact", match=("label",)),
        Route("GET", "/mesh/lookup/descriptor", b"[]", headers={"Content-Type": "application/json"}),
        # Wikidata wbsearchentities (A)
        body(_f("wikidata__wbsearchentities__search.json"), "/w/api.php?search=Lucretia Marinella", match=("search",)),
        body(_f("wikidata__wbsearchentities__empty.json"), "/w/api.php"),
        # VIAF SRU JSON after the 2025 redesign (B); no empty answer was captured
        body(_f("viaf__sru_search_json__stephen_benet.json"), '/viaf/search?query=stephen benet', match=("query",)),
        # ORCID expanded search (A, sandbox records)
        body(_f("orcid__expanded_search__pedro_QA_sandbox.json"), "/v3.0/expanded-search/"),
        # W3C reconciliation: lobid-gnd manifests and the spec's result batches (C)
        body(_f("reconapi_0.2__manifest__lobid-gnd.json"), "/reconcile/v02"),
        body(_f("reconapi_0.2__reconciliation-result-batch__example-full.json"), "/reconcile/v02", method="POST"),
        body(_f("reconapi_1.0-draft__manifest__lobid-gnd.json"), "/reconcile/v1"),
        body(_f("reconapi_1.0-draft__reconciliation-result-batch__example-full.json"), "/reconcile/v1", method="POST"),
    ]


@pytest.fixture(scope="module")
def server():
    with ReplayServer(replay_routes()) as srv:
        yield srv


def make(cls, server, path: str = "", **settings):
    values = {"interval": 0, "retries": 0, "backoff": 0, "timeout": 5, **settings}
    client = Client(cls.name or "reconcile", Settings(url=server.url + path, **values), None, Limiter())
    return cls(client)


def resolve(svc, heading: Heading):
    candidates, reply = svc.search(heading)
    assert reply.status == 200
    return decide(heading, candidates), candidates


# -- parsing each service's real answers --------------------------------------------------------

def test_lcnaf_keyword_hits_link_the_authorized_name(server):
    d, cands = resolve(make(LCNames, server), Heading("person", "Valim, José"))
    assert len(cands) == 17  # every hit of the capture, variants included
    assert d.status == "linked" and d.best.iri == "http://id.loc.gov/authorities/names/no2011087251"
    assert d.score == 1.0 and d.runner_up_score < 0.8
    # the authority record by madsrdf:isIdentifiedByAuthority, the real-world object by owl:sameAs
    assert link_targets("lc", d.best.iri, agent=True) == [
        (IDENTIFIED_BY_AUTHORITY, "http://id.loc.gov/authorities/names/no2011087251"),
        (SAME_AS, "http://id.loc.gov/rwo/agents/no2011087251")]
    # a topic is a concept: skos:exactMatch; so are the records of the other schemes
    assert link_targets("lcsh", "http://id.loc.gov/authorities/subjects/sh85009792", agent=False) == [
        (EXACT_MATCH, "http://id.loc.gov/authorities/subjects/sh85009792")]
    assert link_targets("idref", "http://www.idref.fr/026707357/id", agent=True) == [
        (EXACT_MATCH, "http://www.idref.fr/026707357/id")]


def test_lcnaf_dates_decide_and_undifferentiated_names_never_match(server):
    lc = make(LCNames, server)
    d, cands = resolve(lc, Heading("person", "Smith, Richard, 1566-1655"))
    assert d.status == "linked" and d.best.iri.endswith("/n50013308")
    assert next(c for c in cands if c.iri.endswith("/nr90005751")).kind == "excluded"  # "Smith": not unique
    assert resolve(lc, Heading("person", "Smith"))[0].status != "linked"  # not by the variant "Smith, 1799-1843"
    h = Heading("person", "Smith, Paul, 1952-")  # LC's Paul Smith was born in 1947
    d, cands = resolve(lc, h)
    paul = next(c for c in cands if c.iri.endswith("/n84045108"))
    assert d.status == "none" and score(h, paul) == (0.4, "name 1.00, dates disagree")
    d, _ = resolve(lc, Heading("person", "Trotnow, Helmut, 1946-"))
    assert d.status == "linked" and d.best.iri.endswith("/n80069484") and "dates agree" in d.reason


def test_lcnaf_other_names_get_the_captured_empty_answer(server):
    d, cands = resolve(make(LCNames, server), Heading("person", "Cherba, Maria"))
    assert cands == [] and d.status == "none"


def test_lcnaf_left_anchored_answer_has_no_candidates():
    # the default search type answers bare strings, without URIs: nothing to link, and no error
    route = route_from_body(_f("idloc__suggest2_leftanchored__trotnow_helmut.json"), "/authorities/names/suggest2")
    with ReplayServer([route]) as srv:
        cands, _ = make(LCNames, srv).search(Heading("person", "Trotnow, Helmut"))
    assert cands == []


def test_lcsh_topic_by_its_label_or_a_variant(server):
    lcsh = make(LCSubjects, server)
    d, _ = resolve(lcsh, Heading("topic", "Authority files (Information retrieval)", "lcsh"))
    assert d.status == "linked" and d.best.iri == "http://id.loc.gov/authorities/subjects/sh85009792"
    d, _ = resolve(lcsh, Heading("topic", "Authority control (Information retrieval)", "lcsh"))  # a see-from form
    assert d.status == "linked" and d.best.iri.endswith("/sh85009792")


def test_fast_personal_topical_and_corporate(server):
    fast = make(FAST, server)
    d, cands = resolve(fast, Heading("person", "Dewey, Melvil, 1851-1931"))
    assert d.status == "linked" and d.best.iri == "http://id.worldcat.org/fast/41002"  # fst00041002
    assert {c.iri for c in cands if c.iri.endswith("/41002")} == {d.best.iri}  # the auth and alt docs
    d, _ = resolve(fast, Heading("topic", "Subject authorities (Information retrieval)", "fast"))
    assert d.status == "linked" and d.best.iri.endswith("/1136458") and d.best.label == "Subject headings"
    d, _ = resolve(fast, Heading("organization", "Charles Deering McCormick Library of Special Collections"))
    assert d.status == "linked" and d.best.iri.endswith("/1585236")


def test_fast_jsonp_and_the_old_string_idroot():
    routes = [route_from_body(_f("fast__fastsuggest__hog_jsonp_zero_results_2024.txt"), "/fastsuggest?query=hog",
                              match=("query",)),
              route_from_body(_f("fast__fastsuggest__oneresult.json"), "/fastsuggest")]
    with ReplayServer(routes) as srv:
        fast = make(FAST, srv)
        assert fast.search(Heading("topic", "Hog"))[0] == []
        d, _ = resolve(fast, Heading("topic", "Word (Linguistics)"))
    assert d.status == "linked" and d.best.iri == "http://id.worldcat.org/fast/1180101"


def test_idref_person_with_dates_links_it_and_its_isni_and_viaf(server):
    idref = make(IdRef, server)
    d, _ = resolve(idref, Heading("person", "Barth, Karl, 1886-1968"))
    assert d.status == "linked" and d.best.iri == "http://www.idref.fr/026707357/id"
    assert d.best.ids == {"idref": "http://www.idref.fr/026707357/id", "viaf": "http://viaf.org/viaf/64001331",
                          "isni": "https://isni.org/isni/0000000121018582"}
    d, _ = resolve(idref, Heading("person", "Barth, Karl"))  # three Karl Barths, no dates to tell them apart
    assert d.status == "review" and d.score == 1.0 and d.runner_up_score == 1.0


def test_idref_corporate_place_and_rameau(server):
    idref = make(IdRef, server)
    assert resolve(idref, Heading("organization", "Croix-Rouge monégasque"))[0].best.iri.endswith("/189080256/id")
    d, _ = resolve(idref, Heading("place", "Genève (Genève, Suisse)", "ram"))
    assert d.status == "linked" and d.best.iri.endswith("/02726453X/id")
    d, _ = resolve(idref, Heading("topic", "Dyslexie", "ram"))  # the RAMEAU heading, not French MeSH's
    assert d.status == "linked" and d.best.iri == "http://www.idref.fr/027225062/id"


def test_mesh_exact_descriptor(server):
    mesh = make(MeSH, server)
    d, _ = resolve(mesh, Heading("topic", "Diabetes mellitus", "mesh"))
    assert d.status == "linked" and d.best.iri == "http://id.nlm.nih.gov/mesh/D003920"
    assert resolve(mesh, Heading("topic", "social support"))[1] == []


def test_a_gnd_number_in_the_record_picks_the_viaf_cluster_that_has_it(server):
    # "Benét, Stephen Vincent" without dates is the father's and the son's name; a heading whose
    # node is the son's GND IRI (a $0 (DE-588)124803946) is settled by the DNB source of VIAF's
    # cluster, and a cluster with another GND number is ruled out
    son_gnd = ("gnd", "https://d-nb.info/gnd/124803946")
    h = Heading("person", "Benét, Stephen Vincent", known=(son_gnd,))
    d, cands = resolve(make(VIAF, server), h)
    assert d.status == "linked" and d.best.iri == "http://viaf.org/viaf/100260717"
    assert score(h, d.best) == (1.0, "same gnd identifier")
    other = next(c for c in cands if c.ids.get("gnd") not in (None, son_gnd[1]))
    assert score(h, other) == (0.0, "another gnd identifier")
    assert identify("http://d-nb.info/gnd/124803946") == son_gnd
    assert link_targets("gnd", son_gnd[1], agent=True) == [(SAME_AS, son_gnd[1])]


@pytest.mark.parametrize("order", [1, -1])
def test_the_candidate_sharing_the_records_number_wins_a_tie_on_the_name(order):
    # both named alike, scored alike; the one with the record's GND number is linked, whichever
    # way they come and however their IRIs sort
    h = Heading("person", "Smith, John", known=(("gnd", "https://d-nb.info/gnd/2"),))
    namesake = Candidate("http://viaf.org/viaf/1", "Smith, John", (), "person", ids={"viaf": "http://viaf.org/viaf/1"})
    numbered = Candidate("http://viaf.org/viaf/2", "Smith, John", (), "person",
                         ids={"viaf": "http://viaf.org/viaf/2", "gnd": "https://d-nb.info/gnd/2"})
    d = decide(h, [namesake, numbered][::order])
    assert (d.status, d.best.iri, d.reason) == ("linked", "http://viaf.org/viaf/2", "same gnd identifier")
    # two candidates with the number (a duplicate cluster) are still a tie: review
    twin = Candidate("http://viaf.org/viaf/3", "Smith, John", (), "person",
                     ids={"viaf": "http://viaf.org/viaf/3", "gnd": "https://d-nb.info/gnd/2"})
    assert decide(h, [namesake, numbered, twin][::order]).status == "review"


def test_wikidata_search_in_direct_order(server):
    d, _ = resolve(make(Wikidata, server), Heading("person", "Marinella, Lucretia"))
    assert d.status == "linked" and d.best.iri == "http://www.wikidata.org/entity/Q1873744"
    assert link_targets("wikidata", d.best.iri, agent=True) == [(SAME_AS, d.best.iri)]


def test_viaf_prefixed_json_clusters_and_their_identifiers(server):
    viaf = make(VIAF, server)
    d, cands = resolve(viaf, Heading("person", "Benét, Stephen Vincent, 1898-1943"))
    assert len(cands) == 8  # the namespace prefix changes from record to record (ns2:, ns3:, ...)
    assert d.status == "linked" and d.best.iri == "http://viaf.org/viaf/100260717"
    assert d.best.ids == {"viaf": "http://viaf.org/viaf/100260717",
                          "isni": "https://isni.org/isni/0000000107867406",
                          "lc": "http://id.loc.gov/authorities/names/n50007691",
                          "wikidata": "http://www.wikidata.org/entity/Q1348138",
                          "idref": "http://www.idref.fr/032734816/id",
                          "gnd": "https://d-nb.info/gnd/124803946"}
    d, _ = resolve(viaf, Heading("person", "Benét, Stephen Vincent"))  # father and son
    assert d.status == "review"
    # the record's own LC identifier picks the father's cluster
    known = (("lc", "http://id.loc.gov/authorities/names/n87806607"),)
    d, _ = resolve(viaf, Heading("person", "Benét, Stephen Vincent", known=known))
    assert d.status == "linked" and d.best.iri == "http://viaf.org/viaf/100260729" and d.reason == "same lc identifier"


def test_orcid_same_names_are_never_linked(server):
    d, cands = resolve(make(ORCID, server), Heading("person", "Costa, Pedro"))
    assert sum(c.label == "Costa, Pedro" for c in cands) >= 4
    assert d.status == "review" and d.score == d.runner_up_score == 1.0


@pytest.mark.parametrize("path", ["/reconcile/v02", "/reconcile/v1"])
def test_reconciliation_api_both_versions(server, path):
    rec = make(Reconcile, server, path)
    assert rec.version == ("0.2" if path.endswith("v02") else "1.0-draft")
    # the spec's result batches answer the 2nd and 3rd query (0.2: q1, q2) or the 1st and 2nd (1.0-draft)
    names = ["Hanewinckel, Christel", "Urbaniak, R.", "Schwanhold, Ernst, 1948-"]
    if path.endswith("v1"):
        names = names[1:]
    headings = [Heading("person", n) for n in names]
    rec.prefetch(headings)
    decisions = {h.label: decide(h, rec.search(h)[0]) for h in headings}
    linked = decisions["Schwanhold, Ernst, 1948-"]
    assert linked.status == "linked" and linked.best.iri == "https://lobid.org/gnd/123064325"
    assert "dates agree" in linked.reason  # "1948-" in the candidate's description
    assert decisions["Urbaniak, R."].status == "review"
    if path.endswith("v02"):
        assert decisions["Hanewinckel, Christel"].status == "none"  # q0 has no answer in the batch


# -- scoring ----------------------------------------------------------------------------------

def test_name_forms_inverted_direct_and_fuller():
    assert name_forms("Benét, S. V. (Stephen Vincent), 1827-1895", "person") == (
        "benet s v", "s v benet", "benet stephen vincent", "stephen vincent benet")
    assert split_name("Barth, Karl (1886-1968 ; théologien)") == ("Barth, Karl", "1886-1968 ; théologien")
    assert parse_dates("1746 or 1747-1834") == ({"1746", "1747"}, {"1834"})
    assert parse_dates("active 1642-1684") == (set(), set())  # flourished: no birth, no death
    assert parse_dates("-approximately 1732") == (set(), {"1732"})
    assert parse_dates("17..-1825") == ({"17.."}, {"1825"})


@pytest.mark.parametrize("heading, candidate, expected", [
    ("Valim, Jose", "Valim, Jose", 1.0),  # the same form
    ("Jose Valim", "Valim, Jose", 1.0),  # direct against inverted
    ("Valim, José", "Valim, Jose", 1.0),  # accents
    ("Thoër, Christine", "Thoer, Christine", 1.0),
    ("Dewey, Melvil, 1851-1931", "Dewey, Melvil, 1851-1931", 1.0),  # dates agree (capped)
    ("Dewey, Melvil, 1851-1931", "Dewey, Melvil", 0.85),  # the candidate has no dates
    ("Dewey, Melvil, 1851-1931", "Dewey, Melvil, 1852-1931", 0.4),  # they disagree
    ("Dewey, Melvil", "Dewey, Melville", 0.83),  # a different name: below the link threshold
])
def test_scores(heading, candidate, expected):
    s, _ = score(Heading("person", heading), Candidate("x:1", candidate, kind="person"))
    assert s == pytest.approx(expected, abs=0.01)


def test_thresholds_link_review_and_margin():
    h = Heading("person", "Dewey, Melvil")
    one = Candidate("x:1", "Dewey, Melvil", kind="person")
    assert decide(h, [one]).status == "linked"
    assert decide(h, [one], link=1.01).status == "review"  # above review, below link
    two = Candidate("x:2", "Dewey, Melvil", kind="person")
    d = decide(h, [one, two])
    assert d.status == "review" and "runner-up 1.00" in d.reason  # no margin
    assert decide(h, [Candidate("x:3", "Dewey, Melvil", kind="organization")]).status == "none"  # another kind
    assert decide(h, [Candidate("x:4", "Dupont, Marcel", kind="person")]).status == "none"  # far below review


def test_identify_canonical_iris():
    assert identify("https://id.loc.gov/rwo/agents/n50007691.html") == (
        "lc", "http://id.loc.gov/authorities/names/n50007691")
    assert identify("http://id.worldcat.org/fast/fst01136458") == ("fast", "http://id.worldcat.org/fast/1136458")
    assert identify("https://www.wikidata.org/wiki/Q42") == ("wikidata", "http://www.wikidata.org/entity/Q42")
    assert identify("http://example.org/person/x") is None


# -- title and co-author evidence -------------------------------------------------------------

def test_viaf_titles_and_coauthors_tell_father_and_son_apart(server):
    """No dates: the name alone fits the father's and the son's clusters equally (a review); a
    title of the record, or a co-author, found in one cluster's lists decides."""
    viaf = make(VIAF, server)
    h = Heading("person", "Benét, Stephen Vincent")
    candidates, _ = viaf.search(h)
    son, father = "http://viaf.org/viaf/100260717", "http://viaf.org/viaf/100260729"
    assert {c.iri: len(c.titles) for c in candidates}[son] == 80  # the cluster's works, as listed
    assert "Moore, Douglas, 1893-1969." in next(c for c in candidates if c.iri == son).coauthors
    assert decide(h, candidates).status == "review"
    d = decide(h, candidates, evidence=evidence(["John Brown's body : a poem"], []))
    assert d.status == "linked" and d.best.iri == son and d.score == 1.0 and d.runner_up_score == 0.9
    assert d.reason == "name 1.00, a title in common"
    d = decide(h, candidates, evidence=evidence(["Ordnance and artillery."], []))
    assert d.status == "linked" and d.best.iri == father
    d = decide(h, candidates, evidence=evidence([], ["Moore, Douglas, 1893-1969", "Benét, Stephen Vincent"], h.label))
    assert d.status == "linked" and d.best.iri == son and "a co-author in common" in d.reason
    # evidence never helps a candidate of another name, and says nothing where the service is silent
    s, why = score(h, Candidate("x:1", "Benét, Stephen Vincent", kind="person"), evidence(["John Brown's body"], []))
    assert (s, why) == (1.0, "name 1.00")


def test_evidence_normalizes_titles_and_leaves_out_the_agent_itself():
    ev = evidence(["John Brown's body / Stephen Vincent Benét", "Amerika : Minshu shugi no ayumi"],
                  ["Benét, Stephen Vincent, 1898-1943", "Moore, Douglas"], own="Benét, Stephen Vincent, 1898-1943")
    assert ev.titles == {"john brown s body", "amerika"}
    assert ev.names == {"moore douglas", "douglas moore"}
    assert not evidence([], [])


def test_an_agent_is_one_heading_whether_subject_or_contributor():
    from marc2rdf.enrich.stage import collect

    bf = "http://id.loc.gov/ontologies/bibframe/"
    node = "<http://example.org/person/benet>"
    typed = (node, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", f"<{bf}Person>")
    label = (node, "<http://www.w3.org/2000/01/rdf-schema#label>", '"Benét, Stephen Vincent, 1898-1943"')
    as_subject = (node, f"<{bf}source>", "<http://id.loc.gov/authorities/subjects>")
    # one batch has him as a 700, another as a 600 (with the thesaurus of the subject): one heading
    assert list(collect([typed, label])) == list(collect([typed, label, as_subject]))
