"""IdRef (ABES): persons, corporate bodies, places, RAMEAU and French MeSH, through its Solr.

Asks ``/Sru/Solr?q=persname_t:"thoer christine"^10 OR persname_t:(thoer christine)&wt=json``;
the index is unaccented, so the query is too. Record types: a person, b corporate body, c place,
e family, j RAMEAU subject, t French MeSH. ``idsext_s`` lists the record's other identifiers
(ISNI, VIAF): linked too.
"""

from __future__ import annotations

import re

from marc2rdf.enrich.base import Service, as_list, canonical, expect
from marc2rdf.enrich.http import Reply
from marc2rdf.enrich.match import Candidate, Heading, normalize, year_of

_FIELD = {"person": "persname_t", "family": "famname_t", "organization": "corpname_t", "meeting": "corpname_t",
          "agent": "persname_t", "place": "geogname_t", "topic": "subjectheading_t"}
# t, French MeSH, is left out: topics come here for RAMEAU (j), and French MeSH headings have MeSH IRIs
_KINDS = {"a": "person", "b": "organization", "c": "place", "e": "family", "j": "topic"}


class IdRef(Service):
    name = "idref"
    host_key = "idref"
    default_url = "https://www.idref.fr"
    provider = "https://www.idref.fr/"
    scheme = "idref"
    kinds = frozenset(_FIELD)
    sources = frozenset({"ram", "rameau", None})
    defaults = {"interval": 0.5, "ttl": 14 * 86400}

    def request(self, h: Heading) -> dict:
        field, words = _FIELD[h.kind], normalize(h.name)
        params = {"q": f'{field}:"{words}"^10 OR {field}:({words})', "wt": "json", "rows": 10,
                  "sort": "score desc", "version": "2.2",
                  "fl": "id,ppn_z,recordtype_z,affcourt_z,affcourt_r,anneenaissance_dt,anneemort_dt,idsext_s"}
        return {"method": "GET", "path": "/Sru/Solr", "params": params}

    def parse(self, reply: Reply) -> list[Candidate]:
        data = reply.json()
        expect(isinstance(data, dict) and isinstance(data.get("response"), dict), "no response")
        docs = data["response"].get("docs")
        expect(isinstance(docs, list), "no docs")
        found = []
        for doc in docs:
            ppn = doc.get("ppn_z") if isinstance(doc, dict) else None
            if not isinstance(ppn, str) or not re.fullmatch(r"\d{8}[\dX]", ppn):
                continue
            kind = _KINDS.get(doc.get("recordtype_z"), "excluded")
            iri = canonical("idref", ppn)
            ids = {"idref": iri}
            for ext in as_list(doc.get("idsext_s")):
                m = re.match(r"https?://viaf\.org/viaf/(\d+)$", str(ext))
                if m:
                    ids.setdefault("viaf", canonical("viaf", m.group(1)))
                elif re.fullmatch(r"\d{15}[\dX]", str(ext)):
                    ids.setdefault("isni", canonical("isni", str(ext)))
            label = doc.get("affcourt_z") or ""
            variants = tuple(v for v in as_list(doc.get("affcourt_r")) if isinstance(v, str) and v != label)
            found.append(Candidate(iri, label, variants, kind, year_of(doc.get("anneenaissance_dt")),
                                   year_of(doc.get("anneemort_dt")), ids))
        return found
