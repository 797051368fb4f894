"""WooCommerce's `/receiver/variation`: variations are written through their parent product, per parent.

Each pushed variation names its parent (`parent_id`, from the transform; a delete too). Per parent:
1. Read the parent. WooCommerce keeps a variation's attribute only when its parent varies by it, and a variable
   product offers only the options its attributes list (`prepare_object_for_database`, plugins/woocommerce/
   includes/rest-api/Controllers/Version3/class-wc-rest-product-variations-controller.php): a parent that is not
   variable yet, or lacks an attribute or option the variations name, is given them first (one PUT), keeping what it
   has. A simple product turned variable loses its own prices (`variations-c02-put-type-variable.json`); its price
   is then its variations' lowest.
2. Write the variations as every resource is written (woocommerce_writes.py), against
   `/products/{id}/variations`: one read of the current ones, only what differs, one `…/variations/batch`, creates
   made idempotent by the SKU space WooCommerce shares between products and variations (a SKU already held answers
   with its owner, adopted when it is a variation of this parent). Deletes are for good, as WooCommerce's own
   variations screen deletes them: a trashed variation would keep its SKU.
3. A parent whose last variation the sync just deleted becomes a simple product again (its variations were the
   webshop's variants, and the webshop's product has none left); it gets its price back from the product's sync.
"""
from __future__ import annotations

from typing import Any

from service.clients.woocommerce import WooCommerceClient
from service.connectors.woocommerce_writes import GONE, WooCommerceWriter
from service.connectors.writes import WriteResult
from service.errors import UpstreamError, UpstreamUnavailable

PARENT = "parent_id"


class VariationWriter:
    def __init__(self, client: WooCommerceClient, writer: WooCommerceWriter) -> None:
        self.client = client
        self.writer = writer

    def write_batch(self, entities: list[dict[str, Any]]) -> WriteResult:
        result = WriteResult()
        by_parent: dict[int, list[dict[str, Any]]] = {}
        for entity in entities:
            parent = entity.get(PARENT)
            if entity.get("$replaced") is True or (entity.get("_deleted") is True and entity.get("id") is None):
                result.count("skipped")
            elif not isinstance(parent, int) or isinstance(parent, bool):
                result.fail(entity["_id"], "a variation needs its parent product's id (parent_id)", False)
            else:
                by_parent.setdefault(parent, []).append({k: v for k, v in entity.items() if k != PARENT})
        for parent_id, group in by_parent.items():
            try:
                self._write_parent(parent_id, group, result)
            except UpstreamError as error:
                for entity in group:
                    result.fail(entity["_id"], error.message, isinstance(error, UpstreamUnavailable))
        return result

    def _write_parent(self, parent_id: int, group: list[dict[str, Any]], result: WriteResult) -> None:
        try:
            parent = self.client.call("GET", f"/products/{parent_id}")
        except UpstreamError as error:
            if error.upstream_status not in GONE:
                raise
            for entity in group:  # deleted for good with its variations, or never there
                if entity.get("_deleted") is True:
                    result.count("deleted")
                else:
                    result.fail(entity["_id"], f"product {parent_id} does not exist in WooCommerce", False)
            return
        self._prepare(parent, group)
        written = self.writer.write_batch(f"products/{parent_id}/variations", group)
        result.counts.update(written.counts)
        result.failures.extend(written.failures)
        if any(entity.get("_deleted") is True for entity in group):
            self._simple_again(parent_id)

    def _prepare(self, parent: dict[str, Any], group: list[dict[str, Any]]) -> None:
        """Make the parent variable with every attribute and option the pushed variations name."""
        attributes = [dict(attribute) for attribute in parent.get("attributes") or []]
        changed = parent.get("type") != "variable"
        for entity in (e for e in group if e.get("_deleted") is not True):
            for wanted in entity.get("attributes") or []:
                name, option = str(wanted.get("name", "")), str(wanted.get("option", ""))
                own = next((a for a in attributes if _same_name(a.get("name"), name)), None)
                if own is None:
                    attributes.append({"name": name, "options": [option], "variation": True, "visible": True})
                    changed = True
                elif not own.get("variation") or option not in own.get("options", []):
                    own.update(variation=True, options=[*own.get("options", []),
                                                        *([] if option in own.get("options", []) else [option])])
                    changed = True
        if changed:
            self.client.call("PUT", f"/products/{parent['id']}", json={
                "type": "variable", "attributes": [{key: a[key] for key in ("id", "name", "position", "visible",
                                                                            "variation", "options") if key in a}
                                                   for a in attributes]})

    def _simple_again(self, parent_id: int) -> None:
        parent = self.client.call("GET", f"/products/{parent_id}")
        if parent.get("type") == "variable" and not parent.get("variations"):
            self.client.call("PUT", f"/products/{parent_id}", json={"type": "simple"})


def _same_name(have: Any, want: str) -> bool:
    """Attribute names match as WooCommerce matches them, by their sanitized (lower-case) form."""
    return str(have or "").strip().casefold() == want.strip().casefold()
