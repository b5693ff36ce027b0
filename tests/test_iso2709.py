"""ISO 2709 / MARC 21: the reader against pymarc on the whole corpus, malformed inputs, MARC-8,
leader/09 that lies, streaming, and the writer.

Records are compared field by field: tag, indicators, subfield codes and values (both sides
NFC-normalized), and the leader except positions 00-04 (record length) and 12-16 (base address),
which the reader re-derives from the raw record, and 09 (character coding, always ``a`` once
decoded).
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import unicodedata
from pathlib import Path

import pytest
from pymarc import MARCReader, Record
from pymarc.marc8 import marc8_to_unicode

from marc2rdf.readers import iso2709
from marc2rdf.readers.base import InputError, Read, Reject
from marc2rdf.readers.iso2709 import read_iso2709, write_iso2709

CORPUS = Path(__file__).parent / "data" / "corpus"
pytestmark = pytest.mark.filterwarnings("ignore:The subfield contained a non-ASCII subfield code")
LEADER_COMPARED = [i for i in range(24) if i not in {0, 1, 2, 3, 4, 9, 12, 13, 14, 15, 16}]
UTF8_LIE = "leader/09 says MARC-8 but the record is UTF-8"
MARC8_LIE = "leader/09 says UTF-8 but the record is MARC-8"


def _manifest() -> list[dict]:
    with open(CORPUS / "MANIFEST.tsv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


MANIFEST = _manifest()
WELL_FORMED = [
    row
    for row in MANIFEST
    if row["format"] == "ISO2709"
    and row["records_pymarc"] == row["records_yaz"]
    and row["parse_errors"] == "0"
]
MALFORMED = sorted((CORPUS / "malformed").glob("*.mrc"))


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")


def fields(record: Record) -> list[tuple]:
    out = []
    for f in record.fields:
        if f.is_control_field():
            out.append((f.tag, _nfc(f.data)))
        else:
            out.append((f.tag, tuple(f.indicators), tuple((sf.code, _nfc(sf.value)) for sf in f.subfields)))
    return out


def leader(record: Record) -> str:
    text = str(record.leader)
    return "".join(text[i] for i in LEADER_COMPARED)


def read(path: Path | str, data: bytes | None = None) -> list:
    path = Path(path)
    if data is None:
        data = path.read_bytes()
    return list(read_iso2709(io.BytesIO(data), path.name))


def records_of(data: bytes) -> list[bytes]:
    """Raw records of a well-formed file."""
    return [chunk + b"\x1d" for chunk in data.split(b"\x1d")[:-1]]


SKIPPED = re.compile(r"^skipped (\d+) byte\(s\) (before|after) the record")


def assert_every_byte_accounted_for(items: list, size: int) -> None:
    """Items cover the input in order: each Read's raw starts where the previous item ended plus
    the junk it says it skipped before it; the last item ends at the end of the input."""
    cursor = 0
    for n, item in enumerate(items, 1):
        assert item.position.ordinal == n
        assert item.position.offset is not None
        before = after = 0
        if isinstance(item, Read):
            for repair in item.repairs:
                m = SKIPPED.match(repair)
                if m and m.group(2) == "before":
                    before += int(m.group(1))
                elif m:
                    after += int(m.group(1))
        assert item.position.offset == cursor + before, f"item {n}"
        cursor = item.position.offset + len(item.raw) + after
    assert cursor == size


def assert_sane(record: Record) -> None:
    assert str(record.leader)[9] == "a"
    assert len(str(record.leader)) == 24
    assert record.fields
    for f in record.fields:
        values = [f.data] if f.is_control_field() else [sf.value for sf in f.subfields]
        for value in values:
            assert unicodedata.is_normalized("NFC", value), (f.tag, value)


# -- the corpus against pymarc ---------------------------------------------------------------------


def _pymarc_records(data: bytes, **options) -> list:
    settings = {"to_unicode": True, "force_utf8": False, "hide_utf8_warnings": True, **options}
    return list(MARCReader(io.BytesIO(data), **settings))


def _blank_replacements(rows: list[tuple]) -> list[tuple]:
    """pymarc turns bytes that are not MARC-8 into blanks, we into U+FFFD."""
    out = []
    for row in rows:
        if len(row) == 3:
            row = (row[0], row[1], tuple((c, v.replace("\ufffd", " ")) for c, v in row[2]))
        out.append(row)
    return out


def _without(rows: list[tuple], tag: str) -> list[tuple]:
    return [row for row in rows if row[0] != tag]


# Where the reader deliberately differs from pymarc: how, and what is checked instead.
def _upei_short_008(ours, theirs, item):
    # the leader's base address cuts the directory short: pymarc reads 11 of 15 entries and takes
    # the last four for field data ("005 510063003919480"); we read all 15 fields
    assert ours[0] == ("005", "20090710145800.0")
    tags = ["005", "008", "035", "090", "110", "245", "260", "300"] + ["651"] * 4 + ["948", "949", "901"]
    assert [row[0] for row in ours] == tags
    assert ("245", ("1", "0"), (("a", "Charlottetown area profile."),)) in ours
    assert any("base address" in r for r in item.repairs)


def _text_kept_as_a(*kept: tuple[str, str]):
    """Text between the indicators and the first subfield delimiter: we keep it as $a (and say
    so), pymarc drops it."""

    def check(ours, theirs, item):
        for tag, text in kept:
            assert (
                f"field {tag}: text before the first subfield delimiter kept as $a: {text!r}" in item.repairs
            )
            ours = [
                (row[0], row[1], tuple(sf for sf in row[2] if sf != ("a", text))) if row[0] == tag else row
                for row in ours
            ]
        assert ours == theirs

    return check


def _cp1251(ours, theirs, item):
    # Windows-1251 bytes, neither MARC-8 nor UTF-8: U+FFFD here, blanks in pymarc
    assert any("not MARC-8 replaced with U+FFFD" in r for r in item.repairs)
    assert _blank_replacements(ours) == theirs


def _collingswood_008(ours, theirs, item):
    # a MARC-8 byte in 008: pymarc reads it as Latin-1, we keep positions with U+FFFD
    ours_008 = next(row[1] for row in ours if row[0] == "008")
    theirs_008 = next(row[1] for row in theirs if row[0] == "008")
    assert len(ours_008) == len(theirs_008) == 40
    assert [i for i, (a, b) in enumerate(zip(ours_008, theirs_008)) if a != b] == [28]
    assert ours_008[28] == "\ufffd"
    assert _without(ours, "008") == _without(theirs, "008")


def _utf8_invalid(ours, theirs, item):
    # "$\ufffdbAssociation...": pymarc folds the code to "b" and keeps "bAssociation"; we drop
    # the unusable character and take "b" as the code
    assert ("b", "Association of Teacher Educators]") in {r[0]: r for r in ours}["260"][2]
    assert any("subfield code" in r for r in item.repairs)
    assert len(ours) == len(theirs)


DEVIATIONS = {
    "iso2709/openlibrary__bin_input_upei_short_008.mrc": _upei_short_008,
    "iso2709/openlibrary__bin_input_mytwocountries1954asto_meta.mrc": _text_kept_as_a(("903", "002857678")),
    "iso2709/yaz__marc3.mrc": _text_kept_as_a(("648", "Granlund, Tom"), ("BAS", "20")),
    "iso2709/pymarc__1251.mrc": _cp1251,
    "malformed/openlibrary__bin_input_collingswood_bad_008.mrc": _collingswood_008,
    "malformed/pymarc__utf8_invalid.mrc": _utf8_invalid,
}


@pytest.mark.parametrize("row", WELL_FORMED, ids=lambda r: r["file"])
def test_well_formed_file_reads_like_pymarc(row):
    path = CORPUS / row["file"]
    data = path.read_bytes()
    items = read(path, data)
    assert all(isinstance(i, Read) for i in items), [i.message() for i in items if isinstance(i, Reject)]
    assert len(items) == int(row["records_pymarc"])
    assert_every_byte_accounted_for(items, len(data))

    theirs = _pymarc_records(data)
    assert len(theirs) == len(items)
    for n, (item, record) in enumerate(zip(items, theirs), 1):
        where = f"{row['file']} #{n}"
        assert_sane(item.record)
        if UTF8_LIE in item.repairs:
            # leader/09 is blank but the data is UTF-8: pymarc told it is UTF-8 is the reference
            record = _pymarc_records(item.raw, force_utf8=True)[0]
        elif MARC8_LIE in item.repairs:
            # leader/09 is "a" but the data is MARC-8: pymarc with leader/09 blank is the reference
            record = _pymarc_records(_flip(item.raw, b" "))[0]
        elif record is None:
            # pymarc gives up on bad UTF-8 unless told to replace it
            record = _pymarc_records(item.raw, utf8_handling="replace")[0]
        assert leader(item.record) == leader(record), where
        ours, ref = fields(item.record), fields(record)
        if row["file"] in DEVIATIONS:
            DEVIATIONS[row["file"]](ours, ref, item)
        else:
            assert ours == ref, where


def test_deviations_are_all_in_the_corpus():
    names = {row["file"] for row in WELL_FORMED}
    assert set(DEVIATIONS) <= names


def test_records_that_lie_about_utf8_are_found_in_the_corpus():
    # Evergreen's FSL.marc and map_data.mrc have leader/09 blank and UTF-8 data
    items = read(CORPUS / "iso2709/evergreen__FSL.mrc")
    assert all(UTF8_LIE in i.repairs for i in items)
    assert fields(items[0].record)[-1] != ()
    names = [sf.value for f in items[0].record.get_fields("100") for sf in f.subfields]
    assert names[0] == "Вершигора, Петр Петрович"
    scale = read(CORPUS / "iso2709/evergreen__map_data.mrc")[0].record["255"]["c"]
    assert scale == "(W 126⁰--W 124⁰/N 42⁰--N 40⁰)."


# -- malformed files ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", MALFORMED, ids=lambda p: p.name)
def test_malformed_file_is_read_to_the_end_and_nothing_is_lost(path):
    data = path.read_bytes()
    items = read(path, data)  # no exception, and it ends
    assert len(items) >= 1
    assert_every_byte_accounted_for(items, len(data))
    for item in items:
        if isinstance(item, Read):
            assert_sane(item.record)
            assert item.raw == data[item.position.offset : item.position.offset + len(item.raw)]
        else:
            assert item.raw and item.reason
            assert item.position.offset is not None


def test_bu_bibs_wrong_record_lengths_trust_the_terminator():
    path = CORPUS / "malformed/catmandu-marc__bu_bibs.mrc"
    items = read(path)
    assert len(items) == 100 and all(isinstance(i, Read) for i in items)
    with_bad_length = [i for i in items if any(r.startswith("leader record length") for r in i.repairs)]
    assert [i.position.ordinal for i in with_bad_length][:3] == [3, 6, 15]
    third = items[2]
    assert third.position.offset == 4435 and len(third.raw) == 1918
    assert third.record["001"].data and third.record["245"] is not None
    # pymarc stops early on the same file
    pymarc_count = 0
    with contextlib.suppress(Exception):  # pymarc may raise instead of yielding None
        for record in MARCReader(io.BytesIO(path.read_bytes())):
            pymarc_count += record is not None
    assert pymarc_count < 100


def test_directory_with_lengths_that_do_not_match_is_recovered_from_field_terminators():
    items = read(CORPUS / "malformed/marc4j__bad_oversize_field_bad_directory.mrc")
    assert len(items) == 5 and all(isinstance(i, Read) for i in items)
    oversize = items[1]
    assert any("splitting the data on field terminators" in r for r in oversize.repairs)
    assert oversize.record["001"].data == "drd-34891908"
    assert oversize.record["245"]["a"] == "Muslimfeindlichkeit in Europa"
    assert len(oversize.record["520"].value()) > 9999
    assert oversize.record["893"]["b"] == "druck"


def test_directory_missing_a_byte_is_read_from_its_end():
    items = read(CORPUS / "malformed/marc4j__pride-and-prejudice-with-many-errors.mrc")
    assert len(items) == 383 and all(isinstance(i, Read) for i in items)
    shifted = items[92]
    assert any("not a multiple of 12: entries read from its end" in r for r in shifted.repairs)
    assert shifted.record["001"].data == "BTJ11184529X"
    assert shifted.record["245"]["a"] == "The complete novels of Jane Austen"


def test_directory_terminator_replaced_by_a_subfield_delimiter():
    items = read(CORPUS / "malformed/perl-marc__marc-record_baddir.mrc")
    assert len(items) == 1 and isinstance(items[0], Read)
    record = items[0].record
    tags = ["001", "005", "008", "020", "091", "100", "245", "260", "300", "852"]
    assert [f.tag for f in record.fields] == tags
    assert record["245"]["a"] == "Green Eggs and Ham"
    assert record["852"]["p"] == "2200001741"


def test_junk_before_the_leader_is_skipped_and_reported():
    # a record length typed twice: "00914" then the real leader
    items = read(CORPUS / "malformed/yaz__marc4.mrc")
    assert len(items) == 1
    item = items[0]
    assert item.position.offset == 5
    assert item.repairs[0] == "skipped 5 byte(s) before the record: b'00914'"
    assert item.record["001"].data == "  \x1faa00001508\x1ffa"  # a control field holding subfields
    assert any(("a", "Granlund, Tom") in f.subfields for f in item.record.get_fields("648"))


def test_stray_terminators_and_a_trailing_byte():
    items = read(CORPUS / "malformed/perl-marc__marc-record_badldr.mrc")
    assert len(items) == 6 and all(isinstance(i, Read) for i in items)
    assert "skipped 1 byte(s) before the record: b'\\x1d'" in items[2].repairs
    assert "skipped 1 byte(s) after the record: b'7'" in items[-1].repairs


def test_bad_records_file():
    items = read(CORPUS / "malformed/pymarc__bad_records.mrc")
    reads = [i for i in items if isinstance(i, Read)]
    rejects = [i for i in items if isinstance(i, Reject)]
    assert len(reads) == 7 and len(rejects) == 1
    assert all(r.record["245"]["a"] == "The pragmatic programmer : " for r in reads)
    assert "no fields" in rejects[0].reason
    assert rejects[0].position.ordinal == 7 and rejects[0].position.offset == 764
    assert any("base address" in r for r in reads[1].repairs)


def test_leader_with_bytes_that_are_not_ascii():
    items = read(CORPUS / "malformed/miku-marc21__test.mrc")
    assert len(items) == 85 and all(isinstance(i, Read) for i in items)
    assert any("not printable ASCII" in r for r in items[0].repairs)
    assert str(items[0].record.leader)[22] == " "


def test_bytes_that_are_neither_utf8_nor_marc8_become_replacement_characters():
    item = read(CORPUS / "malformed/traject__bad_utf_byte.utf8.mrc")[0]
    assert "field 300: bytes that are not UTF-8 replaced with U+FFFD" in item.repairs
    assert item.record["300"]["a"].count("\ufffd") == 2
    item = read(CORPUS / "malformed/ruby-marc__utf8_with_bad_bytes.mrc")[0]
    assert item.repairs == ("field 245: bytes that are not UTF-8 replaced with U+FFFD",)
    assert "\ufffd" in item.record["245"].value()
    assert "Phitsanākha" in item.record["245"].value()


def test_incomplete_marc8_escape_sequences_do_not_print_and_are_reported(capfd):
    items = read(CORPUS / "malformed/marc4j__incomplete_esc_seq.mrc")
    assert len(items) == 1 and isinstance(items[0], Read)
    assert any("multibyte MARC-8" in r for r in items[0].repairs)
    assert items[0].record["880"]["a"] == "窃听风云"
    out, err = capfd.readouterr()
    assert out == err == ""


# -- synthetic damage on real records -------------------------------------------------------------

CHABON = CORPUS / "iso2709/marc4j__chabon.mrc"  # two UTF-8 records


def test_junk_between_records():
    one, two = records_of(CHABON.read_bytes())
    data = one + b"\r\n" + two + b"\n"
    items = read(CHABON, data)
    assert [type(i) for i in items] == [Read, Read]
    assert items[1].position.offset == len(one) + 2
    assert items[1].repairs[0] == "skipped 2 byte(s) before the record: b'\\r\\n'"
    assert items[1].repairs[-1] == "skipped 1 byte(s) after the record: b'\\n'"
    assert_every_byte_accounted_for(items, len(data))
    assert fields(items[1].record) == fields(read(CHABON)[1].record)


def test_sizable_junk_without_a_leader_is_a_reject_with_its_bytes():
    one, two = records_of(CHABON.read_bytes())
    junk = b"this is not a MARC record at all, and it is long enough\x1d"
    data = one + junk + two
    items = read(CHABON, data)
    assert [type(i) for i in items] == [Read, Reject, Read]
    assert items[1].raw == junk and items[1].position.offset == len(one)
    assert "no usable leader" in items[1].reason
    assert_every_byte_accounted_for(items, len(data))


def test_missing_record_terminator_uses_the_leader_length():
    one, two = records_of(CHABON.read_bytes())
    data = one[:-1] + two
    items = read(CHABON, data)
    assert [type(i) for i in items] == [Read, Read]
    assert items[0].raw == one[:-1]
    assert any("record terminator missing" in r for r in items[0].repairs)
    assert fields(items[0].record) == fields(read(CHABON)[0].record)
    assert_every_byte_accounted_for(items, len(data))


def test_truncated_input_is_rejected_with_its_control_number():
    one, two = records_of(CHABON.read_bytes())
    data = one + two[: len(two) // 2]
    items = read(CHABON, data)
    assert [type(i) for i in items] == [Read, Reject]
    assert "truncated" in items[1].reason
    assert items[1].control_number == read(CHABON)[1].record["001"].data
    assert items[1].raw == two[: len(two) // 2]


def test_records_shorter_than_a_leader_and_without_directory_end():
    data = b"00010\x1d" + b"00100nam a2200000   4500no field terminator here\x1d"
    items = read("x.mrc", data)
    assert [type(i) for i in items] == [Reject]
    assert "directory has no end" in items[0].reason and "after 6 skipped bytes" in items[0].reason
    assert items[0].raw == data
    assert_every_byte_accounted_for(items, len(data))


def _iso(leader: str, entries: list[tuple[str, bytes]], length: bytes | None = None) -> bytes:
    """An ISO 2709 record written by hand, offsets wrapped past 99,999 like some systems do."""
    directory, data, offset = b"", b"", 0
    for tag, body in entries:
        body += b"\x1e"
        directory += tag.encode() + b"%04d%05d" % (len(body), offset % 100000)
        data += body
        offset += len(body)
    base = 24 + len(directory) + 1
    total = base + len(data) + 1
    head = (
        (length or b"%05d" % (total % 100000)) + leader[5:12].encode() + b"%05d" % base + leader[17:].encode()
    )
    return head + directory + b"\x1e" + data + b"\x1d"


@pytest.mark.parametrize("length", [b"99999", b"00000", b"1234x", None])
def test_record_longer_than_99999_bytes(length):
    entries = [("001", b"big-1"), ("245", b"10\x1faA very long record")]
    entries += [("500", b"  \x1fa" + (b"note %03d " % i) * 500) for i in range(40)]
    raw = _iso("00000nam a2200000   4500", entries, length)
    assert len(raw) > 99999
    small = records_of(CHABON.read_bytes())[0]
    items = read("big.mrc", small + raw + small)
    assert [type(i) for i in items] == [Read, Read, Read]
    big = items[1]
    assert big.raw == raw
    assert any(r.startswith("leader record length") for r in big.repairs)
    assert big.record["001"].data == "big-1"
    notes = big.record.get_fields("500")
    assert len(notes) == 40 and notes[39]["a"] == "note 039 " * 500
    assert fields(items[2].record) == fields(items[0].record)
    with pytest.raises(ValueError, match="big-1"):
        write_iso2709(big.record)


def test_alphanumeric_tags_are_kept_and_tags_with_control_characters_dropped():
    record = read(CORPUS / "iso2709/pymarc__alphatag.mrc")[0].record
    assert any(not f.tag.isdigit() for f in record.fields)
    raw = _iso("00000nam a2200000   4500", [("001", b"t-1"), ("FMT", b"BK"), ("2\x0045", b"")][:2])
    raw = raw.replace(b"FMT", b"F\x01T")
    item = read("t.mrc", raw)[0]
    assert [f.tag for f in item.record.fields] == ["001"]
    assert any("control or non-ASCII" in r for r in item.repairs)


def test_missing_indicators_and_empty_subfields():
    raw = _iso(
        "00000nam a2200000   4500",
        [("001", b"i-1"), ("245", b"\x1faTitle"), ("500", b"1\x1fa\x1f\x1fbNote"), ("650", b" 0\x1faA\x1f")],
    )
    item = read("i.mrc", raw)[0]
    assert item.record["245"].indicators == (" ", " ")
    assert item.record["500"].indicators == ("1", " ")
    assert item.record["500"].subfields == [("a", ""), ("b", "Note")]
    assert item.record["650"].subfields == [("a", "A")]
    assert "field 245: indicators missing; set to blanks" in item.repairs
    assert "field 500: second indicator missing; set to blank" in item.repairs
    assert "field 500: empty subfield dropped" in item.repairs


# -- streaming and input errors -------------------------------------------------------------------


def test_chunk_boundaries_do_not_matter(monkeypatch):
    path = CORPUS / "malformed/perl-marc__marc-record_badldr.mrc"
    expected = [(type(i), i.raw, i.position, getattr(i, "repairs", None)) for i in read(path)]
    monkeypatch.setattr(iso2709, "CHUNK_SIZE", 7)
    got = [(type(i), i.raw, i.position, getattr(i, "repairs", None)) for i in read(path)]
    assert got == expected


def test_reading_is_lazy():
    class Counting(io.BytesIO):
        reads = 0

        def read(self, n=-1):
            Counting.reads += 1
            assert n != -1 and n is not None, "the whole input must never be read at once"
            return super().read(n)

    data = (CORPUS / "iso2709/marc4j__pride-and-prejudice-fixed.mrc").read_bytes()
    stream = Counting(data)
    items = read_iso2709(stream, "p.mrc")
    first = next(items)
    assert isinstance(first, Read) and first.position.ordinal == 1
    assert stream.tell() < len(data) or len(data) <= iso2709.CHUNK_SIZE
    assert sum(1 for _ in items) == 382


def test_unreadable_input_raises_input_error():
    with pytest.raises(InputError):
        list(read_iso2709(io.StringIO("text, not bytes"), "t.txt"))

    class Broken(io.RawIOBase):
        def readable(self):
            return True

        def read(self, n=-1):
            raise OSError("device not ready")

    with pytest.raises(InputError, match="device not ready"):
        list(read_iso2709(Broken(), "b.mrc"))


def test_empty_input_holds_no_record():
    assert read("e.mrc", b"") == []


def test_bytes_are_accepted():
    data = CHABON.read_bytes()
    assert [fields(i.record) for i in read_iso2709(data, "c.mrc")] == [fields(i.record) for i in read(CHABON)]


# -- MARC-8 ---------------------------------------------------------------------------------------


def test_marc8_french_diacritics_are_nfc():
    items = read(CORPUS / "iso2709/evergreen__lul_fre_100.mrc")
    titles = [i.record["245"].value() for i in items]
    assert "Les aspirations : poésies canadiennes / W. Chapman." in titles
    joined = "".join(titles)
    assert "é" in joined and "e\u0301" not in joined
    assert all(unicodedata.is_normalized("NFC", t) for t in titles)


@pytest.mark.parametrize(
    "name, tag, script",
    [
        ("perl-marc__marc-charset_hebrew1.mrc", "880", "\u05d0-\u05ea"),
        ("perl-marc__marc-charset_hebrew2.mrc", "880", "\u05d0-\u05ea"),
        ("perl-marc__marc-charset_cyrillic.mrc", "880", "\u0400-\u04ff"),
        ("perl-marc__marc-charset_cjk1.mrc", "880", "\u3040-\u30ff\u4e00-\u9fff"),
        ("perl-marc__marc-charset_cjk2.mrc", "880", "\u3040-\u30ff\u4e00-\u9fff"),
    ],
)
def test_marc8_escape_sequences_decode_like_pymarc(name, tag, script):
    path = CORPUS / "iso2709" / name
    ours = read(path)[0].record
    theirs = _pymarc_records(path.read_bytes())[0]
    assert fields(ours) == fields(theirs)
    text = " ".join(f.value() for f in ours.get_fields(tag))
    assert re.search(f"[{script}]", text)
    assert "\x1b" not in text


def test_marc8_and_utf8_versions_of_the_breaker_test_set_agree():
    marc8 = read(CORPUS / "iso2709/marc4j__brkrtest.mrc")
    utf8 = read(CORPUS / "iso2709/marc4j__brkrtest_UTF8.mrc")
    assert len(marc8) == len(utf8) == 8
    # LC's MARC-8 table maps the ligature and double tilde halves to U+FE20-FE23, the UTF-8
    # file has the double diacritics U+0361 and U+0360
    halves = str.maketrans({"\ufe20": "\u0361", "\ufe21": None, "\ufe22": "\u0360", "\ufe23": None})
    for a, b in zip(marc8, utf8):
        assert [repr(r).translate(halves) for r in fields(a.record)] == [repr(r) for r in fields(b.record)]


def test_ansel_fast_path_matches_pymarc_value_by_value():
    """Every non-ASCII MARC-8 value in the corpus: the reader's translation equals pymarc's."""
    decoder = iso2709._Decoder()
    checked = 0
    for row in MANIFEST:
        if not row["file"].startswith("iso2709/") or "enc=marc8" not in row["notes"]:
            continue
        for raw in records_of((CORPUS / row["file"]).read_bytes()):
            if raw[9:10] != b" ":
                continue
            base = raw.find(b"\x1e") + 1
            for field in raw[base:-1].split(b"\x1e"):
                for value in field.split(b"\x1f")[1:]:
                    value = value[1:]
                    if value.isascii() and b"\x1b" not in value:
                        continue
                    repairs: list[str] = []
                    ours = decoder._marc8_value(value, "xxx", repairs)
                    if repairs:
                        continue
                    assert ours == unicodedata.normalize("NFC", marc8_to_unicode(value, True)), value
                    checked += 1
    assert checked > 500


def test_marc8_bytes_that_do_not_decode_are_replaced_and_reported():
    raw = _iso(
        "00000nam  2200000   4500",
        [
            ("001", b"m-1"),
            ("245", b"10\x1faCaf\xe2e\x1fbtab\there\x1fcbad \x80 byte\x1fddangling\xe2"),
            ("500", b"  \x1fa\x88The\x89 title"),
        ],
    )
    item = read("m.mrc", raw)[0]
    f245 = item.record["245"]
    assert f245["a"] == "Café"
    assert f245["b"] == "tabhere"
    assert f245["c"] == "bad \ufffd byte"
    assert f245["d"] == "dangling"
    assert item.record["500"]["a"] == "The title"  # non-sort markers dropped, as pymarc does
    assert "field 245: control characters dropped" in item.repairs
    assert "field 245: bytes that are not MARC-8 replaced with U+FFFD" in item.repairs
    assert "field 245: combining diacritic with no base character dropped" in item.repairs
    assert not any("500" in r for r in item.repairs)


def test_blank_leader_with_mostly_utf8_and_a_stray_byte_is_utf8():
    raw = _iso(
        "00000nam  2200000   4500",
        [("001", b"u-1"), ("245", "10\x1faŁódź, Kraków, Gdańsk".encode() + b" \xff")],
    )
    item = read("u.mrc", raw)[0]
    assert item.record["245"]["a"] == "Łódź, Kraków, Gdańsk \ufffd"
    assert any(r.startswith(UTF8_LIE) for r in item.repairs)
    assert "field 245: bytes that are not UTF-8 replaced with U+FFFD" in item.repairs


def test_leader_09_other_than_a_or_blank():
    raw = _flip(records_of(CHABON.read_bytes())[0], b"z")
    item = read("z.mrc", raw)[0]
    assert str(item.record.leader)[9] == "a"
    assert any("leader/09 'z' is neither 'a' nor blank" in r for r in item.repairs)


def test_megabytes_of_padding_do_not_accumulate(monkeypatch):
    monkeypatch.setattr(iso2709, "MAX_SEGMENT", 1000)
    monkeypatch.setattr(iso2709, "CHUNK_SIZE", 256)
    one = records_of(CHABON.read_bytes())[0]
    data = one + b" " * 5000 + one
    items = read("p.mrc", data)
    assert isinstance(items[0], Read) and isinstance(items[-1], Read)
    assert any(isinstance(i, Reject) and "with no record" in i.reason for i in items)
    assert_every_byte_accounted_for(items, len(data))


# -- leader/09 lying ------------------------------------------------------------------------------


def _flip(raw: bytes, coding: bytes) -> bytes:
    return raw[:9] + coding + raw[10:]


def test_utf8_record_marked_marc8_is_read_as_utf8():
    raw = next(
        r
        for r in records_of((CORPUS / "iso2709/marc4j__brkrtest_UTF8.mrc").read_bytes())
        if b"Wa\xc5\x82" in r
    )
    assert raw[9:10] == b"a" and not raw.isascii()
    truth = read("u.mrc", raw)[0]
    lying = read("u.mrc", _flip(raw, b" "))[0]
    assert UTF8_LIE in lying.repairs
    assert fields(lying.record) == fields(truth.record)
    assert str(lying.record.leader)[9] == "a"
    assert any("Lech Wałe̦sa" in f.value() for f in lying.record.get_fields("500"))


def test_marc8_record_marked_utf8_is_read_as_marc8():
    raws = records_of((CORPUS / "iso2709/evergreen__lul_fre_100.mrc").read_bytes())
    raw = next(r for r in raws if b"Les aspirations" in r)
    assert raw[9:10] == b" "
    truth = read("m.mrc", raw)[0]
    lying = read("m.mrc", _flip(raw, b"a"))[0]
    assert MARC8_LIE in lying.repairs
    assert fields(lying.record) == fields(truth.record)
    assert lying.record["245"]["b"] == "poésies canadiennes /"


def test_marc8_record_with_escapes_only_marked_utf8_is_read_as_marc8():
    raw = (CORPUS / "iso2709/perl-marc__marc-charset_hebrew1.mrc").read_bytes()
    truth = read("h.mrc", raw)[0]
    lying = read("h.mrc", _flip(raw, b"a"))[0]
    assert any(r.startswith(MARC8_LIE) for r in lying.repairs)
    assert fields(lying.record) == fields(truth.record)


def test_lying_records_in_the_wild_match_their_fixed_version():
    errors = read(CORPUS / "malformed/marc4j__pride-and-prejudice-with-many-errors.mrc")
    fixed = read(CORPUS / "iso2709/marc4j__pride-and-prejudice-fixed.mrc")
    lying = [n for n, item in enumerate(errors) if MARC8_LIE in item.repairs]
    assert len(lying) > 20
    for n in (23, 188, 301):
        assert n in lying
        assert fields(errors[n].record) == fields(fixed[n].record)


# -- writing --------------------------------------------------------------------------------------

ROUND_TRIP = [row for row in WELL_FORMED if row["file"].startswith("iso2709/")]


@pytest.mark.parametrize("row", ROUND_TRIP, ids=lambda r: r["file"])
def test_write_then_read_is_identical(row):
    for item in read(CORPUS / row["file"]):
        out = write_iso2709(item.record)
        assert int(out[:5]) == len(out) and out[9:10] == b"a" and out.endswith(b"\x1e\x1d")
        assert out[int(out[12:17]) - 1] == 0x1E
        again = read("w.mrc", out)
        assert len(again) == 1 and isinstance(again[0], Read)
        # the tag "0 2" style repairs are the only ones a written record can bring back
        assert not again[0].repairs
        assert fields(again[0].record) == fields(item.record)
        written, original = str(again[0].record.leader), str(item.record.leader)
        # 10-11 and 20-23 are written as MARC 21 has them ("22", "4500")
        assert written[10:12] == "22" and written[20:24] == "4500"
        assert [written[i] for i in LEADER_COMPARED if i not in (10, 11, 20, 21, 22, 23)] == [
            original[i] for i in LEADER_COMPARED if i not in (10, 11, 20, 21, 22, 23)
        ]


def test_writer_output_is_what_pymarc_writes_for_a_standard_record():
    for item in read(CORPUS / "iso2709/marc4j__pride-and-prejudice-fixed.mrc")[:50]:
        if str(item.record.leader)[10:12] == "22" and str(item.record.leader)[20:] == "4500":
            assert write_iso2709(item.record) == item.record.as_marc()


def test_writer_refuses_fields_too_long_for_iso2709():
    item = read(CORPUS / "malformed/marc4j__bad_oversize_field_bad_directory.mrc")[1]
    with pytest.raises(ValueError, match="drd-34891908.*9,999"):
        write_iso2709(item.record)


def test_writer_keeps_framing_characters_out_of_values():
    record = read(CHABON)[0].record
    record["245"].subfields[0] = record["245"].subfields[0]._replace(value="a\x1fb\x1ec\x1dd")
    again = read("f.mrc", write_iso2709(record))[0]
    assert again.record["245"]["a"] == "a b c d"
    assert len(again.record["245"].subfields) == len(record["245"].subfields)
