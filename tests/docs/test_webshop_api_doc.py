"""docs/custom-webshop-api.md §9 documents WEBSHOP_API: its table is the adapter's fields and defaults, and its
example, taken from the document as written, reads a shop shaped like the one it describes."""
from __future__ import annotations

import json
import re
from dataclasses import fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from sandbox.serving import ServedApp
from service.app import create_app
from service.clients.webshop_api import WebshopApi
from service.settings import Settings
from tests.integration.test_webshop_side import TOKEN, LegacyShop

DOC = Path(__file__).resolve().parents[2] / "docs" / "custom-webshop-api.md"


def section() -> str:
    text = DOC.read_text()
    start = text.index("## 9. Shops that differ from this contract: `WEBSHOP_API`")
    following = text.find("\n## ", start + 1)
    return text[start:] if following < 0 else text[start:following]


def documented_defaults() -> dict[str, str]:
    rows = re.findall(r"^\| `(\w+)` \| (.+?) \| .+ \|$", section(), re.MULTILINE)
    return dict(rows)


def test_the_table_lists_every_key_with_its_default():
    table = documented_defaults()
    defaults = WebshopApi()
    assert list(table) == [f.name for f in fields(WebshopApi)]
    for key, shown in table.items():
        value = getattr(defaults, key)
        if key == "params":
            assert value == {name: name for name in value} and shown == "each parameter's own name"
        else:
            assert json.loads(shown.strip("`")) == value, key


def test_the_example_reads_the_shop_it_describes():
    example = re.search(r"```json\n(.+?)```", section(), re.DOTALL).group(1)
    settings = Settings.from_env({"SYSTEM": "customwebshop", "WEBSHOP_URL": "http://placeholder.example",
                                  "WEBSHOP_TOKEN": TOKEN, "WEBSHOP_API": example.replace("\n", " ")})
    # 250 clients, 120 of them saved in one instant, so one page holds nothing but that instant.
    same_moment = "2026-11-28T03:17:04.500000Z"
    records = [{"key": n, "mail": f"client{n}@example.pt",
                "modified": same_moment if n <= 120 else f"2026-11-28T03:{18 + n // 60:02d}:{n % 60:02d}.000000Z"}
               for n in range(1, 251)]
    with ServedApp(LegacyShop(records, per_page=settings.webshop_api.page_size)) as shop:
        app = create_app(replace(settings, webshop_url=shop.url))
        app.config["CONNECTOR"].clock = lambda: datetime(2026, 11, 29)
        with ServedApp(app) as service:
            full = service_entities(service.url)
            assert [entity["_id"] for entity in full] == [str(n) for n in range(1, 251)]
            assert service_entities(service.url, since=full[130]["_updated"]) == full[131:]


def service_entities(url: str, **params: str) -> list[dict[str, Any]]:
    response = requests.get(f"{url}/entities/customer", params=params, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()
