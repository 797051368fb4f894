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
from dataflow.model import ENTITY_TYPES, SHOP, SYSTEMS, TYPES, WOO, EntityType, Property, blank, ns, path

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


def enrich(system: str, type_name: str) -> dict[str, Any]:
    namespace, entity_type = ns(system, type_name), ENTITY_TYPES[type_name]
    p = f"_S.{namespace}:"
    if system == WOO:
        modified: Any = ["concat", ["coalesce", ["list", p + "date_modified_gmt", p + "date_created_gmt"]], ".000000Z"]
        origin: Any = ["first", ["map", f"_.{namespace}:value",
                                 ["filter", ["eq", f"_.{namespace}:key", "sesam_origin"], p + "meta_data"]]]
    else:
        modified, origin = p + "updated_at", p + "origin"
    rules: list[Any] = [
        ["copy", "*"],
        ["add", "_deleted", False],  # kept as a live entity, so the link through the merge survives the delete
        ["add", f"{namespace}:deleted", ["eq", "_S._deleted", True]],
        ["add", "rdf:type", ["ni", f"{system}:{entity_type.title}"]],
        ["add", f"{namespace}:self-ref", ["ni", namespace, ["string", p + "id"]]],
        ["add", f"{namespace}:origin-ref", ["if", blank(origin), None, ["ni", origin]]],
        ["add", f"{namespace}:modified", modified],
    ]
    for rule in entity_type.merge_rules:
        field = rule.woo if system == WOO else rule.shop
        normalise = "upper" if rule.key == "sku-key" else "lower"
        rules.append(["add", f"{namespace}:{rule.key}",
                      ["if", blank(p + field), None, [normalise, ["strip", p + field]]]])
    for prop in entity_type.properties:
        read = prop.woo_read if system == WOO else prop.shop_read
        if read is not None:
            rules.append(["add", f"{namespace}:g-{prop.common}", read])
    return {"_id": f"{namespace}-enrich", "type": "pipe",
            "source": {"type": "dataset", "dataset": f"{namespace}-collect"},
            "transform": {"type": "dtl", "rules": {"default": rules}}}


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


def _golden(prop: Property, target: str, type_name: str) -> Any:
    """The newest side's value, unless it is empty and the other side's is not."""
    def value(system: str) -> Any:
        reference = f"_S.{ns(system, type_name)}:g-{prop.common}"
        return reference if prop.many else ["first", reference]  # a merge of two records lists their values
    own, theirs = value(target), value(other(target))
    if (prop.woo_read if target == WOO else prop.shop_read) is None:
        return theirs
    return ["if", ["and", "_T.other-newer", ["not", blank(theirs)]], theirs,
            ["if", ["not", blank(own)], own, theirs]]


LINE_FIELDS = {WOO: {"name": "_S.name", "quantity": "_S.quantity", "subtotal": "_S.line_total",
                     "total": "_S.line_total"},
               SHOP: {"sku": "_S.sku", "name": "_S.name", "quantity": "_S.quantity", "unit_price": "_S.unit_price",
                      "line_total": "_S.line_total"}}


def _reference_rules(entity_type: EntityType, target: str) -> tuple[list[Any], dict[str, list[Any]]]:
    """Orders: the customer and each line's product translated into the target's ids, through the global
    datasets. Every lookup joins on a path from the source entity, so a node's dependency tracking follows it back
    (hub/features/dependency-tracking.rst, hub/dtl/caveats.rst): an order left out because its customer or a
    product is not in the target yet is re-run when the global record gains the target's id. The products of both
    sides' lines are found once (`line-products`: each found product's `$ids` and target id); the rule `line`
    (where `_S` is one line) picks its own from the parent's target. `missing-references` counts references that
    do not exist in the target yet."""
    if entity_type.name != "order":
        return [], {}
    mine = ns(target, "order")
    line_products = ["combine", *(["hops", {
        "datasets": ["global-product g"], "where": [["eq", f"_S.{ns(system, 'order')}:g-lines.product", "g.$ids"]],
        "return": ["dict", "ids", "g.$ids", "id", ["first", f"g.{ns(target, 'product')}:id"]]}]
        for system in (other(target), target))]
    found = ["filter", ["in", "_S.product", "_.ids"], f"_P._T.{mine}:line-products"]
    line_rule = [["add", "product_id", ["if", ["is-null", "_S.product"], None, ["first", ["map", "_.id", found]]]],
                 *(["add", key, value] for key, value in LINE_FIELDS[target].items()),
                 ["add", "unresolved", ["and", ["is-not-null", "_S.product"], ["is-null", "_T.product_id"]]]]
    fields = ["product_id", *LINE_FIELDS[target]]
    customer = ["coalesce", ["list", *(_translate(f"_S.{ns(system, 'order')}:g-customer", "customer", target)
                                       for system in (other(target), target))]]
    outer = [
        ["add", "line-products", line_products],
        ["add", "resolved-lines", ["apply", "line", ["coalesce", ["list", "_T.g-lines", ["list"]]]]],
        ["add", "ref-lines", ["map", ["dict", *(item for key in fields for item in (key, f"_.{mine}:{key}"))],
                              "_T.resolved-lines"]],
        ["add", "ref-customer", ["if", ["is-null", "_T.g-customer"], None, customer]],
        ["add", "missing-references", ["plus", ["count", ["filter", f"_.{mine}:unresolved", "_T.resolved-lines"]],
                                       ["if", ["and", ["is-not-null", "_T.g-customer"],
                                               ["is-null", "_T.ref-customer"]], 1, 0]]],
    ]
    return outer, {"line": line_rule}


