"""Evaluation of DTL: contexts, paths and the function registry.

A rule is a list of transform functions run against a target entity `_T`, with the source entity as `_S`
(`hub/data-transformation-language.rst`). `apply` runs a named rule in a child context whose `_P` is the caller and
`_R` the outermost context; functions such as `map` and `filter` bind the current value to `_.`.
Paths follow `hub/dtl/paths.rst`: `"_S.a.b"` walks dictionaries and collects the values found in lists, and yields
null when a step is missing.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from emulator.errors import DTLError, Unsupported

Function = Callable[[list[Any], "Context"], Any]
FUNCTIONS: dict[str, Function] = {}
TRANSFORMS: dict[str, Function] = {}
_UNBOUND = object()


def function(*names: str, lazy: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register an expression function. Eager functions receive their evaluated arguments, lazy ones the raw
    expressions (for `if`, `map` and other functions that bind `_.` or evaluate conditionally)."""

    def register(implementation: Callable[..., Any]) -> Callable[..., Any]:
        def call(args: list[Any], ctx: Context) -> Any:
            if lazy:
                return implementation(args, ctx)
            return implementation(*[ctx.evaluate(arg) for arg in args])

        for name in names:
            FUNCTIONS[name] = call
        return implementation

    return register


def transform(*names: str) -> Callable[[Function], Function]:
    def register(implementation: Function) -> Function:
        for name in names:
            TRANSFORMS[name] = implementation
        return implementation

    return register


@dataclass
class DTLEnvironment:
    """What a pipe gives its transforms: namespaces, the store for hops, and the source's previous versions."""

    pipe_id: str
    namespaced: bool = False
    identity_namespace: str = ""
    property_namespace: str = ""
    lookup: Any = None  # emulator.dtl.hops.Lookup, set by the runner
    previous_version: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None  # for is-changed


class Discarded(Exception):
    """Raised by `discard`/`filter` to stop the rule; `filtered` tells the sink to delete rather than drop."""

    def __init__(self, filtered: bool) -> None:
        super().__init__()
        self.filtered = filtered


@dataclass
class Context:
    source: Any
    target: dict[str, Any]
    rules: dict[str, list[Any]]
    env: DTLEnvironment
    parent: "Context | None" = None
    current: Any = _UNBOUND
    created: list[dict[str, Any]] = field(default_factory=list)
    aliases: dict[str, Any] = field(default_factory=dict)  # hops dataset aliases bound to entities

    @property
    def root(self) -> "Context":
        return self if self.parent is None else self.parent.root

    def bind(self, value: Any) -> "Context":
        """A context with `_.` bound to `value`, sharing everything else."""
        return Context(self.source, self.target, self.rules, self.env, self.parent, value, self.created, self.aliases)

    def with_aliases(self, aliases: dict[str, Any]) -> "Context":
        return Context(self.source, self.target, self.rules, self.env, self.parent, self.current, self.created, aliases)

    def evaluate(self, expression: Any) -> Any:
        if isinstance(expression, str):
            return self._evaluate_string(expression)
        if isinstance(expression, list):
            if not expression or not isinstance(expression[0], str):
                raise DTLError(f"not a DTL expression: {expression!r} (literal lists are written ['list', ...])")
            name = expression[0]
            implementation = FUNCTIONS.get(name)
            if implementation is None:
                if name in TRANSFORMS:
                    raise DTLError(f"{name!r} is a transform function and cannot be used as an expression")
                raise DTLError(f"unknown DTL function {name!r}")
            return implementation(expression[1:], self)
        return expression

    def _evaluate_string(self, text: str) -> Any:
        if self.aliases:
            head, _, rest = text.partition(".")
            if head in self.aliases:
                return walk_path(self.aliases[head], rest)
        if not text.startswith("_"):
            return text  # a string literal
        if text == "_.":
            return self._current()
        if text.startswith("_."):
            return walk_path(self._current(), text[2:])
        for prefix, hop in (("_P.", lambda: self.parent), ("_R.", lambda: self.root)):
            if text.startswith(prefix):
                other = hop()
                if other is None:
                    raise DTLError(f"{text!r}: there is no parent context here")
                return other._evaluate_string(text[3:])
        if text in ("_S", "_S."):
            return self.source
        if text in ("_T", "_T."):
            return self.target
        if text.startswith("_S."):
            return walk_path(self.source, text[3:])
        if text.startswith("_T."):
            return walk_path(self.target, text[3:])
        return text

    def _current(self) -> Any:
        if self.current is _UNBOUND:
            raise DTLError("'_.' used outside a function that binds it")
        return self.current

    def run_transforms(self, transforms: list[Any]) -> None:
        for step in transforms:
            if not isinstance(step, list) or not step or not isinstance(step[0], str):
                raise DTLError(f"not a DTL transform: {step!r}")
            implementation = TRANSFORMS.get(step[0])
            if implementation is None:
                if step[0] in FUNCTIONS:
                    raise DTLError(f"{step[0]!r} is an expression function and cannot be used as a transform")
                raise DTLError(f"unknown DTL transform function {step[0]!r}")
            implementation(step[1:], self)

    def apply_rule(self, rule_name: str, source: Any) -> dict[str, Any] | None:
        """Run a named rule on `source` in a child context; None when the rule discarded or filtered it."""
        if rule_name not in self.rules:
            raise DTLError(f"apply: no rule named {rule_name!r}")
        child = Context(source, {}, self.rules, self.env, parent=self, created=self.created)
        try:
            child.run_transforms(self.rules[rule_name])
        except Discarded:
            return None
        return child.target


