"""The `merge` source, version 2 (`configuration-sources-merge.rst`).

Entities of the listed datasets are the same when an equality rule joins them (the join rules of `hops`: the two
sides share a value; null and empty lists never join), transitively. Each group becomes one entity: `_id` by
`identity` ("composite" `"0|a1|1|b1"` ordered by dataset offset then `_id`, or "first"), properties combined by
`strategy`, `$ids` the union of the members' `$ids` (or their `_id` when they have none). A deleted entity is never
merged and is output standalone with `_deleted: true`. Ids output earlier that no longer apply are output deleted
with `$replaced: true`.

Every run recomputes the groups from the datasets' latest versions and outputs them all; the dataset sink's change
tracking keeps only what changed. The ids output so far are the source's offset.

A node merges incrementally: "Equality rules added after the merge source has processed entities … will not cause
merging of those entities … the pipe must be reset/rescanned", and a removed dataset "will require a full run"
(configuration-sources-merge.rst). Recomputing would apply changed rules at once, so `signature` names the rules
and datasets, and the pipe refuses an incremental run under another signature than the one it last ran with.
"""
from __future__ import annotations

from typing import Any

from emulator.config import parse_dataset_alias
from emulator.dataset import Store
from emulator.dtl.engine import Context, DTLEnvironment
from emulator.dtl.dependencies import free_variables
from emulator.dtl.hops import join_values
from emulator.errors import ConfigError, Unsupported
from emulator.sources import SourceRead
from emulator.values import as_list, make_ni

Member = tuple[int, str]  # (dataset offset in `datasets`, entity _id)


