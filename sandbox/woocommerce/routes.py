"""The `/wp-json/wc/v3` routes: parse the request, call the store, render rows and headers as WooCommerce does."""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, g, request

from .errors import ApiError, missing_params
from .fields import filter_fields
from .listing import LIST_RULES, ListRules, api_link, is_true, list_headers, parse_list, refund_rules, variation_rules
from .resource import API_PATH, ITEM_METHODS, Resource
from .store import Store
from .table import Row

API = API_PATH
# A refund cannot be edited, only read or deleted (`refunds-r12-get-one-refund.json`).
ALLOW = {"collection": "GET, POST", "item": "GET, POST, PUT, PATCH, DELETE", "batch": "POST, PUT, PATCH",
         "refund": "GET, DELETE"}
ROUTE_KINDS = {"api.list_items": "collection", "api.create_item": "collection", "api.list_variations": "collection",
               "api.create_variation": "collection", "api.batch": "batch", "api.list_categories": "collection",
               "api.create_category": "collection", "api.list_order_notes": "collection",
               "api.list_refunds": "collection", "api.create_refund": "collection", "api.get_refund": "refund"}
RESOURCES = "<any(products, orders, customers, coupons):collection>"
# WordPress validates a route's query parameters before its permission callback runs, so an anonymous list with a
# bad parameter gets the 400, not the 401.
VALIDATED_BEFORE_PERMISSION = frozenset({"api.list_items", "api.list_variations", "api.list_refunds"})

bp = Blueprint("api", __name__, url_prefix=API)


def store() -> Store:
    return current_app.config["STORE"]


def home_url() -> str:
    """The store URL as WordPress' `home_url()` gives it; behind a TLS proxy the scheme is https."""
    scheme = "https" if current_app.config["HTTPS"] else request.scheme
    return current_app.config["HOME_URL"] or f"{scheme}://{request.host}"


def route_kind() -> str:
    return ROUTE_KINDS.get(request.endpoint or "", "item")


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = Response(json.dumps(payload), status=status, content_type="application/json; charset=UTF-8")
    response.headers["Link"] = api_link(home_url())
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def error_response(error: ApiError) -> Response:
    return json_response(error.body(), error.status)


def _fields() -> list[str] | None:
    raw = request.args.get("_fields")
    return [f.strip() for f in raw.split(",") if f.strip()] if raw else None


def render_item(resource: Resource, row: Row, written: bool = True) -> dict[str, Any]:
    """A single object; `_fields` filters it but `_links` stays (`products-g03-fields-unknown-field.json`)."""
    rendered = (resource.render_written if written else resource.render)(row, home_url())
    fields = _fields()
    if fields is None:
        return rendered
    return {**filter_fields(rendered, fields), "_links": rendered["_links"]}


def item_response(resource: Resource, row: Row, status: int = 200, written: bool = True) -> Response:
    return json_response(render_item(resource, row, written), status)


def list_response(resource: Resource, rules: ListRules) -> Response:
    listing = parse_list(request.args, rules)
    if "refusal" in g:
        raise g.refusal
    with store().lock:
        ids = resource.table.select(listing.selection, listing.predicate, listing.sort_key)
        fields = _fields()
        home = home_url()
        items = []
        for row_id in listing.page_of(ids):
            rendered = resource.render(resource.table.rows[row_id], home)
            items.append(rendered if fields is None else filter_fields(rendered, fields))
        store().stats.reads[resource.name] += 1
    # Saved rows are never changed in place (writes save a changed copy), so they can be encoded after the lock.
    headers = list_headers(len(ids), listing, home + request.path, list(request.args.items(multi=True)), home)
    return json_response(items, 200, headers)


def _body() -> Any:
    if not request.get_data():
        return {}
    try:
        return json.loads(request.get_data())
    except ValueError:
        raise ApiError(400, "rest_invalid_json", "Invalid JSON body passed.") from None


@bp.route(f"/{RESOURCES}", methods=["GET"])
def list_items(collection: str) -> Response:
    return list_response(store().resource(collection), LIST_RULES[collection])


@bp.route(f"/{RESOURCES}", methods=["POST"])
def create_item(collection: str) -> Response:
    resource = store().resource(collection)
    return item_response(resource, store().create(resource, _body()), 201)


@bp.route(f"/{RESOURCES}/<int:item_id>", methods=["GET"])
def get_item(collection: str, item_id: int) -> Response:
    resource = store().resource(collection)
    return item_response(resource, store().read(resource, item_id), written=False)


@bp.route(f"/{RESOURCES}/<int:item_id>", methods=["PUT", "PATCH", "POST"])
def update_item(collection: str, item_id: int) -> Response:
    resource = store().resource(collection)
    with store().lock:
        return item_response(resource, store().update(resource, resource.require(item_id, 400), _body()))


@bp.route(f"/{RESOURCES}/<int:item_id>", methods=["DELETE"])
def delete_item(collection: str, item_id: int) -> Response:
    resource = store().resource(collection)
    with store().lock:
        before = store().delete(resource, resource.require(item_id), is_true(request.args.get("force")))
        return item_response(resource, before)


@bp.route(f"/{RESOURCES}/batch", methods=["POST", "PUT", "PATCH"])
def batch(collection: str) -> Response:
    resource = store().resource(collection)
    with store().lock:
        result = store().batch(resource, _body())
        body = {name: [_batch_entry(resource, entry) for entry in entries] for name, entries in result.items()}
    return json_response(body)


