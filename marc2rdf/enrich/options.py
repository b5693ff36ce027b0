"""The ``convert`` options of the enrichment stage, and opening the stage from them."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("authority enrichment (links agents, topics and places; see README)")
    g.add_argument("--enrich", nargs="?", const="default", metavar="SERVICES",
                   help="link headings to authorities: default, or any of lcnaf,lcsh,viaf,wikidata,fast,mesh,"
                        "idref,orcid,reconcile:URL (comma-separated; 'default' picks the services by heading type)")
    g.add_argument("--review", metavar="FILE", help="write near misses for a person to review (.csv or .json)")
    g.add_argument("--offline", action="store_true", help="answer from the cache only, send no request")
    g.add_argument("--cache", metavar="PATH",
                   help="SQLite cache of answers (default $XDG_CACHE_HOME/marc2rdf/authorities.sqlite, "
                        "else ~/.cache/marc2rdf/authorities.sqlite; 'none' for none)")
    g.add_argument("--enrich-config", metavar="FILE", help="YAML: base URLs, rate limits, TTLs, thresholds, contact")
    g.add_argument("--contact", metavar="EMAIL", help="contact sent in the User-Agent (or MARC2RDF_CONTACT)")
    g.add_argument("--enrich-date", metavar="YYYY-MM-DD", help="date recorded with each link (default: the "
                                                               "date of the cached answer)")
    g.add_argument("--enrich-record", metavar="DIR", help="record mode: save every live answer as a fixture in DIR")
    g.add_argument("--enrich-batch", type=int, default=1000, metavar="N",
                   help="records per enrichment batch (default 1000)")


def open_stage(args, settings, conv, sink, progress: bool):
    """``(worker settings, sink, enricher)`` for ``--enrich``: workers send N-Quads, and the sink
    returned batches them, adds the links and writes them to ``sink`` in its own format."""
    import dataclasses

    from marc2rdf.enrich.config import EnrichError, build_enricher
    from marc2rdf.enrich.stage import EnrichingSink, stderr_progress
    from marc2rdf.readers.base import InputError

    try:
        enricher = build_enricher(args.enrich, config_path=args.enrich_config, cache_path=args.cache,
                                  offline=args.offline, contact=args.contact, record_dir=args.enrich_record,
                                  review_path=args.review, date=args.enrich_date, progress=stderr_progress(progress))
    except EnrichError as exc:  # a usage error: exit status 2, no traceback
        raise InputError(str(exc)) from None
    work = conv.mappers[0].node_templates.get("work")
    stage = EnrichingSink(sink, enricher, max(1, args.enrich_batch), work)
    return dataclasses.replace(settings, format="nq", context_iri=None), stage, enricher
