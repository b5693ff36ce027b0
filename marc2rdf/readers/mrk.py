"""MarcEdit / MARCMaker mnemonic records (``.mrk``).

::

    =LDR  01201nam  2200253 a 4500
    =001  tes96000001\\
    =008  960221s1955\\\\\\\\dcuabcdjdbkoqu001\\0deng\\d
    =245  10$aNew test record$h[large print] /$cby Jane Deer-Doe.

One field per line, ``=`` + tag + two spaces; records are separated by a blank line (a new
``=LDR`` line also starts one). In the leader, control fields and indicators ``\\`` stands for a
blank; in subfield data it is a backslash (as MarcEdit writes it). ``$`` starts a subfield.

Characters in braces are mnemonics, decoded with the LC MARCMaker character table:

* ``{dollar}``, ``{bsol}``, ``{lcub}``, ``{rcub}``, ``{esc}``, ``{joiner}``, ``{nonjoin}``...
  and the MARC-8 special characters and diacritics (``{acute}``, ``{uml}``, ``{cedil}``,
  ``{Lstrok}``, ``{copy}``, ``{pound}``...). A diacritic precedes its base letter, as in MARC-8
  (``{acute}e``); it is moved after it and the value is NFC-normalized (``é``).
* precomposed letters (``{eacute}``, ``{Ouml}``...), ASCII names (``{amp}``, ``{quot}``...) and
  the LC romanization names for Cyrillic (``{zhcy}`` → ``zh``), as LC defines them;
* ``{XX}`` (two hex digits, also ``{xXX}``): that MARC-8 byte; ``{U+XXXX}``: that Unicode
  character;
* names LC could only approximate in MARC-8 (``{szlig}`` as ``ss``, ``{cent}`` as ``c``) decode to
  the Unicode character they name, since the output is Unicode;
* an unknown name ``{zilch}`` becomes ``&zilch;``, as LC's MARCMaker does.

Non-ASCII characters written as such (MarcEdit's UTF-8 files) are kept. ASCII characters and
mnemonics are read as MARC-8, so escape sequences (``{esc}(2`` for Hebrew...) work as in MARC-8;
each subfield starts in ASCII/ANSEL, as in pymarc.

:func:`write_mrk` writes one record in this form, UTF-8, escaping ``$ { } \\`` and control
characters so that :func:`read_mrk` gives the same record back.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import BinaryIO

from pymarc import Indicators, Record, Subfield, marc8_mapping

from marc2rdf.readers import base
from marc2rdf.readers.base import Item, Position, Read, nfc
from marc2rdf.readers.text import (
    DraftField,
    Line,
    MalformedLine,
    RecordDraft,
    Syntax,
    _read_chunk,
    indicator,
    is_control_tag,
    read_lines,
    repair_leader,
)

__all__ = ["MNEMONICS", "decode_mnemonics", "read_mrk", "write_mrk"]

# --------------------------------------------------------------------------------------------
# The mnemonic table: name -> MARC-8 bytes (LC MARCMaker character conversion table)

_MARC8_TABLE = """
esc 1B|dollar 24|bsol 5C|lcub 7B|rcub 7D|joiner 8D|nonjoin 8E|gs 1D|rs 1E|us 1F
Lstrok A1|Ostrok A2|Dstrok A3|THORN A4|AElig A5|OElig A6|softsign A7|middot A8|flat A9|reg AA
plusmn AB|Ohorn AC|Uhorn AD|mlrhring AE|mllhring B0|lstrok B1|ostrok B2|dstrok B3|thorn B4
aelig B5|oelig B6|hardsign B7|inodot B8|pound B9|eth BA|ohorn BC|uhorn BD|deg C0|scriptl C1
phono C2|copy C3|sharp C4|iquest C5|iexcl C6|alif AE|ayn B0|mlprime A7|mlPrime B7
hooka E0|grave E1|acute E2|circ E3|tilde E4|macr E5|breve E6|dot E7|diaer E8|uml E8|umlaut E8
caron E9|ring EA|llig EB|rlig EC|rcommaa ED|dblac EE|candra EF|cedil F0|ogon F1|hookr F1
dotb F2|vlineb F2|dbldotb F3|ringb F4|circb F4|dblunder F5|under F6|commab F7|hookl F7
rcedil F8|breveb F9|ldbltil FA|rdbltil FB|commaa FE
amp 26|apos 27|ast 2A|colon 3A|comma 2C|commat 40|equals 3D|excl 21|gt 3E|hyphen 2D|lpar 28
lsqb 5B|lt 3C|num 23|percnt 25|period 2E|plus 2B|quest 3F|quot 22|rpar 29|rsqb 5D|semi 3B
sol 2F|space 20|spcirc 5E|spgrave 60|sptilde 7E|spundscr 5F|verbar 7C|pipe 7C
arab 28 33|cjk 24 31|cyril 28 4E|greek 67|hebrew 28 32|latin 28 42|sub 62|super 70
sup1 1B 70 31 1B 73|sup2 1B 70 32 1B 73|sup3 1B 70 33 1B 73|agr 61|bgr 62|ggr 67
Aacute E2 41|aacute E2 61|Abreve E6 41|abreve E6 61|Acirc E3 41|acirc E3 61|Agrave E1 41
agrave E1 61|Aogon F1 41|aogon F1 61|Aring EA 41|aring EA 61|Atilde E4 41|atilde E4 61
Auml E8 41|auml E8 61|Cacute E2 43|cacute E2 63|Ccaron E9 43|ccaron E9 63|Ccedil F0 43
ccedil F0 63|Dcaron E9 44|dcaron E9 64|Eacute E2 45|eacute E2 65|Ecaron E9 45|ecaron E9 65
Ecirc E3 45|ecirc E3 65|Egrave E1 45|egrave E1 65|Ehookr F1 45|ehookr F1 65|Eogon F1 45
eogon F1 65|Euml E8 45|euml E8 65|Iacute E2 49|iacute E2 69|Icaron E9 49|icaron E9 69
Icirc E3 49|icirc E3 69|Idot E7 49|Igrave E1 49|igrave E1 69|Iuml E8 49|iuml E8 69
Lacute E2 4C|lacute E2 6C|Nacute E2 4E|nacute E2 6E|Ncaron E9 4E|ncaron E9 6E|Ntilde E4 4E
ntilde E4 6E|Oacute E2 4F|oacute E2 6F|Ocirc E3 4F|ocirc E3 6F|Odblac EE 4F|odblac EE 6F
Ograve E1 4F|ograve E1 6F|Otilde E4 4F|otilde E4 6F|Ouml E8 4F|ouml E8 6F|Racute E2 52
racute E2 72|Rcaron E9 52|rcaron E9 72|Sacute E2 53|sacute E2 73|Scommab F7 53|scommab F7 73
Tcaron E9 54|tcaron E9 74|Tcommab F7 54|tcommab F7 74|Uacute E2 55|uacute E2 75|Ucirc E3 55
ucirc E3 75|Udblac EE 55|udblac EE 75|Ugrave E1 55|ugrave E1 75|Uring EA 55|uring EA 75
Uuml E8 55|uuml E8 75|Yacute E2 59|yacute E2 79|Zacute E2 5A|zacute E2 7A|Zdot E7 5A|zdot E7 7A
IJlig 49 4A|ijlig 69 6A
Acy 41|acy 61|Bcy 42|bcy 62|CHcy 43 68|chcy 63 68|Dcy 44|dcy 64|DJEcy A3|djecy B3
DZEcy 44 7A|dzecy 64 7A|DZHEcy 44 E9 7A|dzhecy 64 E9 7A|Ecy E7 45|ecy E7 65|Fcy 46|fcy 66
Gcy 47|gcy 67|GEcy 47|gecy 67|GHcy 47|ghcy 67|GJEcy E2 47|gjecy E2 67|HARDcy B7|hardcy B7
Hcy 48|hcy 68|Icy 49|icy 69|IEcy EB 49 EC 45|iecy EB 69 EC 65|IOcy EB 49 EC 4F|iocy EB 69 EC 6F
Iumlcy E8 49|iumlcy E8 69|IYcy 59|iycy 79|Jcy E6 49|jcy E6 69|JEcy 4A|jecy 6A|JIcy E8 49
jicy E8 69|Kcy 4B|kcy 6B|KHcy 4B 68|khcy 6B 68|KJEcy E2 4B|kjecy E2 6B|Lcy 4C|lcy 6C
LJEcy 4C 6A|ljecy 6C 6A|Mcy 4D|mcy 6D|Ncy 4E|ncy 6E|NJEcy 4E 6A|njecy 6E 6A|Ocy 4F|ocy 6F
Pcy 50|pcy 70|Rcy 52|rcy 72|Scy 53|scy 73|SHCHcy 53 68 63 68|shchcy 73 68 63 68|SHcy 53 68
shcy 73 68|SOFTcy A7|softcy A7|Tcy 54|tcy 74|TScy EB 54 EC 53|tscy EB 74 EC 73|TSHEcy E2 43
tshecy E2 63|Ubrevecy E6 55|ubrevecy E6 75|Ucy 55|ucy 75|Vcy 56|vcy 76|YAcy EB 49 EC 41
yacy EB 69 EC 61|Ycy 59|ycy 79|YEcy 45|yecy 65|YIcy 49|yicy 69|YUcy EB 49 EC 55|yucy EB 69 EC 75
Zcy 5A|zcy 7A|ZHcy 5A 68|zhcy 7A 68|ZHuacy EB 5A EC 68|zhuacy EB 7A EC 68
"""

# Names LC maps to an ASCII stand-in because MARC-8 lacks the character: here, the character.
_UNICODE_TABLE = {
    "cent": "¢", "curren": "¤", "yen": "¥", "sect": "§", "para": "¶", "times": "×", "divide": "÷",
    "szlig": "ß", "ETH": "Ð", "laquo": "«", "raquo": "»", "ldquo": "“", "rdquor": "”",
    "rdquofh": "”", "lsquo": "‘", "rsquo": "’", "lsquor": "‚", "rsquor": "’", "mdash": "—",
    "ndash": "–", "hellip": "…", "trade": "™", "frac12": "½", "frac14": "¼", "frac34": "¾",
    "ordf": "ª", "ordm": "º", "asuper": "ª", "osuper": "º", "shy": "\u00ad", "bull": "•",
    "dagger": "†", "Dagger": "‡", "brvbar": "¦", "fnof": "ƒ", "squf": "▪", "No": "№",
}

Item8 = int | str  # a MARC-8 byte, or a Unicode character written as itself


def _parse_table(text: str) -> dict[str, tuple[int, ...]]:
    table = {}
    for entry in text.replace("\n", "|").split("|"):
        if entry.strip():
            name, *codes = entry.split()
            table[name] = tuple(int(code, 16) for code in codes)
    return table


MNEMONICS: dict[str, tuple[Item8, ...]] = {
    **_parse_table(_MARC8_TABLE),
    **{name: (char,) for name, char in _UNICODE_TABLE.items()},
}

_MNEMONIC = re.compile(r"\{([^{}\s]{1,24})\}")
_HEX_BYTE = re.compile(r"x?([0-9A-Fa-f]{2})")
_CODE_POINT = re.compile(r"U\+([0-9A-Fa-f]{4,6})")


def _mnemonic(name: str) -> tuple[Item8, ...]:
    if name in MNEMONICS:
        return MNEMONICS[name]
    if len(name) == 1 and name.isascii() and name.isalnum():
        return (ord(name),)  # LC: {A} is "A", {0} is "0"
    if m := _HEX_BYTE.fullmatch(name):
        return (int(m[1], 16),)
    if (m := _CODE_POINT.fullmatch(name)) and int(m[1], 16) <= 0x10FFFF:
        return (chr(int(m[1], 16)),)
    return tuple(ord(c) if c.isascii() else c for c in f"&{name};")  # LC: unknown names stay


def _literal(text: str, blanks: bool, out: list[Item8]) -> None:
    """Printable ASCII (and ESC) is MARC-8; anything else written as itself is Unicode."""
    for char in text:
        if char == "\\" and blanks:
            out.append(0x20)
        elif " " <= char <= "~" or char == "\x1b":
            out.append(ord(char))
        else:
            out.append(char)


def tokenize(raw: str, blanks: bool = False) -> list[Item8]:
    """MARC-8 bytes and Unicode characters of a raw ``.mrk`` value; with ``blanks``, ``\\`` is a
    blank (leader, control fields)."""
    items: list[Item8] = []
    pos = 0
    for m in _MNEMONIC.finditer(raw):
        _literal(raw[pos:m.start()], blanks, items)
        items.extend(_mnemonic(m[1]))
        pos = m.end()
    _literal(raw[pos:], blanks, items)
    return items


# --------------------------------------------------------------------------------------------
# MARC-8

_ASCII, _ANSEL, _EACC = 0x42, 0x45, 0x31
_KEPT_CONTROLS = {0x09, 0x0A, 0x0D}


class Marc8Decoder:
    """MARC-8 to Unicode for one value, fed with :func:`tokenize` items. Diacritics (which MARC-8
    writes before their base) are put after it; escape sequences switch the G0/G1 sets; what
    cannot be decoded is counted in ``problems``."""

    def __init__(self) -> None:
        self.g0, self.g1 = _ASCII, _ANSEL
        self.out: list[str] = []
        self.pending: list[str] = []  # diacritics waiting for their base character
        self.problems: list[str] = []

    def decode(self, items: list[Item8]) -> str:
        out, pending = self.out, self.pending
        i = 0
        while i < len(items):
            item = items[i]
            if type(item) is int and 0x20 <= item < 0x7F and self.g0 == _ASCII and _PLAIN_ASCII:
                # printable ASCII in the default G0 set: what _byte() does, written out
                out.append(chr(item))
                if pending:
                    out.extend(pending)
                    pending.clear()
                i += 1
            elif isinstance(item, str):
                if unicodedata.combining(item):
                    self.out.append(item)  # already after its base, in Unicode order
                else:
                    self._char(item, False)
                i += 1
            elif item == 0x1B:
                i = self._escape(items, i)
            else:
                i = self._byte(items, i)
        self.out.extend(self.pending)  # diacritics with no base after them are kept
        return "".join(self.out)

    def _char(self, char: str, combining: bool) -> None:
        if combining:
            self.pending.append(char)
            return
        self.out.append(char)
        self.out.extend(self.pending)
        self.pending.clear()

    def _escape(self, items: list[Item8], i: int) -> int:
        """Apply the escape sequence at ``items[i]``; the index after it.

        ``ESC g|b|p|s`` (Greek symbols, subscripts, superscripts, back to ASCII), or
        ``ESC [$] I [!] F``: ``$`` for the multibyte set, ``I`` ``(`` ``,`` for G0 and ``)``
        ``-`` for G1 (``ESC $ 1`` alone designates G0), ``F`` the character set."""
        seq = bytearray()
        for item in items[i + 1:i + 5]:
            if not isinstance(item, int):
                break
            seq.append(item)
        if seq[:1] in (b"g", b"b", b"p", b"s"):
            self.g0 = _ASCII if seq[0] == ord("s") else seq[0]
            return i + 2
        multibyte = seq[:1] == b"$"
        n = 1 if multibyte else 0
        intermediate = bytes(seq[n:n + 1])
        if intermediate in (b"(", b",", b")", b"-"):
            n += 1
        elif multibyte:
            intermediate = b"("  # ESC $ 1
        else:
            return self._bad_escape(i)
        n += seq[n:n + 1] == b"!"
        final = seq[n:n + 1]
        if not final or final[0] not in marc8_mapping.CODESETS:
            return self._bad_escape(i)
        if intermediate in (b")", b"-"):
            self.g1 = final[0]
        else:
            self.g0 = final[0]
        return i + n + 2

    def _bad_escape(self, i: int) -> int:
        self.problems.append("invalid MARC-8 escape sequence dropped")
        return i + 1

    def _byte(self, items: list[Item8], i: int) -> int:
        byte = items[i]
        if byte < 0x20 or byte == 0x7F:
            if byte in _KEPT_CONTROLS:
                self._char(chr(byte), False)
            else:
                self.problems.append(f"control character {byte:#04x} dropped")
            return i + 1
        if byte == 0x20:
            self._char(" ", False)
            return i + 1
        if self.g0 == _EACC and byte < 0x80:
            return self._multibyte(items, i)
        codeset = self.g1 if byte >= 0x80 else self.g0
        if 0x80 <= byte < 0xA0:
            codeset = _ANSEL  # C1 controls: NSB, NSE, ZWJ, ZWNJ
        table = marc8_mapping.CODESETS.get(codeset, {})
        found = table.get(byte) or table.get(byte ^ 0x80)
        if found is None:
            self.problems.append(f"undefined MARC-8 character {byte:#04x} replaced with U+FFFD")
            self._char("\ufffd", False)
        else:
            self._char(chr(found[0]), bool(found[1]))
        return i + 1

    def _multibyte(self, items: list[Item8], i: int) -> int:
        triple = items[i:i + 3]
        if len(triple) < 3 or not all(isinstance(b, int) for b in triple):
            self.problems.append("truncated MARC-8 multibyte character dropped")
            return i + 1
        code = triple[0] << 16 | triple[1] << 8 | triple[2]
        found = marc8_mapping.CODESETS[_EACC].get(code)
        if found is not None:
            self._char(chr(found[0]), bool(found[1]))
        elif code in marc8_mapping.ODD_MAP:
            self._char(chr(marc8_mapping.ODD_MAP[code]), False)
        else:
            self.problems.append(f"undefined MARC-8 EACC character {code:06x} replaced with U+FFFD")
            self._char("\ufffd", False)
        return i + 3


def decode_mnemonics(raw: str, blanks: bool = False) -> tuple[str, list[str]]:
    """A raw ``.mrk`` value decoded to NFC Unicode, and what could not be decoded."""
    if "\x1b" not in raw:
        if "{" not in raw and (not blanks or "\\" not in raw):
            return nfc(raw), []  # no mnemonic, no escape: the text is the value
        text = _plain(raw, blanks)
        if text is not None:
            return nfc(text), []
    decoder = Marc8Decoder()
    return nfc(decoder.decode(tokenize(raw, blanks))), decoder.problems


# How the decoder places a character (_char): a base character is written and followed by the
# diacritics waiting for it; a MARC-8 diacritic waits for the next base character; a Unicode
# combining mark (written as itself or as {U+XXXX}) is written where it is.
_BASE, _DIACRITIC, _COMBINING = 0, 1, 2


def _plain(raw: str, blanks: bool) -> str | None:
    """``raw`` (holding no escape) decoded without the decoder, when that gives the decoder's
    result: every mnemonic in it stands for printable ASCII, Unicode characters, or characters of
    the default G1 set (ANSEL: ``{acute}``, ``{lstrok}``, ``{eacute}``...), so that no character
    set is switched, no character is dropped or replaced, and every literal character that a
    diacritic waits for is printable ASCII; None otherwise.

    Literal text is the decoder's ``tokenize`` + ``decode`` of it, a run at a time: printable
    ASCII in the default G0 set is itself, other characters are Unicode written as themselves; so
    only the diacritics waiting for a base need placing, after the first character of the next
    run (the decoder puts them after the next base character)."""
    if not _PLAIN_ASCII:
        return None
    out = []
    pending = ""  # MARC-8 diacritics waiting for their base character, in order
    pos = 0
    for m in _MNEMONIC.finditer(raw):
        if pos < m.start():
            literal = raw[pos:m.start()]
            if blanks:
                literal = literal.replace("\\", " ")
            if pending:
                if not " " <= literal[0] <= "~":
                    return None  # the decoder decides where the diacritics go
                out.append(literal[0])
                out.append(pending)
                pending = ""
                literal = literal[1:]
            out.append(literal)
        pos = m.end()
        name = m[1]
        units = _PLAIN_MNEMONICS[name] if name in _PLAIN_MNEMONICS else _plain_mnemonic(name)
        if units is None:
            return None
        for char, kind in units:
            if kind == _DIACRITIC:
                pending += char
            else:
                out.append(char)
                if pending and kind == _BASE:
                    out.append(pending)
                    pending = ""
    if pos < len(raw):
        literal = raw[pos:]
        if blanks:
            literal = literal.replace("\\", " ")
        if pending:
            if not " " <= literal[0] <= "~":
                return None
            out.append(literal[0])
            out.append(pending)
            pending = ""
            literal = literal[1:]
        out.append(literal)
    out.append(pending)  # diacritics with no base after them are kept (Marc8Decoder.decode)
    return "".join(out)


def _plain_mnemonic(name: str) -> tuple[tuple[str, int], ...] | None:
    """The characters a mnemonic stands for, each with how the decoder places it (``_BASE``,
    ``_DIACRITIC``, ``_COMBINING``), when they are printable ASCII, Unicode characters or
    characters of the default G1 set (ANSEL) that the decoder reads without a problem; None
    when it is anything else (an escape, a control character, an undefined character)."""
    units: tuple[tuple[str, int], ...] | None = ()
    ansel = marc8_mapping.CODESETS.get(_ANSEL, {})
    for item in _mnemonic(name):
        if isinstance(item, str):  # Marc8Decoder.decode
            units += ((item, _COMBINING if unicodedata.combining(item) else _BASE),)
        elif 0x20 <= item < 0x7F:  # Marc8Decoder.decode, printable ASCII (_PLAIN_ASCII)
            units += ((chr(item), _BASE),)
        elif item >= 0x80:  # Marc8Decoder._byte, in the default G1 set (0x80-0x9F: ANSEL anyway)
            found = ansel.get(item) or ansel.get(item ^ 0x80)
            if found is None:
                units = None  # replaced with U+FFFD and reported: the decoder does that
                break
            units += ((chr(found[0]), _DIACRITIC if found[1] else _BASE),)
        else:  # a control character or an escape: the decoder decides
            units = None
            break
    if len(_PLAIN_MNEMONICS) < 4096:
        _PLAIN_MNEMONICS[name] = units
    return units


_PLAIN_MNEMONICS: dict[str, tuple[tuple[str, int], ...] | None] = {}
# the decoder reads printable ASCII (0x20-0x7E) in the default G0 set as itself
_PLAIN_ASCII = all(
    marc8_mapping.CODESETS.get(_ASCII, {}).get(byte) == (byte, 0) for byte in range(0x21, 0x7F)
)


# --------------------------------------------------------------------------------------------
# Reading


class MrkSyntax(Syntax):
    """``=TAG  `` lines; a line not starting with ``=`` is joined to the field before it without
    a separator (MARCMaker reads a wrapped line so)."""

    name = "mrk"
    whitespace_is_blank = True

    def starts_record(self, text: str) -> bool:
        return text.startswith("=LDR")

    def leader(self, text: str) -> str | None:
        if text.startswith(("=LDR", "=000")):
            return text[6:].replace("\\", " ") if text[4:6] == "  " else text[4:].strip().replace("\\", " ")
        return None

    def is_field_line(self, text: str) -> bool:
        return text.startswith("=")

    def parse_line(self, record: RecordDraft, line: Line) -> None:
        # Syntax.parse_line for this form, which has no subfield lines and no bad-tag lines
        text = line.text
        if record.leader is None and not record.fields and text.startswith(("=LDR", "=000")):
            record.set_leader(self.leader(text))  # type: ignore[arg-type]
        elif text.startswith("="):
            self.field(record, line)
        else:
            self.continuation(record, line)

    def field(self, record: RecordDraft, line: Line) -> None:
        text = line.text
        tag = text[1:4]
        if not _TAG.fullmatch(tag):
            raise MalformedLine(line, "bad tag")
        if text[4:6] != "  " and len(text) > 4:
            raise MalformedLine(line, f"field {tag}: the tag is not followed by two spaces")
        if tag == "LDR":
            raise MalformedLine(line, "second leader in a record")
        if is_control_tag(tag):
            record.add_control(tag, text[6:], line)
            return
        indicators = text[6:8].ljust(2).replace("\\", " ")
        draft = record.add_data(tag, line, indicators[0], indicators[1])
        data = text[8:]
        if data and not data.startswith("$"):
            raise MalformedLine(line, f"text before the first subfield of {tag}")
        parts = data[1:].split("$") if data else []
        if "" in parts:
            self._subfields(record, line, parts)
        else:  # what _subfields() does when no subfield is empty (the field is the current one)
            draft.subfields.extend([[part[0], part[1:]] for part in parts])

    def continuation(self, record: RecordDraft, line: Line) -> None:
        current = record.current
        if current is None or current.control or not current.subfields:
            record.extend_value(line.text, line, separator="")
            return
        head, *subfields = line.text.split("$")
        record.extend_value(head, line, separator="")
        self._subfields(record, line, subfields)

    @staticmethod
    def _subfields(record: RecordDraft, line: Line, parts: list[str]) -> None:
        for part in parts:
            if part:
                record.add_subfield(part[0], part[1:], line)
            else:
                record.note("empty subfields ('$$') dropped", f"line {line.number}")

    def value(self, raw: str, code: str, field: DraftField, record: RecordDraft) -> str:
        if "{" not in raw and "\x1b" not in raw and (code or "\\" not in raw):
            return nfc(raw)  # what decode_mnemonics() gives such a value
        value, problems = decode_mnemonics(raw, blanks=not code)
        if problems:
            where = f"{field.tag}${code}" if code else field.tag
            for problem in problems:
                record.note(problem, f"{where} (line {field.line.number})")
        return value


    def read_chunk(self, chunk: list[Line], name: str, ordinal: int) -> Item:
        # a subclass that reads lines or values its own way is read on the general path
        if _FAST_CHUNKS and self._plain_reading:
            read = _plain_record(chunk)
            if read is not None:
                record, repairs = read
                first = chunk[0]
                # Position(...) and Read(...), as _read_chunk() makes them
                position = _tuple_new(Position, (name, ordinal, first.offset, first.number))
                raw = b"".join([line.raw for line in chunk])
                return _tuple_new(Read, (record, position, raw, repairs))
        return _read_chunk(chunk, name, ordinal, self)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._plain_reading = all(getattr(cls, method) is getattr(MrkSyntax, method)
                                 for method in ("parse_line", "leader", "field", "continuation", "value",
                                                "place_indicators", "_subfields"))

    _plain_reading = True


_TAG = re.compile(r"[0-9A-Za-z]{3}")

# Records are read by _plain_record() when they can be; False: always by the general path
_FAST_CHUNKS = True


def _plain_record(chunk: list[Line]) -> tuple[Record, tuple[str, ...]] | None:
    """The record of ``chunk`` and its repairs, as :func:`_read_chunk` makes them with
    :class:`MrkSyntax`, when every line of the record is a field line of the usual shape:
    ``=`` + tag + two spaces, then control data, or indicators and ``$``-delimited subfields,
    none empty; valid UTF-8; every value decoded without a problem. None for anything else (a
    leader line after the first, a wrapped line, ``$$``, a broken line...): the record is then
    read on the general path, which gives the reasons, repairs and notes of such records.

    Each pymarc field is made directly from its line, without the DraftField and the calls per
    line and per value of the general path, which come to the same for such lines: each value
    is what :meth:`MrkSyntax.value` gives, and the field what ``new_field`` makes of it."""
    first = chunk[0]
    text = first.text
    if text.startswith(("=LDR", "=000")):  # the leader (MrkSyntax.parse_line)
        leader = MRK.leader(text)
        lines = chunk[1:]
        if first.bad_utf8:
            return None
    else:
        leader = None
        lines = chunk
    data_field, control_field = base.data_field, base.control_field
    fields = []
    for line in lines:
        text = line.text
        if line.bad_utf8:
            return None
        head = _HEADS.get(text[:6])  # "=245  " -> ("245", False): tag, control field
        if head is None:
            if text[4:6] != "  " or text[:1] != "=":
                return None
            tag = text[1:4]
            if not _TAG.fullmatch(tag) or tag == "LDR":
                return None  # a bad tag or a second leader: rejected on the general path
            head = (tag, False)  # a tag with a letter
        tag, control = head
        try:
            if control:
                value = text[6:]
                if "{" in value or "\x1b" in value or ("\\" in value and not _PLAIN_ASCII):
                    value, problems = decode_mnemonics(value, blanks=True)
                    if problems:
                        return None  # noted on the general path
                else:  # what decode_mnemonics(value, blanks=True) gives
                    value = nfc(value.replace("\\", " "))
                fields.append(control_field(tag, value))
                continue
            data = text[8:]
            if not data:
                subfields = []
            elif data[0] != "$":
                return None  # text before the first subfield
            else:
                parts = data[1:].split("$")
                if "" in parts:
                    return None  # an empty subfield, noted on the general path
                if "{" not in text and "\x1b" not in text:
                    # no mnemonic and no escape in the line: every value is its text, NFC
                    if text.isascii():
                        subfields = [_tuple_new(Subfield, (part[0], part[1:])) for part in parts]
                    else:
                        subfields = [_tuple_new(Subfield, (part[0], nfc(part[1:]))) for part in parts]
                else:
                    subfields = []
                    for part in parts:
                        value = part[1:]
                        if "{" in value or "\x1b" in value:
                            value, problems = decode_mnemonics(value)
                            if problems:
                                return None
                        else:
                            value = nfc(value)
                        subfields.append(_tuple_new(Subfield, (part[0], value)))
        except Exception:
            # the general path decodes values after reading every line: whatever would go wrong
            # is left to it, in its order
            return None
        indicators = _INDICATORS.get(text[6:8])
        if indicators is None:
            indicators = text[6:8].ljust(2).replace("\\", " ")
            indicators = _tuple_new(Indicators, (indicators[0], indicators[1]))
        fields.append(data_field(tag, indicators, subfields))
    leader, repairs = repair_leader(leader)
    record = base.new_record(leader)
    record.fields = fields
    return record, tuple(repairs)


_tuple_new = tuple.__new__
# The start of the line of every numeric tag, "=245  ", with the tag and whether it is a control
# field (is_control_tag); a tag with a letter is looked at on its own.
_HEADS = {f"={n:03d}  ": (f"{n:03d}", n < 10) for n in range(1000)}
# The indicators of the usual indicator texts ("\\", "10"...): an Indicators tuple, which
# cannot be changed, serves every field that has them.
_INDICATORS = {
    a + b: _tuple_new(Indicators, (a.replace("\\", " "), b.replace("\\", " ")))
    for a in "\\ 0123456789" for b in "\\ 0123456789"
}


MRK = MrkSyntax()


def read_mrk(stream: BinaryIO, name: str) -> Iterator[Item]:
    """Records of a MarcEdit/MARCMaker ``.mrk`` file (UTF-8, mnemonics decoded)."""
    return read_lines(stream, name, MRK)


# --------------------------------------------------------------------------------------------
# Writing

_DATA_ESCAPES = {"$": "{dollar}", "{": "{lcub}", "}": "{rcub}", "\\": "{bsol}"}


def _mrk_escape(value: str, blanks: bool) -> str:
    out = []
    for char in value:
        if char in _DATA_ESCAPES:
            out.append(_DATA_ESCAPES[char])
        elif char == " " and blanks:
            out.append("\\")
        elif char < " " or char == "\x7f":
            out.append(f"{{U+{ord(char):04X}}}")
        else:
            out.append(char)
    return "".join(out)


def write_mrk(record: Record) -> str:
    """One record as ``.mrk`` text (UTF-8 characters as themselves), ending with a blank line."""
    lines = ["=LDR  " + str(record.leader).replace(" ", "\\")]
    for fld in record.fields:
        if fld.is_control_field():
            lines.append(f"={fld.tag}  {_mrk_escape(fld.data or '', blanks=True)}")
            continue
        indicators = (indicator(fld.indicator1) + indicator(fld.indicator2)).replace(" ", "\\")
        subfields = "".join(f"${sub.code}{_mrk_escape(sub.value, blanks=False)}" for sub in fld.subfields)
        lines.append(f"={fld.tag}  {indicators}{subfields}")
    return "\n".join(lines) + "\n\n"
