"""The code tables in mappings/maps/*.tsv: format, keys, spot values, and classes that exist in BIBFRAME."""

from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAPS = ROOT / "mappings" / "maps"
VOCAB = Path(__file__).resolve().parent / "data" / "vocab"
BF = "http://id.loc.gov/ontologies/bibframe/"

COLUMNS = {
    "relators": ["code", "label"],
    "relator_terms": ["term", "code"],
    "languages": ["code", "label", "bcp47"],
    "countries": ["code", "label"],
    "subject_thesauri": ["ind2", "source", "iri", "label"],
    "subject_sources": ["code", "iri", "label"],
    "scripts": ["marc", "iso15924", "name"],
    "language_scripts": ["language", "script"],
    "abbreviations": ["abbreviation"],
    "content_types": ["code", "label"],
    "media_types": ["code", "label"],
    "carrier_types": ["code", "label"],
    "work_types": ["leader06", "class", "extra_class", "content"],
    "issuance": ["leader07", "code", "label", "work_class"],
    "identifiers": ["tag", "class", "note"],
    "encoding_levels": ["leader17", "code", "label"],
    "description_conventions": ["leader18", "code", "label"],
    "date_types": ["code", "label", "date1", "date2"],
}


class Table:
    def __init__(self, name: str):
        self.name = name
        self.path = MAPS / f"{name}.tsv"
        self.text = self.path.read_text(encoding="utf-8")
        self.comments: list[str] = []
        self.header: list[str] | None = None
        self.keys: list[str] = []
        self.rows: dict[str, dict[str, str]] = {}
        for line in self.text.split("\n")[:-1]:
            if line.startswith("#"):
                if self.header is None:
                    self.comments.append(line)
                continue
            cells = line.split("\t")
            if self.header is None:
                self.header = cells
                continue
            assert len(cells) <= len(self.header), f"{name}: too many cells: {line!r}"
            cells += [""] * (len(self.header) - len(cells))  # empty trailing cells are left out
            self.keys.append(cells[0])
            self.rows.setdefault(cells[0], dict(zip(self.header, cells)))

    def col(self, column: str) -> dict[str, str]:
        return {k: r[column] for k, r in self.rows.items()}

    def __getitem__(self, key: str) -> dict[str, str]:
        return self.rows[key]


_cache: dict[str, Table] = {}


def table(name: str) -> Table:
    if name not in _cache:
        _cache[name] = Table(name)
    return _cache[name]


@pytest.fixture(scope="module")
def bf_classes() -> set[str]:
    rdflib = pytest.importorskip("rdflib")
    from rdflib.namespace import OWL, RDF, RDFS

    logging.getLogger("rdflib").setLevel(logging.ERROR)  # the ontology has dateTime literals padded with blanks
    g = rdflib.Graph()
    for f in ("bibframe.rdf", "bflc.rdf"):
        g.parse(VOCAB / f, format="xml")
    return {str(s) for t in (OWL.Class, RDFS.Class) for s in g.subjects(RDF.type, t)}


# -- format ----------------------------------------------------------------------------------


def test_tables_exist():
    present = {p.stem for p in MAPS.glob("*.tsv")}
    assert set(COLUMNS) <= present, sorted(set(COLUMNS) - present)


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_format(name):
    t = table(name)
    assert t.text.endswith("\n") and "\r" not in t.text
    for line in t.text.split("\n"):
        assert line == line.rstrip(), f"{name}: trailing whitespace in {line!r}"
    assert unicodedata.is_normalized("NFC", t.text), name
    # the first comment lines say what the table means, where it comes from, and its licence
    head = "\n".join(t.comments)
    assert len(t.comments) >= 2, name
    assert "source" in head.lower(), name
    assert re.search(r"licen[cs]e|public domain|CC0|EPL|MIT", head), name
    assert t.header == COLUMNS[name]
    assert t.keys, name
    assert all(k for k in t.keys), f"{name}: empty key"
    assert all(k == k.strip() for k in t.keys), f"{name}: key with surrounding blanks"
    dups = sorted({k for k in t.keys if t.keys.count(k) > 1})
    assert not dups, f"{name}: duplicate keys {dups}"


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_iris_are_full(name):
    t = table(name)
    for key, row in t.rows.items():
        for column, value in row.items():
            if column == "iri" and value:
                assert re.fullmatch(r"https?://[^\s<>\"]+", value), (name, key, value)
            assert not re.match(r"^(bf|bflc|relators|languages):[A-Za-z]", value), (name, key, value)


