"""Order refunds (`/orders/{id}/refunds`): `wc_create_refund` behind WooCommerce's REST refunds controller.

Follows `includes/rest-api/Controllers/Version3/class-wc-rest-order-refunds-controller.php` (with
`RestApiUtil::adjust_create_refund_request_parameters`) and `includes/wc-order-functions.php` (`wc_create_refund`,
`wc_restock_refunded_items`, `wc_order_fully_refunded`); recorded in `refunds-r00-…` … `refunds-r26-…`.

A refund holds negative copies of the refunded lines, each naming its original in `_refunded_item_id`; its id comes
from the order id sequence. The order keeps its `total` and lists its refunds newest first; when the refunds reach
the total, the order becomes `refunded`. Refunded units go back to stock (unless `api_restock` is false, as it may be
since WooCommerce 5.6, woocommerce/woocommerce#30179; the `restock_items` some clients send is not a parameter the
controller reads, and before `api_restock` restocking was always on) and the line's `_reduced_stock` goes down
by as much, so a later cancellation gives back only what is still out. Rows keep the order id in `parent_id`, which
the API does not show.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .errors import ApiError, RouteError
from .meta import merge_meta, set_item_meta
from .money import ZERO, format_money, parse_money, unit_price
from .resource import API_PATH, Resource
from .table import Row

# WooCommerce's own gateways; none of them can refund through an API (they support only `products`).
GATEWAYS_WITHOUT_REFUNDS = frozenset({"bacs", "cheque", "cod"})
FULL_REFUND_REASON = "Order fully refunded."
FULL_REFUND_NOTE = ("Order status set to refunded. To return funds to the customer you will need to issue a refund "
                    "through your payment gateway.")
REFUNDED_KINDS = ("line_items", "fee_lines", "shipping_lines")  # `get_items( array( 'line_item', 'fee', 'shipping' ) )`
CANNOT_REFUND = "woocommerce_rest_cannot_create_order_refund"


@dataclass(frozen=True)
class Refunded:
    """One `line_items` entry of a refund request, by order item id."""

    qty: int | None
    refund_total: Decimal | None
    refund_tax: Decimal


def _number(value: Any) -> Decimal | None:
    """PHP's `is_numeric`: numbers and numeric strings."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    return parse_money(value)


def _refund_lines(value: Any) -> dict[int, Refunded]:
    """A list of `{id, quantity, refund_total, refund_tax: [{id, refund_total}]}` (or WooCommerce's internal
    `{item id: {qty, …}}` form) keyed by item id."""
    if isinstance(value, dict):
        items = [{**entry, "id": key} for key, entry in value.items() if isinstance(entry, dict)]
    elif isinstance(value, list) and all(isinstance(entry, dict) and "id" in entry for entry in value):
        items = [{**entry, "qty": entry.get("qty", entry.get("quantity"))} for entry in value]
    else:
        return {}
    lines: dict[int, Refunded] = {}
    for entry in items:
        item_id = _number(entry["id"])
        qty = _number(entry.get("qty"))
        taxes = entry.get("refund_tax") or []
        tax = sum((_number(t.get("refund_total") if isinstance(t, dict) else t) or ZERO
                   for t in (taxes.values() if isinstance(taxes, dict) else taxes)), ZERO)
        if item_id is not None:
            lines[int(item_id)] = Refunded(None if qty is None else int(qty), _number(entry.get("refund_total")), tax)
    return lines


def _amount_from_lines(lines: dict[int, Refunded]) -> Decimal | None:
    """Without `amount`, the refund is the sum of the lines' `refund_total` and `refund_tax`, if every line has a
    numeric `refund_total` (`refunds-r24-refund-without-amount-line-items-only.json`)."""
    if not lines or any(line.refund_total is None for line in lines.values()):
        return None
    return sum(((line.refund_total or ZERO) + line.refund_tax for line in lines.values()), ZERO)


def _negated(amount: Decimal | None) -> str:
    """`wc_format_refund_total`: refund lines are stored negative; nothing refunded shows as 0.00."""
    return format_money(-(amount or ZERO) + 0)


