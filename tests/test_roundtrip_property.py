"""Property-based round trips through every serialization of the reader registry.

Random but valid MARC records are written with ``write_records(records, out, W)`` and read back
with ``read()``, both with the serialization detected from the content and with it named; every
record must come back as a :class:`Read`, with no repair, equal to the original field by field
(tags, indicators, subfield codes and values, leader except 00-04 and 12-16, which ISO 2709
recomputes). Chains ``W1 -> read -> W2 -> read`` must give the original back too.

What the records hold
---------------------
* leader: 24 characters, each position drawn from the values MARC 21 defines for it (record
  status, type, level, encoding level...), 09 ``a`` (Unicode), 10-11 ``22`` and 20-23 ``4500``
  (the fixed values, which the ISO 2709 writer writes whatever the record says); 00-04 and
  12-16 are any digits.
* control fields 001-009 whose values hold no control character;
* data fields with tags 010-999 and alphanumeric local tags (``FMT``, ``CAT``, ``a1b``...),
  indicators from ``[ a-z0-9]``, one to six subfields with codes ``[a-z0-9]``.
* values (NFC, as every reader returns NFC) mixing ASCII, Latin letters with diacritics (written
  precomposed or as combining marks, then normalized), CJK (also beyond the BMP), Hebrew and
  Arabic with their points, the characters each serialization escapes (``$ { } \\ < > & " '
  _ =``), literal text that looks like an escape (``{dollar}``, ``&amp;``, ``$a``...), empty
  values, blank-only values, leading and trailing blanks, and in subfields some control and
  line-separating characters (tab, LF, CR, NUL, SOH, ESC, DEL, NEL, U+2028) and the
  noncharacters U+FFFE and U+FFFF.

What no serialization carries: 0x1D, 0x1E and 0x1F, the ISO 2709 record terminator, field
terminator and subfield delimiter (the ISO 2709 writer writes them as blanks). They are never
generated. What one serialization cannot carry is left out for that serialization only (see
``EXCLUDED_CHARS`` and ``EXCLUDED_TAGS``), or, where its writer changes it on purpose, the change
is modelled exactly by ``expected_value`` (C0 controls and U+FFFE/U+FFFF become U+FFFD in
MARCXML; a trailing CR is lost in the formatted text form). Every other value must come back
character for character.
"""

from __future__ import annotations

import functools
import io
import itertools
import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pymarc import Field, Indicators, Leader, Record, Subfield

from marc2rdf.readers import FORMATS, detect, read, write_records
from marc2rdf.readers.base import Read

ALL_FORMATS = ("iso2709", "marcxml", "marcjson", "mrk", "text")

# -- what each serialization can carry ---------------------------------------------------------

# control and line-separating characters, and the two noncharacters XML 1.0 has no room for
UNUSUAL_CHARS = "\t\n\r\x00\x01\x1b\x7f\x85\u2028\ufffe\uffff"

EXCLUDED_CHARS: dict[str, frozenset[str]] = {
    # UTF-8 ISO 2709 carries every character but the three delimiters (never generated). ESC is
    # left out: in a record that is otherwise plain ASCII, ESC followed by "(B", "s", "$1"... is a
    # MARC-8 escape sequence, and the reader takes a record holding one for a MARC-8 record
    # mislabelled UTF-8 (as real files need); ISO 2709 has no way to escape it.
    "iso2709": frozenset("\x1b"),
    # nothing left out, but not everything comes back: see expected_value
    "marcxml": frozenset(),
    # JSON escapes everything.
    "marcjson": frozenset(),
    # the .mrk writer escapes control characters as {U+XXXX} and $ { } \ as mnemonics.
    "mrk": frozenset(),
    # as_formatted() prints values as they are, one per line, with no escaping: a LF in a value
    # starts a new line, which reads back as a continuation only when it does not look like a
    # field, a subfield or the end of the record. LF is left out; CR is kept (see expected_value).
    "text": frozenset("\n"),
}

