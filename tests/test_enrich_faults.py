"""Faults of authority services: timeouts, 429 with Retry-After, 503, bodies cut short or
malformed, redirects, quotas, and the circuit breaker. Nothing is lost: the conversion completes,
exits 0, and the summary says what was not enriched and why.

Waits go through an injected ``sleep`` that records them, so the tests check what the client
waited without waiting (only the timeout test spends real time: two half-second timeouts).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from marc2rdf.enrich.cassette import ReplayServer, Route, route_from_body, routes_from_cassette
from marc2rdf.enrich.http import Client, Limiter, ServiceError, Settings, open_cache, retry_after
from marc2rdf.enrich.idloc import LCNames
from marc2rdf.enrich.stage import Enricher

from test_enrich import AUTH
from test_enrich_cli import convert

LC_PATH = "/authorities/names/suggest2"
(VALIM,) = routes_from_cassette(str(AUTH / "idloc__authoritex_cassette__lcnaf_search_results.json"))


def answer(**changes) -> Route:
    """The genuine LC answer for "valim", with some changes."""
    return Route(**{"method": "GET", "path": LC_PATH, "body": VALIM.body, "headers": dict(VALIM.headers), **changes})


def client(server, cache=None, **settings) -> tuple[Client, list[float]]:
    slept: list[float] = []
    values = {"interval": 0, "retries": 2, "backoff": 1.0, "timeout": 0.5, "breaker": 3, **settings}
    return Client("lcnaf", Settings(url=server.url, **values), cache, Limiter(sleep=slept.append),
                  sleep=slept.append), slept


def ask(c: Client, q: str = "valim"):
    return c.get(LC_PATH, {"q": q, "searchtype": "keyword"})


def test_timeouts_are_retried_then_reported():
    with ReplayServer([answer(delay=1.5)]) as srv:
        c, slept = client(srv, retries=1)
        with pytest.raises(ServiceError, match=r"^timeout after 0.5 s$"):
            ask(c)
        assert len(srv.log) == 2 and slept == [1.0]  # one retry, after the backoff


def test_429_waits_as_long_as_retry_after_says():
    with ReplayServer([Route("GET", LC_PATH, b"slow down", 429, {"Retry-After": "7"}, times=1), answer()]) as srv:
        c, slept = client(srv)
        reply = ask(c)
    assert reply.status == 200 and b"Valim, Jose" in reply.content
    assert slept == [7.0]


def test_a_long_retry_after_opens_the_circuit_instead_of_waiting():
    with ReplayServer([Route("GET", LC_PATH, b"", 429, {"Retry-After": "3600"})]) as srv:
        c, slept = client(srv)
        with pytest.raises(ServiceError, match="HTTP 429 Too Many Requests, asked to wait 3600 s"):
            ask(c)
        with pytest.raises(ServiceError, match="not asked: circuit open"):
            ask(c, "other")
        assert len(srv.log) == 1 and slept == []


def test_retry_after_as_an_http_date():
    later = datetime.now(UTC) + timedelta(seconds=120)
    assert 100 < retry_after(later.strftime("%a, %d %b %Y %H:%M:%S GMT")) <= 120
    assert retry_after("30") == 30.0 and retry_after("soon") is None


def test_503_backs_off_and_the_breaker_opens_after_failures_in_a_row():
    with ReplayServer([Route("GET", LC_PATH, b"<html>down</html>", 503, times=1), answer()]) as srv:
        c, slept = client(srv)
        assert ask(c).status == 200 and slept == [1.0]
    with ReplayServer([Route("GET", LC_PATH, b"<html>down</html>", 503)]) as srv:
        c, slept = client(srv)
        for q in ("a", "b", "c"):
            with pytest.raises(ServiceError, match="^HTTP 503 Service Unavailable$"):
                ask(c, q)
        assert slept == [1.0, 2.0] * 3 and len(srv.log) == 9
        with pytest.raises(ServiceError, match=r"circuit open \(3 failures in a row, last: HTTP 503"):
            ask(c, "d")
        assert len(srv.log) == 9  # not asked


def test_a_body_cut_short_is_a_failure():
    with ReplayServer([answer(cut=100)]) as srv:
        c, _ = client(srv, retries=1)
        with pytest.raises(ServiceError, match="^response cut short$"):
            ask(c)
        assert len(srv.log) == 2


def test_redirects_are_followed():
    # FAST answers 301 for an fst-prefixed id (the genuine two-step exchange)
    routes = routes_from_cassette(str(AUTH / "fast__authoritex_cassette__fast_obsolete_id.json"))
    with ReplayServer(routes) as srv:
        c, _ = client(srv)
        reply = c.get("/fast/fst01205331")
        assert [r[1] for r in srv.log] == ["/fast/fst01205331", "/fast/1205331"]
    assert reply.status == 200 and reply.url.endswith("/fast/1205331") and b"<rdf:RDF" in reply.content
    with ReplayServer([Route("GET", "/loop", b"", 302, {"Location": "/loop"})]) as srv:
        c, _ = client(srv)
        with pytest.raises(ServiceError, match="^too many redirects$"):
            c.get("/loop")


def test_a_failure_is_kept_briefly_in_the_cache(tmp_path):
    cache = open_cache(str(tmp_path / "c.sqlite"))
    with ReplayServer([Route("GET", LC_PATH, b"down", 503)]) as srv:
        c, _ = client(srv, cache, retries=0)
        with pytest.raises(ServiceError, match="HTTP 503"):
            ask(c)
        c2, _ = client(srv, cache)  # the next run, soon after: the service is not asked again
        with pytest.raises(ServiceError, match=r"HTTP 503 \(kept from an earlier failure\)"):
            ask(c2)
        assert len(srv.log) == 1
        c3, _ = client(srv, cache, retries=0, error_ttl=0)  # once expired, it is asked again
        ask_failed = pytest.raises(ServiceError, match="^HTTP 503")
        with ask_failed:
            ask(c3, "other")
        assert len(srv.log) == 2


def test_a_used_up_daily_quota_stops_the_service():
    headers = dict(VALIM.headers, **{"X-RateLimit-Remaining-Day": "0", "RateLimit-Reset": "20038"})
    with ReplayServer([answer(headers=headers)]) as srv:
        c, _ = client(srv)
        assert ask(c).status == 200  # this answer is good
        with pytest.raises(ServiceError, match=r"quota used up for 20038 s"):
            ask(c, "next")


PERSON = ("<http://example.org/person/valim-jose>", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
          "<http://id.loc.gov/ontologies/bibframe/Person>")
LABEL = (PERSON[0], "<http://www.w3.org/2000/01/rdf-schema#label>", '"Valim, Jose"')


def stage(server, cache=None, **settings):
    c, _ = client(server, cache, **settings)
    service = LCNames(c)
    return Enricher([service], explicit={"lcnaf"}, use_defaults=False), c


@pytest.mark.parametrize("body", ids=["cut", "html", "shape"], argvalues=[
    VALIM.body[:300],  # the JSON cut short, with a Content-Length that says so
    routes_from_cassette(str(AUTH / "fast__authoritex_cassette__fast_fetch_failure.json"))[0].body,  # an HTML page
    b'{"q": "valim", "hits": "none"}',  # JSON of another shape
])
def test_malformed_answers_cost_the_link_and_are_not_kept(tmp_path, body):
    cache = open_cache(str(tmp_path / "c.sqlite"))
    with ReplayServer([answer(body=body)]) as srv:
        enricher, c = stage(srv, cache)
        assert enricher.enrich([PERSON, LABEL]) == []
    assert enricher.stats["lcnaf"].failed.most_common(1)[0][0].startswith("malformed response")
    assert c.breaker.failures == 1 and len(cache.responses) == 0  # asked again next time


def test_an_empty_answer_is_kept_for_a_shorter_time(tmp_path):
    empty, = routes_from_cassette(str(AUTH / "idloc__authoritex_cassette__lcnaf_search_results_empty.json"))
    cache = open_cache(str(tmp_path / "c.sqlite"))
    with ReplayServer([answer(match={"q": "valim"}), empty]) as srv:
        enricher, _ = stage(srv, cache, ttl=30 * 86400, miss_ttl=86400)
        other = (PERSON[0].replace("valim", "x"), *PERSON[1:])
        links = enricher.enrich([PERSON, LABEL, other, (other[0], LABEL[1], '"Nobody, Known"')])
    assert {t[2] for t in links if "isIdentifiedByAuthority" in t[1]} == {
        "<http://id.loc.gov/authorities/names/no2011087251>"}
    lives = sorted(round((r.expires - r.created_at).total_seconds() / 86400) for r in cache.responses.values())
    assert lives == [1, 30]


def test_the_conversion_completes_whatever_the_services_do(tmp_path):
    rec = tmp_path / "r.mrk"
    rec.write_text("=LDR  00000nam a2200000 a 4500\n=001  f-1\n=245  10$aX.\n=100  1\\$aValim, Jose.\n"
                   "=650  \\0$aAuthority files (Information retrieval)\n", encoding="utf-8")
    cfg = tmp_path / "c.yaml"
    cfg.write_text("services:\n" + "".join(f"  {h}: {{interval: 0, retries: 1, backoff: 0, timeout: 0.5}}\n"
                                           for h in ("idloc", "viaf", "wikidata")))
    _, plain, _ = convert(rec)
    failing = [Route("GET", "/authorities/names/suggest2", b"<html>busy</html>", 503, {"Retry-After": "0"}),
               Route("GET", "/authorities/subjects/suggest2", VALIM.body[:200]),
               Route("GET", "/w/api.php", b"", delay=1.0)]  # VIAF: nothing there (404)
    with ReplayServer(failing) as srv:
        code, out, err = convert(rec, "--enrich", "--enrich-config", cfg, "--cache", tmp_path / "c.sqlite",
                                 url=srv.url)
    assert code == 0 and out == plain
    assert "0 headings linked" in err
    assert "lcnaf: 1 look-up not enriched: HTTP 503 Service Unavailable" in err
    assert "lcsh: 1 look-up not enriched: malformed response" in err
    assert "viaf: 1 look-up not enriched: HTTP 404 Not Found" in err
    assert "wikidata: 1 look-up not enriched: timeout after 0.5 s" in err
    # nobody listening at all
    code, out, err = convert(rec, "--enrich", "lcnaf", "--enrich-config", cfg, "--cache", "none",
                             url="http://127.0.0.1:9")
    assert code == 0 and out == plain and "lcnaf: 1 look-up not enriched: connection failed" in err


# JSON of the right overall shape with parts of the wrong type, and JSON of no expected shape:
# what a service answering garbage may send. None of it may reach the scorer or stop a run.
GARBAGE = [b"null", b"[]", b"{}", b'"text"', b"3", b"[1, [2], {}]", b'{"hits": [{"uri": 5, "more": []}]}',
           b'{"hits": [{"uri": "http://id.loc.gov/authorities/names/n1", "aLabel": ["a", "list"], '
           b'"more": {"rdftypes": {"a": 1}, "birthdates": [{}]}}]}',
           b'{"response": {"docs": [{"ppn_z": "026707357", "recordtype_z": ["a"], "affcourt_z": 7, '
           b'"idsext_s": {}}, {"idroot": [[1]], "auth": {}}]}}',
           b'{"search": [{"id": "Q1", "label": ["x"], "match": [], "aliases": {}}]}',
           b'[{"resource": {"x": 1}, "label": 2}, {"resource": "http://id.nlm.nih.gov/mesh/D1", "label": []}]',
           b'{"expanded-result": {"orcid-id": 1}, "num-found": "x"}',
           b'{"searchRetrieveResponse": {"records": {"record": [{"recordData": {"VIAFCluster": {"viafID": 1, '
           b'"mainHeadings": {"data": [{"text": {"content": []}}]}, "titles": {"work": [{"title": [1]}]}}}}]}}}']


def test_garbage_of_any_shape_costs_the_link_only(tmp_path):
    from marc2rdf.enrich.config import SERVICES

    heading_triples = [PERSON, LABEL, ("<http://example.org/topic/t>", PERSON[1],
                                       "<http://id.loc.gov/ontologies/bibframe/Topic>"),
                       ("<http://example.org/topic/t>", LABEL[1], '"Diabetes Mellitus"')]
    for body in GARBAGE:
        routes = [Route("GET", path, body, headers={"Content-Type": "application/json"})
                  for path in (LC_PATH, "/authorities/subjects/suggest2", "/viaf/search", "/w/api.php",
                               "/fastsuggest", "/mesh/lookup/descriptor", "/Sru/Solr", "/v3.0/expanded-search/")]
        with ReplayServer(routes) as srv:
            services = []
            for cls in SERVICES.values():
                c = Client(cls.name, Settings(url=srv.url, interval=0, retries=0), open_cache(str(tmp_path / "c")),
                           Limiter())
                services.append(cls(c))
            enricher = Enricher(services, explicit=set(SERVICES), use_defaults=False)
            links = enricher.enrich(heading_triples)  # nothing raised
        assert links == [] or all(t[1].startswith("<http://www.w3.org/") or "w3id.org" in t[1]
                                  or "purl.org" in t[1] for t in links), body
        reasons = {r for st in enricher.stats.values() for r in st.failed}
        assert all(r.startswith("malformed response") for r in reasons), (body, reasons)
    # a whole conversion against garbage: completes, exit 0, the records as they are
    rec = tmp_path / "r.mrk"
    rec.write_text("=LDR  00000nam a2200000 a 4500\n=001  g-1\n=245  10$aX.\n=100  1\\$aValim, Jose.\n", encoding="utf-8")
    _, plain, _ = convert(rec)
    cfg = tmp_path / "c.yaml"
    cfg.write_text("services:\n" + "".join(f"  {h}: {{interval: 0, retries: 0}}\n" for h in ("idloc", "viaf",
                                                                                           "wikidata")))
    garbage = [Route("GET", p, GARBAGE[7]) for p in (LC_PATH, "/viaf/search", "/w/api.php")]
    with ReplayServer(garbage) as srv:
        code, out, err = convert(rec, "--enrich", "--enrich-config", cfg, "--cache", "none", url=srv.url)
    assert code == 0 and out == plain
    assert "lcnaf: 1 look-up not enriched: malformed response" in err
    assert "viaf: 1 look-up not enriched: malformed response" in err


def test_wikidata_maxlag_waits_as_asked_then_asks_again(tmp_path):
    # MediaWiki's maxlag error comes with status 200, Retry-After and X-Database-Lag (the shape is
    # that of mediawiki.org's Manual:Maxlag_parameter); the genuine search answer follows it
    from marc2rdf.enrich.match import Heading
    from marc2rdf.enrich.wikidata import Wikidata

    from test_enrich import _f

    maxlag = (b'{"error": {"code": "maxlag", "info": "Waiting for 10.64.48.35: 6.2 seconds lagged", '
              b'"host": "10.64.48.35", "lag": 6.2, "*": "See https://www.wikidata.org/w/api.php for API usage"}}')
    routes = [Route("GET", "/w/api.php", maxlag, 200, {"Retry-After": "5", "X-Database-Lag": "6"}, times=1),
              route_from_body(_f("wikidata__wbsearchentities__search.json"), "/w/api.php")]
    cache = open_cache(str(tmp_path / "c.sqlite"))
    with ReplayServer(routes) as srv:
        c, slept = client(srv, cache, retries=1)
        found, reply = Wikidata(c).search(Heading("person", "Marinella, Lucretia"))
        assert len(srv.log) == 2
    assert found and found[0].iri == "http://www.wikidata.org/entity/Q1873744"
    assert len(slept) == 1 and 4.5 < slept[0] <= 5.0  # the host held as long as asked
    # with no retry left, the error is the look-up's reason, and it is not kept in the cache
    with ReplayServer([Route("GET", "/w/api.php", maxlag, 200, {"Retry-After": "5"})]) as srv:
        c, _ = client(srv, cache, retries=0)
        with pytest.raises(ServiceError, match="^service error: maxlag$"):
            Wikidata(c).search(Heading("person", "Somebody, Else"))
    assert all(b"maxlag" not in r.content for r in cache.responses.values())
