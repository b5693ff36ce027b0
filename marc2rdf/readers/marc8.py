"""MARC-8 to Unicode, table-driven, giving exactly what pymarc's ``MARC8ToUnicode.translate``
gives (a converter reset to G0 ASCII, G1 ANSEL before the value).

pymarc looks every byte up in Python. Here a value is cut at its escape sequences, and each run
of characters between two escapes is decoded at once: a run in single-byte sets with one
``bytes.translate`` (dropping control characters) and one ``codecs.charmap_decode`` through a
256-character table of the G0/G1 pair in use; a run in the multibyte EACC set (CJK) with one
dict look-up per 3-byte character. The tables come from pymarc's own ``marc8_mapping``.

What pymarc does, and so what this does:

* bytes 0x20-0x80 are looked up in G0 and 0xA0-0xFF in G1; C0 control bytes and 0x81-0x9F
  (MARC-8's formatting characters among them) are dropped; a byte the set does not define is a
  blank. In EACC every 3 bytes are one character, blanks included; a character not in the table
  is a blank, unless pymarc's table of odd mappings has it.
* a combining mark waits for the next base character (blanks included) and follows it; marks
  still waiting at the end of the value are dropped. The result is NFC.
* ``ESC ( F``, ``ESC , F``, ``ESC $ F``, ``ESC $ , F`` designate G0 and ``ESC ) F``,
  ``ESC - F`` designate G1, whatever ``F`` is (``ESC $ ) F`` and ``ESC $ - F`` set G0 to ``)``
  or ``-``). A G0 escape cut short after its second byte is kept as an ESC character.
* ``ESC F`` with ``F`` a character set (``ESC b`` subscripts, ``ESC p`` superscripts, ``ESC g``
  Greek symbols...) sets G0, ``ESC s`` sets it back to ASCII; the character right after such an
  escape is read as a character even if it starts an escape. Any other ``ESC F`` is itself read
  as a character (dropped as a control character in a single-byte set).
* a multibyte character cut short by the end of the value becomes a blank: :func:`translate`
  says where, as the position pymarc prints in its warning.
* an escape sequence cut short at the end of the value (or a single-byte set designated by
  ``ESC F`` with nothing after it) is an error in pymarc: :class:`Marc8Error` here.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from functools import cache
from typing import NamedTuple

from pymarc.marc8_mapping import CODESETS, ODD_MAP

__all__ = ["Marc8Error", "translate"]

ESC = 0x1B
BASIC_LATIN, ANSEL, EACC = 0x42, 0x45, 0x31
_TO_ASCII = 0x73  # ESC s: back to ASCII

_G0_INTRODUCERS = b"(,$"  # ESC followed by one of these designates G0
_G1_INTRODUCERS = b")-"  # and by one of these G1
_MULTIBYTE, _COMMA = 0x24, 0x2C  # ESC $ F designates a multibyte set, ESC $ , F too

# bytes a single-byte run loses: C0 controls (ESC among them) and 0x81-0x9F
_DROPPED = bytes(range(0x20)) + bytes(range(0x81, 0xA0))
_G0_BYTES = range(0x20, 0x81)
_G1_BYTES = range(0xA0, 0x100)

_charmap_decode = codecs.charmap_decode
_normalize = unicodedata.normalize


class Marc8Error(ValueError):
    """A value pymarc's converter cannot translate (an escape sequence cut short)."""


class _Charset(NamedTuple):
    """A G0/G1 pair of single-byte sets: the character of every byte (for ``charmap_decode``),
    and a pattern of runs of its combining marks (None when it has none)."""

    chars: str
    marks: re.Pattern[bytes] | None


@cache
def _charset(g0: int, g1: int) -> _Charset:
    """The table of a G0/G1 pair, made the first time the pair is used (escapes may designate
    any byte as a set: one that is not a MARC-8 set gives blanks)."""
    chars = ["\ufffe"] * 256  # dropped bytes never reach the table
    marks = []
    for codes, entries in ((_G0_BYTES, CODESETS.get(g0, {})), (_G1_BYTES, CODESETS.get(g1, {}))):
        for b in codes:
            code_point, combining = entries.get(b, (0x20, False))
            chars[b] = chr(code_point)
            if combining:
                marks.append(b)
    pattern = re.compile(b"[%s]+" % b"".join(b"\\x%02x" % b for b in marks)) if marks else None
    return _Charset("".join(chars), pattern)


@cache
def _eacc_table() -> tuple[dict[bytes, str], frozenset[bytes]]:
    """EACC characters by their 3 bytes, and the 3-byte characters after which combining marks
    still wait: pymarc's odd mappings and the control characters it drops. Made the first time
    a multibyte run is met (some 16,000 entries: most catalogues have no CJK records)."""
    odd = {cp.to_bytes(3, "big"): chr(uni) for cp, uni in ODD_MAP.items() if cp not in CODESETS[EACC]}
    dropped = {bytes((0, 0, b)): "" for b in _DROPPED}
    table = {cp.to_bytes(3, "big"): chr(uni) for cp, (uni, _combining) in CODESETS[EACC].items()}
    return {**table, **odd, **dropped}, frozenset(odd) | frozenset(dropped)


