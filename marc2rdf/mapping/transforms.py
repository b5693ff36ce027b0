"""Named transforms: the one registry of the steps a rule's ``then:`` may list.

A transform is registered with a factory ``make(arg, tables) -> step``; ``step(value)`` returns a
string, a list of strings, or None (the value is dropped). Rules name them
(``then: [trim_punctuation, {split: ","}]``); an unknown name is a load-time error. A local
profile can register its own with :func:`register` from a Python module it names in ``plugins:``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from marc2rdf.mapping.fuse import shaped

Step = Callable[[str], "str | list[str] | None"]
TRANSFORMS: dict[str, tuple[Callable[..., Step], str]] = {}


def register(name: str, doc: str):
    """Register a transform factory ``make(arg, tables) -> step`` under ``name``."""

    def deco(make):
        TRANSFORMS[name] = (make, doc)
        return make

    return deco


def simple(name: str, doc: str):
    """Register a transform that takes no argument."""

    def deco(fn: Step):
        TRANSFORMS[name] = (lambda arg, tables: fn, doc)
        return fn

    return deco


# -- punctuation ------------------------------------------------------------------------------

_TRAIL_STRIP = " \t\n\r\u00a0/:;,=+"
_TRAIL_CHARS = frozenset(" \t/:;,=+.")
_LEAD_CHARS = frozenset(" \t/:;,=+")


@register("trim_punctuation", "Remove ISBD punctuation at both ends (` /`, ` :`, ` ;`, ` =`, `,`, final `.` unless it ends an abbreviation or an initial).")
def _make_trim(arg, tables) -> Step:
    abbreviations = {a.casefold() for a in tables("abbreviations").rows} if tables else set()

    def trim(value: str) -> str | None:
        if not value:
            return None
        if value[-1] not in _TRAIL_CHARS and value[0] not in _LEAD_CHARS:
            return value  # the common case: nothing to trim
        while True:
            value = value.rstrip(_TRAIL_STRIP).lstrip(_TRAIL_STRIP)
            if value.endswith(".") and not value.endswith("..."):
                # the word the period ends: the last run of non-spaces before it (a search for
                # `(\S+)\.$` would try every position of the value)
                body = value[:-1]
                word = body.rsplit(None, 1)[-1] if body and not body[-1].isspace() else ""
                bare = word.lstrip("([")
                initial = len(bare) == 1 and bare.isalpha()
                dotted = "." in bare  # "U.S." "e.g."
                if not (initial or dotted or (bare + ".").casefold() in abbreviations):
                    value = value[:-1]
                    continue  # a final period gone: what it followed may be punctuation too
            # stripping twice changes nothing, and the period stays: the value is trimmed
            return value or None

    return shaped(trim, "trim", _TRAIL_CHARS, _LEAD_CHARS)


@simple("strip", "Remove surrounding whitespace.")
def _strip(value: str) -> str | None:
    return value.strip() or None


@simple("lower", "Lower-case.")
def _lower(value: str) -> str:
    return value.lower()


@simple("unbracket", "Remove square brackets a cataloger put around supplied text.")
def _unbracket(value: str) -> str | None:
    return value.replace("[", "").replace("]", "").strip() or None


@register("split", "Split on a separator (`{split: \",\"}`), keeping the non-empty trimmed parts.")
def _make_split(arg, tables) -> Step:
    sep = arg or ","

    def split(value: str) -> list[str]:
        return [p.strip() for p in value.split(sep) if p.strip()]

    return split


_PART_NAME = re.compile(r"\{(\d+)\}")


@register("part", "The Nth part (from 1) of a delimited value, trimmed: `{part: [\"|\", 2]}`; or parts put in a template: `{part: [\"|\", \"vol. {2}, no. {3}\"]}` (dropped when a part it names is empty).")
def _make_part(arg, tables) -> Step:
    sep, which = arg
    if isinstance(which, int):
        if which < 1:
            raise ValueError("parts are counted from 1")
        n = which - 1

        def part(value: str) -> str | None:
            parts = value.split(sep)
            return parts[n].strip() or None if n < len(parts) else None

        return part
    template = str(which)
    names = [int(m) for m in re.findall(r"\{(\d+)\}", template)]
    if not names or min(names) < 1:
        raise ValueError("a template names parts as {1}, {2}...")

    def parts(value: str) -> str | None:
        got = [p.strip() for p in value.split(sep)]
        if any(i > len(got) or not got[i - 1] for i in names):
            return None
        return _PART_NAME.sub(lambda m: got[int(m.group(1)) - 1], template)

    return parts


@register("match", "Keep the first group (or the whole match) of a regular expression; drop the value when it does not match.")
def _make_match(arg, tables) -> Step:
    pattern = re.compile(arg)

    def match(value: str) -> str | None:
        m = pattern.search(value)
        if not m:
            return None
        return (m.group(1) if m.groups() else m.group(0)) or None

    return match


@register("replace", "Replace a regular expression: `{replace: [pattern, replacement]}`.")
def _make_replace(arg, tables) -> Step:
    pattern, repl = re.compile(arg[0]), arg[1]

    def replace(value: str) -> str | None:
        return pattern.sub(repl, value) or None

    return replace


@register("substr", "Characters start..end (0-based, end exclusive): `{substr: [0, 3]}`.")
def _make_substr(arg, tables) -> Step:
    start, end = arg

    def substr(value: str) -> str | None:
        return value[start:end].strip() or None

    return substr


@register("format", "Put the value in a template: `{format: \"p. {}\"}`.")
def _make_format(arg, tables) -> Step:
    return lambda value: arg.replace("{}", value)


@register("unless", "Drop values equal to one of the listed ones: `{unless: [\"|||\", \"   \"]}`.")
def _make_unless(arg, tables) -> Step:
    banned = set(arg if isinstance(arg, list) else [arg])
    return lambda value: None if value in banned else value


# -- identifiers ------------------------------------------------------------------------------

_ISBN = re.compile(r"[0-9][0-9\- ]{8,16}[0-9Xx]")
_QUALIFIER = re.compile(r"\(([^)]*)\)")
_ISBN_SEPARATORS = re.compile(r"[\s-]")
_NOT_ISSN = re.compile(r"[^0-9Xx]")


@simple("isbn", "The ISBN in a 020 $a: digits and X only (qualifiers dropped).")
def _isbn(value: str) -> str | None:
    m = _ISBN.search(value)
    if not m:
        return value.strip() or None
    return _ISBN_SEPARATORS.sub("", m.group(0)).upper()


@simple("qualifier", "The text in parentheses after an identifier (`(pbk.)` → `pbk.`).")
def _qualifier(value: str) -> str | None:
    m = _QUALIFIER.search(value)
    return m.group(1).strip() or None if m else None


@simple("issn", "An ISSN as NNNN-NNNX.")
def _issn(value: str) -> str | None:
    digits = _NOT_ISSN.sub("", value).upper()
    if len(digits) == 8:
        return digits[:4] + "-" + digits[4:]
    return value.strip() or None


@simple("lccn", "An LCCN normalized as LC does (blanks gone, `/` suffix dropped, serial part zero-padded).")
def _lccn(value: str) -> str | None:
    v = value.strip().split("/")[0].replace(" ", "")
    if "-" in v:
        prefix, _, serial = v.partition("-")
        if serial.isdigit():
            v = prefix + serial.zfill(6)
    return v or None


_DLC = re.compile(r"^\(DLC\)\s*([a-z]{0,3})\s*(\d+)")
_FAST = re.compile(r"^\(OCoLC\)fst0*(\d+)")
_URI_PREFIX = re.compile(r"^\(uri\)", re.I)
# a GND number after DE-588, the GND's MARC organization code, in the GND's own identifier syntax
# (gndo:gndIdentifier): persons 1[012]?+8 digits+check, older records 7 digits-check, etc.
_GND = re.compile(r"^\(DE-588\)\s*(1[012]?\d{7}[0-9X]|[47]\d{6}-\d|[1-9]\d{0,7}-[0-9X]|3\d{7}[0-9X])$")


@register("authority_uri", "An authority IRI from a $0/$1: an IRI as is, `(uri)...`, `id.loc.gov/...` without its scheme, `(DLC)n 79021164` as id.loc.gov, `(OCoLC)fst...` as FAST, `(DE-588)118540238` as GND; `{authority_uri: subjects}` for LC subject numbers.")
def _make_authority_uri(arg, tables) -> Step:
    scheme = arg or "names"

    def authority_uri(value: str) -> str | None:
        v = _URI_PREFIX.sub("", value.strip()).lstrip()  # "(uri) http://..." has a blank too
        if v.startswith(("http://", "https://")):
            return v.replace(" ", "")
        if v.startswith("id.loc.gov/"):  # an id.loc.gov IRI written without its scheme
            return "http://" + v.replace(" ", "")
        m = _DLC.match(v)
        if m:
            prefix = m.group(1)
            kind = "subjects" if prefix == "sh" else ("genreForms" if prefix == "gf" else scheme)
            return f"http://id.loc.gov/authorities/{kind}/{prefix}{m.group(2)}"
        m = _FAST.match(v)
        if m:
            return f"http://id.worldcat.org/fast/{m.group(1)}"
        m = _GND.match(v)
        if m:
            return f"https://d-nb.info/gnd/{m.group(1)}"
        return None

    return authority_uri


_LC_AUTH = re.compile(r"^https?://id\.loc\.gov/authorities/(names|subjects)/([a-z]+\d+)(?:\.html)?$")


@register("rwo", "An id.loc.gov names/subjects authority IRI as its real-world-object IRI (`/rwo/agents/...`); other IRIs unchanged.")
def _make_rwo(arg, tables) -> Step:
    def rwo(value: str) -> str:
        m = _LC_AUTH.match(value)
        if m and m.group(1) == "names":
            return f"http://id.loc.gov/rwo/agents/{m.group(2)}"
        return value

    return rwo


_LC_RWO = re.compile(r"^https?://id\.loc\.gov/rwo/agents/([a-z]+\d+)(?:\.html)?$")


@register("rwo_authority", "An id.loc.gov real-world-object IRI (`/rwo/agents/...`) as the name authority record it comes from; anything else dropped.")
def _make_rwo_authority(arg, tables) -> Step:
    def rwo_authority(value: str) -> str | None:
        m = _LC_RWO.match(value.strip())
        return f"http://id.loc.gov/authorities/names/{m.group(1)}" if m else None

    return rwo_authority


# -- dates ------------------------------------------------------------------------------------

_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_YEAR_008 = re.compile(r"[0-9u]{4}")
_TIMESTAMP_005 = re.compile(r"\d{14}(\.\d)?")
_DATE_008 = re.compile(r"\d{6}")


@simple("year", "The first four-digit year in a value (`c1955-<1957>` → `1955`).")
def _year(value: str) -> str | None:
    m = _YEAR.search(value)
    return m.group(1) if m else None


@simple("edtf", "An 008 date (`19uu`, `1955`, `9999`) as EDTF (`19XX`, `1955`; `9999`/blank dropped).")
def _edtf(value: str) -> str | None:
    v = value.strip().lower()
    if len(v) != 4 or v in ("9999", "uuuu", "||||", "####") or not _YEAR_008.fullmatch(v):
        return None
    if not v[0].isdigit():
        return None
    return v.replace("u", "X")


def _edtf_year(d: str) -> str | None:
    d = d.strip().lower()
    if len(d) != 4 or d in ("||||", "####") or not _YEAR_008.fullmatch(d):
        return None
    return d.replace("u", "X")


@simple("edtf_008", "008/06-14 (date type, date 1, date 2) as an EDTF date or interval (`m19851990` → `1985/1990`, `c2013uuuu` → `2013/..`, `m1900uuuu` → `1900/`, `q12001299` → `1200~/1299~`).")
def _edtf_008(value: str) -> str | None:
    if len(value) < 5:
        return None
    kind, d1, d2 = value[0], _edtf_year(value[1:5]), _edtf_year(value[5:9]) if len(value) >= 9 else None
    if d1 is None or d1 == "9999":
        return None
    if kind in "mikdcu" and d2 is not None:
        if d2 in ("9999", "XXXX") and kind in "cu":
            return f"{d1}/.."
        if d2 == "9999":
            return f"{d1}/.."
        if d2 == "XXXX":
            return f"{d1}/"  # EDTF: end unknown
        return d1 if d2 == d1 else f"{d1}/{d2}"
    if kind == "q" and d2 is not None:
        return f"{d1}~/{d2}~"
    if kind == "n" and d1 == "XXXX":
        return d1
    return None if d1 == "XXXX" else d1


@simple("datetime_005", "An 005 timestamp (`20250121143516.0`) as xsd:dateTime.")
def _datetime_005(value: str) -> str | None:
    v = value.strip()
    if not _TIMESTAMP_005.fullmatch(v):
        return None
    return f"{v[0:4]}-{v[4:6]}-{v[6:8]}T{v[8:10]}:{v[10:12]}:{v[12:14]}"


@simple("date_008", "008/00-05 (`yymmdd`) as an xsd:date, the century guessed as LC does (≥ 50 → 19xx).")
def _date_008(value: str) -> str | None:
    v = value.strip()
    if not _DATE_008.fullmatch(v):
        return None
    yy, mm, dd = int(v[:2]), v[2:4], v[4:6]
    if not ("01" <= mm <= "12" and "01" <= dd <= "31"):
        return None
    century = 1900 if yy >= 50 else 2000
    return f"{century + yy}-{mm}-{dd}"


def describe() -> list[tuple[str, str]]:
    """Every registered transform with its one-line doc (for `profiles --transforms` and docs)."""
    return sorted((name, doc) for name, (_, doc) in TRANSFORMS.items())
