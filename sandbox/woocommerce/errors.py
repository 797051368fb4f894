"""WooCommerce's error bodies: `{"code", "message", "data": {"status", ...}}`, built as the recordings show them.

Every rule in the store raises `ApiError`; the routes turn it into the response, the batch endpoint into an item.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class ApiError(Exception):
    """A WP_Error as the REST server renders it."""

    def __init__(self, status: int, code: str, message: str, **data: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.data = data

    def body(self, status: int | None = None) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "data": {"status": status or self.status, **self.data}}


class SavedThenRefused(ApiError):
    """A refusal that comes after the write was saved, as WooCommerce refuses an order's coupons only once it has
    saved the order: the store counts the write."""

    @classmethod
    def of(cls, error: ApiError) -> "SavedThenRefused":
        return cls(error.status, error.code, error.message, **error.data)


class RouteError(ApiError):
    """A WP_Error built with a bare number as its data (`new WP_Error( code, message, 404 )`), as the refunds
    controller and `wc_create_refund` do: the REST server reads a status only from `data.status`, so the answer is
    500 whatever the number, and `data` is the number itself (`refunds-r03-partial-refund-default-api-refund.json`)."""

    def __init__(self, data: int, code: str, message: str) -> None:
        super().__init__(500, code, message)
        self.bare = data

    def body(self, status: int | None = None) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "data": self.bare}


def human_list(values: Sequence[str]) -> str:
    """WordPress' `wp_sprintf_l`: "a, b, and c"."""
    if len(values) <= 2:
        return " and ".join(values)
    return ", ".join(values[:-1]) + ", and " + values[-1]


def invalid_param(name: str, message: str, detail_code: str, detail_data: Any = None) -> ApiError:
    """`rest_invalid_param` from schema validation (`products-list-per-page-101-400.json`)."""
    return ApiError(
        400, "rest_invalid_param", f"Invalid parameter(s): {name}",
        params={name: message},
        details={name: {"code": detail_code, "message": message, "data": detail_data}},
    )


def not_in_enum(name: str, allowed: Sequence[str]) -> ApiError:
    return invalid_param(name, f"{name} is not one of {human_list(allowed)}.", "rest_not_in_enum")


def not_of_type(name: str, type_name: str) -> ApiError:
    """`products-e06-regular-price-number-type.json`."""
    return invalid_param(name, f"{name} is not of type {type_name}.", "rest_invalid_type", {"param": name})


def invalid_date(name: str) -> ApiError:
    """`products-list-invalid-modified-after-400.json`."""
    return invalid_param(name, "Invalid date.", "rest_invalid_date")


def missing_params(*names: str) -> ApiError:
    """`customers-d06-create-missing-email-400.json`."""
    return ApiError(400, "rest_missing_callback_param", f"Missing parameter(s): {', '.join(names)}", params=list(names))
