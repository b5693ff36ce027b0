"""A compiled rule fused into one generated Python function.

:class:`~marc2rdf.mapping.compile.Compiler` turns each piece of a rule (a value, a node, a
condition) into a small function. Run as they are, a rule costs a call per piece per field and
a list per call. Here the pieces whose shape the compiler marked (:func:`shaped`: nodes with
their classes and identity, constants, references, guards, alternatives, subfield text, IRI
templates, typed literals, table look-ups, fixed-field positions, chains of transforms with
their join and table, and conditions on fixed fields, tags, indicators and subfield codes) are
written out as the statements of one function per rule, in the order the pieces would have run,
so the triples, their order and the blank node numbers are the ones the pieces give
(``tests/test_mapping_speedups.py`` runs both on every corpus record). Any other piece is called
as it is from the fused function; so are the transforms, but for the common case of
``trim_punctuation``, a value with nothing to trim.

Only our own code is generated: the mapping files' strings reach the source as ``repr``
literals, and conditions' value sets, transforms and tables stay compiled objects the source
refers to by name. Nothing from a mapping file is evaluated.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any

from marc2rdf.mapping.codecache import compiled
from marc2rdf.mapping.terms import NEEDS_ESCAPE, literal
from marc2rdf.vocab import RDF_TYPE

_RDF_TYPE = f"<{RDF_TYPE}>"

Emit = Callable[[int, str], None]  # writes the statements that use a term (an expression) at a depth


def shaped(fn: Callable, *shape: Any) -> Callable:
    """``fn``, marked with what it is made of, for :func:`fuse_rule` (see :class:`_Writer.value`)."""
    fn.shape = shape  # type: ignore[attr-defined]
    return fn


class _Writer:
    """The source of one rule function, and the objects it refers to."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[str, Any] = {"needs_escape": NEEDS_ESCAPE.search, "literal": literal,
                                      "first_item": itemgetter(0)}
        self._ids: dict[int, str] = {}
        self._n = 0
        self.uses_subfields = False  # whether the body reads the field's subfields

    def line(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)

    def ref(self, obj: Any, hint: str) -> str:
        """The name the source uses for ``obj``."""
        name = self._ids.get(id(obj))
        if name is None:
            name = self._ids[id(obj)] = f"_{hint}{len(self.names)}"  # locals never start with _
            self.names[name] = obj
        return name

    def var(self, hint: str) -> str:
        self._n += 1
        return f"{hint}{self._n}"

    # -- conditions: an expression for each ------------------------------------------------
    def cond(self, fn: Callable) -> str:
        """An expression true where the condition ``fn`` holds for ``view`` (see
        ``spec.compile_condition``); a condition of another shape is called."""
        shape = getattr(fn, "shape", None)
        kind = shape[0] if shape else None
        if kind == "fixed":
            tag, start, end, allowed = shape[1:]
            return f"(index.fixed.get({tag!r}, '')[{start}:{end}] in {self.ref(allowed, 'allowed')})"
        if kind == "tag":
            # the tags a rule meets are few: each one's answer is kept, asked for again only when new
            known, call = self.ref(shape[1], "known"), self.ref(fn, "cond")
            return f"({known}.get(view.tag) or (view.tag not in {known} and {call}(view, index)))"
        if kind == "indicator":
            n, allowed = shape[1:]
            # `_indicators`: what pymarc's `indicators` property returns, without the call
            return (f"(((getattr(view.field, '_indicators', None) or '  ')[{n}] or ' ') "
                    f"in {self.ref(allowed, 'allowed')})")
        if kind == "has":
            codes, want = shape[1:]
            # a subfield of one of the codes; the field's codes are read in C, stopping at the first
            found = f"{self.ref(codes, 'codes')}.isdisjoint(map(first_item, getattr(view.field, 'subfields', ())))"
            return f"(not {found})" if want else f"({found})"
        if kind == "record_has":
            tags, want = shape[1:]
            return f"(index.by_tag.keys().isdisjoint({self.ref(tags, 'tags')}) != {want!r})"
        if kind == "all" and shape[1]:
            return "(" + " and ".join(self.cond(c) for c in shape[1]) + ")"
        if kind == "any" and shape[1]:
            return "(" + " or ".join(self.cond(c) for c in shape[1]) + ")"
        if kind == "not":
            return f"(not {self.cond(shape[1])})"
        return f"{self.ref(fn, 'cond')}(view, index)"

    # -- values: each writes the statements that give its terms, one `emit` per term ----------
    def value(self, fn: Callable, depth: int, emit: Emit) -> None:
        shape = getattr(fn, "shape", None)
        kind = shape[0] if shape else None
        if kind == "constant":
            emit(depth, repr(shape[1]))
        elif kind == "ref":
            t = self.var("t")
            self.line(depth, f"{t} = nodes.get({shape[1]!r})")
            self.line(depth, f"if {t} is not None:")
            emit(depth + 1, t)
        elif kind == "guard":
            self.line(depth, f"if {self.cond(shape[1])}:")
            self.value(shape[2], depth + 1, emit)
        elif kind == "alternatives":
            self.alternatives(shape[1], depth, emit)
        elif kind == "text":
            self.text(*shape[1:], depth=depth, emit=emit)
        elif kind == "iris":
            self.iris(*shape[1:], depth=depth, emit=emit)
        elif kind == "literals":
            self.literals(*shape[1:], depth=depth, emit=emit)
        elif kind == "twin_text":
            self.twin_text(*shape[1:], depth=depth, emit=emit)
        elif kind == "node":
            self.node(*shape[1:], depth=depth, emit=emit)
        else:
            o = self.var("o")
            self.line(depth, f"for {o} in {self.ref(fn, 'value')}(view, ctx):")
            emit(depth + 1, o)

    def alternatives(self, alternatives: list, depth: int, emit: Emit) -> None:
        """The terms of the first alternative that gives any."""
        found = self.var("found")
        self.line(depth, f"{found} = []")
        for i, (cond, alt) in enumerate(alternatives):
            d = depth
            if i:
                self.line(d, f"if not {found}:")
                d += 1
            if cond is not None:
                self.line(d, f"if {self.cond(cond)}:")
                d += 1
            self.value(alt, d, lambda dd, e: self.line(dd, f"{found}.append({e})"))
        o = self.var("o")
        self.line(depth, f"for {o} in {found}:")
        emit(depth + 1, o)

    def text(self, codes: frozenset[str], each: bool, join: str, step: Callable | None, general: Callable, *,
             depth: int, emit: Emit) -> None:
        """Plain literals of subfields ``codes`` (see ``compile._subfield_text``); a field in
        another script, or with an 880 twin, goes through ``general``."""
        o = self.var("o")
        self.line(depth, "if view.lang is not None or view.twin is not None:")
        self.line(depth + 1, f"for {o} in {self.ref(general, 'text')}(view, ctx):")
        emit(depth + 2, o)
        self.line(depth, "else:")
        self.subfields(codes, each, join, step, depth + 1, lambda d, e: self.plain(e, d, emit))

    def plain(self, text: str, depth: int, emit: Emit) -> None:
        lit = self.var("lit")
        self.line(depth, f"{lit} = f'\"{{{text}}}\"' if needs_escape({text}) is None else literal({text})")
        emit(depth, lit)

    def iris(self, values: Callable, made: dict, iri_of: Callable, *, depth: int, emit: Emit) -> None:
        """IRIs from a template (see ``compile.Compiler._from``): ``made`` keeps those already made."""
        made_name, iri_name = self.ref(made, "made"), self.ref(iri_of, "iri_of")

        def each(d: int, v: str) -> None:
            term = self.var("term")
            self.line(d, f"{term} = {made_name}.get({v})")
            self.line(d, f"if {term} is None:")
            self.line(d + 1, f"{term} = {iri_name}({v})")
            self.line(d, f"if {term}:")
            emit(d + 1, term)

        self.strings(values, depth, each)

    def literals(self, values: Callable, lang: str | None, datatype: str | None, *, depth: int, emit: Emit) -> None:
        """Literals with the value's language or datatype (a typed value takes no language)."""
        tag = repr(lang) if lang else "None" if datatype else "view.lang"

        def each(d: int, v: str) -> None:
            lit = self.var("lit")
            self.line(d, f"{lit} = literal({v}, {tag}, {datatype!r})")
            emit(d, lit)

        self.strings(values, depth, each)

    def twin_text(self, values: Callable, *, depth: int, emit: Emit) -> None:
        """Literals in the field's language, then those of its 880 twin in the twin's."""

        def each(d: int, v: str) -> None:
            lit = self.var("lit")
            self.line(d, f"{lit} = literal({v}, view.lang)")
            emit(d, lit)

        self.strings(values, depth, each)
        twin, v = self.var("twin"), self.var("v")
        self.line(depth, f"{twin} = view.twin")
        self.line(depth, f"if {twin} is not None:")
        self.line(depth + 1, f"for {v} in {self.ref(values, 'values')}({twin}):")
        lit = self.var("lit")
        self.line(depth + 2, f"{lit} = literal({v}, {twin}.lang)")
        emit(depth + 2, lit)

    # -- strings: what a `from` reads from the field, one `emit` per string -----------------------
    def strings(self, fn: Callable, depth: int, emit: Emit) -> None:
        shape = getattr(fn, "shape", None)
        kind = shape[0] if shape else None
        if kind == "subfields":
            self.subfields(*shape[1:], depth, emit)
        elif kind == "positions":
            self.positions(*shape[1:], depth, emit)
        elif kind == "one_step":
            self.strings(shape[1], depth, lambda d, e: self.results(e, shape[2], d, emit))
        elif kind == "lookup":
            self.lookup(*shape[1:], depth, emit)
        elif kind == "pipeline":
            self.pipeline(*shape[1:], depth, emit)
        else:
            v = self.var("v")
            self.line(depth, f"for {v} in {self.ref(fn, 'strings')}(view):")
            emit(depth + 1, v)

    def subfields(self, codes: frozenset[str], each: bool, join: str, step: Callable | None, depth: int,
                  emit: Emit) -> None:
        """Subfields ``codes``, each one or joined with ``join`` (empty ones left out), through
        ``step`` when there is one (see ``compile._subfield_values``)."""
        self.uses_subfields = True
        c, v = self.var("c"), self.var("v")
        test = f"{c} == {next(iter(codes))!r}" if len(codes) == 1 else f"{c} in {self.ref(codes, 'codes')}"
        if each:
            self.line(depth, f"for {c}, {v} in subfields:")
            self.line(depth + 1, f"if {test} and {v}.strip():")
            self.results(v, step, depth + 2, emit)
            return
        text = self.var("text")
        self.line(depth, f"{text} = None")
        self.line(depth, f"for {c}, {v} in subfields:")
        self.line(depth + 1, f"if {test}:")
        self.line(depth + 2, f"{v} = {v}.strip()")
        self.line(depth + 2, f"if {v}:")
        self.line(depth + 3, f"{text} = {v} if {text} is None else {text} + {join!r} + {v}")
        self.line(depth, f"if {text} is not None:")
        self.results(text, step, depth + 1, emit)

    def results(self, text: str, step: Callable | None, depth: int, emit: Emit) -> None:
        """``text`` through the transform ``step``, which gives None, a string or a list."""
        if step is None:
            emit(depth, text)
            return
        r, x = self.var("r"), self.var("x")
        shape = getattr(step, "shape", None)
        if shape and shape[0] == "trim":
            # trim_punctuation gives None or a string, and most values have nothing to trim
            trail, lead = self.ref(shape[1], "trail"), self.ref(shape[2], "lead")
            self.line(depth, f"{r} = {text} if {text} and {text}[-1] not in {trail} and {text}[0] not in {lead} "
                             f"else {self.ref(step, 'step')}({text})")
            self.line(depth, f"if {r} is not None:")
            emit(depth + 1, r)
            return
        self.line(depth, f"{r} = {self.ref(step, 'step')}({text})")
        self.line(depth, f"if {r} is not None:")
        self.line(depth + 1, f"if isinstance({r}, list):")
        self.line(depth + 2, f"for {x} in {r}:")
        emit(depth + 3, x)
        self.line(depth + 1, "else:")
        emit(depth + 2, r)

    def positions(self, start: int, end: int, blank, depth: int, emit: Emit) -> None:
        """Character positions ``start:end`` of a fixed field (see ``compile.Compiler._extractor``)."""
        v = self.var("v")
        self.line(depth, f"{v} = (getattr(view.field, 'data', None) or '')[{start}:{end}]")
        if blank is not None:
            self.line(depth, f"if len({v}) == {end - start}:")
            self.line(depth + 1, f"{v} = {v}.replace(' ', {str(blank)!r})")
            emit(depth + 1, v)
            self.line(depth, f"elif {v}.strip():")
        else:
            self.line(depth, f"if {v}.strip():")
        emit(depth + 1, v)

    def lookup(self, extract: Callable, mapping: dict, default, depth: int, emit: Emit) -> None:
        """Values looked up in a table; a value it lacks gives ``default``, if any, once."""
        table = self.ref(mapping, "table")
        seen, hit = self.var("seen"), self.var("hit")
        if default is not None:
            self.line(depth, f"{seen} = {hit} = False")

        def each(d: int, v: str) -> None:
            m = self.var("m")
            if default is not None:
                self.line(d, f"{seen} = True")
            self.line(d, f"{m} = {table}.get({v})")
            self.line(d, f"if {m} is not None:")
            if default is not None:
                self.line(d + 1, f"{hit} = True")
            emit(d + 1, m)

        self.strings(extract, depth, each)
        if default is not None:
            self.line(depth, f"if {seen} and not {hit}:")
            emit(depth + 1, repr(str(default)))

    def pipeline(self, extract: Callable, steps: list[Callable], join_after: str | None, mapping: dict | None,
                 fold: bool, default, depth: int, emit: Emit) -> None:
        """extract, then each transform, then the join, then the table look-up (see
        ``compile.Compiler._pipeline``): a value goes through every transform before the next
        value is read, which gives the values in the same order. A table's ``default`` comes once
        when the field gave a value and none was found in the table."""
        table = self.ref(mapping, "table") if mapping is not None else None
        seen = hit = None
        if mapping is not None and default is not None:
            seen, hit = self.var("seen"), self.var("hit")
            self.line(depth, f"{seen} = {hit} = False")

        def looked_up(d: int, e: str) -> None:
            if table is None:
                emit(d, e)
                return
            m = self.var("m")
            key = f"{e}.casefold()" if fold else e
            self.line(d, f"{m} = {table}.get({key})")
            self.line(d, f"if {m} is not None:")
            if hit is not None:
                self.line(d + 1, f"{hit} = True")
            emit(d + 1, m)

        acc = None
        if join_after is not None:
            acc = self.var("acc")
            self.line(depth, f"{acc} = []")

        def transformed(i: int) -> Emit:
            if i == len(steps):
                return (lambda d, e: self.line(d, f"{acc}.append({e})")) if acc is not None else looked_up
            after = transformed(i + 1)
            return lambda d, e: self.results(e, steps[i], d, after)

        first = transformed(0)

        def extracted(d: int, e: str) -> None:
            if seen is not None:
                self.line(d, f"{seen} = True")
            first(d, e)

        self.strings(extract, depth, extracted)
        if acc is not None:
            joined = self.var("joined")
            self.line(depth, f"if {acc}:")
            self.line(depth + 1, f"{joined} = {join_after!r}.join({acc})")
            looked_up(depth + 1, joined)
        if seen is not None:
            self.line(depth, f"if {seen} and not {hit}:")
            emit(depth + 1, repr(str(default)))

    def identity(self, ident: Callable, s: str, types: str, depth: int) -> None:
        """``s`` = the node's IRI or blank node (see ``compile.Compiler._identity``): the first
        IRI its ``first`` values give, else one minted from its key, else a blank node."""
        shape = getattr(ident, "shape", None)
        kind = shape[0] if shape else None
        if kind == "blank":
            self.line(depth, f"{s} = bnode()")
            return
        if kind != "ident":
            self.line(depth, f"{s} = {self.ref(ident, 'ident')}(view, ctx, {types})")
            return
        firsts, key_fn, mint = shape[1:]

        def found(d: int, e: str) -> None:
            self.line(d, f"if {s} is None and {e}.startswith('<'):")
            self.line(d + 1, f"{s} = {e}")

        self.line(depth, f"{s} = None")
        for i, first in enumerate(firsts):
            d = depth
            if i:
                self.line(d, f"if {s} is None:")
                d += 1
            self.value(first, d, found)
        if key_fn is not None:
            key = self.var("key")
            self.line(depth, f"if {s} is None:")
            self.line(depth + 1, f"{key} = None")

            def keyed(d: int, e: str) -> None:
                self.line(d, f"if {key} is None:")
                self.line(d + 1, f"{key} = {e}")

            self.strings(key_fn, depth + 1, keyed)
            self.line(depth + 1, f"if {key} is not None:")
            self.line(depth + 2, f"{s} = {self.ref(mint, 'mint')}(ctx.base, {types}, {key})")
        self.line(depth, f"if {s} is None:")
        self.line(depth + 1, f"{s} = bnode()")

    def node(self, cond: Callable | None, fixed_types: list[str], classes, props, ident: Callable, blank: bool,
             *, depth: int, emit: Emit) -> None:
        """The node's triples (classes, then properties in order), then ``emit`` of the node."""
        d = depth
        if cond is not None:
            self.line(d, f"if {self.cond(cond)}:")
            d += 1
        s, mark, described = self.var("s"), self.var("mark"), self.var("described")
        self.line(d, f"{mark} = len(out)")
        if classes:
            # the constant classes, then those of each class value, in order
            types = self.var("types")
            self.line(d, f"{types} = {fixed_types!r}")
            for c in classes:
                self.value(c, d, lambda dd, e: self.line(dd, f"{types}.append({e})"))
            self.identity(ident, s, types, d)
            t = self.var("t")
            self.line(d, f"for {t} in {types}:")
            self.line(d + 1, f"append(({s}, {_RDF_TYPE!r}, {t}))")
        else:
            if blank:
                self.line(d, f"{s} = bnode()")
            else:
                self.identity(ident, s, self.ref(fixed_types, "types"), d)
            for t in fixed_types:
                self.line(d, f"append(({s}, {_RDF_TYPE!r}, {t!r}))")
        self.line(d, f"{described} = len(out)")
        for pred, fn in props:
            self.value(fn, d, lambda dd, e, pred=pred: self.line(dd, f"append(({s}, {pred!r}, {e}))"))
        # a blank node whose properties gave nothing is left out, with the link to it
        self.line(d, f"if len(out) == {described} and {s}[0] == '_':")
        self.line(d + 1, f"del out[{mark}:]")
        self.line(d, "else:")
        emit(d + 1, s)


