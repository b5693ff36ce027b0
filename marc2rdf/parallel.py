"""Converting inputs on one process, on N local processes, or on a Dask cluster: one code path.

The inputs become a stream of *tasks*, in input order:

* an ISO 2709 input is cut into byte ranges at record boundaries (a record terminator after a
  field terminator, followed by the five digits of a leader); the worker reads its range with
  the ordinary reader, so the parent does no decoding at all. On Dask a range of a plain file
  travels as ``(path, start, end)`` and the worker reads the file itself (the path must be
  readable there); stdin and gzip inputs travel as bytes.
* any other serialization is read here and its records travel in batches.

A worker maps each record with the profiles and formats it (:class:`Converter`), and sends
back bytes. The parent takes the results in input order, whatever order they finished in, and
keeps the :class:`~marc2rdf.pipeline.Run` contract: every item is counted, a reject (from the
reader or from the mapper, wherever it ran) is reported with its file, ordinal and offset, and
the output is byte for byte the output of one process. At most a few tasks per worker are in
flight, so memory stays flat.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import re
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from pymarc import Record

from marc2rdf.mapping import load_mappers
from marc2rdf.mapping.terms import iri
from marc2rdf.pipeline import Run
from marc2rdf.readers import _items as read_source
from marc2rdf.readers import detect, format_named, read
from marc2rdf.readers.base import InputError, Position, Read, Reject, control_number
from marc2rdf.readers.source import open_source
from marc2rdf.serialize import make_format, vocabularies
from marc2rdf.serialize.jsonld import context_for
from marc2rdf.vocab import PREFIXES

CHUNK_BYTES = 64 << 10  # ISO 2709 bytes a task (local processes)
DASK_CHUNK_BYTES = 1 << 20  # ... on Dask, where a task costs more to schedule
BATCH = 100  # records a task, for inputs read in the parent
WHOLE_BYTES = 4 << 20  # inputs of other serializations up to this size are read by a worker, whole
# the end of a record (field and record terminators) where the next one starts with a leader
_BOUNDARY = re.compile(rb"\x1e\x1d(?=[0-9]{5})")

ENGINES = ("local", "dask")


@dataclass(frozen=True)
class Settings:
    """What a worker needs to convert records: sent with every task, so it stays small."""

    profiles: tuple[str, ...] = ("bibframe",)
    base: str | None = None
    format: str = "nt"
    context_iri: str | None = None


class Fault(Exception):
    """A record that was read but cannot be mapped or written."""


class Converter:
    """Maps a record with the profiles and formats its triples: what is done to each record."""

    def __init__(self, settings: Settings):
        self.mappers = load_mappers(list(settings.profiles), settings.base)
        context = context_for(os.path.basename(settings.profiles[0]))
        self.format = make_format(settings.format, PREFIXES, context=context, context_iri=settings.context_iri)

    def names(self, record: Record) -> tuple[str, str | None]:
        """The record's graph IRI (``{base}{record id}``) and its focus, the Work."""
        mapper = self.mappers[0]
        root = mapper.base + mapper.record_id(record)
        work = mapper.node_templates.get("work")
        return iri(root), iri(root + work) if work else None

    def convert(self, record: Record) -> tuple[bytes, int, set[str]]:
        """(formatted bytes, number of triples, namespaces used), or :class:`Fault`."""
        try:
            triples = [t for m in self.mappers for t in m.map(record)]
            graph, focus = self.names(record)
        except Exception as exc:  # a mapping fault costs this record, never the batch
            raise Fault(f"cannot be mapped: {type(exc).__name__}: {exc}") from exc
        try:
            data = self.format.record(triples, graph, focus)
        except ValueError as exc:  # Unwritable, or text that is not Unicode
            raise Fault(f"cannot be written as {self.format.name}: {exc}") from exc
        return data, len(triples), vocabularies(triples)


_CONVERTERS: dict[Settings, Converter] = {}


def converter(settings: Settings) -> Converter:
    """The converter for these settings, built once per process."""
    conv = _CONVERTERS.get(settings)
    if conv is None:
        conv = _CONVERTERS[settings] = Converter(settings)
    return conv


# -- what a worker does -------------------------------------------------------------------------


