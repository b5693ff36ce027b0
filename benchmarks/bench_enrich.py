"""The enrichment stage: headings/s resolved with a warm cache, and look-ups per 1,000 records.

Input: every well-formed record of the test corpus (all serializations), mapped to BIBFRAME, in
batches of 1,000 records as ``convert --enrich`` does. The services are the local replay server
answering every query with a genuine captured answer of its service (LC names: 17 hits for
"valim"; LC subjects: 30 hits; FAST: 17 docs; IdRef: 5 docs; VIAF: 8 clusters, 935 KB; MeSH,
Wikidata: one hit), so each look-up reads, parses and scores a real payload. A first pass fills
a fresh cache; the timed passes start from an empty in-memory memo and answer from the SQLite
cache only (``--offline``): the cost of the stage itself, without the network.

    python benchmarks/bench_enrich.py [--repeat 3] [--enrich default] [--batch 1000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from marc2rdf.enrich.cassette import ReplayServer, route_from_body, routes_from_cassette
from marc2rdf.enrich.config import build_enricher
from marc2rdf.enrich.stage import collect
from marc2rdf.mapping import load_mappers
from marc2rdf.readers import read
from marc2rdf.readers.base import Read

CORPUS = ROOT / "tests" / "data" / "corpus"
AUTH = ROOT / "tests" / "data" / "authority"


def routes():
    """One captured answer per service path, served whatever the query."""
    cas = lambda name: routes_from_cassette(str(AUTH / name))[0]  # noqa: E731
    body = lambda name, url: route_from_body(str(AUTH / name), url)  # noqa: E731
    return [
        cas("idloc__authoritex_cassette__lcnaf_search_results.json"),
        cas("idloc__authoritex_cassette__lcsh_search_results.json"),
        cas("fast__authoritex_cassette__fast-personal_search_results.json"),
        body("idref__solr__person-search.json", "/Sru/Solr"),
        body("mesh__lookup_descriptor__diabetes_mellitus_exact.json", "/mesh/lookup/descriptor"),
        body("wikidata__wbsearchentities__search.json", "/w/api.php"),
        body("viaf__sru_search_json__stephen_benet.json", "/viaf/search"),
        body("orcid__expanded_search__pedro_QA_sandbox.json", "/v3.0/expanded-search/"),
    ]


def corpus_batches(batch: int) -> tuple[list[list[tuple]], int]:
    mappers = load_mappers(["bibframe"])
    files = [p for p in sorted(CORPUS.rglob("*")) if p.is_file() and p.suffix in (".mrc", ".xml", ".json", ".mrk")
             and "malformed" not in p.parts]
    records = []
    for path in files:
        for item in read(str(path)):
            if isinstance(item, Read):
                try:
                    records.append([t for m in mappers for t in m.map(item.record)])
                except Exception:  # a record the mapper rejects is rejected by convert too
                    continue
    batches = [[t for r in records[i: i + batch] for t in r] for i in range(0, len(records), batch)]
    return [records, batches], len(records)


def stage(spec: str, cache: str, config: str, offline: bool):
    return build_enricher(spec, config_path=config, cache_path=cache, offline=offline)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--enrich", default="default", help="services, as for convert --enrich")
    ap.add_argument("--batch", type=int, default=1000)
    args = ap.parse_args()
    (records, batches), n = corpus_batches(args.batch)
    tmp = tempfile.mkdtemp(prefix="bench-enrich-")
    cache, config = os.path.join(tmp, "cache.sqlite"), os.path.join(tmp, "enrich.yaml")
    hosts = ("idloc", "viaf", "wikidata", "fast", "mesh", "idref", "orcid")
    with open(config, "w") as fh:
        fh.write("services:\n" + "".join(f"  {h}: {{interval: 0, retries: 0}}\n" for h in hosts))
    with ReplayServer(routes()) as srv:
        for h in hosts:
            os.environ[f"MARC2RDF_{h.upper()}_URL"] = srv.url
        cold = stage(args.enrich, cache, config, offline=False)
        t0 = time.perf_counter()
        for b in batches:
            cold.enrich(b)
        cold_time = time.perf_counter() - t0
    c = cold.counts()
    best = float("inf")
    for _ in range(args.repeat):
        warm = stage(args.enrich, cache, config, offline=True)
        t0 = time.perf_counter()
        for b in batches:
            warm.enrich(b)
        best = min(best, time.perf_counter() - t0)
        assert warm.counts()["cached"] == warm.counts()["lookups"] == c["lookups"]
    # without the stage's dedup: every heading of every record asked of every service that fits it
    occurrences = naive = 0
    for r in records:
        for h in collect(r):
            occurrences += 1
            naive += len(cold.route(h))
    print(f"records: {n:,} (corpus, all serializations), batches of {args.batch:,}; services: {args.enrich}")
    print(f"heading occurrences: {occurrences:,}; distinct headings: {c['headings']:,} "
          f"({occurrences / max(c['headings'], 1):.2f} occurrences each)")
    print(f"look-ups: {c['lookups']:,} = {1000 * c['lookups'] / n:,.0f} per 1,000 records "
          f"(one per heading and record: {naive:,} = {1000 * naive / n:,.0f} per 1,000; dedup ratio "
          f"{naive / max(c['lookups'], 1):.2f}); HTTP requests on the cold pass: {c['requests']:,}")
    print(f"cold pass (local replay server, no pause): {cold_time:.2f} s, {c['headings'] / cold_time:,.0f} headings/s")
    print(f"warm cache: {best:.2f} s for {c['headings']:,} headings: {c['headings'] / best:,.0f} headings/s, "
          f"{c['lookups'] / best:,.0f} look-ups/s (best of {args.repeat})")
    print(f"linked {c['linked']:,} headings, {c['review']:,} for review (answers are not those of the headings)")


if __name__ == "__main__":
    main()
