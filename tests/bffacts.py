"""Compare BIBFRAME graphs fact by fact, whatever IRIs or blank nodes each converter mints.

LC's reference converter (marc2bibframe2) mints positional IRIs (``#Agent700-12``) and leaves
most agents, titles and topics as blank nodes; marc2rdf mints IRIs from normalized headings.
The graphs therefore cannot be compared triple by triple. :func:`facts` reduces a graph to, per
record and per *kind* of statement, a set of small tuples of normalized strings ("the record has
a contribution by *Cherba, Maria* in the role *aut*"), and :func:`recall` counts how many of
one side's facts the other side states too.

Records are found by shape, not by LC's positional IRIs: a record's Work is a ``bf:Work`` that
is the object of no triple except ``bf:instanceOf`` (related works, series, hubs and subjects
always hang off another resource), or one whose IRI ends in ``#Work`` (so that a link back to
it from a related resource does not hide it); its Instances are linked to it by
``bf:hasInstance`` / ``bf:instanceOf``. The record key comes from the Work IRI
(``{base}{id}#Work`` -> ``id``).

Every string is normalized (:func:`norm`): Unicode NFC, directional marks removed, casefolded,
whitespace collapsed, ISBD punctuation trimmed at both ends, square brackets removed. LC trims
ISBD punctuation from the romanized fields but not always from the paired 880 (vernacular)
fields, subject headings, series numbering or relator terms; those faults do not count
against a fact.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import rdflib
from rdflib import RDF, RDFS, XSD, BNode, Literal, Namespace, URIRef

BF = Namespace("http://id.loc.gov/ontologies/bibframe/")
BFLC = Namespace("http://id.loc.gov/ontologies/bflc/")
MADS = Namespace("http://www.loc.gov/mads/rdf/v1#")

RELATORS = "http://id.loc.gov/vocabulary/relators/"
EDTF = "http://id.loc.gov/datatypes/edtf"

KINDS: tuple[str, ...] = (
    "title",
    "contribution",
    "primary_contribution",
    "agent_type",
    "subject",
    "subject_source",
    "genre",
    "identifier",
    "identifier_status",
    "identifier_qualifier",
    "language",
    "provision",
    "provision_date",
    "provision_place",
    "provision_agent",
    "date",
    "extent",
    "dimensions",
    "note",
    "summary",
    "table_of_contents",
    "classification",
    "edition",
    "series",
    "locator",
    "content_type",
    "media_type",
    "carrier_type",
    "related",
    "work_type",
    "instance_type",
)

Facts = dict[str, dict[str, set[tuple]]]

# ---------------------------------------------------------------------------------------------
# normalization

# ISBD punctuation trimmed at both ends: . , ; : / = [ ] and spaces, plus the Arabic comma and
# semicolon and the full-width forms, which 880 fields carry in the same positions.
_ISBD_EDGE = " .,;:/=[]\u060c\u061b\uff0c\uff1b\uff1a\uff0f\uff1d\uff0e\u3002"
_BRACKETS = dict.fromkeys(map(ord, "[]"))
# directional formatting characters that 880 fields (and LC's copies of them) wrap RTL text in
_BIDI = dict.fromkeys(map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def norm(value) -> str:
    """NFC, no directional marks, casefolded, whitespace collapsed, ISBD punctuation trimmed.

    Typed literals (an EDTF date such as ``2013/..``) keep their punctuation."""
    s = unicodedata.normalize("NFC", str(value)).translate(_BIDI)
    if isinstance(value, Literal) and value.datatype is not None and value.datatype != XSD.string:
        s = " ".join(s.casefold().split())
        if str(value.datatype) == EDTF:
            # an EDTF interval from a year to the same year ("1998/1998", LC's rendering of an
            # 008 with date 1 = date 2) is that year: the same date written two ways
            start, sep, end = s.partition("/")
            if sep and start == end:
                return start
        return s
    # square brackets (ISBD's mark of supplied text) go wherever they are: "[10] p." and
    # "10 p." state the same extent, "1398 [2019 or 2020]" the same date. They are deleted, not
    # made spaces: a bracket inside a word ("N[ew] Y[ork]") or before a comma ("[Paramaribo],
    # Suriname") supplies letters, and a converter that drops the brackets writes "New York",
    # "Paramaribo, Suriname"
    s = " ".join(s.translate(_BRACKETS).casefold().split())
    return s.strip(_ISBD_EDGE)


def norm_id(value, cls: str) -> str:
    """Identifier values: normalized; hyphens and spaces dropped for ISBN and ISSN; an LCCN
    in its normalized form (:func:`norm_lccn`)."""
    s = norm(value)
    if cls == "lccn":
        return norm_lccn(s)
    if cls in ("isbn", "issn", "issnl"):
        s = re.sub(r"[\s\-]", "", s)
    return s


def norm_lccn(s: str) -> str:
    """An LCCN normalized as the LCCN namespace rules say (https://www.loc.gov/marc/lccn-namespace.html):
    blanks removed, a "/" and what follows it (a revision or supplement mark, "//r853", "/sc")
    removed, and a hyphen removed with the serial number after it zero-padded to six digits.
    "74-5691", "74005691" and "  74005691 //r85" are one LCCN; comparing them as strings would
    count a number written in its older form as a different identifier."""
    s = re.sub(r"\s", "", s).split("/", 1)[0]
    if "-" in s:
        prefix, _, serial = s.partition("-")
        if serial.isdigit():
            s = prefix + serial.zfill(6)
    return s.replace("-", "")


def local_name(term) -> str:
    """Last segment of an IRI: ``.../relators/aut`` -> ``aut``, ``...bibframe/Title`` -> ``Title``."""
    s = str(term).rstrip("/#")
    return re.split(r"[/#]", s)[-1]


def default_key(iri) -> str:
    """Record key of a Work/Instance IRI ``{base}{id}#Work``: the last path segment before ``#``,
    which is ``id`` when ids contain no ``/`` (else use :func:`base_key`)."""
    s = str(iri).split("#", 1)[0].rstrip("/")
    return s.rsplit("/", 1)[-1]


def base_key(base: str) -> Callable[[object], str]:
    """A key function for IRIs minted as ``{base}{id}#...`` where ``id`` may itself contain ``/``."""

    def key(iri) -> str:
        s = str(iri).split("#", 1)[0]
        return s[len(base):] if s.startswith(base) else default_key(iri)

    return key


# IRIs of whole schemes that have a MARC source code
_SCHEME_CODES = {
    "http://id.loc.gov/authorities/subjects": "lcsh",
    "http://id.loc.gov/authorities/genreForms": "lcgft",
    "http://id.loc.gov/authorities/names": "naf",
    "http://id.loc.gov/authorities/childrensSubjects": "cyac",
    "http://id.worldcat.org/fast": "fast",
    "http://id.nlm.nih.gov/mesh": "mesh",
}


# ---------------------------------------------------------------------------------------------
# loading


@contextmanager
def _quiet_literals() -> Iterator[None]:
    # rdflib logs a traceback for every ill-typed literal (LC writes "19--"^^xsd:date); the
    # lexical form is kept, which is all the comparison needs.
    log = logging.getLogger("rdflib.term")
    old = log.level
    log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        log.setLevel(old)


def load(*paths, format: str | None = None) -> rdflib.Graph:
    """Parse one or more RDF files into one graph (format guessed from the name, else RDF/XML)."""
    g = rdflib.Graph()
    with _quiet_literals():
        for path in paths:
            path = str(path)
            g.parse(path, format=format or rdflib.util.guess_format(path) or "xml")
    return g


def load_data(data: str, format: str = "turtle") -> rdflib.Graph:
    """Parse RDF given as a string."""
    g = rdflib.Graph()
    with _quiet_literals():
        g.parse(data=data, format=format)
    return g


# ---------------------------------------------------------------------------------------------
# graph helpers


def _lits(g: rdflib.Graph, node, *preds) -> list[Literal]:
    out = []
    for p in preds:
        out.extend(o for o in g.objects(node, p) if isinstance(o, Literal))
    return out


def _types(g: rdflib.Graph, node) -> set[URIRef]:
    return {t for t in g.objects(node, RDF.type) if isinstance(t, URIRef)}


def _bf_class(g: rdflib.Graph, node, base: str) -> str:
    """Most specific BIBFRAME class of a node: a bf: type other than ``base`` if any."""
    names = sorted(local_name(t) for t in _types(g, node) if str(t).startswith(str(BF)))
    specific = [n for n in names if n != base]
    return norm(specific[0] if specific else base)


def labels(g: rdflib.Graph, node, _depth: int = 0) -> list[str]:
    """Labels of a node: rdfs:label, else madsrdf:authoritativeLabel, else a bflc:name..MatchKey,
    else the labels of the authority it is identified by."""
    if isinstance(node, Literal):
        return [str(node)]
    for pred in (RDFS.label, MADS.authoritativeLabel):
        vals = _lits(g, node, pred)
        if vals:
            return [str(v) for v in vals]
    vals = [
        str(o)
        for p, o in g.predicate_objects(node)
        if isinstance(o, Literal) and str(p).startswith(str(BFLC)) and str(p).endswith("MatchKey")
    ]
    if vals:
        return vals
    if _depth < 2:
        for auth in g.objects(node, MADS.isIdentifiedByAuthority):
            if auth != node:
                vals = labels(g, auth, _depth + 1)
                if vals:
                    return vals
    return []


def label_or_code(g: rdflib.Graph, node) -> list[str]:
    """Labels, else bf:code / rdf:value, else the IRI's last segment."""
    vals = labels(g, node)
    if not vals:
        vals = [str(v) for v in _lits(g, node, BF.code, RDF.value)]
    if not vals and isinstance(node, URIRef):
        vals = [local_name(node)]
    return vals


def code_of(g: rdflib.Graph, node) -> list[str]:
    """A code for a vocabulary term: the IRI's last segment (or the scheme's MARC code), else
    bf:code, rdf:value, else the label."""
    if isinstance(node, Literal):
        return [str(node)]
    if isinstance(node, URIRef):
        s = str(node).rstrip("/")
        if s in _SCHEME_CODES:
            return [_SCHEME_CODES[s]]
        # a list's own IRI with no code after it (LC's place for a blank 008/15-17 is
        # http://id.loc.gov/vocabulary/countries/) names no term
        return [] if str(node).endswith("/") else [local_name(node)]
    vals = [str(v) for v in _lits(g, node, BF.code, RDF.value)]
    return vals or labels(g, node)


def _nset(values: Iterable) -> list[str]:
    return sorted({n for n in (norm(v) for v in values) if n})


def _join(values: Iterable) -> str:
    return " | ".join(_nset(values))


_SCRIPT_FAMILY = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "CJK": "CJK", "IDEOGRAPHIC": "CJK"}


