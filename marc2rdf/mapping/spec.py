"""Selectors (traject's extract-spec grammar) and conditions, parsed once into plain functions.

Selectors::

    245            the field
    245abk         ...and the subfields a value reads by default
    600|*0|abcd    indicator filter (``*`` any, ``#`` or ``_`` blank)
    100:110:700    several specs, fields come in record order
    6..            a tag pattern (``.`` any character)
    008[35-37]     positions of a control field (0-based, inclusive)
    LDR[06-07]     positions of the leader

A rule on a tag also sees the 880 fields linked to it: the 880 that pairs with a field (same
``$6`` occurrence) rides along as that field's *twin*; an 880 that pairs with nothing is a field
of the linked tag on its own. Either way its literals carry a language-script tag (``ja-Jpan``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple

from pymarc import Record

from marc2rdf.mapping.fuse import shaped


class MappingError(Exception):
    """A mapping file is wrong: the message names the file, the line and the rule."""


class View(NamedTuple):
    """A field as a rule sees it."""

    pos: int
    tag: str  # the effective tag (an 880's linked tag)
    field: Any  # pymarc Field, or a _Fixed for the leader
    lang: str | None  # language-script tag for an 880's literals
    twin: View | None  # the linked 880 of a field


class _Fixed:
    """The leader, seen as a control field."""

    __slots__ = ("tag", "data")

    def __init__(self, data: str):
        self.tag = "LDR"
        self.data = data

    def is_control_field(self) -> bool:
        return True


class SelectorPart(NamedTuple):
    pattern: str  # exact tag, or a regex when it has wildcards
    wildcard: bool
    ind1: str | None
    ind2: str | None
    codes: str  # default subfields
    positions: tuple[int, int] | None


_PART = re.compile(
    r"^(?P<tag>LDR|leader|[0-9A-Za-z.]{3})"
    r"(?:\|(?P<i1>.)(?P<i2>.)\|)?"
    r"(?:\[(?P<start>\d+)(?:-(?P<end>\d+))?\])?"
    r"(?P<codes>[0-9a-z]*)$"
)


def _ind(value: str | None) -> str | None:
    if value is None or value == "*":
        return None
    return " " if value in "#_ " else value


def parse_selector(spec: str) -> list[SelectorPart]:
    parts = []
    for chunk in str(spec).split(":"):
        chunk = chunk.strip()
        m = _PART.match(chunk)
        if not m:
            raise ValueError(f"bad selector {chunk!r}")
        tag = "LDR" if m["tag"] in ("LDR", "leader") else m["tag"]
        positions = None
        if m["start"] is not None:
            start = int(m["start"])
            positions = (start, int(m["end"] or start))
        parts.append(SelectorPart(tag, "." in tag, _ind(m["i1"]), _ind(m["i2"]), m["codes"], positions))
    return parts


def compile_selector(spec: str) -> Callable[[RecordIndex], list[View]]:
    parts = parse_selector(spec)
    exact = [p.pattern for p in parts if not p.wildcard]
    patterns = [re.compile(p.pattern) for p in parts if p.wildcard]
    filters = {p.pattern: p for p in parts if p.ind1 is not None or p.ind2 is not None}

    def keep(view: View) -> bool:
        part = filters.get(view.tag)
        if part is None:
            return True
        ind1, ind2 = _indicators(view.field)
        return (part.ind1 is None or part.ind1 == ind1) and (part.ind2 is None or part.ind2 == ind2)

    if len(exact) == 1 and not patterns and not filters:
        only = exact[0]
        return lambda index: index.by_tag.get(only, [])

    if not patterns and not filters:
        tags = tuple(exact)
        tagset = frozenset(tags)
        repeated = len(tagset) < len(tags)  # a tag named twice: its fields come twice

        def select_tags(index: RecordIndex) -> list[View]:
            # several tags' fields, in record order (each tag's own are in order already; no two
            # views share a position, so the order they are gathered in does not matter)
            by_tag = index.by_tag
            found: list[View] = []
            mixed = False
            for t in tags if len(tags) <= len(by_tag) or repeated else [t for t in by_tag if t in tagset]:
                views = by_tag.get(t)
                if views:
                    if found:
                        mixed = True
                    found += views
            if mixed:
                found.sort(key=_pos)
            return found

        return select_tags

    def select(index: RecordIndex) -> list[View]:
        tags = list(exact)
        if patterns:
            tags += [t for t in index.by_tag if t not in tags and any(p.fullmatch(t) for p in patterns)]
        found = [v for t in tags for v in index.by_tag.get(t, ())]
        if len(tags) > 1:
            found.sort(key=lambda v: v.pos)
        return [v for v in found if keep(v)] if filters else found

    return select


def only_tag(spec: str) -> str | None:
    """The tag of a selector of one tag, without wildcards or indicator filters (else None): its
    fields are ``index.by_tag.get(tag)``."""
    parts = parse_selector(spec)
    if len(parts) == 1 and not parts[0].wildcard and parts[0].ind1 is None and parts[0].ind2 is None:
        return parts[0].pattern
    return None


def _pos(view: View) -> int:
    return view.pos


def selector_tags(spec: str) -> frozenset[str] | None:
    """The tags a selector can match, or None when it has a pattern (it may match any tag)."""
    parts = parse_selector(spec)
    if any(p.wildcard for p in parts):
        return None
    return frozenset(p.pattern for p in parts)


def _indicators(field) -> tuple[str, str]:
    inds = getattr(field, "indicators", None)
    if not inds:
        return " ", " "
    return (inds[0] or " ", inds[1] or " ")


# -- the per-record index -------------------------------------------------------------------

_SIX = re.compile(r"^(\d{3})-(\d{2})(?:/([^/]*))?")
_tuple_new = tuple.__new__


class RecordIndex:
    """Built once per record: fields by effective tag, 880 twins paired, fixed fields at hand."""

    __slots__ = ("record", "by_tag", "leader", "fixed", "_lang_of")

    def __init__(self, record: Record, script_tag: Callable[[str, str], str | None]):
        self.record = record
        self.leader = str(record.leader)
        by_tag: dict[str, list[View]] = {"LDR": [View(-1, "LDR", _Fixed(self.leader), None, None)]}
        fixed: dict[str, str] = {"LDR": self.leader}
        # the common case, a record without 880s: each field is a view of its own tag
        for pos, f in enumerate(record.fields):
            tag = f.tag
            if tag == "880":
                break
            if tag < "010" and tag.isdigit() and tag not in fixed:
                fixed[tag] = f.data or ""
            view = _tuple_new(View, (pos, tag, f, None, None))
            views = by_tag.get(tag)
            if views is None:
                by_tag[tag] = [view]
            else:
                views.append(view)
        else:
            self.by_tag = by_tag
            self.fixed = fixed
            return
        self._linked(record, script_tag)

    def _linked(self, record: Record, script_tag: Callable[[str, str], str | None]) -> None:
        """The index of a record with 880s: the twins paired, the unpaired 880s under their tag.

        A field's link is its first ``$6``; language from the first 008 with 35-37, script from
        the 880's ``$6``. Each field's subfields are looked at once."""
        by_tag: dict[str, list[View]] = {"LDR": [View(-1, "LDR", _Fixed(self.leader), None, None)]}
        fixed: dict[str, str] = {"LDR": self.leader}
        fields = record.fields
        lang_code = ""
        six_of: dict[int, str] = {}  # position -> first $6 of a data field that has one
        linked: list[int] = []  # positions of the 880s
        for pos, f in enumerate(fields):
            tag = f.tag
            if tag == "880":
                linked.append(pos)
            elif tag == "008" and not lang_code:
                lang_code = (f.data or "")[35:38]
            if not f.control_field:
                for code, value in f.subfields:
                    if code == "6":
                        six_of[pos] = value
                        break
        twins: dict[tuple[str, str], int] = {}  # (linked tag, occurrence) -> position of its 880
        for pos in linked:
            m = _SIX.match(six_of.get(pos) or "")
            if m and m.group(2) != "00":
                twins[(m.group(1), m.group(2))] = pos
        paired: set[int] = set()
        for pos, f in enumerate(fields):
            tag = f.tag
            if tag < "010" and tag.isdigit():
                fixed.setdefault(tag, f.data or "")
            if tag == "880":
                continue
            twin = None
            six = six_of.get(pos)
            if six is not None:
                m = _SIX.match(six)
                if m and m.group(1) == "880":
                    t = twins.pop((tag, m.group(2)), None)
                    if t is not None:
                        paired.add(t)
                        twin = _tuple_new(View, (pos, tag, fields[t], script_tag(lang_code, six_of[t]), None))
            view = _tuple_new(View, (pos, tag, f, None, twin))
            views = by_tag.get(tag)
            if views is None:
                by_tag[tag] = [view]
            else:
                views.append(view)
        grown = set()
        for pos in linked:
            if pos not in paired:
                m = _SIX.match(six_of.get(pos) or "")
                if m:
                    tag = m.group(1)
                    by_tag.setdefault(tag, []).append(
                        _tuple_new(View, (pos, tag, fields[pos], script_tag(lang_code, six_of[pos]), None)))
                    grown.add(tag)
        for tag in grown:  # the other lists are in field order already
            by_tag[tag].sort(key=_pos)
        self.by_tag = by_tag
        self.fixed = fixed


# -- conditions -------------------------------------------------------------------------------

_FIXED_KEY = re.compile(r"^(leader|LDR|00\d)/(\d{2})(?:-(\d{2}))?$")
CONDITION_KEYS = ("tag", "ind1", "ind2", "has", "lacks", "record_has", "record_lacks", "matches", "not", "any", "is", "$<code>", "leader/NN[-NN]", "00X/NN[-NN]")

Cond = Callable[[View, RecordIndex], bool]


def _as_set(value) -> set[str]:
    values = value if isinstance(value, list) else [value]
    out = set()
    for v in values:
        v = str(v)
        out.add(" " * len(v) if set(v) <= {"#", "_"} else v)
    return out


def compile_condition(spec: dict, named: Callable[[str], Cond] | None = None) -> Cond:
    """``named(name)`` gives a condition of the profile's ``conditions:`` (the ``is`` key)."""
    checks: list[Cond] = []
    for key, value in spec.items():
        if key.startswith("__"):
            continue
        checks.append(_compile_check(key, value, named))
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return shaped(lambda view, index: first(view, index) and second(view, index), "all", checks)
    return shaped(lambda view, index: all(c(view, index) for c in checks), "all", checks)


