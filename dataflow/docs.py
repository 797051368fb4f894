"""The QA dataflow documents, one per direction, generated from `dataflow.model`.

The format is the Sesam Talk QA checklist QA was handed (`woocommerce-customwebshop-qa-checklist.rst`, the seed) and
its document family (datanav/docs, branch `systemtype-docs-test`, `technical/shopify-keap.rst`): a title block, a
`Generated:` line, the Introduction verbatim, then per type the sync sentences, for merging types the Talk merge
sentences with a two-column table of property pairs, and the three-column property table. What is deliberately not
synchronized (the model's `not_synced` and the properties that flow only the other way) follows each property table
in a table of the same kind, so a tester sees every WooCommerce property the direction leaves alone and why.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dataflow.diagram import DIAGRAM_PATH, load_pipes, render_diagram
from dataflow.model import ENTITY_TYPES, SHOP, SYSTEM_TITLES, WOO, EntityType, MergeRule, Property

# Fixed so a freshness check does not fail because the day changed; move it forward when the model changes.
GENERATED = "2026-11-28 00:00:01"
DOCUMENT_FOLDER = Path("docs/dataflow")
CONFIG_FOLDER = Path("sesam-config")
DIRECTIONS = ((WOO, SHOP), (SHOP, WOO))

# Where each system's record keeps the id of the record it was created from (the stamp the enrich pipes read, dataflow/pipes.py).
ORIGIN_STAMPS = {WOO: "the ``meta_data`` entry ``sesam_origin``", SHOP: "``origin``"}

INTRODUCTION = (
    "This technical document provides a detailed overview of the Sesam Talk data flow from {source} to {target}. "
    "It serves as a QA checklist for testing purposes and is the intellectual property of Sesam.io AS. The content "
    "contains confidential information regulated under an NDA agreement, and sharing or distributing it without "
    "written permission is prohibited."
)


@dataclass(frozen=True)
class Side:
    """One system's view of a property: its name there, its data type, whether it feeds and receives the value."""

    system: str

    @property
    def title(self) -> str:
        return SYSTEM_TITLES[self.system]

    def name(self, prop: Property | MergeRule) -> str:
        return prop.woo if self.system == WOO else prop.shop

    def written_name(self, prop: Property) -> str:
        """The property a value is written into: its own, or the fields that hold it (WooCommerce's fee lines)."""
        fields = list(prop.woo_write if self.system == WOO else prop.shop_write)
        own = re.split(r"[.\[]", self.name(prop))[0]
        return self.name(prop) if not fields or own in fields else ", ".join(fields)

    def data_type(self, prop: Property) -> str:
        return prop.woo_type if self.system == WOO else prop.shop_type

    def reads(self, prop: Property) -> bool:
        return (prop.woo_read if self.system == WOO else prop.shop_read) is not None

    def writes(self, prop: Property) -> bool:
        return bool(prop.woo_write if self.system == WOO else prop.shop_write)


def document_path(source: str, target: str) -> Path:
    return DOCUMENT_FOLDER / f"{source}-{target}.rst"


def flows(prop: Property, source: Side, target: Side) -> bool:
    """A property flows source → target when the source feeds it and the target receives it."""
    return source.reads(prop) and target.writes(prop)


def render_document(source_system: str, target_system: str) -> str:
    source, target = Side(source_system), Side(target_system)
    title = f"{source.title} to {target.title} Dataflow"
    parts = [
        "=" * len(title), title, "=" * len(title), "",
        f"Generated: {GENERATED}", "",
        *_heading("Introduction", "-"), "",
        INTRODUCTION.format(source=source.title, target=target.title), "",
    ]
    for entity_type in ENTITY_TYPES.values():
        parts.extend(_section(entity_type, source, target))
    return "\n".join(parts)


def render_documents() -> dict[Path, str]:
    return {document_path(source, target): render_document(source, target) for source, target in DIRECTIONS}


def _heading(text: str, underline: str) -> list[str]:
    return [text, underline * len(text)]