# -- relators ----------------------------------------------------------------------------------


def norm_term(s: str) -> str:
    s = re.sub(r"\s+", " ", unicodedata.normalize("NFC", s).lower()).strip()
    prev = None
    while prev != s:
        prev = s
        s = s.rstrip(" .,;:/=").strip()
    return s


def test_relators():
    rel = table("relators").col("label")
    assert rel["aut"] == "author"
    assert rel["edt"] == "editor"
    assert rel["trl"] == "translator"
    assert rel["ill"] == "illustrator"
    assert rel["ctb"] == "contributor"
    assert len(rel) > 300
    assert all(re.fullmatch(r"[a-z]{3}", c) for c in rel)
    assert all(v for v in rel.values())


def test_relator_terms():
    codes = set(table("relators").keys)
    terms = table("relator_terms").col("code")
    for term, code in terms.items():
        assert code in codes, (term, code)
        assert norm_term(term) == term, f"term not normalized: {term!r}"
    # every LC term resolves (to its own code, except where the table says why not)
    for code, label in table("relators").col("label").items():
        assert norm_term(label) in terms, label
        assert terms[norm_term(label)] == code, label
    expected = {
        "ed": "edt", "eds": "edt", "editor": "edt", "comp": "com", "compiler": "com", "ill": "ill",
        "illus": "ill", "illustrator": "ill", "tr": "trl", "trans": "trl", "translator": "trl",
        "joint author": "aut", "jt. author": "aut", "author": "aut", "auth": "aut", "praeses": "pra",
        "respondent": "rsp", "printer": "prt", "publisher": "pbl", "director": "drt", "performer": "prf",
        "composer": "cmp", "conductor": "cnd", "arranger": "arr", "lyricist": "lyr", "narrator": "nrt",
        "photographer": "pht", "editor of compilation": "edc", "writer of introduction": "win",
        "writer of preface": "wpr", "former owner": "fmo", "dedicatee": "dte", "contributor": "ctb",
        "auteur": "aut", "éditeur scientifique": "edt", "traducteur": "trl", "illustrateur": "ill",
        "préfacier": "aui", "directeur de publication": "edt", "compositeur": "cmp", "interprète": "prf",
        "herausgeber": "edt", "übersetzung": "trl", "verfasser": "aut", "komponist": "cmp",
    }
    for term, code in expected.items():
        assert terms.get(term) == code, term
    # ambiguous terms are left out, and the table says so
    comments = "\n".join(table("relator_terms").comments)
    for term in ("vorwort", "kamera", "éditeur", "dir"):
        assert term not in terms
        assert f"'{term}'" in comments


def test_relator_term_lookup_of_written_forms():
    terms = table("relator_terms").col("code")
    for written, code in [("ed.", "edt"), ("Ill.", "ill"), ("joint  author.", "aut"), ("Herausgeber,", "edt"),
                          ("former owner.", "fmo"), ("Traducteur", "trl")]:
        assert terms.get(norm_term(written)) == code, written


# -- languages, countries, scripts --------------------------------------------------------------


def test_languages():
    t = table("languages")
    bcp = t.col("bcp47")
    for code, tag in {"fre": "fr", "eng": "en", "ger": "de", "chi": "zh", "tib": "bo", "jpn": "ja", "kor": "ko",
                      "gre": "el", "rus": "ru", "ara": "ar", "heb": "he", "per": "fa", "haw": "haw",
                      "scc": "sr", "und": "und"}.items():
        assert bcp[code] == tag, code
    assert t["fre"]["label"] == "French"
    assert len(bcp) > 480
    assert all(re.fullmatch(r"[a-z]{3}", c) for c in bcp)
    assert all(re.fullmatch(r"[a-z]{2,3}", v) for v in bcp.values() if v)
    assert all(t[c]["label"] for c in bcp)