def fuse_rule(rid: str, to: str, only: str | None, select: Callable, cond: Callable | None, fn: Callable,
              via: str | None, vias: Callable | None, inverse: str | None) -> Callable:
    """One function doing what a rule's pieces do: for each field the selector gives (and the
    condition keeps), the terms of ``fn`` attached to the ``to`` node by ``via`` (or by each
    property ``vias`` gives; with ``inverse``, linked back too). With neither ``via`` nor
    ``vias``, ``fn`` is a node that adds to the ``to`` node itself."""
    w = _Writer()

    def attach(depth: int, e: str) -> None:
        if vias is not None:
            p = w.var("p")
            w.line(depth, f"for {p} in preds:")
            w.line(depth + 1, f"append((subject, {p}, {e}))")
        elif via is not None:
            w.line(depth, f"append((subject, {via!r}, {e}))")
        else:
            w.line(depth, "pass")
        if inverse is not None:
            w.line(depth, f"append(({e}, {inverse!r}, subject))")

    body = 2
    if cond is not None:
        w.line(body, f"if not {w.cond(cond)}:")
        w.line(body + 1, "continue")
    if vias is not None:
        w.line(body, f"preds = [p for p in dict.fromkeys({w.ref(vias, 'vias')}(view, ctx)) if p.startswith('<')]")
        w.line(body, "if not preds:")
        w.line(body + 1, "continue")
    start = len(w.lines)
    w.value(fn, body, attach)
    if w.uses_subfields:
        w.lines.insert(start, "    " * body + 'subfields = getattr(view.field, "subfields", ())')
    views = f"index.by_tag.get({only!r})" if only is not None else f"{w.ref(select, 'select')}(index)"
    head = [
        "def run(ctx):",
        f"    subject = ctx.nodes.get({to!r})",
        "    if subject is None:",
        "        return",
        "    index = ctx.index",
        f"    views = {views}",
        "    if not views:",
        "        return",
        "    nodes = ctx.nodes",
        "    out = ctx.out",
        "    append = out.append",
        "    bnode = ctx.bnode",
        "    for view in views:",
    ]
    source = "\n".join(head + w.lines) + "\n"
    namespace = dict(w.names)
    exec(compiled(source, f"<rule {rid}>"), namespace)  # our own source: see the module docstring
    run = namespace["run"]
    run.source = source
    run.pieces = (to, select, cond, fn, via, vias, inverse)  # what the function was written from
    return run
