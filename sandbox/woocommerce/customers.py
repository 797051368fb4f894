"""Customers (WordPress users): e-mail and username rules (FACTS §3); no trash, only force delete.

E-mail syntax is WordPress's (emails.py). A create sets the e-mail as sent, so one `is_email()` rejects is refused
(`customers-d07-create-invalid-email-400.json`); an update follows the controller's `update_item`: an address that
`email_exists()` (any user, the customer included, case-insensitively) and that differs from the stored one as a
string is refused as taken (`customers-d10-update-email-taken-400.json`), then `sanitize_email()` of it is stored.
"""
from __future__ import annotations

import copy
import hashlib
import re
from typing import Any

from .emails import is_email, sanitize_email
from .errors import ApiError, missing_params
from .meta import CUSTOMER_INTERNAL_KEYS, merge_meta
from .resource import Resource, merge_address
from .table import Row

_ADDRESS_KEYS = ("first_name", "last_name", "company", "address_1", "address_2", "city", "postcode", "country",
                 "state")
EMAIL_EXISTS = ("registration-error-email-exists",
                'An account is already registered with your email address. <a href="#" class="showlogin">'
                "Please log in.</a>")


def check_billing_email(body: dict[str, Any], code: str) -> None:
    """The billing e-mail setters refuse a non-empty value `is_email()` rejects (class-wc-customer.php,
    class-wc-order.php: `if ( $value && ! is_email( $value ) )`)."""
    billing = body.get("billing")
    value = billing.get("email") if isinstance(billing, dict) else None
    if isinstance(value, str) and value and not is_email(value):
        raise ApiError(400, code, "Invalid billing email address")


def blank_billing() -> dict[str, str]:
    return {**dict.fromkeys(_ADDRESS_KEYS, ""), "email": "", "phone": ""}


def blank_shipping() -> dict[str, str]:
    return {**dict.fromkeys(_ADDRESS_KEYS, ""), "phone": ""}


class Customers(Resource):
    name = "customers"
    invalid_id = ("woocommerce_rest_invalid_id", "Invalid resource ID.")

    def add_administrator(self) -> None:
        """Every WordPress site has its admin user (id 1), created outside WooCommerce (`customers-d16-list-role-all.json`)."""
        row = self.blank(1, self.store.now_text(), "admin@example.test", "admin")
        row.update(role="administrator", date_modified=None, date_modified_gmt=None)
        self.table.save(row)

    def blank(self, user_id: int, now: str, email: str, username: str) -> Row:
        return {
            "id": user_id, "date_created": now, "date_created_gmt": now, "date_modified": now,
            "date_modified_gmt": now, "email": email, "first_name": "", "last_name": "", "role": "customer",
            "username": username, "billing": blank_billing(), "shipping": blank_shipping(),
            "is_paying_customer": False,
            "avatar_url": "https://secure.gravatar.com/avatar/"
                          f"{hashlib.sha256(email.strip().lower().encode()).hexdigest()}?s=96&d=mm&r=g",
            "meta_data": [],
        }

    def by_email(self, email: str, other_than: int | None = None) -> Row | None:
        lowered = email.lower()
        return next((r for r in self.table.rows.values() if r["email"].lower() == lowered and r["id"] != other_than),
                    None)

    def create(self, body: dict[str, Any]) -> Row:
        email = body.get("email")
        if email is None:
            raise missing_params("email")
        if not isinstance(email, str) or not is_email(email):
            raise ApiError(400, "customer_invalid_email", "Invalid email address")
        check_billing_email(body, "customer_invalid_billing_email")
        if self.by_email(email) is not None:
            raise ApiError(400, *EMAIL_EXISTS)
        username = body.get("username")
        if isinstance(username, str) and username:
            if self._username_taken(username):
                raise ApiError(400, "registration-error-username-exists",
                               "An account is already registered with that username. Please choose another.")
        else:
            username = self._generate_username(email)
        row = self.blank(self.store.next_user_id(), self.store.now_text(), email, username)
        self._apply(row, body)
        self.table.save(row)
        return row

    def update(self, row: Row, body: dict[str, Any]) -> Row:
        email = body.get("email")
        if isinstance(email, str) and email and self.by_email(email) is not None and email != row["email"]:
            raise ApiError(400, "woocommerce_rest_customer_invalid_email", "Email address is invalid.")
        username = body.get("username")
        if username is not None and username != row["username"]:
            raise ApiError(400, "woocommerce_rest_customer_invalid_argument", "Username isn't editable.")
        stored = sanitize_email(email) if isinstance(email, str) else None
        if stored and not is_email(stored):
            raise ApiError(400, "customer_invalid_email", "Invalid email address")
        check_billing_email(body, "customer_invalid_billing_email")
        row = copy.deepcopy(row)
        if stored is not None:
            row["email"] = stored
        self._apply(row, body)
        self.touch(row)
        self.table.save(row)
        return row

    def _apply(self, row: Row, body: dict[str, Any]) -> None:
        for name in ("first_name", "last_name"):
            if isinstance(body.get(name), str):
                row[name] = body[name]
        merge_address(row["billing"], body.get("billing"))
        merge_address(row["shipping"], body.get("shipping"))
        if isinstance(body.get("meta_data"), list):
            merge_meta(row["meta_data"], body["meta_data"], self.store.next_meta_id, CUSTOMER_INTERNAL_KEYS)

    def _username_taken(self, username: str) -> bool:
        lowered = username.lower()
        return any(r["username"].lower() == lowered for r in self.table.rows.values())

    def _generate_username(self, email: str) -> str:
        """The e-mail's local part, with a random numeric suffix on a clash (`customers-d14-…-suffix.json`)."""
        base = re.sub(r"[^a-z0-9_.@-]", "", email.split("@")[0].lower()) or "customer"
        candidate = base
        while self._username_taken(candidate):
            candidate = f"{base}-{self.store.random.randint(1000, 9999)}"
        return candidate

    def delete(self, row: Row, force: bool) -> Row:
        if not force:
            raise ApiError(501, "woocommerce_rest_trash_not_supported", "Customers do not support trashing.")
        return super().delete(row, force)

    def mark_paying(self, customer_id: int) -> None:
        """A paid order makes its customer a paying customer (`orders-status-21-customer-after.json`)."""
        row = self.find(customer_id)
        if row is None or row["is_paying_customer"]:
            return
        row = copy.deepcopy(row)
        row["is_paying_customer"] = True
        self.touch(row)
        self.table.save(row)