def qualify(expression: Any, namespace: str) -> Any:
    """`_T.name` → `_T.<namespace>:name`: with namespaced identifiers, what DTL adds carries the pipe's namespace."""
    if isinstance(expression, str) and expression.startswith("_T.") and ":" not in expression:
        return f"_T.{namespace}:{expression[3:]}"
    if isinstance(expression, list):
        return [qualify(item, namespace) for item in expression]
    if isinstance(expression, dict):
        return {key: qualify(value, namespace) for key, value in expression.items()}
    return expression


def transform(target: str, type_name: str) -> dict[str, Any]:
    entity_type = ENTITY_TYPES[type_name]
    mine, theirs = ns(target, type_name), ns(other(target), type_name)
    flows = [prop for prop in entity_type.properties
             if (prop.woo_write if target == WOO else prop.shop_write)
             and (prop.shop_read if target == WOO else prop.woo_read) is not None]
    helpers = ["my-id", "my-deleted", "other-id", "other-deleted", "other-newer", "missing-references",
               "line-products", "resolved-lines", "ref-customer", "ref-lines", *(f"g-{prop.common}" for prop in flows)]
    reference_rules, named_rules = _reference_rules(entity_type, target)
    update_or_insert: list[Any] = [*(["add", f"g-{prop.common}", _golden(prop, target, type_name)] for prop in flows),
                                   *reference_rules]
    for prop in flows:
        for field, expression in (prop.woo_write if target == WOO else prop.shop_write).items():
            add = ["add", field, expression]
            # Set once, when the record is created in the target (an order's number, when it was placed).
            update_or_insert.append(["if", ["is-null", "_T.my-id"], [add], []] if prop.insert_only else add)
    update_or_insert += [
        # An insert waits until what it refers to exists in the target; an update keeps its current references.
        ["discard", ["not", ["and", ["is-null", "_T.my-id"],
                             ["gt", ["coalesce", ["list", "_T.missing-references", 0]], 0]]]],
        ["if", ["gt", ["coalesce", ["list", "_T.missing-references", 0]], 0],
         [["remove", "customer_id"], ["remove", "line_items"], ["remove", "lines"]], []],
        ["if", ["is-not-null", "_T.my-id"], [["add", "id", "_T.my-id"]],
         [["add", "sesam_origin", ["concat", f"{theirs}:", ["string", "_T.other-id"]]]]],
    ]
    rules = [
        # `["discard", condition]` keeps the entity only while the condition holds (dtl-transforms.rst).
        ["discard", ["neq", "_S.$replaced", True]],
        ["add", "my-id", ["first", f"_S.{mine}:id"]],
        ["add", "my-deleted", ["eq", ["first", f"_S.{mine}:deleted"], True]],
        ["add", "other-id", ["first", f"_S.{theirs}:id"]],
        ["add", "other-deleted", ["eq", ["first", f"_S.{theirs}:deleted"], True]],
        ["add", "other-newer", ["gt", ["coalesce", ["list", ["first", f"_S.{theirs}:modified"], ""]],
                                ["coalesce", ["list", ["first", f"_S.{mine}:modified"], ""]]]],
        # Nothing to do: no record on the other side, our own record is deleted, or a delete of what we never had.
        ["discard", ["not", ["or", ["is-null", "_T.other-id"], "_T.my-deleted",
                             ["and", ["is-null", "_T.my-id"], "_T.other-deleted"]]]],
        ["add", "_id", ["if", ["is-not-null", "_T.my-id"], ["concat", f"{mine}:", ["string", "_T.my-id"]],
                        ["concat", f"{theirs}:", ["string", "_T.other-id"]]]],
        ["if", "_T.other-deleted",
         [["add", "id", "_T.my-id"], ["add", "_deleted", True], ["add", "delete-requested", True]],
         update_or_insert],
        *(["remove", helper] for helper in helpers),
    ]
    return {"_id": f"{mine}-transform", "type": "pipe",
            "source": {"type": "dataset", "dataset": f"global-{type_name}"},
            "namespaces": {"identity": mine, "property": mine},
            "transform": {"type": "dtl", "rules": qualify({"default": rules, **named_rules}, mine)}}


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
                          "https://customwebshop.example"},
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