def _batch_entry(resource: Resource, entry: Row | tuple[Any, ApiError]) -> dict[str, Any]:
    if isinstance(entry, tuple):
        item_id, error = entry
        # Errors inside a batch carry status 400 whatever the single request would answer (§8).
        return {"id": item_id, "error": error.body(400 if error.status < 500 else error.status)}
    return render_item(resource, entry)


@bp.route("/products/<int:parent_id>/variations", methods=["GET"])
def list_variations(parent_id: int) -> Response:
    if "refusal" not in g:  # an anonymous caller learns nothing about which products exist
        store().products.require(parent_id)
    return list_response(store().variations, variation_rules(parent_id))


@bp.route("/products/<int:parent_id>/variations", methods=["POST"])
def create_variation(parent_id: int) -> Response:
    variations = store().variations
    with store().lock:
        parent = store().products.require(parent_id, 400)
        row = store().create(variations, _body(), lambda body: variations.create_for(parent, body))
        return item_response(variations, row, 201)


@bp.route("/products/<int:parent_id>/variations/<int:item_id>", methods=["GET"])
def get_variation(parent_id: int, item_id: int) -> Response:
    variations = store().variations
    with store().lock:
        row = variations.in_parent(store().products.require(parent_id), item_id)
        store().stats.reads[variations.name] += 1
        return item_response(variations, row, written=False)


@bp.route("/products/<int:parent_id>/variations/<int:item_id>", methods=["PUT", "PATCH", "POST"])
def update_variation(parent_id: int, item_id: int) -> Response:
    variations = store().variations
    with store().lock:
        row = variations.in_parent(store().products.require(parent_id, 400), item_id, 400)
        return item_response(variations, store().update(variations, row, _body()))


@bp.route("/products/<int:parent_id>/variations/<int:item_id>", methods=["DELETE"])
def delete_variation(parent_id: int, item_id: int) -> Response:
    variations = store().variations
    with store().lock:
        row = variations.in_parent(store().products.require(parent_id), item_id)
        return item_response(variations, store().delete(variations, row, is_true(request.args.get("force"))))


def _render_category(category: dict[str, Any]) -> dict[str, Any]:
    collection = f"{home_url()}{API}/products/categories"
    return {**category, "_links": {
        "self": [{"href": f"{collection}/{category['id']}", "targetHints": {"allow": ITEM_METHODS}}],
        "collection": [{"href": collection}]}}


@bp.route("/products/categories", methods=["GET"])
def list_categories() -> Response:
    with store().lock:
        categories = sorted(store().products.categories.values(), key=lambda c: c["name"].lower())
        body = [_render_category(c) for c in categories]
    return json_response(body, 200, {"X-WP-Total": str(len(body)), "X-WP-TotalPages": "1"})


@bp.route("/products/categories", methods=["POST"])
def create_category() -> Response:
    """`product-categories-create.json`; only `name` is kept."""
    body = _body()
    if not isinstance(body, dict) or not isinstance(body.get("name"), str) or not body["name"]:
        raise missing_params("name")
    with store().lock:
        category = store().products.add_category(body["name"])
        return json_response(_render_category(category), 201)


@bp.route("/orders/<int:order_id>/notes", methods=["GET"])
def list_order_notes(order_id: int) -> Response:
    """System notes, newest first (`orders-status-23-notes-list.json`)."""
    orders = store().orders
    with store().lock:
        orders.require(order_id)
        notes = [orders.render_note(order_id, note, home_url()) for note in reversed(orders.notes.get(order_id, []))]
    return json_response(notes)


@bp.route("/orders/<int:order_id>/refunds", methods=["GET"])
def list_refunds(order_id: int) -> Response:
    """Newest first; an order that does not exist simply has none."""
    return list_response(store().refunds, refund_rules(order_id))


@bp.route("/orders/<int:order_id>/refunds", methods=["POST"])
def create_refund(order_id: int) -> Response:
    refunds = store().refunds
    with store().lock:
        row = store().create(refunds, _body(), lambda body: refunds.create_for(order_id, body))
        return item_response(refunds, row, 201)


@bp.route("/orders/<int:order_id>/refunds/<int:refund_id>", methods=["GET"])
def get_refund(order_id: int, refund_id: int) -> Response:
    refunds = store().refunds
    with store().lock:
        row = refunds.in_order(order_id, refund_id)
        store().stats.reads[refunds.name] += 1
        return item_response(refunds, row, written=False)


@bp.route("", methods=["GET"])
def index() -> Response:
    """The namespace index, which clients read to feature-detect parameters such as `modified_after` (reference
    §1.4). Public, as on WordPress."""
    routes = {f"/wc/v3/{collection}": {
        "namespace": "wc/v3", "methods": ["GET", "POST"],
        "endpoints": [{"methods": ["GET"], "args": {name: {"required": False} for name in rules.args}},
                      {"methods": ["POST"], "args": {}}],
        "_links": {"self": [{"href": f"{home_url()}{API}/{collection}"}]},
    } for collection, rules in LIST_RULES.items()}
    return json_response({"namespace": "wc/v3", "routes": routes})


@bp.after_request
def allow_header(response: Response) -> Response:
    """WordPress names the route's methods on every answer, errors included, but not on a refused caller. A
    variation deleted for good has no methods left (`product-variations-delete-force.json`)."""
    gone = request.endpoint == "api.delete_variation" and is_true(request.args.get("force"))
    if response.status_code != 401 and not gone:
        response.headers.setdefault("Allow", ALLOW[route_kind()])
    return response


@bp.errorhandler(ApiError)
def api_error(error: ApiError) -> Response:
    return error_response(error)
