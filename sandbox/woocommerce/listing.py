"""List requests: WooCommerce's collection parameters, validated as WordPress does, and the list's headers.

`parse_list` turns the query into a `Selection` (what the table caches) plus paging; each resource adds its own
filters (`status`, `sku`, `customer`, `role`, `email`, ...) through `LIST_RULES`.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from .clock import format_date, parse_date
from .errors import invalid_date, invalid_param, not_in_enum
from .table import Found, Row, Selection, Window

POST_ORDERBY = ["date", "id", "include", "title", "slug", "modified"]
# The products enum repeats values, and so does its error message (`products-f09-orderby-invalid-400.json`).
PRODUCT_ORDERBY = POST_ORDERBY + ["popularity", "rating", "popularity", "rating", "menu_order", "price", "popularity",
                                  "rating"]
CUSTOMER_ORDERBY = ["id", "include", "name", "registered_date"]
BOOLEAN_PARAMS = frozenset({"dates_are_gmt", "force", "featured", "on_sale", "downloadable", "virtual"})
_REST_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}(:?\d{2})?)?$")
_TRUE = frozenset({"1", "true", "yes", "on"})


_COMMON_ARGS = ("context", "page", "per_page", "search", "exclude", "include", "offset", "order", "orderby")
_POST_ARGS = _COMMON_ARGS + ("after", "before", "modified_after", "modified_before", "dates_are_gmt", "parent",
                             "parent_exclude", "status")


@dataclass(frozen=True)
class ListRules:
    args: tuple[str, ...]  # the collection's query parameters, as the API index lists them
    orderby: list[str]
    default_orderby: str
    default_order: str
    date_filters: bool
    filters: Callable[[Mapping[str, str]], tuple[tuple[str, Any], ...]]
    sort_keys: Mapping[str, Callable[[Row], Any]]


@dataclass(frozen=True)
class ListRequest:
    selection: Selection
    predicate: Callable[[Row], bool]
    sort_key: Callable[[Row], Any]
    page: int
    per_page: int
    offset: int | None

    def page_of(self, found: Found) -> list[int]:
        start = self.offset if self.offset is not None else (self.page - 1) * self.per_page
        return found.page(start, self.per_page)


def is_true(value: str | None) -> bool:
    return value is not None and value.lower() in _TRUE


def id_list(value: str | None) -> tuple[int, ...]:
    if not value:
        return ()
    return tuple(int(part) for part in value.split(",") if part.strip().lstrip("-").isdigit())


def _integer(args: Mapping[str, str], name: str, default: int, minimum: int, maximum: int | None = None) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"-?\d+", raw.strip()):
        raise invalid_param(name, f"{name} is not of type integer.", "rest_invalid_type", {"param": name})
    value = int(raw)
    if value < minimum or (maximum is not None and value > maximum):
        if maximum is None:
            message = f"{name} must be greater than or equal to {minimum}"
        else:
            message = f"{name} must be between {minimum} (inclusive) and {maximum} (inclusive)"
        raise invalid_param(name, message, "rest_out_of_bounds")
    return value


def _date(args: Mapping[str, str], name: str) -> str | None:
    """A naive `YYYY-MM-DDTHH:MM:SS` in the site timezone (UTC), which is also the `_gmt` column's time."""
    raw = args.get(name)
    if raw is None:
        return None
    if not _REST_DATE.match(raw):
        raise invalid_date(name)
    try:
        return format_date(parse_date(raw.replace(" ", "T").replace("z", "Z")))
    except ValueError:
        raise invalid_date(name) from None


def parse_list(args: Mapping[str, str], rules: ListRules) -> ListRequest:
    per_page = _integer(args, "per_page", 10, 1, 100)
    page = _integer(args, "page", 1, 1)
    offset = _integer(args, "offset", -1, 0) if "offset" in args else None
    order = args.get("order", rules.default_order)
    if order not in ("asc", "desc"):
        raise not_in_enum("order", ["asc", "desc"])
    orderby = args.get("orderby", rules.default_orderby)
    if orderby not in rules.orderby:
        raise not_in_enum("orderby", rules.orderby)
    modified = created = Window()
    if rules.date_filters:
        modified = Window(_date(args, "modified_after"), _date(args, "modified_before"))
        created = Window(_date(args, "after"), _date(args, "before"))
    include = id_list(args.get("include")) or None
    filters = rules.filters(args) + (("exclude", frozenset(id_list(args.get("exclude")))),)
    selection = Selection(orderby, order == "desc", modified, created, include, filters)
    return ListRequest(selection, _predicate(filters), rules.sort_keys.get(orderby, _by_id), page, per_page,
                       offset)


