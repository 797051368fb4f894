"""The `json` source: JSON Pull from a system (`hub/json-pull.rst`, `configuration-sources-json.rst`).

`since` is sent only with `supports_since` and one of `is_since_comparable`/`is_chronological`; the new offset is the
last `_updated` seen (chronological) or the largest (comparable). Paging with `page_size` (sent as `limit`) is only
used when all three flags are true, as documented; paging stops at an empty page (the docs leave the stop rule open,
and an empty page ends the stream under either reading). Everything is read before anything is processed, so a failed
or malformed response fails the run and changes nothing. A failed request is retried `max_read_retries` times after
`read_retry_delay` seconds, each taken from the pump, else the system's `retry_strategy` entry for the status, else
the default 0 (`emulator.retries`).
"""
from __future__ import annotations

import json
import time
from typing import Any

import requests

from emulator.errors import PipeRunError
from emulator.retries import retry_setting
from emulator.sources import SourceRead
from emulator.systems import System

MAX_PAGES = 100_000  # a server that never returns an empty page must not hang the emulator


class _ReadError(Exception):
    def __init__(self, message: str, status: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class JsonSource:
    type = "json"

    def __init__(self, pipe_id: str, spec: dict[str, Any], system: System, pump: dict[str, Any]) -> None:
        self.pipe_id = pipe_id
        self.pump = pump
        self.spec = spec
        self.system = system
        self.supports_since = spec.get("supports_since", False)
        self.chronological = spec.get("is_chronological", False)
        self.comparable = spec.get("is_since_comparable", True)
        self.page_size = spec.get("page_size")

    @property
    def uses_since(self) -> bool:
        return bool(self.supports_since and (self.chronological or self.comparable))

    def read(self, offset: Any, full: bool) -> SourceRead:
        if not self.uses_since:
            since = None
        elif offset is None:
            # "used as the since value if the pipe offset has not been set yet (or the pipe has been reset)"
            since = self.spec.get("initial_since_value")
        else:
            since = None if full else offset
        full_read = since is None
        paging = bool(self.page_size) and self.supports_since and self.chronological and self.comparable
        entities: list[dict[str, Any]] = []
        with self.system.session() as session:
            for _ in range(MAX_PAGES):
                params: dict[str, Any] = {}
                if since is not None:
                    params["since"] = since
                if paging:
                    params["limit"] = self.page_size
                page = self._fetch(session, params)
                entities.extend(page)
                if not paging or not page:
                    break
                if "_updated" not in page[-1]:
                    raise PipeRunError(f"pipe {self.pipe_id}: paged response entity without _updated")
                since = page[-1]["_updated"]
        return SourceRead(entities, full=full_read, offset=self._next_offset(None if full else offset, entities))

    def _fetch(self, session: requests.Session, params: dict[str, Any]) -> list[dict[str, Any]]:
        attempt = 0
        while True:
            try:
                return self._fetch_once(session, params)
            except _ReadError as error:
                if attempt >= retry_setting("max_read_retries", error.status, self.pump, self.system):
                    raise PipeRunError(error.message) from None
                attempt += 1
                time.sleep(retry_setting("read_retry_delay", error.status, self.pump, self.system))

    def _fetch_once(self, session: requests.Session, params: dict[str, Any]) -> list[dict[str, Any]]:
        url = self.system.url_for(self.spec["url"])
        where = f"pipe {self.pipe_id}: GET {self.spec['url']}"
        try:
            response = session.get(url, params=params, headers=self.system.headers(self.spec.get("headers")),
                                   timeout=self.system.timeout)
            content = response.content
        except requests.RequestException as error:
            raise _ReadError(f"{where} failed: {type(error).__name__}", None) from None
        if response.status_code != 200:
            raise _ReadError(f"{where} answered {response.status_code}", response.status_code)
        try:
            body = json.loads(content)
        except ValueError:
            raise PipeRunError(f"{where} did not return valid JSON") from None
        # "The HTTP body is JSON data which will always be in the form of a JSON array" (json-pull.rst).
        if not isinstance(body, list):
            raise PipeRunError(f"{where} did not return a JSON array")
        for entity in body:
            if not isinstance(entity, dict) or not isinstance(entity.get("_id"), str):
                raise PipeRunError(f"{where} returned an entity without a string _id")
        return body

    def _next_offset(self, offset: Any, entities: list[dict[str, Any]]) -> Any:
        if not self.uses_since:
            return None
        seen = [entity["_updated"] for entity in entities if "_updated" in entity]
        if not seen:
            return offset
        if self.chronological:
            return seen[-1]
        if len({type(value) for value in seen}) > 1:
            raise PipeRunError(f"pipe {self.pipe_id}: _updated values of mixed types cannot be compared")
        return max(seen) if offset is None or type(offset) is not type(seen[0]) else max(max(seen), offset)
