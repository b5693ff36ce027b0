"""The shortcuts of the .mrk reader and of the line machinery it shares with the text dumps give
what the general paths give.

* ``text._records`` (lines read and grouped into records in one loop) against
  ``split_records(iter_lines(...))``, the plain formulation written below: a line iterator
  feeding a record splitter;
* ``mrk._plain_record`` (a record of plain field lines made directly) against ``_read_chunk``
  with :class:`MrkSyntax` (``parse_line``, ``DraftField``, ``finish``);
* ``mrk._plain`` (values with ANSEL mnemonics decoded without the decoder) against
  :class:`Marc8Decoder`;

on every .mrk and text-dump file of tests/data, on pieces of them with odd shapes spliced in, and
on generated lines: mnemonics, escapes, odd indicators and tags, ``$$``, blank and
whitespace-only lines, CRLF, a BOM, invalid UTF-8, wrapped lines.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import random
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from marc2rdf.readers import mrk
from marc2rdf.readers.base import InputError, Read
from marc2rdf.readers.text import (
    FORMATTED,
    KOHA,
    YAZ,
    Line,
    _looks_binary,
    _read_chunk,
    _records,
    read_lines,
)

DATA = Path(__file__).parent / "data"
MRK_FILES = sorted(p for p in DATA.rglob("*.mrk"))
TEXT_FILES = sorted(p for p in DATA.rglob("*.txt") if p.name.endswith((".formatted.txt", ".yaz.txt"))) + [
    DATA / "seed.txt"
]
SYNTAXES = [mrk.MRK, FORMATTED, KOHA, YAZ]


# -- the plain formulation of text._records ---------------------------------------------------


def _decode_line(raw: bytes) -> tuple[str, bool]:
    try:
        text, bad = raw.decode("utf-8"), False
    except UnicodeDecodeError:
        text, bad = raw.decode("utf-8", "replace"), True
    text = text.removesuffix("\n")
    text = text.removesuffix("\r")
    return text, bad


def iter_lines(stream: Iterable[bytes], name: str) -> Iterator[Line]:
    """The lines of a binary stream, decoded; :class:`InputError` when it cannot be read or is
    binary MARC rather than text."""
    offset = 0
    seen_text = False
    lines = iter(stream)
    for number in itertools.count(1):
        try:
            raw = next(lines)
        except StopIteration:
            return
        except (OSError, ValueError) as exc:
            raise InputError(f"{name}: cannot read: {exc}") from exc
        if isinstance(raw, str):  # a text stream: accept it rather than fail
            raw = raw.encode("utf-8")
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            offset, raw = 3, raw[3:]
        if not seen_text and raw.strip():
            if _looks_binary(raw):
                raise InputError(f"{name}: binary data (ISO 2709?), not a text MARC dump")
            seen_text = True
        text, bad = _decode_line(raw)
        yield Line(number, offset, text, raw, bad)
        offset += len(raw)


def split_records(lines: Iterable[Line], starts_record: Callable[[str], bool],
                  whitespace_is_blank: bool = False) -> Iterator[list[Line]]:
    """Group lines into records: an empty line ends a record, and a line for which
    ``starts_record`` is true begins a new one. Whitespace-only lines inside a record are kept
    (they continue a value) unless ``whitespace_is_blank``; before a record they are skipped."""
    chunk: list[Line] = []
    for line in lines:
        if not line.text.strip() and (not chunk or not line.text or whitespace_is_blank):
            if chunk:
                yield chunk
                chunk = []
            continue
        if chunk and starts_record(line.text):
            yield chunk
            chunk = []
        chunk.append(line)
    if chunk:
        yield chunk


# -- comparing items ---------------------------------------------------------------------------


def _field(field):
    value = field._indicators
    return (
        type(field), field.tag, field.data, type(value), value, field.control_field,
        type(field.subfields), [(type(s), tuple(s)) for s in field.subfields], hasattr(field, "_Field__pos"),
    )


def _items(items):
    """Everything an item holds, comparable with ``==``; an error ends the list."""
    out = []
    try:
        for item in items:
            if isinstance(item, Read):
                record = item.record
                out.append((
                    "read", type(item.position), item.position, item.raw, item.repairs,
                    type(record), type(record.leader), str(record.leader), record.pos, record._Record__pos,
                    record.force_utf8, record.to_unicode, type(record.fields), [_field(f) for f in record.fields],
                ))
            else:
                out.append(("reject", type(item), item.position, item.raw, item.reason, item.control_number))
    except Exception as exc:  # the error is part of what is compared
        out.append(("error", type(exc), str(exc)))
    return out


@contextlib.contextmanager
def _general():
    """Every shortcut of the .mrk reader off: records through _read_chunk, values through the
    decoder."""
    with mock.patch.object(mrk, "_FAST_CHUNKS", False), mock.patch.object(mrk, "_PLAIN_ASCII", False):
        yield


def _reference_read_lines(data: bytes, name: str, syntax):
    """read_lines as it reads without _records: iter_lines, then split_records, then _read_chunk."""
    chunks = split_records(iter_lines(io.BytesIO(data), name), syntax.starts_record, syntax.whitespace_is_blank)
    for ordinal, chunk in enumerate(chunks, 1):
        yield _read_chunk(chunk, name, ordinal, syntax)


def _chunks_and_error(chunks):
    out = []
    try:
        out.extend(chunks)
    except InputError as exc:
        out.append(("error", str(exc)))
    return out


# -- inputs ------------------------------------------------------------------------------------

PIECES = [
    b"{dollar}", b"{esc}(2", b"{esc}(B", b"{esc}", b"{acute}", b"{acute}{grave}", b"{zilch}", b"{x2019}",
    b"{U+0301}", b"{U+00E9}", b"{aacute}", b"{lstrok}", b"{llig}", b"{1F}", b"{E2}", b"{cedil}",
    b"\\", b"$", b"$$", b"$a", b"\r", b"\n", b"\n\n", b" \n", b"\t\n", b"\xef\xbb\xbf", b"\xc3", b"\xe9",
    b"\x1b", b"\x1b(2", b"=LDR  ", b"=000  ", b"=24", b"=FMT  ", b"=008  ", b"=001", b"{", b"}",
    "é".encode(), "e\u0301".encode(), "\u0301".encode(), b"\t", b"=245  10", b"=2x5  ", b"=245 10$a",
    b"=LDR", b"   ", b"=880  \\\\$6245-01$a", b"\x00", b"\x1f", b"=245  1", b"=245  1 $a", b"=650  \\0$a$b",
]


def _inputs():
    """(name, bytes): every .mrk and text-dump file, and pieces of them with odd bits spliced in."""
    files = [(p.name, p.read_bytes()) for p in MRK_FILES + TEXT_FILES]
    rnd = random.Random(2709)
    spliced = []
    for k in range(300):
        _, src = rnd.choice(files)
        at = rnd.randrange(len(src))
        data = bytearray(src[at:at + rnd.randrange(50, 3000)])
        for _ in range(rnd.randrange(0, 6)):
            pos = rnd.randrange(len(data) + 1)
            data[pos:pos] = rnd.choice(PIECES)
        spliced.append((f"spliced-{k}", bytes(data)))
    return files + spliced


INPUTS = _inputs()

# generated .mrk lines of the usual shape and of odd ones
_VALUE = st.lists(
    st.sampled_from(["a", "Title", " ", ".", "\\", "é", "e\u0301", "\u0301", "ø", "\t", "\x7f", "{dollar}",
                     "{bsol}", "{acute}", "{grave}{acute}", "{aacute}", "{lstrok}", "{llig}", "{rlig}",
                     "{U+0301}", "{U+00E9}", "{x41}", "{E2}", "{1F}", "{zilch}", "{esc}(2", "{esc}(B",
                     "{esc}", "{esc}$1", "{", "}", "{}", "\x1b", "\x1b(3", "{mlrhring}", "{cent}", "{sup2}"]),
    max_size=8,
).map("".join)
_SUBFIELD = st.tuples(st.sampled_from(["a", "b", "6", "$", "é", " "]), _VALUE).map(lambda t: "$" + t[0] + t[1])
_DATA_LINE = st.tuples(
    st.sampled_from(["245", "650", "880", "010", "9XX", "CAT", "2x5", "24", "LDR", "00A", "0a1"]),
    st.sampled_from(["  ", " ", "", "   "]),
    st.sampled_from(["\\\\", "10", "1\\", " 0", "1", "", "\\"]),
    st.lists(_SUBFIELD, max_size=5).map("".join),
    st.sampled_from(["", "", "", "$", "$$", "text"]),
).map(lambda t: f"={t[0]}{t[1]}{t[2]}{t[3]}{t[4]}")
_CONTROL_LINE = st.tuples(st.sampled_from(["001", "005", "008", "000", "00X"]), st.sampled_from(["  ", " "]),
                          _VALUE).map(lambda t: f"={t[0]}{t[1]}{t[2]}")
_LEADER = st.sampled_from(["=LDR  00714cam\\\\2200205\\a\\4500", "=LDR  00714cam a2200205 a 4500",
                           "=LDR  short", "=000  01234nam\\\\2200000\\a\\4500", "=LDR", "=LDR 00714cam"])
_LINE = st.one_of(_DATA_LINE, _DATA_LINE, _CONTROL_LINE, _LEADER,
                  st.sampled_from(["", "", " ", "\t", "wrapped$bmore", "wrapped text", "$$"]))


@st.composite
def _mrk_input(draw):
    lines = draw(st.lists(_LINE, max_size=12))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    data = ending.join(lines).encode("utf-8")
    if draw(st.booleans()):
        data += ending.encode()
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    if draw(st.booleans()) and data:  # an invalid UTF-8 byte somewhere
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xc3", b"\xe9", b"\xff"])) + data[at:]
    return data


# -- lines and records -------------------------------------------------------------------------


def test_records_groups_lines_as_iter_lines_and_split_records():
    for name, data in INPUTS:
        for syntax in SYNTAXES:
            for stream in (data, data.replace(b"\n", b"\r\n")):
                expected = _chunks_and_error(split_records(
                    iter_lines(io.BytesIO(stream), name), syntax.starts_record, syntax.whitespace_is_blank))
                got = _chunks_and_error(_records(io.BytesIO(stream), name, syntax.starts_record,
                                                 syntax.whitespace_is_blank))
                assert got == expected, (name, syntax.name)


def test_records_from_text_streams_lists_and_failing_streams():
    lines = ["=LDR  00714cam\\\\2200205\\a\\4500\n", "=245  10$aT\n", "\n", "   \n", "=LDR  x\n", "=001  1"]

    def failing():
        yield b"=LDR  00714cam\\\\2200205\\a\\4500\n"
        yield b"=245  10$aT\n"
        yield b"\n"
        yield b"=LDR  00714cam\\\\2200205\\a\\4500\n"
        raise OSError("disk gone")

    for syntax in SYNTAXES:
        for make in (lambda: iter(lines), lambda: [s.encode() for s in lines], failing,
                     lambda: [b"\x00\x01binary\x1d\n"], lambda: [b"\n", b" \n", b"=LDR\x1e\n"]):
            expected = _chunks_and_error(split_records(iter_lines(make(), "x"), syntax.starts_record,
                                                       syntax.whitespace_is_blank))
            got = _chunks_and_error(_records(make(), "x", syntax.starts_record, syntax.whitespace_is_blank))
            assert got == expected


def test_text_dumps_read_as_without_records():
    for name, data in INPUTS:
        for syntax in (FORMATTED, KOHA, YAZ):
            expected = _items(_reference_read_lines(data, name, syntax))
            assert _items(read_lines(io.BytesIO(data), name, syntax)) == expected, (name, syntax.name)


# -- .mrk records ------------------------------------------------------------------------------


def _mrk_items(data: bytes, name: str = "x"):
    return _items(mrk.read_mrk(io.BytesIO(data), name))


def test_mrk_files_read_as_on_the_general_path():
    for name, data in INPUTS:
        fast = _mrk_items(data, name)
        with _general():
            general = _mrk_items(data, name)
        assert fast == general, name
        # the general path of the lines as well: iter_lines, split_records, _read_chunk
        assert fast == _items(_reference_read_lines(data, name, mrk.MRK)), name


class _GeneralMrk(mrk.MrkSyntax):
    """A subclass that reads values its own way (here, as the syntax does): read on the general
    path, whatever the shortcuts."""

    def value(self, raw, code, field, record):
        return super().value(raw, code, field, record)


def test_a_subclass_changing_how_lines_or_values_are_read_takes_the_general_path():
    assert mrk.MRK._plain_reading and not _GeneralMrk._plain_reading
    with mock.patch.object(mrk, "_plain_record", side_effect=AssertionError("shortcut taken")):
        data = MRK_FILES[0].read_bytes()
        assert list(read_lines(io.BytesIO(data), "x", _GeneralMrk()))


def test_plain_records_as_the_general_path_makes_them():
    """Each record the shortcut makes is the one _read_chunk makes, and the shortcut is taken for
    most corpus records (so that the comparisons above compare it)."""
    taken = total = 0
    for name, data in INPUTS:
        chunks = [c for c in _chunks_and_error(_records(io.BytesIO(data), name, mrk.MRK.starts_record, True))
                  if isinstance(c, list)]
        for ordinal, chunk in enumerate(chunks, 1):
            plain = mrk._plain_record(chunk)
            general = _read_chunk(chunk, name, ordinal, mrk.MRK)
            if not name.startswith("spliced") and name.endswith(".mrk"):
                total += 1
                taken += plain is not None
            if plain is not None:
                assert isinstance(general, Read), (name, ordinal)
                assert _items([mrk.MRK.read_chunk(chunk, name, ordinal)]) == _items([general])
    assert taken > 0.9 * total


@settings(max_examples=400, deadline=None)
@given(_mrk_input())
def test_generated_mrk_read_as_on_the_general_path(data):
    fast = _mrk_items(data)
    with _general():
        general = _mrk_items(data)
    assert fast == general


def test_odd_lines_read_as_on_the_general_path():
    odd = [
        "=LDR  00714cam\\\\2200205\\a\\4500",
        "=001  tes{dollar}1\\x",
        "=008  960221s1955\\\\\\\\dcuabcdjdbkoqu001\\0deng\\d",
        "=245  10$aOne$$bempty before{esc}(2abc",
        "=246  1\\$aTwo {acute}e {zilch} {U+0301} {x41}",
        "wrapped$cthree",
        "=500  \\\\text before",
        "=650  \\0$aUnited States$xHistory$vPersonal narratives.",
        "=100  1 $aSpace indicator",
        "=100  1",
        "=100",
        "=CAT  \\\\$aLocal",
        "=2x5  10$aBad tag",
        "=LDR  second leader",
        "=880  \\\\$6245-01$a{esc}(2lzexd{esc}(B",
        "=700  1\\$aDvo{caron}r{acute}ak, Anton{acute}in$d1841-1904",
        "=700  1\\$a{acute}",
        "=700  1\\$a{acute}{U+0301}e{acute}é",
        "=700  1\\$aTrailing$",
        "=001  \\\\{esc}",
        "",
        "   ",
        "=LDR  short",
        "=245  10$aT",
    ]
    base = "\n".join(odd).encode("utf-8")
    for data in (base, base.replace(b"\n", b"\r\n"), b"\xef\xbb\xbf" + base, base.replace(b"One", b"O\xe9ne")):
        # every prefix and every line alone in a record, so that each odd line meets the shortcut
        for lines in ([data], [b"=LDR  00714cam\\\\2200205\\a\\4500\n" + line for line in data.split(b"\n")]):
            for chunk in lines:
                fast = _mrk_items(chunk)
                with _general():
                    assert fast == _mrk_items(chunk), chunk


# -- values ------------------------------------------------------------------------------------


def _by_the_decoder(raw, blanks):
    decoder = mrk.Marc8Decoder()
    return unicodedata.normalize("NFC", decoder.decode(mrk.tokenize(raw, blanks))), decoder.problems


def _check_value(raw):
    for blanks in (False, True):
        text = mrk._plain(raw, blanks) if "\x1b" not in raw else None
        expected = _by_the_decoder(raw, blanks)
        if text is not None:
            assert (unicodedata.normalize("NFC", text), []) == expected, (raw, blanks)
        assert mrk.decode_mnemonics(raw, blanks) == expected, (raw, blanks)


@settings(max_examples=600, deadline=None)
@given(_VALUE)
def test_values_decoded_without_the_decoder_as_the_decoder_decodes_them(raw):
    _check_value(raw)


def test_every_mnemonic_before_and_after_literal_text_as_the_decoder_reads_it():
    names = list(mrk.MNEMONICS) + ["41", "x7B", "E2", "F0", "1F", "09", "U+0301", "U+00E9", "zilch", "A", "0"]
    for name in names:
        for raw in (f"{{{name}}}", f"a{{{name}}}b", f"{{acute}}{{{name}}}e\\x", f"{{{name}}}{{acute}}",
                    f"{{{name}}}\u0301e", f"{{acute}}\u0301e{{{name}}}", f"{{acute}}é{{{name}}}", f"\\{{{name}}}\\", f"{{cedil}}{{{name}}}"):
            _check_value(raw)


def test_corpus_values_decoded_as_the_decoder_decodes_them():
    seen = 0
    for path in MRK_FILES:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("=") and "{" in line:
                for part in line[6:].split("$"):
                    _check_value(part)
                    seen += 1
    assert seen > 1000
