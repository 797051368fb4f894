"""Helpers shared by the emulator tests: a sesam-config folder written from Python objects, and small HTTP services
(a JSON Pull source and a JSON Push receiver) served on real sockets with `sandbox.serving.ServedApp`."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response, request

from sandbox.serving import ServedApp

MICROSERVICE = {"type": "system:microservice", "docker": {"image": "example/service:1", "port": 5000}}


def write_config(
    folder: Path,
    pipes: list[dict[str, Any]],
    systems: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
    env: dict[str, Any] | None = None,
) -> Path:
    (folder / "pipes").mkdir(parents=True, exist_ok=True)
    (folder / "systems").mkdir(exist_ok=True)
    for pipe in pipes:
        (folder / "pipes" / f"{pipe['_id']}.conf.json").write_text(json.dumps({"type": "pipe", **pipe}))
    for system in systems or []:
        (folder / "systems" / f"{system['_id']}.conf.json").write_text(json.dumps(system))
    if metadata is not None:
        (folder / "node-metadata.conf.json").write_text(json.dumps({"_id": "node", "type": "metadata", **metadata}))
    if env is not None:
        (folder / "test-env.json").write_text(json.dumps(env))
    return folder


def microservice(system_id: str) -> dict[str, Any]:
    return {"_id": system_id, **MICROSERVICE}


class FakeService:
    """A JSON Pull source at GET /entities (serving `entities`, honouring `since`/`limit` exclusively over
    `_updated`, as json-pull.rst's worked example does) and a JSON Push receiver at POST /receiver that records every
    request and answers with the next status in `push_statuses` (default 200)."""

    def __init__(self) -> None:
        self.reset()
        self.app = self._build()

    def reset(self) -> None:
        self.entities: list[dict[str, Any]] = []
        self.pull_requests: list[dict[str, str]] = []
        self.pull_status = 200
        self.pull_failures = 0  # the next N pulls answer 503
        self.pull_body: str | None = None
        self.pushes: list[tuple[dict[str, str], list[dict[str, Any]]]] = []
        self.push_statuses: list[int] = []
        self.fail_ids: set[str] = set()
        self.fail_status = 500  # what a batch holding one of fail_ids (or an entity `refuse` says) is answered with
        self.refuse: Callable[[dict[str, Any]], bool] = lambda entity: False
        self.headers_seen: list[dict[str, str]] = []

    def _build(self) -> Flask:
        app = Flask(__name__)

        @app.before_request
        def remember_headers() -> None:
            self.headers_seen.append(dict(request.headers))

        @app.get("/entities")
        def pull() -> Response:
            self.pull_requests.append(dict(request.args))
            if self.pull_failures:
                self.pull_failures -= 1
                return Response("busy", status=503)
            if self.pull_status != 200 or self.pull_body is not None:
                return Response(self.pull_body or "upstream failed", status=self.pull_status)
            since = request.args.get("since")
            found = [e for e in self.entities if since is None or str(e["_updated"]) > since]
            if "limit" in request.args:
                found = found[: int(request.args["limit"])]
            return Response(json.dumps(found), mimetype="application/json")

        @app.post("/receiver")
        def push() -> Response:
            batch = request.get_json()
            self.pushes.append((dict(request.args), batch))
            status = self.push_statuses.pop(0) if self.push_statuses else 200
            if any(entity["_id"] in self.fail_ids or self.refuse(entity) for entity in batch):
                status = self.fail_status
            return Response("{}", status=status, mimetype="application/json")

        return app

    @property
    def pushed_batches(self) -> list[list[dict[str, Any]]]:
        return [batch for _, batch in self.pushes]


Service = tuple[FakeService, str]  # the fake service and its base URL


@pytest.fixture(scope="session")
def served_service() -> Iterator[Service]:
    """One server for the whole run (stopping a server takes half a second); each test gets it reset."""
    fake = FakeService()
    with ServedApp(fake.app) as served:
        yield fake, served.url


@pytest.fixture
def service(served_service: Service) -> Service:
    served_service[0].reset()
    return served_service
