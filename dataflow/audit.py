"""`python -m dataflow audit`: do the two shops agree? Read both through our services, pair the records as the pipes
pair them, and compare every synced property through the model.

Pairing and common values come from running `sesam-config/`'s own pipes (`audit_link`), so the audit never holds a
second copy of a mapping. Per pair, each property the model syncs is compared in its direction (both ways, or the
target holding the source's value), insert-only ones only where the sync created the target record, and with the
property's comparison (`audit_compare`). Every difference is listed with the record, the property and both values;
a property the model marks as a known difference is listed as such and does not fail. Every record present on one
side only is listed with the reason where one is known: refused by the target (the share pipe's dead letters),
waiting for a reference (an order whose customer or product is not in the target), or "no reason known".
Exit status: 0 the shops agree, 1 they do not, 2 bad arguments or a system that cannot be read.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from dataflow.audit_compare import differences, is_blank, shown
from dataflow.audit_link import Dataflow, TypeFlow
from dataflow.audit_read import (
    AuditError, DeadLetters, EmulatorDeadLetters, FolderDeadLetters, NodeDeadLetters, Progress, ServiceReader,
    service_session,
)
from dataflow.model import ENTITY_TYPES, SHOP, SYSTEMS, WOO, Property
from emulator.errors import EmulatorError
from emulator.values import is_ni, split_ni

CONFIG = Path(__file__).resolve().parents[1] / "sesam-config"
DISAGREEMENT, KNOWN, ONE_SIDED = "disagreement", "known difference", "one side only"


@dataclass(frozen=True)
class Finding:
    kind: str
    type_name: str
    record: str
    detail: str

    def line(self) -> str:
        prefix = "known difference: " if self.kind == KNOWN else ""
        return f"{prefix}{self.type_name} {self.record}: {self.detail}"


@dataclass
class AuditReport:
    findings: list[Finding] = field(default_factory=list)
    pairs: dict[str, int] = field(default_factory=dict)       # type → records present on both sides
    read: dict[str, int] = field(default_factory=dict)        # "system type" → records read

    @property
    def agree(self) -> bool:
        return not any(finding.kind != KNOWN for finding in self.findings)

    def count(self, kind: str) -> int:
        return sum(finding.kind == kind for finding in self.findings)

    def summary(self) -> str:
        pairs = ", ".join(f"{type_name} {n}" for type_name, n in sorted(self.pairs.items()))
        verdict = "the shops agree" if self.agree else "the shops disagree"
        return (f"audit: {sum(self.pairs.values())} pairs compared ({pairs}); {self.count(DISAGREEMENT)} "
                f"disagreements, {self.count(ONE_SIDED)} records on one side only, {self.count(KNOWN)} known "
                f"differences: {verdict}")

    def text(self) -> str:
        return "\n".join([*(finding.line() for finding in self.findings), self.summary()])


@dataclass(frozen=True)
class Member:
    """One system's record in a pair: its values under the system's namespace, without the namespace."""
    system: str
    values: dict[str, Any]

    @property
    def id(self) -> Any:
        return self.values.get("id")

    @property
    def deleted(self) -> bool:
        return self.values.get("deleted") is True

    def common(self, prop: Property) -> Any:
        return self.values.get(f"g-{prop.common}")


@dataclass
class Group:
    """A merged entity of `global-<type>`: the records the pipes link, by system."""
    type_name: str
    members: dict[str, list[Member]]

    def live(self, system: str) -> list[Member]:
        return [member for member in self.members.get(system, []) if not member.deleted]

    def name(self) -> str:
        label = ENTITY_TYPES[self.type_name].label
        labels = list(dict.fromkeys(str(value) for members in self.members.values() for m in members
                                    if label and not is_blank(value := m.values.get(f"g-{label}"))))
        ids = ", ".join(f"{system} {m.id}" for system in SYSTEMS for m in self.members.get(system, []))
        return f"{' / '.join(repr(text) for text in labels)} ({ids})".lstrip()


def members_of(entity: dict[str, Any], flow: TypeFlow) -> Group:
    namespaces = {f"{flow.inputs[system].collect.identity_ns}": system for system in flow.inputs}
    count: dict[str, int] = {}
    for ni in entity.get("$ids", []):
        namespace, _ = split_ni(ni)
        if namespace in namespaces:
            count[namespaces[namespace]] = count.get(namespaces[namespace], 0) + 1
    members: dict[str, list[Member]] = {}
    for system, n in count.items():
        prefix = f"{flow.inputs[system].namespace}:"
        own = {key[len(prefix):]: value for key, value in entity.items() if key.startswith(prefix)}
        # Several records of one system in one group merge their values into lists, one item each.
        members[system] = [Member(system, own)] if n == 1 else [
            Member(system, {key: (value[i] if isinstance(value, list) and len(value) == n else value)
                            for key, value in own.items()}) for i in range(n)]
    return Group(flow.type_name, members)


class Audit:
    def __init__(self, dataflow: Dataflow, readers: dict[str, ServiceReader], dead_letters: DeadLetters | None,
                 progress: Progress) -> None:
        self.dataflow = dataflow
        self.readers = readers
        self.progress = progress
        self.groups: dict[str, list[Group]] = {}
        self.by_ni: dict[str, tuple[str, int]] = {}          # an NI → (type, index of its group)
        self.refusals = self._refusals(dead_letters) if dead_letters is not None else {}

    def run(self) -> AuditReport:
        report = AuditReport()
        for type_name, flow in sorted(self.dataflow.types.items()):
            streams = {system: self._read(system, type_name, report) for system in flow.inputs}
            merged = flow.link(streams)
            groups = [members_of(entity, flow) for entity in merged]
            self.progress.say(f"linked {type_name}: {len(groups)} merged records")
            self.groups[type_name] = groups
            for index, entity in enumerate(merged):
                for ni in entity.get("$ids", []):
                    self.by_ni[ni] = (type_name, index)
        for type_name, groups in self.groups.items():
            for group in groups:
                report.findings.extend(self._check(group, report))
        return report

    def _read(self, system: str, type_name: str, report: AuditReport) -> Iterator[dict[str, Any]]:
        key = f"{system} {type_name}"
        report.read[key] = 0
        for record in self.progress.counted(self.readers[system].entities(type_name), key):
            report.read[key] += 1
            yield record

    # -- one merged record ------------------------------------------------------------------------------------
    def _check(self, group: Group, report: AuditReport) -> list[Finding]:
        type_name, name = group.type_name, group.name()
        duplicated = [system for system in SYSTEMS if len(group.members.get(system, [])) > 1]
        if duplicated:
            return [Finding(DISAGREEMENT, type_name, name, f"{len(group.members[system])} records in {system} are "
                            f"linked to one record (each record must exist once on each side)")
                    for system in duplicated]
        present = [system for system in SYSTEMS if group.members.get(system)]
        if len(present) == 1:
            [member] = group.members[present[0]]
            if member.deleted:
                return []  # deleted, with nothing left on the other side
            target = next(system for system in SYSTEMS if system != member.system)
            return [Finding(ONE_SIDED, type_name, name, f"only in {member.system}: {self._why_missing(group, target)}")]
        [woo], [shop] = group.members[WOO], group.members[SHOP]
        if woo.deleted and shop.deleted:
            return []
        if woo.deleted or shop.deleted:
            gone, kept = (woo, shop) if woo.deleted else (shop, woo)
            return [Finding(DISAGREEMENT, type_name, name, f"deleted in {gone.system}, still present in "
                                                           f"{kept.system}")]
        report.pairs[type_name] = report.pairs.get(type_name, 0) + 1
        findings = [finding for prop in ENTITY_TYPES[type_name].properties
                    for finding in self._compare(type_name, name, prop, woo, shop)]
        if ENTITY_TYPES[type_name].stock and woo.values.get("stock-level") != shop.values.get("stock-level"):
            findings.append(Finding(DISAGREEMENT, type_name, name, f"stock level: {WOO} "
                                    f"{shown(woo.values.get('stock-level'))} ≠ {SHOP} "
                                    f"{shown(shop.values.get('stock-level'))} (null: not managed)"))
        return findings

    def _compare(self, type_name: str, name: str, prop: Property, woo: Member, shop: Member) -> list[Finding]:
        if prop.woo_read is None or prop.shop_read is None:
            return []  # a side that does not hold the property
        into = [system for system, writes in ((WOO, prop.woo_write), (SHOP, prop.shop_write)) if writes]
        if not into:
            return []
        sides = {WOO: woo, SHOP: shop}
        if prop.insert_only and not any(_created_from(sides[target], sides[_other(target)]) for target in into):
            return []  # set when the sync creates the record; a record each side made itself keeps its own
        direction = "" if len(into) == 2 else f" ({_other(into[0])} → {into[0]}: {into[0]} must hold " \
                                              f"{_other(into[0])}'s value)"
        refused = self._refusals_of(sides[target] for target in into)
        findings = []
        for where, woo_value, shop_value in differences(woo.common(prop), shop.common(prop), prop.compare,
                                                        prop.compare_keys, self._resolve):
            shown_name = prop.common + (f".{where}" if where and not where.startswith("[") else where)
            detail = (f"{shown_name}{_field_names(prop)}: {WOO} {shown(woo_value)} ≠ {SHOP} {shown(shop_value)}"
                      f"{direction}")
            if prop.known_difference:
                findings.append(Finding(KNOWN, type_name, name, f"{detail}: {prop.known_difference}"))
            else:
                findings.append(Finding(DISAGREEMENT, type_name, name, detail + refused))
        return findings

    def _resolve(self, ni: str) -> str | None:
        found = self.by_ni.get(ni)
        return f"{found[0]}#{found[1]}" if found is not None else None

    # -- reasons ----------------------------------------------------------------------------------------------
    def _refusals(self, source: DeadLetters) -> dict[str, str]:
        """What the share pipes gave up on, by the record it concerns: a create by its origin (`sesam_origin`, the
        other system's record), an update or delete by the target record."""
        refusals: dict[str, str] = {}
        for dead in self.dataflow.dead_letters:
            flow = self.dataflow.types.get(dead.type_name)
            if flow is None or dead.system not in flow.inputs:
                continue
            for letter in source.letters(dead.dataset):
                # A node writes the entity inside a write-error record (pump-execution.rst); the emulator, as is.
                entity = letter["entity"] if isinstance(letter.get("entity"), dict) else letter
                message = letter.get("original_error_message")
                why = f"refused by {dead.system}: {message}" if message else f"refused by {dead.system}"
                why += f" (dead-lettered in {dead.dataset})"
                if entity.get("id") is not None:
                    refusals[f"~:{flow.inputs[dead.system].collect.identity_ns}:{entity['id']}"] = why
                elif entity.get("sesam_origin"):
                    refusals[f"~:{entity['sesam_origin']}"] = why
        return refusals

    def _refusals_of(self, members: Iterator[Member]) -> str:
        for member in members:
            why = self.refusals.get(str(member.values.get("self-ref")))
            if why:
                return f"; its last update was {why}"
        return ""

    def _why_missing(self, group: Group, target: str, depth: int = 0) -> str:
        [member] = group.live(_other(target)) or group.members[_other(target)]
        refused = self.refusals.get(str(member.values.get("self-ref")))
        if refused:
            return refused
        waiting = []
        for ni in sorted(set(_references(member.values))):
            found = self.by_ni.get(ni)
            namespace, identifier = split_ni(ni)
            if found is None:
                waiting.append(f"{namespace} {identifier} is not in {member.system} any more")
                continue
            referenced = self.groups[found[0]][found[1]]
            if referenced.live(target):
                continue
            if not referenced.live(member.system):
                why = f"deleted in {member.system} before it reached {target}"
            else:
                why = self._why_missing(referenced, target, depth + 1) if depth < 2 else "no reason known"
            waiting.append(f"{referenced.type_name} {referenced.name()} is not in {target} ({why})")
        if waiting:
            return "waiting for a reference: " + "; ".join(waiting)
        return "no reason known"


def _references(values: dict[str, Any]) -> Iterator[str]:
    for key, value in values.items():
        if key.startswith("g-"):
            yield from _nis(value)


def _nis(value: Any) -> Iterator[str]:
    if is_ni(value):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _nis(item)
    elif isinstance(value, list):
        for item in value:
            yield from _nis(item)


def _created_from(target: Member, source: Member) -> bool:
    origin = target.values.get("origin-ref")
    return origin is not None and origin == source.values.get("self-ref")


def _other(system: str) -> str:
    return SHOP if system == WOO else WOO


def _field_names(prop: Property) -> str:
    if prop.woo == prop.common and prop.shop == prop.common:
        return ""
    return f" ({WOO} {prop.woo}, {SHOP} {prop.shop})"


def audit(woocommerce: str, customwebshop: str, token: str | None = None, basic_user: str | None = None,
          config: Path = CONFIG, dead_letters: DeadLetters | None = None,
          progress: Progress | None = None) -> AuditReport:
    """Run the audit against the two services (base URLs); raises AuditError when it cannot."""
    urls = {WOO: woocommerce, SHOP: customwebshop}
    session = service_session(token, basic_user)
    try:
        dataflow = Dataflow(config, urls)
    except EmulatorError as error:
        raise AuditError(f"cannot load {config}: {error}") from None
    missing = [system for system in SYSTEMS if any(system not in flow.inputs for flow in dataflow.types.values())]
    if missing or not dataflow.types:
        raise AuditError(f"{config} does not collect every type from both systems ({', '.join(missing)})")
    readers = {system: ServiceReader(system, url, session) for system, url in urls.items()}
    return Audit(dataflow, readers, dead_letters, progress or Progress()).run()


def dead_letter_source(where: str | None, state: Path | None, node_token: str | None) -> DeadLetters | None:
    if where is not None and state is not None:
        raise AuditError("give --dead-letters or --state, not both")
    if state is not None:
        return EmulatorDeadLetters(state)
    if where is None:
        return None
    if where.startswith(("http://", "https://")):
        return NodeDeadLetters(where, service_session(node_token, None))
    if not Path(where).is_dir():
        raise AuditError(f"--dead-letters {where}: not a folder and not an http(s) URL")
    return FolderDeadLetters(Path(where))


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dataflow audit", formatter_class=argparse.RawDescriptionHelpFormatter,
        description=__doc__, epilog="The service token can also come from SERVICE_TOKEN in the environment, and a "
                                    "node's JWT for --dead-letters URL comes from SESAM_JWT: secrets on the command "
                                    "line are visible to every user of the machine (ps).")
    parser.add_argument("--woocommerce", required=True, metavar="URL", help="our service with SYSTEM=woocommerce")
    parser.add_argument("--customwebshop", required=True, metavar="URL", help="our service with SYSTEM=customwebshop")
    parser.add_argument("--token", help="the services' SERVICE_TOKEN (default: $SERVICE_TOKEN; none if unset)")
    parser.add_argument("--basic-user", metavar="NAME",
                        help="send the token with HTTP Basic as NAME's password instead of as a bearer token")
    parser.add_argument("--config", type=Path, default=CONFIG, help=f"the sesam-config folder (default: {CONFIG})")
    reasons = parser.add_mutually_exclusive_group()
    reasons.add_argument("--dead-letters", metavar="DIR|URL",
                         help="the share pipes' dead-letter datasets: a folder of <dataset>.json exports, or a Sesam "
                              "node's API (https://<node>/api, with $SESAM_JWT)")
    reasons.add_argument("--state", type=Path, metavar="DIR", help="the emulator's state directory (its --state)")
    return parser


def main(argv: list[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        args = parser().parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
    token = args.token if args.token is not None else os.environ.get("SERVICE_TOKEN")
    try:
        for name in ("woocommerce", "customwebshop"):
            if not getattr(args, name).startswith(("http://", "https://")):
                raise AuditError(f"--{name} {getattr(args, name)!r}: give the service's http(s) base URL")
        source = dead_letter_source(args.dead_letters, args.state, os.environ.get("SESAM_JWT"))
        report = audit(args.woocommerce, args.customwebshop, token, args.basic_user, args.config, source,
                       Progress(err))
    except (AuditError, EmulatorError) as error:
        message = str(error).replace(token, "***") if token else str(error)
        print(f"python -m dataflow audit: {message}", file=err)
        return 2
    print(report.text(), file=out)
    return 0 if report.agree else 1
