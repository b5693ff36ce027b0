"""Running a job over many inputs: counts, the reject file, progress and the final summary.

Every command that reads records goes through :class:`Run`, so every command keeps the same
contract: each record read is either passed on or rejected with its position, the rejected raw
bytes are kept, and ``read = passed + rejected`` holds at the end.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, TextIO

from marc2rdf.readers import format_named, read
from marc2rdf.readers.base import InputError, Item, Read, Reject, control_number

EXIT_OK = 0
EXIT_STRICT = 1
EXIT_USAGE = 2
EXIT_REJECTS = 3

MAX_MESSAGES = 20  # rejects and repairs printed on stderr; the rest go to the reject log


class StrictStop(Exception):
    """``--strict`` met a bad record."""


@dataclass
class Counts:
    read: int = 0
    rejected: int = 0
    repaired: int = 0
    converted: int = 0
    inputs_failed: list[str] = field(default_factory=list)


class Progress:
    """Records/s and ETA on a terminal, refreshed at most twice a second; silent otherwise."""

    def __init__(self, stream: TextIO, enabled: bool | None = None):
        self.stream = stream
        self.enabled = stream.isatty() if enabled is None else enabled
        self.start = time.monotonic()
        self._last = 0.0
        self._shown = False

    def update(self, counts: Counts, done_bytes: int = 0, total_bytes: int = 0, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.5:
            return
        self._last = now
        elapsed = max(now - self.start, 1e-9)
        rate = counts.read / elapsed
        line = f"{counts.read:,} records, {counts.rejected:,} rejected, {rate:,.0f} records/s"
        if total_bytes and done_bytes:
            remaining = elapsed * (total_bytes - done_bytes) / done_bytes
            line += f", {100 * done_bytes / total_bytes:.0f}%, ETA {_duration(remaining)}"
        self.stream.write("\r\x1b[K" + line)
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class Run:
    """Reads inputs for a command; keeps the counts, the rejects and the messages."""

    def __init__(
        self,
        inputs: list[str],
        from_format: str | None = None,
        rejects: str | None = None,
        strict: bool = False,
        stderr: TextIO | None = None,
        progress: bool | None = None,
    ):
        self.inputs = inputs
        self.from_format = from_format
        self.rejects_path = rejects
        self.strict = strict
        self.stderr = stderr or sys.stderr
        self.counts = Counts()
        self.progress = Progress(self.stderr, progress)
        self._rejects: BinaryIO | None = None
        self._log: TextIO | None = None
        self._messages = 0
        self._total_bytes = sum(_size(p) for p in inputs)
        self._done_bytes = 0
        self._input_start = 0

    # -- reading ---------------------------------------------------------------------------
    def records(self) -> Iterator[Read]:
        """The good records of every input, in order; rejects are kept and counted on the way."""
        if self.from_format:
            format_named(self.from_format)  # an unknown name is a usage error before any reading
        for path in self.inputs:
            self.begin_input(path)
            try:
                for item in read(path, self.from_format):
                    if self.account(item):
                        yield item
            except InputError as exc:
                self.input_failed(path, exc)
            self.end_input(path)

    # what ``records`` does, step by step, for engines that read the inputs elsewhere
    def begin_input(self, path: str) -> None:
        self._input_start = self._done_bytes

    def end_input(self, path: str) -> None:
        self._done_bytes = self._input_start + _size(path)

    def input_failed(self, path: str, exc: InputError) -> None:
        self.counts.inputs_failed.append(path)
        self._say(f"error: {exc}", always=True)

    def account(self, item: Item) -> bool:
        """Count one item of the current input, report its repairs or reject it, show progress;
        True for a good record."""
        self.counts.read += 1
        if isinstance(item, Reject):
            self._reject(item)
        elif item.repairs:
            self.counts.repaired += 1
            self._say(f"repaired {item.position}: " + "; ".join(item.repairs))
        if item.position.offset is not None:
            self._done_bytes = self._input_start + item.position.offset
        self.progress.update(self.counts, self._done_bytes, self._total_bytes)
        return isinstance(item, Read)

    def account_records(self, count: int, offset: int | None = None) -> None:
        """Count ``count`` good records of the current input that need no message (no repairs),
        read elsewhere: what :meth:`account` does for each, at once. ``offset``: how far into the
        input the reading has got, when known."""
        self.counts.read += count
        if offset is not None:
            self._done_bytes = self._input_start + offset
        self.progress.update(self.counts, self._done_bytes, self._total_bytes)

    def reject_later(self, item: Read, reason: str, number: str | None = None) -> None:
        """A record that was read but failed at a later stage (mapping, writing); ``number`` is
        its 001 when the record itself is no longer at hand."""
        number = number or (control_number(item.record) if item.record is not None else None)
        self._reject(Reject(item.position, item.raw, reason, number))

    def _reject(self, item: Reject) -> None:
        self.counts.rejected += 1
        message = f"rejected {item.message()}"
        if self.rejects_path:
            if self._rejects is None:
                self._rejects = open(self.rejects_path, "wb")  # noqa: SIM115 (closed by close())
                self._log = open(self.rejects_path + ".log", "w", encoding="utf-8")  # noqa: SIM115
            self._rejects.write(item.raw)
            assert self._log is not None
            self._log.write(message + "\n")
        self._say(message, always=self.strict)
        if self.strict:
            raise StrictStop(message)

    def _say(self, message: str, always: bool = False) -> None:
        if self._log is not None and not message.startswith("rejected"):
            self._log.write(message + "\n")
        if always or self._messages < MAX_MESSAGES:
            self.progress.close()
            self.stderr.write(message + "\n")
        elif self._messages == MAX_MESSAGES:
            more = f" (all of them in {self.rejects_path}.log)" if self.rejects_path else ""
            self.stderr.write(f"... more messages not shown{more}\n")
        self._messages += 1

    # -- the end ---------------------------------------------------------------------------
    def close(self) -> None:
        self.progress.close()
        for fh in (self._rejects, self._log):
            if fh is not None:
                fh.close()

    def summary(self, verb: str = "written") -> str:
        c = self.counts
        passed = c.read - c.rejected
        text = f"{c.read:,} record{'' if c.read == 1 else 's'} read, {passed:,} {verb}, {c.rejected:,} rejected"
        if c.repaired:
            text += f", {c.repaired:,} repaired"
        if c.rejected:
            if self.rejects_path:
                text += f" (raw records in {self.rejects_path}, reasons in {self.rejects_path}.log)"
            else:
                text += " (not kept: use --rejects FILE to keep them)"
        if c.inputs_failed:
            text += f"; {len(c.inputs_failed)} input(s) could not be read"
        return text

    def exit_status(self) -> int:
        if self.counts.inputs_failed:
            return EXIT_USAGE
        if self.counts.rejected:
            return EXIT_REJECTS
        return EXIT_OK


def _size(path: str) -> int:
    try:
        return os.path.getsize(path) if path != "-" else 0
    except OSError:
        return 0