class Refunds(Resource):
    name = "refunds"
    invalid_id = ("woocommerce_rest_shop_order_refund_invalid_id", "Invalid ID.")

    def __init__(self, store: Any) -> None:
        super().__init__(store)
        self._of_order: dict[int, list[int]] = {}

    # --- the REST controller ----------------------------------------------------------------------------------
    def create_for(self, order_id: int, body: dict[str, Any]) -> Row:
        order = self.store.orders.find(order_id)
        if order is None:
            raise RouteError(404, "woocommerce_rest_invalid_order_id", "Invalid order ID.")
        lines = _refund_lines(body.get("line_items"))
        amount = _number(body["amount"]) if body.get("amount") is not None else _amount_from_lines(lines)
        if body.get("amount") is not None and amount is None:
            raise RouteError(500, CANNOT_REFUND, "Invalid refund amount.")  # PHP compares "abc" > total as strings
        if amount is not None and amount < 0:
            raise RouteError(400, "woocommerce_rest_invalid_order_refund", "Refund amount must be greater than zero.")
        order = copy.deepcopy(order)
        reason = body.get("reason")
        refund = self.refund(order, amount or ZERO, str(reason) if reason else None, lines,
                             payment=_flag(body.get("api_refund")), restock=_flag(body.get("api_restock")),
                             meta=body.get("meta_data"))
        self.store.orders.save_changed(order)
        return refund

    def in_order(self, order_id: int, refund_id: int) -> Row:
        """`GET /orders/{order}/refunds/{id}`. The controller loads the id with `wc_get_order`, so an order's id
        gets past the 404 and fails the parent check like another order's refund does."""
        refund = self.find(refund_id)
        if refund is None and self.store.orders.find(refund_id) is None:
            raise ApiError(404, *self.invalid_id)
        if self.store.orders.find(order_id) is None:
            raise RouteError(404, "woocommerce_rest_invalid_order_id", "Invalid order ID.")
        if refund is None or refund["parent_id"] != order_id:
            raise RouteError(404, "woocommerce_rest_invalid_order_refund_id", "Invalid order refund ID.")
        return refund

    # --- wc_create_refund and friends -------------------------------------------------------------------------
    def refund(self, order: Row, amount: Decimal, reason: str | None, lines: dict[int, Refunded], payment: bool,
               restock: bool, meta: Any = None) -> Row:
        """Refund `amount` of the order being written (`order` is the caller's working copy, saved by the caller)."""
        remaining = Decimal(order["total"]) - self.refunded(order)
        if amount < 0 or amount > remaining:
            raise RouteError(500, CANNOT_REFUND, "Invalid refund amount.")  # `refunds-r13-refund-more-than-…`
        now = self.store.now_text()
        refund: Row = {
            "id": self.store.next_post_id(), "parent_id": order["id"], "date_created": now, "date_created_gmt": now,
            "amount": format_money(amount), "reason": reason or "", "refunded_by": 1, "refunded_payment": False,
            "meta_data": [], "line_items": [], "shipping_lines": [], "tax_lines": [], "fee_lines": [],
        }
        units = 0
        for kind in REFUNDED_KINDS:
            for item in order[kind]:
                wanted = lines.get(item["id"])
                if wanted is None or not (wanted.qty or wanted.refund_total or wanted.refund_tax):
                    continue
                refund[kind].append(self._negative_copy(kind, item, wanted))
                units += wanted.qty or 0
        if payment:
            # The refund was saved and is deleted again, so its ids are used up (order 7029, failed refund, then
            # refund 7031: `refunds-r03-…`, `refunds-r04-…`). Nothing else changes (`refunds-r03b-…`).
            raise RouteError(500, CANNOT_REFUND, _gateway_refusal(order["payment_method"]))
        if isinstance(meta, list):
            merge_meta(refund["meta_data"], meta, self.store.next_meta_id)
        self.table.save(refund)
        self._of_order.setdefault(order["id"], []).append(refund["id"])
        order["refunds"].insert(0, {"id": refund["id"], "reason": refund["reason"],
                                    "total": "-" + refund["amount"]})
        if restock:
            self._restock(order, lines)
        if not self._partial(order, remaining - amount, lines, units):
            self.store.orders.set_status(order, "refunded")
        self.store.orders.touch(order)
        return refund

    def refund_remainder(self, order: Row) -> None:
        """`wc_order_fully_refunded`, when an order is set to refunded: refund what is left, no lines, no stock
        (`orders-status-08-pending-to-refunded.json`)."""
        remaining = Decimal(order["total"]) - self.refunded(order)
        if remaining == 0:
            return
        try:
            self.refund(order, remaining, FULL_REFUND_REASON, {}, payment=False, restock=False)
        except ApiError:
            pass  # WooCommerce ignores the refund's failure and still writes the note
        self.store.orders.note(order, FULL_REFUND_NOTE)

    @staticmethod
    def refunded(order: Row) -> Decimal:
        return sum((-Decimal(r["total"]) for r in order["refunds"]), ZERO)

    def _negative_copy(self, kind: str, item: dict[str, Any], wanted: Refunded) -> dict[str, Any]:
        """The refunded item: the original's identity, the refunded money negative, and only `_refunded_item_id` as
        meta (`refunds-r04-partial-refund-api-refund-false.json`, `refunds-r08-full-remaining-refund.json`)."""
        total = _negated(wanted.refund_total)
        meta: list[dict[str, Any]] = []
        set_item_meta(meta, "_refunded_item_id", str(item["id"]), self.store.next_meta_id)
        copied = {"id": self.store.next_item_id()}
        if kind == "line_items":
            quantity = -(wanted.qty or 0)
            copied.update({key: item[key] for key in ("name", "product_id", "variation_id")}, quantity=quantity,
                          tax_class=item["tax_class"], subtotal=total, subtotal_tax="0.00", total=total,
                          total_tax="0.00", taxes=[], meta_data=meta, sku=item["sku"],
                          price=unit_price(Decimal(total), quantity), image=item["image"],
                          parent_name=item["parent_name"])
        elif kind == "shipping_lines":
            copied.update({key: item[key] for key in ("method_title", "method_id", "instance_id")}, total=total,
                          total_tax="0.00", taxes=[], meta_data=meta)
        else:
            copied.update({key: item[key] for key in ("name", "tax_class", "tax_status", "amount")}, total=total,
                          total_tax="0.00", taxes=[], meta_data=meta)
        return copied

    def _restock(self, order: Row, lines: dict[int, Refunded]) -> None:
        """`wc_restock_refunded_items`: each refunded unit back to a managed product, once per unit still out
        (`refunds-r05-order-after-partial.json`, `refunds-r06-…`, `refunds-r07-notes-after-partial.json`)."""
        orders = self.store.orders
        for line in order["line_items"]:
            wanted = lines.get(line["id"])
            reduced = orders.reduced_quantity(line)
            if wanted is None or not wanted.qty or not reduced:
                continue
            moved = orders.adjust_stock(line, wanted.qty)
            if moved is None:
                continue
            product, before, after = moved
            restocked = int(next((m["value"] for m in line["meta_data"] if m["key"] == "_restock_refunded_items"),
                                 0))
            set_item_meta(line["meta_data"], "_reduced_stock", str(reduced - wanted.qty), self.store.next_meta_id)
            set_item_meta(line["meta_data"], "_restock_refunded_items", str(restocked + wanted.qty),
                          self.store.next_meta_id)
            orders.note(order, f"Item #{product['id']} stock increased from {before} to {after}.")

    def _partial(self, order: Row, left: Decimal, lines: dict[int, Refunded], units: int) -> bool:
        """Money left to refund, or (with line items) free items left to refund, keep the order as it is."""
        if left > 0:
            return True
        if not lines or not any(Decimal(line["total"]) == 0 for line in order["line_items"]):
            return False
        refunded_units = sum(-line["quantity"] for refund_id in self._of_order.get(order["id"], [])
                             for line in self.table.rows[refund_id]["line_items"])
        return sum(line["quantity"] for line in order["line_items"]) - refunded_units - units > 0

    def forget_order(self, order_id: int) -> None:
        """An order deleted for good takes its refunds with it."""
        for refund_id in self._of_order.pop(order_id, []):
            self.table.delete(refund_id)

    # --- rendering ----------------------------------------------------------------------------------------------
    def item_path(self, row: Row) -> str:
        return f"/orders/{row['parent_id']}/refunds/{row['id']}"

    def collection_path(self, row: Row) -> str:
        return f"/orders/{row['parent_id']}/refunds"

    def links(self, row: Row, api_base: str) -> dict[str, Any]:
        return {"self": [{"href": api_base + self.item_path(row), "targetHints": {"allow": ["GET", "DELETE"]}}],
                "collection": [{"href": api_base + self.collection_path(row)}],
                "up": [{"href": f"{api_base}/orders/{row['parent_id']}"}]}

    def render(self, row: Row, home: str) -> dict[str, Any]:
        shown = {key: value for key, value in row.items() if key != "parent_id"}
        return {**shown, "_links": self.links(row, home + API_PATH)}


def _gateway_refusal(gateway: str) -> str:
    """`wc_refund_payment` without a gateway that can refund: an order created through the API has none."""
    if gateway in GATEWAYS_WITHOUT_REFUNDS:
        return "The payment gateway for this order does not support automatic refunds."
    return "The payment gateway for this order does not exist."


def _flag(value: Any) -> bool:
    """`api_refund` and `api_restock` default to true unless sent as a JSON boolean."""
    return value if isinstance(value, bool) else True
