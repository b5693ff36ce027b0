"""Profiles: YAML mapping files loaded, validated, merged (``extends``, override by rule id) and
compiled once into a :class:`~marc2rdf.mapping.compile.Mapper`.

A profile file::

    name: bibframe
    description: ...
    extends: other            # a shipped profile name or a path, or a list of them; optional
    record:
      id: ["001"]             # selectors tried in order for the record id (e.g. "999c")
      nodes: {work: "#Work", instance: "#Instance"}
    include: [0xx-identifiers.yaml, ...]    # rule files, relative to this file
    rules: [...]              # rules inline; a rule whose id exists replaces it in place
    remove: [rule.id, ...]    # rules of the parent to drop
    maps: maps                # a folder of extra or overriding code tables, relative to this file
    conditions:               # named conditions rules use as `when: {is: name}`; a child redefines
      book: {leader/06: [a, t], leader/07: m}   # one by name, and every rule using it follows

With several parents (``extends: [bibframe, schema]``) their rules run in order in one mapper
over the same record nodes; two parents may not define the same rule id or node differently, and
a named condition both define must be redefined by the child.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from marc2rdf.mapping.compile import Compiler, Mapper, Where
from marc2rdf.mapping.maps import Table, find_table, load_table
from marc2rdf.mapping.spec import MappingError, parse_selector

MAPPINGS_DIR = Path(str(resources.files("marc2rdf.mappings")))
DEFAULT_BASE = "http://example.org/"
PROFILE_KEYS = {"name", "description", "extends", "record", "include", "rules", "remove", "maps", "base", "conditions"}
RECORD_KEYS = {"id", "nodes"}


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Keeps the line of every mapping as ``__line__`` for error messages (libyaml's parser when
    PyYAML has it: ten times faster than the pure-Python one, the same documents)."""


def _construct_mapping(loader, node, deep=False):
    mapping = yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep=deep)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: Path):
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_LineLoader)
    except OSError as exc:
        raise MappingError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise MappingError(f"{path}: not valid YAML: {exc}") from None


def shipped_profiles() -> dict[str, Path]:
    return {p.parent.name: p for p in sorted(MAPPINGS_DIR.glob("*/profile.yaml"))}


def profile_path(name_or_path: str) -> Path:
    shipped = shipped_profiles()
    if name_or_path in shipped:
        return shipped[name_or_path]
    path = Path(name_or_path)
    if path.is_dir():
        path = path / "profile.yaml"
    if path.exists():
        return path
    raise MappingError(f"no profile {name_or_path!r}: shipped ones are {', '.join(shipped)}, or give a file")


