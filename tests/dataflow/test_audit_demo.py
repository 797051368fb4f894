"""`make demo` ends with the agreement audit: the refused customers and the orders waiting for them are named, and
its exit status says the shops do not agree."""
from __future__ import annotations

import re

from harness import demo

REFUSED = ("bjørn.okafor.1@example.test", "chloé.pettersen.2@example.test", "josé.weber.9@example.test")


def test_the_demo_names_the_refused_customers_and_their_waiting_orders_and_exits_1(capsys):
    assert demo.main() == 1
    out = capsys.readouterr().out
    audit = out[out.index("agreement audit"):]
    for email in REFUSED:
        assert re.search(rf"customer '{re.escape(email)}' \(customwebshop \d+\): only in customwebshop", audit)
    waiting = re.findall(r"order '(D\d+)' \(customwebshop \d+\): only in customwebshop: waiting for a reference: "
                         r"customer '([^']+)'", audit)
    assert len(waiting) == 9 and {email for _, email in waiting} == set(REFUSED)
    assert "POST /receiver/customer answered 422" in out
    assert audit.rstrip().endswith("the shops disagree")
