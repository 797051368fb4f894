"""Listing parameters, cursors and the listing query (docs/custom-webshop-api.md §5).

Keyset pagination on (updated_at, id): the cursor is the position of the last item sent, so records written while a
client pages move behind the cursor instead of shifting the pages (as an offset would). The broken variants
(`sandbox/webshop/broken.py`) are the mistakes real shops make here, kept next to the right way so the difference
is plain.
"""
from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sandbox.webshop.db import COLUMNS, Row
from sandbox.webshop.fields import Invalid, format_timestamp, parse_timestamp

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
PARAMETERS = ("updated_after", "limit", "cursor", "include_deleted", "origin")


@dataclass(frozen=True)
class ListQuery:
    updated_after: str | None = None
    cursor: dict[str, Any] | None = None
    origin: str | None = None
    include_deleted: bool = False
    limit: int = DEFAULT_LIMIT


def parse_list_query(args: Mapping[str, str]) -> ListQuery:
    """Unknown parameters are refused: a misspelt `updated_after` would otherwise turn into a full listing."""
    errors = {name: "is not a listing parameter" for name in args if name not in PARAMETERS}
    values: dict[str, Any] = {}
    for name, parse in (("updated_after", _parse_updated_after), ("limit", _parse_limit), ("cursor", decode_cursor),
                        ("include_deleted", _parse_flag), ("origin", str)):
        if name in args:
            try:
                values[name] = parse(args[name])
            except Invalid as exc:
                errors[name] = exc.errors[""]
    if errors:
        raise Invalid(errors)
    return ListQuery(**values)


def _parse_updated_after(value: str) -> str:
    return format_timestamp(parse_timestamp(value))


def _parse_limit(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise Invalid(f"must be an integer from 1 to {MAX_LIMIT}")
    return int(value)


def _parse_flag(value: str) -> bool:
    if value not in ("true", "false"):
        raise Invalid("must be true or false")
    return value == "true"


def encode_cursor(position: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(value: str) -> dict[str, Any]:
    try:
        position = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (binascii.Error, ValueError):
        raise Invalid("is not a cursor this shop issued") from None
    if not isinstance(position, dict):
        raise Invalid("is not a cursor this shop issued")
    return position


def listing_sql(resource: str, query: ListQuery, broken: frozenset[str]) -> tuple[str, list[Any]]:
    """The SELECT for one page; it asks for `limit + 1` rows so the extra one tells whether a next page exists."""
    where, params = ["resource = ?"], [resource]
    if query.updated_after is not None:
        where.append("updated_at >= ?" if "inclusive_updated_after" in broken else "updated_at > ?")
        params.append(query.updated_after)
    offset = 0
    if query.cursor is not None:
        try:
            if "offset_cursor" in broken:
                offset = int(query.cursor["offset"])
            elif "timestamp_cursor" in broken:
                where.append("updated_at > ?")
                params.append(str(query.cursor["u"]))
            elif "unstable_order" in broken:
                where.append("id > ?")
                params.append(int(query.cursor["i"]))
            else:
                # Spelt as a range on updated_at first so SQLite walks records_by_update from the cursor on.
                where.append("updated_at >= ? AND (updated_at > ? OR id > ?)")
                params += [str(query.cursor["u"]), str(query.cursor["u"]), int(query.cursor["i"])]
        except (KeyError, TypeError, ValueError):
            raise Invalid({"cursor": "is not a cursor this shop issued"}) from None
    if not query.include_deleted or "no_tombstones" in broken:
        where.append("deleted_at IS NULL")
    if query.origin is not None:
        where.append("origin = ?")
        params.append(query.origin)
    order = "id" if "unstable_order" in broken else "updated_at, id"
    sql = f"SELECT {COLUMNS} FROM records WHERE {' AND '.join(where)} ORDER BY {order} LIMIT ? OFFSET ?"
    return sql, params + [query.limit + 1, offset]


def next_cursor(page: list[Row], query: ListQuery, broken: frozenset[str]) -> str:
    if "offset_cursor" in broken:
        offset = int(query.cursor["offset"]) if query.cursor else 0
        return encode_cursor({"offset": offset + len(page)})
    return encode_cursor({"u": page[-1].updated_at, "i": page[-1].id})
