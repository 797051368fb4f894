"""What every resource shares: look-ups with the right 404/400, trash and force delete, links and validation.

A resource keeps its rows in a `Table` and its WooCommerce rules in `create`/`update`. Writes work on a copy of the
row and save it only when every rule passed, so bad input changes nothing.
"""
from __future__ import annotations

import copy
from collections.abc import Collection
from typing import Any

from .errors import ApiError, invalid_param, not_in_enum, not_of_type
from .site import Site
from .table import Row, Table

ITEM_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
API_PATH = "/wp-json/wc/v3"


class Resource:
    name: str                      # the collection's path segment, e.g. "products"
    invalid_id: tuple[str, str]    # (code, message) for an unknown id
    already_trashed: str = ""      # message of the 410 on a second trash; "" when the resource cannot be trashed
    # Rows hold these URLs as paths; rendering puts the store URL in front, as the client reaches the store.
    url_fields: tuple[str, ...] = ()

    def __init__(self, store: Site) -> None:
        self.store = store
        self.table = Table()

    # --- look-ups -------------------------------------------------------------------------------------------
    def find(self, row_id: Any) -> Row | None:
        return self.table.get(row_id) if isinstance(row_id, int) and not isinstance(row_id, bool) else None

    def require(self, row_id: Any, status: int = 404) -> Row:
        """GET and DELETE answer 404 for an unknown id; PUT and batch updates answer 400 (WC_REST_CRUD_Controller)."""
        row = self.find(row_id)
        if row is None:
            raise ApiError(status, *self.invalid_id)
        return row

    # --- writes ---------------------------------------------------------------------------------------------
    def create(self, body: dict[str, Any]) -> Row:
        raise NotImplementedError

    def update(self, row: Row, body: dict[str, Any]) -> Row:
        raise NotImplementedError

    def delete(self, row: Row, force: bool) -> Row:
        """Returns the object as it was before deleting (`products-delete-no-force-trash.json`)."""
        before = copy.deepcopy(row)
        if force:
            self.table.delete(row["id"])
            self.forget(row)
            return before
        if row["status"] == "trash":
            raise ApiError(410, "woocommerce_rest_already_trashed", self.already_trashed)
        trashed = copy.deepcopy(row)
        self.trash(trashed)
        trashed["date_modified"] = trashed["date_modified_gmt"] = self.store.now_text()
        self.table.save(trashed)
        return before

    def trash(self, row: Row) -> None:
        row["status"] = "trash"

    def forget(self, row: Row) -> None:
        """Drop what other records hold about a row deleted for good."""

    def touch(self, row: Row) -> None:
        row["date_modified"] = row["date_modified_gmt"] = self.store.now_text()

    # --- rendering ------------------------------------------------------------------------------------------
    def item_path(self, row: Row) -> str:
        return f"/{self.name}/{row['id']}"

    def collection_path(self, row: Row) -> str:
        return f"/{self.name}"

    def links(self, row: Row, api_base: str) -> dict[str, Any]:
        return {
            "self": [{"href": api_base + self.item_path(row), "targetHints": {"allow": ITEM_METHODS}}],
            "collection": [{"href": api_base + self.collection_path(row)}],
        }

    def render(self, row: Row, home: str) -> dict[str, Any]:
        urls = {name: home + row[name] for name in self.url_fields}
        return {**row, **urls, "_links": self.links(row, home + API_PATH)}

    def render_written(self, row: Row, home: str) -> dict[str, Any]:
        """The object as a create, update or delete returns it."""
        return self.render(row, home)


def check_enum(body: dict[str, Any], name: str, allowed: Collection[str]) -> None:
    if name in body and body[name] not in allowed:
        raise not_in_enum(name, list(allowed))


def check_string(body: dict[str, Any], *names: str) -> None:
    for name in names:
        if name in body and body[name] is not None and not isinstance(body[name], str):
            raise not_of_type(name, "string")


def check_integer(body: dict[str, Any], name: str, label: str | None = None) -> None:
    """Integers may come as JSON numbers or digit strings, as WordPress' schema coercion allows."""
    value = body.get(name)
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return
    label = label or name
    raise invalid_param(name if label == name else label.split("[")[0], f"{label} is not of type integer.",
                        "rest_invalid_type", {"param": label})


def merge_address(current: dict[str, Any], update: Any) -> None:
    """A partial `billing`/`shipping` object changes only the keys sent (`customers-update.json`)."""
    if isinstance(update, dict):
        for key, value in update.items():
            if key in current and value is not None:
                current[key] = str(value)