def _script(s: str) -> str:
    counts: Counter = Counter()
    for ch in s:
        if ch.isalpha():
            word = unicodedata.name(ch, "?").split(" ")[0]
            counts[_SCRIPT_FAMILY.get(word, word)] += 1
    return counts.most_common(1)[0][0] if counts else ""


def _groups(values: list[Literal], tagged: bool) -> dict[str, list[Literal]]:
    out: dict[str, list[Literal]] = {}
    for v in values:
        k = (v.language or "") if tagged else _script(str(v))
        out.setdefault(k, []).append(v)
    return out


def _pair(mains: list[Literal], parts: dict) -> list[tuple[list[Literal], dict]]:
    """Split parallel values into (main values, their parts) by language tag, else by script.

    LC puts an 880 (vernacular) field into the same node as the romanized one, so a title may
    have two mainTitles and two subtitles, a series relation two titles and two enumerations.
    A part in no script of any main value (digits only, say) goes with each main value that
    has no part of its own kind.
    """
    if len(mains) <= 1:
        return [(mains, parts)]
    tagged = any(v.language for v in mains + [v for vs in parts.values() for v in vs])
    main_groups = _groups(mains, tagged)
    out = []
    for k, ms in main_groups.items():
        own = {}
        for p, vs in parts.items():
            part_groups = _groups(vs, tagged)
            own[p] = part_groups.get(k) or [
                v for kk, xs in part_groups.items() if kk not in main_groups for v in xs
            ]
        out.append((ms, own))
    return out