def test_countries():
    c = table("countries").col("label")
    assert c["xxu"] == "United States"
    assert c["fr"] == "France"
    assert c["gw"] == "Germany"
    assert c["ai"] == "Armenia (Republic)"
    assert c["am"] == "Anguilla"
    assert all(re.fullmatch(r"[a-z]{2,3}", k) for k in c)


def test_scripts():
    s = table("scripts").col("iso15924")
    assert s["(3"] == "Arab"
    assert s["(B"] == "Latn"
    assert s["$1"] == "Hani"
    assert s["(N"] == "Cyrl"
    assert s["(S"] == "Grek"
    assert s["(2"] == "Hebr"
    assert s["160"] == "Arab" and s["Jpan"] == "Jpan"
    assert all(re.fullmatch(r"[A-Z][a-z]{3}", v) for v in s.values())


def test_language_scripts():
    langs = table("languages").col("bcp47")
    scripts = set(table("scripts").col("iso15924").values())
    ls = table("language_scripts").col("script")
    for lang, script in {"jpn": "Jpan", "chi": "Hani", "kor": "Kore", "rus": "Cyrl", "ara": "Arab",
                         "heb": "Hebr", "gre": "Grek", "per": "Arab"}.items():
        assert ls[lang] == script, lang
    for lang, script in ls.items():
        assert lang in langs and langs[lang], lang
        assert script in scripts, script
        assert script != "Latn", lang
    # the tag an 880 gets
    assert f"{langs['jpn']}-{ls['jpn']}" == "ja-Jpan"
    assert f"{langs['chi']}-{ls['chi']}" == "zh-Hani"


# -- subjects -----------------------------------------------------------------------------------


def test_subject_thesauri():
    t = table("subject_thesauri")
    src = t.col("source")
    assert {k: v for k, v in src.items() if v} == {
        "0": "lcsh", "1": "cyac", "2": "mesh", "3": "nal", "5": "cash", "6": "rvm"}
    assert set(src) == set("01234567")
    assert t["0"]["iri"] == "http://id.loc.gov/authorities/subjects"
    assert t["2"]["iri"] == "http://id.loc.gov/vocabulary/subjectSchemes/mesh"
    sources = table("subject_sources").col("iri")
    for ind2, code in src.items():
        if code:
            assert sources[code] == t[ind2]["iri"], ind2


def test_subject_sources():
    s = table("subject_sources").col("iri")
    required = ["lcsh", "lcshac", "cyac", "mesh", "nal", "cash", "rvm", "fast", "lcgft", "gsafd", "aat", "gnd", "rasuqam", "rero", "ram", "rameau", "bisacsh", "sears", "gmgpc", "bcl", "ysa", "allars", "rumorkp", "idszbz", "idsbb", "local"]
    for code in required:
        assert code in s, code
    assert s["lcsh"] == "http://id.loc.gov/authorities/subjects"
    assert s["mesh"] == "http://id.loc.gov/vocabulary/subjectSchemes/mesh"
    assert s["fast"] == "http://id.loc.gov/vocabulary/subjectSchemes/fast"
    assert s["lcgft"] == "http://id.loc.gov/vocabulary/genreFormSchemes/lcgft"
    for code, iri in s.items():
        assert code == code.lower()
        assert iri.startswith("http://id.loc.gov/"), code


# -- punctuation ----------------------------------------------------------------------------------


def test_abbreviations():
    a = table("abbreviations").keys
    for lc in ("arr.", "ed.", "etc.", "ft.", "ill.", "p.", "s.n.", "s.l."):
        assert lc in a
    assert "cm." not in a  # a symbol: its period is ISBD punctuation
    for x in a:
        assert x.endswith(".") and " " not in x, x
        if not x.isascii():
            folded = "".join(c for c in unicodedata.normalize("NFD", x) if not unicodedata.combining(c))
            assert folded in a, x


