"""VIAF (OCLC): clusters of the national authority files.

Asks ``/viaf/search?query=local.personalNames all "..."`` with ``Accept: application/json``
(``httpAccept=`` stopped working in 2025). The JSON is converted XML: keys carry namespace
prefixes that change from record to record (``ns2:``, ``ns3:``...: looked past here), values may sit
in ``{"content": ...}``, and ``record`` is an object for one hit and a list for several. A
cluster's sources give its LC, ISNI, Wikidata and IdRef (SUDOC) identifiers: they are linked too,
and a record's own identifier in one of those schemes must agree. Its ``titles`` and
``coauthors`` are the evidence a record's titles and co-agents are compared with.
"""

from __future__ import annotations

import re

from marc2rdf.enrich.base import Service, as_list, canonical, expect
from marc2rdf.enrich.http import Reply
from marc2rdf.enrich.match import Candidate, Heading, normalize, year_of

_INDEX = {"person": "local.personalNames", "organization": "local.corporateNames",
          "meeting": "local.corporateNames"}
_KINDS = {"Personal": "person", "Corporate": "organization", "Geographic": "place"}
_SOURCES = {"LC": "lc", "ISNI": "isni", "WKP": "wikidata", "SUDOC": "idref", "DNB": "gnd"}


def get(obj, name: str):
    """``obj[name]`` whatever namespace prefix the key carries (``ns2:name``, ``ns7:name``)."""
    if not isinstance(obj, dict):
        return None
    if name in obj:
        return obj[name]
    for key, value in obj.items():
        if key.endswith(":" + name) and _PREFIX.match(key):
            return value
    return None


_PREFIX = re.compile(r"^ns\d+:")


def _text(value) -> str:
    if isinstance(value, dict):
        value = value.get("content")
    return "" if value is None or isinstance(value, (dict, list)) else str(value)


class VIAF(Service):
    name = "viaf"
    host_key = "viaf"
    default_url = "https://www.viaf.org"
    provider = "https://viaf.org/"
    scheme = "viaf"
    kinds = frozenset({"person", "family", "organization", "meeting", "agent"})
    defaults = {"interval": 1.0, "ttl": 14 * 86400}

    def request(self, h: Heading) -> dict:
        query = f'{_INDEX.get(h.kind, "local.names")} all "{normalize(h.name)}"'
        return {"method": "GET", "path": "/viaf/search", "params": {"query": query, "maximumRecords": 10},
                "headers": {"Accept": "application/json"}}

    def parse(self, reply: Reply) -> list[Candidate]:
        response = get(reply.json(), "searchRetrieveResponse")
        expect(isinstance(response, dict), "no searchRetrieveResponse")
        records = get(response, "records") or {}
        expect(isinstance(records, dict), "records")
        found = []
        for record in as_list(get(records, "record")):
            cluster = get(get(record, "recordData"), "VIAFCluster")
            if isinstance(cluster, dict) and (c := self._candidate(cluster)):
                found.append(c)
        return found

    def _candidate(self, cluster: dict) -> Candidate | None:
        viaf_id = _text(get(cluster, "viafID"))
        if not viaf_id.isdigit():
            return None
        headings = [_text(get(d, "text") or d) for d in as_list(get(get(cluster, "mainHeadings"), "data"))]
        headings = [t for t in headings if t]
        ids = {"viaf": canonical("viaf", viaf_id)}
        for source in as_list(get(get(cluster, "sources"), "source")):
            code, _, local = _text(source).partition("|")
            scheme = _SOURCES.get(code)
            if scheme and local.strip():
                ids.setdefault(scheme, canonical(scheme, local.replace(" ", "")))
        kind = _KINDS.get(_text(get(cluster, "nameType")), "excluded")
        titles = tuple(t for w in as_list(get(get(cluster, "titles"), "work")) if (t := _text(get(w, "title"))))
        coauthors = tuple(t for d in as_list(get(get(cluster, "coauthors"), "data")) if (t := _text(get(d, "text"))))
        return Candidate(ids["viaf"], headings[0] if headings else "", tuple(headings[1:]), kind,
                         year_of(_text(get(cluster, "birthDate"))), year_of(_text(get(cluster, "deathDate"))), ids,
                         titles=titles, coauthors=coauthors)