def walk_path(value: Any, path: str) -> Any:
    if path == "":
        return value
    for step in split_path(path):
        value = _step(value, step)
        if value is None:
            return None
    return value


@lru_cache(maxsize=4096)  # paths are written in the configuration: few, and met for every entity
def split_path(path: str) -> tuple[str, ...]:
    """`foo.'john.doe''s'.bar` → `["foo", "john.doe's", "bar"]`: "You can have periods in path elements if you
    quote them … A quoted path element must begin and end with a single quote. Single quotes can be escaped with
    `''`" (hub/dtl/paths.rst)."""
    steps: list[str] = []
    position = 0
    while True:
        if path.startswith("'", position):
            element, position = _quoted_element(path, position)
        else:
            end = path.find(".", position)
            element = path[position:] if end < 0 else path[position:end]
            if "'" in element:
                raise DTLError(f"path {path!r}: a quoted path element must begin and end with a single quote")
            position = len(path) if end < 0 else end
        steps.append(element)
        if position == len(path):
            return tuple(steps)
        if path[position] != ".":
            raise DTLError(f"path {path!r}: a quoted path element must begin and end with a single quote")
        position += 1


def _quoted_element(path: str, start: int) -> tuple[str, int]:
    text: list[str] = []
    position = start + 1
    while position < len(path):
        if path[position] == "'":
            if path.startswith("''", position):
                text.append("'")
                position += 2
                continue
            return "".join(text), position + 1
        text.append(path[position])
        position += 1
    raise DTLError(f"path {path!r}: the quoted path element is not closed")