def _by_id(row: Row) -> int:
    return row["id"]


def _predicate(filters: tuple[tuple[str, Any], ...]) -> Callable[[Row], bool]:
    tests = [FILTER_TESTS[name](value) for name, value in filters if value not in (None, "", frozenset(), ())]
    return lambda row: all(test(row) for test in tests)


def _status_filter(value: Any) -> Callable[[Row], bool]:
    if value == "any":
        return lambda row: row["status"] != "trash"
    wanted = frozenset(value.split(","))
    return lambda row: row["status"] in wanted


# What `search` looks in: WP_Query's title, excerpt and content for products; the order number and the billing
# name and e-mail for orders; WP_User_Query's login, e-mail and names for customers.
_SEARCHED: dict[str, tuple[str, ...]] = {
    "products": ("name", "short_description", "description"),
    "orders": ("number", "billing.first_name", "billing.last_name", "billing.email"),
    "customers": ("email", "username", "first_name", "last_name"),
    "coupons": ("code", "description"),
}


def _search(query: tuple[str, str]) -> Callable[[Row], bool]:
    resource, text = query
    needle = text.lower()
    paths = [field.split(".") for field in _SEARCHED[resource]]

    def value(row: Row, path: list[str]) -> str:
        found: Any = row
        for key in path:
            found = found.get(key, "") if isinstance(found, dict) else ""
        return str(found).lower()

    return lambda row: any(needle in value(row, path) for path in paths)


FILTER_TESTS: dict[str, Callable[[Any], Callable[[Row], bool]]] = {
    "status": _status_filter,
    "exclude": lambda ids: lambda row: row["id"] not in ids,
    "search": _search,
    "sku": lambda skus: lambda row: row["sku"].lower() in skus,
    "type": lambda kind: lambda row: row["type"] == kind,
    "category": lambda cat: lambda row: any(str(c["id"]) == cat for c in row["categories"]),
    "parent": lambda parent: lambda row: row["parent_id"] == parent,
    "customer": lambda customer: lambda row: row["customer_id"] == customer,
    "product": lambda product: lambda row: any(product in (i["product_id"], i["variation_id"])
                                               for i in row["line_items"]),
    "role": lambda role: lambda row: row["role"] == role,
    "email": lambda email: lambda row: row["email"].lower() == email,
    "code": lambda code: lambda row: row["code"] == code,
}


def _searching(resource: str, args: Mapping[str, str]) -> tuple[str, str] | None:
    return (resource, args["search"]) if args.get("search") else None


def _product_filters(args: Mapping[str, str]) -> tuple[tuple[str, Any], ...]:
    sku = args.get("sku")
    return (("status", args.get("status", "any")), ("search", _searching("products", args)),
            ("sku", frozenset(s.strip().lower() for s in sku.split(",")) if sku else None),
            ("type", args.get("type")), ("category", args.get("category")))


def _order_filters(args: Mapping[str, str]) -> tuple[tuple[str, Any], ...]:
    customer, product = args.get("customer"), args.get("product")
    return (("status", args.get("status", "any")), ("search", _searching("orders", args)),
            ("customer", int(customer) if customer and customer.isdigit() else None),
            ("product", int(product) if product and product.isdigit() else None))


def _customer_filters(args: Mapping[str, str]) -> tuple[tuple[str, Any], ...]:
    role, email = args.get("role", "customer"), args.get("email")
    return (("role", None if role == "all" else role), ("search", _searching("customers", args)),
            ("email", email.lower() if email else None))


def _coupon_filters(args: Mapping[str, str]) -> tuple[tuple[str, Any], ...]:
    # `code` finds the one coupon `wc_get_coupon_id_by_code` finds (coupons controller `prepare_objects_query`).
    code = args.get("code")
    return (("status", "any"), ("search", _searching("coupons", args)),
            ("code", code.strip().lower() if code else None))