class Profile:
    """A profile with its parents merged: rules in order, record settings, table folders."""

    def __init__(self, path: Path):
        self.path = path
        data = load_yaml(path)
        if not isinstance(data, dict):
            raise MappingError(f"{path}: a profile is a mapping")
        Where(str(path)).check_keys(data, PROFILE_KEYS, "profile")
        self.name = data.get("name") or path.stem
        self.description = data.get("description", "")
        refs = data.get("extends") or []
        parents = []
        for ref in refs if isinstance(refs, list) else [refs]:
            local = path.parent / str(ref)
            parents.append(Profile(local if local.exists() else profile_path(str(ref))))
        parent = _Merged(parents, path) if len(parents) > 1 else (parents[0] if parents else None)
        self.rules: list[tuple[dict, str]] = list(parent.rules) if parent else []
        self.record = dict(parent.record) if parent else {"id": ["001"], "nodes": {}}
        self.maps_dirs: list[Path] = list(parent.maps_dirs) if parent else [MAPPINGS_DIR / "maps"]
        self.base = data.get("base") or (parent.base if parent else DEFAULT_BASE)
        self.conditions: dict[str, dict] = dict(parent.conditions) if parent else {}
        clashes = set(getattr(parent, "clashes", ()))
        for name, cond in (data.get("conditions") or {}).items():
            if not name.startswith("__"):
                if not isinstance(cond, dict):
                    raise MappingError(f"{path}: condition {name!r} is a mapping such as {{leader/07: [a, b]}}")
                self.conditions[name] = cond
                clashes.discard(name)
        if clashes:
            raise MappingError(f"{path}: the profiles it extends define the condition(s) {', '.join(sorted(clashes))} "
                               "differently: define them here")
        if "maps" in data:
            self.maps_dirs.insert(0, path.parent / str(data["maps"]))
        if "record" in data:
            rec = data["record"]
            Where(str(path)).check_keys(rec, RECORD_KEYS, "record")
            if "id" in rec:
                self.record["id"] = rec["id"] if isinstance(rec["id"], list) else [rec["id"]]
            if "nodes" in rec:
                nodes = dict(self.record.get("nodes", {}))
                nodes.update({k: v for k, v in rec["nodes"].items() if not k.startswith("__")})
                self.record["nodes"] = nodes
        removed = set(data.get("remove") or [])
        known = {r.get("id") for r, _ in self.rules}
        for rid in removed:
            if rid not in known:
                raise MappingError(f"{path}: `remove` names rule {rid!r}, which no parent profile has")
        self.rules = [(r, f) for r, f in self.rules if r.get("id") not in removed]
        for inc in data.get("include") or []:
            inc_path = path.parent / str(inc)
            rules = load_yaml(inc_path) or []
            if not isinstance(rules, list):
                raise MappingError(f"{inc_path}: a rule file is a list of rules")
            self._add(rules, str(inc_path))
        self._add(data.get("rules") or [], str(path))

    def _add(self, rules: list, file: str) -> None:
        index = {r.get("id"): i for i, (r, _) in enumerate(self.rules)}
        for rule in rules:
            if not isinstance(rule, dict):
                raise MappingError(f"{file}: a rule is a mapping, got {rule!r}")
            rid = rule.get("id")
            if rid in index:
                self.rules[index[rid]] = (rule, file)
            else:
                index[rid] = len(self.rules)
                self.rules.append((rule, file))

    def table(self, name: str) -> Table:
        path = find_table(name, self.maps_dirs)
        if path is None:
            raise KeyError(name)
        return load_table(path)

    def compile(self, base: str | None = None) -> Mapper:
        compiler = Compiler(self.table, self.conditions)
        compiled = []
        seen: dict[str, str] = {}
        for rule, file in self.rules:
            rid = rule.get("id")
            if rid in seen and seen[rid] == file:
                raise Where(file, rid).error(rule, f"rule id {rid!r} is used twice in this file")
            seen[rid] = file
            compiled.append(compiler.rule(rule, file))
        record_id = []
        for spec in self.record.get("id", ["001"]):
            try:
                (part,) = parse_selector(str(spec))
            except ValueError as exc:
                raise MappingError(f"{self.path}: record id: {exc}") from None
            record_id.append((part.pattern, part.codes or "a"))
        nodes = {k: str(v) for k, v in self.record.get("nodes", {}).items()}
        return Mapper(self.name, compiled, record_id, nodes, base or self.base, self._script_tag(), compiler.terms)

    def _script_tag(self):
        try:
            languages = self.table("languages").column("bcp47")
            scripts = self.table("scripts").column(None)
            defaults = self.table("language_scripts").column(None)
        except (KeyError, ValueError):
            languages, scripts, defaults = {}, {}, {}

        @lru_cache(maxsize=256)
        def script_tag(lang_code: str, six: str) -> str | None:
            """The BCP 47 tag of an 880's text: language from 008/35-37, script from $6."""
            lang = languages.get(lang_code.strip())
            script_code = six.split("/", 1)[1].split("/")[0] if "/" in six else ""
            script = scripts.get(script_code)
            default = defaults.get(lang_code.strip())
            if default and (script is None or script == "Hani"):
                script = default
            if lang and script:
                return f"{lang}-{script}"
            if script:
                return f"und-{script}"
            return lang

        return script_tag


class _Merged:
    """Several parents as one: rules in order, record nodes and table folders joined."""

    def __init__(self, parents: list[Profile], path: Path):
        self.rules: list[tuple[dict, str]] = []
        self.record = {"id": list(parents[0].record.get("id", ["001"])), "nodes": {}}
        self.maps_dirs: list[Path] = []
        self.base = parents[0].base
        self.conditions: dict[str, dict] = {}
        self.clashes: set[str] = set()
        owner: dict[str, str] = {}
        for p in parents:
            for rule, file in p.rules:
                rid = rule.get("id")
                if rid in owner:
                    raise MappingError(f"{path}: rule {rid!r} is in both {owner[rid]} and {p.name}: "
                                       "extend them in two profiles, or remove one")
                owner[rid] = p.name
                self.rules.append((rule, file))
            for name, suffix in p.record.get("nodes", {}).items():
                if self.record["nodes"].setdefault(name, suffix) != suffix:
                    raise MappingError(f"{path}: the node {name!r} is {self.record['nodes'][name]!r} in one "
                                       f"parent and {suffix!r} in {p.name}")
            self.maps_dirs += [d for d in p.maps_dirs if d not in self.maps_dirs]
            for name, cond in p.conditions.items():
                if name in self.conditions and _bare(self.conditions[name]) != _bare(cond):
                    self.clashes.add(name)
                self.conditions.setdefault(name, cond)


def _bare(obj):
    """A YAML value without the line numbers the loader adds, for comparison."""
    if isinstance(obj, dict):
        return {k: _bare(v) for k, v in obj.items() if not k.startswith("__")}
    if isinstance(obj, list):
        return [_bare(v) for v in obj]
    return obj


def load_mappers(names: list[str], base: str | None = None) -> list[Mapper]:
    return [Profile(profile_path(n)).compile(base) for n in names]
