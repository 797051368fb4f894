"""A JSON Push batch: read, checked whole, and turned into typed entities before anything is written.

One validation layer for every receiver. A batch is refused (400, 413 or 415, nothing written) naming every
problem when it is not a bounded UTF-8 JSON body of entity objects, when any entity breaks the generic rules
(`_id` a non-empty string; `_deleted`/`$replaced` booleans; `id` the target's id; `sesam_origin` a string; text
without lone surrogates or non-finite numbers: service/jsontext.py) or when a field the receiver interprets has the
wrong shape (service/sesam/shapes.py, declared by each connector). What is well-formed but cannot be written (a
negative quantity, a product the target does not have, an e-mail the shop refuses) fails per entity instead.

**Identity.** Sesam's json sink strips namespaces from `_id` (`hub/features/namespaces.rst`), so records of
different systems arrive with the same `_id`: `_id` names an entity in answers and logs, never decides what it is.
An entity is the target record it names by `id`, or, for a create, the record of its `sesam_origin`. Two entities
of one batch with the same identity are two versions of one record: Sesam sends a dataset's entities in offset
order, so **the last occurrence is the newest**; it is applied, and the earlier ones are counted `superseded`.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from service.errors import InvalidRequest, PayloadTooLarge, UnsupportedMediaType
from service.jsontext import NotJson, decode_request, loads_request, request_problems
from service.sesam.shapes import Check, members, record_id, text

READ_CHUNK = 1 << 16
ORIGIN_FIELD = "sesam_origin"
JSON_TYPES = ("application/json",)


def is_reserved(key: str) -> bool:
    """Sesam's reserved (`_…`) and semi-reserved (`$…`) fields never reach a shop."""
    return key.startswith("_") or key.startswith("$")


@dataclass(frozen=True)
class PushedEntity:
    index: int                    # position in the batch
    sesam_id: str                 # `_id`: how Sesam names it, for answers and logs
    target_id: int | None         # the target record to update or delete
    origin: str | None            # `sesam_origin`: the record it was made from, stamped on a create
    deleted: bool
    replaced: bool
    fields: dict[str, Any]        # what goes to the shop: no reserved field, no `id`, no `sesam_origin`

    @property
    def identity(self) -> tuple[str, Any]:
        if self.target_id is not None:
            return "id", self.target_id
        if self.origin is not None:
            return "origin", self.origin
        return "position", self.index

    @property
    def is_create(self) -> bool:
        return self.target_id is None and not self.deleted and not self.replaced

    @classmethod
    def of(cls, index: int, raw: dict[str, Any]) -> "PushedEntity":
        raw_id = raw.get("id")
        return cls(index=index, sesam_id=raw["_id"], target_id=None if raw_id is None else int(raw_id),
                   origin=raw.get(ORIGIN_FIELD) or None, deleted=raw.get("_deleted") is True,
                   replaced=raw.get("$replaced") is True,
                   fields={k: v for k, v in raw.items() if not is_reserved(k) and k not in ("id", ORIGIN_FIELD)})


def check_content_type(content_type: str | None) -> None:
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type not in JSON_TYPES and not media_type.endswith("+json"):
        raise UnsupportedMediaType(f"a JSON Push body must be sent as application/json, not {media_type or 'nothing'}",
                                   content_type=(content_type or "")[:64])


def read_body(stream: IO[bytes], declared_length: int | None, max_bytes: int) -> str:
    """The whole body as text, refused with 413 once it exceeds `max_bytes`: at once when its Content-Length says
    so, else as soon as the bytes read pass it (a chunked body is never cut and parsed). Only the text is
    returned, so the bytes are gone before parsing starts: a push peaks at its text and its entities, not three
    copies (README, "Receivers")."""
    too_large = PayloadTooLarge(f"the batch is over {max_bytes} bytes; this receiver accepts at most {max_bytes} "
                                "(MAX_BODY_BYTES)")
    if declared_length is not None and declared_length > max_bytes:
        raise too_large
    body = bytearray()
    while chunk := stream.read(READ_CHUNK):
        body += chunk
        if len(body) > max_bytes:
            raise too_large
    try:
        return decode_request(body)
    except NotJson as exc:
        raise InvalidRequest(str(exc)) from None


def parse_batch(text: str, shape: Mapping[str, Check]) -> list[PushedEntity]:
    """The pushed entities, or InvalidRequest listing every problem (nothing is written then)."""
    try:
        batch = loads_request(text)
    except NotJson as exc:
        raise InvalidRequest(str(exc)) from None
    if isinstance(batch, dict):
        batch = [batch]  # a single entity is accepted as a batch of one, as Sesam's own receivers do
    if not isinstance(batch, list):
        raise InvalidRequest("the body must be a JSON array of entities")
    problems = [problem for index, raw in enumerate(batch) for problem in _entity_problems(index, raw, shape)]
    if problems:
        raise InvalidRequest(f"{len(problems)} problem(s) in the batch; nothing was written", problems=problems)
    return [PushedEntity.of(index, raw) for index, raw in enumerate(batch)]


_origin = text(max_length=255, min_length=1)


def _entity_problems(index: int, raw: Any, shape: Mapping[str, Check]) -> list[str]:
    if not isinstance(raw, dict):
        return [f"[{index}]: an entity must be a JSON object, not {type(raw).__name__}"]
    entity_id = raw.get("_id")
    where = f"[{index}] {entity_id[:80]!r}" if isinstance(entity_id, str) and entity_id else f"[{index}]"
    found = [f"{path}: {message}" for path, message in request_problems(raw)]
    if not isinstance(entity_id, str) or not entity_id:
        found.append("_id: must be a non-empty string")
    for flag in ("_deleted", "$replaced"):
        if flag in raw and not isinstance(raw[flag], bool):
            found.append(f"{flag}: must be true or false")
    if raw.get("id") is not None:
        found.extend(record_id(raw["id"], "id"))
    if raw.get(ORIGIN_FIELD) is not None:
        found.extend(_origin(raw[ORIGIN_FIELD], ORIGIN_FIELD))
    if raw.get("_deleted") is not True and raw.get("$replaced") is not True:
        found.extend(members(shape, raw))
    return [f"{where}: {problem}" for problem in found]


def latest_versions(entities: Iterable[PushedEntity]) -> tuple[list[PushedEntity], list[PushedEntity]]:
    """(the entities to apply, in batch order; the earlier versions they supersede)."""
    latest: dict[tuple[str, Any], PushedEntity] = {}
    superseded = []
    for entity in entities:
        earlier = latest.pop(entity.identity, None)
        if earlier is not None:
            superseded.append(earlier)
        latest[entity.identity] = entity
    return sorted(latest.values(), key=lambda e: e.index), superseded
