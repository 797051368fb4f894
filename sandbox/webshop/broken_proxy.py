"""The breakages that sit in front of the reference shop: a WSGI middleware that bends requests and answers the way
`sandbox.webshop.broken` names them, so the shop behind it, and its code, stay correct.

`create_app` installs it around the Flask app's `wsgi_app` when one of `PROXIED` is chosen; the sandbox control plane
(/_sandbox/...) passes untouched. Each breakage is one realistic mistake; the conformance checker's tests switch
them on one at a time. Where a breakage needs a listing the shop cannot give (ordered by id, filtered by a prefix),
the proxy reads the whole listing from the shop and pages through it with cursors of its own.
"""
from __future__ import annotations

import io
import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from sandbox.webshop.resources import ADDRESS, LINE, READ_ONLY, RESOURCES, Shape

PROXIED = frozenset({
    "early_stamps", "short_scans", "drops_from_big_pages", "drops_from_full_listings", "id_ordered_full_listings",
    "listing_omits_nested", "listing_omits_origin", "origin_prefix_match", "tombstones_without_origin",
    "tombstones_expire", "deleted_values_taken", "auth_only_on_listing", "echoes_credentials",
    "drops_unknown_properties", "recomputes_totals", "trickles", "drops_metadata", "metadata_apart",
    "copies_move_stock", "checkouts_keep_stock",
})
BIG_PAGE = 100
SHORT_SCAN_PAGES = 3  # the third page of a scan claims to be the last
TOMBSTONE_LIFETIME_SECONDS = 0.5
TRICKLE_SECONDS = 3.0
PAGE_MARK, OWN_CURSOR = "page", "proxy-"
NESTED: dict[str, Shape] = {"billing": ADDRESS, "shipping": ADDRESS, "lines": LINE}
OMITTED_FROM_LISTINGS = ("billing", "shipping", "lines", "categories")
WRITES = ("POST", "PUT", "PATCH", "DELETE")
_PATH = re.compile(r"^/(?P<resource>[^/]+)(?:/(?P<id>\d+))?$")
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class BrokenProxy:
    def __init__(self, inner: WsgiApp, broken: frozenset[str], token: str, note_arrival: Callable[[], None]) -> None:
        self.inner = inner
        self.broken = broken
        self.token = token
        self.note_arrival = note_arrival
        self._deleted_at: dict[tuple[str, int], float] = {}
        self._taken: dict[tuple[str, str, str], int] = {}  # (resource, field, value) of a deleted record → its id
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith("/_sandbox/"):
            return self.inner(environ, start_response)
        if "early_stamps" in self.broken and environ.get("REQUEST_METHOD") in WRITES:
            self.note_arrival()  # before the body is read: the request has only just started
        request = Request(environ)
        route = _PATH.match(request.path)
        resource = route["resource"] if route and route["resource"] in RESOURCES else None
        id_ = int(route["id"]) if route and route["id"] else None
        listing = request.method == "GET" and resource is not None and id_ is None
        sent_authorization = environ.get("HTTP_AUTHORIZATION", "")
        if "auth_only_on_listing" in self.broken and not listing:
            environ["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        response = self._answer(request, resource, id_, listing)
        if "echoes_credentials" in self.broken and response.status_code >= 400:
            response = _echoed(response, sent_authorization)
        return response(environ, start_response)

    def _answer(self, request: Request, resource: str | None, id_: int | None, listing: bool) -> Response:
        if resource is None:
            return self._forward(request.environ)
        if listing:
            return self._listing(request, resource)
        if request.method in ("POST", "PUT", "PATCH"):
            refused = self._bend_body(request, resource)
            if refused is not None:
                return refused
            if self.broken & {"metadata_apart", "copies_move_stock", "checkouts_keep_stock"}:
                return self._bookkeeping_breakages(request, resource, id_)
        if request.method == "DELETE" and id_ is not None:
            before = self._read(request, resource, id_) if "deleted_values_taken" in self.broken else None
            response = self._forward(request.environ)
            if response.status_code == 204:
                self._remember_delete(resource, id_, before)
            return response
        response = self._forward(request.environ)
        if "trickles" in self.broken and request.method == "GET" and response.status_code == 200:
            return _trickled(response)
        return response

    # -- the shop behind -----------------------------------------------------------------------------------------

    def _forward(self, environ: dict[str, Any]) -> Response:
        return Response.from_app(self.inner, environ, buffered=True)

    def _call(self, request: Request, path: str, query: dict[str, Any]) -> Response:
        """A GET of our own against the shop, with the caller's credentials."""
        headers = {"Authorization": request.environ.get("HTTP_AUTHORIZATION", "")}
        return self._forward(EnvironBuilder(path=path, query_string=query, headers=headers).get_environ())

    def _read(self, request: Request, resource: str, id_: int) -> dict[str, Any] | None:
        response = self._call(request, f"/{resource}/{id_}", {})
        return json.loads(response.get_data()) if response.status_code == 200 else None

    def _whole_listing(self, request: Request, resource: str, args: dict[str, str]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = json.loads(self._call(request, f"/{resource}", {**args, "limit": "500",
                                                                   **({"cursor": cursor} if cursor else {})}).get_data())
            items += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                return items

    # -- listings -------------------------------------------------------------------------------------------------

    def _listing(self, request: Request, resource: str) -> Response:
        args = request.args.to_dict()
        if "id_ordered_full_listings" in self.broken and "updated_after" not in args:
            return self._rearranged(request, resource, args, keep=lambda item: True, order=lambda item: item["id"])
        if "origin_prefix_match" in self.broken and "origin" in args:
            prefix = args.pop("origin")
            return self._rearranged(request, resource, args,
                                    keep=lambda item: (item.get("origin") or "").startswith(prefix), order=None)
        depth = 1
        cursor = args.get("cursor", "")
        if "short_scans" in self.broken and cursor.startswith(PAGE_MARK):
            number, _, args["cursor"] = cursor[len(PAGE_MARK):].partition(".")
            depth = int(number)
            request.environ["QUERY_STRING"] = urlencode(args)
        response = self._forward(request.environ)
        if response.status_code != 200:
            return response
        page = json.loads(response.get_data())
        if "short_scans" in self.broken and page["next_cursor"] is not None:
            page["next_cursor"] = None if depth + 1 >= SHORT_SCAN_PAGES else f"{PAGE_MARK}{depth + 1}.{page['next_cursor']}"
        return _json(self._bent_page(page, resource, args))

    def _rearranged(self, request: Request, resource: str, args: dict[str, str],
                    keep: Callable[[dict[str, Any]], bool], order: Callable[[dict[str, Any]], Any] | None) -> Response:
        """A listing the shop cannot give, paged by offsets into the whole of it; bad parameters still get the
        shop's own 422."""
        cursor = args.pop("cursor", None)
        if cursor is not None and not cursor.startswith(OWN_CURSOR):
            return self._forward(request.environ)  # not one of ours: the shop says what is wrong with it
        probe = self._call(request, f"/{resource}", args)
        if probe.status_code != 200:
            return probe
        items = [item for item in self._whole_listing(request, resource, {k: v for k, v in args.items()
                                                                          if k != "limit"}) if keep(item)]
        if order is not None:
            items.sort(key=order)
        start, limit = int(cursor[len(OWN_CURSOR):]) if cursor else 0, int(args.get("limit", BIG_PAGE))
        following = f"{OWN_CURSOR}{start + limit}" if start + limit < len(items) else None
        return _json(self._bent_page({"items": items[start:start + limit], "next_cursor": following}, resource, args))

    def _bent_page(self, page: dict[str, Any], resource: str, args: dict[str, str]) -> dict[str, Any]:
        items = page["items"]
        for item in items:
            if item.get("deleted"):
                if "tombstones_without_origin" in self.broken:
                    item.pop("origin", None)
                continue
            for name in OMITTED_FROM_LISTINGS if "listing_omits_nested" in self.broken else ():
                item.pop(name, None)
            if "listing_omits_origin" in self.broken:
                item.pop("origin", None)
        if "tombstones_expire" in self.broken:
            items[:] = [item for item in items if not (item.get("deleted") and self._expired(resource, item["id"]))]
        big = int(args.get("limit", BIG_PAGE)) >= BIG_PAGE
        if len(items) >= 2 and ("drops_from_big_pages" in self.broken and big or
                                "drops_from_full_listings" in self.broken and "updated_after" not in args):
            del items[len(items) // 2]
        return page

    # -- deletes --------------------------------------------------------------------------------------------------

    def _remember_delete(self, resource: str, id_: int, record: dict[str, Any] | None) -> None:
        with self._lock:
            self._deleted_at[resource, id_] = time.monotonic()
            for name in (RESOURCES[resource].unique, "origin"):
                if record is not None and record.get(name):
                    self._taken[resource, name, _compared(name, record[name])] = id_

    def _expired(self, resource: str, id_: int) -> bool:
        with self._lock:
            deleted_at = self._deleted_at.get((resource, id_))
        return deleted_at is not None and time.monotonic() - deleted_at > TOMBSTONE_LIFETIME_SECONDS

    # -- write bodies ---------------------------------------------------------------------------------------------

    def _bookkeeping_breakages(self, request: Request, resource: str, id_: int | None) -> Response:
        """Writes split in two (`metadata_apart`), and stock moved by copies or kept by checkouts, done here as a
        shop doing it would: by changing the product's level after the order was written."""
        body = json.loads(request.get_data() or b"null")
        if "metadata_apart" in self.broken and request.method == "PATCH" and isinstance(body, dict) \
                and "metadata" in body and len(body) > 1:
            first = self._write(request, "PATCH", request.path, {k: v for k, v in body.items() if k != "metadata"})
            if first.status_code != 200:
                return first
            return self._write(request, "PATCH", request.path, {"metadata": body["metadata"]})
        response = self._write(request, request.method, request.path, body)
        if resource == "orders" and request.method == "POST" and response.status_code == 201:
            order = json.loads(response.get_data())
            copied = order.get("origin") is not None
            moved = -1 if copied and "copies_move_stock" in self.broken else \
                +1 if not copied and "checkouts_keep_stock" in self.broken else 0
            for line in order["lines"] if moved else ():
                product = self._read(request, "products", line["product_id"]) if line["product_id"] else None
                if product is not None and product["stock_quantity"] is not None:
                    self._write(request, "PATCH", f"/products/{product['id']}",
                                {"stock_quantity": product["stock_quantity"] + moved * line["quantity"]})
        return response

    def _write(self, request: Request, method: str, path: str, body: Any) -> Response:
        raw = json.dumps(body).encode()
        headers = {"Authorization": request.environ.get("HTTP_AUTHORIZATION", ""), "Content-Type": "application/json"}
        return self._forward(EnvironBuilder(method=method, path=path, data=raw, headers=headers).get_environ())

    def _bend_body(self, request: Request, resource: str) -> Response | None:
        """Reads the body only for the breakages that need it (`early_stamps` must see a body arrive late)."""
        if not self.broken & {"drops_unknown_properties", "recomputes_totals", "deleted_values_taken",
                              "drops_metadata"}:
            return None
        raw = request.get_data()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if isinstance(body, dict):
            for name in (RESOURCES[resource].unique, "origin") if "deleted_values_taken" in self.broken else ():
                with self._lock:
                    holder = self._taken.get((resource, name, _compared(name, body.get(name))))
                if holder is not None:
                    return _json({"error": "duplicate", "message": f"{name} is already used by {resource}/{holder}",
                                  "field": name, "existing_id": holder}, 409)
            if "drops_unknown_properties" in self.broken:
                body = _known_only(RESOURCES[resource].shape, body)
            if "drops_metadata" in self.broken:
                body.pop("metadata", None)
            if "recomputes_totals" in self.broken and resource == "orders":
                body = _recomputed(body)
            raw = json.dumps(body).encode()
        request.environ["wsgi.input"] = io.BytesIO(raw)
        request.environ["CONTENT_LENGTH"] = str(len(raw))
        return None


def _compared(name: str, value: Any) -> str:
    """Unique values compare case-insensitively, origins exactly (docs/custom-webshop-api.md §3)."""
    return "" if not isinstance(value, str) else value if name == "origin" else value.casefold()


def _known_only(shape: Shape, body: dict[str, Any]) -> dict[str, Any]:
    kept = {key: value for key, value in body.items() if key in shape.by_name or key in READ_ONLY}
    for name, nested in NESTED.items():
        value = kept.get(name)
        if isinstance(value, dict):
            kept[name] = {key: v for key, v in value.items() if key in nested.by_name}
        elif isinstance(value, list):
            kept[name] = [{key: v for key, v in item.items() if key in nested.by_name} if isinstance(item, dict)
                          else item for item in value]
    return kept


def _recomputed(body: dict[str, Any]) -> dict[str, Any]:
    """grand_total as the sum of the lines plus shipping minus discount, as a shop with its own cart logic does."""
    try:
        total = (sum(Decimal(line["line_total"]) for line in body["lines"])
                 + Decimal(body.get("shipping_total", "0.00")) - Decimal(body.get("discount_total", "0.00")))
    except (KeyError, TypeError, ArithmeticError):
        return body  # not an order the shop would take: let it say why
    return {**body, "grand_total": f"{total:.2f}"}


def _json(payload: Any, status: int = 200) -> Response:
    return Response(json.dumps(payload), status=status, mimetype="application/json")


def _echoed(response: Response, authorization: str) -> Response:
    try:
        body = json.loads(response.get_data())
    except ValueError:
        return response
    if not isinstance(body, dict) or "message" not in body:
        return response
    body["message"] += f" (the request sent Authorization: {authorization or '<none>'})"
    echoed = _json(body, response.status_code)
    for name, value in response.headers.items():
        if name.lower() not in ("content-length", "content-type"):
            echoed.headers[name] = value
    return echoed


def _trickled(response: Response) -> Response:
    body = response.get_data()

    def one_byte_at_a_time() -> Iterator[bytes]:
        for index in range(len(body)):
            time.sleep(TRICKLE_SECONDS)
            yield body[index:index + 1]

    return Response(one_byte_at_a_time(), status=response.status_code, headers=response.headers)