def run_task(task: tuple) -> tuple[list, set[str]]:
    """Convert one task. ``("records", settings, [Record])`` gives one entry per record:
    ``(bytes, triples)`` or the reason it failed. ``("iso2709", settings, name, start, data)`` and
    ``("range", settings, path, name, start, end)``, and ``("bytes", settings, name, 0, data, format)``
    for a whole input of another serialization, give one entry per item the reader met:
    ``("ok", where, repairs, bytes, triples)``, ``("fault", where, repairs, raw, reason, 001)`` or
    ``("reject", where, raw, reason, 001)``, where ``where`` is (ordinal in the task, byte
    offset in the input, line), and a last ``("failed", where, message)`` when the input cannot be
    read to its end."""
    kind, settings = task[0], task[1]
    conv = converter(settings)
    used: set[str] = set()
    entries: list = []
    if kind == "records":
        for record in task[2]:
            try:
                data, n, vocab = conv.convert(record)
            except Fault as exc:
                entries.append(str(exc))
                continue
            entries.append((data, n))
            used |= vocab
        return entries, used
    if kind == "range":
        _, _, path, name, start, end = task
        with open(path, "rb") as fh:
            fh.seek(start)
            data = fh.read(end - start)
    else:
        name, start, data = task[2:5]
    items = read(data, task[5] if kind == "bytes" else "iso2709", name)
    while True:
        try:
            item = next(items, None)
        except InputError as exc:  # the input cannot be read further: what was read counts
            entries.append(("failed", (0, None, None), str(exc)))
            break
        if item is None:
            break
        pos = item.position
        where = (pos.ordinal, None if pos.offset is None else start + pos.offset, pos.line)
        if isinstance(item, Reject):
            entries.append(("reject", where, item.raw, item.reason, item.control_number))
            continue
        try:
            out, n, vocab = conv.convert(item.record)
        except Fault as exc:
            entries.append(("fault", where, item.repairs, item.raw, str(exc), control_number(item.record)))
            continue
        entries.append(("ok", where, item.repairs, out, n))
        used |= vocab
    return entries, used


# -- cutting the inputs into tasks --------------------------------------------------------------


def iso2709_chunks(stream, size: int) -> Iterator[tuple[int, bytes]]:
    """(offset, bytes) pieces of about ``size`` bytes, each ending at a record boundary."""
    buf, start = b"", 0
    while True:
        block = stream.read(size)
        if block:
            buf += block
        while len(buf) > size:
            m = _BOUNDARY.search(buf, size - 2)
            if m is None:
                break
            yield start, buf[: m.end()]
            start += m.end()
            buf = buf[m.end() :]
        if not block:
            break
    if buf:
        yield start, buf


class _Joined(io.RawIOBase):
    """The bytes already taken from a stream, then the rest of it."""

    def __init__(self, head: bytes, rest):
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        if self._head:
            n = min(len(buf), len(self._head))
            buf[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buf))
        buf[: len(data)] = data
        return len(data)


