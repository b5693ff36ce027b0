"""Dumps: numbered shards, a manifest and a VoID description, as bulk loaders want them.

``DumpSink(directory, fmt, shard_size)`` writes ``part-00001.nt``, ``part-00002.nt``... (``.gz``
when compressed), each a complete document of its format holding ``shard_size`` records (the
last one fewer). A shard is written under ``NAME.tmp`` and renamed when complete, so a run that
is killed never leaves a half-written shard under a finished name; ``void.ttl`` and then
``manifest.json`` come last, so a manifest means a complete dump. A new run first removes what
an earlier one left (shards, temporary files, manifest). Nothing depends on the clock: the same
input gives the same bytes (gzip headers carry no time or name).

``manifest.json``: per shard its file, records, triples, bytes and sha256; the totals; what the
caller adds (inputs, profiles, counts). ``void.ttl``: a ``void:Dataset`` with ``void:triples``,
``void:entities`` (records), ``void:vocabulary`` per namespace used, ``void:feature`` (the
syntax), ``dcterms:license`` when given and ``void:dataDump`` per shard; its IRIs are relative
to where ``void.ttl`` is published, next to the shards.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from typing import BinaryIO

from marc2rdf.serialize.base import Format, Triple, vocabularies
from marc2rdf.serialize.sinks import Records, Sink
from marc2rdf.serialize.turtle import Turtle
from marc2rdf.vocab import PREFIXES

MANIFEST = "manifest.json"
VOID = "void.ttl"
_OURS = re.compile(r"part-\d{5}\.[\w.-]+|(?:manifest\.json|void\.ttl)(?:\.tmp)?")

_VOID = "http://rdfs.org/ns/void#"
_DCTERMS = "http://purl.org/dc/terms/"
_INTEGER = PREFIXES["xsd"] + "integer"


class _Hashing:
    """A write-through file wrapper counting bytes and hashing them."""

    def __init__(self, fh: BinaryIO):
        self.fh = fh
        self.sha256 = hashlib.sha256()
        self.bytes = 0

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.bytes += len(data)
        return self.fh.write(data)

    def flush(self) -> None:
        self.fh.flush()


def _replace(path: str, data: bytes) -> None:
    with open(path + ".tmp", "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(path + ".tmp", path)


class DumpSink:
    """A directory of shards; the same interface as :class:`~marc2rdf.serialize.sinks.Sink`."""

    def __init__(self, directory: str, fmt: Format, shard_size: int, compress: bool = False,
                 license: str | None = None, uri_space: str | None = None):
        if shard_size < 1:
            raise ValueError("the shard size is a number of records, at least 1")
        self.directory = directory
        self.fmt = fmt
        self.shard_size = shard_size
        self.compress = compress
        self.license = license
        self.uri_space = uri_space
        self.records = 0
        self.triples = 0
        self.vocabularies: set[str] = set()
        self.shards: list[dict] = []
        self._current: tuple[Sink, _Hashing, str] | None = None
        os.makedirs(directory, exist_ok=True)
        for name in os.listdir(directory):
            if _OURS.fullmatch(name):
                os.remove(os.path.join(directory, name))

    def begin(self) -> None:
        pass

    def write(self, triples: list[Triple], graph: str | None = None, focus: str | None = None) -> None:
        self.vocabularies |= vocabularies(triples)
        self.write_record(self.fmt.record(triples, graph, focus), len(triples))

    def write_record(self, data: bytes, triples: int) -> None:
        if self._current is None:
            self._open()
        assert self._current is not None
        sink = self._current[0]
        sink.write_record(data, triples)
        self.records += 1
        self.triples += triples
        if sink.records >= self.shard_size:
            self._close()

    def write_records(self, records: Records, start: int = 0, stop: int | None = None) -> None:
        """Write records ``start`` to ``stop - 1`` of ``records`` (all by default): one write per
        shard they fall in."""
        stop = len(records) if stop is None else stop
        while start < stop:
            if self._current is None:
                self._open()
            assert self._current is not None
            sink = self._current[0]
            cut = min(stop, start + self.shard_size - sink.records)
            triples = sink.triples
            sink.write_records(records, start, cut)
            self.records += cut - start
            self.triples += sink.triples - triples
            start = cut
            if sink.records >= self.shard_size:
                self._close()

    def _open(self) -> None:
        name = f"part-{len(self.shards) + 1:05d}.{self.fmt.extension}" + (".gz" if self.compress else "")
        hashing = _Hashing(open(os.path.join(self.directory, name + ".tmp"), "wb"))  # noqa: SIM115 - closed by _close
        sink = Sink(hashing, self.fmt, self.compress)  # type: ignore[arg-type]
        sink.begin()
        self._current = (sink, hashing, name)

    def _close(self) -> None:
        assert self._current is not None
        sink, hashing, name = self._current
        self._current = None
        sink.end()
        hashing.fh.flush()
        os.fsync(hashing.fh.fileno())
        hashing.fh.close()
        path = os.path.join(self.directory, name)
        os.replace(path + ".tmp", path)
        self.shards.append({"file": name, "records": sink.records, "triples": sink.triples,
                            "bytes": hashing.bytes, "sha256": hashing.sha256.hexdigest()})

    def end(self, **metadata) -> None:
        """Close the last shard, then write the VoID description and the manifest."""
        if self._current is not None:
            self._close()
        _replace(os.path.join(self.directory, VOID), self.void())
        manifest = {
            "format": self.fmt.name,
            "media_type": self.fmt.media_type,
            "compression": "gzip" if self.compress else None,
            "shard_size": self.shard_size,
            **metadata,
            "totals": {"shards": len(self.shards), "records": self.records, "triples": self.triples,
                       "bytes": sum(s["bytes"] for s in self.shards)},
            "shards": self.shards,
            "void": VOID,
        }
        text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        _replace(os.path.join(self.directory, MANIFEST), text.encode("utf-8"))

    def void(self) -> bytes:
        """The VoID description of the dump, in Turtle."""
        d = "<#dataset>"

        def number(n: int) -> str:
            return f'"{n}"^^<{_INTEGER}>'

        triples = [
            (d, f"<{PREFIXES['rdf']}type>", f"<{_VOID}Dataset>"),
            (d, f"<{_VOID}triples>", number(self.triples)),
            (d, f"<{_VOID}entities>", number(self.records)),
            (d, f"<{_VOID}feature>", f"<{self.fmt.feature}>"),
        ]
        if self.uri_space:
            triples.append((d, f"<{_VOID}uriSpace>", json.dumps(self.uri_space, ensure_ascii=False)))
        if self.license:
            triples.append((d, f"<{_DCTERMS}license>", f"<{self.license}>"))
        triples += [(d, f"<{_VOID}vocabulary>", f"<{ns}>") for ns in sorted(self.vocabularies)]
        triples += [(d, f"<{_VOID}dataDump>", f"<{s['file']}>") for s in self.shards]
        fmt = Turtle({"void": _VOID, "dcterms": _DCTERMS, "xsd": PREFIXES["xsd"]})
        return fmt.header() + fmt.record(triples, focus=d)
