"""Authentication as `WC_REST_Authentication` does it: OAuth 1.0a over http, Basic and query keys behind https."""
from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256, SIGNATURE_TYPE_QUERY
from requests_oauthlib import OAuth1
from woo_recordings import assert_error_as_recorded

from sandbox.serving import ServedApp
from sandbox.woocommerce import Store, create_app

KEY, SECRET = "ck_test", "cs_test"


@pytest.fixture(scope="module")
def http_shop() -> Iterator[str]:
    with ServedApp(create_app(Store(), consumer_key=KEY, consumer_secret=SECRET,
                              read_only_key=("ck_read", "cs_read"))) as served:
        yield f"{served.url}/wp-json/wc/v3"


@pytest.fixture(scope="module")
def https_shop() -> Iterator[str]:
    with ServedApp(create_app(Store(), consumer_key=KEY, consumer_secret=SECRET, behind_https=True)) as served:
        yield f"{served.url}/wp-json/wc/v3"


@pytest.fixture(scope="module")
def stripping_shop() -> Iterator[str]:
    with ServedApp(create_app(Store(), consumer_key=KEY, consumer_secret=SECRET, behind_https=True,
                              strip_authorization=True)) as served:
        yield f"{served.url}/wp-json/wc/v3"


def test_oauth1_signed_by_a_real_client_is_accepted_in_header_and_query(http_shop):
    for auth in (OAuth1(KEY, SECRET), OAuth1(KEY, SECRET, signature_type=SIGNATURE_TYPE_QUERY),
                 OAuth1(KEY, SECRET, signature_method=SIGNATURE_HMAC_SHA256)):
        response = requests.get(f"{http_shop}/products", params={"per_page": 5, "orderby": "id", "_fields": "id,name"},
                                auth=auth)
        assert response.status_code == 200, response.text


def test_oauth1_write_with_json_body_is_accepted(http_shop):
    """A JSON body is not part of the signature."""
    response = requests.post(f"{http_shop}/products", json={"name": "Signed"}, auth=OAuth1(KEY, SECRET))
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("auth, message", [
    (OAuth1(KEY, "cs_wrong"), "Invalid signature - provided signature does not match."),
    (OAuth1(KEY, SECRET, timestamp=str(int(time.time()) - 16 * 60)), "Invalid timestamp."),
    (OAuth1("ck_unknown", SECRET), "Consumer key is invalid."),
])
def test_oauth1_refusals(http_shop, auth, message):
    response = requests.get(f"{http_shop}/products", auth=auth)
    assert (response.status_code, response.json()) == (
        401, {"code": "woocommerce_rest_authentication_error", "message": message, "data": {"status": 401}})


def test_oauth1_nonce_is_used_once(http_shop):
    auth = OAuth1(KEY, SECRET, nonce="fixed-nonce-123", timestamp=str(int(time.time())))
    assert requests.get(f"{http_shop}/products", auth=auth).status_code == 200
    again = requests.get(f"{http_shop}/products", auth=auth)
    assert again.json()["message"] == "Invalid nonce - nonce has already been used."


def test_oauth1_signature_covers_the_query(http_shop):
    prepared = requests.Request("GET", f"{http_shop}/products", params={"per_page": 5},
                                auth=OAuth1(KEY, SECRET, signature_type=SIGNATURE_TYPE_QUERY)).prepare()
    tampered = prepared.url.replace("per_page=5", "per_page=6")
    assert requests.get(tampered).json()["message"] == "Invalid signature - provided signature does not match."


def test_basic_and_query_keys_are_ignored_over_http(http_shop):
    """`auth-401-no-credentials.json`: over http the request runs as anonymous."""
    basic = requests.get(f"{http_shop}/products", params={"per_page": 1}, auth=(KEY, SECRET))
    assert_error_as_recorded(basic, "auth-401-no-credentials.json")
    query = requests.get(f"{http_shop}/products", params={"per_page": 1, "consumer_key": KEY,
                                                          "consumer_secret": SECRET})
    assert_error_as_recorded(query, "auth-401-no-credentials.json")


