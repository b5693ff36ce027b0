"""Scoring candidates from authority services against a heading, and deciding whether to link.

A score is in [0, 1]. The name part counts first: the heading's and the candidate's forms are
normalized (Unicode decomposed, accents and punctuation dropped, case-folded), personal names are
compared in both inverted ("Benét, Stephen Vincent") and direct ("Stephen Vincent Benét") order,
and a fuller form in parentheses ("Benét, S. V. (Stephen Vincent)") stands in for initials:

- the same normalized form: 1.0; the same words in another order: 0.95; otherwise 0.9 times the
  character similarity of the closest pair of forms (difflib's ratio). A match on a variant
  (see-from) form counts 0.05 less, and a one-word heading ("Smith") matches preferred forms only.

Dates (personal and family names only) then move it: dates that agree +0.10 (capped at 1.0),
dates on the heading that the candidate lacks -0.15, dates that disagree -0.60. A candidate of
another kind (a corporate body for a person, a name/title for a name) is dropped. When the
record already carries an identifier in a scheme the candidate also has, the identifiers decide:
equal is 1.0, different drops the candidate.

Title and co-author evidence, for agents, where the service lists a candidate's works or
co-authors (VIAF does): a title of a work the heading contributes to in the batch (compared
without subtitles), or another agent of those works, among the candidate's: +0.10; the heading
has titles or co-agents and the candidate lists its own, but none in common: -0.10 (a cluster's
list is never complete: weaker than dates). Adjustments add up, and the total is capped at 1.0.

A link is made when the best candidate scores at least ``link`` (0.90) and beats the runner-up by
at least ``margin`` (0.10): an exact or reordered name with no conflicting dates passes, a typo or
a missing forename alone does not (agreeing dates can carry a near spelling over), and two equally good candidates (two "Costa, Pedro" without dates)
never do. A best score of at least ``review`` (0.70) that is not linked goes to the review report.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

LINK = 0.90
MARGIN = 0.10
REVIEW = 0.70

NAME_KINDS = frozenset({"person", "family"})  # headings whose labels carry dates
AGENT_KINDS = frozenset({"person", "family", "organization", "meeting", "agent"})


@dataclass(frozen=True)
class Heading:
    """A distinct heading of a batch: what is looked up."""

    kind: str  # person, family, organization, meeting, agent, topic, place
    label: str
    source: str | None = None  # thesaurus code of a subject (lcsh, mesh, ram, fast...), None if unknown
    known: tuple[tuple[str, str], ...] = ()  # (scheme, IRI) the record already gives

    @property
    def name(self) -> str:
        """The label without dates (personal and family names) and without trailing punctuation."""
        return split_name(self.label)[0] if self.kind in NAME_KINDS else self.label.strip(" .,;:/")

    @property
    def dates(self) -> tuple[frozenset[str], frozenset[str]]:
        return _label_dates(self.label) if self.kind in NAME_KINDS else (frozenset(), frozenset())

    @property
    def subdivided(self) -> bool:
        return "--" in self.label


@dataclass
class Candidate:
    """One answer of a service, in the terms the scorer compares."""

    iri: str
    label: str
    variants: tuple[str, ...] = ()
    kind: str | None = None  # None when the service does not say
    birth: str | None = None  # from structured data; else the label's dates are used
    death: str | None = None
    ids: dict[str, str] = field(default_factory=dict)  # scheme -> IRI: cross-identifiers of the same entity
    description: str = ""
    titles: tuple[str, ...] = ()  # titles of the entity's works, where the service lists them (VIAF)
    coauthors: tuple[str, ...] = ()  # names it shares works with, where the service lists them (VIAF)


@dataclass(frozen=True)
class Evidence:
    """What the batch says of an agent beside its name: the titles of the works it contributes
    to, and the other agents of those works; both normalized (see :func:`evidence`)."""

    titles: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.titles or self.names)


_SUBTITLE = re.compile(r"\s+[:/=;]\s.*$|\s*\[.*$", re.DOTALL)


@lru_cache(maxsize=65536)
def title_form(title: str) -> str:
    """A title compared without its subtitle and statement of responsibility:
    ``"Amerika : Minshu shugi no ayumi"`` -> ``"amerika"``."""
    return normalize(_SUBTITLE.sub("", title.strip()))


@lru_cache(maxsize=4096)
def _title_forms(titles: tuple[str, ...]) -> frozenset[str]:
    return frozenset(map(title_form, titles))


@lru_cache(maxsize=4096)
def _name_forms(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(f for name in names for f in name_forms(name, "person"))


def evidence(titles, coagents, own: str = "") -> Evidence:
    """The evidence of an agent from the titles of its works and the labels of its co-agents
    (``own``, its own label, is left out of theirs)."""
    mine = set(name_forms(own, "person")) if own else set()
    names = {f for label in coagents for f in name_forms(label, "person")} - mine
    return Evidence(frozenset(t for t in map(title_form, titles) if t), frozenset(names))


@dataclass
class Decision:
    status: str  # "linked", "review" or "none"
    best: Candidate | None = None
    score: float = 0.0
    runner_up: Candidate | None = None
    runner_up_score: float = 0.0
    reason: str = ""


# -- normalization ----------------------------------------------------------------------------

_NON_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """Accents, case, punctuation and spacing removed: ``"Benét, S. V."`` -> ``"benet s v"``."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c) and unicodedata.category(c) != "Lm")
    return " ".join(_NON_WORD.sub(" ", text.casefold().replace("&", " and ")).split())