# "LDR" is the leader's pseudo-tag in the two line-based forms: a field tagged so would read as
# a second leader (.mrk: rejected; as_formatted: the start of a new record).
EXCLUDED_TAGS: dict[str, frozenset[str]] = {
    "iso2709": frozenset(),
    "marcxml": frozenset(),
    "marcjson": frozenset(),
    "mrk": frozenset({"LDR"}),
    "text": frozenset({"LDR"}),
}

# XML 1.0 cannot hold C0 control characters other than tab, LF and CR, nor U+FFFE and U+FFFF,
# not even as character references: the MARCXML writer writes U+FFFD for each, so that the
# document stays well-formed. Modelled rather than left out, so that the replacement (and the
# records after it) are checked too.
XML_REPLACED = {c: "\ufffd" for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]}


def expected_value(value: str, fmt: str) -> str:
    """What a value written in ``fmt`` reads back as.

    * MARCXML: the characters XML cannot hold become U+FFFD (``XML_REPLACED``).
    * formatted text: every value ends its line, and a CR before the LF is taken as part of a CRLF
      line ending (files from Windows): one trailing CR is lost.

    Every other value, and every value in the other serializations, comes back exactly (leading
    and trailing blanks included)."""
    if fmt == "marcxml":
        return value.translate(XML_REPLACED)
    if fmt == "text":
        return value.removesuffix("\r")
    return value


# -- strategies ----------------------------------------------------------------------------------

LATIN = (
    "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝßÞþðĀāĂăĄąĆćČčĎďĐđĒēĘęĚěĞğİı"
    "ŁłŃńŇňŐőŒœŘřŚśŞşŠšŢţŤťŰűŹźŻżŽžơưỳẞ"
    + "".join(map(chr, range(0x0300, 0x0370)))  # combining diacritics (NFC composes most)
)
ESCAPED = "${}\\<>&\"'_=|~^`#;"


def _every(first: int, last: int, step: int) -> str:
    return "".join(map(chr, range(first, last + 1, step)))


CJK = (
    _every(0x4E00, 0x9FFF, 331)  # CJK unified ideographs
    + _every(0x3041, 0x30FF, 3)  # kana
    + _every(0xAC00, 0xD7A3, 709)  # hangul syllables
    + _every(0x20000, 0x2A6DF, 2731)  # extension B: four UTF-8 bytes, beyond the BMP
)
RTL = (
    _every(0x05B0, 0x05EA, 1)  # Hebrew points and letters
    + _every(0x0621, 0x0652, 1)  # Arabic letters and harakat
    + _every(0x0660, 0x0669, 1)  # Arabic-Indic digits
    + "\u200e\u200f"  # LRM, RLM
)
ASCII = _every(0x20, 0x7E, 1)
# literal text that reads like an escape or markup in one serialization or another
LOOKALIKES = (
    "{dollar}", "{lcub}", "{bsol}", "{acute}e", "{esc}(2", "{U+0041}", "{x41}", "{zilch}", "{}", "{ }",
    "&amp;", "&#13;", "&lt;", "<b>", "]]>", "\\n", "\\u0041", "$$", "$a", " _a", "=245  ", "\\\\",
    "LDR ", "       _a",
)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _excluded(formats) -> frozenset[str]:
    return frozenset().union(*(EXCLUDED_CHARS[f] for f in formats))


def value_text(formats, controls: bool = True) -> st.SearchStrategy[str]:
    """Subfield (``controls``) or control field values every one of ``formats`` can carry: runs
    of one script or of the characters serializations escape, joined, sometimes between blanks."""
    # only UNUSUAL_CHARS are ever excluded: the other sets need no filtering
    allowed_controls = "".join(c for c in UNUSUAL_CHARS if c not in _excluded(formats)) if controls else ""
    run = st.one_of(
        st.text(ASCII, min_size=1, max_size=8),
        st.text(ASCII + LATIN, min_size=1, max_size=8),
        st.text(CJK, min_size=1, max_size=8),
        st.text(RTL + " ", min_size=1, max_size=8),
        st.text(ESCAPED + " " + allowed_controls, min_size=1, max_size=8),
        st.sampled_from(LOOKALIKES),
    )
    runs = st.lists(run, max_size=3).map("".join)
    blanks = st.text(" ", min_size=1, max_size=3)
    padded = st.tuples(blanks, runs, blanks).map("".join)  # leading and trailing blanks
    return st.one_of(runs, padded, st.sampled_from(["", " ", "   "])).map(nfc)


