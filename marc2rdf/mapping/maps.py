"""Code tables: ``mappings/maps/<name>.tsv`` (``#`` comment lines, a header line, then rows).

A table is loaded once per process and cached; a rule names it (``map: relators``) and, when the
table has several value columns, the column (``column: bcp47``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


class Table:
    def __init__(self, name: str, columns: list[str], rows: dict[str, list[str]]):
        self.name = name
        self.columns = columns
        self.rows = rows

    def column(self, name: str | None) -> dict[str, str]:
        """key -> value of one column (the first value column by default); empty values dropped."""
        if name is not None and self.columns and name == self.columns[0]:
            return {k: k for k in self.rows}  # the key column: keeps known keys only
        index = 1 if name is None else self.columns.index(name)
        return {k: v[index - 1] for k, v in self.rows.items() if len(v) >= index and v[index - 1]}

    def keys(self) -> set[str]:
        return set(self.rows)


def maps_dirs(extra: list[Path] | None = None) -> list[Path]:
    from marc2rdf.mapping.profile import MAPPINGS_DIR

    return [*(extra or []), MAPPINGS_DIR / "maps"]


@cache
def load_table(path: Path) -> Table:
    columns: list[str] | None = None
    rows: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cells = line.split("\t")
            if columns is None:
                columns = cells
                continue
            rows.setdefault(cells[0], cells[1:])
    return Table(path.stem, columns or [], rows)


def find_table(name: str, dirs: list[Path]) -> Path | None:
    for d in dirs:
        p = d / f"{name}.tsv"
        if p.exists():
            return p
    return None