# -- RDA types ----------------------------------------------------------------------------------


def test_rda_types():
    content = table("content_types").col("label")
    media = table("media_types").col("label")
    carriers = table("carrier_types").col("label")
    assert content["txt"] == "text" and content["sti"] == "still image" and content["prm"] == "performed music"
    assert len(content) == 25
    assert media == {"s": "audio", "c": "computer", "h": "microform", "p": "microscopic", "g": "projected",
                     "e": "stereographic", "n": "unmediated", "v": "video", "x": "other", "z": "unspecified"}
    assert carriers["nc"] == "volume" and carriers["cr"] == "online resource"
    assert carriers["sd"] == "audio disc" and carriers["vd"] == "videodisc"
    assert len(carriers) == 57
    # a carrier code starts with its media type code (m: projected film, z: unspecified)
    assert all(c[0] in media or c[0] == "m" for c in carriers)
    work_content = {r["content"] for r in table("work_types").rows.values() if r["content"]}
    assert work_content <= set(content)


# -- leader, 008 ----------------------------------------------------------------------------------


def test_work_types(bf_classes):
    t = table("work_types")
    cls = t.col("class")
    assert cls["a"] == "Text" and cls["t"] == "Text"
    assert cls["c"] == cls["d"] == "NotatedMusic"
    assert cls["e"] == cls["f"] == "Cartography"
    assert cls["g"] == "MovingImage" and cls["k"] == "StillImage" and cls["m"] == "Multimedia"
    assert cls["i"] == "NonMusicAudio" and cls["j"] == "MusicAudio"
    assert cls["o"] == cls["p"] == "MixedMaterial" and cls["r"] == "Object"
    assert t["t"]["extra_class"] == "Manuscript"
    for key, row in t.rows.items():
        for name in [row["class"], *row["extra_class"].split()]:
            assert BF + name in bf_classes, (key, name)


def test_issuance(bf_classes):
    t = table("issuance")
    assert {k: r["code"] for k, r in t.rows.items()} == {
        "a": "mono", "b": "serl", "c": "mulm", "d": "mono", "i": "intg", "m": "mono", "s": "serl"}
    for key, row in t.rows.items():
        assert BF + row["work_class"] in bf_classes, key


def test_identifiers(bf_classes):
    t = table("identifiers")
    cls = t.col("class")
    for key, name in {"010": "Lccn", "015": "Nbn", "017": "CopyrightNumber", "020": "Isbn", "022": "Issn",
                      "024/0": "Isrc", "024/1": "Upc", "024/2": "Ismn", "024/3": "Ean", "024/4": "Sici",
                      "025": "LcOverseasAcq", "026": "Fingerprint", "027": "Strn", "028/0": "AudioIssueNumber",
                      "028/1": "MatrixNumber", "028/2": "MusicPlate", "028/3": "MusicPublisherNumber",
                      "028/4": "VideoRecordingNumber", "028/5": "PublisherNumber", "030": "Coden",
                      "032": "PostalRegistration", "035": "Local", "036": "StudyNumber", "037": "StockNumber",
                      "088": "ReportNumber"}.items():
        assert cls[key] == name, key
    for key, name in cls.items():
        assert re.fullmatch(r"0[0-9]{2}(/[0-9](/[a-z0-9-]+)?|\$[a-z0-9]|/ocolc)?", key), key
        assert BF + name in bf_classes, (key, name)


def test_encoding_levels():
    t = table("encoding_levels")
    assert t["_"]["code"] == "f" and t["_"]["label"] == "full"
    assert t["7"]["code"] == "7" and t["3"]["code"] == "3" and t["8"]["code"] == "8"


def test_description_conventions():
    dc = table("description_conventions").col("code")
    assert dc["a"] == "aacr" and dc["i"] == "isbd" and dc["c"] == "isbd"


def test_date_types():
    d = table("date_types")
    assert set(d.keys) == set("bcdeikmnpqrstu|")
    assert d["s"]["label"].startswith("Single")
    assert d["t"]["date2"] == "copyright date"
    assert d["r"]["date2"] == "original date"
