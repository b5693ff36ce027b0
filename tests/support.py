"""Shared test helpers: where the data is, the corpus manifest, and record comparison."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

from pymarc import Record

DATA = Path(__file__).parent / "data"
CORPUS = DATA / "corpus"
SEED = DATA / "seed.txt"

# leader positions that legitimately differ between serializations of the same record:
# 00-04 record length, 09 character coding (always 'a' once decoded), 12-16 base address
LEADER_IGNORED = set(range(0, 5)) | {9} | set(range(12, 17))


def manifest() -> list[dict]:
    with open(CORPUS / "MANIFEST.tsv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s or "")


def comparable_leader(leader) -> str:
    return "".join(ch for i, ch in enumerate(str(leader)) if i not in LEADER_IGNORED)


def field_tuples(record: Record) -> list[tuple]:
    out = []
    for f in record.fields:
        if f.is_control_field():
            out.append((f.tag, _nfc(f.data)))
        else:
            # an empty indicator attribute in MARCXML is a blank; pymarc keeps "0 " as it is
            ind = tuple((i or " ")[:1] for i in (f.indicators or (" ", " ")))
            out.append((f.tag, ind, tuple((sf.code, _nfc(sf.value)) for sf in f.subfields)))
    return out


def assert_same_record(ours: Record, theirs: Record, where: str = "") -> None:
    assert comparable_leader(ours.leader) == comparable_leader(theirs.leader), where
    a, b = field_tuples(ours), field_tuples(theirs)
    assert len(a) == len(b), f"{where}: {len(a)} fields vs {len(b)}"
    for x, y in zip(a, b):
        assert x == y, where


def mapped_counts(paths) -> tuple[int, int]:
    """(triples `marc2rdf convert` writes, distinct (graph, triple) quads a store holds) for these
    inputs under the bibframe profile, counted from the mapper itself."""
    from marc2rdf.mapping import load_mappers
    from marc2rdf.readers import read
    from marc2rdf.readers.base import Read
    from marc2rdf.store import graph_of

    (mapper,) = load_mappers(["bibframe"])
    written, quads = 0, set()
    for path in paths:
        for item in read(path):
            if isinstance(item, Read):
                triples = mapper.map(item.record)
                written += len(triples)
                quads |= {(graph_of(mapper, item.record), *t) for t in triples}
    return written, len(quads)


def assert_isomorphic(got, want, label: str = "") -> None:
    """Two rdflib graphs are the same graph; if not, fail with the triples each has alone."""
    from rdflib.compare import graph_diff, isomorphic, to_isomorphic

    if not isomorphic(got, want):
        _, only_got, only_want = graph_diff(to_isomorphic(got), to_isomorphic(want))
        raise AssertionError(f"{label}\nunexpected:\n{only_got.serialize(format='nt')}\n"
                             f"missing:\n{only_want.serialize(format='nt')}")