def translate(value: bytes) -> tuple[str, int | None]:
    """A MARC-8 value as NFC Unicode, and where a multibyte character was cut short (pymarc's
    "Multi-byte position N" figure), or None. Raises :class:`Marc8Error` where pymarc fails."""
    out: list[str] = []
    marks = ""  # combining marks waiting for their base character
    g0, g1 = BASIC_LATIN, ANSEL
    pos, end = 0, len(value)
    forced = False  # the byte at pos is read as a character, even an ESC
    cut = None
    while pos < end or forced:
        if not forced and value[pos] == ESC:
            pos, g0, g1, forced = _escape(value, pos, g0, g1, out)
            continue
        if g0 == EACC:
            stop = _multibyte_stop(value, pos, forced)
            marks, cut = _multibyte_run(value, pos, stop, marks, out)
        else:
            if pos == end:
                raise Marc8Error("a character set designated at the end of the value")
            stop = value.find(b"\x1b", pos + forced)
            if stop < 0:
                stop = end
            marks = _single_byte_run(value[pos:stop], _charset(g0, g1), marks, out)
        pos, forced = stop, False
    return _normalize("NFC", "".join(out)), cut


def _escape(value: bytes, pos: int, g0: int, g1: int, out: list[str]) -> tuple[int, int, int, bool]:
    """Reads the escape sequence at ``pos``: (where reading goes on, G0, G1, whether the byte
    there is read as a character whatever it is)."""
    end = len(value)
    introducer = value[pos + 1] if pos + 1 < end else None
    if introducer is None:
        raise Marc8Error("ESC at the end of the value")
    if introducer in _G0_INTRODUCERS:
        if pos + 3 > end:
            out.append("\x1b")  # cut short: pymarc keeps the ESC, the next byte is a character
            return pos + 1, g0, g1, False
        if introducer == _MULTIBYTE and value[pos + 2] == _COMMA:
            pos += 1
        if pos + 2 >= end:
            raise Marc8Error("G0 escape sequence cut short")
        return pos + 3, value[pos + 2], g1, False
    if introducer in _G1_INTRODUCERS:
        if pos + 2 >= end:
            raise Marc8Error("G1 escape sequence cut short")
        return pos + 3, g0, value[pos + 2], False
    if introducer in CODESETS:
        return pos + 2, introducer, g1, True
    if introducer == _TO_ASCII:
        return pos + 2, BASIC_LATIN, g1, pos + 2 < end
    return pos, g0, g1, True  # not an escape pymarc knows: the ESC is a character


def _multibyte_stop(value: bytes, pos: int, forced: bool) -> int:
    """Where a run of 3-byte characters from ``pos`` ends: at an ESC that starts a character
    (an ESC inside one is part of it), or at the end of the value."""
    stop = value.find(b"\x1b", pos + forced)
    while stop >= 0 and (stop - pos) % 3:
        stop = value.find(b"\x1b", stop + 1)
    if stop < 0:
        return max(len(value), pos + forced)
    return stop


def _multibyte_run(value: bytes, pos: int, stop: int, marks: str, out: list[str]) -> tuple[str, int | None]:
    """Decodes the 3-byte characters from ``pos`` to ``stop``; returns the combining marks still
    waiting and where a character cut short by the end of the value would have ended."""
    # EACC has no combining marks: a character of it is a base character unless listed as leaving
    # the marks waiting; a key not in the table (a short one at the end of a value included) is a blank
    table, leaves_marks_waiting = _eacc_table()
    keys = [value[i : i + 3] for i in range(pos, stop, 3)]
    get = table.get
    chars = [get(key, " ") for key in keys]
    if marks:
        for i, key in enumerate(keys):
            if key not in leaves_marks_waiting:
                chars[i] += marks
                marks = ""
                break
    out.append("".join(chars))
    cut = pos + 3 * len(keys) if len(keys[-1]) < 3 else None
    return marks, cut


def _single_byte_run(run: bytes, charset: _Charset, marks: str, out: list[str]) -> str:
    """Decodes a run of single-byte characters; returns the combining marks still waiting. Each
    base character that follows marks takes them after it."""
    run = run.translate(None, _DROPPED)
    text = _charmap_decode(run, "strict", charset.chars)[0]
    start = 0
    if charset.marks is not None:
        for match in charset.marks.finditer(run):
            at, after = match.span()
            if at > start:
                out.append(text[start] + marks + text[start + 1 : at] if marks else text[start:at])
                marks = ""
            marks += text[at:after]
            start = after
    if start < len(text):
        out.append(text[start] + marks + text[start + 1 :] if marks else text[start:])
        marks = ""
    return marks
