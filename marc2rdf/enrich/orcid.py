"""ORCID: ``/v3.0/expanded-search/?q=family-name:... AND given-names:...`` with
``Accept: application/json`` (XML otherwise). Names alone rarely single out a researcher: many
records share one, and then nothing is linked. Not in the default set. Limit: 12 requests/s."""

from __future__ import annotations

from marc2rdf.enrich.base import Service, as_list, canonical, expect
from marc2rdf.enrich.http import Reply
from marc2rdf.enrich.match import Candidate, Heading


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", " ").replace('"', " ").strip() + '"'


class ORCID(Service):
    name = "orcid"
    host_key = "orcid"
    default_url = "https://pub.orcid.org"
    provider = "https://orcid.org/"
    scheme = "orcid"
    kinds = frozenset({"person"})
    defaults = {"interval": 0.1, "ttl": 14 * 86400}

    def request(self, h: Heading) -> dict:
        family, sep, given = h.name.partition(",")
        q = f"family-name:{_quoted(family)}" + (f" AND given-names:{_quoted(given)}" if sep and given.strip() else "")
        return {"method": "GET", "path": "/v3.0/expanded-search/", "params": {"q": q, "rows": 20},
                "headers": {"Accept": "application/json"}}

    def parse(self, reply: Reply) -> list[Candidate]:
        data = reply.json()
        expect(isinstance(data, dict) and "expanded-result" in data, "no expanded-result")
        found = []
        for r in as_list(data["expanded-result"]):
            if not isinstance(r, dict) or not isinstance(r.get("orcid-id"), str):
                continue
            iri = canonical("orcid", r["orcid-id"])
            label = ", ".join(p for p in (r.get("family-names"), r.get("given-names")) if isinstance(p, str) and p)
            variants = tuple(v for v in [r.get("credit-name"), *as_list(r.get("other-name"))] if isinstance(v, str))
            found.append(Candidate(iri, label, variants, "person", ids={"orcid": iri}))
        return found
