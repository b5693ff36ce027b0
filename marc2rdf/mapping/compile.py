"""Rules compiled into plain functions; the :class:`Mapper` that runs them on a record.

Nothing here reads files or the network: a compiled profile is a pure function
``Record -> list of triples`` (N-Triples term strings, see :mod:`marc2rdf.mapping.terms`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from pymarc import Record

from marc2rdf.mapping.fuse import fuse_rule, shaped
from marc2rdf.mapping.spec import (
    MappingError,
    RecordIndex,
    View,
    compile_condition,
    compile_selector,
    only_tag,
    parse_selector,
    selector_tags,
)
from marc2rdf.mapping.terms import NEEDS_ESCAPE, bnode_prefix, iri, iri_safe, is_absolute_iri, literal, slug
from marc2rdf.mapping.transforms import TRANSFORMS
from marc2rdf.vocab import PREFIXES, RDF_TYPE, expand

Triple = tuple[str, str, str]
ValueFn = Callable[[View, "Ctx"], list[str]]

RULE_KEYS = {"id", "match", "when", "attach", "node", "value", "doc"}
ATTACH_KEYS = {"to", "via", "inverse"}
VALUE_KEYS = {"from", "each", "join", "then", "map", "column", "by", "default", "iri", "datatype", "lang", "value",
              "node", "ref", "when", "blank", "doc"}
NODE_KEYS = {"a", "id", "when", "doc"}
ID_KEYS = {"first", "mint", "record"}
MINT_KEYS = {"key", "kind"}
_RDF_TYPE = iri(RDF_TYPE)
_CYCLE = object()  # a named condition being compiled
_needs_escape = NEEDS_ESCAPE.search


class Ctx:
    """What a record's rules share while it is mapped."""

    __slots__ = ("index", "base", "rid", "out", "nodes", "_bn", "_bp", "_scope", "_counters")

    def __init__(self, index: RecordIndex, base: str, rid: str, nodes: dict[str, str], scope: str = ""):
        self.index = index
        self.base = base
        self.rid = rid
        self.out: list[Triple] = []
        self.nodes = nodes
        self._bn = 0
        self._scope = scope
        self._bp = ""  # made on the first blank node (a record may need none)
        self._counters: dict[str, int] = {}

    def bnode(self) -> str:
        self._bn += 1
        bp = self._bp
        if not bp:
            # from the record's content, not just its id: two different records that share an 001
            # never share a blank node, and a record gets the same labels on every run; the scope
            # (the profile's name) keeps two profiles' nodes apart when their output is written
            # together
            key = _content_key(self.index.record)
            bp = self._bp = bnode_prefix(self._scope + "\x1d" + key if self._scope else key)
        return f"{bp}{self._bn}"

    def numbered(self, name: str) -> int:
        n = self._counters.get(name, 0) + 1
        self._counters[name] = n
        return n


class Where:
    """The place in a mapping file a piece of a rule came from, for error messages."""

    def __init__(self, file: str, rule: str | None = None):
        self.file = file
        self.rule = rule

    def error(self, obj: Any, message: str) -> MappingError:
        line = obj.get("__line__") if isinstance(obj, dict) else None
        loc = f"{self.file}:{line}" if line else self.file
        rule = f": rule {self.rule}" if self.rule else ""
        return MappingError(f"{loc}{rule}: {message}")

    def check_keys(self, obj: dict, allowed: set[str], what: str) -> None:
        for key in obj:
            if key.startswith("__"):
                continue
            if key not in allowed and not (what == "node" and ":" in key):
                raise self.error(obj, f"unknown key {key!r} in {what} (known: {', '.join(sorted(allowed))})")


