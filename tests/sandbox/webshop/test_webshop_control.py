"""Auth, the /_sandbox control plane (reset, clock, stats, faults), the command line, concurrent writers."""
from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from sandbox.serving import ServedApp
from sandbox.webshop.app import create_app
from webshop_client import TOKEN, Api, customer, product


@pytest.mark.parametrize("authorization", [None, "Bearer nope", f"Basic {TOKEN}", TOKEN])
def test_every_api_request_needs_the_bearer_token(api: Api, authorization: str | None) -> None:
    response = requests.get(api.url("/customers"), headers={"Authorization": authorization} if authorization else {},
                            timeout=5)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized" and TOKEN not in response.text
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="webshop"'


def test_reset_empties_the_shop_and_seeds_deterministic_demo_data(api: Api) -> None:
    api.create("customers", customer(1))
    assert api.post("/_sandbox/reset", json={"seed": "demo"}).json() == {"reset": True, "seed": "demo"}
    counts = {name: len(api.scan(name, limit=500)) for name in ("customers", "products", "orders")}
    assert counts == {"customers": 10, "products": 20, "orders": 30}
    first_order = api.get("/orders/1").json()
    api.post("/_sandbox/reset", json={"seed": "demo"}).raise_for_status()
    assert api.get("/orders/1").json() == first_order
    assert api.post("/_sandbox/reset", json={"seed": "huge"}).status_code == 422


def test_clock_freezes_advances_and_refuses_bad_input_unchanged(api: Api) -> None:
    assert api.put("/_sandbox/clock", json={"advance": 1.5}).json() == {
        "now": "2026-11-28T03:17:05.500000Z", "frozen": True}
    assert api.create("customers", customer(1))["created_at"] == "2026-11-28T03:17:05.500000Z"
    for bad in ({"now": "2026-11-28T03:17:04"}, {"advance": "1"}, {"frozen": True}, {"hour": 1}, []):
        assert api.put("/_sandbox/clock", json=bad).status_code == 422
    assert api.get("/_sandbox/clock").json()["now"] == "2026-11-28T03:17:05.500000Z"
    assert api.put("/_sandbox/clock", json={"frozen": False}).json()["frozen"] is False


def test_stats_count_real_writes_by_resource_and_operation(api: Api) -> None:
    api.create("products", product(1))
    api.patch("/products/1", json={"name": "Changed"}).raise_for_status()
    api.patch("/products/1", json={"name": "Changed"}).raise_for_status()
    api.delete("/products/1").raise_for_status()
    stats = api.delete("/_sandbox/stats").json()
    assert stats["products"] == {"create": 1, "update": 1, "delete": 1}
    assert api.get("/_sandbox/stats").json()["products"] == {"create": 0, "update": 0, "delete": 0}


def test_faults_answer_before_the_shop_and_then_stop(api: Api) -> None:
    rule = {"fail": [{"status": 503, "count": 1, "retry_after": 2, "path": "/products", "method": "POST"}]}
    api.put("/_sandbox/faults", json=rule).raise_for_status()
    refused = api.post("/products", json=product(1))
    assert (refused.status_code, refused.headers["Retry-After"]) == (503, "2")
    assert api.post("/products", json=product(1)).status_code == 201
    assert api.get("/_sandbox/stats").json()["products"]["create"] == 1


def test_concurrent_writers_get_distinct_ids_and_strictly_increasing_stamps() -> None:
    with ServedApp(create_app(token=TOKEN)) as served:
        client = Api(served.url)
        with ThreadPoolExecutor(max_workers=8) as pool:
            created = list(pool.map(lambda n: client.create("customers", customer(n)), range(40)))
            list(pool.map(lambda r: client.patch(f"/customers/{r['id']}", json={"last_name": "x"}), created))
        items = client.scan("customers", limit=7)
    assert sorted(item["id"] for item in items) == list(range(1, 41))
    stamps = [item["updated_at"] for item in items]
    assert stamps == sorted(stamps) and len(set(stamps)) == 40


def test_file_database_survives_a_restart(tmp_path: Path) -> None:
    path = str(tmp_path / "shop.db")
    with ServedApp(create_app(db_path=path, token=TOKEN)) as served:
        created = Api(served.url).create("products", product(1))
    with ServedApp(create_app(db_path=path, token=TOKEN, seed="demo")) as served:
        assert Api(served.url).scan("products") == [created]


def test_command_line_prints_its_url_and_serves_with_the_given_token() -> None:
    process = subprocess.Popen([sys.executable, "-m", "sandbox.webshop", "--port", "0", "--token", "cli-token",
                                "--seed", "demo"], stdout=subprocess.PIPE, text=True,
                               cwd=Path(__file__).parents[3])
    try:
        line = process.stdout.readline() if process.stdout else ""
        url = line.rsplit(" ", 1)[-1].strip()
        assert line.startswith("Custom Webshop sandbox listening on http://127.0.0.1:")
        response = requests.get(f"{url}/products", headers={"Authorization": "Bearer cli-token"}, timeout=5)
        assert len(response.json()["items"]) == 20
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_command_line_refuses_an_unknown_breakage() -> None:
    result = subprocess.run([sys.executable, "-m", "sandbox.webshop", "--broken", "everything"],
                            capture_output=True, text=True, cwd=Path(__file__).parents[3], timeout=30)
    assert result.returncode == 2 and "invalid choice" in result.stderr