_PARENS = re.compile(r"\s*\(([^()]*)\)")
# where the dates of a personal name start: ", 1898-1943", " 1916-1998", ", b. 1946", ", -1843?"
_DATES_START = re.compile(
    r"(?:,\s*|\s+)(?=-?(?:(?:b|d|fl|ca|born|died|active|approximately)\.?\s*)*-?\d{2,4}(?:[\d.?u-]|\s|$))",
    re.IGNORECASE,
)


def split_name(label: str) -> tuple[str, str]:
    """``(name, dates)`` of a personal name heading; a parenthesized date goes to ``dates`` and a
    parenthesized fuller form stays in the name."""
    dates = []
    def keep(m: re.Match) -> str:
        if re.search(r"\d", m.group(1)):
            dates.append(m.group(1))
            return ""
        return m.group(0)
    text = _PARENS.sub(keep, label)
    m = _DATES_START.search(text)
    if m:
        dates.insert(0, text[m.end():])
        text = text[: m.start()]
    return text.strip(" .,;:/"), " ".join(dates)


_YEAR = re.compile(r"\d[\d.?u-]{1,3}")


@lru_cache(maxsize=65536)
def _label_dates(label: str) -> tuple[frozenset[str], frozenset[str]]:
    """The birth and death years of a personal name heading or label."""
    return parse_dates(split_name(label)[1])