def _title_tuples(g: rdflib.Graph, t) -> set[tuple]:
    """(class, mainTitle, subtitle[, partNumber, partName]) per title node; parallel (880)
    values in the same node are paired by :func:`_pair`. A title node with no text in it (LC
    writes one for a 210 or 246 that holds no title, such as NLM's `246 $0`) states no title."""
    if isinstance(t, Literal):
        return {("title", norm(t), "")}
    cls = _bf_class(g, t, "Title")
    mains = _lits(g, t, BF.mainTitle)
    parts = {p: _lits(g, t, p) for p in (BF.subtitle, BF.partNumber, BF.partName)}
    out = set()
    for ms, ps in _pair(mains, parts):
        sub = _join(ps[BF.subtitle])
        extra = (_join(ps[BF.partNumber]), _join(ps[BF.partName]))
        for m in _nset(ms) or [""]:
            if m or sub or any(extra):
                out.add((cls, m, sub) + (extra if any(extra) else ()))
    return out


def _title_literals(g: rdflib.Graph, node) -> list[Literal]:
    """Main titles of a related resource (its own and its instances'), else its labels,
    else its identifiers, else its non-BIBFRAME types (LC's resourceComponents)."""
    vals: list[Literal] = []
    for holder in [node] + list(g.objects(node, BF.hasInstance)):
        for t in g.objects(holder, BF.title):
            vals.extend([t] if isinstance(t, Literal) else _lits(g, t, BF.mainTitle))
    if not vals:
        vals = [Literal(v) for v in labels(g, node)]
    if not vals:
        vals = [v for i in g.objects(node, BF.identifiedBy) for v in _lits(g, i, RDF.value)]
    if not vals:
        vals = [Literal(local_name(t)) for t in _types(g, node) if not str(t).startswith(str(BF))]
    return vals


