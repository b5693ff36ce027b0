"""Why marc2rdf does not state some facts LC's marc2bibframe2 states: one entry per cause.

Every LC fact we miss (tests/lc_misses.py) must be explained by exactly one cause here, and every
cause must explain at least one miss (tests/test_bibframe_vs_lc.py checks both). A cause is
precise: the kind of fact, a regular expression the whole fact must match (its parts joined by
" ‖ "), and a condition on the MARC record the fact comes from, so that it cannot swallow an
unrelated miss. ``lc_wrong`` says whose the fault is: LC's output is wrong (True), or we state
the fact differently on purpose or cannot state it yet (False, the reason says which).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lc_misses import Miss
from pymarc import Record

import bffacts

SEP = " ‖ "


@dataclass(frozen=True)
class Cause:
    name: str
    kinds: tuple[str, ...]
    fact: str  # regular expression, full match on SEP.join(fact)
    marc: Callable[[Record, Miss], bool]  # holds on the record the missed fact comes from
    lc_wrong: bool
    reason: str

    def explains(self, miss: Miss, record: Record) -> bool:
        return (
            miss.kind in self.kinds
            and re.fullmatch(self.fact, SEP.join(miss.fact)) is not None
            and self.marc(record, miss)
        )


# ---------------------------------------------------------------------------------------------
# reading the MARC record


def fields(rec: Record, *tags: str) -> list:
    """Fields with these tags, and the 880s linked to (or standing for) them."""
    out = [f for f in rec.get_fields(*tags)]
    for f in rec.get_fields("880"):
        six = (f.get_subfields("6") or [""])[0]
        if six[:3] in tags:
            out.append(f)
    return out


def subfields(f, codes: str) -> list[str]:
    return [sf.value for sf in getattr(f, "subfields", ()) if sf.code in codes]


def fixed(rec: Record, tag: str, start: int, end: int | None = None) -> str:
    """Positions start..end (inclusive) of a control field (LDR for the leader)."""
    data = str(rec.leader) if tag == "LDR" else (rec[tag].data if rec[tag] is not None else "")
    return data[start:(end if end is not None else start) + 1]


def n(s: str) -> str:
    return bffacts.norm(s)


def own_titles(rec: Record) -> set[str]:
    """The record's own title, 245 $a and $a $b, normalized."""
    out = set()
    for f in fields(rec, "245"):
        a = " ".join(subfields(f, "a"))
        out |= {n(a), n(" ".join(subfields(f, "ab")))}
    return out


def relator_terms() -> set[str]:
    import lc_misses

    return {n(k) for k in lc_misses.relator_terms()}


def _tag(f) -> str:
    """The tag a field stands for (an 880's linked tag)."""
    return (f.get_subfields("6") or ["   "])[0][:3] if f.tag == "880" else f.tag


# the subfields LC's note keeps, and the ones it drops, per tag
_NOTE_PARTS = {"504": ("a", "b"), "534": ("c", "p"), "583": ("a", "c")}

_LINKS = ("760", "762", "765", "767", "770", "772", "773", "774", "775", "776", "777", "780",
          "785", "786", "787")


# ---------------------------------------------------------------------------------------------
# the causes

