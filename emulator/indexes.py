"""Hash indexes over a dataset's live entities, by the values a join expression gives for each of them.

A join finds the entities whose side of an `eq` shares a value with the other side (`hub/dtl/joins.rst`), so each
(dataset, expression) a pipe joins on gets an index from value to entity ids: a lookup costs the matches, not a scan
of the dataset. An index follows its dataset's log: on use it reads only the versions written since it last looked
(the dataset offset it is up to date with), replacing each changed entity's values; deleted entities leave it, as
a join never finds them.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from emulator.dataset import Dataset
from emulator.values import Entity

Keys = Callable[[Entity], set[str]]


class JoinIndex:
    def __init__(self, dataset: Dataset, keys: Keys) -> None:
        self.dataset = dataset
        self.keys = keys
        self.offset = -1  # the last dataset offset reflected here
        self.ids_by_value: dict[str, set[str]] = {}
        self.values_by_id: dict[str, set[str]] = {}

    def ids(self, values: Iterable[str]) -> set[str]:
        """The ids of the live entities whose expression gives any of `values`."""
        self._catch_up()
        found: set[str] = set()
        for value in values:
            found |= self.ids_by_value.get(value, set())
        return found

    def entities(self, values: Iterable[str]) -> list[Entity]:
        """Those entities, ordered by `_id` ("the result of the hops function is deterministic based on the _id
        property of the entities", dtl-functions-hops.rst)."""
        return [entity for entity_id in sorted(self.ids(values)) if (entity := self.dataset.get(entity_id))]

    def _catch_up(self) -> None:
        if self.offset == self.dataset.max_offset:
            return
        changed = {version["_id"] for version in self.dataset.versions[self.offset + 1:]}
        self.offset = self.dataset.max_offset
        for entity_id in changed:
            for value in self.values_by_id.pop(entity_id, set()):
                holders = self.ids_by_value[value]
                holders.discard(entity_id)
                if not holders:
                    del self.ids_by_value[value]
            latest = self.dataset.get(entity_id)
            if latest is None or latest["_deleted"]:
                continue
            values = self.keys(latest)
            if values:
                self.values_by_id[entity_id] = values
                for value in values:
                    self.ids_by_value.setdefault(value, set()).add(entity_id)
