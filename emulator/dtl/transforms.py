"""DTL transform functions (`hub/dtl/dtl-functions-transforms.rst`): they change `_T` or stop the rule."""
from __future__ import annotations

from typing import Any

from emulator.dtl.engine import Context, Discarded, is_true, transform
from emulator.errors import DTLError
from emulator.namespaces import property_matcher, qualify
from emulator.values import as_list, is_ni, make_ni, same_value


def _property_name(ctx: Context, expression: Any) -> str:
    name = ctx.evaluate(expression)
    if not isinstance(name, str):
        raise DTLError(f"property name must be a string, got {name!r}")
    return name


def _target_key(ctx: Context, name: str) -> str:
    return qualify(name, ctx.env.property_namespace) if ctx.env.namespaced else name


def _id_value(ctx: Context, value: Any) -> Any:
    """With namespaced identifiers, string `_id` values get the identity namespace unless they already have one."""
    if ctx.env.namespaced and isinstance(value, str) and ":" not in value:
        return f"{ctx.env.identity_namespace}:{value}"
    if ctx.env.namespaced and isinstance(value, str) and value.startswith("::"):
        return value[2:]
    return value


def _put(ctx: Context, name: str, value: Any, only_if_missing: bool) -> None:
    if name == "_id":
        key, value = "_id", _id_value(ctx, value)
    else:
        key = _target_key(ctx, name)
    if only_if_missing and key in ctx.target:
        return
    ctx.target[key] = value


@transform("add")
def add(args: list[Any], ctx: Context) -> None:
    _expect(args, 2, "add")
    _put(ctx, _property_name(ctx, args[0]), ctx.evaluate(args[1]), only_if_missing=False)


@transform("default")
def default(args: list[Any], ctx: Context) -> None:
    _expect(args, 2, "default")
    _put(ctx, _property_name(ctx, args[0]), ctx.evaluate(args[1]), only_if_missing=True)


@transform("add-if")
def add_if(args: list[Any], ctx: Context) -> None:
    if len(args) not in (2, 3):
        raise DTLError("add-if takes PROPERTY, optional CONDITION and VALUES")
    value = ctx.evaluate(args[-1])
    holds = is_true(ctx.bind(value).evaluate(args[1])) if len(args) == 3 else value is not None
    if holds:
        _put(ctx, _property_name(ctx, args[0]), value, only_if_missing=False)


def _patterns(ctx: Context, expression: Any) -> tuple[str, ...]:
    return tuple(str(pattern) for pattern in as_list(ctx.evaluate(expression)))


@transform("copy")
def copy(args: list[Any], ctx: Context) -> None:
    if len(args) not in (1, 2):
        raise DTLError("copy takes INCLUDE_PROPERTIES and optional EXCLUDE_PROPERTIES")
    include = property_matcher(_patterns(ctx, args[0]), ctx.env.namespaced)
    exclude = property_matcher(_patterns(ctx, args[1]) if len(args) == 2 else (), ctx.env.namespaced)
    if not isinstance(ctx.source, dict):
        return
    for key, value in ctx.source.items():
        if include(key) and not exclude(key):
            ctx.target[key] = value


@transform("remove")
def remove(args: list[Any], ctx: Context) -> None:
    _expect(args, 1, "remove")
    matches = property_matcher(_patterns(ctx, args[0]), ctx.env.namespaced)
    for key in [k for k in ctx.target if matches(k)]:
        del ctx.target[key]


@transform("rename")
def rename(args: list[Any], ctx: Context) -> None:
    _expect(args, 2, "rename")
    old, new = _property_name(ctx, args[0]), _property_name(ctx, args[1])
    if not isinstance(ctx.source, dict):
        return
    if ctx.env.namespaced and ":" not in old:
        # "Renames the a property in all namespaces to b in the same namespace" (rename, with namespaces).
        for key, value in ctx.source.items():
            namespace, colon, identifier = key.rpartition(":")
            if identifier == old:
                ctx.target[new if ":" in new or not colon else f"{namespace}:{new}"] = value
    elif old in ctx.source:
        ctx.target[new] = ctx.source[old]


@transform("comment")
def comment(args: list[Any], ctx: Context) -> None:
    """Holds comments; "Any expressions inside the comment will not be evaluated"."""


@transform("discard")
def discard(args: list[Any], ctx: Context) -> None:
    if not args or not is_true(ctx.evaluate(args[0])):
        raise Discarded(filtered=False)


