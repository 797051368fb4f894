"""The store: one WooCommerce site's state, its id sequences, clock and write counts. No HTTP here.

Ids come from sequences as in WordPress: products, variations, orders, refunds and coupons share the posts sequence,
customers use the users sequence (the admin is user 1), order items and meta entries have their own. Every operation
runs under one re-entrant lock, so the threaded server sees each request's writes whole.
"""
from __future__ import annotations

import itertools
import random
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .clock import Clock, format_date
from .coupons import Coupons
from .customers import Customers
from .errors import ApiError, SavedThenRefused
from .orders import Orders
from .products import Products, Variations
from .refunds import Refunds
from .resource import Resource
from .table import Row

BATCH_LIMIT = 100


class Stats:
    """Writes actually applied, by resource and operation, and reads by resource: the proof of "no echo"."""

    def __init__(self) -> None:
        self.writes: Counter[tuple[str, str]] = Counter()
        self.reads: Counter[str] = Counter()

    def as_json(self) -> dict[str, Any]:
        writes: dict[str, dict[str, int]] = {}
        for (resource, operation), count in sorted(self.writes.items()):
            writes.setdefault(resource, {})[operation] = count
        return {"writes": writes, "reads": dict(sorted(self.reads.items())),
                "total_writes": sum(self.writes.values())}


class Store:
    def __init__(self, clock: Clock | None = None, seed: int = 0) -> None:
        self.clock = clock or Clock()
        self.seed = seed
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.random = random.Random(self.seed)
            self._post_ids = itertools.count(10)
            self._user_ids = itertools.count(2)
            self._item_ids = itertools.count(1)
            self._meta_ids = itertools.count(1)
            self._term_ids = itertools.count(16)
            self._comment_ids = itertools.count(1)
            self.stats = Stats()
            self.products = Products(self)
            self.variations = Variations(self)
            self.orders = Orders(self)
            self.refunds = Refunds(self)
            self.coupons = Coupons(self)
            self.customers = Customers(self)
            self.customers.add_administrator()

    # --- sequences and time ---------------------------------------------------------------------------------
    def next_post_id(self) -> int:
        return next(self._post_ids)

    def next_user_id(self) -> int:
        return next(self._user_ids)

    def next_item_id(self) -> int:
        return next(self._item_ids)

    def next_meta_id(self) -> int:
        return next(self._meta_ids)

    def next_term_id(self) -> int:
        return next(self._term_ids)

    def next_comment_id(self) -> int:
        return next(self._comment_ids)

    def now_text(self) -> str:
        return format_date(self.clock.now())

    def resource(self, name: str) -> Resource:
        return {"products": self.products, "orders": self.orders, "customers": self.customers,
                "variations": self.variations, "coupons": self.coupons, "refunds": self.refunds}[name]

    # --- operations, each counted once it has been applied ---------------------------------------------------
    def read(self, resource: Resource, row_id: Any) -> Row:
        with self.lock:
            row = resource.require(row_id)
            self.stats.reads[resource.name] += 1
            return row

    def create(self, resource: Resource, body: Any, create: Any = None) -> Row:
        with self.lock, self._counted(resource, "create"):
            return (create or resource.create)(_object(body))

    def update(self, resource: Resource, row: Row, body: Any) -> Row:
        with self.lock, self._counted(resource, "update"):
            return resource.update(row, _object(body))

    @contextmanager
    def _counted(self, resource: Resource, operation: str) -> Iterator[None]:
        """Count a write once applied, also one saved before it was refused (an order's coupons)."""
        try:
            yield
        except SavedThenRefused:
            self.stats.writes[resource.name, operation] += 1
            raise
        self.stats.writes[resource.name, operation] += 1

    def delete(self, resource: Resource, row: Row, force: bool) -> Row:
        with self.lock:
            before = resource.delete(row, force)
            self.stats.writes[resource.name, "delete"] += 1
            return before

    def batch(self, resource: Resource, body: Any) -> dict[str, list[Row | tuple[Any, ApiError]]]:
        """`{create, update, delete}`; a failing item is reported in place and the others still apply (§8)."""
        body = _object(body)
        operations = {name: body.get(name) or [] for name in ("create", "update", "delete")}
        if any(not isinstance(items, list) for items in operations.values()):
            raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): create, update, delete")
        if sum(map(len, operations.values())) > BATCH_LIMIT:
            raise ApiError(413, "woocommerce_rest_request_entity_too_large",
                           f"Unable to accept more than {BATCH_LIMIT} items for this request.")
        with self.lock:
            result: dict[str, list[Row | tuple[Any, ApiError]]] = {}
            for name, items in operations.items():
                if body.get(name) is not None:
                    result[name] = [self._batch_item(resource, name, item) for item in items]
            return result

    def _batch_item(self, resource: Resource, operation: str, item: Any) -> Row | tuple[Any, ApiError]:
        try:
            if operation == "create":
                return self.create(resource, item)
            if operation == "update":
                item = _object(item)
                return self.update(resource, resource.require(item.get("id"), 400), item)
            # Batch deletes are permanent (`products-get-after-batch-delete.json`).
            return self.delete(resource, resource.require(item), force=True)
        except ApiError as error:
            item_id = 0 if operation == "create" else (item.get("id", 0) if isinstance(item, dict) else item)
            return item_id, error


def _object(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ApiError(400, "rest_invalid_json", "Invalid JSON body passed.")
    return body