class Compiler:
    """Compiles the rule dicts of a profile; ``tables(name)`` gives a code table by name."""

    def __init__(self, tables: Callable[[str], Any], conditions: dict | None = None):
        self.tables = tables
        self.terms: set[str] = set()  # every class and property IRI the rules can emit
        self.conditions = conditions or {}  # the profile's named conditions (`is: name`), as data
        self._named: dict[str, Any] = {}

    def named(self, name: str):
        """The compiled named condition ``name`` (compiled once; one may use another with `is`)."""
        cond = self._named.get(name)
        if cond is None:
            if name not in self.conditions:
                known = ", ".join(sorted(self.conditions)) or "none"
                raise ValueError(f"unknown named condition {name!r} (the profile's `conditions:` has {known})")
            self._named[name] = _CYCLE
            cond = compile_condition(self.conditions[name], self.named)
            self._named[name] = cond
        elif cond is _CYCLE:
            raise ValueError(f"named condition {name!r} refers to itself")
        return cond

    # -- helpers ------------------------------------------------------------------------------
    def condition(self, spec: dict, where: Where):
        """The compiled `when` of a rule, value or node (None when it has none)."""
        if "when" not in spec:
            return None
        try:
            return compile_condition(spec["when"], self.named)
        except ValueError as exc:
            raise where.error(spec, str(exc)) from None

    def curie(self, value: str, where: Where, obj: Any) -> str:
        full = expand(str(value))
        if full is None:
            if is_absolute_iri(str(value)) and "//" in str(value):
                return str(value)
            raise where.error(obj, f"unknown prefix in {value!r} (known: {', '.join(PREFIXES)})")
        return full

    def steps(self, then, where: Where, obj) -> list[Callable]:
        out = []
        for step in then if isinstance(then, list) else [then]:
            if isinstance(step, dict):
                items = [(k, v) for k, v in step.items() if not k.startswith("__")]
                if len(items) != 1:
                    raise where.error(obj, f"a transform step names one transform, got {items!r}")
                name, arg = items[0]
            else:
                name, arg = str(step), None
            if name not in TRANSFORMS:
                raise where.error(obj, f"unknown transform {name!r} (known: {', '.join(sorted(TRANSFORMS))})")
            try:
                out.append(TRANSFORMS[name][0](arg, self.tables))
            except (TypeError, ValueError, KeyError, IndexError) as exc:
                raise where.error(obj, f"bad argument for transform {name!r}: {exc}") from exc
        return out

    def table(self, name: str, column: str | None, where: Where, obj, by: str | None = None) -> dict[str, str]:
        """A table as key -> value; with ``by``, keyed on that column (case-folded) instead."""
        try:
            t = self.tables(name)
        except KeyError:
            raise where.error(obj, f"unknown table {name!r}") from None
        for col in (column, by):
            if col is not None and col not in t.columns:
                raise where.error(obj, f"table {name!r} has no column {col!r} (columns: {', '.join(t.columns)})")
        if by is None:
            return t.column(column)
        keyed = t.column(by)
        values = t.column(column) if column else {k: k for k in t.rows}
        return {v.casefold(): values[k] for k, v in keyed.items() if k in values}

    # -- values -------------------------------------------------------------------------------
    def value(self, spec, where: Where) -> ValueFn:
        """A value spec: alternatives (list), a constant, a `from`, or a nested node."""
        cond, fn = self._guarded(spec, where)
        if cond is None:
            return fn
        return shaped(lambda view, ctx: fn(view, ctx) if cond(view, ctx.index) else [], "guard", cond, fn)

    def _guarded(self, spec, where: Where) -> tuple[Any, ValueFn]:
        """A value spec as (its `when`, or None; the value without it)."""
        if isinstance(spec, list):
            alternatives = [self._guarded(s, where) for s in spec]
            if len(alternatives) == 1:
                return alternatives[0]

            def first(view: View, ctx: Ctx) -> list[str]:
                for cond, alt in alternatives:
                    if cond is None or cond(view, ctx.index):
                        out = alt(view, ctx)
                        if out:
                            return out
                return []

            return None, shaped(first, "alternatives", alternatives)
        if isinstance(spec, (str, int, float)):
            spec = str(spec)
            spec = {"from": spec} if spec[:1] in ("$", "[") else {"value": spec}
        if not isinstance(spec, dict):
            raise where.error(spec, f"a value is a string, a list or a mapping, not {spec!r}")
        where.check_keys(spec, VALUE_KEYS, "value")
        cond = self.condition(spec, where)
        if "node" in spec:
            fn = self.node(spec["node"], where)
        elif "ref" in spec:
            name = str(spec["ref"])
            fn = shaped(lambda view, ctx: [ctx.nodes[name]] if name in ctx.nodes else [], "ref", name)
        elif "value" in spec:
            fn = self._constant(spec, where)
        elif "from" in spec:
            fn = self._from(spec, where)
        else:
            raise where.error(spec, "a value needs `from`, `value`, `ref` or `node`")
        return cond, fn

    def _constant(self, spec: dict, where: Where) -> ValueFn:
        raw = str(spec["value"])
        full = expand(raw)
        if full is not None and "datatype" not in spec and "lang" not in spec:
            term = [iri(full)]
        else:
            term = [literal(raw, spec.get("lang"), self._datatype(spec, where))]
        return shaped(lambda view, ctx: term, "constant", term[0])

    def _datatype(self, spec: dict, where: Where) -> str | None:
        dt = spec.get("datatype")
        return None if dt is None else self.curie(dt, where, spec)

    def _from(self, spec: dict, where: Where) -> ValueFn:
        extract = self._extractor(str(spec["from"]), spec, where)
        steps = self.steps(spec["then"], where, spec) if "then" in spec else []
        join_after = str(spec["join"]) if spec.get("each") and "join" in spec else None
        mapping = self._mapping(spec, where)
        fold = "by" in spec
        default = spec.get("default")
        template = spec.get("iri")
        if template is not None:
            template = str(template)
            if "{}" not in template:
                raise where.error(spec, f"iri template {template!r} has no {{}}")
            head = template.split("{}")[0]
            if ":" in head and not head.startswith(("http:", "https:")):
                prefix, _, rest = template.partition(":")
                template = self.curie(prefix + ":x", where, spec)[:-1] + rest
        datatype = self._datatype(spec, where)
        lang = spec.get("lang")
        # an 880 twin adds its text only where the value is text
        twin_ok = template is None and mapping is None and datatype is None

        source = str(spec["from"])
        # `$codes`, at most one transform: extraction and transform in one function
        fused = source[:1] == "$" and len(source) > 1 and "--" not in source and len(steps) <= 1 \
            and join_after is None and mapping is None
        if fused:
            values = _subfield_values(frozenset(source[1:]), bool(spec.get("each")), str(spec.get("join", " ")),
                                      steps[0] if steps else None)
        elif not steps and join_after is None and mapping is None:
            values = extract  # the subfields as they are
        elif len(steps) == 1 and join_after is None and mapping is None:
            values = self._one_step(extract, steps[0])
        elif not steps and join_after is None and mapping is not None and not fold:
            values = self._looked_up(extract, mapping, default)
        else:
            values = self._pipeline(extract, steps, join_after, mapping, fold, default)

        if template is not None:

            made: dict[str, str] = {}  # value -> its IRI term ("" when not an absolute IRI)

            def iri_of(v: str) -> str:
                full = template.replace("{}", v)
                term = iri(full) if is_absolute_iri(full) else ""
                if len(made) >= 4096:
                    made.clear()
                made[v] = term
                return term

            def as_iris(view: View, ctx: Ctx) -> list[str]:
                out = []
                for v in values(view):
                    term = made.get(v)
                    if term is None:
                        term = iri_of(v)
                    if term:
                        out.append(term)
                return out

            return shaped(as_iris, "iris", values, made, iri_of)

        if lang is None and datatype is None and twin_ok and fused:
            codes, each, join, step = frozenset(source[1:]), bool(spec.get("each")), str(spec.get("join", " ")), \
                steps[0] if steps else None
            general = _text_of(values)
            return shaped(_subfield_text(codes, each, join, step, general), "text", codes, each, join, step, general)

        if lang is None and datatype is None and twin_ok:

            def as_text(view: View, ctx: Ctx) -> list[str]:
                tag = view.lang
                out = [literal(v, tag) for v in values(view)]
                twin = view.twin
                if twin is not None:
                    out.extend(literal(v, twin.lang) for v in values(twin))
                return out

            return shaped(as_text, "twin_text", values)

        def as_literals(view: View, ctx: Ctx) -> list[str]:
            # a typed value (a date, a number) takes no language, even from an 880
            return [literal(v, lang or (None if datatype else view.lang), datatype) for v in values(view)]

        return shaped(as_literals, "literals", values, lang, datatype)

    @staticmethod
    def _one_step(extract: Callable[[View], list[str]], step: Callable) -> Callable[[View], list[str]]:
        """extract → one transform (what :meth:`_pipeline` does when that is all there is)."""

        def values(view: View) -> list[str]:
            out: list[str] = []
            for v in extract(view):
                r = step(v)
                if r is not None:
                    if isinstance(r, list):
                        out.extend(r)
                    else:
                        out.append(r)
            return out

        return shaped(values, "one_step", extract, step)

    @staticmethod
    def _looked_up(extract: Callable[[View], list[str]], mapping: dict[str, str], default) -> Callable[[View], list[str]]:
        """extract → table look-up (what :meth:`_pipeline` does when that is all there is)."""

        def values(view: View) -> list[str]:
            vals = extract(view)
            if not vals:
                return []
            out = [m for m in map(mapping.get, vals) if m is not None]
            if not out and default is not None:
                return [str(default)]  # the field had a value, one the table does not know
            return out

        return shaped(values, "lookup", extract, mapping, default)

    @staticmethod
    def _pipeline(extract, steps, join_after, mapping, fold, default) -> Callable[[View], list[str]]:
        """extract → transforms → join → table look-up, for one value spec."""

        def values(view: View) -> list[str]:
            vals = extract(view)
            if not vals:
                return []
            for step in steps:
                nxt: list[str] = []
                for v in vals:
                    r = step(v)
                    if r is None:
                        continue
                    if isinstance(r, list):
                        nxt.extend(r)
                    else:
                        nxt.append(r)
                vals = nxt
            if join_after is not None and vals:
                vals = [join_after.join(vals)]
            if mapping is not None:
                mapped = [mapping.get(v.casefold() if fold else v) for v in vals]
                vals = [m for m in mapped if m is not None]
                if not vals and default is not None:
                    vals = [str(default)]  # the field had a value, one the table does not know
            return vals

        return shaped(values, "pipeline", extract, steps, join_after, mapping, fold, default)

    def _mapping(self, spec: dict, where: Where) -> dict[str, str] | None:
        """`map: name` or `map: [name, name...]` (each table maps the previous one's values)."""
        if "map" not in spec:
            return None
        names = spec["map"] if isinstance(spec["map"], list) else [spec["map"]]
        result: dict[str, str] | None = None
        for i, name in enumerate(names):
            last = i == len(names) - 1
            table = self.table(str(name), spec.get("column") if last else None, where, spec,
                               spec.get("by") if i == 0 else None)
            if result is None:
                result = table
            else:
                result = {k: table[v] for k, v in result.items() if v in table}
        return result

    def _extractor(self, source: str, spec: dict, where: Where) -> Callable[[View], list[str]]:
        each = bool(spec.get("each"))
        join = str(spec.get("join", " "))
        if source == "data":
            return lambda view: [view.field.data] if getattr(view.field, "data", None) else []
        if source in ("ind1", "ind2"):
            n = 0 if source == "ind1" else 1
            return lambda view: [(view.field.indicators or "  ")[n] or " "]
        if source == "tag":
            return lambda view: [view.tag]
        if source in ("tag/ind1", "tag/ind2"):
            n = 0 if source == "tag/ind1" else 1
            return lambda view: [f"{view.tag}/{(view.field.indicators or '  ')[n] or ' '}"]
        if source.startswith("["):
            try:
                (part,) = parse_selector("LDR" + source)
            except ValueError:
                raise where.error(spec, f"bad position {source!r}") from None
            start, end = part.positions  # type: ignore[misc]
            end += 1
            blank = spec.get("blank")  # a blank position stands for itself, written so in tables

            def positions(view: View) -> list[str]:
                data = getattr(view.field, "data", None) or ""
                v = data[start:end]
                if blank is not None and len(v) == end - start:
                    return [v.replace(" ", str(blank))]
                return [v] if v.strip() else []

            return shaped(positions, "positions", start, end, blank)
        if source.startswith("$") and "--" in source:
            # "$abcd--$vxyz": the main part's subfields joined with `join`, then each subdivision
            # subfield in field order, all joined with "--" (a heading with its subdivisions)
            main_codes, _, sub_codes = source.partition("--")
            main = frozenset(main_codes.lstrip("$"))
            subs = frozenset(sub_codes.replace("--", "").replace("$", ""))
            trim = TRANSFORMS["trim_punctuation"][0](None, self.tables)

            def heading(view: View) -> list[str]:
                head = None  # the main part's trimmed values joined
                divisions: list[str] = []  # each subdivision trimmed, punctuation trimmed too
                for c, v in getattr(view.field, "subfields", ()):
                    if c in main:
                        text = v.strip()
                        if text:
                            head = text if head is None else head + join + text
                    if c in subs:
                        text = v.strip()
                        if text:
                            text = trim(text)
                            if text:
                                divisions.append(text)
                if head is not None:
                    head = trim(head)
                    if head:
                        divisions.insert(0, head)
                return ["--".join(divisions)] if divisions else []

            return heading
        if source.startswith("$") and len(source) > 1:
            codes = frozenset(source[1:])
            if each:
                return shaped(lambda view: [v for c, v in getattr(view.field, "subfields", ()) if c in codes and v.strip()],
                              "subfields", codes, True, join, None)

            def joined(view: View) -> list[str]:
                # the subfields' trimmed values, the empty ones left out, joined with `join`
                text = None
                for c, v in getattr(view.field, "subfields", ()):
                    if c in codes:
                        v = v.strip()
                        if v:
                            text = v if text is None else text + join + v
                return [] if text is None else [text]

            return shaped(joined, "subfields", codes, False, join, None)
        raise where.error(spec, f"bad `from` {source!r}: use $codes, [NN-NN], data, ind1, ind2, tag, tag/ind1 or tag/ind2")

    # -- nodes --------------------------------------------------------------------------------
    def node(self, spec, where: Where) -> ValueFn:
        if not isinstance(spec, dict):
            raise where.error(spec, "a node is a mapping")
        where.check_keys(spec, NODE_KEYS, "node")
        cond = self.condition(spec, where)
        fixed_types: list[str] = []  # constant classes, known at compile time
        classes: list[ValueFn] = []  # classes that depend on the field
        a = spec.get("a", [])
        for entry in a if isinstance(a, list) else [a]:
            if isinstance(entry, str):
                full = self.curie(entry, where, spec)
                self.terms.add(full)
                fixed_types.append(iri(full))
            else:
                classes.append(self.value(entry, where))
                self._note_terms(entry, where)
        props: list[tuple[str, ValueFn]] = []
        for key, value in spec.items():
            if key.startswith("__") or key in NODE_KEYS:
                continue
            full = self.curie(key, where, spec)
            self.terms.add(full)
            props.append((iri(full), self.value(value, where)))
        ident = self._identity(spec.get("id"), where)
        blank = spec.get("id") is None  # a blank node: ``ident`` is ``ctx.bnode()``

        if cond is None and not classes:
            # the common shape: constant classes, no condition
            typed = tuple((_RDF_TYPE, t) for t in fixed_types)

            def plain_node(view: View, ctx: Ctx) -> list[str]:
                subject = ctx.bnode() if blank else ident(view, ctx, fixed_types)
                out = ctx.out
                append = out.append
                mark = len(out)
                for pt in typed:
                    append((subject, *pt))
                described = len(out)
                for pred, fn in props:
                    for o in fn(view, ctx):
                        append((subject, pred, o))
                if len(out) == described and subject[0] == "_":  # see `node` below
                    del out[mark:]
                    return []
                return [subject]

            return shaped(plain_node, "node", None, fixed_types, (), props, ident, blank)

        def node(view: View, ctx: Ctx) -> list[str]:
            if cond is not None and not cond(view, ctx.index):
                return []
            types = fixed_types + [t for c in classes for t in c(view, ctx)] if classes else fixed_types
            subject = ident(view, ctx, types)
            out = ctx.out
            mark = len(out)
            for t in types:
                out.append((subject, _RDF_TYPE, t))
            described = len(out)
            for pred, fn in props:
                for o in fn(view, ctx):
                    out.append((subject, pred, o))
            if len(out) == described and subject[0] == "_":
                # a blank node whose properties gave nothing says no more than its classes: it is
                # left out, and so is the link to it (its parent may then be left out in turn)
                del out[mark:]
                return []
            return [subject]

        return shaped(node, "node", cond, fixed_types, classes, props, ident, blank)

    def _note_terms(self, entry, where: Where) -> None:
        """Classes a value spec can produce (a constant, or an IRI template over a table)."""
        for alt in entry if isinstance(entry, list) else [entry]:
            if not isinstance(alt, dict):
                continue
            if "value" in alt and expand(str(alt["value"])):
                self.terms.add(expand(str(alt["value"])))
            elif "map" in alt and "iri" in alt:
                template = str(alt["iri"])
                prefix, _, rest = template.partition(":")
                base = expand(prefix + ":")
                if base is not None:
                    last = alt["map"][-1] if isinstance(alt["map"], list) else alt["map"]  # a chain ends in the values
                    for v in self.table(last, alt.get("column"), where, alt).values():
                        self.terms.add(base + rest.replace("{}", v))

    def _identity(self, spec, where: Where) -> Callable[[View, Ctx, list[str]], str]:
        if spec is None:
            return shaped(lambda view, ctx, types: ctx.bnode(), "blank")
        if not isinstance(spec, dict):
            raise where.error(spec, "`id` is a mapping with `first`, `mint` or `record`")
        where.check_keys(spec, ID_KEYS, "id")
        if "record" in spec:
            name = str(spec["record"])
            return lambda view, ctx, types: iri(f"{ctx.base}{ctx.rid}#{name}{ctx.numbered(name)}")
        firsts = [
            self.value({"from": s, "each": True, "then": ["authority_uri"], "iri": "{}"} if isinstance(s, str) else s, where)
            for s in spec.get("first", [])
        ]
        mint = spec.get("mint")
        key_fn = kind = None
        if mint is not None:
            if not isinstance(mint, dict):
                raise where.error(spec, "`mint` is a mapping with `key` and optionally `kind`")
            where.check_keys(mint, MINT_KEYS, "mint")
            key_spec = mint.get("key", "$a")
            key_fn = self._extractor(str(key_spec), {"join": " "}, where) if isinstance(key_spec, str) else None
            if key_fn is None:
                raise where.error(mint, "`key` is a `from` string such as $abcd")
            kind = mint.get("kind")

        minted: dict[tuple[str, str, str], str] = {}  # (base, kind, key) -> IRI: headings recur

        def mint(base: str, types: list[str], key: str) -> str:
            """The IRI minted from the node's kind (its first class) and a heading."""
            k = kind or (_local_name(types[0]).lower() if types else "thing")
            term = minted.get((base, k, key))
            if term is None:
                if len(minted) >= 4096:
                    minted.clear()
                term = minted[(base, k, key)] = iri(f"{base}{k}/{slug(key)}")
            return term

        def ident(view: View, ctx: Ctx, types: list[str]) -> str:
            for f in firsts:
                for term in f(view, ctx):
                    if term.startswith("<"):
                        return term
            if key_fn is not None:
                key = key_fn(view)
                if key:
                    return mint(ctx.base, types, key[0])
            return ctx.bnode()

        return shaped(ident, "ident", firsts, key_fn, mint)

    # -- rules --------------------------------------------------------------------------------
    def rule(self, spec: dict, file: str) -> tuple[str, Callable[[Ctx], None], frozenset[str] | None]:
        rid = spec.get("id")
        where = Where(file, rid)
        if not rid:
            raise where.error(spec, "a rule needs an `id`")
        where.check_keys(spec, RULE_KEYS, "rule")
        for required in ("match", "attach"):
            if required not in spec:
                raise where.error(spec, f"a rule needs `{required}`")
        try:
            select = compile_selector(str(spec["match"]))
        except ValueError as exc:
            raise where.error(spec, str(exc)) from None
        cond = self.condition(spec, where)
        attach = spec["attach"]
        if not isinstance(attach, dict):
            raise where.error(spec, "`attach` is a mapping with `to` and `via`")
        where.check_keys(attach, ATTACH_KEYS, "attach")
        to = str(attach.get("to", "work"))
        if "via" not in attach:
            return rid, self._extend(spec, to, select, cond, where), selector_tags(str(spec["match"]))
        if isinstance(attach["via"], (dict, list)):
            # the property depends on the field (a role from a table): a value spec giving IRIs;
            # a field for which it gives none is skipped, its node not made
            vias = self.value(attach["via"], where)
            self._note_terms(attach["via"], where)
            via_full = via = ""
        else:
            vias = None
            via_full = self.curie(attach["via"], where, attach)
            self.terms.add(via_full)
            via = iri(via_full)
        inverse = None
        if "inverse" in attach:
            inv_full = self.curie(attach["inverse"], where, attach)
            self.terms.add(inv_full)
            inverse = iri(inv_full)
        if "node" in spec:
            fn = self.node(spec["node"], where)
        elif "value" in spec:
            fn = self.value(spec["value"], where)
        else:
            raise where.error(spec, "a rule needs `node` or `value`")
        if via_full == RDF_TYPE and "value" in spec:
            self._note_terms(spec["value"], where)

        run = fuse_rule(rid, to, only_tag(str(spec["match"])), select, cond, fn, via or None, vias, inverse)
        return rid, run, selector_tags(str(spec["match"]))

    def _extend(self, spec: dict, to: str, select, cond, where: Where) -> Callable[[Ctx], None]:
        """A rule without `via`: its node is the `to` node itself, the rule adds properties to it."""
        node = spec.get("node")
        if not isinstance(node, dict) or "id" in node or "inverse" in spec["attach"]:
            raise where.error(spec, "a rule without `via` has a `node`, without `id`: the properties it adds "
                              f"to the {to!r} node")
        fn = self.node({**node, "id": {"first": [{"ref": to}]}}, where)
        return fuse_rule(where.rule or "", to, only_tag(str(spec["match"])), select, cond, fn, None, None, None)