def _title_strings(g: rdflib.Graph, node) -> list[str]:
    return _nset(_title_literals(g, node)) or [""]


# ---------------------------------------------------------------------------------------------
# records

_STRUCTURAL_IN = {BF.instanceOf, BF.itemOf}

# properties linking a Work or Instance directly to a related resource (BIBFRAME 2.0-2.6)
_DIRECT_RELATIONS = [
    BF[name]
    for name in (
        "relatedTo", "expressionOf", "hasExpression", "partOf", "hasPart", "precededBy",
        "succeededBy", "accompaniedBy", "accompanies", "hasDerivative", "derivativeOf",
        "references", "referencedBy", "dataSource", "arrangement", "arrangementOf", "otherEdition",
        "hasEquivalent", "eventContent", "eventContentOf", "hasReproduction", "reproductionOf",
        "hasSeries", "seriesOf", "translation", "translationOf", "supplement", "supplementTo",
        "continues", "continuedBy", "continuesInPart", "continuedInPartBy", "otherPhysicalFormat",
        "issuedWith", "index", "indexOf", "findingAid", "findingAidOf", "absorbed", "absorbedBy",
        "mergerOf", "mergedToForm", "splitInto", "separatedFrom", "replacementOf", "replacedBy",
        "originalVersion", "originalVersionOf",
    )
]
_RELATION_NODES = (BF.relation, BFLC.relation)
_SERIES_RELATIONSHIPS = {"series", "subseries", "hasseries"}


def records(graph: rdflib.Graph, key: Callable[[object], str] = default_key) -> dict[str, tuple[list, list]]:
    """Record key -> (main Works, main Instances)."""
    out: dict[str, tuple[list, list]] = {}
    candidates = (
        set(graph.subjects(RDF.type, BF.Work))
        | set(graph.subjects(BF.hasInstance, None))
        | set(graph.objects(None, BF.instanceOf))
    )
    works = []
    for w in candidates:
        if not isinstance(w, URIRef):
            continue
        linked = any(p not in _STRUCTURAL_IN for p in graph.predicates(None, w))
        if linked and not str(w).endswith("#Work"):
            continue  # related work, series, hub, subject ...
        works.append(w)
    claimed = set()
    for w in sorted(works):
        insts = set(graph.objects(w, BF.hasInstance)) | set(graph.subjects(BF.instanceOf, w))
        claimed |= insts
        ws, is_ = out.setdefault(key(w), ([], []))
        ws.append(w)
        is_.extend(sorted(insts, key=str))
    # Instances described without a Work
    for i in set(graph.subjects(RDF.type, BF.Instance)) - claimed:
        if not isinstance(i, URIRef) or any(True for _ in graph.objects(i, BF.instanceOf)):
            continue
        if any(p not in _STRUCTURAL_IN for p in graph.predicates(None, i)):
            continue
        out.setdefault(key(i), ([], []))[1].append(i)
    return out


def _relator_table(relator_terms: dict[str, str] | None) -> dict[str, str]:
    return {norm(k): norm(v) for k, v in (relator_terms or {}).items()}