def _variation_filters(parent_id: int) -> Callable[[Mapping[str, str]], tuple[tuple[str, Any], ...]]:
    return lambda args: (("parent", parent_id), ("status", args.get("status", "any")),
                         ("sku", frozenset(s.lower() for s in args["sku"].split(",")) if args.get("sku") else None))


_POST_SORT_KEYS: dict[str, Callable[[Row], Any]] = {
    "date": lambda row: row["date_created_gmt"], "modified": lambda row: row["date_modified_gmt"] or "",
    "title": lambda row: row.get("name", ""), "slug": lambda row: row.get("slug", ""),
    "price": lambda row: Decimal(row["price"] or 0), "popularity": lambda row: row["total_sales"],
    "rating": lambda row: row["average_rating"], "menu_order": lambda row: row["menu_order"],
}
# MySQL's utf8mb4_unicode_ci compares case-insensitively and puts "_" before "-" before letters and digits.
_COLLATION = str.maketrans({"_": "\x01", "-": "\x02"})


def _collated_login(row: Row) -> str:
    return row["username"].lower().translate(_COLLATION)


# WooCommerce-created users have their login as display name, so `name` and an `include` order without `include`
# both sort by login (`customers-f-orderby-name.json`, `customers-f-orderby-include.json`).
_CUSTOMER_SORT_KEYS: dict[str, Callable[[Row], Any]] = {
    "name": _collated_login, "include": _collated_login, "registered_date": lambda row: row["date_created_gmt"],
}

LIST_RULES = {
    "products": ListRules(_POST_ARGS + ("type", "sku", "featured", "category", "tag", "on_sale", "stock_status"),
                          PRODUCT_ORDERBY, "date", "desc", True, _product_filters, _POST_SORT_KEYS),
    "orders": ListRules(_POST_ARGS + ("customer", "product", "dp"), POST_ORDERBY, "date", "desc", True,
                        _order_filters, _POST_SORT_KEYS),
    "coupons": ListRules(_POST_ARGS + ("code",), POST_ORDERBY, "date", "desc", True, _coupon_filters,
                         _POST_SORT_KEYS),
    # Customers have no date filters: `modified_after` is ignored, even invalid (`customers-list-invalid-…`).
    "customers": ListRules(_COMMON_ARGS + ("email", "role"), CUSTOMER_ORDERBY, "name", "asc", False,
                           _customer_filters, _CUSTOMER_SORT_KEYS),
}


def variation_rules(parent_id: int) -> ListRules:
    return ListRules(_POST_ARGS + ("sku",), PRODUCT_ORDERBY, "date", "desc", True, _variation_filters(parent_id),
                     _POST_SORT_KEYS)


def refund_rules(order_id: int) -> ListRules:
    """An order's refunds: the orders collection's parameters without `status`, `customer` and `product`, newest
    first (`refunds-r11-list-refunds.json`)."""
    args = tuple(a for a in _POST_ARGS if a != "status") + ("dp",)
    return ListRules(args, POST_ORDERBY, "date", "desc", True, lambda _args: (("parent", order_id),),
                     _POST_SORT_KEYS)


def list_headers(total: int, request: ListRequest, url: str, query: list[tuple[str, str]], home: str) -> dict[str, str]:
    """`X-WP-Total`, `X-WP-TotalPages` and `Link` (prev/next echo the query, booleans as `1`) (§1)."""
    pages = math.ceil(total / request.per_page) if total else 0
    links = []
    if request.page > 1 and pages:
        links.append(f'<{_page_url(url, query, min(request.page - 1, pages))}>; rel="prev"')
    if request.page < pages:
        links.append(f'<{_page_url(url, query, request.page + 1)}>; rel="next"')
    headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
    headers["Link"] = ", ".join(links) if links else api_link(home)
    return headers


def api_link(home: str) -> str:
    return f'<{home}/wp-json/>; rel="https://api.w.org/"'


def _page_url(url: str, query: list[tuple[str, str]], page: int) -> str:
    pairs = [(k, ("1" if is_true(v) else "") if k in BOOLEAN_PARAMS else v) for k, v in query]
    if any(k == "page" for k, _ in pairs):
        pairs = [(k, str(page) if k == "page" else v) for k, v in pairs]
    else:
        pairs.append(("page", str(page)))
    return f"{url}?{urlencode(pairs)}"