def _subfield_values(codes: frozenset[str], each: bool, join: str, step: Callable | None) -> Callable[[View], list[str]]:
    """The values of a field's subfields ``codes`` (each one, or joined with ``join``), passed
    through ``step`` when there is one: a `from: $codes` with at most one `then`."""
    if each:
        if step is None:
            return shaped(lambda view: [v for c, v in getattr(view.field, "subfields", ()) if c in codes and v.strip()],
                          "subfields", codes, True, join, None)

        def each_step(view: View) -> list[str]:
            out: list[str] = []
            for c, v in getattr(view.field, "subfields", ()):
                if c in codes and v.strip():
                    r = step(v)
                    if r is not None:
                        if isinstance(r, list):
                            out.extend(r)
                        else:
                            out.append(r)
            return out

        return shaped(each_step, "subfields", codes, True, join, step)

    def joined(view: View) -> list[str]:
        # the subfields' trimmed values, the empty ones left out, joined with `join`
        text = None
        for c, v in getattr(view.field, "subfields", ()):
            if c in codes:
                v = v.strip()
                if v:
                    text = v if text is None else text + join + v
        if text is None:
            return []
        if step is None:
            return [text]
        r = step(text)
        if r is None:
            return []
        return list(r) if isinstance(r, list) else [r]

    return shaped(joined, "subfields", codes, False, join, step)