def _section(entity_type: EntityType, source: Side, target: Side) -> Iterator[str]:
    src, tgt = f"{source.title} {entity_type.title}", f"{target.title} {entity_type.title}"
    yield from _heading(f"{src} to {tgt}", "-")
    yield f"Every {src} will be synchronized with a {tgt}."
    yield ""
    if entity_type.merge_rules:
        yield f"If a matching {tgt} already exists, the {src} will be merged with the existing one."
        yield f"If no matching {tgt} is found, a new {tgt} will be created."
        yield ""
        yield f"A {src} will merge with a {tgt} if one of the following property combinations match:"
        yield ""
        yield from _list_table([f"{src} Property", f"{tgt} Property"],
                               [[source.name(rule), target.name(rule)] for rule in entity_type.merge_rules])
        yield ""
    yield (f"A {tgt} created by this synchronization holds the id of the {src} it was created from in "
           f"{ORIGIN_STAMPS[target.system]}.")
    yield ""
    yield (f"Once a link between a {src} and a {tgt} is established, it will keep in sync between the two systems, "
           "regardless of where it is edited.")
    yield ""
    yield f"The following properties are synchronized between a {src} and a {tgt}:"
    yield ""
    synced = [prop for prop in entity_type.properties if flows(prop, source, target)]
    yield from _list_table([f"{src} Property", f"{tgt} Property", f"{target.title} Data Type"],
                           [[source.name(prop), target.written_name(prop), f'"{target.data_type(prop)}"']
                            for prop in synced])
    yield ""
    noted = [prop for prop in synced if prop.note]
    if noted:
        yield "Notes on these properties:"
        yield ""
        yield from (f"- ``{source.name(prop)}``: {_rst(prop.note)}" for prop in noted)
        yield ""
    yield f"The following properties are deliberately not synchronized from a {src} to a {tgt}:"
    yield ""
    yield from _list_table([f"{src} Property", f"{tgt} Property", "Reason"], _not_synced_rows(entity_type, source,
                                                                                                target))
    yield ""
    known = [prop for prop in synced if prop.known_difference]
    if known:
        yield f"The following properties may legitimately differ between a {src} and a {tgt}; the agreement " \
              "audit reports each as a known difference:"
        yield ""
        yield from (f"- ``{target.name(prop)}``: {_rst(prop.known_difference)}" for prop in known)
        yield ""
    constraints = [c for c in entity_type.constraints if c.target in (None, target.system)]
    if constraints:
        shop = target.title if target.system == WOO else f"the {target.title}"
        yield f"A {src} meets these rules of {shop} on its way there, and this is what happens when it does not:"
        yield ""
        yield from _list_table(["Property", "Rule", "What happens"],
                               [[c.property, _rst(c.rule), _rst(c.outcome)] for c in constraints])
        yield ""
    yield ""


def _not_synced_rows(entity_type: EntityType, source: Side, target: Side) -> list[list[str]]:
    """Properties that flow only the other way, then what the model keeps out of sync altogether (named by their
    WooCommerce properties, which have no Custom Webshop counterpart)."""
    rows = [[source.name(prop), target.name(prop), _one_way_reason(prop, source, target)]
            for prop in entity_type.properties if not flows(prop, source, target)]
    for woo_properties, why in entity_type.not_synced:
        names = ", ".join(f"``{name}``" for name in woo_properties.split(", "))
        absent = "(no counterpart)"
        rows.append([names, absent, why] if source.system == WOO else [absent, names, why])
    return rows


def _one_way_reason(prop: Property, source: Side, target: Side) -> str:
    reason = (f"{source.title} does not feed this property" if not source.reads(prop)
              else f"never written into {target.title}")
    return f"{reason}: {_rst(prop.note)}" if prop.note else reason


def _rst(text: str) -> str:
    """The model's notes quote names Markdown-style; in reStructuredText inline literals take double backquotes."""
    return re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", text)


def _list_table(header: list[str], rows: list[list[str]]) -> Iterator[str]:
    yield ".. list-table::"
    yield "   :header-rows: 1"
    yield ""
    for row in [header, *rows]:
        first, *rest = row
        yield f"   * - {first}"
        yield from (f"     - {cell}" for cell in rest)


def generated_files(root: Path) -> dict[Path, str]:
    """Every document `python -m dataflow` writes, by path relative to the repository root; the pipe picture
    only once `sesam-config/` exists."""
    files = render_documents()
    config = root / CONFIG_FOLDER
    if (config / "pipes").is_dir():
        files[DIAGRAM_PATH] = render_diagram(load_pipes(config))
    return files


def stale_files(root: Path) -> list[Path]:
    return [path for path, text in generated_files(root).items()
            if not (root / path).is_file() or (root / path).read_text(encoding="utf-8") != text]


def write_files(root: Path) -> list[Path]:
    """Write the documents that changed; returns those paths."""
    stale = stale_files(root)
    files = generated_files(root)
    for path in stale:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(files[path], encoding="utf-8")
    return stale
