"""Converting inputs on one process, on N local processes, or on a Dask cluster: one code path.

The inputs become a stream of *tasks*, in input order:

* an ISO 2709 input is cut into byte ranges at record boundaries (a record terminator after a
  field terminator, followed by the five digits of a leader); the worker reads its range with
  the ordinary reader, so the parent does no decoding at all. On Dask a range of a plain file
  travels as ``(path, start, end)`` and the worker reads the file itself (the path must be
  readable there); stdin and gzip inputs travel as bytes.
* an input of another serialization up to :data:`WHOLE_BYTES` travels whole, as bytes, and the
  worker reads it (on Dask, and above that size, it is read here and its records travel in
  batches). Such an input is one task however many records it holds, so on local processes the
  large ones are started before their turn (:class:`_Ahead`): reached last, one would keep a
  worker busy while the others have nothing left to do.
* consecutive small tasks (many small inputs, each with its own begin, end and positions) travel
  as one group task (:func:`grouped`), so that a task's fixed costs are paid once for them all.
* on local processes, tasks shrink as the end of the input bytes nears (:class:`Taper`), so that
  the workers finish at about the same time.

A worker maps each record with the profiles and formats it (:class:`Converter`), and sends
back one block of bytes for the task's records (:class:`~marc2rdf.serialize.sinks.Records`; on
forked local processes it is left in shared memory, see :class:`_Slots`) with a list of the few
items that need a message of their own: rejects, faults, repairs. The parent takes the results in
input order, whatever order they finished in, writes the good records between two such items at
once, and keeps the :class:`~marc2rdf.pipeline.Run` contract: every item is counted, a reject
(from the reader or from the mapper, wherever it ran) is reported with its file, ordinal and
offset, and the output is byte for byte the output of one process. At most a few tasks per
worker are in flight, and inputs of :data:`WHOLE_BYTES` started before their turn, so memory
stays flat. The workers are forked once the first tasks are cut, with the readers those tasks
need already imported.
"""

from __future__ import annotations

import mmap
import multiprocessing
import os
import re
import signal
import stat
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import chain
from typing import NamedTuple

from pymarc import Record

from marc2rdf.mapping import load_mappers
from marc2rdf.mapping.terms import iri
from marc2rdf.pipeline import Run
from marc2rdf.readers import _items as read_source
from marc2rdf.readers import detect, format_named, read
from marc2rdf.readers.base import InputError, Position, Read, Reject, control_number
from marc2rdf.readers.source import open_source, prepended
from marc2rdf.serialize import DumpSink, Sink, make_format
from marc2rdf.serialize.base import Triple, Vocabularies
from marc2rdf.serialize.jsonld import context_for
from marc2rdf.serialize.sinks import Records
from marc2rdf.vocab import PREFIXES

CHUNK_BYTES = 64 << 10  # ISO 2709 bytes a task (local processes)
DASK_CHUNK_BYTES = 1 << 20  # ... on Dask, where a task costs more to schedule
LEAST_BYTES = 8 << 10  # ... at the least, near the end of the work (see Taper)
BATCH = 100  # records a task, for inputs read in the parent
WHOLE_BYTES = 4 << 20  # inputs of other serializations up to this size are read by a worker, whole
GROUP_PARTS = 64  # inputs (or pieces of them) one task may read, when they are small
# the end of a record (field and record terminators) where the next one starts with a leader
_BOUNDARY = re.compile(rb"\x1e\x1d(?=[0-9]{5})")

ENGINES = ("local", "dask")


@dataclass(frozen=True)
class Settings:
    """What a worker needs to convert records: sent with every task, so it stays small.
    ``vocabularies``: gather the namespaces the records use, for a dump's VoID description."""

    profiles: tuple[str, ...] = ("bibframe",)
    base: str | None = None
    format: str = "nt"
    context_iri: str | None = None
    vocabularies: bool = False


class Fault(Exception):
    """A record that was read but cannot be mapped or written."""


