"""Golden cases for the schema profile, one per rule id, as tests/cases.py keeps them for BIBFRAME:
``tests/schema_cases/<rule id>/record.mrk`` (the smallest real record the rule fires on, from the seed and
the corpus) and ``expected.nt`` (exactly the triples that rule makes from it; isomorphism).

Regenerate on purpose, and review the diff:  python tests/test_schema_cases.py [RULE...]
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import pytest  # noqa: E402
import rdflib  # noqa: E402
from rdflib.compare import graph_diff, isomorphic, to_isomorphic  # noqa: E402

from marc2rdf.mapping import load_mappers  # noqa: E402
from marc2rdf.readers import read  # noqa: E402
from marc2rdf.readers.base import Read  # noqa: E402
from marc2rdf.readers.mrk import write_mrk  # noqa: E402

from cases import rule_triples  # noqa: E402
from support import CORPUS, SEED  # noqa: E402

CASES = HERE / "schema_cases"
# rules no record of the seed or the corpus exercises; listed so that adding one is noticed
NO_CASE: set[str] = set()


@lru_cache(maxsize=1)
def mapper():
    return load_mappers(["schema"])[0]


def sources() -> list[Path]:
    return [SEED] + sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".mrc", ".xml", ".json", ".mrk")
                           and "malformed" not in p.parts)


def smallest_records(m) -> dict[str, tuple[str, str]]:
    """rule id -> (MARC mnemonic text, where) of the smallest record the rule fires on."""
    best: dict[str, tuple[int, str, str]] = {}
    for source in sources():
        for item in read(source):
            if not isinstance(item, Read):
                continue
            fired = {rid for rid, _ in m.explain(item.record)}
            if not fired:
                continue
            mrk = write_mrk(item.record)
            for rid in fired:
                if rid not in best or len(mrk) < best[rid][0]:
                    best[rid] = (len(mrk), mrk, f"{source.relative_to(HERE)} record {item.position.ordinal}")
    return {rid: (mrk, where) for rid, (_, mrk, where) in best.items()}


def regenerate(only: list[str] | None = None) -> list[str]:
    m = mapper()
    wanted = {rid for rid, _ in m.rules if not only or rid in only}
    best = smallest_records(m)
    for rid in sorted(wanted & set(best)):
        mrk, where = best[rid]
        case = CASES / rid
        case.mkdir(parents=True, exist_ok=True)
        (case / "record.mrk").write_text(mrk, encoding="utf-8")
        (record,) = [i.record for i in read(mrk.encode("utf-8"))]
        lines = sorted(f"{s} {p} {o} .\n" for s, p, o in rule_triples(m, record, rid))
        (case / "expected.nt").write_text("".join(lines), encoding="utf-8")
        (case / "SOURCE").write_text(where + "\n", encoding="utf-8")
    return sorted(wanted - set(best))


CASE_DIRS = sorted(p for p in CASES.iterdir() if p.is_dir()) if CASES.exists() else []


def graph(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format="nt")


@pytest.mark.parametrize("case", CASE_DIRS, ids=lambda p: p.name)
def test_rule_output(case):
    (item,) = list(read(case / "record.mrk"))
    got = graph("".join(f"{s} {p} {o} .\n" for s, p, o in rule_triples(mapper(), item.record, case.name)))
    want = graph((case / "expected.nt").read_text(encoding="utf-8"))
    assert len(want) > 0
    if not isomorphic(got, want):
        _, only_got, only_want = graph_diff(to_isomorphic(got), to_isomorphic(want))
        pytest.fail(f"{case.name}\nunexpected:\n{only_got.serialize(format='nt')}\nmissing:\n{only_want.serialize(format='nt')}")


def test_every_rule_has_a_case():
    rules = {rid for rid, _ in mapper().rules}
    assert rules - {p.name for p in CASE_DIRS} == NO_CASE
    assert {p.name for p in CASE_DIRS} <= rules, "a case for a rule that no longer exists"


if __name__ == "__main__":
    never = regenerate(sys.argv[1:] or None)
    if never:
        print("rules that fire on no record:", ", ".join(never))
