"""The table's indexes and cache answer exactly what a scan of every row would, through writes and deletes."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.woocommerce.table import Selection, Table, Window

SECONDS = [f"2026-01-01T00:00:{s:02d}" for s in range(8)]
seconds = st.sampled_from(SECONDS)
rows = st.lists(st.tuples(seconds, seconds, st.sampled_from(["pending", "completed", "trash"])), max_size=40)
# Often no window, so the index-only path (one window, on the ordering column) is exercised as much as the scan.
windows = st.just(Window()) | st.builds(Window, st.none() | seconds, st.none() | seconds)
statuses = st.sampled_from(["any", "trash", "completed"])


def _brute(table_rows, selection: Selection, status: str) -> list[int]:
    def keep(row):
        wanted = row["status"] != "trash" if status == "any" else row["status"] == status
        return wanted and selection.modified.admits(row["date_modified_gmt"]) and selection.created.admits(
            row["date_created_gmt"])

    column = {"id": None, "modified": "date_modified_gmt", "date": "date_created_gmt"}[selection.orderby]
    ordered = sorted((r for r in table_rows if keep(r)), key=lambda r: (r[column] if column else 0, r["id"]))
    ids = [r["id"] for r in ordered]
    return ids[::-1] if selection.descending else ids


@settings(max_examples=300, deadline=None)
@given(rows, st.sampled_from(["id", "modified", "date"]), st.booleans(), windows, windows, statuses,
       st.integers(0, 12), st.integers(1, 7), st.lists(st.integers(0, 39), max_size=6))
def test_select_matches_a_scan(initial, orderby, descending, modified, created, status, offset, count, edits):
    table = Table()
    for row_id, (mod, made, state) in enumerate(initial):
        table.save({"id": row_id, "date_modified_gmt": mod, "date_created_gmt": made, "status": state})
    selection = Selection(orderby, descending, modified, created, None, (("status", status),))
    column = {"id": "id", "modified": "date_modified_gmt", "date": "date_created_gmt"}[orderby]

    def check() -> None:
        found = table.select(selection, lambda row: status == "any" and row["status"] != "trash"
                             or row["status"] == status, lambda row: row[column])
        expected = _brute(table.rows.values(), selection, status)
        assert len(found) == len(expected)
        assert found.page(offset, count) == expected[offset:offset + count]

    check()
    for row_id in edits:  # writes move rows between positions and partitions; deletes drop them
        if row_id in table.rows:
            row = dict(table.rows[row_id])
            if row_id % 3 == 0:
                table.delete(row_id)
            else:
                row["status"] = "trash" if row["status"] != "trash" else "pending"
                row["date_modified_gmt"] = SECONDS[-1]
                table.save(row)
        check()