def _plain_file(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return os.path.isfile(path) and fh.read(2) != b"\x1f\x8b"
    except OSError:
        return False


def _batches(items: Iterable, size: int) -> Iterator[list]:
    """Lists of ``size`` items; on an input error, the items read before it, then the error."""
    batch: list = []
    try:
        for item in items:
            batch.append(item)
            if len(batch) >= size:
                yield batch
                batch = []
    except InputError:
        if batch:
            yield batch
        raise
    if batch:
        yield batch


def tasks(run: Run, settings: Settings, chunk_bytes: int = CHUNK_BYTES, batch: int = BATCH,
          ranges: bool = False) -> Iterator[tuple[tuple | None, tuple]]:
    """(task or None, what the parent needs to take its result) for every input, in order."""
    for path in run.inputs:
        yield None, ("begin", path)
        try:
            with open_source(path) as src:
                fmt = run.from_format or detect(src.head)
                if fmt and format_named(fmt).name == "iso2709":
                    by_range = ranges and _plain_file(path)
                    for start, data in iso2709_chunks(src.stream, chunk_bytes):
                        if by_range:
                            task = ("range", settings, os.path.abspath(path), src.name, start, start + len(data))
                        else:
                            task = ("iso2709", settings, src.name, start, data)
                        yield task, ("raw", src.name)
                elif fmt and not ranges:
                    # a small input of another serialization travels whole, as bytes, and the worker
                    # reads it: the parent neither parses it nor pickles its records
                    data = src.stream.read(WHOLE_BYTES + 1)
                    if len(data) <= WHOLE_BYTES:
                        yield ("bytes", settings, src.name, 0, data, fmt), ("raw", src.name)
                        continue
                    src.stream = io.BufferedReader(_Joined(data, src.stream), buffer_size=1 << 16)
                    for items in _batches(read_source(src, fmt), batch):
                        yield ("records", settings, [i.record for i in items if isinstance(i, Read)]), ("items", items)
                else:
                    for items in _batches(read_source(src, fmt), batch):
                        yield ("records", settings, [i.record for i in items if isinstance(i, Read)]), ("items", items)
        except InputError as exc:
            yield None, ("failed", path, exc)
        yield None, ("end", path)


# -- taking the results, in order ---------------------------------------------------------------


class _Taker:
    """Accounts the results of the tasks in :class:`Run` and writes the records to the sink."""

    def __init__(self, run: Run, sink):
        self.run = run
        self.sink = sink
        self.ordinals = 0  # items of the current input already accounted

    def take(self, ctx: tuple, result) -> None:
        run, kind = self.run, ctx[0]
        if kind == "begin":
            run.begin_input(ctx[1])
            self.ordinals = 0
        elif kind == "end":
            run.end_input(ctx[1])
        elif kind == "failed":
            run.input_failed(ctx[1], ctx[2])
        elif kind == "items":
            entries, used = result
            self.sink.vocabularies |= used
            outs = iter(entries)
            for item in ctx[1]:
                if run.account(item):
                    out = next(outs)
                    if isinstance(out, str):
                        run.reject_later(item, out)
                    else:
                        self._write(*out)
        else:
            entries, used = result
            self.sink.vocabularies |= used
            for status, (ordinal, offset, line), *rest in entries:
                position = Position(ctx[1], self.ordinals + ordinal, offset, line)
                if status == "failed":
                    run.input_failed(ctx[1], InputError(rest[0]))
                elif status == "reject":
                    run.account(Reject(position, *rest))
                elif status == "ok":
                    repairs, data, n = rest
                    if run.account(Read(None, position, b"", repairs)):  # type: ignore[arg-type]
                        self._write(data, n)
                else:
                    repairs, raw, reason, number = rest
                    item = Read(None, position, raw, repairs)  # type: ignore[arg-type]
                    if run.account(item):
                        run.reject_later(item, reason, number)
            self.ordinals += len(entries)

    def _write(self, data: bytes, triples: int) -> None:
        self.sink.write_record(data, triples)
        self.run.counts.converted += 1


# -- engines: tasks in, (context, result) out, in order -----------------------------------------

Execute = Callable[[Iterable[tuple[tuple | None, tuple]]], Iterator[tuple[tuple, object]]]


def _serial(todo):
    for task, ctx in todo:
        yield ctx, None if task is None else run_task(task)


def _ordered(todo, submit, window: int):
    """Submit tasks ahead, at most ``window`` in flight; take their results in order."""
    pending: deque = deque()
    for task, ctx in todo:
        pending.append((ctx, None if task is None else submit(task)))
        while len(pending) > window or (pending and pending[0][1] is None):
            ctx, future = pending.popleft()
            yield ctx, None if future is None else future.result()
    while pending:
        ctx, future = pending.popleft()
        yield ctx, None if future is None else future.result()


def _quiet_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # ^C is the parent's to handle


@contextmanager
def local_engine(jobs: int) -> Iterator[Execute]:
    if jobs <= 1:
        yield _serial
        return
    from concurrent.futures import ProcessPoolExecutor

    # forked workers inherit the compiled profiles; elsewhere each compiles them once
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_quiet_worker)
    try:
        yield lambda todo: _ordered(todo, lambda task: pool.submit(run_task, task), 2 * jobs + 2)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def dask_engine(scheduler: str | None, jobs: int) -> Iterator[Execute]:
    import logging

    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise InputError("--engine dask needs Dask: pip install 'marc2rdf[dask]'") from exc
    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout=10)
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from exc
    else:
        cluster = LocalCluster(n_workers=max(jobs, 1), threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    slots = sum(client.nthreads().values()) or 1

    def execute(todo):
        try:
            yield from _ordered(todo, lambda task: client.submit(run_task, task, pure=False), 2 * slots + 2)
        except (InputError, MemoryError):
            raise
        except Exception as exc:  # raised on the cluster: most often an environment that differs
            raise InputError(f"a task failed on the Dask cluster: {type(exc).__name__}: {exc} (is this "
                             f"marc2rdf, with its profiles, installed on the scheduler and every worker?)") from exc

    try:
        yield execute
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def convert(run: Run, settings: Settings, sink, jobs: int = 1, engine: str = "local",
            scheduler: str | None = None) -> None:
    """Convert every input of ``run`` into ``sink`` (records in input order)."""
    if run.from_format:
        format_named(run.from_format)  # an unknown name is a usage error before any reading
    converter(settings)  # profile errors before any reading; forked workers inherit it
    taker = _Taker(run, sink)
    if engine == "dask":
        with dask_engine(scheduler, jobs) as execute:
            for ctx, result in execute(tasks(run, settings, DASK_CHUNK_BYTES, 5 * BATCH, ranges=True)):
                taker.take(ctx, result)
    else:
        with local_engine(jobs) as execute:
            for ctx, result in execute(tasks(run, settings)):
                taker.take(ctx, result)