class MergeSource:
    type = "merge"

    def __init__(self, pipe_id: str, spec: dict[str, Any], store: Store, namespaced: bool) -> None:
        where = f"pipe {pipe_id}"
        if spec.get("version", 1) != 2:
            raise Unsupported(where, "merge source version 1 (deprecated; use version 2)")
        self.where = where
        self.store = store
        self.namespaced = namespaced
        self.datasets = [parse_dataset_alias(item, where) for item in spec.get("datasets", [])]
        self.aliases = [alias for _, alias in self.datasets]
        self.identity = spec.get("identity", "composite")
        self.strategy = spec.get("strategy", "default")
        if self.identity not in ("composite", "first"):
            raise ConfigError(f"{where}: merge identity must be 'composite' or 'first'")
        if self.strategy not in ("default", "compact", "list"):
            raise ConfigError(f"{where}: merge strategy must be 'default', 'compact' or 'list'")
        self.max_merged = spec.get("max_merged", 50000)
        self.rules = [self._rule(rule) for rule in self._equality_rules(spec)]
        self.signature = {"datasets": [dataset for dataset, _ in self.datasets], "equality": self._equality_rules(spec)}
        self.env = DTLEnvironment(pipe_id)

    def _equality_rules(self, spec: dict[str, Any]) -> list[list[Any]]:
        rules = list(spec.get("equality", []))
        # "behind the scenes the implicit equality-rules are added to the rules in the equality property"
        for equality_set in spec.get("equality_sets", []):
            rules.extend(["eq", left, right] for left, right in zip(equality_set, equality_set[1:]))
        return rules

    def _rule(self, rule: Any) -> tuple[str, Any, str, Any]:
        if not (isinstance(rule, list) and len(rule) == 3 and rule[0] == "eq"):
            raise ConfigError(f"{self.where}: merge equality rules must be ['eq', <expr>, <expr>], got {rule!r}")
        sides = []
        for expression in rule[1:]:
            aliases = free_variables(expression, self.aliases) & set(self.aliases)
            if len(aliases) != 1:
                raise ConfigError(f"{self.where}: each side of {rule!r} must refer to exactly one dataset alias")
            sides.append((aliases.pop(), expression))
        return sides[0][0], sides[0][1], sides[1][0], sides[1][1]

    def _values(self, alias: str, expression: Any, entity: dict[str, Any]) -> set[str]:
        ctx = Context(entity, {}, {}, self.env, aliases={alias: entity})
        return join_values(ctx.evaluate(expression))

    def read(self, offset: Any, full: bool) -> SourceRead:
        live: dict[Member, dict[str, Any]] = {}
        deleted: dict[Member, dict[str, Any]] = {}
        for index, (dataset_id, _) in enumerate(self.datasets):
            for entity in self.store.dataset(dataset_id).latest():
                (deleted if entity["_deleted"] else live)[(index, entity["_id"])] = entity
        groups = self._group(live)
        outputs = [self._combine(members, live) for members in groups]
        outputs += [self._combine([member], deleted, deleted=True) for member in sorted(deleted)]
        current = {entity["_id"]: [list(m) for m in members]
                   for entity, members in zip(outputs, groups + [[m] for m in sorted(deleted)])}
        still_present = set(live) | set(deleted)
        for old_id, old_members in (offset or {}).items():
            if old_id not in current:
                stale = {"_id": old_id, "_deleted": True}
                if any(tuple(member) in still_present for member in old_members):
                    stale["$replaced"] = True
                outputs.append(stale)
        # a full run (first, reset, rescan) lets the dataset sink delete what the merge no longer outputs
        return SourceRead(outputs, full=full, offset=current)

    def _group(self, live: dict[Member, dict[str, Any]]) -> list[list[Member]]:
        parent = {member: member for member in live}

        def find(member: Member) -> Member:
            while parent[member] != member:
                parent[member] = parent[parent[member]]
                member = parent[member]
            return member

        by_alias = {alias: [m for m in live if m[0] == index] for index, alias in enumerate(self.aliases)}
        for left_alias, left_expr, right_alias, right_expr in self.rules:
            index: dict[str, list[Member]] = {}
            for member in by_alias[right_alias]:
                for key in self._values(right_alias, right_expr, live[member]):
                    index.setdefault(key, []).append(member)
            for member in by_alias[left_alias]:
                for key in self._values(left_alias, left_expr, live[member]):
                    for other in index.get(key, []):
                        parent[find(member)] = find(other)
        groups: dict[Member, list[Member]] = {}
        for member in live:
            groups.setdefault(find(member), []).append(member)
        result = [sorted(members) for members in groups.values()]
        for members in result:
            if len(members) > self.max_merged:
                raise ConfigError(f"{self.where}: {len(members)} entities merged into one exceeds max_merged")
        return sorted(result)

    def _combine(self, members: list[Member], entities: dict[Member, dict[str, Any]],
                 deleted: bool = False) -> dict[str, Any]:
        parts = [entities[member] for member in members]
        if self.identity == "composite":
            entity_id = "|".join(f"{index}|{member_id}" for index, member_id in members)
        else:
            entity_id = members[0][1]
        bodies = [{k: v for k, v in part.items() if not k.startswith("_")} for part in parts]
        for body, part in zip(bodies, parts):
            # "an entity id will not be added to this list if the original entity has the $ids property"
            if "$ids" not in body:
                body["$ids"] = [make_ni(None, part["_id"]) if self.namespaced else part["_id"]]
        merged = self._merge_bodies(bodies)
        merged["$ids"] = as_list(merged.get("$ids"))
        merged["_id"] = entity_id
        if deleted:
            merged["_deleted"] = True
        return merged

    def _merge_bodies(self, bodies: list[dict[str, Any]]) -> dict[str, Any]:
        if self.strategy == "list":
            return {"$merged": bodies, "$ids": [i for body in bodies for i in as_list(body["$ids"])]}
        merged: dict[str, Any] = {}
        for body in bodies:
            for key, value in body.items():
                # merge-union keeps nulls: "null values are kept intact".
                merged[key] = _listed(merged[key]) + _listed(value) if key in merged else value
        if self.strategy == "compact":
            compacted: dict[str, Any] = {}
            for key, value in merged.items():
                if isinstance(value, list):
                    unique = [v for i, v in enumerate(value) if v not in value[:i]]
                    if not unique:
                        continue
                    value = unique[0] if len(unique) == 1 else unique
                compacted[key] = value
            merged = compacted
        return merged


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
