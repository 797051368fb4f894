"""Dictionaries, `path`, `apply` and `literal` (dtl-functions-dictionaries.rst, dtl-functions-misc.rst)."""
from __future__ import annotations

from typing import Any

from emulator.dtl.engine import Context, function
from emulator.dtl.functions.arguments import check_arguments
from emulator.errors import DTLError
from emulator.namespaces import matches_property
from emulator.values import as_list


@function("dict")
def dict_(*args: Any) -> dict[str, Any]:
    if len(args) == 1:
        return {pair[0]: pair[1] for pair in as_list(args[0]) if isinstance(pair, list) and len(pair) == 2}
    if len(args) % 2:
        raise DTLError("dict takes no arguments, ITEMS, or KEY, VALUE pairs")
    return {args[i]: args[i + 1] for i in range(0, len(args), 2)}


def _dicts(values: Any) -> list[dict[str, Any]]:
    return [value for value in as_list(values) if isinstance(value, dict)]


@function("items")
def items(values: Any) -> list[list[Any]]:
    return [[key, item] for value in _dicts(values) for key, item in value.items()]


@function("key-values")
def key_values(values: Any) -> Any:
    pairs = [{"key": key, "value": item} for value in _dicts(values) for key, item in value.items()]
    return pairs[0] if isinstance(values, dict) and len(pairs) == 1 else pairs


@function("keys")
def keys(values: Any) -> list[str]:
    return [key for value in _dicts(values) for key in value]


@function("values")
def values_(values: Any) -> list[Any]:
    return [item for value in _dicts(values) for item in value.values()]


@function("path", lazy=True)
def path(args: list[Any], ctx: Context) -> Any:
    check_arguments(args, (2,), "path")
    steps = [str(step) for step in as_list(ctx.evaluate(args[0]))]
    values = ctx.evaluate(args[1])
    found: list[Any] = as_list(values)
    for step in steps:
        found = [item for value in found if isinstance(value, dict)
                 for reached in _path_step(ctx, value, step) for item in as_list(reached)]
    found = [value for value in found if value is not None]
    if not isinstance(values, list) and len(found) <= 1:
        return found[0] if found else None
    return found


def _path_step(ctx: Context, value: dict[str, Any], step: str) -> list[Any]:
    """Namespace aware (path, "With namespaced identifiers enabled"): a bare name collects it in every namespace."""
    if not ctx.env.namespaced:
        return [value[step]] if step in value else []
    if step.startswith("::"):
        return [value[step[2:]]] if step[2:] in value else []
    if step.startswith(":"):
        step = f"{ctx.env.property_namespace}{step}"
    if ":" in step:
        return [value[step]] if step in value else []
    return [item for key, item in value.items() if matches_property(key, step, True)]


@function("apply", lazy=True)
def apply(args: list[Any], ctx: Context) -> Any:
    check_arguments(args, (2,), "apply")
    rule = ctx.evaluate(args[0])
    sources = ctx.evaluate(args[1])
    results = [result for source in as_list(sources) if (result := ctx.apply_rule(rule, source)) is not None]
    if isinstance(sources, list):
        return results
    return results[0] if results else None


@function("literal", lazy=True)
def literal(args: list[Any], ctx: Context) -> Any:
    check_arguments(args, (1,), "literal")
    return args[0]


@function("map-values", lazy=True)
def map_values(args: list[Any], ctx: Context) -> list[Any]:
    check_arguments(args, (2,), "map-values")
    return [ctx.bind(item).evaluate(args[0]) for value in _dicts(ctx.evaluate(args[1])) for item in value.values()]


@function("map-dict", lazy=True)
def map_dict(args: list[Any], ctx: Context) -> Any:
    """"If the KEY_FUNCTION returns a non-string value then the key+value pair is ignored. Empty dictionaries are
    not returned."""
    check_arguments(args, (3,), "map-dict")
    values = ctx.evaluate(args[2])
    mapped = []
    for value in _dicts(values):
        pairs = ((ctx.bind(key).evaluate(args[0]), ctx.bind(item).evaluate(args[1])) for key, item in value.items())
        result = {key: item for key, item in pairs if isinstance(key, str)}
        if result:
            mapped.append(result)
    if isinstance(values, list):
        return mapped
    return mapped[0] if mapped else None
