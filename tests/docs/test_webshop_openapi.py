"""The OpenAPI file is valid OpenAPI 3.1 and describes what the reference shop really sends."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from sandbox.serving import ServedApp
from sandbox.webshop.app import create_app

SPEC_PATH = Path(__file__).parents[2] / "docs" / "custom-webshop-api.openapi.yaml"
TOKEN = "openapi-test-token"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    document, _ = read_from_filename(str(SPEC_PATH))
    return document


def schema_errors(spec: dict[str, Any], name: str, instance: Any) -> list[str]:
    validator = OAS31Validator({"$ref": f"#/components/schemas/{name}", "components": spec["components"]})
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(instance)]


def test_spec_is_valid_openapi_3_1(spec: dict[str, Any]) -> None:
    validate(spec)
    assert spec["openapi"].startswith("3.1")


@pytest.mark.parametrize(("resource", "page_schema"),
                         [("customers", "CustomerPage"), ("products", "ProductPage"), ("variants", "VariantPage"),
                          ("orders", "OrderPage")])
def test_reference_listings_and_tombstones_match_the_spec(spec: dict[str, Any], resource: str,
                                                          page_schema: str) -> None:
    with ServedApp(create_app(token=TOKEN, seed="demo")) as served:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        first = requests.get(f"{served.url}/{resource}", headers=auth, timeout=5).json()["items"][0]
        requests.delete(f"{served.url}/{resource}/{first['id']}", headers=auth, timeout=5).raise_for_status()
        page = requests.get(f"{served.url}/{resource}", params={"include_deleted": "true", "limit": 500},
                            headers=auth, timeout=5).json()
    assert any(item.get("deleted") for item in page["items"])
    assert schema_errors(spec, page_schema, page) == []


def test_schemas_refuse_what_the_contract_refuses(spec: dict[str, Any]) -> None:
    assert schema_errors(spec, "ProductWrite", {"sku": "A", "name": "B", "price": "12.5"})
    assert schema_errors(spec, "Tombstone", {"id": 1, "deleted": False})


def test_reference_error_bodies_match_the_spec(spec: dict[str, Any]) -> None:
    with ServedApp(create_app(token=TOKEN, seed="demo")) as served:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        product = requests.get(f"{served.url}/products/1", headers=auth, timeout=5).json()
        answers = {
            "ValidationError": requests.post(f"{served.url}/products", json={"price": 1}, headers=auth, timeout=5),
            "DuplicateError": requests.post(f"{served.url}/products", json={**product, "id": None}, headers=auth,
                                            timeout=5),
            "VersionMismatchError": requests.patch(f"{served.url}/products/1", json={},
                                                   headers={**auth, "If-Match": "7"}, timeout=5),
            "Error": requests.get(f"{served.url}/products/999", headers=auth, timeout=5),
        }
    for schema, response in answers.items():
        assert schema_errors(spec, schema, response.json()) == [], schema
