"""The world: both shops, both services and the offline pipe runner, wired as a Sesam node would be."""
from __future__ import annotations

import io
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from dataflow.audit import AuditReport, EmulatorDeadLetters, Progress, audit
from emulator import Emulator
from emulator.runner import Report
from sandbox.serving import ServedApp
from sandbox.webshop.app import create_app as create_shop_app
from sandbox.woocommerce import Store, create_app as create_woo_app
from service.app import create_app
from service.sesam.since import UNSETTLED
from service.settings import Secret, Settings

CONFIG = Path(__file__).resolve().parents[1] / "sesam-config"
SERVICE_TOKEN = "sesam-service-token"
# The services hold back what changed this last second: WooCommerce stamps whole seconds, so a record read in the
# second it changed may change again within it (production default: 2 s, for clock skew between store and service).
SETTLE_SECONDS = 1.0
SHOP_TOKEN = "shop-token"
# The one secret the pipes' systems send (their basic-auth password); the shops' credentials are the services'.
SECRETS = {"service-token": SERVICE_TOKEN}


@dataclass
class World:
    woo: ServedApp
    shop: ServedApp
    woo_service: ServedApp
    shop_service: ServedApp
    state: Path
    config: Path
    woo_http: requests.Session = field(default_factory=requests.Session)
    # The node's environment variables besides test-env.json's (`order-reference-wait-seconds`, say).
    env: dict[str, Any] = field(default_factory=lambda: {"node-env": "prod"})
    shop_http: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self.woo_http.auth = ("ck_sandbox", "cs_sandbox")
        self.shop_http.headers["Authorization"] = f"Bearer {SHOP_TOKEN}"

    @property
    def woo_api(self) -> str:
        return self.woo.url + "/wp-json/wc/v3"

    def emulator(self) -> Emulator:
        return Emulator(self.config, systems={"woocommerce": self.woo_service.url, "customwebshop": self.shop_service.url},
                        env=self.env, secrets=SECRETS, state_dir=self.state)

    def sync(self, rounds: int | None = None, rescan: bool = False) -> Any:
        """Run the pipes; fail on any error.

        Without `rounds`, until the pipes have nothing left to do *and* no service is still holding records back:
        a record changed within the settle window is sent with an unsettled token and again once settled (README,
        "How a pull never skips a record"), which a node's next scheduled run picks up. Stopping earlier would judge
        the shops on a read the services themselves call provisional."""
        emulator = self.emulator()
        report = emulator.run(rounds=rounds, rescan=rescan)
        self._assert_no_errors(report)
        held = self._unsettled(emulator)
        while rounds is None and held:
            time.sleep(SETTLE_SECONDS)
            emulator = self.emulator()
            later = emulator.run()
            self._assert_no_errors(later)
            report = Report(report.rounds + later.rounds, later.settled, report.warnings + later.warnings)
            # A position held back that a settled read no longer moves past is one whose record is gone (deleted
            # for good, a variation whose parent is no longer variable): nothing is held back any more.
            held, before = self._unsettled(emulator), held
            if held == before:
                break
        return report

    @staticmethod
    def _assert_no_errors(report: Any) -> None:
        assert not report.errors, report.errors

    @staticmethod
    def _unsettled(emulator: Emulator) -> dict[str, str]:
        """The collect pipes whose position is a token held back (unsettled), with that token."""
        offsets = {pipe.id: str(emulator.store.pipe_state(pipe.id).get("offset", ""))
                   for pipe in emulator.pipes if pipe.id.endswith("-collect")}
        return {pipe_id: offset for pipe_id, offset in offsets.items() if UNSETTLED in offset}

    def writes(self) -> int:
        return self.woo_writes() + self.shop_writes()

    def assert_quiet(self) -> None:
        """Upstream writes stop within 3 rounds and stay at zero for 5 more (no ping-pong)."""
        per_round = []
        for round_number in range(8):
            if round_number >= 3:
                self.next_second()  # an echo through whole-second timestamps only shows once the second turns
            before = self.writes()
            self.sync(rounds=1)
            per_round.append(self.writes() - before)
        assert per_round[3:] == [0] * 5, f"writes per round: {per_round}"

    def audit(self) -> AuditReport:
        """`python -m dataflow audit` against the world's two services, with the pipes' dead letters for reasons."""
        letters = EmulatorDeadLetters(self.state) if (self.state / "pipes.json").is_file() else None
        return audit(self.woo_service.url, self.shop_service.url, SERVICE_TOKEN, config=self.config,
                     dead_letters=letters, progress=Progress(io.StringIO()))

    def assert_agree(self) -> None:
        """The two shops agree, property by property, as the audit reads them."""
        report = self.audit()
        assert report.agree, report.text()

    @staticmethod
    def next_second() -> None:
        """WooCommerce stamps whole seconds: an edit in the same second as the sync's own write would look older
        than it (README, "Golden values"). Real edits come seconds apart; the scenarios wait for the next second."""
        time.sleep(1.05 - time.time() % 1)

    def woo_get(self, resource: str, record_id: int) -> dict[str, Any]:
        return self.woo_http.get(f"{self.woo_api}/{resource}/{record_id}").json()

    def shop_get(self, resource: str, record_id: int) -> requests.Response:
        return self.shop_http.get(f"{self.shop.url}/{resource}/{record_id}")

    # -- WooCommerce -------------------------------------------------------------------------------------------
    def woo_create(self, resource: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.woo_http.post(f"{self.woo_api}/{resource}", json=body)
        assert answer.status_code == 201, answer.text
        return answer.json()

    def woo_list(self, resource: str, **params: Any) -> list[dict[str, Any]]:
        return self.woo_http.get(f"{self.woo_api}/{resource}", params={"per_page": 100, **params}).json()

    def woo_writes(self) -> int:
        return requests.get(self.woo.url + "/_sandbox/stats").json()["total_writes"]

    # -- Custom Webshop ----------------------------------------------------------------------------------------
    def shop_create(self, resource: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.shop_http.post(f"{self.shop.url}/{resource}", json=body)
        assert answer.status_code == 201, answer.text
        return answer.json()

    def shop_list(self, resource: str, **params: Any) -> list[dict[str, Any]]:
        return self.shop_http.get(f"{self.shop.url}/{resource}", params={"limit": 500, **params}).json()["items"]

    def shop_writes(self) -> int:
        stats = requests.get(self.shop.url + "/_sandbox/stats").json()
        return sum(n for counts in stats.values() for n in counts.values())  # {resource: {operation: n}}

    def stop(self) -> None:
        for served in (self.woo_service, self.shop_service, self.woo, self.shop):
            served.stop()


def fast_retry_copy(folder: Path) -> Path:
    """sesam-config as it is, but with the systems' retry delays at zero: the runner really sleeps them, and a
    scenario must not wait a minute for a retry. Nothing else differs."""
    shutil.copytree(CONFIG, folder)
    for system_file in (folder / "systems").glob("*.conf.json"):
        system = json.loads(system_file.read_text())
        for rule in system.get("retry_strategy", {}).values():
            for key in ("write_retry_delay", "read_retry_delay"):
                if key in rule:
                    rule[key] = 0
        system_file.write_text(json.dumps(system))
    return folder


def start_world(state: Path, woo_store: Store | None = None, shop_app: Any = None) -> World:
    """A world over fresh shops, or over a WooCommerce store and a webshop app (`create_shop_app(token=SHOP_TOKEN)`)
    already loaded, as the benchmarks load them without HTTP."""
    woo = ServedApp(create_woo_app(woo_store or Store(), behind_https=True)).start()
    shop = ServedApp(shop_app or create_shop_app(token=SHOP_TOKEN)).start()
    common: dict[str, Any] = dict(service_token=Secret(SERVICE_TOKEN), settle_seconds=SETTLE_SECONDS, upstream_retries=1,
                                  log_level="WARNING")
    woo_service = ServedApp(create_app(Settings(
        system="woocommerce", woocommerce_url=woo.url, woocommerce_consumer_key=Secret("ck_sandbox"),
        woocommerce_consumer_secret=Secret("cs_sandbox"), woocommerce_auth="basic", **common))).start()
    shop_service = ServedApp(create_app(Settings(
        system="customwebshop", webshop_url=shop.url, webshop_token=Secret(SHOP_TOKEN), **common))).start()
    return World(woo, shop, woo_service, shop_service, state, fast_retry_copy(state.parent / "sesam-config"))
