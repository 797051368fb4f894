"""`hops` and `apply-hops` (`hub/dtl/dtl-functions-hops.rst`): joins from the source entity into other datasets.

Each alias in `datasets` is bound in order by the `eq` clauses that join it to what is already bound; `eq` in a join
holds when the two sides share a value, and "Equality expressions that return null or empty lists" never join
(configuration-sources-merge.rst, which follows the same join rules). Deleted entities are never found. A join is
looked up in a hash index of the joined dataset by that side's expression (`emulator.indexes`), so it costs the
matches, not a scan. Which source entities a change re-runs is derived from the DTL before anything runs
(`emulator.dtl.dependencies`), as a node does; nothing is recorded while hops run.
"""
from __future__ import annotations

import json
from typing import Any, Protocol

from emulator.config import parse_dataset_alias
from emulator.dtl.dependencies import NAVIGABLE, binding_sides, free_variables, where_clauses
from emulator.dtl.engine import Context, function, is_true
from emulator.errors import DTLError
from emulator.values import as_list


class Lookup(Protocol):
    def candidates(self, dataset_id: str, alias: str, expression: Any, values: set[str]) -> list[dict[str, Any]]:
        """The live entities of the dataset whose `expression` (with `alias` bound to them) gives any of `values`,
        ordered by `_id`."""

    def entity(self, dataset_id: str, entity_id: str) -> dict[str, Any] | None: ...


def value_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def join_values(value: Any) -> set[str]:
    """The values a join side offers: a list gives its items (a tuple from `tuples` stays one composite key)."""
    return {value_key(item) for item in as_list(value) if item is not None}


def is_join(clause: Any, aliases: list[str]) -> bool:
    """"only `eq` functions will be treated as join expressions … For an `eq` to be a join expression it will have
    to refer to variables from two different datasets" (hub/dtl/paths.rst); the source entity is one of them."""
    if not (isinstance(clause, list) and len(clause) == 3 and clause[0] == "eq"):
        return False
    sides = [frozenset("_S" if root in NAVIGABLE else root for root in free_variables(side, aliases))
             for side in clause[1:]]
    return all(sides) and sides[0] != sides[1]


def _clause_holds(clause: Any, ctx: Context, aliases: list[str]) -> bool:
    """A join holds when the sides share a value; every other clause, `eq` included, is a filter: "the equality
    comparison is an exact match" (dtl-functions-comparisons.rst)."""
    if is_join(clause, aliases):
        return bool(join_values(ctx.evaluate(clause[1])) & join_values(ctx.evaluate(clause[2])))
    return is_true(ctx.evaluate(clause))


def _hop(spec: dict[str, Any], ctx: Context, is_last: bool) -> list[Any]:
    where = f"pipe {ctx.env.pipe_id}: hops"
    datasets = [parse_dataset_alias(item, where) for item in spec.get("datasets", [])]
    if not datasets:
        raise DTLError(f"{where}: 'datasets' must name at least one dataset")
    if "return" in spec and not is_last:
        raise DTLError(f"{where}: 'return' can only be given on the last HOPS_SPEC")
    alias_names = [alias for _, alias in datasets]
    clauses = where_clauses(spec.get("where"))
    rows: list[dict[str, Any]] = [{}]
    bound: set[str] = set()
    for dataset_id, alias in datasets:
        joins = [(other, mine) for mine, other in binding_sides(clauses, alias, bound, alias_names)]
        if not joins:
            raise DTLError(f"{where}: dataset alias {alias!r} is not joined to the source entity by an 'eq'")
        bound.add(alias)
        next_rows: list[dict[str, Any]] = []
        for row in rows:
            row_ctx = ctx.with_aliases(row)
            wanted = [(alias_side, join_values(row_ctx.evaluate(bound_side))) for bound_side, alias_side in joins]
            (first_side, first_values), others = wanted[0], wanted[1:]
            for entity in ctx.env.lookup.candidates(dataset_id, alias, first_side, first_values):
                entity_ctx = ctx.with_aliases({**row, alias: entity})
                if all(values & join_values(entity_ctx.evaluate(alias_side)) for alias_side, values in others):
                    next_rows.append({**row, alias: entity})
        rows = next_rows
    rows = [row for row in rows
            if all(_clause_holds(clause, ctx.with_aliases(row), alias_names) for clause in clauses)]
    returned = spec.get("return", alias_names[-1])
    if isinstance(returned, str) and all(name.strip() in alias_names for name in returned.split(",")):
        return [row[name.strip()] for row in rows for name in returned.split(",")]
    return _flatten_results([ctx.with_aliases(row).evaluate(returned) for row in rows])


def _flatten_results(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        out.extend(value if isinstance(value, list) else [value])
    return [value for value in out if value is not None]


@function("hops", lazy=True)
def hops(args: list[Any], ctx: Context) -> list[Any]:
    if not args or not all(isinstance(spec, dict) for spec in args):
        raise DTLError(f"pipe {ctx.env.pipe_id}: hops takes one or more HOPS_SPEC dictionaries")
    sources = [ctx.source]
    for index, spec in enumerate(args):
        results: list[Any] = []
        for source in sources:
            child = Context(source, ctx.target, ctx.rules, ctx.env, ctx.parent, ctx.current, ctx.created)
            results.extend(_hop(spec, child, is_last=index == len(args) - 1))
        sources = results
    return sources


@function("apply-hops", lazy=True)
def apply_hops(args: list[Any], ctx: Context) -> list[Any]:
    if len(args) < 2:
        raise DTLError("apply-hops takes RULE and one or more HOPS_SPEC dictionaries")
    rule = ctx.evaluate(args[0])
    found = hops(args[1:], ctx)
    return [result for source in found if (result := ctx.apply_rule(rule, source)) is not None]


def _lookup_entity(args: list[Any], ctx: Context) -> dict[str, Any] | None:
    """`["lookup-entity", DATASET_ID, ENTITY_ID]`: the entity, or null "If the entity doesn't exist in the dataset"
    (a deleted entity counts as not existing, as for joins). "This function does not support dependency tracking"."""
    if len(args) != 2:
        raise DTLError("lookup-entity takes DATASET_ID and ENTITY_ID")
    dataset_id, entity_id = ctx.evaluate(args[0]), ctx.evaluate(args[1])
    if not isinstance(dataset_id, str) or not isinstance(entity_id, str):
        return None
    return ctx.env.lookup.entity(dataset_id, entity_id)


function("lookup-entity", lazy=True)(_lookup_entity)
