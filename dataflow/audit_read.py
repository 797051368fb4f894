"""What the audit reads: every record of a type through our service (`GET /entities/<type>`, a full read), and the
share pipes' dead letters (a Sesam node's API, an export folder, or the emulator's `--state`).

Responses are parsed as they arrive, one entity at a time, so the audit holds one raw record at once whatever the
store's size. Anything but a complete JSON array of entities is an error naming what was read, never a shorter list.
"""
from __future__ import annotations

import codecs
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO

import requests

from emulator.dataset import Store

CHUNK_BYTES = 64 * 1024
PROGRESS_EVERY = 1000
TIMEOUT = (30, 600)  # connect, and between two chunks of a long streamed read


class AuditError(Exception):
    """The audit cannot run: bad arguments, or a system it cannot read. The CLI exits 2."""


def json_array_entities(chunks: Iterable[bytes], where: str) -> Iterator[dict[str, Any]]:
    """The objects of one JSON array, parsed from byte chunks as they arrive."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    parser = json.JSONDecoder()
    text, position, started, count = "", 0, False, 0
    chunks = iter(chunks)
    finished = False
    while True:
        position = _skip_separators(text, position, started and count > 0)
        if position < len(text):
            if not started:
                if text[position] != "[":
                    raise AuditError(f"{where} did not answer a JSON array")
                started, position = True, position + 1
                continue
            if text[position] == "]":
                if text[position + 1:].strip() or b"".join(chunks).strip():
                    raise AuditError(f"{where}: data after the end of the JSON array")
                return
            if text[position] != "{":
                raise AuditError(f"{where}: entity {count + 1} is not a JSON object")
            try:
                entity, end = parser.raw_decode(text, position)
            except json.JSONDecodeError:
                if finished:
                    raise AuditError(f"{where} broke off after {count} entities (the array was never closed)") from None
                end = -1
            if end >= 0:
                if not isinstance(entity.get("_id"), str):
                    raise AuditError(f"{where}: entity {count + 1} has no string _id")
                count += 1
                yield entity
                text, position = text[end:], 0
                continue
        if finished:
            raise AuditError(f"{where} broke off after {count} entities (the array was never closed)")
        chunk = next(chunks, None)
        if chunk is None:
            finished = True
            text = text[position:] + decoder.decode(b"", final=True)
        else:
            text = text[position:] + decoder.decode(chunk)
        position = 0


def _skip_separators(text: str, position: int, comma_expected: bool) -> int:
    while position < len(text) and (text[position].isspace() or (comma_expected and text[position] == ",")):
        position += 1
    return position


class Progress:
    """Counts on stderr, so a long audit shows it is alive without mixing into the report on stdout."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr

    def say(self, line: str) -> None:
        print(line, file=self.stream, flush=True)

    def counted(self, entities: Iterable[dict[str, Any]], what: str) -> Iterator[dict[str, Any]]:
        count = 0
        for entity in entities:
            count += 1
            if count % PROGRESS_EVERY == 0:
                self.say(f"  {what}: {count} records…")
            yield entity
        self.say(f"read {what}: {count} records")


@dataclass(frozen=True)
class ServiceReader:
    """One of our two services, read as the collect pipes read it, but whole and streamed."""
    system: str
    url: str
    session: requests.Session

    def entities(self, type_name: str) -> Iterator[dict[str, Any]]:
        where = f"GET {self.url}/entities/{type_name} ({self.system})"
        try:
            response = self.session.get(f"{self.url.rstrip('/')}/entities/{type_name}", stream=True, timeout=TIMEOUT)
        except requests.RequestException as error:
            raise AuditError(f"{where} failed: {type(error).__name__}") from None
        with response:
            if response.status_code != 200:
                raise AuditError(f"{where} answered {response.status_code}: {response.text[:200]}")
            try:
                yield from json_array_entities(response.iter_content(CHUNK_BYTES), where)
            except requests.RequestException as error:
                raise AuditError(f"{where} broke off: {type(error).__name__}") from None


def service_session(token: str | None, basic_user: str | None) -> requests.Session:
    session = requests.Session()
    if token is not None and basic_user is not None:
        session.auth = (basic_user, token)
    elif token is not None:
        session.headers["Authorization"] = f"Bearer {token}"
    return session


class DeadLetters(Protocol):
    def letters(self, dataset_id: str) -> Iterator[dict[str, Any]]: ...


@dataclass(frozen=True)
class NodeDeadLetters:
    """A Sesam node's API (`GET <api>/datasets/<id>/entities`, hub/api.rst), latest live versions only."""
    api: str
    session: requests.Session

    def letters(self, dataset_id: str) -> Iterator[dict[str, Any]]:
        where = f"GET {self.api}/datasets/{dataset_id}/entities"
        try:
            response = self.session.get(f"{self.api.rstrip('/')}/datasets/{dataset_id}/entities",
                                        params={"history": "false", "deleted": "false"}, stream=True,
                                        timeout=TIMEOUT)
        except requests.RequestException as error:
            raise AuditError(f"{where} failed: {type(error).__name__}") from None
        with response:
            if response.status_code == 404:
                return  # a dataset nothing was ever dead-lettered into does not exist yet
            if response.status_code != 200:
                raise AuditError(f"{where} answered {response.status_code}")
            yield from json_array_entities(response.iter_content(CHUNK_BYTES), where)


@dataclass(frozen=True)
class FolderDeadLetters:
    """Exports of the node's datasets, one `<dataset id>.json` (the entities array) each."""
    folder: Path

    def letters(self, dataset_id: str) -> Iterator[dict[str, Any]]:
        path = self.folder / f"{dataset_id}.json"
        if not path.is_file():
            return
        with path.open("rb") as exported:
            for letter in json_array_entities(iter(lambda: exported.read(CHUNK_BYTES), b""), str(path)):
                if letter.get("_deleted") is not True:
                    yield letter


class EmulatorDeadLetters:
    """The emulator's state directory (`python -m emulator run --state DIR`)."""

    def __init__(self, state: Path) -> None:
        if not (state / "pipes.json").is_file():
            raise AuditError(f"{state} is not an emulator state directory (no pipes.json)")
        self.store = Store(state)

    def letters(self, dataset_id: str) -> Iterator[dict[str, Any]]:
        yield from self.store.dataset(dataset_id).latest(include_deleted=False)