def _role_codes(g: rdflib.Graph, role, terms: dict[str, str]) -> list[str]:
    if isinstance(role, URIRef) and str(role).startswith(RELATORS):
        return [norm(local_name(role))]
    if isinstance(role, Literal):
        n = norm(role)
        return [terms.get(n, n)]
    codes = [norm(c) for c in _lits(g, role, BF.code)]
    if codes:
        return codes
    labs = [norm(x) for x in labels(g, role)]
    if labs:
        return [terms.get(n, n) for n in labs]
    return [norm(local_name(role))] if isinstance(role, URIRef) else [""]


def _is_complex_genre(g: rdflib.Graph, node) -> bool:
    """A genre/form heading with subdivisions, in LC's form: a bf:subject whose MADS component
    list opens with a madsrdf:GenreForm.

    LC's marc2bibframe2 turns a 655 (Index Term - Genre/Form) with $v/$x/$y/$z subdivisions into
    ``bf:subject [ a bf:Topic, madsrdf:ComplexSubject ; madsrdf:componentList (
    [ a madsrdf:GenreForm ] [ a madsrdf:Temporal ] ...) ]`` (its IRI ``#GenreForm655-N``), because
    a bf:GenreForm has no complex form; marc2rdf keeps the 655 a ``bf:genreForm`` labelled
    ``main--sub``. The MARC field and the heading are the same, so both count as a genre fact: the
    difference is how a converter attaches a complex heading, not what it states. The first
    component decides: a 650 topic subdivided by a form ($v) starts with a madsrdf:Topic."""
    for lst in g.objects(node, MADS.componentList):
        first = g.value(lst, RDF.first)
        return first is not None and (first, RDF.type, MADS.GenreForm) in g
    return False