@transform("filter")
def filter_(args: list[Any], ctx: Context) -> None:
    if not args or not is_true(ctx.evaluate(args[0])):
        raise Discarded(filtered=True)


@transform("create")
def create(args: list[Any], ctx: Context) -> None:
    _expect(args, 1, "create")
    # "Values that are not entities will be ignored."
    ctx.created.extend(dict(value) for value in as_list(ctx.evaluate(args[0])) if isinstance(value, dict))


def _run_branch(ctx: Context, branch: Any) -> None:
    """THEN/ELSE may be one transform or a list of them (`if`)."""
    if isinstance(branch, list) and branch and isinstance(branch[0], str):
        ctx.run_transforms([branch])
    else:
        ctx.run_transforms(branch or [])


@transform("if")
def if_(args: list[Any], ctx: Context) -> None:
    if len(args) not in (2, 3):
        raise DTLError("if takes CONDITION, THEN and optional ELSE")
    if is_true(ctx.evaluate(args[0])):
        _run_branch(ctx, args[1])
    elif len(args) == 3:
        _run_branch(ctx, args[2])


@transform("case")
def case(args: list[Any], ctx: Context) -> None:
    pairs, otherwise = _pairs(args)
    for condition, then in pairs:
        if is_true(ctx.evaluate(condition)):
            _run_branch(ctx, then)
            return
    if otherwise is not None:
        _run_branch(ctx, otherwise)


@transform("case-eq")
def case_eq(args: list[Any], ctx: Context) -> None:
    if not args:
        raise DTLError("case-eq takes VALUE then (VALUE_N, THEN) pairs")
    value = ctx.evaluate(args[0])
    pairs, otherwise = _pairs(args[1:])
    for candidate, then in pairs:
        if same_value(ctx.evaluate(candidate), value):
            _run_branch(ctx, then)
            return
    if otherwise is not None:
        _run_branch(ctx, otherwise)


def _pairs(args: list[Any]) -> tuple[list[tuple[Any, Any]], Any]:
    pairs = [(args[i], args[i + 1]) for i in range(0, len(args) - 1, 2)]
    return pairs, (args[-1] if len(args) % 2 else None)


def _merge_values(ctx: Context, expression: Any, union: bool) -> None:
    for value in as_list(ctx.evaluate(expression)):
        if not isinstance(value, dict):
            continue
        for key, item in value.items():
            if key.startswith("_"):  # "Any properties at the root level starting with "_" are filtered out."
                continue
            if union and key in ctx.target:
                ctx.target[key] = as_list(ctx.target[key]) + as_list(item)
            else:
                ctx.target[key] = item


@transform("merge")
def merge(args: list[Any], ctx: Context) -> None:
    _expect(args, 1, "merge")
    _merge_values(ctx, args[0], union=False)


@transform("merge-union")
def merge_union(args: list[Any], ctx: Context) -> None:
    _expect(args, 1, "merge-union")
    _merge_values(ctx, args[0], union=True)


@transform("make-ni")
def make_ni_transform(args: list[Any], ctx: Context) -> None:
    if len(args) not in (2, 3):
        raise DTLError("make-ni takes NAMESPACE, FROM_PROPERTY and optional TO_PROPERTY")
    namespace, source_name = _property_name(ctx, args[0]), _property_name(ctx, args[1])
    target_name = _property_name(ctx, args[2]) if len(args) == 3 else None
    if not isinstance(ctx.source, dict):
        return
    for key, value in ctx.source.items():
        key_ns, colon, key_id = key.rpartition(":")
        wanted = key_id == source_name if ctx.env.namespaced and ":" not in source_name else key == source_name
        if not wanted:
            continue
        identifiers = [make_ni(namespace, item) for item in as_list(value) if isinstance(item, str) and not is_ni(item)]
        if not identifiers:
            continue  # "If none of the values can be made into namespaced identifiers then nothing is added."
        name = target_name if target_name is not None else f"{key_id if colon else key}-ni"
        if colon and ":" not in name:
            name = f"{key_ns}:{name}"
        ctx.target[name] = identifiers if isinstance(value, list) else identifiers[0]


def _expect(args: list[Any], count: int, name: str) -> None:
    if len(args) != count:
        raise DTLError(f"{name} takes {count} argument(s), got {len(args)}")
