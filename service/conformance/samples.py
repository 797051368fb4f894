"""The records the checker writes, per resource, and the run that owns them.

Every record carries the run's marker (`conformance-<random>`) in its e-mail, SKU or order number and in `origin`,
so it cannot be mistaken for shop data, and the run deletes all of them at the end.
"""
from __future__ import annotations

import secrets
import time
from contextlib import suppress
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from service.conformance.client import Answer, RequestFailed, ShopClient

NEVER_ISSUED_ID = 2_147_483_647
MAX_PROBLEMS_SHOWN = 5


@dataclass(frozen=True)
class Sample:
    """How to make valid and invalid records of one resource."""

    resource: str
    unique_field: str
    required_field: str
    build: Callable[["Run", int], dict[str, Any]]
    change: Callable[[int], dict[str, Any]]  # a PATCH body that really changes a record
    invalid: dict[str, Any]  # merged into a valid body, must give 422 naming each of its fields
    nested: tuple[str, ...] = ()  # paths of objects in a body ("billing", "lines[0]"), where unknown keys are refused
    money: Callable[["Run"], dict[str, Any]] | None = None  # amounts no formula reproduces, to be kept as sent


@dataclass
class Run:
    client: ShopClient
    marker: str = field(default_factory=lambda: f"conformance-{secrets.token_hex(4)}")
    created: list[tuple[str, int]] = field(default_factory=list)
    helpers: dict[str, int] = field(default_factory=dict)
    tombstones: dict[str, list[tuple[float, dict[str, Any]]]] = field(default_factory=dict)
    counter: int = 0

    def body(self, sample: Sample, **overrides: Any) -> dict[str, Any]:
        """A valid body for a new record, its unique values not used before in this run."""
        self.counter += 1
        return {**sample.build(self, self.counter), **overrides}

    def make(self, sample: Sample, body: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
        """Create a record (remembered for clean-up) from `body` or a fresh one; the shop's answer."""
        record = self.client.create(sample.resource, body or self.body(sample, **overrides))
        self.created.append((sample.resource, record["id"]))
        return record

    def post(self, sample: Sample, **kwargs: Any) -> Answer:
        """POST something the shop should refuse; a record it creates anyway is still cleaned up."""
        answer = self.client.request("POST", f"/{sample.resource}", **kwargs)
        if answer.status_code == 201:
            with suppress(ValueError, KeyError, TypeError):
                self.created.append((sample.resource, int(answer.json()["id"])))
        return answer

    def remember_tombstone(self, resource: str, tombstone: dict[str, Any]) -> None:
        """A tombstone as first listed, to be listed again at the end of the run (its age from now)."""
        self.tombstones.setdefault(resource, []).append((time.monotonic(), tombstone))

    def helper(self, resource: str) -> int:
        """One customer and one product per run for orders to point at."""
        if resource not in self.helpers:
            self.helpers[resource] = self.make(SAMPLES[resource])["id"]
        return self.helpers[resource]

    def clean_up(self) -> list[str]:
        """Delete what the run created, newest first (orders before what they name); the problems found."""
        problems = []
        for resource, id_ in reversed(self.created):
            try:
                response = self.client.request("DELETE", f"/{resource}/{id_}")
            except RequestFailed as exc:
                problems.append(str(exc))
                continue
            if response.status_code not in (204, 404):
                problems.append(f"DELETE /{resource}/{id_} answered {response.status_code}")
        self.created.clear()
        if len(problems) > MAX_PROBLEMS_SHOWN:
            problems[MAX_PROBLEMS_SHOWN:] = [f"and {len(problems) - MAX_PROBLEMS_SHOWN} more"]
        return problems


def _customer(run: Run, n: int) -> dict[str, Any]:
    return {"email": f"{run.marker}-{n}@example.test", "first_name": "Åsa", "last_name": f"Ødegård-Müller {n}",
            "billing": {"address_1": f"Storgata {n}", "city": "Tromsø", "postcode": "9008", "country": "NO"},
            "origin": f"{run.marker}-{n}"}


def _product(run: Run, n: int) -> dict[str, Any]:
    return {"sku": f"{run.marker}-{n}", "name": f"Conformance product {n}", "price": "10.00",
            "stock_quantity": n, "categories": ["Conformance"], "origin": f"{run.marker}-{n}"}


def _order(run: Run, n: int) -> dict[str, Any]:
    product_id = run.helper("products")
    return {"order_number": f"{run.marker}-{n}", "currency": "NOK", "customer_id": run.helper("customers"),
            "email": f"{run.marker}-{n}@example.test",
            "lines": [{"product_id": product_id, "sku": f"{run.marker}-line", "name": "Conformance line",
                       "quantity": 2, "unit_price": "10.00", "line_total": "20.00"}],
            "grand_total": "20.00", "origin": f"{run.marker}-{n}"}


def _product_money(run: Run) -> dict[str, Any]:
    return {"price": "1234567890123.45", "sale_price": "0.07"}


def _order_money(run: Run) -> dict[str, Any]:
    """Totals as a source system rounds them, which no recalculation from the lines gives back (3 × 3.33 is not
    10.00, and 10.00 + 79.00 − 5.55 is not 83.44)."""
    return {"lines": [{"product_id": run.helper("products"), "sku": f"{run.marker}-line", "name": "Ланч-бокс 弁当",
                       "quantity": 3, "unit_price": "3.33", "line_total": "10.00"}],
            "shipping_total": "79.00", "discount_total": "5.55", "tax_total": "16.69", "grand_total": "83.44"}


SAMPLES: dict[str, Sample] = {
    "customers": Sample("customers", "email", "email", _customer, lambda n: {"first_name": f"Changed {n}"},
                        {"email": "not-an-e-mail"}, nested=("billing",)),
    "products": Sample("products", "sku", "name", _product, lambda n: {"name": f"Changed product {n}"},
                       {"price": "12.5"}, money=_product_money),
    "orders": Sample("orders", "order_number", "grand_total", _order, lambda n: {"note": f"Changed {n}"},
                     {"customer_id": NEVER_ISSUED_ID}, nested=("billing", "lines[0]"), money=_order_money),
}