def _plain(text: str) -> str:
    """A literal without language or datatype."""
    return f'"{text}"' if _needs_escape(text) is None else literal(text)


def _subfield_text(codes: frozenset[str], each: bool, join: str, step: Callable | None, general: ValueFn) -> ValueFn:
    """What ``general`` (:func:`_text_of` over :func:`_subfield_values`) gives, in one function for
    a field that is not an 880 and has no 880 twin."""
    if each:

        def each_text(view: View, ctx: Ctx) -> list[str]:
            if view.lang is not None or view.twin is not None:
                return general(view, ctx)
            out: list[str] = []
            for c, v in getattr(view.field, "subfields", ()):
                if c in codes and v.strip():
                    if step is None:
                        out.append(_plain(v))
                        continue
                    r = step(v)
                    if r is not None:
                        if isinstance(r, list):
                            out.extend([_plain(x) for x in r])
                        else:
                            out.append(_plain(r))
            return out

        return each_text

    def joined_text(view: View, ctx: Ctx) -> list[str]:
        if view.lang is not None or view.twin is not None:
            return general(view, ctx)
        text = None
        for c, v in getattr(view.field, "subfields", ()):
            if c in codes:
                v = v.strip()
                if v:
                    text = v if text is None else text + join + v
        if text is None:
            return []
        if step is not None:
            r = step(text)
            if r is None:
                return []
            if isinstance(r, list):
                return [_plain(x) for x in r]
            text = r
        return [_plain(text)]

    return joined_text


