"""What WooCommerce would refuse or silently damage, known before sending: answered field by field, no round trip.

- **E-mail syntax** is WordPress's `is_email()` (`src/wp-includes/formatting.php`): WooCommerce's setters refuse an
  account or billing e-mail it rejects (`WC_Customer::set_email` → `customer_invalid_email`,
  `set_billing_email` → `customer_invalid_billing_email` / `order_invalid_billing_email`), and the customer update
  path first runs `sanitize_email()`, which strips what `is_email()` refuses: "jürgen@example.de" would be stored
  as "jrgen@example.de" and flow back to the other shop. The reason names the rule, so an operator reading the
  dead letter knows what to change ("WooCommerce refuses non-ASCII e-mail local parts").
- **A negative quantity** on an order line is accepted by WooCommerce and puts stock *back* when the order reduces
  stock (FACTS §6): refused here.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_LOCAL = re.compile(r"^[a-zA-Z0-9!#$%&'*+/=?^_`{|}~.-]+$")
_LABEL = re.compile(r"^[a-z0-9-]+$", re.IGNORECASE)
_WHITESPACE = " \t\n\r\0\x0b"


def email_problem(address: str) -> str | None:
    """Why `is_email()` refuses `address`, or None when WooCommerce accepts it as it is."""
    if len(address.encode()) < 6:
        return "WooCommerce refuses e-mail addresses shorter than 6 characters"
    if address.find("@", 1) == -1:
        return "WooCommerce refuses an e-mail address without an @ after its first character"
    local, domain = address.split("@", 1)
    if not _LOCAL.match(local):
        if not local.isascii():
            return "WooCommerce refuses non-ASCII e-mail local parts"
        return "WooCommerce refuses the characters " + _odd(local, _LOCAL) + " in an e-mail local part"
    if ".." in domain:
        return "WooCommerce refuses an e-mail domain with '..'"
    if domain.strip(_WHITESPACE + ".") != domain:
        return "WooCommerce refuses an e-mail domain that starts or ends with a dot or a space"
    labels = domain.split(".")
    if len(labels) < 2:
        return "WooCommerce refuses an e-mail domain without a dot"
    for label in labels:
        if label.strip(_WHITESPACE + "-") != label:
            return f"WooCommerce refuses an e-mail domain part that starts or ends with '-' ({label!r})"
        if not _LABEL.match(label):
            if not label.isascii():
                return "WooCommerce refuses this e-mail domain: it has no IDNA form (xn--…) it could hold"
            return "WooCommerce refuses the characters " + _odd(label, _LABEL) + " in an e-mail domain"
    return None


def _odd(text: str, allowed: re.Pattern[str]) -> str:
    return " ".join(repr(c) for c in dict.fromkeys(c for c in text if not allowed.match(c)))


def refusals(resource: str, fields: dict[str, Any]) -> dict[str, str]:
    """Field path → reason, for every part of a pushed record WooCommerce would refuse or alter."""
    return dict(_refusals(resource, fields))


def _refusals(resource: str, fields: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if resource == "customers" and isinstance(fields.get("email"), str):
        problem = email_problem(fields["email"])
        if problem:
            yield "email", problem
    billing = fields.get("billing")
    if resource in ("customers", "orders") and isinstance(billing, dict) and isinstance(billing.get("email"), str) \
            and billing["email"]:  # an empty billing e-mail is allowed: `if ( $value && ! is_email( $value ) )`
        problem = email_problem(billing["email"])
        if problem:
            yield "billing.email", problem
    if resource == "orders":
        for index, line in enumerate(fields.get("line_items") or []):
            quantity = line.get("quantity")
            if isinstance(quantity, int) and quantity < 0:
                yield f"line_items[{index}].quantity", "must not be negative (WooCommerce would put stock back)"
