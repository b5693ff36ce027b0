"""Golden cases, one per rule id: ``tests/cases/<rule id>/record.mrk`` (a real corpus record in
which the rule fires) and ``expected.nt`` (exactly the triples that rule makes from it).

They are regenerated only on purpose, and the diff reviewed::

    python tests/cases.py            # rewrite every case from the corpus
    python tests/cases.py RULE...    # only these rules
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
CASES = HERE / "cases"
CORPUS = HERE / "data" / "corpus"
# where examples are looked for: each case takes the smallest real record its rule fires on
SOURCES = [HERE / "data" / "seed.txt", *sorted((CORPUS / "iso2709").glob("*.mrc")), *sorted((CORPUS / "marcxml").glob("*.xml"))]


def rule_triples(mapper, record, rule_id: str) -> list[tuple[str, str, str]]:
    return [t for rid, t in mapper.explain(record) if rid == rule_id]


def regenerate(only: list[str] | None = None) -> list[str]:
    sys.path.insert(0, str(HERE.parent))
    from marc2rdf.mapping import load_mappers
    from marc2rdf.readers import read
    from marc2rdf.readers.base import Read
    from marc2rdf.readers.mrk import write_mrk

    (mapper,) = load_mappers(["bibframe"])
    wanted = {rid for rid, _ in mapper.rules if not only or rid in only}
    best: dict[str, tuple[int, str, str]] = {}  # rule -> (size, mrk, where): the smallest record it fires on
    for source in SOURCES:
        for item in read(source):
            if not isinstance(item, Read):
                continue
            fired = {rid for rid, _ in mapper.explain(item.record)} & wanted
            if not fired:
                continue
            mrk = write_mrk(item.record)
            for rid in fired:
                if rid not in best or len(mrk) < best[rid][0]:
                    best[rid] = (len(mrk), mrk, f"{source.relative_to(HERE)} record {item.position.ordinal}")
    for rid, (_, mrk, where) in best.items():
        case = CASES / rid
        case.mkdir(parents=True, exist_ok=True)
        (case / "record.mrk").write_text(mrk, encoding="utf-8")
        (record,) = [i.record for i in read(mrk.encode("utf-8"))]
        lines = sorted(f"{s} {p} {o} .\n" for s, p, o in rule_triples(mapper, record, rid))
        (case / "expected.nt").write_text("".join(lines), encoding="utf-8")
        (case / "SOURCE").write_text(where + "\n", encoding="utf-8")
    missing = wanted - set(best)
    return sorted(missing)


if __name__ == "__main__":
    never = regenerate(sys.argv[1:] or None)
    if never:
        print("rules that fire on no corpus record:", ", ".join(never))