def _text_of(values: Callable[[View], list[str]]) -> ValueFn:
    """Plain literals of ``values``, in the field's language-script if it has one, followed by
    those of its 880 twin."""

    def as_text(view: View, ctx: Ctx) -> list[str]:
        out = []
        tag = view.lang
        for v in values(view):
            if _needs_escape(v) is None:
                out.append(f'"{v}"@{tag}' if tag else f'"{v}"')
            else:
                out.append(literal(v, tag))
        twin = view.twin
        if twin is not None:
            out.extend(literal(v, twin.lang) for v in values(twin))
        return out

    return as_text


def _content_key(record: Record) -> str:
    """The record's whole content as one string: the leader, then each field (tag, then its data,
    or its indicators and its subfields' codes and values) after a record separator, subfields
    after a unit separator. Gathered in one list and joined once: no string a field."""
    parts = [str(record.leader)]
    append = parts.append
    extend = parts.extend
    for f in record.fields:
        append("\x1e")
        append(f.tag)
        if f.control_field:
            append(f.data or "")
        else:
            # `_indicators`: the attribute pymarc's `indicators` property returns, without the call
            extend(f._indicators or "")
            subfields = f.subfields
            if subfields:
                for sf in subfields:
                    extend(sf)  # code, value
                    append("\x1f")
                parts.pop()  # separators go between subfields
    return _concat(parts)


