"""id.loc.gov: LC Name Authority File (``lcnaf``) and LC Subject Headings (``lcsh``).

Asks ``/authorities/{names|subjects}/suggest2?q=...&searchtype=keyword`` (the default,
left-anchored search answers bare strings without URIs). Variant forms come back as hits of their
own, with the authorized form in ``aLabel``. Undifferentiated names ("Name not-unique") and
name/title authorities are never candidates for a name. Policy: one request at a time and a
reported crawl delay of 3 s; whole address ranges have been blocked after bulk fetching.
"""

from __future__ import annotations

from marc2rdf.enrich.base import Service, as_list, expect
from marc2rdf.enrich.http import Reply
from marc2rdf.enrich.match import Candidate, Heading, year_of

_KINDS = {"PersonalName": "person", "FamilyName": "family", "CorporateName": "organization",
          "ConferenceName": "meeting", "Geographic": "place", "Topic": "topic", "ComplexSubject": "topic",
          "NameTitle": "excluded", "Title": "excluded"}


class _IdLoc(Service):
    host_key = "idloc"
    default_url = "https://id.loc.gov"
    provider = "https://id.loc.gov/"
    defaults = {"interval": 3.0, "ttl": 28 * 86400}  # Crawl-delay 3; their own max-age is 28 days
    directory = ""
    rdftypes: dict[str, str] = {}

    def request(self, h: Heading) -> dict:
        params = {"q": h.name, "searchtype": "keyword", "count": 10}
        rdftype = "ComplexSubject" if h.subdivided else self.rdftypes.get(h.kind)
        if rdftype:
            params["rdftype"] = rdftype
        return {"method": "GET", "path": f"/authorities/{self.directory}/suggest2", "params": params}

    def parse(self, reply: Reply) -> list[Candidate]:
        data = reply.json()
        expect(isinstance(data, dict) and isinstance(data.get("hits"), list), "no hits")
        return [c for hit in data["hits"] if isinstance(hit, dict) and (c := self._candidate(hit))]

    def _candidate(self, hit: dict) -> Candidate | None:
        uri = hit.get("uri")
        if not isinstance(uri, str):
            return None
        more = hit.get("more") if isinstance(hit.get("more"), dict) else {}
        kinds = [_KINDS[t] for t in as_list(more.get("rdftypes")) if t in _KINDS]
        kind = "excluded" if more.get("undifferentiated") or "excluded" in kinds else (kinds[0] if kinds else None)
        label = hit.get("aLabel") or hit.get("suggestLabel") or ""
        variants = tuple(v for v in [hit.get("suggestLabel"), hit.get("vLabel"), *as_list(more.get("variantLabels"))]
                         if isinstance(v, str) and v and v != label)
        birth = next(iter(as_list(more.get("birthdates"))), None)
        death = next(iter(as_list(more.get("deathdates"))), None)
        return Candidate(uri, label, variants, kind, year_of(birth), year_of(death), {self.scheme: uri})


class LCNames(_IdLoc):
    name = "lcnaf"
    scheme = "lc"
    directory = "names"
    kinds = frozenset({"person", "family", "organization", "meeting", "agent", "place"})
    sources = frozenset({"lcsh", None})
    rdftypes = {"person": "PersonalName", "family": "FamilyName", "organization": "CorporateName",
                "meeting": "ConferenceName", "place": "Geographic"}


class LCSubjects(_IdLoc):
    name = "lcsh"
    scheme = "lcsh"
    directory = "subjects"
    kinds = frozenset({"topic", "place"})
    sources = frozenset({"lcsh", None})
    subdivided = True
    rdftypes = {"topic": "Topic", "place": "Geographic"}