# MARC 21 values of the leader positions that vary (bibliographic, authority, holdings,
# classification and community information records, OCLC encoding levels)
LEADER_VALUES = {
    5: "acdnopsx",
    6: "acdefgijkmopqrtuvwxyz",
    7: " abcdims",
    8: " a",
    17: " 12345678uzIJKLMno",
    18: " acinu",
    19: " abc",
}
_digits5 = st.text("0123456789", min_size=5, max_size=5)
_leader_value = {p: st.sampled_from(v) for p, v in LEADER_VALUES.items()}
leaders = st.tuples(
    _digits5,  # 00-04 record length
    _leader_value[5], _leader_value[6], _leader_value[7], _leader_value[8],
    st.just("a22"),  # 09 Unicode, 10 indicator count, 11 subfield code count
    _digits5,  # 12-16 base address of data
    _leader_value[17], _leader_value[18], _leader_value[19],
    st.just("4500"),  # 20-23 entry map
).map("".join)

_indicator = st.sampled_from(" abcdefghijklmnopqrstuvwxyz0123456789")
_code = st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789")
_control_tag = st.integers(1, 9).map("{:03d}".format)
_numeric_tag = st.integers(10, 999).map("{:03d}".format)
_alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_local_tag = st.one_of(
    st.text(_alnum, min_size=3, max_size=3).filter(lambda t: not t.isdigit()),
    st.sampled_from(["FMT", "CAT", "SYS", "LKR", "LDR", "OWN", "00A", "9XX"]),
)


def data_tags(formats) -> st.SearchStrategy[str]:
    excluded = frozenset().union(*(EXCLUDED_TAGS[f] for f in formats))
    return st.one_of(_numeric_tag, _numeric_tag, _numeric_tag, _local_tag).filter(lambda t: t not in excluded)


# A record is a plain tuple (readable in a failure report): (leader, fields), a field being
# (tag, data) for a control field or (tag, ind1, ind2, ((code, value), ...)) for a data field.
Spec = tuple


@functools.cache
def record_specs(formats: frozenset[str]) -> st.SearchStrategy[Spec]:
    """Records every one of ``formats`` can carry; at least one field, control fields first."""
    control = st.tuples(_control_tag, value_text(formats, controls=False))
    subfield = st.tuples(_code, value_text(formats))
    data = st.tuples(
        data_tags(formats), _indicator, _indicator, st.lists(subfield, min_size=1, max_size=6).map(tuple)
    )
    return (
        st.tuples(leaders, st.lists(control, max_size=4), st.lists(data, max_size=8))
        .filter(lambda r: r[1] or r[2])
        .map(lambda r: (r[0], tuple(r[1] + r[2])))
    )


def record_lists(*formats: str) -> st.SearchStrategy[list[Spec]]:
    return st.lists(record_specs(frozenset(formats)), min_size=1, max_size=4)


# -- records and comparison ----------------------------------------------------------------------


def to_record(spec: Spec) -> Record:
    leader, fields = spec
    record = Record()
    record.leader = Leader(leader)  # set after construction: Record(leader=) rewrites 10-11, 20-23
    for f in fields:
        if len(f) == 2:
            record.add_field(Field(f[0], data=f[1]))
        else:
            tag, ind1, ind2, subfields = f
            record.add_field(Field(tag, Indicators(ind1, ind2), [Subfield(c, v) for c, v in subfields]))
    return record


def to_spec(record: Record) -> Spec:
    fields = []
    for f in record.fields:
        if f.is_control_field():
            fields.append((f.tag, f.data))
        else:
            ind1, ind2 = f.indicators
            fields.append((f.tag, ind1, ind2, tuple((s.code, s.value) for s in f.subfields)))
    return str(record.leader), tuple(fields)


