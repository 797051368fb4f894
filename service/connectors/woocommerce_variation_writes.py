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

import dataclasses
from typing import Any

from service.clients.woocommerce import WooCommerceClient
from service.connectors.woocommerce_writes import GONE, WooCommerceWriter
from service.connectors.writes import WriteResult
from service.errors import UpstreamError
from service.sesam.batch import PushedEntity
from service.sesam.shapes import record_id

PARENT = "parent_id"


class VariationWriter:
    def __init__(self, client: WooCommerceClient, writer: WooCommerceWriter) -> None:
        self.client = client
        self.writer = writer

    def write_batch(self, entities: list[PushedEntity]) -> WriteResult:
        result = WriteResult()
        by_parent: dict[int, list[PushedEntity]] = {}
        for entity in entities:
            parent = entity.fields.get(PARENT)
            if entity.replaced or (entity.deleted and entity.target_id is None):
                result.count("skipped")
            elif parent is None or list(record_id(parent, PARENT)):
                result.fail(entity, "a variation needs its parent product's id", False,
                            {PARENT: "must be the parent product's id: WooCommerce writes a variation through it"})
            else:
                fields = {k: v for k, v in entity.fields.items() if k != PARENT}
                by_parent.setdefault(int(parent), []).append(dataclasses.replace(entity, fields=fields))
        for parent_id, group in by_parent.items():
            try:
                self._write_parent(parent_id, group, result)
            except UpstreamError as error:
                for entity in group:
                    result.fail_upstream(entity, error)
        return result

    def _write_parent(self, parent_id: int, group: list[PushedEntity], result: WriteResult) -> None:
        try:
            parent = self.client.call("GET", f"/products/{parent_id}")
        except UpstreamError as error:
            if error.upstream_status not in GONE:
                raise
            for entity in group:  # deleted for good with its variations, or never there
                if entity.deleted:
                    result.count("deleted")
                elif entity.target_id is not None:
                    result.record(entity, "gone")  # an edit of a variation deleted with its parent: the delete wins
                else:
                    result.fail(entity, f"product {parent_id} does not exist in WooCommerce", False,
                                {PARENT: "no such product in WooCommerce"})
            return
        self._prepare(parent, group)
        result.include(self.writer.write_batch(f"products/{parent_id}/variations", group))
        if any(entity.deleted for entity in group):
            self._simple_again(parent_id)

    def _prepare(self, parent: dict[str, Any], group: list[PushedEntity]) -> None:
        """Make the parent variable with every attribute and option the pushed variations name."""
        attributes = [dict(attribute) for attribute in parent.get("attributes") or []]
        changed = parent.get("type") != "variable"
        for entity in (e for e in group if not e.deleted):
            for wanted in entity.fields.get("attributes") or []:
                name, option = str(wanted["name"]), str(wanted["option"])
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
