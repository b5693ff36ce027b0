"""Golden cases, one per rule id: ``<cases dir>/<rule id>/record.mrk`` (the smallest real record
in which the rule fires) and ``expected.nt`` (exactly the triples that rule makes from it).
BIBFRAME's are in ``tests/cases/``, schema.org's in ``tests/schema_cases/``.

They are regenerated only on purpose, and the diff reviewed::

    python tests/cases.py                    # rewrite every BIBFRAME case
    python tests/cases.py RULE...            # only these rules
    python tests/cases.py --profile schema   # the schema.org cases (same options)
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
CORPUS = HERE / "data" / "corpus"
SEED = HERE / "data" / "seed.txt"


class Suite:
    """The golden cases of one profile: where they are and which records they are taken from."""

    def __init__(self, profile: str, cases: Path, sources: list[Path]):
        self.profile = profile
        self.cases = cases
        self.sources = sources

    def case_dirs(self) -> list[Path]:
        return sorted(p for p in self.cases.iterdir() if p.is_dir()) if self.cases.exists() else []

    def mapper(self):
        sys.path.insert(0, str(HERE.parent))
        from marc2rdf.mapping import load_mappers

        (mapper,) = load_mappers([self.profile])
        return mapper

    def regenerate(self, only: list[str] | None = None) -> list[str]:
        """Rewrite the cases (of ``only`` these rules); the rules that fire on no record."""
        from marc2rdf.readers import read
        from marc2rdf.readers.base import Read
        from marc2rdf.readers.mrk import write_mrk

        mapper = self.mapper()
        wanted = {rid for rid, _ in mapper.rules if not only or rid in only}
        best: dict[str, tuple[int, str, str]] = {}  # rule -> (size, mrk, where): the smallest record it fires on
        for source in self.sources:
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
            case = self.cases / rid
            case.mkdir(parents=True, exist_ok=True)
            (case / "record.mrk").write_text(mrk, encoding="utf-8")
            (record,) = [i.record for i in read(mrk.encode("utf-8"))]
            lines = sorted(f"{s} {p} {o} .\n" for s, p, o in rule_triples(mapper, record, rid))
            (case / "expected.nt").write_text("".join(lines), encoding="utf-8")
            (case / "SOURCE").write_text(where + "\n", encoding="utf-8")
        return sorted(wanted - set(best))


def rule_triples(mapper, record, rule_id: str) -> list[tuple[str, str, str]]:
    return [t for rid, t in mapper.explain(record) if rid == rule_id]


def check_case(mapper, case: Path) -> None:
    """The case's record, mapped, gives exactly its expected triples for its rule."""
    import rdflib

    from marc2rdf.readers import read

    from support import assert_isomorphic

    (item,) = list(read(case / "record.mrk"))
    got = rdflib.Graph().parse(
        data="".join(f"{s} {p} {o} .\n" for s, p, o in rule_triples(mapper, item.record, case.name)), format="nt")
    want = rdflib.Graph().parse(data=(case / "expected.nt").read_text(encoding="utf-8"), format="nt")
    assert len(want) > 0
    assert_isomorphic(got, want, case.name)


BIBFRAME = Suite("bibframe", HERE / "cases",
                 [SEED, *sorted((CORPUS / "iso2709").glob("*.mrc")), *sorted((CORPUS / "marcxml").glob("*.xml"))])
SCHEMA = Suite("schema", HERE / "schema_cases",
               [SEED, *sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".mrc", ".xml", ".json", ".mrk")
                              and "malformed" not in p.parts)])
SUITES = {suite.profile: suite for suite in (BIBFRAME, SCHEMA)}


if __name__ == "__main__":
    args = sys.argv[1:]
    suite = BIBFRAME
    if args[:1] == ["--profile"]:
        suite, args = SUITES[args[1]], args[2:]
    never = suite.regenerate(args or None)
    if never:
        print("rules that fire on no record:", ", ".join(never))
