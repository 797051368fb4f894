"""Both shops, both services and the offline pipe runner, wired as a Sesam node would be — for the scenarios."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from emulator import Emulator
from sandbox.serving import ServedApp
from sandbox.webshop.app import create_app as create_shop_app
from sandbox.woocommerce import Store, create_app as create_woo_app
from service.app import create_app
from service.settings import Secret, Settings

CONFIG = Path(__file__).resolve().parents[2] / "sesam-config"
SERVICE_TOKEN = "sesam-service-token"
SHOP_TOKEN = "shop-token"
SECRETS = {"service-token": SERVICE_TOKEN, "woocommerce-consumer-key": "ck_sandbox",
           "woocommerce-consumer-secret": "cs_sandbox", "customwebshop-token": SHOP_TOKEN}


@dataclass
class World:
    woo: ServedApp
    shop: ServedApp
    woo_service: ServedApp
    shop_service: ServedApp
    state: Path
    woo_http: requests.Session = field(default_factory=requests.Session)
    shop_http: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self.woo_http.auth = ("ck_sandbox", "cs_sandbox")
        self.shop_http.headers["Authorization"] = f"Bearer {SHOP_TOKEN}"

    @property
    def woo_api(self) -> str:
        return self.woo.url + "/wp-json/wc/v3"

    def emulator(self) -> Emulator:
        return Emulator(CONFIG, systems={"woocommerce": self.woo_service.url, "customwebshop": self.shop_service.url},
                        env={"node-env": "prod"}, secrets=SECRETS, state_dir=self.state)

    def sync(self, rounds: int | None = None, rescan: bool = False) -> Any:
        return self.emulator().run(rounds=rounds, rescan=rescan)

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
        return sum(n for counts in stats.get("writes", {}).values() for n in counts.values())

    def stop(self) -> None:
        for served in (self.woo_service, self.shop_service, self.woo, self.shop):
            served.stop()


def start_world(state: Path) -> World:
    woo = ServedApp(create_woo_app(Store(), behind_https=True)).start()
    shop = ServedApp(create_shop_app(token=SHOP_TOKEN)).start()
    common: dict[str, Any] = dict(service_token=Secret(SERVICE_TOKEN), settle_seconds=0, upstream_retries=1,
                                  log_level="WARNING")
    woo_service = ServedApp(create_app(Settings(
        system="woocommerce", woocommerce_url=woo.url, woocommerce_consumer_key=Secret("ck_sandbox"),
        woocommerce_consumer_secret=Secret("cs_sandbox"), woocommerce_auth="basic", **common))).start()
    shop_service = ServedApp(create_app(Settings(
        system="customwebshop", webshop_url=shop.url, webshop_token=Secret(SHOP_TOKEN), **common))).start()
    return World(woo, shop, woo_service, shop_service, state)