def _step(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        return value.get(key)
    if isinstance(value, list):
        found: list[Any] = []
        for item in value:
            if isinstance(item, dict) and key in item:
                child = item[key]
                found.extend(child if isinstance(child, list) else [child])
        return found
    return None


def is_true(value: Any) -> bool:
    """A boolean-expression's value: "`false`, `null` and `[]` evaluate to false. All other values evaluate to true"
    (hub/dtl/argument-types.rst) — so 0, "" and `[false]` are true."""
    return not (value is False or value is None or (isinstance(value, list) and not value))


class DTLTransform:
    """One `{"type": "dtl", "rules": {...}}` transform of a pipe."""

    def __init__(self, spec: dict[str, Any], env: DTLEnvironment) -> None:
        rules = spec.get("rules")
        if not isinstance(rules, dict) or "default" not in rules:
            raise DTLError(f"pipe {env.pipe_id}: a DTL transform needs rules with a 'default' rule")
        self.rules = rules
        self.env = env
        self.id_required = spec.get("id_required", True)
        for rule in rules.values():
            check_transforms(rule, f"pipe {env.pipe_id}")

    def apply(self, entity: dict[str, Any]) -> list[dict[str, Any]]:
        """The entities this source entity yields: those emitted by `create`, then the target (unless discarded;
        a filtered target comes back with `_filtered: true` for the sink to act on)."""
        ctx = Context(entity, {}, self.rules, self.env)
        try:
            ctx.run_transforms(self.rules["default"])
            target: dict[str, Any] | None = ctx.target
        except Discarded as stop:
            target = None
            if stop.filtered:
                target = {**ctx.target, "_id": ctx.target.get("_id", entity.get("_id")), "_filtered": True}
        except DTLError as error:
            raise DTLError(f"pipe {self.env.pipe_id}, entity {entity.get('_id')!r}: {error}") from None
        out = [created for created in ctx.created if self._has_id(created)]
        if target is not None:
            # Deletes pass through transforms (insert-pattern.rst): a deleted source gives a deleted target.
            if entity.get("_deleted") is True and "_deleted" not in target:
                target["_deleted"] = True
            if self._has_id(target):
                out.append(target)
        return out

    def _has_id(self, entity: dict[str, Any]) -> bool:
        if isinstance(entity.get("_id"), str):
            return True
        if self.id_required:
            raise DTLError(f"pipe {self.env.pipe_id}: DTL produced an entity without a string _id (id_required)")
        return False


_UNCHECKED = ("comment", "literal")
UNSUPPORTED_HOPS_KEYS = ("recurse", "subsets", "prefilters")


def check_transforms(steps: Any, where: str) -> None:
    """Refuse, before anything runs, a rule that names a function the emulator does not implement."""
    if not isinstance(steps, list):
        raise DTLError(f"{where}: a DTL rule must be a list of transforms, got {steps!r}")
    for step in steps:
        if not isinstance(step, list) or not step or not isinstance(step[0], str):
            raise DTLError(f"{where}: not a DTL transform: {step!r}")
        name, args = step[0], step[1:]
        if name not in TRANSFORMS:
            raise Unsupported(where, f"DTL transform function {name!r}")
        if name in _UNCHECKED:
            continue
        if name == "if":
            check_expression(args[0] if args else None, where)
            for branch in args[1:]:
                _check_branch(branch, where)
        elif name in ("case", "case-eq"):
            values = args[1:] if name == "case-eq" else args
            if name == "case-eq" and args:
                check_expression(args[0], where)
            for index, arg in enumerate(values):
                is_branch = index % 2 == 1 or (len(values) % 2 == 1 and index == len(values) - 1)
                _check_branch(arg, where) if is_branch else check_expression(arg, where)
        else:
            for arg in args:
                check_expression(arg, where)


def _check_branch(branch: Any, where: str) -> None:
    single = isinstance(branch, list) and branch and isinstance(branch[0], str)
    check_transforms([branch] if single else branch or [], where)


def check_expression(expression: Any, where: str) -> None:
    if not (isinstance(expression, list) and expression and isinstance(expression[0], str)):
        return  # a literal (dicts are literal values in DTL)
    name, args = expression[0], expression[1:]
    if name not in FUNCTIONS:
        raise Unsupported(where, f"DTL function {name!r}")
    if name in _UNCHECKED:
        return
    for arg in args:
        if isinstance(arg, dict) and name in ("hops", "apply-hops"):
            _check_hops_spec(arg, where)
        else:
            check_expression(arg, where)


def _check_hops_spec(spec: dict[str, Any], where: str) -> None:
    for key in UNSUPPORTED_HOPS_KEYS:
        if key in spec:
            raise Unsupported(f"{where}: hops", f"the '{key}' property")
    clauses = spec.get("where")
    single = isinstance(clauses, list) and clauses and isinstance(clauses[0], str)
    for clause in [clauses] if single else clauses or []:
        check_expression(clause, where)
    check_expression(spec.get("return"), where)
