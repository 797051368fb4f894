"""The QA documents and the pipe picture: up to date in the repository, in the seed checklist's shape, and filled."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from dataflow.__main__ import main
from dataflow.diagram import load_pipes, render_diagram
from dataflow.docs import DIRECTIONS, document_path, render_document, stale_files
from dataflow.model import ENTITY_TYPES, SYSTEM_TITLES, WOO

REPO = Path(__file__).resolve().parents[2]

# The seed's Introduction (`woocommerce-customwebshop-qa-checklist.rst`), with the direction's system names.
SEED_INTRODUCTION = (
    "This technical document provides a detailed overview of the Sesam Talk data flow from {source} to {target}. "
    "It serves as a QA checklist for testing purposes and is the intellectual property of Sesam.io AS. The content "
    "contains confidential information regulated under an NDA agreement, and sharing or distributing it without "
    "written permission is prohibited."
)


def test_the_documents_in_the_repository_are_up_to_date() -> None:
    assert stale_files(REPO) == [], "run: python -m dataflow"


def _sections(text: str) -> dict[str, str]:
    """Section title → body, for the `----`-underlined sections."""
    parts = re.split(r"^(.+)\n-+\n", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2]))


def _not_synced(body: str) -> list[list[str]]:
    """The table of what is deliberately not synchronized (its last column is the reason)."""
    return next(table for table in _tables(body) if table[0][-1] == "Reason")


def _tables(body: str) -> list[list[list[str]]]:
    """Each list-table as rows of cells."""
    tables = []
    for block in re.findall(r"\.\. list-table::\n   :header-rows: 1\n\n((?:   [* ] - .*\n)+)", body):
        rows: list[list[str]] = []
        for line in block.splitlines():
            if line.startswith("   * - "):
                rows.append([])
            rows[-1].append(line[7:])
        tables.append(rows)
    return tables


@pytest.mark.parametrize(("source", "target"), DIRECTIONS)
def test_title_block_generated_line_and_introduction(source: str, target: str) -> None:
    source_title, target_title = SYSTEM_TITLES[source], SYSTEM_TITLES[target]
    title = f"{source_title} to {target_title} Dataflow"
    lines = render_document(source, target).splitlines()
    assert lines[:3] == ["=" * len(title), title, "=" * len(title)]
    assert re.fullmatch(r"Generated: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d", lines[4])
    introduction = _sections(render_document(source, target))["Introduction"]
    assert introduction.strip() == SEED_INTRODUCTION.format(source=source_title, target=target_title)


@pytest.mark.parametrize(("source", "target"), DIRECTIONS)
def test_one_section_per_type_in_order_each_with_a_filled_property_table(source: str, target: str) -> None:
    source_title, target_title = SYSTEM_TITLES[source], SYSTEM_TITLES[target]
    sections = _sections(render_document(source, target))
    expected = [f"{source_title} {t} to {target_title} {t}" for t in ("Order", "Product", "Customer")]
    assert list(sections)[1:] == expected
    for title, entity_type in zip(expected, ENTITY_TYPES.values()):
        src, tgt = f"{source_title} {entity_type.title}", f"{target_title} {entity_type.title}"
        body = sections[title]
        assert body.startswith(f"Every {src} will be synchronized with a {tgt}.\n")
        assert f"A {tgt} created by this synchronization holds the id of the {src} it was created from in " in body
        assert (f"Once a link between a {src} and a {tgt} is established, it will keep in sync between the two "
                "systems, regardless of where it is edited.") in body
        properties = next(t for t in _tables(body) if t[0][-1] == f"{target_title} Data Type")
        assert properties[0] == [f"{src} Property", f"{tgt} Property", f"{target_title} Data Type"]
        assert len(properties) > 1 and all(len(row) == 3 and all(row) for row in properties)


@pytest.mark.parametrize(("source", "target"), DIRECTIONS)
def test_products_merge_on_sku_and_customers_on_email_orders_never(source: str, target: str) -> None:
    source_title, target_title = SYSTEM_TITLES[source], SYSTEM_TITLES[target]
    sections = _sections(render_document(source, target))
    for type_title, pairs in (("Product", [["sku", "sku"]]), ("Customer", [["email", "email"]]), ("Order", None)):
        src, tgt = f"{source_title} {type_title}", f"{target_title} {type_title}"
        body = sections[f"{src} to {tgt}"]
        sentence = f"A {src} will merge with a {tgt} if one of the following property combinations match:"
        if pairs is None:
            assert "will merge with" not in body
            continue
        assert sentence in body
        merge_table = _tables(body.split(sentence, 1)[1])[0]
        assert merge_table == [[f"{src} Property", f"{tgt} Property"], *pairs]


def test_a_one_way_property_is_synced_one_way_and_explained_the_other() -> None:
    """WooCommerce computes an order's `total` from its lines: it flows into the Custom Webshop's `grand_total` and
    never back."""
    forward = _sections(render_document(WOO, "customwebshop"))["WooCommerce Order to Custom Webshop Order"]
    backward = _sections(render_document("customwebshop", WOO))["Custom Webshop Order to WooCommerce Order"]
    synced, not_synced = _tables(forward)[0], _not_synced(backward)
    assert ["total", "grand_total", '"string (decimal)"'] in synced
    assert not any(row[:2] == ["total", "grand_total"] for row in _not_synced(forward))
    reason = next(row[2] for row in not_synced if row[:2] == ["grand_total", "total"])
    assert reason.startswith("never written into WooCommerce: WooCommerce computes it from its lines")
    assert not any(row[0] == "grand_total" for row in _tables(backward)[0])


def test_money_wooCommerce_cannot_hold_as_such_is_written_as_the_lines_it_totals() -> None:
    """WooCommerce totals an order from its items (FACTS §4): the webshop's shipping reaches it as a shipping line,
    its fees, discount and tax as fee lines, and the documents name the WooCommerce property that is written."""
    backward = _sections(render_document("customwebshop", WOO))["Custom Webshop Order to WooCommerce Order"]
    synced = _tables(backward)[0]
    assert ["shipping_total", "shipping_lines", '"string (decimal)"'] in synced
    assert {row[0] for row in synced if row[1] == "fee_lines"} == {"fee_total", "discount_total", "tax_total"}


def test_the_documents_list_each_shops_constraints_and_what_happens_to_a_record_that_breaks_one() -> None:
    """Issue 10: the known cross-shop constraints (e-mail syntax, SKUs, money precision, status values) and what
    happens to each are in the QA documents, per direction, from the model."""
    into_woo = _sections(render_document("customwebshop", WOO))
    into_shop = _sections(render_document(WOO, "customwebshop"))
    customer_rules = _tables(into_woo["Custom Webshop Customer to WooCommerce Customer"])[-1]
    assert customer_rules[0] == ["Property", "Rule", "What happens"]
    [email] = [row for row in customer_rules if row[0] == "email" and "is_email()" in row[1]]
    assert "dead-letters" in email[2] and "guest orders" in email[2]
    product_rules = {row[0]: row for row in _tables(into_shop["WooCommerce Product to Custom Webshop Product"])[-1]}
    assert {"sku", "status", "weight", "price"} <= set(product_rules)
    order_rules = {row[0] for row in _tables(into_shop["WooCommerce Order to Custom Webshop Order"])[-1]}
    assert {"status", "money"} <= order_rules
    known = into_woo["Custom Webshop Order to WooCommerce Order"].split("known difference:", 1)[1]
    assert "- ``total_tax``: WooCommerce computes its own taxes" in known


@pytest.mark.parametrize(("source", "target"), DIRECTIONS)
def test_what_is_not_synced_is_listed_with_its_reason(source: str, target: str) -> None:
    sections = _sections(render_document(source, target))
    for entity_type in ENTITY_TYPES.values():
        title = f"{SYSTEM_TITLES[source]} {entity_type.title} to {SYSTEM_TITLES[target]} {entity_type.title}"
        rows = _not_synced(sections[title])[1:]
        for properties, why in entity_type.not_synced:
            first = properties.split(", ")[0]
            assert any(f"``{first}``" in " ".join(row[:2]) and row[2] == why for row in rows), (title, first)


def test_the_diagram_draws_every_step_from_the_pipe_files(config_folder: Path) -> None:
    text = render_diagram(load_pipes(config_folder))
    chart = text.split("```mermaid\n", 1)[1].split("```", 1)[0].splitlines()
    assert chart[0] == "flowchart LR"
    edges = set(line.strip() for line in chart if "-->" in line or "-.->" in line)
    assert {
        "reads_woocommerce --> pipe_woocommerce_product_collect",
        "pipe_woocommerce_product_collect --> dataset_woocommerce_product_collect",
        "dataset_woocommerce_product_enrich --> pipe_global_product",
        "dataset_customwebshop_product_enrich --> pipe_global_product",
        "dataset_customwebshop_product_enrich -.-> pipe_customwebshop_product_transform",
        "pipe_customwebshop_product_share --> writes_customwebshop",
    } <= edges
    assert not any(edge.startswith("pipe_customwebshop_product_share --> dataset_") for edge in edges)
    nodes = [line.strip() for line in chart if "[" in line or "{{" in line]
    assert 'pipe_global_product["global-product"]' in nodes
    assert 'dataset_global_product[("global-product")]' in nodes
    assert 'writes_customwebshop{{"customwebshop"}}' in nodes
    assert 'subgraph type_product["product"]' in chart[1]
    assert chart.index("    end") > chart.index('        pipe_global_product["global-product"]')


def test_the_diagram_names_a_dataset_after_the_sink(tmp_path: Path) -> None:
    pipes = [{"_id": "global-order", "type": "pipe", "source": {"type": "embedded", "entities": []},
              "sink": {"type": "dataset", "dataset": "orders"}}]
    assert "pipe_global_order --> dataset_orders" in render_diagram(pipes)


def test_the_command_writes_config_and_documents_and_check_lists_stale_ones(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path
    assert main(["--check", "--root", str(root)]) == 1
    stale = capsys.readouterr().err
    assert "sesam-config/pipes/global-order.conf.json" in stale
    assert "docs/dataflow/woocommerce-customwebshop.rst" in stale
    assert main(["--root", str(root)]) == 0
    assert (root / "docs/dataflow.md").read_text(encoding="utf-8") == \
        render_diagram(load_pipes(root / "sesam-config"))
    assert (root / document_path(WOO, "customwebshop")).read_text(encoding="utf-8") == \
        render_document(WOO, "customwebshop")
    capsys.readouterr()
    assert main(["--check", "--root", str(root)]) == 0
    assert capsys.readouterr().out.strip().endswith(
        "documents with what dataflow/model.py generates, and 6 expected outputs with what the pipes produce on the "
        "test data (as sesam test does): all up to date")
    assert main(["--root", str(root)]) == 0
    assert capsys.readouterr().out.startswith("nothing changed: "), "a second run writes nothing and says so"
    (root / "docs/dataflow.md").write_text("edited by hand\n", encoding="utf-8")
    edited = root / "sesam-config/pipes/global-order.conf.json"
    edited.write_text(edited.read_text(encoding="utf-8").replace('"type": "pipe"', '"type": "pipe", "x": 1'),
                      encoding="utf-8")
    assert main(["--check", "--root", str(root)]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == [
        "out of date: sesam-config/pipes/global-order.conf.json (run: python -m dataflow)",
        "out of date: docs/dataflow.md (run: python -m dataflow)"]
    assert captured.out.strip().endswith("not the expected outputs (sesam-config/ itself is out of date): 2 out of date")
    assert main(["--root", str(root)]) == 0
    assert capsys.readouterr().out.strip().splitlines() == ["wrote sesam-config/pipes/global-order.conf.json",
                                                            "wrote docs/dataflow.md"]


def test_sesam_config_is_what_the_model_generates() -> None:
    from dataflow.__main__ import stale
    from dataflow.pipes import config_files
    assert stale(REPO, config_files()) == [], "sesam-config/ is out of date: run python -m dataflow"


def test_expected_outputs_are_what_the_pipes_produce_on_the_test_data() -> None:
    """QA's `sesam test` compares a node's output with expected/; offline we must get the same."""
    from dataflow.__main__ import expected_outputs
    assert expected_outputs(REPO) == (6, [])


def test_sesam_test_as_the_readme_writes_it_passes() -> None:
    """What sesam test would do with sesam-config/ (upload testdata/, run, verify expected/), offline: every output
    pipe has its spec, every test data file feeds an http_endpoint, no --secret is needed."""
    command = "python -m emulator test sesam-config"
    assert command in (REPO / "README.md").read_text(encoding="utf-8")
    done = subprocess.run([sys.executable, *command.split()[1:]], cwd=REPO, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    shares = sorted(path.name[: -len(".conf.json")] for path in (REPO / "sesam-config/pipes").glob("*-share.conf.json"))
    assert [line.split()[1] for line in done.stdout.splitlines() if line.startswith("PASS ")] == shares
    assert "warning" not in done.stderr
