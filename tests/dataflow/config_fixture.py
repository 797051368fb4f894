"""A small sesam-config folder that follows the dataflow's conventions: products from WooCommerce to the Custom
Webshop through every step (collect, enrich, global merge, transform with a hops lookup, share). Tests break one
thing in it at a time."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def conditional(prod: dict[str, Any]) -> dict[str, Any]:
    return {"type": "conditional", "condition": "$ENV(node-env)",
            "alternatives": {"prod": prod, "test": {"type": "embedded", "entities": []}}}


def fixture_pipes() -> dict[str, dict[str, Any]]:
    pipes = [
        {"_id": "woocommerce-product-collect", "type": "pipe",
         "source": conditional({"type": "json", "system": "woocommerce", "url": "/entities/product"})},
        {"_id": "customwebshop-product-collect", "type": "pipe",
         "source": conditional({"type": "json", "system": "customwebshop", "url": "/entities/product"})},
        {"_id": "woocommerce-product-enrich", "type": "pipe",
         "source": {"type": "dataset", "dataset": "woocommerce-product-collect"},
         "transform": {"type": "dtl", "rules": {"default": [["copy", "*"],
                                                            ["add", "sku-key", ["upper", ["strip", "_S.sku"]]]]}}},
        {"_id": "customwebshop-product-enrich", "type": "pipe",
         "source": {"type": "dataset", "dataset": "customwebshop-product-collect"},
         "transform": {"type": "dtl", "rules": {"default": [["copy", "*"]]}}},
        {"_id": "global-product", "type": "pipe",
         "source": {"type": "merge", "version": 2,
                    "datasets": ["woocommerce-product-enrich w", "customwebshop-product-enrich c"],
                    "equality_sets": [["w.sku-key", "c.sku-key"]]}},
        {"_id": "customwebshop-product-transform", "type": "pipe",
         "source": {"type": "dataset", "dataset": "global-product"},
         "transform": {"type": "dtl", "rules": {"default": [
             ["add", "shop-id", ["first", ["hops", {"datasets": ["customwebshop-product-enrich ce"],
                                                    "where": [["eq", "_S.sku-key", "ce.sku-key"]],
                                                    "return": "ce._id"}]]]]}}},
        {"_id": "customwebshop-product-share", "type": "pipe",
         "source": {"type": "dataset", "dataset": "customwebshop-product-transform"},
         "sink": {"type": "json", "system": "customwebshop", "url": "/receiver/product"}},
    ]
    return {pipe["_id"]: pipe for pipe in pipes}


def fixture_systems() -> dict[str, dict[str, Any]]:
    return {name: {"_id": name, "type": "system:microservice",
                   "docker": {"image": f"example/{name}:1", "port": 5000}}
            for name in ("woocommerce", "customwebshop")}


def write_config(folder: Path, pipes: dict[str, dict[str, Any]], systems: dict[str, dict[str, Any]]) -> Path:
    for sub, objects in (("pipes", pipes), ("systems", systems)):
        (folder / sub).mkdir(parents=True, exist_ok=True)
        for object_id, obj in objects.items():
            (folder / sub / f"{object_id}.conf.json").write_text(json.dumps(obj, indent=2), encoding="utf-8")
    (folder / "node-metadata.conf.json").write_text(
        json.dumps({"_id": "node", "type": "metadata", "namespaced_identifiers": True}), encoding="utf-8")
    (folder / "test-env.json").write_text(json.dumps({"node-env": "test"}), encoding="utf-8")
    return folder