def parse_dates(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """Birth and death years (each a set: ``1746 or 1747``) from the dates of a heading.
    Flourished dates (``active``, ``fl.``) say nothing of birth or death: empty sets."""
    text = text.strip()
    if not text or re.search(r"\b(active|fl|flourished|century)\b", text, re.IGNORECASE):
        return frozenset(), frozenset()
    m = re.search(r"\b(b|born)\.?\s*(\d[\d.?u]{1,3})", text, re.IGNORECASE)
    if m:
        return frozenset({m.group(2)}), frozenset()
    m = re.search(r"\b(d|died)\.?\s*(\d[\d.?u]{1,3})", text, re.IGNORECASE)
    if m:
        return frozenset(), frozenset({m.group(2)})
    # the hyphen between two dates: the first one followed by a space, a digit, a '?' or the end
    m = re.search(r"(?<=[\d.?u\s])-|^-", text)
    left, right = (text[: m.start()], text[m.end():]) if m else (text, "")
    return _years(left), _years(right)


def _years(text: str) -> frozenset[str]:
    return frozenset(y.rstrip("-") for y in _YEAR.findall(text) if len(y.rstrip("-")) >= 3)


def year_of(value) -> str | None:
    """The year of a structured date (``1898-07-22``, ``1886-01-01T01:01:00Z``, ``1900``); None
    for unknown (``0``, empty)."""
    m = re.match(r"\s*\[?(\d{3,4})", str(value or ""))
    return m.group(1) if m and int(m.group(1)) else None


def _same_year(a: str, b: str) -> bool:
    if len(a) != len(b):
        a, b = a.zfill(4), b.zfill(4)
    return all(x == y or x in ".?u-" or y in ".?u-" for x, y in zip(a, b))


def _agree(ours: frozenset[str], theirs: frozenset[str]) -> bool | None:
    """True or False when both sides know, None when one side is silent."""
    if not ours or not theirs:
        return None
    return any(_same_year(a, b) for a in ours for b in theirs)


@lru_cache(maxsize=65536)
def name_forms(label: str, kind: str) -> tuple[str, ...]:
    """The normalized forms a heading or a candidate label may match by."""
    if kind not in NAME_KINDS and kind != "agent":
        return (normalize(label),)
    name = split_name(label)[0]
    forms = []
    fuller = _PARENS.search(name)
    bases = [_PARENS.sub("", name)]
    if fuller and "," in name:  # "Benét, S. V. (Stephen Vincent)" -> "Benét, Stephen Vincent"
        bases.append(name.split(",", 1)[0] + ", " + fuller.group(1))
    for base in bases:
        forms.append(normalize(base))
        surname, sep, rest = base.partition(",")
        if sep and rest.strip():
            forms.append(normalize(rest + " " + surname))
    return tuple(dict.fromkeys(f for f in forms if f))


@lru_cache(maxsize=65536)
def _words(form: str) -> tuple[str, ...]:
    return tuple(sorted(form.split()))


@lru_cache(maxsize=4096)
def _forms(forms: tuple[str, ...]) -> tuple[frozenset[str], frozenset[tuple[str, ...]], frozenset[str]]:
    """A heading's forms, their sorted words, and its vocabulary: the same for every candidate."""
    return frozenset(forms), frozenset(map(_words, forms)), frozenset(w for f in forms for w in f.split())


def similarity(ours: tuple[str, ...], theirs: tuple[str, ...], floor: float = 0.6) -> float:
    """The best score of a pair of forms. Character similarity is computed only for forms that
    share a word, and where it can reach ``floor``: below it, a candidate can neither be linked
    nor reviewed, even with agreeing dates."""
    forms, words, vocabulary = _forms(ours)
    if not forms.isdisjoint(theirs):
        return 1.0
    if any(_words(b) in words for b in theirs):
        return 0.95
    best = floor
    for b in theirs:
        if vocabulary.isdisjoint(_words(b)):
            continue
        m = SequenceMatcher(None, "", b, autojunk=False)
        for a in ours:
            m.set_seq1(a)
            if 0.9 * m.real_quick_ratio() > best and 0.9 * m.quick_ratio() > best:
                best = max(best, 0.9 * m.ratio())
    return best if best > floor else 0.0


# -- scoring ----------------------------------------------------------------------------------

_COMPATIBLE = {
    "person": {"person"},
    "family": {"family", "person"},
    "organization": {"organization", "meeting"},
    "meeting": {"meeting", "organization"},
    "agent": {"person", "family", "organization", "meeting"},
    "topic": {"topic"},
    "place": {"place", "organization"},  # jurisdictions are corporate names and places at once
}


def score(heading: Heading, cand: Candidate, ev: Evidence | None = None) -> tuple[float, str]:
    """The candidate's score for the heading (and the evidence of its works) and a short
    account of it."""
    if cand.kind == "excluded" or (cand.kind and cand.kind not in _COMPATIBLE.get(heading.kind, {cand.kind})):
        return 0.0, f"a {cand.kind}, not a {heading.kind}"
    for scheme, iri in heading.known:
        theirs = cand.ids.get(scheme)
        if theirs is not None:
            return (1.0, f"same {scheme} identifier") if theirs == iri else (0.0, f"another {scheme} identifier")
    ours = name_forms(heading.label, heading.kind)
    kind = heading.kind if heading.kind in NAME_KINDS | {"agent"} else "topic"
    s = similarity(ours, name_forms(cand.label, kind))
    why = f"name {s:.2f}"
    if s < 1.0 and cand.variants and any(" " in form for form in ours):  # "Smith" alone: by its own name only
        theirs = tuple(dict.fromkeys(f for label in cand.variants for f in name_forms(label, kind)))
        by_variant = similarity(ours, theirs) - 0.05
        if by_variant > s:
            s, why = by_variant, f"name {by_variant:.2f} (a variant form)"
    adjust = 0.0
    if heading.kind in NAME_KINDS:
        birth, death = heading.dates
        if birth or death:
            c_birth, c_death = _label_dates(cand.label)
            if cand.birth or cand.death:
                c_birth = frozenset({cand.birth}) if cand.birth else c_birth
                c_death = frozenset({cand.death}) if cand.death else c_death
            if not (c_birth or c_death) and cand.description:
                c_birth, c_death = parse_dates(" ".join(re.findall(r"\d[\d.?u]{2,3}\s*[-–]\s*(?:\d[\d.?u]{2,3})?",
                                                                   cand.description)[:1]).replace("–", "-"))
            verdicts = {_agree(birth, c_birth), _agree(death, c_death)} - {None}
            if False in verdicts:
                adjust, why = adjust - 0.60, why + ", dates disagree"
            elif True in verdicts:
                adjust, why = adjust + 0.10, why + ", dates agree"
            else:
                adjust, why = adjust - 0.15, why + ", no dates to compare"
    if ev and heading.kind in AGENT_KINDS and (cand.titles or cand.coauthors):
        titles = ev.titles and not ev.titles.isdisjoint(_title_forms(cand.titles))
        names = ev.names and not ev.names.isdisjoint(_name_forms(cand.coauthors))
        if titles or names:
            adjust += 0.10
            why += ", " + " and ".join((["a title in common"] if titles else [])
                                       + (["a co-author in common"] if names else []))
        elif (ev.titles and cand.titles) or (ev.names and cand.coauthors):
            adjust -= 0.10
            why += ", no title or co-author in common"
    return max(0.0, round(min(1.0, s + adjust), 4)), why


def _shares_number(heading: Heading, cand: Candidate) -> bool:
    """Whether the candidate carries the record's own identifier: the first scheme of the
    heading's that the candidate has an identifier in, the same identifier (as :func:`score`
    reads them)."""
    for scheme, iri in heading.known:
        theirs = cand.ids.get(scheme)
        if theirs is not None:
            return theirs == iri
    return False


def decide(heading: Heading, candidates: list[Candidate], link: float = LINK, margin: float = MARGIN,
           review: float = REVIEW, evidence: Evidence | None = None) -> Decision:
    """The best candidate per IRI, then link, review or nothing."""
    best_of: dict[str, tuple[float, str, Candidate]] = {}
    for cand in candidates:
        s, why = score(heading, cand, evidence)
        if cand.iri not in best_of or s > best_of[cand.iri][0]:
            best_of[cand.iri] = (s, why, cand)
    # at equal scores, a candidate that shares the record's own number comes first
    ranked = sorted(best_of.values(), key=lambda t: (-t[0], not _shares_number(heading, t[2]), t[2].iri))
    if not ranked or ranked[0][0] <= 0:
        return Decision("none", reason="no candidate" if not ranked else ranked[0][1])
    s, why, top = ranked[0]
    second = ranked[1] if len(ranked) > 1 else (0.0, "", None)
    decision = Decision("none", top, s, second[2], second[0], why)
    # the record's own authority number shared by one candidate settles it: a runner-up that
    # only has the same name (and lacks that scheme's number) is a namesake, not a rival
    by_number = _shares_number(heading, top) and not (second[2] is not None and _shares_number(heading, second[2]))
    if s >= link and (s - second[0] >= margin - 1e-9 or by_number):
        decision.status = "linked"
    elif s >= review:
        decision.status = "review"
        decision.reason = why + (f"; runner-up {second[0]:.2f}" if s >= link else f"; below {link:.2f}")
    return decision
