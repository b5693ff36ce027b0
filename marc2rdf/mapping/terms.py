"""RDF terms as N-Triples strings: the form the hot path emits and every sink reads.

A triple is a tuple of three such strings. Formatting once, here, keeps the mapper free of any
RDF library and makes an N-Triples sink a string join.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import quote

# characters that may not appear in an IRI (RFC 3987) and must be percent-encoded
_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f-\x9f]')
_NT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NEEDS_ESCAPE = _NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')  # a literal's text is written as it is otherwise
_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def iri(value: str) -> str:
    """``<value>`` with the characters IRIs forbid percent-encoded."""
    if _IRI_BAD.search(value):
        value = _IRI_BAD.sub(lambda m: quote(m.group(0), safe=""), value)
    return f"<{value}>"


def iri_safe(value: str) -> bool:
    """Whether ``value`` has no character :func:`iri` would percent-encode."""
    return _IRI_BAD.search(value) is None


def is_absolute_iri(value: str) -> bool:
    return bool(_ABSOLUTE.match(value)) and " " not in value.strip()


def literal(value: str, lang: str | None = None, datatype: str | None = None) -> str:
    text = value
    if _NEEDS_ESCAPE.search(text):
        text = text.translate(_NT_ESCAPES)
        if _CONTROL.search(text):
            text = _CONTROL.sub(lambda m: f"\\u{ord(m.group(0)):04X}", text)
    if lang:
        return f'"{text}"@{lang}'
    if datatype:
        return f'"{text}"^^<{datatype}>'
    return f'"{text}"'


def is_literal(term: str) -> bool:
    return term.startswith('"')


_SLUG_DROP = re.compile(r"[^\w]+", re.UNICODE)


def normalize_heading(text: str) -> str:
    """The key two spellings of one heading share: NFKC, case-folded, punctuation and spacing
    reduced to single hyphens."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _SLUG_DROP.sub("-", text).strip("-_")


def slug(text: str, limit: int = 80) -> str:
    """A readable, stable IRI segment for a heading; long headings end with a hash of the whole."""
    key = normalize_heading(text)
    if not key:
        return "h" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
    if len(key) > limit:
        return key[: limit - 17].rstrip("-") + "-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
    return key  # word characters and hyphens only: a valid IRI segment as it is


def bnode_prefix(key: str) -> str:
    """Blank node labels unique to a record (``key`` is its content), the same on every run:
    dumps merge safely."""
    return "_:r" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16] + "n"
