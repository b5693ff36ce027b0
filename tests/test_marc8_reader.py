"""The ISO 2709 reader's shortcuts on the way to MARC-8 values, each against the longer way it
replaces: the directory checked in one comparison, a UTF-8 sequence found by the decoder, a data
field of ASCII + ANSEL translated at once rather than subfield by subfield.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from marc2rdf.readers import iso2709

CORPUS = Path(__file__).parent / "data" / "corpus"


def corpus_records() -> list[bytes]:
    return [
        record + b"\x1d"
        for path in sorted((CORPUS / "iso2709").iterdir())
        for record in path.read_bytes().split(b"\x1d")
        if len(record) > 24
    ]


RECORDS = corpus_records()


def record_parts(record: bytes) -> tuple[bytes, bytes]:
    """Directory and field data of a record, the directory ending at the first field terminator."""
    end = record.find(b"\x1e", 24)
    return record[24:end], record[end + 1 : -1]


# -- the directory --------------------------------------------------------------------------------


def entry_by_entry(directory: bytes, data: bytes) -> list[tuple[str, bytes]] | None:
    """The fields a directory describes, entry by entry, when it describes the data exactly:
    entries of a 3-character alphanumeric tag, a 4-digit length and a 5-digit offset, in data
    order, each field the bytes up to the next field terminator; None otherwise."""
    if not directory or len(directory) % 12:
        return None
    fields, at = [], 0
    for i in range(0, len(directory), 12):
        tag, length, offset = directory[i : i + 3], directory[i + 3 : i + 7], directory[i + 7 : i + 12]
        if not (tag.isalnum() and length.isdigit() and offset.isdigit()) or int(offset) != at:
            return None
        end = data.find(b"\x1e", at)
        if end < 0 or end - at + 1 != int(length):
            return None
        fields.append((tag.decode("ascii"), data[at:end]))
        at = end + 1
    return fields if at == len(data) else None


def test_the_directory_of_every_corpus_record_is_checked_like_entry_by_entry():
    tiled = 0
    for record in RECORDS:
        directory, data = record_parts(record)
        expected = entry_by_entry(directory, data)
        assert iso2709._tiled_spans(directory, data) == expected, record[:40]
        tiled += expected is not None
    assert tiled > 1000


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(RECORDS[:300]),
    st.integers(min_value=0),
    st.binary(min_size=1, max_size=2),
)
def test_a_damaged_directory_is_checked_like_entry_by_entry(record, where, replacement):
    directory, data = record_parts(record)
    at = where % len(directory)
    directory = directory[:at] + replacement + directory[at + 1 :]
    assert iso2709._tiled_spans(directory, data) == entry_by_entry(directory, data)


# -- UTF-8 evidence -------------------------------------------------------------------------------

high_bytes = st.lists(
    st.one_of(st.integers(0x80, 0xFF), st.integers(0x80, 0xFF), st.integers(0, 0x7F)), max_size=12
).map(bytes)


@settings(max_examples=500, deadline=None)
@given(high_bytes)
def test_utf8_sequences_are_found_like_the_pattern_finds_them(data):
    assert iso2709._has_utf8_sequence(data) == (iso2709._UTF8_SEQUENCE.search(data) is not None)


def test_utf8_sequences_in_the_corpus_are_found_like_the_pattern_finds_them():
    for record in RECORDS:
        assert iso2709._has_utf8_sequence(record) == (iso2709._UTF8_SEQUENCE.search(record) is not None)


# -- ASCII + ANSEL data fields --------------------------------------------------------------------


def value_by_value(raw: bytes) -> tuple:
    """A data field read subfield by subfield (the reader's way for any MARC-8 field)."""
    repairs: list[str] = []
    decoder = iso2709._Decoder()
    indicators = (chr(raw[0]), chr(raw[1]))
    subfields = [(chr(part[0]), decoder._marc8_value(part[1:], "245", repairs)) for part in raw.split(b"\x1f")[1:]]
    assert not repairs
    return indicators, subfields


def at_once(raw: bytes) -> tuple:
    field = iso2709._ansel_data_field("245", raw)
    return tuple(field.indicators), [tuple(sf) for sf in field.subfields]


def test_every_plain_ansel_field_of_the_corpus_reads_as_its_values_do():
    checked = 0
    for record in RECORDS:
        if record[9:10] != b" ":
            continue
        for raw in record_parts(record)[1].split(b"\x1e"):
            if not raw.isascii() and iso2709._M8_PLAIN_FIELD.fullmatch(raw):
                assert at_once(raw) == value_by_value(raw), raw
                checked += 1
    assert checked > 500


ansel_bytes = st.sampled_from(
    [bytes([b]) for b in b"aeiouAEIOU 0.,-$" + iso2709._SPACING + iso2709._COMBINING]
)
plain_fields = st.lists(
    st.tuples(st.sampled_from([bytes([b]) for b in b"abcz09 $"]), st.lists(ansel_bytes, max_size=8).map(b"".join)),
    min_size=1,
    max_size=4,
).map(lambda subfields: b"10" + b"".join(b"\x1f" + code + value for code, value in subfields))


@settings(max_examples=500, deadline=None)
@given(plain_fields)
def test_a_field_the_pattern_accepts_reads_as_its_values_do(raw):
    if iso2709._M8_PLAIN_FIELD.fullmatch(raw):
        assert at_once(raw) == value_by_value(raw)
    else:
        # refused: a combining mark ends a value
        assert any(part[-1:] and part[-1] in iso2709._COMBINING for part in raw.split(b"\x1f")[1:])


# the pattern as first written, one alternative a character: the possessive one accepts the same fields
_ALTERNATING = re.compile(
    rb"[\x20-\x7e]{2}(?:\x1f[\x20-\x7e](?:[%s]|[%s]+[%s])*)+"
    % (iso2709._M8_PRINTABLE, iso2709._class(iso2709._COMBINING), iso2709._M8_PRINTABLE)
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from([0x00, 0x1b, 0x1e, 0x1f, 0x20, 0x41, 0x7e, 0x7f, 0x80, 0xa1, 0xb0, 0xc0, 0xe1, 0xe2,
                                 0xfe, 0xff]), max_size=16).map(bytes))
def test_the_plain_field_pattern_accepts_what_the_alternating_one_does(raw):
    assert bool(iso2709._M8_PLAIN_FIELD.fullmatch(raw)) == bool(_ALTERNATING.fullmatch(raw))


def test_the_plain_field_pattern_accepts_what_the_alternating_one_does_on_the_corpus():
    fields = [raw for record in RECORDS for raw in record_parts(record)[1].split(b"\x1e")]
    assert len(fields) > 5000
    assert [bool(iso2709._M8_PLAIN_FIELD.fullmatch(f)) for f in fields] == [bool(_ALTERNATING.fullmatch(f)) for f in fields]