def test_read_only_key_cannot_write(http_shop):
    assert requests.get(f"{http_shop}/orders", auth=OAuth1("ck_read", "cs_read")).status_code == 200
    response = requests.post(f"{http_shop}/orders", json={}, auth=OAuth1("ck_read", "cs_read"))
    assert (response.status_code, response.json()["message"]) == (
        401, "The API key provided does not have write permissions.")


def test_basic_behind_https(https_shop):
    """`auth-401-wrong-secret.json`, `auth-401-unknown-key.json`, `auth-401-no-credentials.json`."""
    assert requests.get(f"{https_shop}/products", auth=(KEY, SECRET)).status_code == 200
    assert_error_as_recorded(requests.get(f"{https_shop}/products", params={"per_page": 1}, auth=(KEY, "cs_wrong")),
                             "auth-401-wrong-secret.json")
    assert_error_as_recorded(requests.get(f"{https_shop}/products", params={"per_page": 1}, auth=("ck_x", SECRET)),
                             "auth-401-unknown-key.json")
    assert_error_as_recorded(requests.get(f"{https_shop}/products", params={"per_page": 1}),
                             "auth-401-no-credentials.json")


def test_query_keys_are_checked_before_basic(https_shop):
    response = requests.get(f"{https_shop}/products", params={"consumer_key": KEY, "consumer_secret": "cs_wrong"},
                            auth=(KEY, SECRET))
    assert response.json()["message"] == "Consumer secret is invalid."


def test_oauth_base_string_uses_https_behind_a_proxy(https_shop):
    """The signed URL is the store's https URL, not the http one the proxy forwards."""
    https_url = https_shop.replace("http://", "https://")
    prepared = requests.Request("GET", f"{https_url}/products", auth=OAuth1(KEY, SECRET)).prepare()
    assert requests.get(f"{https_shop}/products", headers={"Authorization": prepared.headers["Authorization"]}
                        ).status_code == 200


def test_stripped_authorization_leaves_only_query_keys(stripping_shop):
    assert_error_as_recorded(requests.get(f"{stripping_shop}/products", params={"per_page": 1}, auth=(KEY, SECRET)),
                             "auth-401-no-credentials.json")
    query = requests.get(f"{stripping_shop}/products", params={"consumer_key": KEY, "consumer_secret": SECRET})
    assert query.status_code == 200


def test_secrets_never_appear_in_error_bodies(https_shop):
    response = requests.get(f"{https_shop}/products", auth=(KEY, "cs_wrong_secret_value"))
    assert "cs_wrong_secret_value" not in response.text and SECRET not in response.text


def _self_signed(directory) -> tuple[str, str]:
    """A throwaway certificate for 127.0.0.1."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def test_command_line_serves_real_tls_with_basic_auth(tmp_path):
    """`--tls-cert/--tls-key`: https is on by itself, so Basic auth works; the first line names the URL."""
    import subprocess
    import sys

    cert, key = _self_signed(tmp_path)
    process = subprocess.Popen([sys.executable, "-m", "sandbox.woocommerce", "--seed", "demo", "--tls-cert", cert,
                                "--tls-key", key], stdout=subprocess.PIPE, text=True)
    try:
        url = process.stdout.readline().split()[-1]
        assert url.startswith("https://127.0.0.1:")
        response = requests.get(f"{url}/wp-json/wc/v3/products", auth=("ck_sandbox", "cs_sandbox"), verify=cert)
        assert response.status_code == 200 and len(response.json()) == 10
        assert response.json()[0]["permalink"].startswith(url)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_anonymous_list_with_bad_parameters_gets_the_400(http_shop):
    """WordPress validates parameters before the permission callback (`orders-list-per-page-101-400.json`)."""
    assert_error_as_recorded(requests.get(f"{http_shop}/orders", params={"per_page": 101}),
                             "orders-list-per-page-101-400.json")
    assert requests.get(f"{http_shop}/orders", params={"per_page": 100}).status_code == 401