LEDGER: tuple[Cause, ...] = (
    # --- carriers -----------------------------------------------------------------------------
    Cause(
        "carrier_cz_beside_007",
        ("carrier_type",), r"cz",
        lambda r, m: fixed(r, "LDR", 6) in "cdij" and fixed(r, "008", 23) == "s"
        and any(f.data.startswith("cr") for f in r.get_fields("007")),
        True,
        "Music (leader/06 c-j) with 008/23 's' (electronic) and a 007 'cr': LC adds carriers/cz "
        "'other computer carrier' from the 008 beside the 007's specific 'online resource' (cr), "
        "which we state; 'other' contradicts the 007.",
    ),
    Cause(
        "carrier_volume_for_a_poster",
        ("carrier_type",), r"nc",
        lambda r, m: fixed(r, "LDR", 6) in "gkor" and fixed(r, "008", 29) == "r"
        and any("print" in a for f in r.get_fields("300") for a in subfields(f, "a")),
        True,
        "A visual material (leader/06 k) with 008/29 'r' (regular print reproduction): LC reads "
        "it as the book code for a volume (nc); the 300 says '1 photomechanical print (poster)', "
        "a sheet, which we state from the 007 (kf -> nb).",
    ),
    # --- dates and provision ------------------------------------------------------------------
    Cause(
        "edtf_lowercase_unknown_year",
        ("date", "provision_date"), r"xxxx|\d{4}/xxxx",
        lambda r, m: (m.fact[0] == "xxxx" and (fixed(r, "008", 7, 10) in ("uuuu", "||||")
                                              or fixed(r, "008", 6) == "n"))
        or (m.fact[0].endswith("/xxxx") and fixed(r, "008", 11, 14) == "uuuu"),
        True,
        "008 with dates unknown (008/06 'n', date 1 'uuuu' or '||||'): LC writes 'xxxx'^^edtf, not "
        "valid EDTF (the unspecified digit is 'X'); a wholly unknown year states nothing, so we "
        "write no date (and an open end '1900/' for an unknown date 2 'uuuu').",
    ),
    Cause(
        "edtf_9999_as_a_year",
        ("date", "provision_date"), r"\d{4}/9999",
        lambda r, m: fixed(r, "008", 11, 14) == "9999",
        True,
        "008 date 2 '9999' means the resource is still being published: LC writes the year 9999 "
        "('2012/9999'^^edtf); we write the EDTF open end ('2012/..').",
    ),
    Cause(
        "country_fill_character",
        ("provision_place",), r"[a-z]{2}%7c",
        lambda r, m: "|" in fixed(r, "008", 15, 17),
        True,
        "008/15-17 holds the fill character '|' ('xx|'): LC mints countries/xx%7C, which names no "
        "country; we state no place from it.",
    ),
    Cause(
        "provision_per_place_and_publisher",
        ("provision",), r"[a-z]+ ‖ .+ ‖ .+ ‖ .*",
        lambda r, m: any(
            len(subfields(f, "a")) > 1 and len(subfields(f, "b")) > 1
            and n(m.fact[2]) in {n(b) for b in subfields(f, "b")}
            for f in fields(r, "260", "264")
        ),
        False,
        "A 260/264 with repeated '$a place : $b publisher ;' groups: LC makes one activity per "
        "group, which is right; our mapping engine makes one node per field and cannot split a "
        "field at each $a (needs an engine feature: a node per subfield group).",
    ),
    Cause(
        "vernacular_date_as_agent",
        ("provision", "provision_agent"), r".*188\?.*",
        lambda r, m: any(
            [n(c) for c in subfields(f, "c")] == ["188?"] and not subfields(f, "b")
            for f in fields(r, "260") if f.tag == "880"
        ),
        True,
        "The 880 paired with the 260 has no $b ('$a[مصر؟ ؛s.n.،$c188?]'): LC puts that $c (a "
        "date) among the publishers; we keep it a date.",
    ),
    Cause(
        "empty_activity_for_blank_date_type",
        ("provision",), r"publication ‖  ‖  ‖ ",
        lambda r, m: fixed(r, "008", 6) == " " and fixed(r, "008", 7, 10).isdigit()
        and not fields(r, "260", "264"),
        False,
        "008/06 blank (no date type) and no 260/264: LC writes an activity with no place, agent or "
        "date; we state 008/07-10 as its date, so our activity has one.",
    ),
    # --- related resources ---------------------------------------------------------------------
    Cause(
        "link_without_title_gets_the_records_own",
        ("related",), r"[a-z]+ ‖ .+",
        lambda r, m: m.fact[1] in own_titles(r) and any(
            not subfields(f, "t") for f in fields(r, *_LINKS)
        ),
        True,
        "A linking field (76X-78X) with no title ($t), e.g. 786 $n only, 774 $w only, 776 $c "
        "$w: LC gives the related resource the record's own 245 title, which is not the related "
        "resource's; we give it none.",
    ),
    Cause(
        "resource_components_from_041",
        ("related",), r"accompaniedby ‖ (sum|toc|lib|amt|stx)",
        lambda r, m: any(
            subfields(f, {"sum": "b", "toc": "f", "lib": "e", "amt": "g", "stx": "d"}[m.fact[1]])
            for f in r.get_fields("041")
        ),
        True,
        "041 $b/$d/$e/$f/$g (languages of a summary, sung text, libretto, table of contents, "
        "accompanying material): LC invents an untitled accompanying Work typed with a "
        "resourceComponents concept (not a class); we state these languages as the Work's "
        "bf:language.",
    ),
    Cause(
        "relationship_from_free_text_i",
        ("related",), r"(online version|print version|additional physical form|related source work) ‖ .*",
        lambda r, m: any(n(i) == m.fact[0] for f in fields(r, *_LINKS) for i in subfields(f, "i")),
        False,
        "A linking field's $i (relationship information, free text): LC adds it as a second "
        "bf:relationship literal beside the coded one from the tag; a relationship is an IRI, so "
        "we keep the coded one (otherphysicalformat...) and $i as the Relation's note.",
    ),
    Cause(
        "uniform_title_and_title_split",
        ("related",), r"absorptionof ‖ .+",
        lambda r, m: any(
            subfields(f, "s") and subfields(f, "t") and m.fact[1] in {n(x) for x in subfields(f, "st")}
            for f in fields(r, "780")
        ),
        True,
        "A 780 with $s (uniform title) and $t (title) of one preceding work: LC makes a related "
        "Work of each; we make one, titled '$s. $t'.",
    ),
    Cause(
        "absorbed_in_part",
        ("related",), r"absorptionof ‖ .+",
        lambda r, m: any(f.indicators[1] == "6" for f in fields(r, "780")),
        True,
        "780 2nd indicator 6 is 'absorbed in part': LC writes the relationship 'absorptionOf'; "
        "we keep 'absorptionInPartOf'.",
    ),
    Cause(
        "medium_in_uniform_title",
        ("related",), r"(expressionof|relatedwork) ‖ .+",
        lambda r, m: any(
            subfields(f, "h") and m.fact[1].endswith(n(subfields(f, "h")[0]))
            for f in fields(r, "130", "240", "730")
        ),
        False,
        "A uniform title with $h (medium, '[Sound recording]'): LC keeps it in the Hub's title; "
        "a general material designation says what the carrier is, not what the work is called, "
        "so our title ends before $h (the carrier is stated as bf:carrier).",
    ),
    Cause(
        "parallel_series_titles_split",
        ("related", "series"), r"(series ‖ )?.+( ‖ .*)?",
        lambda r, m: any(
            len(subfields(f, "a")) > 1
            and (m.fact[1] if m.kind == "related" else m.fact[0])
            in {n(a) for a in subfields(f, "a")}
            for f in fields(r, "490")
        ),
        False,
        "A 490 with parallel titles ('$a Shang ye lan pi shu = $a Blue book of commercial "
        "sector'): LC makes a series of each $a; we keep the statement as transcribed, one "
        "series 'A = B' (a node per $a needs an engine feature: a node per subfield occurrence).",
    ),
    Cause(
        "vernacular_numbering_on_romanized_series",
        ("series",), r".+ ‖ .+",
        lambda r, m: any(
            n(v) == m.fact[1] for f in fields(r, "830", "490") if f.tag == "880"
            for v in subfields(f, "v")
        ) and bffacts._script(m.fact[0]) != bffacts._script(m.fact[1]),
        True,
        "The romanized series title paired with the 880's vernacular numbering ('nihon zenkoku "
        "panorama chizu' / '第1卷'): LC puts the 880's $v on the romanized series; the record "
        "never pairs them.",
    ),
    # --- identifiers and classification --------------------------------------------------------
    Cause(
        "one_classification_per_repeated_a",
        ("classification",), r"classification ‖ [a-z0-9]+ ‖ ",
        lambda r, m: any(
            len(subfields(f, "a")) > 1 and m.fact[1] in {n(a) for a in subfields(f, "a")}
            for f in r.get_fields("084")
        ),
        False,
        "An 084 with two numbers ($a $a, BISAC): LC makes a classification of each; our engine "
        "makes one node per field with both numbers (needs a node per subfield occurrence).",
    ),
    Cause(
        "subject_category_code",
        ("subject", "subject_source"), r"[a-z]\d{3}( ‖ [a-z]+)?",
        lambda r, m: any(n(a) == m.fact[0] for f in r.get_fields("072") for a in subfields(f, "a")),
        False,
        "072 (subject category code, 'X300' of agricola): LC makes a Topic labelled with the bare "
        "code; a code is not a heading, and we do not map 072.",
    ),
    # --- languages, genre, content -------------------------------------------------------------
    Cause(
        "language_not_a_code",
        ("language",), r"n%2fa",
        lambda r, m: fixed(r, "008", 35, 37) == "N/A",
        True,
        "008/35-37 holds 'N/A' (not a MARC language code): LC mints languages/N%2FA; we state no "
        "language from it.",
    ),
    Cause(
        "letters_as_lcgft",
        ("genre",), r"personal correspondence",
        lambda r, m: fixed(r, "LDR", 6) in "at" and fixed(r, "008", 33) == "i",
        False,
        "008/33 'i' (letters): LC gives the LCGFT term 'Personal correspondence'; we give the MARC "
        "genre term marcgt/let 'letters' (maps/genre_008.tsv), the list 008/33 is defined by.",
    ),
    Cause(
        "mixed_materials_as_text",
        ("content_type",), r"txt",
        lambda r, m: fixed(r, "LDR", 6) == "p" and not r.get_fields("336"),
        True,
        "Leader/06 'p' (mixed materials) and no 336: LC states the content type 'text'; mixed "
        "materials are not text (this one is a photograph album), so we state none.",
    ),
    # --- notes and descriptions ----------------------------------------------------------------
    Cause(
        "note_without_its_qualifying_subfields",
        ("note",), r".+",
        lambda r, m: any(
            m.fact[0] == n(" ".join(subfields(f, main))) and subfields(f, extra)
            for f in fields(r, "504", "534", "583")
            for main, extra in [_NOTE_PARTS[_tag(f)]]
        ),
        False,
        "504 $b (number of references), 534 $p (introductory phrase), 583 $c (date of the "
        "action): LC's note leaves them out; ours keeps them ('Includes bibliographical "
        "references. (50 plus ref.)'), so the texts differ.",
    ),
    Cause(
        "note_from_a_code",
        ("note",), r"electronic",
        lambda r, m: fixed(r, "LDR", 7) == "s" and fixed(r, "008", 22) == "s",
        False,
        "A serial's 008/22 (form of original item) 's': LC writes a note 'Electronic'; we do not "
        "make notes of coded values.",
    ),
    Cause(
        "extent_loses_a_parenthesis",
        ("extent",), r".+",
        lambda r, m: any(
            "(" in a and ")" not in a and n(a.replace("(", " ")) == m.fact[0]
            for f in r.get_fields("300") for a in subfields(f, "a")
        ),
        True,
        "300 $a '1 volume (11 unnumbered pages :' opens a parenthesis the cataloger closes in $b: "
        "LC drops the '(' from the extent; we keep $a as transcribed.",
    ),
    Cause(
        "relator_term_split_at_commas",
        ("contribution",), r".+ ‖ .+",
        lambda r, m: m.fact[1] not in relator_terms() and any(
            m.fact[1] in {n(p) for p in re.split(r",", e)}
            for f in fields(r, "700", "710", "711", "720") for e in subfields(f, "e")
        ),
        True,
        "700 $e 'Investigator, Non-NASA center: KS St U, Manhattan.': LC splits it at commas "
        "into three roles; it is one role with an affiliation, which we keep as one bf:Role "
        "label.",
    ),
    Cause(
        "parallel_titles_in_one_title",
        ("title",), r"title ‖ .+ ‖ .+ \| .+",
        lambda r, m: any(f.tag == "880" for f in fields(r, "245")),
        True,
        "245 and its 880 with a parallel title ('= The Forbidden City') in $b: LC puts both "
        "mainTitles and both subtitles in one Title node with no language tags, and the 880's "
        "subtitle ('十二集大型纪录片 = The Forbidden City : ...') is mostly Latin letters, so it "
        "pairs with the romanized mainTitle; we keep one Title per field, the 880's tagged.",
    ),
    Cause(
        "locator_of_the_indexing_source",
        ("locator",), r"https?://.+",
        lambda r, m: any(n(u) == m.fact[0] for f in r.get_fields("510") for u in subfields(f, "u")),
        True,
        "510 $u is the address of the source that indexes the resource (here Index Medicus at "
        "the ISSN portal): LC makes it the record's own electronic locator; it does not locate "
        "this resource, so we do not state it as one.",
    ),
)