def _record_facts(g: rdflib.Graph, works: list, instances: list, terms: dict[str, str]) -> dict[str, set]:
    f: dict[str, set] = {k: set() for k in KINDS}
    both = works + instances
    items = [it for i in instances for it in g.objects(i, BF.hasItem)]

    # title
    for n in both:
        for t in g.objects(n, BF.title):
            f["title"] |= _title_tuples(g, t)

    # contribution, primary_contribution, agent_type
    for n in both:
        for c in g.objects(n, BF.contribution):
            primary = bool(_types(g, c) & {BF.PrimaryContribution, BFLC.PrimaryContribution})
            roles = [r for role in g.objects(c, BF.role) for r in _role_codes(g, role, terms)] or [""]
            for agent in g.objects(c, BF.agent):
                names = _nset(labels(g, agent)) or (
                    [norm(local_name(agent))] if isinstance(agent, URIRef) else []
                )
                kinds = sorted(
                    local_name(t)
                    for t in _types(g, agent)
                    if str(t).startswith(str(BF)) and t != BF.Agent
                ) or ["Agent"]
                for name in names:
                    for r in roles:
                        f["contribution"].add((name, r))
                    if primary:
                        f["primary_contribution"].add((name,))
                    for k in kinds:
                        f["agent_type"].add((name, norm(k)))

    # subject, subject_source, genre
    for n in both:
        for s in g.objects(n, BF.subject):
            if _is_complex_genre(g, s):
                # LC's form of a 655 with subdivisions (see _is_complex_genre): a genre fact
                f["genre"] |= {(name,) for name in _nset(label_or_code(g, s))}
                continue
            names = _nset(label_or_code(g, s))
            sources = _nset(c for src in g.objects(s, BF.source) for c in code_of(g, src))
            for name in names:
                f["subject"].add((name,))
                for src in sources:
                    f["subject_source"].add((name, src))
        for s in g.objects(n, BF.genreForm):
            for name in _nset(label_or_code(g, s)):
                f["genre"].add((name,))

    # identifier, identifier_status, identifier_qualifier
    for n in both:
        for i in g.objects(n, BF.identifiedBy):
            if isinstance(i, Literal):
                f["identifier"].add(("identifier", norm(i)))
                continue
            cls = _bf_class(g, i, "Identifier")
            values = {norm_id(v, cls) for v in _lits(g, i, RDF.value)} - {""}
            statuses = _nset(c for st in g.objects(i, BF.status) for c in code_of(g, st))
            qualifiers = _nset(_lits(g, i, BF.qualifier))
            for v in values:
                f["identifier"].add((cls, v))
                f["identifier_status"] |= {(v, s) for s in statuses}
                f["identifier_qualifier"] |= {(v, q) for q in qualifiers}

    # language
    for n in both:
        for lang in g.objects(n, BF.language):
            for code in _nset(code_of(g, lang)):
                f["language"].add((code,))

    # provision and its parts; date
    for n in instances:
        for pa in g.objects(n, BF.provisionActivity):
            cls = _bf_class(g, pa, "ProvisionActivity")
            place_nodes = list(g.objects(pa, BF.place))
            place_labels = [v for p in place_nodes for v in labels(g, p)]
            place_codes = [v for p in place_nodes if not labels(g, p) for v in code_of(g, p)]
            simple_places = _lits(g, pa, BFLC.simplePlace)
            agent_labels = [v for a in g.objects(pa, BF.agent) for v in label_or_code(g, a)]
            simple_agents = _lits(g, pa, BFLC.simpleAgent)
            dates = _lits(g, pa, BF.date)
            coded_dates = [d for d in dates if d.datatype is not None and d.datatype != XSD.string]
            written_dates = _lits(g, pa, BFLC.simpleDate) + [d for d in dates if d not in coded_dates]
            places = simple_places + place_labels
            agents = simple_agents + agent_labels
            # The statement as transcribed (260/264); the coded values (008 country code, EDTF
            # date) only for an activity with nothing transcribed. LC merges the 008 values into
            # a copy of one transcribed activity, which therefore adds no tuple of its own.
            if places or agents or written_dates:
                f["provision"].add((cls, _join(places), _join(agents), _join(written_dates)))
            else:
                f["provision"].add((cls, _join(place_codes), "", _join(coded_dates)))
            f["provision_place"] |= {(v,) for v in _nset(places + place_codes)}
            f["provision_agent"] |= {(v,) for v in _nset(agents)}
            f["provision_date"] |= {(v,) for v in _nset(dates + written_dates)}
    f["date"] |= f["provision_date"]
    for n in both:
        f["date"] |= {(v,) for v in _nset(_lits(g, n, BF.originDate))}

    # extent, dimensions, note (including notes on extents and on relations), summary, toc
    note_holders = list(both)
    for n in instances:
        for e in g.objects(n, BF.extent):
            f["extent"] |= {(v,) for v in _nset(labels(g, e))}
            note_holders.append(e)
        f["dimensions"] |= {(v,) for v in _nset(_lits(g, n, BF.dimensions))}
    for n in both:
        note_holders.extend(r for p in _RELATION_NODES for r in g.objects(n, p))
    for h in note_holders:
        for note in g.objects(h, BF.note):
            # the note's text is the fact; how its type is written (an LC mnotetype class, a
            # bf:noteType literal) is a modelling choice, like IRI minting
            if isinstance(note, Literal):
                f["note"].add((norm(note),))
                continue
            for text in _nset(labels(g, note)):
                f["note"].add((text,))
    for n in both:
        for s in g.objects(n, BF.summary):
            f["summary"] |= {(v,) for v in _nset(labels(g, s))}
        for t in g.objects(n, BF.tableOfContents):
            vals = labels(g, t) or ([str(t)] if isinstance(t, URIRef) else [])
            f["table_of_contents"] |= {(v,) for v in _nset(vals)}

    # classification (Work, Instance and Item)
    for n in both + items:
        for c in g.objects(n, BF.classification):
            cls = _bf_class(g, c, "Classification")
            # LC writes a government document number (086) as the classification's label
            portions = _lits(g, c, BF.classificationPortion) or _lits(g, c, RDFS.label)
            if cls == "classificationddc":
                # DDC segmentation marks (082 $a "378.1/2", prime marks "/" and "'") show where
                # an abridged number may be cut; they are not part of the number 378.12
                portions = [re.sub(r"[/']", "", str(p)) for p in portions]
            f["classification"].add((cls, _join(portions), _join(_lits(g, c, BF.itemPortion))))

    # edition
    for n in instances:
        f["edition"] |= {(v,) for v in _nset(_lits(g, n, BF.editionStatement))}

    # related and series
    for n in both:
        for p in _RELATION_NODES:
            for r in g.objects(n, p):
                rels = [
                    v
                    for rel in list(g.objects(r, BF.relationship)) + list(g.objects(r, BFLC.relationship))
                    for v in (
                        [local_name(rel)] if isinstance(rel, URIRef) else labels(g, rel) or code_of(g, rel)
                    )
                ]
                rels = _nset(rels) or [""]
                enums = _lits(g, r, BF.seriesEnumeration)
                targets = list(g.objects(r, BF.associatedResource)) + list(g.objects(r, BF.relatedTo))
                for a in targets:
                    titles = _title_strings(g, a)
                    for rel in rels:
                        f["related"] |= {(rel, t) for t in titles}
                    if _SERIES_RELATIONSHIPS & set(rels):
                        for ts, es in _pair(_title_literals(g, a), {"enum": enums}):
                            f["series"] |= {
                                (t, e) for t in _nset(ts) or [""] for e in _nset(es["enum"]) or [""]
                            }
        for p in _DIRECT_RELATIONS:
            for a in g.objects(n, p):
                titles = _title_strings(g, a)
                f["related"] |= {(norm(local_name(p)), t) for t in titles}
                if p == BF.hasSeries:
                    enums = _nset(_lits(g, n, BF.seriesEnumeration)) or [""]
                    f["series"] |= {(t, e) for t in titles for e in enums}
    for n in instances:
        statements = _nset(_lits(g, n, BF.seriesStatement))
        enums = _nset(_lits(g, n, BF.seriesEnumeration))
        for i, s in enumerate(statements):
            e = enums[i] if len(enums) == len(statements) else ""
            f["series"].add((s, e))

    # locator: Work, Instances, Items, and resources attached to them
    holders = list(both) + items
    for n in list(holders):
        for p in (BF.supplementaryContent, BF.tableOfContents, BF.summary, BF.note):
            holders.extend(o for o in g.objects(n, p) if not isinstance(o, Literal))
    for h in holders:
        for loc in g.objects(h, BF.electronicLocator):
            vals = [str(loc)] if not isinstance(loc, BNode) else [str(v) for v in _lits(g, loc, RDF.value)]
            f["locator"] |= {(v,) for v in _nset(vals)}

    # content, media, carrier
    for kind, pred in (("content_type", BF.content), ("media_type", BF.media), ("carrier_type", BF.carrier)):
        for n in both:
            for t in g.objects(n, pred):
                f[kind] |= {(v,) for v in _nset(code_of(g, t))}

    # types
    for kind, nodes, base in (("work_type", works, BF.Work), ("instance_type", instances, BF.Instance)):
        for n in nodes:
            f[kind] |= {(norm(local_name(t)),) for t in _types(g, n) if t != base}
    return f


