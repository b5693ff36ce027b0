"""The table-driven MARC-8 decoder (``marc2rdf.readers.marc8``) against pymarc's converter.

``marc8.translate`` must give what ``MARC8ToUnicode.translate`` gives from a converter reset to
G0 ASCII and G1 ANSEL: the same text, a cut-short multibyte character where pymarc prints its
warning (at the same position), and an error where pymarc raises. The reader's handling of
values with escape sequences (``_Decoder._marc8_escaped``: retries without the last bytes,
repairs) must be what it was when it called pymarc. Checked on every value with an escape
sequence in the corpus, on generated values, and on the edge cases by name.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pymarc.marc8 import MARC8ToUnicode
from pymarc.marc8_mapping import CODESETS, ODD_MAP

from marc2rdf.readers import iso2709, marc8

CORPUS = Path(__file__).parent / "data" / "corpus"
_WARNING = re.compile(r"Multi-byte position (\d+) exceeds length of marc8 string (\d+)\n")


def pymarc_translate(value: bytes) -> tuple[str, int | None] | None:
    """pymarc's translation of a value from the initial state, and the position its warning about
    a cut-short multibyte character gives; None where pymarc raises."""
    converter = MARC8ToUnicode(quiet=True)
    printed = io.StringIO()
    try:
        with contextlib.redirect_stderr(printed):
            text = converter.translate(value)
    except (IndexError, TypeError, KeyError, ValueError):
        return None
    warning = _WARNING.fullmatch(printed.getvalue())
    assert warning or not printed.getvalue()
    return text, int(warning[1]) if warning else None


def our_translate(value: bytes) -> tuple[str, int | None] | None:
    try:
        return marc8.translate(value)
    except marc8.Marc8Error:
        return None


def pymarc_escaped(value: bytes, tag: str, repairs: list[str]) -> str:
    """The reader's handling of a value with escape sequences as it was when it called pymarc's
    converter: the reference for repairs and for what is printed."""
    if len(iso2709._M8_ESCAPE_RE.findall(value)) != value.count(0x1B):
        repairs.append(f"field {tag}: MARC-8 escape sequence(s) not defined by MARC-8 ignored")
    converter = MARC8ToUnicode(quiet=True)
    for keep in (len(value), len(value) - 1, len(value) - 2):
        converter.g0, converter.g1 = MARC8ToUnicode.basic_latin, MARC8ToUnicode.ansel
        printed = io.StringIO()
        try:
            with contextlib.redirect_stderr(printed):
                text = converter.translate(value[:keep])
        except (IndexError, TypeError, KeyError, ValueError):
            continue
        if printed.getvalue():
            if b"\x1b$" in value:
                repairs.append(f"field {tag}: incomplete multibyte MARC-8 character made a blank")
            else:
                sys.stderr.write(printed.getvalue())
        if keep < len(value):
            repairs.append(f"field {tag}: incomplete multibyte MARC-8 character replaced with U+FFFD")
            text += "\ufffd"
        return text
    repairs.append(f"field {tag}: MARC-8 escape sequences could not be decoded; read as ASCII/ANSEL")
    return iso2709._Decoder()._marc8_value(value.replace(b"\x1b", b""), tag, repairs)


def escaped(handle, value: bytes) -> tuple[str, list[str], str]:
    """Text, repairs and what was printed to stderr when ``handle`` reads a value."""
    repairs: list[str] = []
    printed = io.StringIO()
    with contextlib.redirect_stderr(printed):
        text = handle(value, "245", repairs)
    return text, repairs, printed.getvalue()


def assert_like_pymarc(value: bytes) -> None:
    assert our_translate(value) == pymarc_translate(value), value
    assert escaped(iso2709._Decoder()._marc8_escaped, value) == escaped(pymarc_escaped, value), value


# -- the corpus -----------------------------------------------------------------------------------


def corpus_values_with_escapes(folder: str) -> list[bytes]:
    """Every subfield value (and every field, indicators included) holding an ESC byte in the
    MARC-8 records (leader/09 blank) of a corpus folder."""
    values = []
    for path in sorted((CORPUS / folder).iterdir()):
        for record in path.read_bytes().split(b"\x1d"):
            if record[9:10] != b" " or b"\x1b" not in record:
                continue
            for field in record.split(b"\x1e")[1:]:
                if b"\x1b" in field:
                    values.append(field)
                    values.extend(part[1:] for part in field.split(b"\x1f")[1:] if b"\x1b" in part)
    return values


ISO2709_VALUES = corpus_values_with_escapes("iso2709")
MALFORMED_VALUES = corpus_values_with_escapes("malformed")


def test_the_corpus_has_values_with_escapes_of_every_kind():
    joined = b"".join(ISO2709_VALUES)
    assert len(ISO2709_VALUES) > 150
    for escape in (b"\x1b(B", b"\x1b(2", b"\x1b(3", b"\x1b(N", b"\x1b(S", b"\x1b(Q", b"\x1b$1"):
        assert escape in joined, escape


def test_every_corpus_value_with_escapes_decodes_like_pymarc():
    for value in ISO2709_VALUES:
        assert our_translate(value) == pymarc_translate(value), value


def test_every_malformed_corpus_value_with_escapes_is_read_like_pymarc():
    assert len(MALFORMED_VALUES) > 20
    for value in ISO2709_VALUES + MALFORMED_VALUES:
        assert_like_pymarc(value)


# -- generated values -----------------------------------------------------------------------------

_DESIGNATIONS = [
    b"\x1b" + intermediate + final
    for intermediate in (b"(", b",", b"$", b"$,", b")", b"-", b"$)", b"$-")
    for final in (b"B", b"E", b"N", b"Q", b"S", b"1", b"2", b"3", b"4", b"X")
]
_SHORT_ESCAPES = [b"\x1bb", b"\x1bp", b"\x1bg", b"\x1bs", b"\x1b1", b"\x1bX", b"\x1b\x1b", b"\x1b"]
_CUT_ESCAPES = [b"\x1b(", b"\x1b$", b"\x1b$,", b"\x1b)", b"\x1b-"]
_SINGLE_BYTES = [bytes([b]) for b in sorted({b for c in CODESETS.values() for b in c if b < 0x100})]
_EACC = sorted(cp.to_bytes(3, "big") for cp in CODESETS[marc8.EACC])
_ODD = [cp.to_bytes(3, "big") for cp in ODD_MAP]

pieces = st.one_of(
    st.sampled_from(_DESIGNATIONS + _SHORT_ESCAPES),
    st.sampled_from(_CUT_ESCAPES),
    st.sampled_from(_SINGLE_BYTES),
    st.sampled_from(_EACC),
    st.sampled_from(_ODD),
    st.binary(min_size=1, max_size=3),
)
values = st.lists(pieces, max_size=12).map(b"".join)


@settings(max_examples=1000, deadline=None)
@given(values)
def test_generated_values_decode_like_pymarc(value):
    assert our_translate(value) == pymarc_translate(value)


@settings(max_examples=500, deadline=None)
@given(st.lists(pieces, min_size=1, max_size=8).map(lambda parts: b"\x1b" + b"".join(parts)))
def test_generated_values_with_escapes_are_read_like_pymarc(value):
    assert_like_pymarc(value)


# -- edge cases -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, text, repairs",
    [
        # Cyrillic, then back to ASCII; a blank in a set without one is a blank
        (b"\x1b(Nabc\x1b(B def", "АБЦ def", []),
        # subscript, superscript, Greek symbol sets and ESC s
        (b"H\x1bb2\x1bsO", "H₂O", []),
        (b"x\x1bp2\x1bs", "x²", []),
        (b"\x1bga\x1bs", "α", []),
        # a combining mark before an escape follows the base character after it
        (b"\xe2\x1b(Na", "\u0410\u0301", []),
        # EACC: a 3-byte character, one cut short at the end (a blank), an ESC inside a character
        (b"\x1b$1!0!", "一", []),
        (b"\x1b$1!0!1", "一 ", ["field 245: incomplete multibyte MARC-8 character made a blank"]),
        (b"\x1b$1!0\x1b(B", "  ", ["field 245: incomplete multibyte MARC-8 character made a blank"]),
        # a mapping from pymarc's odd table leaves a waiting mark waiting for the next character
        (b"\xe2\x1b$1! =!0!", "…一\u0301", []),
        # a combining mark with no base character after it is dropped
        (b"\x1b(Nabc\xe1", "АБЦ", []),
        # an escape MARC-8 does not define: the ESC is dropped, the rest read as characters
        (b"abc\x1bXdef", "abcXdef", ["field 245: MARC-8 escape sequence(s) not defined by MARC-8 ignored"]),
        # a G0 escape cut short after its second byte: pymarc keeps the ESC
        (b"ab\x1b(", "ab\x1b(", ["field 245: MARC-8 escape sequence(s) not defined by MARC-8 ignored"]),
        # an escape cut short after its first byte: read without it, U+FFFD said
        (
            b"ab\x1b)",
            "ab\ufffd",
            [
                "field 245: MARC-8 escape sequence(s) not defined by MARC-8 ignored",
                "field 245: incomplete multibyte MARC-8 character replaced with U+FFFD",
            ],
        ),
        (
            b"ab\x1b",
            "ab\ufffd",
            [
                "field 245: MARC-8 escape sequence(s) not defined by MARC-8 ignored",
                "field 245: incomplete multibyte MARC-8 character replaced with U+FFFD",
            ],
        ),
        # the character after ESC s is a character even when it is an ESC
        (b"\x1bs\x1b(Na", "(Na", []),
    ],
)
def test_edge_cases(value, text, repairs):
    assert escaped(iso2709._Decoder()._marc8_escaped, value) == (text, repairs, "")
    assert_like_pymarc(value)


def test_eacc_reached_without_esc_dollar_prints_what_pymarc_printed():
    # ESC ( 1 designates EACC too; pymarc printed its warning then, with no repair
    value = b"\x1b(1ab"
    printed = "Multi-byte position 6 exceeds length of marc8 string 5\n"
    assert escaped(iso2709._Decoder()._marc8_escaped, value) == (" ", [], printed)
    assert_like_pymarc(value)


def test_eacc_has_no_combining_marks():
    """The decoder reads every EACC character as a base character."""
    assert not any(combining for _, combining in CODESETS[marc8.EACC].values())
