"""`WEBSHOP_API`: how to talk to a Custom Webshop whose API differs from our contract, without code.

Every key is optional; `{}` is our contract (docs/custom-webshop-api.md). Checked once at start: an unknown key or a
wrong type stops the service with a message naming it.

    {"paths": {"order": "/api/v2/orders"},                 path per entity type
     "pagination": "cursor" | "page" | "offset",            how the shop pages a listing
     "page_size": 500,                                      items per listing request
     "params": {"updated_after": "changed_since", ...},     the shop's name for each listing parameter
     "extra_params": {"sort": "updated_at,id"},             sent with every listing request
     "items_path": "items",                                 where the items sit ("" when the body is the array)
     "next_cursor_path": "next_cursor",                     where the next cursor sits (cursor pagination)
     "id_field": "id", "updated_field": "updated_at",       field names in the shop's records
     "deleted_field": "deleted", "origin_field": "origin",
     "tombstones": true,                                    the shop lists deletes with include_deleted
     "auth_header": "Authorization", "auth_scheme": "Bearer"}   the token is sent as "<scheme> <token>"

Listings must be ordered by (updated_at, id) ascending: the stream relies on it and fails loudly when it is not.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

TYPES = ("order", "product", "variation", "customer")
# Each type's collection in our contract: variations are the webshop's variants (docs/custom-webshop-api.md §3.4.1).
DEFAULT_PATHS = {"order": "/orders", "product": "/products", "variation": "/variants", "customer": "/customers"}
PARAMETERS = ("updated_after", "limit", "cursor", "page", "offset", "include_deleted", "origin")


@dataclass(frozen=True)
class WebshopApi:
    paths: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_PATHS))
    pagination: str = "cursor"
    page_size: int = 500
    params: dict[str, str] = field(default_factory=lambda: {p: p for p in PARAMETERS})
    extra_params: dict[str, str] = field(default_factory=dict)
    items_path: str = "items"
    next_cursor_path: str = "next_cursor"
    id_field: str = "id"
    updated_field: str = "updated_at"
    deleted_field: str = "deleted"
    origin_field: str = "origin"
    tombstones: bool = True
    auth_header: str = "Authorization"
    auth_scheme: str = "Bearer"

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> "WebshopApi":
        """Build from the WEBSHOP_API object; raises ValueError listing every problem."""
        problems: list[str] = []
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in known:
                problems.append(f"unknown key {key!r}")
                continue
            default = getattr(cls(), key)
            if isinstance(default, dict):
                allowed = TYPES if key == "paths" else PARAMETERS if key == "params" else None
                if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                    problems.append(f"{key} must be an object of strings")
                    continue
                unknown = [k for k in value if allowed is not None and k not in allowed]
                if unknown:
                    problems.append(f"{key} has unknown entries {unknown} (allowed: {', '.join(allowed or ())})")
                    continue
                values[key] = {**default, **value}
            elif type(value) is not type(default):
                problems.append(f"{key} must be a {type(default).__name__}")
            else:
                values[key] = value
        api = cls(**values)
        if api.pagination not in ("cursor", "page", "offset"):
            problems.append("pagination must be cursor, page or offset")
        if not 1 <= api.page_size <= 1000:
            problems.append("page_size must be from 1 to 1000")
        if problems:
            raise ValueError("; ".join(problems))
        return api
