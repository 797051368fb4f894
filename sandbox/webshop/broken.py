"""Deliberate contract violations, each a mistake real shops make, switched on by name for the checker's tests.

    create_app(..., broken={"offset_cursor"})          python -m sandbox.webshop --broken offset_cursor
"""
from __future__ import annotations

from collections.abc import Iterable

BREAKAGES: dict[str, str] = {
    "offset_cursor": "the cursor is a row offset, so a record updated during a scan shifts the pages and one is "
                     "skipped",
    "timestamp_cursor": "the cursor keeps only updated_at, so records sharing it across a page boundary are skipped",
    "second_stamps": "updated_at is the clock time cut to whole seconds (MySQL DATETIME), not above every stamp "
                     "already issued, so writes within one second tie and a record updated behind a cursor is skipped",
    "early_stamps": "updated_at is taken when a write's request arrives, not when it becomes visible, so a slow write "
                    "commits behind a reader who has already moved past its stamp",
    "unstable_order": "listings are ordered by id, not (updated_at, id), so an updated record never moves to the end",
    "inclusive_updated_after": "updated_after is compared with >=, so the last record seen is sent again",
    "no_tombstones": "include_deleted is ignored: deletes vanish and can never be synced",
    "ignores_if_match": "If-Match is not checked, so a stale write overwrites a newer one",
    "bumps_unchanged": "a write equal to the stored record still bumps version and updated_at",
    "wrong_error_shape": "errors are 400 with a bare message instead of the contract's codes and fields",
    "origin_not_unique": "a second live record may take an origin already used, so a client's retried create "
                         "duplicates the record instead of answering 409",
    "variant_skus_apart": "a variant's SKU is checked against other variants only, so a variant and a product can "
                          "share one and the sync links the wrong records",
    "variants_move": "a variant's product_id can be changed, so a size moves to another product behind the sync",
    "variant_sales_from_product": "an order line of a variant takes the product's stock, not the variant's",
    "orphan_variants": "deleting a product leaves its variants live, sellable sizes of a product that is gone",
    # Made by sandbox.webshop.broken_proxy, in front of the shop:
    "short_scans": "next_cursor is null on the third page of every scan, so a full read stops short with 200",
    "drops_from_big_pages": "pages of 100 items or more (the default limit included) lose their middle item",
    "drops_from_full_listings": "listings without updated_after lose the middle item of every page",
    "id_ordered_full_listings": "listings without updated_after are ordered by id, so a changed record never moves "
                                "to the end and a full read breaks midway",
    "listing_omits_nested": "listing items lack billing, shipping, lines and categories (GET by id has them)",
    "listing_omits_origin": "live listing items lack origin, so records cannot be linked",
    "origin_prefix_match": "?origin= matches every origin that starts with the value, so origin=1 finds 12",
    "tombstones_without_origin": "tombstones lack origin, so a client cannot find the copy to delete",
    "tombstones_expire": "tombstones vanish from listings half a second after the delete",
    "deleted_values_taken": "the e-mail, SKU or order number and the origin of a deleted record stay taken (409)",
    "auth_only_on_listing": "only GET /{resource} checks the token; every other path and method is open",
    "echoes_credentials": "error messages quote the request's Authorization header",
    "drops_unknown_properties": "unknown properties (a misspelt field, at any depth) are dropped instead of a 422",
    "recomputes_totals": "an order's grand_total is recalculated from its lines, not kept as sent",
    "trickles": "answers to GET by id trickle out one byte every 3 seconds",
    "drops_metadata": "metadata sent with a write is not stored, so a sync loses its bookkeeping",
    "metadata_apart": "a PATCH's fields and its metadata are written one after the other, as two changes",
    "copies_move_stock": "an order created with an origin (a copy) takes stock too, so a sale is counted twice",
    "checkouts_keep_stock": "an order created without an origin (a checkout) takes no stock",
}


def parse_breakages(names: Iterable[str]) -> frozenset[str]:
    chosen = frozenset(names)
    unknown = chosen - set(BREAKAGES)
    if unknown:
        raise ValueError(f"unknown breakages {sorted(unknown)}; known: {sorted(BREAKAGES)}")
    return chosen
