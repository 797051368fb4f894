"""The reference Custom Webshop: our published contract (docs/custom-webshop-api.md) served from SQLite."""
from __future__ import annotations

from collections.abc import Iterable

from flask import Flask

from sandbox import faults
from sandbox.faults import FaultInjector
from sandbox.webshop import control, routes
from sandbox.webshop.broken import parse_breakages
from sandbox.webshop.broken_proxy import PROXIED, BrokenProxy
from sandbox.webshop.clock import Clock
from sandbox.webshop.db import Database
from sandbox.webshop.seed import SEEDS
from sandbox.webshop.store import Store

DEFAULT_TOKEN = "webshop-sandbox-token"


def create_app(db_path: str = ":memory:", token: str = DEFAULT_TOKEN, seed: str | None = None,
               clock: Clock | None = None, broken: Iterable[str] = (),
               fault_spec: faults.Faults | None = None) -> FaultInjector:
    """A WSGI app wrapped in `FaultInjector`; the Flask app is its `.app`, the `Store` is `seed.store_of(app)`.

    `broken` names contract violations from `sandbox.webshop.broken` to switch on (for the checker's tests); those
    in `broken_proxy.PROXIED` are made by a middleware in front of the shop.
    """
    if seed is not None and seed not in SEEDS:
        raise ValueError(f"unknown seed {seed!r}; known: {', '.join(SEEDS)}")
    if not token:
        raise ValueError("the token must not be empty")
    breakages = parse_breakages(broken)
    app = Flask(__name__)
    app.config.update(WEBSHOP_TOKEN=token, WEBSHOP_BROKEN=breakages)
    store = Store(Database(db_path), clock or Clock(), breakages)
    app.extensions["webshop"] = store
    routes.register(app)
    app.register_blueprint(control.bp)
    if breakages & PROXIED:
        app.wsgi_app = BrokenProxy(app.wsgi_app, breakages, token, store.note_arrival)  # type: ignore[method-assign]
    if seed is not None and store.db.is_empty():
        SEEDS[seed](store)
    return FaultInjector(app, fault_spec)
