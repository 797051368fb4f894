"""sandbox/woocommerce/ imports go one way (store → resources → resource → site), TYPE_CHECKING imports included,
and the store really offers what the resources' `Site` promises them."""
from __future__ import annotations

import ast
from pathlib import Path

from sandbox.woocommerce.site import Site
from sandbox.woocommerce.store import Store

PACKAGE = Path(__file__).resolve().parents[3] / "sandbox" / "woocommerce"


def imports_within_the_package() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.glob("*.py"):
        targets = graph.setdefault(path.stem, set())
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                if node.level == 1 and node.module:
                    targets.add(node.module.split(".")[0])
                elif node.level == 1:
                    targets.update(alias.name for alias in node.names)
                elif node.module and node.module.startswith("sandbox.woocommerce."):
                    targets.add(node.module.split(".")[2])
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle, or [] when the imports have a direction."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str]:
        if module in path:
            return path[path.index(module):] + [module]
        if module in done:
            return []
        for target in sorted(graph.get(module, ())):
            found = visit(target, path + [module])
            if found:
                return found
        done.add(module)
        return []

    for module in sorted(graph):
        found = visit(module, [])
        if found:
            return found
    return []


def test_the_package_imports_have_a_direction():
    graph = imports_within_the_package()
    assert "store" in graph["__init__"] and {"resource", "table"} <= graph["orders"], "the graph is read"
    assert cycle(graph) == [], " → ".join(cycle(graph))
    assert "store" not in graph["resource"] | graph["customers"] | graph["orders"] | graph["products"]


def test_the_store_is_the_site_its_resources_see():
    store = Store()
    promised = set(Site.__annotations__) | {name for name in vars(Site) if name.startswith(("next_", "now_"))}
    assert promised >= {"random", "customers", "now_text", "next_post_id"}
    assert [name for name in sorted(promised) if not hasattr(store, name)] == []
    assert all(resource.store is store for resource in (store.orders, store.products, store.customers))