def facts(
    graph: rdflib.Graph,
    key: Callable[[object], str] = default_key,
    relator_terms: dict[str, str] | None = None,
) -> Facts:
    """Record key -> fact kind -> set of normalized tuples (every kind of :data:`KINDS` present).

    ``key`` maps a Work/Instance IRI to the record key (default :func:`default_key`).
    ``relator_terms`` maps relator terms to codes ({"author": "aut"}), so that a role given
    only as a label compares equal to a relator IRI; without it the normalized label is kept.
    """
    terms = _relator_table(relator_terms)
    return {k: _record_facts(graph, ws, is_, terms) for k, (ws, is_) in records(graph, key).items()}


# ---------------------------------------------------------------------------------------------
# comparison


def totals(f: Facts) -> dict[str, int]:
    """Number of facts per kind, summed over records."""
    return {k: sum(len(r.get(k, ())) for r in f.values()) for k in KINDS}


def recall(ours: Facts, theirs: Facts) -> dict[str, tuple[int, int]]:
    """Per kind: (how many of their facts we state too, how many they state), summed over the
    records present in both."""
    out = {k: (0, 0) for k in KINDS}
    for rec in ours.keys() & theirs.keys():
        for k in KINDS:
            t = theirs[rec].get(k, set())
            o = ours[rec].get(k, set())
            hit, total = out[k]
            out[k] = (hit + len(t & o), total + len(t))
    return out


def missing(ours: Facts, theirs: Facts, kind: str) -> dict[str, list[tuple]]:
    """Record key -> their facts of this kind that we do not state (records present in both)."""
    out = {}
    for rec in sorted(ours.keys() & theirs.keys()):
        gone = theirs[rec].get(kind, set()) - ours[rec].get(kind, set())
        if gone:
            out[rec] = sorted(gone)
    return out