def _compile_check(key: str, value, named: Callable[[str], Cond] | None = None) -> Cond:
    if key == "is":  # named conditions, all of which must hold: `is: book`, `is: [person, book]`
        if named is None:
            raise ValueError("`is` names a condition of the profile's `conditions:`, and there are none here")
        inners = [named(str(n)) for n in (value if isinstance(value, list) else [value])]
        if len(inners) == 1:
            return inners[0]
        return shaped(lambda view, index: all(c(view, index) for c in inners), "all", inners)
    if key == "tag":
        pattern = re.compile("|".join(f"(?:{p})" for p in (value if isinstance(value, list) else [value])))
        known: dict[str, bool] = {}  # tag -> whether it matches: a rule sees few tags

        def tag_matches(view: View, index: RecordIndex) -> bool:
            tag = view.tag
            ok = known.get(tag)
            if ok is None:
                if len(known) >= 4096:
                    known.clear()
                ok = known[tag] = bool(pattern.fullmatch(tag))
            return ok

        return shaped(tag_matches, "tag", known)
    if key in ("ind1", "ind2"):
        n = 0 if key == "ind1" else 1
        allowed = _as_set(value)

        def indicator(view: View, index: RecordIndex) -> bool:
            inds = getattr(view.field, "indicators", None)
            return ((inds[n] or " ") if inds else " ") in allowed

        return shaped(indicator, "indicator", n, allowed)
    if key in ("has", "lacks"):
        codes = frozenset(str(value))
        want = key == "has"

        def has(view: View, index: RecordIndex) -> bool:
            for c, _ in getattr(view.field, "subfields", ()):
                if c in codes:
                    return want
            return not want

        return shaped(has, "has", codes, want)
    if key in ("record_has", "record_lacks"):
        tags = [str(t) for t in (value if isinstance(value, list) else [value])]
        want = key == "record_has"
        return shaped(lambda view, index: index.by_tag.keys().isdisjoint(tags) != want, "record_has", tags, want)
    if key == "matches":
        pats = [(str(code).lstrip("$"), re.compile(rx)) for code, rx in value.items() if not str(code).startswith("__")]

        def matches(view: View, index: RecordIndex) -> bool:
            # each pattern found in one of the subfields of its code
            subfields = getattr(view.field, "subfields", ())
            for code, rx in pats:
                for c, v in subfields:
                    if c == code and rx.search(v):
                        break
                else:
                    return False
            return True

        return matches
    if key == "not":
        inner = compile_condition(value, named)
        return shaped(lambda view, index: not inner(view, index), "not", inner)
    if key == "any":
        inners = [compile_condition(v, named) for v in value]
        return shaped(lambda view, index: any(c(view, index) for c in inners), "any", inners)
    if key.startswith("$") and len(key) == 2:
        code = key[1]
        allowed = {v.casefold() for v in _as_set(value)}

        def subfield_is(view: View, index: RecordIndex) -> bool:
            for c, v in getattr(view.field, "subfields", ()):  # noqa: SIM110 (a loop: no generator per call)
                if c == code and v.strip().casefold() in allowed:
                    return True
            return False

        return subfield_is
    m = _FIXED_KEY.match(key)
    if m:
        tag = "LDR" if m.group(1) in ("leader", "LDR") else m.group(1)
        start = int(m.group(2))
        end = int(m.group(3) or start) + 1
        allowed = _as_set(value)
        return shaped(lambda view, index: index.fixed.get(tag, "")[start:end] in allowed, "fixed", tag, start, end, allowed)
    raise ValueError(f"unknown condition {key!r} (known: {', '.join(CONDITION_KEYS)})")
