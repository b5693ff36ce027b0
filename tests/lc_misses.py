"""Every fact LC's marc2bibframe2 states that marc2rdf's BIBFRAME profile does not.

``python tests/lc_misses.py [KIND ...]`` prints one line per miss: reference file, record key,
kind, fact. :func:`misses` is what tests/test_bibframe_vs_lc.py checks against its ledger of
explained misses; :func:`marc_records` gives the MARC records the ledger's conditions read.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path
from typing import NamedTuple

import rdflib

import bffacts
from support import CORPUS, DATA

REFERENCE = DATA / "reference-bibframe"


class Miss(NamedTuple):
    file: str  # reference file stem (LC's output), which names the MARC input too
    record: str  # record key: the 001
    kind: str
    fact: tuple


def source(ref: Path) -> Path:
    """The MARCXML input LC converted into ``ref``."""
    stem = ref.stem
    return REFERENCE / "seed.input.xml" if stem == "seed" else CORPUS / "marcxml" / f"{stem}.xml"


def references() -> list[Path]:
    return sorted(REFERENCE.glob("*.rdf"))


@cache
def relator_terms() -> dict[str, str]:
    from marc2rdf.mapping.maps import load_table
    from marc2rdf.mapping.profile import MAPPINGS_DIR

    return load_table(MAPPINGS_DIR / "maps" / "relator_terms.tsv").column("code")


@cache
def _mapper():
    from marc2rdf.mapping import load_mappers

    return load_mappers(["bibframe"])[0]


@cache
def marc_records(stem: str) -> dict:
    """Record key (001) -> pymarc Record, for one reference file's input (the first of two
    records sharing a 001, which LC merges; the copies are identical)."""
    from marc2rdf.readers import read

    out = {}
    for item in read(source(REFERENCE / f"{stem}.rdf")):
        f001 = item.record.get("001")
        key = f001.data.strip() if f001 is not None else ""
        out.setdefault(key, item.record)
    return out


@cache
def compared(stem: str) -> tuple[bffacts.Facts, bffacts.Facts]:
    """(our facts, LC's facts) for one reference file."""
    from marc2rdf.readers import read

    ref = REFERENCE / f"{stem}.rdf"
    mapper = _mapper()
    lines = [f"{s} {p} {o} .\n" for item in read(source(ref)) for s, p, o in mapper.map(item.record)]
    g = rdflib.Graph()
    g.parse(data="".join(lines), format="nt")
    terms = relator_terms()
    return bffacts.facts(g, relator_terms=terms), bffacts.facts(bffacts.load(ref), relator_terms=terms)


def misses(kinds=bffacts.KINDS) -> list[Miss]:
    """Every LC fact of these kinds we do not state, over all reference records."""
    out = []
    for ref in references():
        ours, theirs = compared(ref.stem)
        for kind in kinds:
            for rec, facts in bffacts.missing(ours, theirs, kind).items():
                out.extend(Miss(ref.stem, rec, kind, f) for f in facts)
    return out


def main(argv: list[str]) -> None:
    kinds = tuple(argv) or bffacts.KINDS
    found = misses(kinds)
    for m in found:
        print(f"{m.file}\t{m.record}\t{m.kind}\t{m.fact!r}")
    print(f"{len(found)} misses", file=sys.stderr)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main(sys.argv[1:])
