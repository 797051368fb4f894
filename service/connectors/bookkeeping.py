"""What the sync keeps in each shop beside a record's own fields, and the stock instruction (README, "Golden values"
and "Stock").

The transforms push three fields besides the record's own (dataflow/pipes.py):
- `sesam_synced`: a fingerprint of each value this push writes (null for the others). Kept with the record (WooCommerce: the `sesam` meta entry;
  the Custom Webshop: `metadata.sesam`), it tells the next run whether a value still is what the sync wrote (the
  shop did not change it) or was edited since, even when the shop's own modification time says nothing useful.
- `sesam_stock`: the other shop's contribution to the stock level. The receiver moves the level by what changed in
  that contribution since it last applied it, and keeps what it applied with the record, in the same write: a replay
  moves nothing, and a sale made in the shop meanwhile is kept.
- `sesam_note`: why a record was created as it was (an order that stopped waiting for its customer or a product),
  kept with it for the operator.
- `sesam_differs`: which properties the target holds otherwise than the golden value. Only the pipes use it (a
  target that drifts changes the pushed entity, so it is pushed again and corrected); it never reaches a shop.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

BOOK_KEY = "sesam"
SYNC_FIELDS = frozenset({"sesam_synced", "sesam_stock", "sesam_differs", "sesam_note", "sesam_managed"})


@dataclass(frozen=True)
class Stock:
    """A product's stock as a shop holds it: `level` None when not managed."""

    level: int | None
    applied: int | None  # the other shop's contribution last applied here, from the bookkeeping


def book_of(current: dict[str, Any] | None) -> dict[str, Any]:
    return dict(current) if isinstance(current, dict) else {}


def new_book(entity: dict[str, Any], current: dict[str, Any] | None, stock: Stock | None) -> dict[str, Any]:
    """The bookkeeping to keep after this write: the pushed fingerprints, and the contribution applied by `stock`."""
    book = book_of(current)
    note = entity.get("sesam_note")
    if isinstance(note, str):  # why the record was created as it was (an order that stopped waiting)
        book["note"] = note
    synced = entity.get("sesam_synced")
    if isinstance(synced, dict):  # fingerprints of what this push writes; the others stay as they were
        written = {key: value for key, value in synced.items() if value is not None}
        if written:
            book["synced"] = {**book_of(book.get("synced")), **written}
    if stock is not None:
        if stock.applied is None:
            book.pop("stock_applied", None)
        else:
            book["stock_applied"] = stock.applied
    return book


def stock_after(entity: dict[str, Any], current: Stock | None) -> Stock | None:
    """The stock to write for a pushed product (None: leave it alone). `current` is None for a create.

    Managed on both sides: the level moves by the change in the other shop's contribution since it was last applied
    here (what the bookkeeping says, else what the pipes assumed). A product that does not manage stock yet starts at
    the other shop's level. `managed: false` turns management off and forgets what was applied."""
    instruction = entity.get("sesam_stock")
    if not isinstance(instruction, dict):
        return None
    if instruction.get("managed") is False:
        return Stock(None, None)
    peer = instruction.get("peer")
    if not isinstance(peer, int) or isinstance(peer, bool):
        return None  # the other shop does not manage stock: nothing flows
    if current is None or current.level is None:
        start = instruction.get("level")
        return Stock(start if isinstance(start, int) and not isinstance(start, bool) else peer, peer)
    assumed = instruction.get("applied")
    applied = current.applied if current.applied is not None else (assumed if isinstance(assumed, int) else 0)
    return Stock(current.level + (peer - applied), peer)


def without_sync_fields(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if key not in SYNC_FIELDS}
