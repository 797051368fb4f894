"""Dependency tracking derived from the pipe's DTL, before anything runs (`hub/features/dependency-tracking.rst`).

"DTL allows Sesam to inspect the transform to see where the dependencies are": a node reads the `hops` and
`apply-hops` of a pipe and inverts their joins, so that a change in a hopped-to dataset "will traverse from the
entity and back to the pipe's source dataset to find entities that need to be reprocessed"; the inverse traversal
"matches against the source dataset's entities and not the transform's entities" (`hub/dtl/caveats.rst`).

So a join can only be followed back when its other side is an expression on the source entity (`_S` of the pipe's
first transform, or of a rule `apply-hops` applies to what it found, or of a chained HOPS_SPEC), or on one other
alias of the same HOPS_SPEC that is itself followed back. A join whose other side reads the target (`_T`), the
current value of a `map`/`filter` (`_.`), a parent context, or an `apply` rule's `_S` (a value, not a source
entity) is accepted by a node and silently never tracked: an entity left out for want of what it joins to then
waits until something else changes it. Each such join is reported as a warning, and so are the documented
caveats (a pipe whose source is not a dataset, `add_namespaces`, hops in a later transform, `_S.$ids`).

Aliases a HOPS_SPEC leaves unjoined are refused, as a node refuses them "at compile time" (dtl-functions-hops.rst).
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from emulator.config import parse_dataset_alias
from emulator.errors import ConfigError

DEPENDENCY_DOCS = "hub/features/dependency-tracking.rst, hub/dtl/caveats.rst"
# Functions whose leading arguments are function expressions evaluated with `_.` bound to each of VALUES (the last
# argument): `_.` inside them is theirs, not the caller's.
BINDS_CURRENT = {"map", "filter", "all", "any", "sorted", "sorted-descending", "distinct", "min", "max", "coalesce",
                 "group", "group-by", "map-dict", "map-values", "integer", "decimal", "float", "boolean", "string",
                 "datetime", "is-changed"}
_UNEVALUATED = {"literal", "comment"}
NAVIGABLE = {"_S", "_P", "_R", "_."}  # what a join can start from besides aliases bound before


@dataclass(frozen=True, eq=False)
class Node:
    """What a join's other side reads: the pipe's source entity (`dataset` None) or one alias of a HOPS_SPEC,
    with the joins that bind it (none that can be followed back: a change there cannot be traced)."""
    dataset: str | None
    alias: str | None
    joins: tuple["Join", ...] = ()


SOURCE = Node(None, None)


@dataclass(frozen=True, eq=False)
class Join:
    """`["eq", parent_expression, expression]` binding `alias` of `dataset` to its parent node."""
    dataset: str
    alias: str
    expression: Any
    parent: Node
    parent_expression: Any

    @property
    def key(self) -> str:
        return json.dumps([self.dataset, self.alias, self.expression], sort_keys=True)


@dataclass
class Dependencies:
    joins: list[Join] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def by_dataset(self) -> dict[str, list[Join]]:
        found: dict[str, list[Join]] = {}
        for join in self.joins:
            found.setdefault(join.dataset, []).append(join)
        return found


@dataclass(frozen=True)
class _Scope:
    source: Node | None  # what `_S` is here; None: not an entity that can be traced back
    where: str


def derive(pipe_id: str, transforms: list[dict[str, Any]], dataset_source: bool,
           add_namespaces: bool) -> Dependencies:
    found = Dependencies()
    for index, transform in enumerate(transforms):
        walker = _Walker(pipe_id, transform.get("rules") or {}, found, record=dataset_source)
        joins_before = len(found.joins)
        walker.rule("default", _Scope(SOURCE, f"pipe {pipe_id}"))
        if walker.hops_seen and not dataset_source:
            found.warnings.append(f"pipe {pipe_id}: hops are never tracked here: only pipes with a dataset source "
                                  f"support dependency tracking ({DEPENDENCY_DOCS})")
        if index > 0 and len(found.joins) > joins_before:
            found.warnings.append(f"pipe {pipe_id}: hops in transform {index + 1} are followed back from the source "
                                  "dataset's entities, as a node does: they are only tracked while the earlier "
                                  f"transforms leave the joined properties as they are ({DEPENDENCY_DOCS})")
    if add_namespaces and any(join.parent is SOURCE for join in found.joins):
        found.warnings.append(f"pipe {pipe_id}: add_namespaces rewrites the source entities, so joins on them are "
                              "followed back against entities without those namespaces and rarely match "
                              f"({DEPENDENCY_DOCS})")
    return found


class _Walker:
    def __init__(self, pipe_id: str, rules: dict[str, Any], found: Dependencies, record: bool) -> None:
        self.pipe_id = pipe_id
        self.rules = rules
        self.found = found
        self.record = record  # a pipe without a dataset source is only checked: nothing of it is tracked
        self.hops_seen = False
        self._walked: set[tuple[str, int | None]] = set()

    def rule(self, name: Any, scope: _Scope) -> None:
        """Walk a named rule in a scope (once per rule and `_S`); a computed rule name could be any rule."""
        names = [name] if isinstance(name, str) else [n for n in self.rules if n != "default"]
        for rule_name in names:
            mark = (rule_name, id(scope.source) if scope.source is not None else None)
            if rule_name in self.rules and mark not in self._walked:
                self._walked.add(mark)
                self.walk(self.rules[rule_name], _Scope(scope.source, f"{scope.where}, rule {rule_name!r}"))

    def walk(self, expression: Any, scope: _Scope) -> None:
        if isinstance(expression, dict):
            for value in expression.values():
                self.walk(value, scope)
            return
        if not isinstance(expression, list) or not expression:
            return
        head = expression[0]
        if not isinstance(head, str):
            for item in expression:
                self.walk(item, scope)
            return
        args = expression[1:]
        if head in _UNEVALUATED:
            return
        if head == "hops":
            self.hops(args, scope)
        elif head == "apply-hops" and args:
            self.walk(args[0], scope)
            found = self.hops(args[1:], scope)
            self.rule(args[0], _Scope(found, f"{scope.where}, apply-hops"))
        elif head == "apply" and len(args) == 2:
            self.walk(args[1], scope)
            # `_S` of an applied rule is a value (a line, a dict), not an entity a change can be traced back to
            self.rule(args[0], _Scope(None, f"{scope.where}, apply"))
        else:
            for arg in args:
                self.walk(arg, scope)

    def hops(self, specs: list[Any], scope: _Scope) -> Node | None:
        """Record the joins of a chain of HOPS_SPECs; what the chain returns, as the `_S` of what comes next."""
        self.hops_seen = True
        source = scope.source
        for spec in specs:
            if not isinstance(spec, dict):
                return None  # refused when it runs
            source = self.spec(spec, source, scope.where)
        return source

    def spec(self, spec: dict[str, Any], source: Node | None, where: str) -> Node | None:
        where = f"{where}: hops"
        datasets = [parse_dataset_alias(item, where) for item in spec.get("datasets", [])]
        aliases = [alias for _, alias in datasets]
        clauses = where_clauses(spec.get("where"))
        for clause in clauses:
            self.walk(clause, _Scope(source, where))
        track = self.record and spec.get("track-dependencies", True) is not False
        nodes: dict[str, Node] = {}
        for dataset, alias in datasets:
            joins: list[Join] = []
            bound = False
            for mine, other in binding_sides(clauses, alias, set(nodes), aliases):
                bound = True
                parent = self._parent(other, source, nodes, aliases, f"{where} {alias!r} ({dataset})", track)
                if parent is not None:
                    joins.append(Join(dataset, alias, mine, parent, other))
            if not bound:
                raise ConfigError(f"{where}: dataset alias {alias!r} is not joined to the source "
                                  "entity by an 'eq' (a node refuses this when the pipe is compiled, "
                                  "dtl-functions-hops.rst)")
            if track:
                self.found.joins.extend(joins)
            nodes[alias] = Node(dataset, alias, tuple(joins) if track else ())
        returned = spec.get("return", aliases[-1] if aliases else None)
        if isinstance(returned, str) and returned.strip() in nodes:
            return nodes[returned.strip()]
        return None  # a template or several aliases: what follows cannot be traced back through it

    def _parent(self, other: Any, source: Node | None, nodes: dict[str, Node], aliases: list[str], what: str,
                track: bool) -> Node | None:
        roots = free_variables(other, aliases)
        if roots == {"_S"} and source is not None:
            if "$ids" in json.dumps(other) and source is SOURCE:
                self._warn(track, f"{what}: joins on _S.$ids, which a node fills in for the transform but the inverse "
                                  f"traversal does not see ({DEPENDENCY_DOCS})")
            return source
        if len(roots) == 1 and next(iter(roots)) in nodes:
            return nodes[next(iter(roots))]
        reads = ", ".join(sorted(roots)) or "nothing"
        reason = ("_S here is not an entity of the pipe's source" if roots == {"_S"} else
                  f"the join's other side {json.dumps(other)} reads {reads}, not the source entity")
        self._warn(track, f"{what} cannot be tracked: {reason}; a node accepts it and never re-runs an entity when "
                          f"what it joins to changes ({DEPENDENCY_DOCS})")
        return None

    def _warn(self, track: bool, message: str) -> None:
        if track:
            self.found.warnings.append(message)


def where_clauses(where: Any) -> list[Any]:
    if where is None:
        return []
    if isinstance(where, list) and where and isinstance(where[0], str):
        return [where]
    return list(where)


def binding_sides(clauses: list[Any], alias: str, bound: set[str], aliases: list[str]) -> Iterator[tuple[Any, Any]]:
    """(side on `alias`, other side) of each `eq` joining `alias` to what is already navigable: the source entity
    (or a value reached from it: a parent context, the current value) or aliases bound before it. "All dataset
    aliases … have to be joined and all must by navigable from the source entity" (dtl-functions-hops.rst)."""
    for clause in clauses:
        if not (isinstance(clause, list) and len(clause) == 3 and clause[0] == "eq"):
            continue
        for mine, other in ((clause[1], clause[2]), (clause[2], clause[1])):
            if free_variables(mine, aliases) != {alias}:
                continue
            roots = free_variables(other, aliases)
            if roots and roots - NAVIGABLE <= bound:
                yield mine, other
                break


def free_variables(expression: Any, aliases: list[str]) -> set[str]:
    """The variables an expression reads: `_S`, `_T`, `_P`, `_R`, `_B`, `_.` or a hops alias; `_.` inside the
    function argument of `map`, `filter` and the like is bound there, not read from outside."""
    if isinstance(expression, str):
        head = expression.split(".", 1)[0]
        if head in aliases:
            return {head}
        if expression == "_." or expression.startswith("_."):
            return {"_."}
        if head in ("_S", "_T", "_P", "_R", "_B"):
            return {head}
        return set()
    if isinstance(expression, dict):
        return set().union(*(free_variables(value, aliases) for value in expression.values()))
    if not isinstance(expression, list) or not expression or not isinstance(expression[0], str):
        return set()
    name, args = expression[0], expression[1:]
    if name in _UNEVALUATED:
        return set()
    if name in BINDS_CURRENT and len(args) > 1:
        inner = set().union(*(free_variables(arg, aliases) for arg in args[:-1])) - {"_."}
        return inner | free_variables(args[-1], aliases)
    return set().union(*(free_variables(arg, aliases) for arg in args)) if args else set()
