"""Authentication as real stores accept it (reference/woocommerce.md §1.1, FACTS §12), over real sockets:
OAuth 1.0a over plain http, Basic over https with a fallback to query-string keys when the host strips the
Authorization header, and a private CA through the standard REQUESTS_CA_BUNDLE."""
from __future__ import annotations

import datetime as dt
import ssl
from pathlib import Path

import ipaddress

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sandbox.serving import ServedApp
from sandbox.woocommerce import Store, create_app as create_store_app
from tests.integration.conftest import serve_woo, woo_settings


def read_customers(serve_service, url: str, store: Store, **settings) -> requests.Response:
    service = serve_service(woo_settings(url, **settings), clock=store.clock.now)
    return requests.get(f"{service.url}/entities/customer")


def seeded(**options):
    """A store with one customer, on real time: OAuth refuses timestamps 15 minutes off the store's clock."""
    served, store = serve_woo(**options)
    store.create(store.resource("customers"), {"email": "ada@example.test"})
    store.clock.unfreeze()
    return served, store


def test_plain_http_signs_with_oauth1(serve_service):
    served, store = seeded()
    try:
        response = read_customers(serve_service, served.url, store, woocommerce_auth="auto")
        assert response.status_code == 200 and [c["email"] for c in response.json()] == ["ada@example.test"]
    finally:
        served.stop()


def test_basic_auth_over_plain_http_is_anonymous_to_the_store(serve_service):
    """auth-401-no-credentials.json: Basic is ignored without https; the store says woocommerce_rest_cannot_view."""
    served, store = seeded()
    try:
        response = read_customers(serve_service, served.url, store, woocommerce_auth="basic")
        assert response.status_code == 502
        body = response.json()
        assert body["error"] == "UpstreamAuthError" and body["upstream_code"] == "woocommerce_rest_cannot_view"
        assert "cs_sandbox" not in response.text and "ck_sandbox" not in response.text
    finally:
        served.stop()


def test_a_wrong_secret_is_reported_at_once_as_configuration(serve_service):
    """auth-401-wrong-secret.json"""
    served, store = seeded()
    try:
        from service.settings import Secret
        response = read_customers(serve_service, served.url, store, woocommerce_auth="oauth1",
                                  woocommerce_consumer_secret=Secret("cs_wrong"))
        assert response.status_code == 502 and response.json()["error"] == "UpstreamAuthError"
        assert "cs_wrong" not in response.text
    finally:
        served.stop()


def _certificates(tmp: Path) -> tuple[Path, Path, Path]:
    """A private CA and a server certificate for 127.0.0.1 signed by it."""
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Private CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = tmp / "ca.pem", tmp / "server.pem", tmp / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


@pytest.fixture(scope="module")
def tls(tmp_path_factory) -> tuple[Path, ssl.SSLContext]:
    ca, cert, key = _certificates(tmp_path_factory.mktemp("tls"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return ca, context


def serve_tls_store(context: ssl.SSLContext, **options) -> tuple[ServedApp, Store]:
    store = Store()
    store.create(store.resource("customers"), {"email": "tls@example.test"})
    return ServedApp(create_store_app(store, tls=True, **options), ssl_context=context).start(), store


def test_a_store_with_a_private_ca_works_through_requests_ca_bundle(tls, monkeypatch, serve_service):
    ca, context = tls
    served, store = serve_tls_store(context)
    try:
        assert served.url.startswith("https://")
        unverified = read_customers(serve_service, served.url, store, woocommerce_auth="auto")
        assert unverified.status_code == 503, "an unknown CA is refused (and reported as unreachable)"
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca))
        verified = read_customers(serve_service, served.url, store, woocommerce_auth="auto")
        assert verified.status_code == 200 and verified.json()[0]["email"] == "tls@example.test"
    finally:
        served.stop()


def test_a_host_that_strips_authorization_gets_the_keys_in_the_query(tls, monkeypatch, serve_service):
    """woocommerce/woocommerce#17271: Basic → 401 woocommerce_rest_cannot_view; keys in the query work."""
    ca, context = tls
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca))
    served, store = serve_tls_store(context, strip_authorization=True)
    try:
        basic_only = read_customers(serve_service, served.url, store, woocommerce_auth="basic")
        assert basic_only.status_code == 502 and basic_only.json()["upstream_code"] == "woocommerce_rest_cannot_view"
        fallback = read_customers(serve_service, served.url, store, woocommerce_auth="auto")
        assert fallback.status_code == 200 and fallback.json()[0]["email"] == "tls@example.test"
    finally:
        served.stop()