_concat = "".join


def _local_name(term: str) -> str:
    return term.rstrip(">").replace("#", "/").rsplit("/", 1)[-1]


class Mapper:
    """A compiled profile: ``map(record)`` gives its triples."""

    def __init__(
        self,
        name: str,
        rules: list[tuple[str, Callable[[Ctx], None], frozenset[str] | None]],
        record_id: list[tuple[str, str]],
        nodes: dict[str, str],
        base: str,
        script_tag: Callable[[str, str], str | None],
        terms: set[str],
    ):
        self.name = name
        self.rules = [(rid, run) for rid, run, _ in rules]
        # (run, tags): a rule runs only on records that have one of its tags (None: any record)
        self._plan = [(run, tags) for _, run, tags in rules]
        # the rules to run for a set of tags present, in rule order (records share their shapes)
        self._plans: dict[frozenset[str], list[Callable[[Ctx], None]]] = {}
        self.record_id_specs = record_id
        self.node_templates = nodes
        self.base = base
        self._clean_templates = iri_safe(base) and all(iri_safe(suffix) for suffix in nodes.values())
        self.script_tag = script_tag
        self.terms = terms
        self._last: tuple[Record | None, str] = (None, "")  # the record last mapped, and its id

    def record_id(self, record: Record) -> str:
        if record is self._last[0]:  # asked again for the record just mapped (graph names)
            return self._last[1]
        return self._record_id(record, None)

    def _record_id(self, record: Record, by_tag: dict[str, list] | None) -> str:
        """The record's id; ``by_tag``, the record's index, when there is one (its lists hold an
        880 under its linked tag too: only fields of the tag itself count, as ``get_fields``)."""
        for tag, codes in self.record_id_specs:
            fields = record.get_fields(tag) if by_tag is None or tag == "LDR" else \
                [v.field for v in by_tag.get(tag, ()) if v.field.tag == tag]
            for f in fields:
                if f.is_control_field():
                    v = (f.data or "").strip()
                else:
                    v = " ".join(sf.value.strip() for sf in f.subfields if sf.code in codes).strip()
                if v:
                    return v.replace(" ", "_")
        # no identifier: a digest of the record's content, stable across runs
        return "r" + hashlib.sha1(str(record).encode("utf-8")).hexdigest()[:16]

    def context(self, record: Record) -> Ctx:
        index = RecordIndex(record, self.script_tag)
        rid = self._record_id(record, index.by_tag)
        self._last = (record, rid)
        if self._clean_templates and iri_safe(rid):
            # nothing to percent-encode: what iri() would give, without a search per node
            nodes = {name: f"<{self.base}{rid}{suffix}>" for name, suffix in self.node_templates.items()}
        else:
            nodes = {name: iri(f"{self.base}{rid}{suffix}") for name, suffix in self.node_templates.items()}
        return Ctx(index, self.base, rid, nodes, self.name)

    def plan(self, present: frozenset[str]) -> list[Callable[[Ctx], None]]:
        """The rules that can match a record with these tags, in rule order."""
        runs = self._plans.get(present)
        if runs is None:
            runs = [run for run, tags in self._plan if tags is None or not tags.isdisjoint(present)]
            if len(self._plans) >= 4096:
                self._plans.clear()
            self._plans[present] = runs
        return runs

    def map(self, record: Record) -> list[Triple]:
        ctx = self.context(record)
        for run in self.plan(frozenset(ctx.index.by_tag)):
            run(ctx)
        return list(dict.fromkeys(ctx.out))

    def explain(self, record: Record) -> Iterable[tuple[str, Triple]]:
        ctx = self.context(record)
        for rid, run in self.rules:
            start = len(ctx.out)
            run(ctx)
            for triple in ctx.out[start:]:
                yield rid, triple
