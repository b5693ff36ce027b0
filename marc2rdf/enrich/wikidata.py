"""Wikidata: ``w/api.php?action=wbsearchentities`` over labels and aliases.

Personal names are asked in direct order ("Lucretia Marinella"). The answer gives no type, so
disambiguation pages and given or family names (told by their description) are dropped, and a
name alone links only when it is the one good candidate. Policy since August 2025: a descriptive
User-Agent with a contact is mandatory, one request at a time, ``maxlag`` honoured.
"""

from __future__ import annotations

import re

from marc2rdf.enrich.base import Service, as_list, expect
from marc2rdf.enrich.http import Reply, ServiceError
from marc2rdf.enrich.match import Candidate, Heading

_NOT_AN_ENTITY = re.compile(
    r"disambiguation|family name|given name|surname|Begriffsklärung|Familienname|Vorname|"
    r"homonymie|nom de famille|prénom|scholarly article|Wikimedia", re.IGNORECASE)


class Wikidata(Service):
    name = "wikidata"
    host_key = "wikidata"
    default_url = "https://www.wikidata.org"
    provider = "https://www.wikidata.org/"
    scheme = "wikidata"
    kinds = frozenset({"person", "family", "organization", "meeting", "agent", "place"})
    sources = frozenset({"lcsh", None})
    defaults = {"interval": 1.0, "ttl": 14 * 86400}

    def request(self, h: Heading) -> dict:
        text = h.name
        surname, sep, rest = text.partition(",")
        if h.kind in ("person", "agent") and sep and rest.strip():
            text = f"{rest.strip()} {surname.strip()}"
        params = {"action": "wbsearchentities", "search": text, "language": self.language,
                  "uselang": self.language, "type": "item", "limit": 10, "format": "json", "maxlag": 5}
        return {"method": "GET", "path": "/w/api.php", "params": params}

    def parse(self, reply: Reply) -> list[Candidate]:
        data = reply.json()
        expect(isinstance(data, dict), "not an object")
        if "error" in data:
            error = data["error"] if isinstance(data["error"], dict) else {}
            raise ServiceError(f"service error: {error.get('code', 'unknown')}")
        expect(isinstance(data.get("search"), list), "no search")
        found = []
        for item in data["search"]:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            iri = item.get("concepturi") or f"http://www.wikidata.org/entity/{item['id']}"
            match = item.get("match") if isinstance(item.get("match"), dict) else {}
            variants = tuple(v for v in [match.get("text"), *as_list(item.get("aliases"))] if isinstance(v, str))
            description = item.get("description") if isinstance(item.get("description"), str) else ""
            kind = "excluded" if _NOT_AN_ENTITY.search(description) else None
            found.append(Candidate(iri, item.get("label") or "", variants, kind, description=description,
                                   ids={"wikidata": iri}))
        return found