def expected_spec(spec: Spec, fmt: str) -> Spec:
    leader, fields = spec
    out = []
    for f in fields:
        if len(f) == 2:
            out.append((f[0], expected_value(f[1], fmt)))
        else:
            tag, ind1, ind2, subfields = f
            out.append((tag, ind1, ind2, tuple((c, expected_value(v, fmt)) for c, v in subfields)))
    return leader, tuple(out)


def comparable_leader(leader: str) -> str:
    """The leader without 00-04 (record length) and 12-16 (base address of data)."""
    return leader[5:12] + leader[17:]


def assert_same(got: Spec, want: Spec, where: str) -> None:
    assert len(got[0]) == 24, f"{where}: leader {got[0]!r}"
    assert comparable_leader(got[0]) == comparable_leader(want[0]), f"{where}: leader"
    assert len(got[1]) == len(want[1]), f"{where}: {len(got[1])} fields instead of {len(want[1])}"
    for n, (g, w) in enumerate(zip(got[1], want[1]), 1):
        assert g == w, f"{where}: field {n}"


def write(specs: list[Spec], fmt: str) -> bytes:
    buf = io.BytesIO()
    assert write_records([to_record(s) for s in specs], buf, fmt) == len(specs)
    return buf.getvalue()


def read_back(data: bytes, fmt: str | None, expected: int, where: str) -> list[Spec]:
    items = list(read(data, format=fmt))
    rejects = [item.message() for item in items if not isinstance(item, Read)]
    assert not rejects, f"{where}: {rejects}"
    assert len(items) == expected, f"{where}: {len(items)} records instead of {expected}"
    for item in items:
        assert item.repairs == (), f"{where}: {item.position}: {item.repairs}"
    return [to_spec(item.record) for item in items]


# which readers each writer's output is read with: detected from the content, named, and the
# text reader, which also reads .mrk (it sniffs the variant)
READERS_OF = {fmt: (None, fmt) for fmt in ALL_FORMATS}
READERS_OF["mrk"] = (None, "mrk", "text")


def check_round_trip(fmt: str, specs: list[Spec]) -> None:
    data = write(specs, fmt)
    assert detect(data[:65536]) == fmt
    want = [expected_spec(s, fmt) for s in specs]
    for reader in READERS_OF[fmt]:
        got = read_back(data, reader, len(specs), f"{fmt} read as {reader or 'detected'}")
        for n, (g, w) in enumerate(zip(got, want), 1):
            assert_same(g, w, f"{fmt} read as {reader or 'detected'}, record {n}")


def check_chain(formats: tuple[str, ...], specs: list[Spec]) -> None:
    """records -> W1 -> read -> W2 -> read ... equals the original (with each step's changes)."""
    current = specs
    want = specs
    for fmt in formats:
        data = write(current, fmt)
        current = read_back(data, None, len(specs), f"chain {formats}: {fmt}")
        want = [expected_spec(s, fmt) for s in want]
    for n, (g, w) in enumerate(zip(current, want), 1):
        assert_same(g, w, f"chain {' -> '.join(formats)}, record {n}")


# -- the properties --------------------------------------------------------------------------------

# about a minute of CPU in all: 60 examples per serialization (each up to 4 records of up to
# 12 fields), 30 for the JSON array form, 10 per chain of two, 40 for the chain through all five
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CHAIN_SETTINGS = settings(SETTINGS, max_examples=10)
LONG_CHAIN_SETTINGS = settings(SETTINGS, max_examples=40)

LEADER = "01234cam a2200289 i 4500"
# regressions, both in the MARCXML writer:
# * a CR in a value came back as LF (XML parsers normalize line ends in text; CR is now
#   written as &#13;);
# * U+FFFE / U+FFFF were written as such, which made the document not well-formed: that record
#   and every record after it were lost (now written as U+FFFD, like the C0 controls).
XML_RECORD = (
    LEADER,
    (("001", "cr"), ("520", " ", " ", (("a", "one\rtwo\r"), ("b", "\r"), ("c", "non\ufffecharacter\uffff")))),
)
# the characters every serialization escapes, blanks around values, an alphanumeric tag
ESCAPES_RECORD = (
    LEADER,
    (
        ("001", " $1 {x} \\ "),
        ("245", "1", "0", (("a", '$a {dollar} \\ <b> & "q" _b '), ("c", " "), ("d", ""))),
        ("FMT", " ", " ", (("a", "BK"),)),
        ("880", "1", "0", (("6", "245-01/(2/r"), ("a", "Ḥayim בְּרֵאשִׁית عَرَبِيّ 中文 𠀀"))),
    ),
)


