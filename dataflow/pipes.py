"""Generate `sesam-config/` (systems, pipes, node metadata, test environment) from `dataflow/model.py`.

Per system s and type t: `s-t-collect` → `s-t-enrich` → `global-t` → `s-t-transform` → `s-t-share`.
- collect: JSON Pull from our service (`/entities/t`, since, chronological), a conditional source whose `test`
  alternative is an http_endpoint that `sesam upload` feeds from `testdata/<pipe>.json`, a five-minute schedule and a nightly full rescan (deletion tracking catches records
  deleted for good). `if_source_empty` is `accept`, said explicitly so a node-wide `fail` default cannot apply:
  "fail" fails the pipe whenever "the source returns no entities" (configuration-sources-json.rst), which with
  `since` is every quiet run, and it would also refuse the real deletion of a type's last record. The guard
  against a bad empty answer is the service's: it answers an empty full read only when the shop confirms it holds
  no records.
- enrich: keeps deleted records as live entities flagged `<ns>:deleted` (so links through the merge survive the
  delete and the delete can be propagated), adds `rdf:type`, `<ns>:self-ref` and `<ns>:origin-ref` (the
  `sesam_origin` stamp as a reference), normalised natural keys, `<ns>:modified` and the common values `<ns>:g-*`.
- global: merge v2 on origin links both ways and on the natural keys of the model.
- transform (towards system s from the other side o): one entity per record of s; discards what has no other side,
  what s itself deleted, and `$replaced` ids; a record deleted on the other side becomes an explicit delete
  (`delete-requested`); otherwise golden values per property — the most recently modified side wins, an empty
  value never overwrites a non-empty one — mapped into s's shape, with `id` (update) or `sesam_origin` (insert).
  References are translated through the target type's global dataset; an insert waits (is discarded, and re-run by
  dependency tracking) until everything it refers to exists in s.
- share: JSON Push to `/receiver/t`; only explicit deletes are pushed (a delete made by deletion tracking after a
  rescan of the transform is never sent upstream); the pushed `_id` is the transform's (`<ns>:<id>`, the record
  updated or the one an insert comes from), which the sink's namespace removal would otherwise cut to `<id>`.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dataflow.testdata import collect_entities
from dataflow.model import ENTITY_TYPES, SHOP, SYSTEMS, TYPES, WOO, EntityType, Property, blank, money, ns, path

# A node substitutes $SECRET only in systems (hub/documentation/operations/security.rst): the service token travels
# as the password of the system's basic authentication (configuration-systems-microservice.rst), which the service
# accepts (README, SERVICE_TOKEN). The user name is not a secret.
AUTHENTICATION = {"authentication": "basic", "username": "sesam", "password": "$SECRET(service-token)"}
ENV = {WOO: {"WOOCOMMERCE_URL": "$ENV(woocommerce-url)",
             "WOOCOMMERCE_CONSUMER_KEY": "$SECRET(woocommerce-consumer-key)",
             "WOOCOMMERCE_CONSUMER_SECRET": "$SECRET(woocommerce-consumer-secret)"},
       SHOP: {"WEBSHOP_URL": "$ENV(customwebshop-url)", "WEBSHOP_TOKEN": "$SECRET(customwebshop-token)"}}
# The receivers answer 422 when retrying cannot help and 503 when it can (README, "Receivers"): a 4xx goes to the
# dead-letter dataset at once, 429 and 503 are retried after a delay. A retry property set on a pump would win over
# every entry here (configuration-systems-url.rst, retry_strategy), so the pumps set none of them.
NO_RETRIES = {"write_retry_delay": 0, "max_retries_per_entity": 0}
RETRY_STRATEGY = {
    "400-428": NO_RETRIES,
    "430-499": NO_RETRIES,
    "429,503": {"write_retry_delay": 60, "max_retries_per_entity": 30, "read_retry_delay": 60, "max_read_retries": 3},
    "default": {"write_retry_delay": 60, "max_retries_per_entity": 5, "read_retry_delay": 0},
}


# How long an order waits for its customer and products to reach the other shop before it lands without them.
ORDER_WAIT_SECONDS = 3600


def other(system: str) -> str:
    return SHOP if system == WOO else WOO


def system_config(system: str) -> dict[str, Any]:
    return {
        "_id": system, "type": "system:microservice",
        "name": f"{system} sync service",
        "docker": {"image": "$ENV(sync-image)", "port": 5000, "memory": 256,
                   "environment": {"SYSTEM": system, **ENV[system],
                                   "SERVICE_TOKEN": "$SECRET(service-token)"}},
        **AUTHENTICATION, "read_timeout": 1800, "retry_strategy": RETRY_STRATEGY,
    }


def collect(system: str, type_name: str) -> dict[str, Any]:
    namespace = ns(system, type_name)
    return {
        "_id": f"{namespace}-collect", "type": "pipe",
        "source": {"type": "conditional", "condition": "$ENV(node-env)", "alternatives": {
            "prod": {"type": "json", "system": system, "url": f"/entities/{type_name}", "supports_since": True,
                     "is_chronological": True, "if_source_empty": "accept"},
            # `sesam upload` posts testdata/<pipe>.json to this pipe's receiver (the layout `sesam convert` makes)
            "test": {"type": "http_endpoint"}}},
        "namespaces": {"identity": namespace, "property": namespace},
        "pump": {"schedule_interval": 300, "rescan_cron_expression": "0 3 * * ?"},
    }


def bookkeeping(system: str, type_name: str) -> Any:
    """What the sync last wrote into a record, kept by our receivers beside the record's own fields (WooCommerce:
    the `sesam` meta entry; the Custom Webshop: `metadata.sesam`, docs/custom-webshop-api.md §3.1)."""
    namespace = ns(system, type_name)
    if system == WOO:
        return ["first", ["map", f"_.{namespace}:value",
                          ["filter", ["eq", f"_.{namespace}:key", "sesam"], f"_S.{namespace}:meta_data"]]]
    return ["path", "sesam", f"_S.{namespace}:metadata"]


def fingerprint(prop: Property, value: Any) -> Any:
    """A short, stable digest of a common value (`prop.fingerprint` says which part of it counts)."""
    def substitute(template: Any) -> Any:
        if template == "value":
            return value
        return [substitute(item) for item in template] if isinstance(template, list) else template
    # `json` of a list serialises each item (dtl-functions-json.rst); wrapped in a dict, a list is one document.
    return ["string", ["hash128", "murmur3", ["json", ["dict", "v", substitute(prop.fingerprint)]]]]


def three_way(prop: Property) -> bool:
    """Both shops edit it and the sync remembers what it wrote: a side that kept what we wrote did not change it."""
    return prop.fingerprint is not None and not prop.home_owned and not prop.insert_only \
        and prop.woo_read is not None and prop.shop_read is not None


def _held_by_copies(system: str) -> list[Any]:
    """WooCommerce orders copied from the webshop move WooCommerce's stock (FACTS §6): what each line of such a copy
    holds (`_reduced_stock`) is listed by the record whose stock it took, so that record can count it out of
    WooCommerce's own movements: a variation that counts its own stock, else the line's product (a variation with
    `manage_stock: "parent"` takes from its parent, `stock-s32-…` … `stock-s34-…`)."""
    if system != WOO:
        return []
    p = "_S.woocommerce-order:"
    reduced = ["first", ["map", "_.woocommerce-order:value",
                         ["filter", ["eq", "_.woocommerce-order:key", "_reduced_stock"], "_.woocommerce-order:meta_data"]]]
    is_copy = ["eq", ["ni-ns", "_T.woocommerce-order:origin-ref"], ns(SHOP, "order")]
    # The join is on a path of the order itself, so a variation that starts or stops counting stock re-runs it.
    own_stock = ["hops", {"datasets": [f"{ns(WOO, 'variation')}-collect v"],
                          "where": [["eq", p + "line_items.woocommerce-order:variation_id", "v.woocommerce-variation:id"],
                                    ["eq", "v.woocommerce-variation:manage_stock", True]],
                          "return": "v.woocommerce-variation:id"}]
    holder = ["if", ["in", "_.woocommerce-order:variation_id", "_T.woocommerce-order:own-stock-variations"],
              ["ni", ns(WOO, "variation"), ["string", "_.woocommerce-order:variation_id"]],
              ["ni", ns(WOO, "product"), ["string", "_.woocommerce-order:product_id"]]]
    held = ["map", ["dict", "holder", holder, "quantity", ["integer", reduced]],
            ["filter", ["is-not-null", reduced], p + "line_items"]]
    return [["add", "woocommerce-order:own-stock-variations", own_stock],
            ["add", "woocommerce-order:held-by-copy", ["if", is_copy, held, ["list"]]],
            ["add", "woocommerce-order:holders", ["map", "_.holder", "_T.woocommerce-order:held-by-copy"]]]


def _stock(system: str, type_name: str) -> list[Any]:
    """A product's or variation's level, the contribution of the other shop the sync has applied to it, and
    (WooCommerce) what copies of webshop orders hold of it (README, "Stock")."""
    namespace = ns(system, type_name)
    p = f"_S.{namespace}:"
    level = ["if", ["eq", p + "manage_stock", True], p + "stock_quantity", None] if system == WOO else p + "stock_quantity"
    rules = [["add", "stock-level", level],
             ["add", "stock-applied", ["path", "stock_applied", bookkeeping(system, type_name)]]]
    if system == WOO:
        me = ["ni", namespace, ["string", p + "id"]]
        held = ["flatten", ["hops", {"datasets": ["woocommerce-order-enrich o"],
                                     "where": [["eq", me, "o.woocommerce-order:holders"]],
                                     "return": "o.woocommerce-order:held-by-copy"}]]
        rules.append(["add", "copies-held", ["sum", ["map", "_.quantity", ["filter", ["eq", "_.holder", me], held]]]])
    return rules


def _parent(system: str, type_name: str, modified: Any) -> list[Any]:
    """A WooCommerce variation's parent, as far as the variation depends on it: its SKU (shown by a variation that
    has none of its own) and whether it still lists the variation. A batch delete of a variation is permanent and
    leaves no trace (`variations-b04-…`, `-b06-…`), nor does a product turned simple (`variations-c07-…` …
    `-c11-…`), but both move the parent, whose `variations` then lacks it (`variations-b07-…`); a trashed parent
    takes its variations with it. The join is on the variation's own `parent_id`, so the parent's change re-runs
    it. A parent that lacks the variation says it is gone only when that view of the parent is newer than the view
    of the variation: the two are read by different streams, and a parent read before the variation was created (or
    in the same second) does not list it yet. A variation deleted in the second it last changed is therefore seen
    once its parent changes again, or by the next full read (Sesam's deletion tracking)."""
    if (system, type_name) != (WOO, "variation"):
        return []
    namespace = ns(system, type_name)
    parent = ["first", ["hops", {"datasets": [f"{ns(WOO, 'product')}-enrich p"],
                                 "where": [["eq", ["ni", ns(WOO, "product"), ["string", f"_S.{namespace}:parent_id"]],
                                            "p.woocommerce-product:self-ref"]],
                                 "return": ["dict", "sku", "p.woocommerce-product:sku",
                                            "variations", "p.woocommerce-product:variations",
                                            "modified", "p.woocommerce-product:modified",
                                            "deleted", "p.woocommerce-product:deleted"]}]]
    known = f"_T.{namespace}:parent"
    unlisted = ["and", ["not", ["in", f"_S.{namespace}:id", ["path", "variations", known]]],
                ["gt", ["path", "modified", known], modified]]
    return [["add", f"{namespace}:parent", parent],
            ["add", f"{namespace}:parent-sku", ["path", "sku", known]],
            ["add", f"{namespace}:orphaned", ["and", ["is-not-null", known],
                                             ["or", ["eq", ["path", "deleted", known], True], unlisted]]]]


def enrich(system: str, type_name: str) -> dict[str, Any]:
    namespace, entity_type = ns(system, type_name), ENTITY_TYPES[type_name]
    p = f"_S.{namespace}:"
    if system == WOO:
        modified: Any = ["concat", ["coalesce", ["list", p + "date_modified_gmt", p + "date_created_gmt"]], ".000000Z"]
        origin: Any = ["first", ["map", f"_.{namespace}:value",
                                 ["filter", ["eq", f"_.{namespace}:key", "sesam_origin"], p + "meta_data"]]]
    else:
        modified, origin = p + "updated_at", p + "origin"
    parent = _parent(system, type_name, modified)
    deleted: Any = ["eq", "_S._deleted", True]
    if parent:
        deleted = ["or", deleted, ["eq", f"_T.{namespace}:orphaned", True]]
    rules: list[Any] = [
        ["copy", "*"],
        ["add", "_deleted", False],  # kept as a live entity, so the link through the merge survives the delete
        *parent,
        ["add", f"{namespace}:deleted", deleted],
        ["add", "rdf:type", ["ni", f"{system}:{entity_type.title_in(system)}"]],
        ["add", f"{namespace}:self-ref", ["ni", namespace, ["string", p + "id"]]],
        ["add", f"{namespace}:origin-ref", ["if", blank(origin), None, ["ni", origin]]],
        ["add", f"{namespace}:modified", modified],
    ]
    if (system, type_name) == (WOO, "product"):
        rules.append(["add", f"{namespace}:variable", ["eq", p + "type", "variable"]])
    for rule in entity_type.merge_rules:
        value = _key_source(entity_type, system, rule.woo if system == WOO else rule.shop)
        normalise = "upper" if rule.key == "sku-key" else "lower"
        rules.append(["add", f"{namespace}:{rule.key}", ["if", blank(value), None, [normalise, ["strip", value]]]])
    book = bookkeeping(system, type_name)
    for prop in entity_type.properties:
        read = prop.woo_read if system == WOO else prop.shop_read
        if read is None:
            continue
        value = f"_T.{namespace}:g-{prop.common}"
        rules.append(["add", f"{namespace}:g-{prop.common}", read])
        if prop.fingerprint is not None:
            rules.append(["add", f"{namespace}:h-{prop.common}", fingerprint(prop, value)])
        if three_way(prop):
            base = ["path", ["list", "synced", prop.common], book]
            rules.append(["add", f"{namespace}:changed-{prop.common}",
                          ["or", ["is-null", base], ["neq", base, f"_T.{namespace}:h-{prop.common}"]]])
    if type_name == "order":
        rules += [qualify_name(rule, namespace) for rule in _held_by_copies(system)]
    if entity_type.stock:
        rules += [qualify_name(rule, namespace) for rule in _stock(system, type_name)]
    return {"_id": f"{namespace}-enrich", "type": "pipe",
            "source": {"type": "dataset", "dataset": f"{namespace}-collect"},
            "transform": {"type": "dtl", "rules": {"default": rules}}}


def _key_source(entity_type: EntityType, system: str, field: str) -> Any:
    """What a merge key normalises: the record's value of that property as the model reads it (a WooCommerce
    variation's own SKU, not its parent's), or the field as it is."""
    for prop in entity_type.properties:
        if (prop.woo if system == WOO else prop.shop) == field:
            return prop.woo_read if system == WOO else prop.shop_read
    return path(system, entity_type.name, field)


def qualify_name(rule: list[Any], namespace: str) -> list[Any]:
    """`["add", "name", …]` → `["add", "<namespace>:name", …]` (an enrich adds its properties in its namespace)."""
    name = rule[1]
    return [rule[0], name if ":" in name else f"{namespace}:{name}", *rule[2:]]


def merge(type_name: str) -> dict[str, Any]:
    w, c = ns(WOO, type_name), ns(SHOP, type_name)
    equality = [["eq", f"w.{w}:origin-ref", f"c.{c}:self-ref"], ["eq", f"w.{w}:self-ref", f"c.{c}:origin-ref"]]
    equality += [["eq", f"w.{w}:{rule.key}", f"c.{c}:{rule.key}"] for rule in ENTITY_TYPES[type_name].merge_rules]
    return {"_id": f"global-{type_name}", "type": "pipe",
            "source": {"type": "merge", "version": 2, "datasets": [f"{w}-enrich w", f"{c}-enrich c"],
                       "equality": equality, "identity": "first"},
            # marks the pipe that makes a global dataset (hub/documentation/data-management/data-management.rst)
            "metadata": {"global": True}}


def _translate(reference: Any, type_name: str, target: str) -> Any:
    """The id, in `target`, of the record `reference` (an NI of either system) is merged with; null if none."""
    return ["first", ["hops", {"datasets": [f"global-{type_name} g"], "where": [["eq", reference, "g.$ids"]],
                               "return": f"g.{ns(target, type_name)}:id"}]]


def _side_value(prop: Property, system: str, type_name: str, kind: str = "g") -> Any:
    reference = f"_S.{ns(system, type_name)}:{kind}-{prop.common}"
    return reference if prop.many and kind == "g" else ["first", reference]  # a merge of two records lists values


def _golden(prop: Property, target: str, type_name: str) -> Any:
    """The value both shops should hold (README, "Golden values"): for an order's contents and money, the shop it was
    placed in; otherwise the side that changed it since the sync last wrote it; when both did (or for references,
    which carry no fingerprint), the later change, WooCommerce on a tie; a side that derives the value itself
    (`derived_in`) decides it. An empty value never replaces a non-empty one where a side cannot hold it empty."""
    own, theirs = _side_value(prop, target, type_name), _side_value(prop, other(target), type_name)
    if (prop.woo_read if target == WOO else prop.shop_read) is None:
        return theirs
    if prop.home_owned:
        return ["if", "_T.other-is-home", theirs, own]
    later = ["if", "_T.other-newer", theirs, own]
    if three_way(prop):
        mine_changed, their_changed = (["eq", _side_value(prop, system, type_name, "changed"), True]
                                       for system in (target, other(target)))
        later = ["if", ["and", their_changed, ["not", mine_changed]], theirs,
                 ["if", ["and", mine_changed, ["not", their_changed]], own, later]]
    for system, condition in prop.derived_in.items():
        later = ["if", condition, _side_value(prop, system, type_name), later]
    if prop.keep_when_blank:
        later = ["if", blank(later), ["if", blank(theirs), own, theirs], later]
    if prop.spelled_by is not None:
        spelled = _side_value(prop, prop.spelled_by, type_name)
        later = ["if", ["eq", ["lower", own], ["lower", theirs]], spelled, later]
    return later


def _stock_rules(target: str, type_name: str) -> list[Any]:
    """Stock as two contributions that add up to the level (README, "Stock"): each shop's own movements, which the
    sync carries to the other exactly once. `contribution` = level − what the sync applied from the other shop
    (+ what WooCommerce copies of webshop orders hold, which that shop already counted). The instruction says: the
    other shop's contribution (`peer`), what the sync assumes it applied before (`applied`, for a record that has no
    bookkeeping yet) and, for a record that does not manage stock yet, the level to start from."""
    def side(system: str, field: str) -> Any:
        return ["first", f"_S.{ns(system, type_name)}:{field}"]
    level_w, level_c = side(WOO, "stock-level"), side(SHOP, "stock-level")
    applied_w, applied_c = side(WOO, "stock-applied"), side(SHOP, "stock-applied")
    held = ["coalesce", ["list", side(WOO, "copies-held"), 0]]
    # No bookkeeping yet: WooCommerce counts its whole level as its own; the webshop too, unless it is linked to a
    # WooCommerce product that manages stock and neither has been synced (then WooCommerce's level is the start).
    assumed_w = ["coalesce", ["list", applied_w, 0]]
    assumed_c = ["coalesce", ["list", applied_c,
                              ["if", ["and", ["is-null", applied_w], ["is-not-null", level_w]], level_c, 0]]]
    contribution_w = ["+", ["-", level_w, assumed_w], held]
    contribution_c = ["-", level_c, assumed_c]
    mine_level, other_level = (level_w, level_c) if target == WOO else (level_c, level_w)
    peer, assumed = ((["+", contribution_c, held], assumed_w) if target == WOO else (contribution_w, assumed_c))
    instruction = ["dict", "managed", True, "peer", peer, "applied", assumed]
    return [
        ["add", "sesam_stock",
         ["if", ["not", "_T.g-managed"], ["dict", "managed", False],
          ["if", ["is-null", other_level], ["dict", "managed", True],
           ["if", ["is-null", mine_level], [*instruction, "level", other_level], instruction]]]],
    ]


LINE_FIELDS = {WOO: {"sku": "_S.sku", "name": "_S.name", "quantity": "_S.quantity",
                     "subtotal": money(["*", ["decimal", "_S.unit_price"], "_S.quantity"]), "total": "_S.line_total"},
               SHOP: {"sku": "_S.sku", "name": "_S.name", "quantity": "_S.quantity", "unit_price": "_S.unit_price",
                      "line_total": "_S.line_total"}}
# A line's product and variation, as each system names them. WooCommerce says "no variation" with 0: its schema
# types `variation_id` as an integer.
LINE_REFERENCES = {WOO: (("product_id", "product", None), ("variation_id", "variation", 0)),
                   SHOP: (("product_id", "product", None), ("variant_id", "variation", None))}


def _line_lookup(type_name: str, target: str) -> Any:
    """The records of `type_name` the order's lines name, on both sides, found once: each one's `$ids` and its id in
    `target`. The join is on a path of the merged order, so a record gaining its target id re-runs the order."""
    return ["combine", *(["hops", {
        "datasets": [f"global-{type_name} g"],
        "where": [["eq", f"_S.{ns(system, 'order')}:g-lines.{type_name}", "g.$ids"]],
        "return": ["dict", "ids", "g.$ids", "id", ["first", f"g.{ns(target, type_name)}:id"]]}]
        for system in (other(target), target))]


def _reference_rules(entity_type: EntityType, target: str) -> tuple[list[Any], dict[str, list[Any]]]:
    """References translated into the target's ids, through the global datasets: `ref-<reference>` for each of the
    type's (an order's customer, a variation's product) and, for orders, each line's product and variation. Every
    lookup joins on a path from the source entity, so a node's dependency tracking follows it back
    (hub/features/dependency-tracking.rst, hub/dtl/caveats.rst): a record left out because what it refers to is not
    in the target yet is re-run when the global record gains the target's id. The lines' records are found once
    (`line-<type>s`); the rule `line` (where `_S` is one line) picks its own from the parent's target. `missing`
    lists what does not exist in the target yet, `missing-references` counts it."""
    mine = ns(target, entity_type.name)
    outer: list[Any] = []
    missing: list[Any] = []
    named: dict[str, list[Any]] = {}
    for name, type_name in entity_type.references.items():
        translated = ["coalesce", ["list", *(_translate(f"_S.{ns(system, entity_type.name)}:g-{name}", type_name,
                                                        target) for system in (other(target), target))]]
        outer.append(["add", f"ref-{name}", ["if", ["is-null", f"_T.g-{name}"], None, translated]])
        missing.append(["if", ["and", ["is-not-null", f"_T.g-{name}"], ["is-null", f"_T.ref-{name}"]],
                        ["list", f"_T.g-{name}"], ["list"]])
    if entity_type.name == "order":
        line_rule: list[Any] = []
        unresolved, wanted = [], []
        for field, type_name, none in LINE_REFERENCES[target]:
            outer.append(["add", f"line-{type_name}s", _line_lookup(type_name, target)])
            found = ["filter", ["in", f"_S.{type_name}", "_.ids"], f"_P._T.{mine}:line-{type_name}s"]
            line_rule.append(["add", field, ["if", ["is-null", f"_S.{type_name}"], none,
                                             ["coalesce", ["list", ["first", ["map", "_.id", found]], none]]]])
            gone = ["and", ["is-not-null", f"_S.{type_name}"], ["eq", f"_T.{field}", none]]
            unresolved.append(gone)
            wanted.append(["if", gone, ["list", f"_S.{type_name}"], ["list"]])
        line_rule += [*(["add", key, value] for key, value in LINE_FIELDS[target].items()),
                      ["add", "unresolved", ["or", *unresolved]], ["add", "wanted", ["flatten", ["list", *wanted]]]]
        named["line"] = line_rule
        fields = [field for field, _, _ in LINE_REFERENCES[target]] + list(LINE_FIELDS[target])
        outer += [
            ["add", "resolved-lines", ["apply", "line", ["coalesce", ["list", "_T.g-lines", ["list"]]]]],
            ["add", "ref-lines", ["map", ["dict", *(item for key in fields for item in (key, f"_.{mine}:{key}"))],
                                  "_T.resolved-lines"]],
        ]
        missing.append(["flatten", ["map", f"_.{mine}:wanted", "_T.resolved-lines"]])
    if missing:
        outer += [["add", "missing", ["flatten", ["list", *missing]]],
                  ["add", "missing-references", ["count", "_T.missing"]]]
    return outer, named


def _reference_fields(entity_type: EntityType, target: str) -> list[str]:
    """The fields that carry references into the target (an order's lines too): left out of an update whose
    references are missing, which keeps the ones it has."""
    return [field for prop in entity_type.properties if prop.common in entity_type.references or prop.common == "lines"
            for field in (prop.woo_write if target == WOO else prop.shop_write)]


def _waiting_rules(entity_type: EntityType, target: str) -> list[Any]:
    """A record waits for what it refers to: an insert is left out until it exists in the target, an update keeps
    the references it has. A variation cannot exist without its product, so it waits for as long as it takes. An
    order waits, but not for ever (README, "Orders that wait"): once its global record has not changed for
    `order-reference-wait-seconds`, an insert lands without what is still missing (a guest order, lines without a
    product link), and the receiver keeps the reason with it (`sesam_note`). `_S._ts` is when the global record last
    changed (entity-data-model.rst); the order transforms rescan hourly, so a waiting order is looked at again even
    when nothing about it changes."""
    missing = ["gt", ["coalesce", ["list", "_T.missing-references", 0]], 0]
    kept = ["if", missing, [["remove", field] for field in _reference_fields(entity_type, target)], []]
    if not entity_type.lands_without_references:
        return [["discard", ["not", ["and", ["is-null", "_T.my-id"], missing]]], kept]
    waited = ["datetime-diff", "second", ["now"], ["datetime", ["*", "_S._ts", 1000]]]
    note = ["concat", "created without what it refers to, after waiting ", ["string", "_T.waited"], " s for: ",
            ["join", ", ", ["map", ["string", "_."], "_T.missing"]]]
    # A guest: the webshop's customer_id is already null; WooCommerce's guests have none (customer_id 0).
    guest = [["if", ["is-null", "_T.ref-customer"], [["remove", "customer_id"]], []]] if target == WOO else []
    return [
        ["add", "waited", waited],
        ["add", "gave-up", ["and", ["is-null", "_T.my-id"], missing,
                            ["gte", "_T.waited", ["integer", "$ENV(order-reference-wait-seconds)"]]]],
        ["discard", ["not", ["and", ["is-null", "_T.my-id"], missing, ["not", "_T.gave-up"]]]],
        ["if", "_T.gave-up", [*guest, ["add", "sesam_note", note]], [kept]],
    ]


def qualify(expression: Any, namespace: str) -> Any:
    """`_T.name` → `_T.<namespace>:name`: with namespaced identifiers, what DTL adds carries the pipe's namespace."""
    if isinstance(expression, str) and expression.startswith("_T.") and ":" not in expression:
        return f"_T.{namespace}:{expression[3:]}"
    if isinstance(expression, list):
        return [qualify(item, namespace) for item in expression]
    if isinstance(expression, dict):
        return {key: qualify(value, namespace) for key, value in expression.items()}
    return expression


def _writes(flows: list[Property], target: str) -> list[Any]:
    """The target-shaped fields. Several properties may write one list field (an order's WooCommerce fee lines): their
    items are put together. An order's contents and money are written only into the copy, never into the shop it was
    placed in; insert-only properties only when the record is created; nothing a target derives itself."""
    by_field: dict[str, list[Any]] = {}
    guards: dict[str, Property] = {}
    for prop in flows:
        for field, expression in (prop.woo_write if target == WOO else prop.shop_write).items():
            by_field.setdefault(field, []).append(expression)
            guards[field] = prop
    rules: list[Any] = []
    for field, expressions in by_field.items():
        prop = guards[field]
        add = ["add", field, expressions[0] if len(expressions) == 1 else ["flatten", ["list", *expressions]]]
        if prop.insert_only:
            add = ["if", ["is-null", "_T.my-id"], [add], []]
        elif prop.home_owned:
            add = ["if", "_T.other-is-home", [add], []]
        if target in prop.derived_in:  # the target computes it, and would ignore (or refuse) a value written
            add = ["if", prop.derived_in[target], [], [add]]
        rules.append(add)
    return rules


def _bookkeeping_rules(flows: list[Property], target: str, type_name: str) -> list[Any]:
    """`sesam_differs`: the properties the target holds otherwise than the golden value, so a target that drifted is
    pushed again and corrected even when the golden value itself did not change; and `sesam_synced`: for each of
    those the sync writes, the fingerprint the receiver keeps with the record, the base of the next three-way
    choice. A side's fingerprint is brought up to date when the sync writes the value into it, or once the other
    side is *seen* to hold the same value (the value came from here): never earlier, so a view of the other side
    that is still behind (a record held back in its settle window) cannot make this side look unchanged and lose to
    that old view."""
    mine = ns(target, type_name)
    fingerprinted = [prop for prop in flows if prop.fingerprint is not None and not prop.insert_only
                     and (prop.woo_read if target == WOO else prop.shop_read) is not None]
    rules: list[Any] = [["add", f"fp-{prop.common}", fingerprint(prop, f"_T.g-{prop.common}")] for prop in fingerprinted]

    def differs(prop: Property) -> Any:
        different = ["neq", ["first", f"_S.{mine}:h-{prop.common}"], f"_T.fp-{prop.common}"]
        return ["and", "_T.other-is-home", different] if prop.home_owned else different
    rules.append(["add", "sesam_differs", ["filter", ["is-not-null", "_."],
                                           ["list", *(["if", differs(prop), prop.common, None]
                                                      for prop in fingerprinted)]]])
    theirs = ns(other(target), type_name)

    def remembered(prop: Property) -> Any:
        """Written now; or, once the other shop is seen to hold the golden value too, brought up to date here (the
        value came from this side, so its fingerprint still showed it as changed)."""
        golden = f"_T.fp-{prop.common}"
        caught_up = ["and", ["eq", ["first", f"_S.{mine}:h-{prop.common}"], golden],
                     ["eq", ["first", f"_S.{mine}:changed-{prop.common}"], True],
                     ["eq", ["first", f"_S.{theirs}:h-{prop.common}"], golden]]
        return ["if", ["or", ["in", prop.common, "_T.sesam_differs"], caught_up], golden, None]
    synced = [item for prop in fingerprinted if three_way(prop) for item in (prop.common, remembered(prop))]
    if synced:
        rules.append(["add", "sesam_synced", ["dict", *synced]])
    return rules


def transform(target: str, type_name: str) -> dict[str, Any]:
    entity_type = ENTITY_TYPES[type_name]
    mine, theirs = ns(target, type_name), ns(other(target), type_name)
    flows = [prop for prop in entity_type.properties
             if (prop.woo_write if target == WOO else prop.shop_write)
             and (prop.shop_read if target == WOO else prop.woo_read) is not None]
    reference_rules, named_rules = _reference_rules(entity_type, target)
    waiting_rules = _waiting_rules(entity_type, target) if entity_type.references else []
    helpers = ["my-id", "my-deleted", "other-id", "other-deleted", "my-time", "other-time", "other-newer",
               "other-is-home", *(rule[1] for rule in reference_rules + waiting_rules if rule[0] == "add"),
               *(f"g-{prop.common}" for prop in flows), *(f"fp-{prop.common}" for prop in flows)]
    update_or_insert: list[Any] = [*(["add", f"g-{prop.common}", _golden(prop, target, type_name)] for prop in flows),
                                   *reference_rules,
                                   *(_stock_rules(target, type_name) if entity_type.stock else []),
                                   *_writes(flows, target),
                                   *_bookkeeping_rules(flows, target, type_name)]
    update_or_insert += [
        *waiting_rules,
        ["if", ["is-not-null", "_T.my-id"], [["add", "id", "_T.my-id"]],
         [["add", "sesam_origin", ["concat", f"{theirs}:", ["string", "_T.other-id"]]]]],
    ]
    # Times compare to the whole second, as WooCommerce stamps them; on a tie WooCommerce's side is taken as the
    # later, in both directions, so both transforms pick the same value.
    later = "gt" if target == WOO else "gte"
    rules = [
        # `["discard", condition]` keeps the entity only while the condition holds (dtl-transforms.rst).
        ["discard", ["neq", "_S.$replaced", True]],
        ["add", "my-id", ["first", f"_S.{mine}:id"]],
        ["add", "my-deleted", ["eq", ["first", f"_S.{mine}:deleted"], True]],
        ["add", "other-id", ["first", f"_S.{theirs}:id"]],
        ["add", "other-deleted", ["eq", ["first", f"_S.{theirs}:deleted"], True]],
        *(["add", f"{who}-time", ["substring", 0, 19, ["coalesce", ["list", ["first", f"_S.{namespace}:modified"],
                                                                     ""]]]]
          for who, namespace in (("my", mine), ("other", theirs))),
        ["add", "other-newer", [later, "_T.other-time", "_T.my-time"]],
        # The shop an order was placed in: the other one when this record is a copy of it, or does not exist yet.
        ["add", "other-is-home", ["or", ["is-null", "_T.my-id"], ["is-not-null", ["first", f"_S.{mine}:origin-ref"]]]],
        # Nothing to do: no record on the other side, our own record is deleted, or a delete of what we never had.
        ["discard", ["not", ["or", ["is-null", "_T.other-id"], "_T.my-deleted",
                             ["and", ["is-null", "_T.my-id"], "_T.other-deleted"]]]],
        ["add", "_id", ["if", ["is-not-null", "_T.my-id"], ["concat", f"{mine}:", ["string", "_T.my-id"]],
                        ["concat", f"{theirs}:", ["string", "_T.other-id"]]]],
        ["if", "_T.other-deleted",
         [["add", "id", "_T.my-id"], *(["add", field, value] for field, value in
                                       entity_type.delete_locators.get(target, {}).items()),
          ["add", "_deleted", True], ["add", "delete-requested", True]],
         update_or_insert],
        *(["remove", helper] for helper in helpers),
    ]
    pipe = {"_id": f"{mine}-transform", "type": "pipe",
            "source": {"type": "dataset", "dataset": f"global-{type_name}"},
            "namespaces": {"identity": mine, "property": mine},
            "transform": {"type": "dtl", "rules": qualify({"default": rules, **named_rules}, mine)}}
    if entity_type.lands_without_references:  # orders waiting for what they refer to are looked at again hourly
        pipe["pump"] = {"rescan_cron_expression": "0 * * * ?"}
    return pipe


def share(system: str, type_name: str) -> dict[str, Any]:
    namespace = ns(system, type_name)
    return {
        "_id": f"{namespace}-share", "type": "pipe",
        "source": {"type": "dataset", "dataset": f"{namespace}-transform"},
        "transform": {"type": "dtl", "rules": {"default": [
            # Only deletes the transform asked for: deletion tracking after a rescan must never delete upstream.
            ["discard", ["or", ["neq", "_S._deleted", True], ["eq", f"_S.{namespace}:delete-requested", True]]],
            ["copy", "*"], ["remove", f"{namespace}:delete-requested"],
            # The json sink removes namespaces, `_id`'s too (hub/features/namespaces.rst): `<ns>:4` (an update) and
            # `<other ns>:4` (an insert) would both go out as "4". One more namespace in front keeps them apart.
            ["add", "_id", ["concat", f"{namespace}-share:", "_S._id"]]]}},
        "sink": {"type": "json", "system": system, "url": f"/receiver/{type_name}", "batch_size": 100},
        "pump": {"schedule_interval": 60, "max_consecutive_write_errors": 10,
                 "max_write_errors_in_retry_dataset": 1000, "dead_letter_dataset": f"{namespace}-share-dead-letters",
                 "track_dead_letters": True},
    }


def build() -> dict[str, Any]:
    """Every file of `sesam-config/`, by relative path."""
    files: dict[str, Any] = {
        "node-metadata.conf.json": {"_id": "node", "type": "metadata", "namespaced_identifiers": True},
        # Every $ENV the config uses, as `sesam upload` installs them; secrets are set on the node separately.
        "test-env.json": {"node-env": "test", "sync-image": "sync-service:latest",
                          "woocommerce-url": "https://woocommerce.example", "customwebshop-url":
                          "https://customwebshop.example", "order-reference-wait-seconds": ORDER_WAIT_SECONDS},
    }
    for system in SYSTEMS:
        files[f"systems/{system}.conf.json"] = system_config(system)
    for type_name in TYPES:
        files[f"pipes/global-{type_name}.conf.json"] = merge(type_name)
        for system in SYSTEMS:
            base = f"pipes/{ns(system, type_name)}"
            files[f"{base}-collect.conf.json"] = collect(system, type_name)
            files[f"testdata/{ns(system, type_name)}-collect.json"] = collect_entities()[f"{ns(system, type_name)}-collect"]
            files[f"{base}-enrich.conf.json"] = enrich(system, type_name)
            files[f"{base}-transform.conf.json"] = transform(system, type_name)
            files[f"{base}-share.conf.json"] = share(system, type_name)
            # `sesam verify` compares only pipes a spec names; expected/<pipe>.json is written by running the pipes
            files[f"expected/{ns(system, type_name)}-share.test.json"] = {}
    return files


def render(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def config_files() -> dict[Path, str]:
    """Every file of `sesam-config/`, by path relative to the repository root, as the model generates it."""
    return {Path("sesam-config") / relative: render(document) for relative, document in build().items()}