class Converter:
    """Maps a record with the profiles and formats its triples: what is done to each record."""

    def __init__(self, settings: Settings):
        self.mappers = load_mappers(list(settings.profiles), settings.base)
        context = context_for(os.path.basename(settings.profiles[0]))
        self.format = make_format(settings.format, PREFIXES, context=context, context_iri=settings.context_iri)
        work = self.mappers[0].node_templates.get("work")
        self._work = iri(work)[1:] if work else None  # percent-encoding is per character: it can be appended

    def names(self, record: Record) -> tuple[str, str | None]:
        """The record's graph IRI (``{base}{record id}``) and its focus, the Work."""
        mapper = self.mappers[0]
        graph = iri(mapper.base + mapper.record_id(record))
        return graph, graph[:-1] + self._work if self._work else None

    def convert(self, record: Record) -> tuple[bytes, list[Triple]]:
        """(formatted bytes, the triples), or :class:`Fault`."""
        try:
            mappers = self.mappers
            triples = mappers[0].map(record) if len(mappers) == 1 else [t for m in mappers for t in m.map(record)]
            graph, focus = self.names(record) if self.format.named else (None, None)
        except Exception as exc:  # a mapping fault costs this record, never the batch
            raise Fault(f"cannot be mapped: {type(exc).__name__}: {exc}") from exc
        try:
            data = self.format.record(triples, graph, focus)
        except ValueError as exc:  # Unwritable, or text that is not Unicode
            raise Fault(f"cannot be written as {self.format.name}: {exc}") from exc
        return data, triples


_CONVERTERS: dict[Settings, Converter] = {}


def converter(settings: Settings) -> Converter:
    """The converter for these settings, built once per process."""
    conv = _CONVERTERS.get(settings)
    if conv is None:
        conv = _CONVERTERS[settings] = Converter(settings)
    return conv


# -- what a worker does -------------------------------------------------------------------------


class Result(NamedTuple):
    """What a task sends back: the records converted as one :class:`Records`, and the few items
    the parent must account one by one (``events``, see :func:`run_task`)."""

    records: Records
    events: list
    items: int  # entries of the task: items read (and a last "failed"), or records sent
    end: int | None  # byte offset in the input where the task's bytes end, when it has some
    vocabularies: set[str]


class _Output:
    """Gathers a task's converted records, and the namespaces they use when asked."""

    def __init__(self, settings: Settings):
        self.conv = converter(settings)
        self.data: list[bytes] = []
        self.triples: list[int] = []
        self.vocab = Vocabularies() if settings.vocabularies else None

    def convert(self, record: Record) -> None:
        """Convert one record and keep it, or raise :class:`Fault`."""
        data, triples = self.conv.convert(record)
        self.data.append(data)
        self.triples.append(len(triples))
        if self.vocab is not None:
            self.vocab.add(triples)

    def result(self, events: list, items: int, end: int | None) -> Result:
        records = Records.joined(self.conv.format.separator, self.data, self.triples)
        used = self.vocab.namespaces() if self.vocab is not None else set()
        return Result(records, events, items, end, used)