def test_every_registered_serialization_is_covered():
    assert set(FORMATS) == set(ALL_FORMATS)
    assert set(EXCLUDED_CHARS) == set(EXCLUDED_TAGS) == set(READERS_OF) == set(ALL_FORMATS)


@SETTINGS
@given(specs=record_lists("iso2709"))
@example(specs=[XML_RECORD, ESCAPES_RECORD])
def test_iso2709_round_trip(specs):
    check_round_trip("iso2709", specs)


@SETTINGS
@given(specs=record_lists("marcxml"))
@example(specs=[XML_RECORD, ESCAPES_RECORD])
def test_marcxml_round_trip(specs):
    check_round_trip("marcxml", specs)


@SETTINGS
@given(specs=record_lists("marcjson"))
@example(specs=[XML_RECORD, ESCAPES_RECORD])
def test_marcjson_round_trip(specs):
    check_round_trip("marcjson", specs)


@SETTINGS
@given(specs=record_lists("mrk"))
@example(specs=[XML_RECORD, ESCAPES_RECORD])
def test_mrk_round_trip(specs):
    check_round_trip("mrk", specs)


@SETTINGS
@given(specs=record_lists("text"))
@example(specs=[XML_RECORD, ESCAPES_RECORD])
def test_text_round_trip(specs):
    check_round_trip("text", specs)


@settings(SETTINGS, max_examples=30)
@given(specs=record_lists("marcjson"))
def test_marcjson_array_round_trip(specs):
    """The writer's lines made into a JSON array (the form pymarc and others write): the same
    records, each at the byte offset and line where its object starts."""
    lines = write(specs, "marcjson").splitlines()
    data = b"[\n" + b",\n".join(lines) + b"\n]\n"
    starts = [2 + sum(len(line) + 2 for line in lines[:n]) for n in range(len(lines))]
    assert [data[s:s + 1] for s in starts] == [b"{"] * len(lines)
    for reader in (None, "marcjson"):
        items = list(read(data, format=reader))
        assert all(isinstance(item, Read) and not item.repairs for item in items), items
        assert [item.position.offset for item in items] == starts
        assert [item.position.line for item in items] == list(range(2, len(lines) + 2))
        for n, (item, spec) in enumerate(zip(items, specs, strict=True), 1):
            assert_same(to_spec(item.record), expected_spec(spec, "marcjson"), f"JSON array, record {n}")


def test_text_keeps_trailing_blanks_and_all_but_a_final_cr():
    """The change expected_value models for the formatted text form, checked on its own."""
    spec = (LEADER, (("001", "x  "), ("500", " ", " ", (("a", "a\rb\r\r"), ("b", "  ")))))
    (got,) = read_back(write([spec], "text"), None, 1, "text")
    assert got[1] == (("001", "x  "), ("500", " ", " ", (("a", "a\rb\r"), ("b", "  "))))


CHAINS = list(itertools.permutations(ALL_FORMATS, 2))  # every ordered pair of serializations


@pytest.mark.parametrize("formats", CHAINS, ids="->".join)
@CHAIN_SETTINGS
@given(data=st.data())
def test_chain(formats, data):
    check_chain(formats, data.draw(record_lists(*formats), label="specs"))


@LONG_CHAIN_SETTINGS
@given(specs=record_lists(*ALL_FORMATS))
@example(specs=[XML_RECORD, ESCAPES_RECORD])
def test_chain_through_every_serialization(specs):
    check_chain(("iso2709", "text", "marcxml", "mrk", "marcjson", "iso2709"), specs)
