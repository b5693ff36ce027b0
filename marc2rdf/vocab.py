"""Namespaces and the prefixes mapping files may use (an unknown prefix is a load-time error)."""

from __future__ import annotations

PREFIXES: dict[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "bf": "http://id.loc.gov/ontologies/bibframe/",
    "bflc": "http://id.loc.gov/ontologies/bflc/",
    "madsrdf": "http://www.loc.gov/mads/rdf/v1#",
    "schema": "https://schema.org/",
    "relators": "http://id.loc.gov/vocabulary/relators/",
    "languages": "http://id.loc.gov/vocabulary/languages/",
    "countries": "http://id.loc.gov/vocabulary/countries/",
    "content": "http://id.loc.gov/vocabulary/contentTypes/",
    "media": "http://id.loc.gov/vocabulary/mediaTypes/",
    "carriers": "http://id.loc.gov/vocabulary/carriers/",
    "issuance": "http://id.loc.gov/vocabulary/issuance/",
    "mstatus": "http://id.loc.gov/vocabulary/mstatus/",
    "menclvl": "http://id.loc.gov/vocabulary/menclvl/",
    "subjectSchemes": "http://id.loc.gov/vocabulary/subjectSchemes/",
    "genreFormSchemes": "http://id.loc.gov/vocabulary/genreFormSchemes/",
    "relationship": "http://id.loc.gov/vocabulary/relationship/",
    "mnotetype": "http://id.loc.gov/vocabulary/mnotetype/",
    "organizations": "http://id.loc.gov/vocabulary/organizations/",
}

RDF_TYPE = PREFIXES["rdf"] + "type"
EDTF = "http://id.loc.gov/datatypes/edtf"


def expand(curie: str) -> str | None:
    """The full IRI of ``prefix:local``, or None when the prefix is unknown or it is not a CURIE."""
    prefix, sep, local = curie.partition(":")
    if not sep or local.startswith("//"):
        return None
    base = PREFIXES.get(prefix)
    return None if base is None else base + local