def run_task(task: tuple) -> Result | list[Result]:
    """Convert one task into a :class:`Result`, whose events are what the parent cannot count in
    bulk; ``("group", settings, [task])``, small tasks sent as one, into the list of theirs.
    ``("records", settings, [Record])``: ``(index, reason)`` for each record that failed.
    ``("iso2709", settings, name, start, data)`` and ``("range", settings, path, name, start, end)``,
    and ``("bytes", settings, name, 0, data, format)`` for a whole input of another serialization:
    ``(k, "ok", where, repairs)`` for a repaired record, ``(k, "fault", where, repairs, raw,
    reason, 001)``, ``(k, "reject", where, raw, reason, 001)``, and a last ``(k, "failed", where,
    message)`` when the input cannot be read to its end; ``k`` is the number of records converted
    before it (a repaired record is record ``k``), ``where`` is (ordinal in the task, byte offset
    in the input, line). Every other item read is a good record, converted, with no message."""
    kind, settings = task[0], task[1]
    if kind == "group":
        return [run_task(part) for part in task[2]]
    out = _Output(settings)
    events: list = []
    if kind == "records":
        for i, record in enumerate(task[2]):
            try:
                out.convert(record)
            except Fault as exc:
                events.append((i, str(exc)))
        return out.result(events, len(task[2]), None)
    if kind == "range":
        _, _, path, name, start, end = task
        with open(path, "rb") as fh:
            fh.seek(start)
            data = fh.read(end - start)
    else:
        name, start, data = task[2:5]
    items = read(data, task[5] if kind == "bytes" else "iso2709", name)
    count = 0
    while True:
        try:
            item = next(items, None)
        except InputError as exc:  # the input cannot be read further: what was read counts
            events.append((len(out.data), "failed", (0, None, None), str(exc)))
            count += 1
            break
        if item is None:
            break
        count += 1
        if isinstance(item, Reject):
            events.append((len(out.data), "reject", _where(item, start), item.raw, item.reason, item.control_number))
            continue
        try:
            out.convert(item.record)
        except Fault as exc:
            events.append((len(out.data), "fault", _where(item, start), item.repairs, item.raw, str(exc),
                           control_number(item.record)))
            continue
        if item.repairs:
            events.append((len(out.data) - 1, "ok", _where(item, start), item.repairs))
    return out.result(events, count, start + len(data))


def _where(item, start: int) -> tuple[int, int | None, int | None]:
    pos = item.position
    return pos.ordinal, None if pos.offset is None else start + pos.offset, pos.line


# -- cutting the inputs into tasks --------------------------------------------------------------


def iso2709_chunks(stream, size: int, sizes: Callable[[], int] | None = None) -> Iterator[tuple[int, bytes]]:
    """(offset, bytes) pieces of about ``size`` bytes, each ending at a record boundary; with
    ``sizes``, of about ``min(size, sizes())`` bytes, asked before each piece."""
    buf, start, eof = b"", 0, False
    while True:
        want = size if sizes is None else min(size, sizes())
        while len(buf) <= want and not eof:
            block = stream.read(size)
            if block:
                buf += block
            else:
                eof = True
        if len(buf) <= want:  # the end of the input
            break
        m = _BOUNDARY.search(buf, want - 2)
        if m is not None:
            yield start, buf[: m.end()]
            start += m.end()
            buf = buf[m.end() :]
        elif eof:
            break
        else:  # a record longer than the piece: read on
            block = stream.read(size)
            if block:
                buf += block
            else:
                eof = True
    if buf:
        yield start, buf


