"""Compiled rule functions kept on disk between runs, as Python keeps modules' bytecode.

Compiling a profile writes the source of one function per rule (:mod:`marc2rdf.mapping.fuse`);
turning that source into code is most of what loading a profile costs. The code of each source
is kept in a cache folder, named by a digest of the source, its name and the Python that
compiled it: a changed mapping file gives a changed source, hence another name, and the code
of a source is always the code of that very source.

The folder is ``$MARC2RDF_RULE_CACHE`` if set (empty or ``off``: no cache), else
``$XDG_CACHE_HOME/marc2rdf/rules`` or ``~/.cache/marc2rdf/rules`` (none without a home). A file
that cannot be read, or is not the code of its source, is compiled again and written anew; a
folder that cannot be written only means compiling every time. Files are written under a
temporary name, then renamed: two processes compiling at once never see half a file.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from pathlib import Path
from types import CodeType

_TAG = f"{sys.implementation.cache_tag}-O{sys.flags.optimize}"


def cache_dir() -> Path | None:
    """The folder compiled rules are kept in, or None when caching is off."""
    configured = os.environ.get("MARC2RDF_RULE_CACHE")
    if configured is not None:
        return None if configured.strip().lower() in ("", "off") else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, or relative: which the XDG specification says to ignore
        base = os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):  # no home to be found: no cache, rather than a "~" folder here
        return None
    return Path(base) / "marc2rdf" / "rules"


def compiled(source: str, filename: str) -> CodeType:
    """``compile(source, filename, "exec")``, from the cache when it holds it."""
    folder = cache_dir()
    if folder is None:
        return compile(source, filename, "exec")
    digest = hashlib.sha256(f"{_TAG}\0{filename}\0{source}".encode()).hexdigest()[:40]
    path = folder / _TAG / f"{digest}.code"
    try:
        code = marshal.loads(path.read_bytes())
        if isinstance(code, CodeType) and code.co_filename == filename:
            return code
    except (OSError, ValueError, EOFError, TypeError):
        pass
    code = compile(source, filename, "exec")
    _write(path, marshal.dumps(code))
    return code


def _write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # a folder that cannot be written: the code is compiled again next time
