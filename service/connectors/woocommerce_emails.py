"""E-mail domains from every country, in the form WooCommerce can hold.

WordPress's `is_email()` allows only `[a-z0-9-]` in a domain (`src/wp-includes/formatting.php`), so "ana@bücher.de"
is refused, and the update path's `sanitize_email()` would store it as "ana@bcher.de", another address. The same
domain in its IDNA form ("ana@xn--bcher-kva.de", UTS #46 processing, as browsers and mail clients resolve it) is
the same address and WooCommerce takes it. So the receiver writes domains in that form and the stream reads them
back in Unicode: the pipes, the other shop and the audit see one spelling, and e-mails still link. A non-ASCII
*local part* has no such form (RFC 6531 addresses are a different address syntax): it is still refused, with why.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import idna

def ascii_domain(address: str) -> str:
    """`address` with its domain in IDNA form; unchanged when already ASCII or when no IDNA form exists (the
    refusal then says why)."""
    local, at, domain = address.rpartition("@")
    if not at or domain.isascii():
        return address
    try:
        return f"{local}@{idna.encode(domain, uts46=True).decode('ascii')}"
    except idna.IDNAError:
        return address


def unicode_domain(address: str) -> str:
    """`address` with IDNA labels (`xn--`) of its domain shown in Unicode; anything else exactly as stored."""
    local, at, domain = address.rpartition("@")
    if not at or "xn--" not in domain.lower():
        return address
    try:
        return f"{local}@{idna.decode(domain)}"
    except idna.IDNAError:
        return address  # not valid IDNA: the store's text, as it is


def _converted(resource: str, record: dict[str, Any], convert: Callable[[str], str]) -> dict[str, Any]:
    """The e-mails WooCommerce checks with `is_email()`: a customer's account and billing e-mail, an order's billing
    e-mail. `record` itself when none changes: the stream passes every record of a store through here."""
    changes: dict[str, Any] = {}
    email = record.get("email")
    if resource == "customers" and isinstance(email, str) and convert(email) != email:
        changes["email"] = convert(email)
    billing = record.get("billing")
    if resource in ("customers", "orders") and isinstance(billing, dict) and isinstance(billing.get("email"), str) \
            and convert(billing["email"]) != billing["email"]:
        changes["billing"] = {**billing, "email": convert(billing["email"])}
    return {**record, **changes} if changes else record


def for_store(resource: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The pushed fields with every e-mail domain as WooCommerce can hold it."""
    return _converted(resource, fields, ascii_domain)


def as_read(resource: str, record: dict[str, Any]) -> dict[str, Any]:
    """A record read from WooCommerce with its e-mail domains in Unicode."""
    return _converted(resource, record, unicode_domain)