class Taper:
    """Task sizes that shrink as the end of the work nears, so that the workers finish together.

    A task near the end of a run keeps its worker busy while the others have nothing left to do:
    with tasks of ``most`` bytes the last worker ends up to a whole task after the others. So a
    task is at most ``left / (2 × jobs)`` bytes, ``left`` being the input bytes not yet given out
    as tasks (``least`` at the least, where a task's fixed costs would start to show). ``left`` is
    counted from the inputs' sizes on disk; with an input of unknown size (standard input, gzip)
    every task is ``most`` bytes."""

    def __init__(self, inputs: list[str], jobs: int, most: int, least: int):
        self.jobs, self.most, self.least = jobs, most, least
        self.sizes = [_input_size(path) for path in inputs]
        self.left = None if None in self.sizes else sum(self.sizes)  # type: ignore[arg-type]
        self.given = [0] * len(inputs)

    def __call__(self) -> int:
        """The size of the next task."""
        if self.left is None:
            return self.most
        return max(self.least, min(self.most, self.left // (2 * self.jobs)))

    def give(self, i: int, n: int) -> None:
        """``n`` bytes of input ``i`` went into a task."""
        n = min(n, max(0, (self.sizes[i] or 0) - self.given[i]))  # an input grown since: no more than its size
        self.given[i] += n
        if self.left is not None:
            self.left -= n

    def finish(self, i: int) -> None:
        """Input ``i`` is given out (or could not be read)."""
        self.give(i, (self.sizes[i] or 0) - self.given[i])


def _input_size(path: str) -> int | None:
    """The bytes of a plain file; None where they are not known before reading (standard input,
    a pipe, gzip)."""
    if path == "-" or path.endswith(".gz"):
        return None
    try:
        info = os.stat(path)
    except OSError:
        return 0  # a missing input: nothing to give out
    return info.st_size if stat.S_ISREG(info.st_mode) else None


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
          ranges: bool = False, ahead: int = 0, taper: Taper | None = None) -> Iterator[tuple[tuple | None, tuple]]:
    """(task or None, what the parent needs to take its result) for every input, in order.
    With ``ahead``, inputs that would each be one large task, up to that many bytes of them (see
    :class:`_Ahead`), are started before their turn: ``(task, ("ahead", i))``, then in its place
    ``(("ahead", i), context)``. With ``taper``, ISO 2709 pieces are of the sizes it gives, and it
    is told of every input byte given out."""
    early = _Ahead(run, settings, chunk_bytes, ahead) if ahead and not ranges else None
    for i, path in enumerate(run.inputs):
        name = early.taken(i) if early is not None else None
        if early is not None:
            for task, ctx in early.start(i):
                if taper is not None:
                    taper.give(ctx[1], len(task[4]))
                yield task, ctx
        yield None, ("begin", path)
        if name is not None:  # started before
            yield ("ahead", i), ("raw", name)
            yield None, ("end", path)
            continue
        try:
            with open_source(path) as src:
                fmt = run.from_format or detect(src.head)
                if fmt and format_named(fmt).name == "iso2709":
                    by_range = ranges and _plain_file(path)
                    for start, data in iso2709_chunks(src.stream, chunk_bytes, taper):
                        if taper is not None:
                            taper.give(i, len(data))
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
                    else:
                        src.stream = prepended(data, src.stream, 1 << 16)
                        for items in _batches(read_source(src, fmt), batch):
                            yield ("records", settings, [i.record for i in items if isinstance(i, Read)]), ("items", items)
                else:
                    for items in _batches(read_source(src, fmt), batch):
                        yield ("records", settings, [i.record for i in items if isinstance(i, Read)]), ("items", items)
        except InputError as exc:
            yield None, ("failed", path, exc)
        if taper is not None:
            taper.finish(i)
        yield None, ("end", path)


class _Ahead:
    """Inputs started before their turn. An input of another serialization than ISO 2709 travels
    whole, as one task, however many records it holds: reached last, it would keep one worker busy
    while the others have nothing left to do. So the plain files of more than ``chunk_bytes`` that
    would travel so, among the inputs up to :data:`WHOLE_BYTES` ahead of the one being cut into
    tasks, are read and sent at once, ``most`` bytes of them at a time; the parent takes their
    results in their turn. An input that turns out to be anything else waits for its turn."""

    def __init__(self, run: Run, settings: Settings, chunk_bytes: int, most: int):
        self.run, self.settings, self.chunk_bytes, self.most = run, settings, chunk_bytes, most
        self.started: dict[int, tuple[str, int]] = {}  # index of an input started -> its name, bytes
        self.held = 0  # bytes of the inputs started
        self.seen = 0  # inputs before this index were looked at
        self.sizes: deque[tuple[int, int]] = deque()  # (index, size) of those after the current one
        self.between = 0  # their bytes

    def start(self, i: int) -> Iterator[tuple[tuple, tuple]]:
        """The tasks to start when input ``i`` is reached."""
        inputs, sizes = self.run.inputs, self.sizes
        while sizes and sizes[0][0] <= i:
            self.between -= sizes.popleft()[1]
        self.seen = max(self.seen, i + 1)
        while self.seen < len(inputs) and self.between <= WHOLE_BYTES:
            j, path = self.seen, inputs[self.seen]
            size = _file_size(path)
            if self.chunk_bytes < size <= WHOLE_BYTES and self.held + size > self.most:
                break  # it waits for inputs started before it to be taken
            self.seen += 1
            task = self._task(path) if self.chunk_bytes < size <= WHOLE_BYTES and _plain_file(path) else None
            if task is not None:
                self.started[j] = task[2], len(task[4])
                self.held += len(task[4])
                yield task, ("ahead", j)
            sizes.append((j, size))
            self.between += size

    def taken(self, i: int) -> str | None:
        """Input ``i`` has its turn: its name if it was started."""
        if i not in self.started:
            return None
        name, size = self.started.pop(i)
        self.held -= size
        return name

    def _task(self, path: str) -> tuple | None:
        try:
            with open_source(path) as src:
                fmt = self.run.from_format or detect(src.head)
                if not fmt or format_named(fmt).name == "iso2709":
                    return None
                data = src.stream.read(WHOLE_BYTES + 1)
        except InputError:
            return None
        return ("bytes", self.settings, src.name, 0, data, fmt) if len(data) <= WHOLE_BYTES else None


def _file_size(path: str) -> int:
    try:
        return os.path.getsize(path) if path != "-" else 0
    except OSError:
        return 0


def _size(task: tuple) -> int | None:
    """The input bytes a task reads, or None for a task that is not read by a worker."""
    kind = task[0]
    if kind in ("iso2709", "bytes"):
        return len(task[4])
    if kind == "range":
        return task[5] - task[4]
    return None


def grouped(todo: Iterable[tuple[tuple | None, tuple]], budget: int, most: int = GROUP_PARTS,
            taper: Taper | None = None) -> Iterator[tuple[tuple | None, tuple]]:
    """The tasks of :func:`tasks`, consecutive small ones sent as one ``("group", settings, [task])``
    of at most ``budget`` input bytes (or what ``taper`` gives, when less) and ``most`` tasks, so
    that many small inputs cost few tasks.
    Its context, ``("group", [(context, index of its result or None)])``, keeps every context of the
    tasks and the inputs it covers (their begin and end, an input that could not be opened) in order."""
    parts: list[tuple] = []
    ctxs: list[tuple[tuple, int | None]] = []
    size = 0

    def group():
        if len(parts) > 1:
            yield ("group", parts[0][1], parts), ("group", ctxs)
        else:  # the task alone, then the contexts after it
            yield parts[0], ctxs[0][0]
            for ctx, _ in ctxs[1:]:
                yield None, ctx

    for task, ctx in todo:
        if ctx[0] == "ahead":  # started before its turn: not part of a group
            yield task, ctx
            continue
        if task is None:
            if parts:
                ctxs.append((ctx, None))
            else:
                yield None, ctx
            continue
        n = _size(task)
        limit = budget if taper is None else min(budget, taper())
        if parts and (n is None or size + n > limit or len(parts) >= most):
            yield from group()
            parts, ctxs, size = [], [], 0
        if n is None or n > limit:
            yield task, ctx
            continue
        ctxs.append((ctx, len(parts)))
        parts.append(task)
        size += n
    if parts:
        yield from group()


# -- taking the results, in order ---------------------------------------------------------------


class _Taker:
    """Accounts the results of the tasks in :class:`Run` and writes the records to the sink:
    the records between two events at once, the events one by one."""

    def __init__(self, run: Run, sink):
        self.run = run
        self.sink = sink
        self.write = sink.write_records if isinstance(sink, (Sink, DumpSink)) else self._one_by_one
        self.ordinals = 0  # items of the current input already accounted

    def take(self, ctx: tuple, result: Result | list[Result] | None) -> None:
        run, kind = self.run, ctx[0]
        if kind == "group":
            assert isinstance(result, list)
            for part, i in ctx[1]:
                self.take(part, None if i is None else result[i])
        elif kind == "begin":
            run.begin_input(ctx[1])
            self.ordinals = 0
        elif kind == "end":
            run.end_input(ctx[1])
        elif kind == "failed":
            run.input_failed(ctx[1], ctx[2])
        else:
            assert isinstance(result, Result)
            if result.vocabularies:
                self.sink.vocabularies |= result.vocabularies
            if kind == "items":
                self._take_items(ctx[1], result)
            else:
                self._take_read(ctx[1], result)

    def _take_items(self, items: list, result: Result) -> None:
        """A batch read here: every item is accounted here."""
        run = self.run
        faults = dict(result.events)
        i = k = 0  # records sent, records converted
        for item in items:
            if run.account(item):
                if i in faults:
                    run.reject_later(item, faults[i])
                else:
                    self._write(result.records, k, k + 1)
                    k += 1
                i += 1

    def _take_read(self, name: str, result: Result) -> None:
        """A task read by a worker: the good records between two events count at once."""
        run, records = self.run, result.records
        done = 0  # records of the task written
        for k, status, (ordinal, offset, line), *rest in result.events:
            if k > done:
                run.account_records(k - done, offset)
                self._write(records, done, k)
                done = k
            position = Position(name, self.ordinals + ordinal, offset, line)
            if status == "failed":
                run.input_failed(name, InputError(rest[0]))
            elif status == "reject":
                run.account(Reject(position, *rest))
            elif status == "ok":  # a repaired record
                if run.account(Read(None, position, b"", rest[0])):  # type: ignore[arg-type]
                    self._write(records, k, k + 1)
                    done = k + 1
            else:
                repairs, raw, reason, number = rest
                item = Read(None, position, raw, repairs)  # type: ignore[arg-type]
                if run.account(item):
                    run.reject_later(item, reason, number)
        if len(records) > done:
            run.account_records(len(records) - done, result.end)
            self._write(records, done, len(records))
        self.ordinals += result.items

    def _write(self, records: Records, start: int, stop: int) -> None:
        self.write(records, start, stop)
        self.run.counts.converted += stop - start

    def _one_by_one(self, records: Records, start: int, stop: int) -> None:
        """For a sink that takes records one at a time (the enrichment stage)."""
        for i in range(start, stop):
            self.sink.write_record(records.record(i), records.triples[i])


# -- engines: tasks in, (context, result) out, in order -----------------------------------------

Execute = Callable[[Iterable[tuple[tuple | None, tuple]]], Iterator[tuple[tuple, object]]]


def _serial(todo):
    for task, ctx in todo:
        yield ctx, None if task is None else run_task(task)


def _ordered(todo, submit, window: int, aside=None):
    """Submit tasks ahead, at most ``window`` in flight; take their results in order. A task
    started before its turn (see :func:`tasks`) is submitted with ``aside`` when given."""
    pending: deque = deque()
    early: dict = {}
    for task, ctx in todo:
        if ctx[0] == "ahead":
            early[ctx[1]] = (aside or submit)(task)
            continue
        if task is None:
            future = None
        else:
            future = early.pop(task[1]) if task[0] == "ahead" else submit(task)
        pending.append((ctx, future))
        while len(pending) > window or (pending and pending[0][1] is None):
            ctx, future = pending.popleft()
            yield ctx, None if future is None else future.result()
    while pending:
        ctx, future = pending.popleft()
        yield ctx, None if future is None else future.result()


class _Slots:
    """Memory shared with forked workers, where each task leaves its records' bytes: its result
    then crosses the pipe without them, and the parent writes them to the sink from where the
    worker put them, with no pipe to read and nothing to unpickle. Task ``i`` uses slot
    ``i % count``; with ``count`` above the number of tasks :func:`_ordered` keeps in flight,
    a slot is taken by a task only once the task that used it before was taken. Bytes that do
    not fit in a slot travel in the result, as they do without slots."""

    SIZE = 4 << 20  # bytes a slot

    def __init__(self, count: int):
        self.count = count
        self.memory = mmap.mmap(-1, count * self.SIZE)  # anonymous and shared: forked workers see it
        self.view = memoryview(self.memory)
        self.submitted = 0

    def submit(self, pool, task: tuple) -> _InSlot:
        slot = self.submitted % self.count
        self.submitted += 1
        return _InSlot(pool.submit(_run_in_slot, task, slot), self.view[slot * self.SIZE : (slot + 1) * self.SIZE])


class _InSlot:
    """A task's future whose records' bytes may be waiting in a slot."""

    def __init__(self, future, slot: memoryview):
        self.future, self.slot = future, slot

    def result(self) -> Result | list[Result]:
        result, sizes = self.future.result()
        if sizes is not None:
            start = 0
            for part, size in zip(_parts(result), sizes, strict=True):
                part.records.data = self.slot[start : start + size]
                start += size
        return result


_WORKER_SLOTS: _Slots | None = None  # in a worker, the slots it shares with the parent


def _init_worker(slots: _Slots | None) -> None:
    global _WORKER_SLOTS
    _WORKER_SLOTS = slots
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # ^C is the parent's to handle


def _parts(result: Result | list[Result]) -> list[Result]:
    return result if isinstance(result, list) else [result]


def _run_in_slot(task: tuple, slot: int) -> tuple[Result | list[Result], list[int] | None]:
    """:func:`run_task`, leaving the records' bytes in ``slot`` when they fit (those of a group's
    tasks one after the other): (result, their sizes)."""
    result = run_task(task)
    parts = _parts(result)
    sizes = [len(part.records.data) for part in parts]
    if _WORKER_SLOTS is None or sum(sizes) > _Slots.SIZE:
        return result, None
    start = slot * _Slots.SIZE
    for part, size in zip(parts, sizes, strict=True):
        _WORKER_SLOTS.memory[start : start + size] = part.records.data
        part.records.data = b""
        start += size
    return result, sizes


@contextmanager
def local_engine(jobs: int) -> Iterator[Execute]:
    if jobs <= 1:
        yield _serial
        return
    from concurrent.futures import ProcessPoolExecutor

    # forked workers inherit the compiled profiles and the slots; elsewhere each compiles the
    # profiles once, and the records' bytes travel in the results
    window = 2 * jobs + 2
    fork = "fork" in multiprocessing.get_all_start_methods()
    slots = _Slots(window + 1) if fork else None
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork" if fork else None),
                               initializer=_init_worker, initargs=(slots,))
    # a task started before its turn is taken long after the tasks submitted next to it: its
    # records' bytes travel in its result, where no later task can overwrite them
    aside = partial(pool.submit, run_task)
    submit = partial(slots.submit, pool) if slots is not None else aside

    def execute(todo):
        todo = iter(todo)
        first = _first_tasks(todo, window)
        if fork:  # the workers are forked at the first submission: they inherit these readers
            for fmt in sorted({fmt for task, _ in first if task is not None for fmt in _formats(task)}):
                format_named(fmt).load_reader()
        return _ordered(chain(first, todo), submit, window, aside)

    try:
        yield execute
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _first_tasks(todo: Iterator[tuple[tuple | None, tuple]], count: int) -> list[tuple[tuple | None, tuple]]:
    """What ``todo`` gives up to its ``count``-th task in its turn, or its first batch of records
    read here (the parent does not read more of those before the workers start)."""
    first = []
    for task, ctx in todo:
        first.append((task, ctx))
        if task is not None and ctx[0] != "ahead":
            count -= 1
            if count <= 0 or task[0] == "records":
                break
    return first


def _formats(task: tuple) -> Iterator[str]:
    """The serializations a worker reads for a task."""
    kind = task[0]
    if kind == "group":
        for part in task[2]:
            yield from _formats(part)
    elif kind in ("iso2709", "range"):
        yield "iso2709"
    elif kind == "bytes":
        yield task[5]


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
            todo = grouped(tasks(run, settings, DASK_CHUNK_BYTES, 5 * BATCH, ranges=True), DASK_CHUNK_BYTES)
            for ctx, result in execute(todo):
                taker.take(ctx, result)
    else:
        with local_engine(jobs) as execute:
            if jobs > 1:
                taper = Taper(run.inputs, jobs, CHUNK_BYTES, LEAST_BYTES)
                todo = grouped(tasks(run, settings, ahead=WHOLE_BYTES, taper=taper), CHUNK_BYTES, taper=taper)
            else:
                todo = tasks(run, settings)
            for ctx, result in execute(todo):
                taker.take(ctx, result)
