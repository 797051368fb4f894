"""E-mail domains in the form WooCommerce can hold, and back (service/connectors/woocommerce_emails.py)."""
from __future__ import annotations

import pytest

from sandbox.woocommerce.emails import is_email
from service.connectors.woocommerce_emails import as_read, ascii_domain, for_store, unicode_domain


@pytest.mark.parametrize("address,stored", [
    ("ana@bücher.de", "ana@xn--bcher-kva.de"),
    ("konto@почта.рф", "konto@xn--80a1acny.xn--p1ai"),
    ("li@例子.中国", "li@xn--fsqu00a.xn--fiqs8s"),
    ("plain@Example.COM", "plain@Example.COM"),  # an ASCII domain is left exactly as it is
])
def test_an_international_domain_is_stored_in_the_form_wordpress_accepts_and_read_back(address, stored):
    assert ascii_domain(address) == stored
    assert is_email(stored), "WordPress's is_email() (as the sandbox follows it) accepts the stored form"
    assert unicode_domain(stored) == address


@pytest.mark.parametrize("address", ["jürgen@example.de", "ana@☃.net", "no-at-sign", "x@xn--zz.de"])
def test_what_has_no_idna_form_is_left_for_the_refusal_to_explain(address):
    assert ascii_domain(address) == address
    assert unicode_domain(address) == address


def test_only_the_emails_woocommerce_checks_are_converted():
    customer = {"email": "ana@bücher.de", "billing": {"email": "ana@bücher.de", "city": "Köln"},
                "shipping": {"city": "Köln"}}
    stored = for_store("customers", customer)
    assert stored == {"email": "ana@xn--bcher-kva.de", "billing": {"email": "ana@xn--bcher-kva.de", "city": "Köln"},
                      "shipping": {"city": "Köln"}}
    assert as_read("customers", stored) == customer
    assert for_store("orders", {"billing": {"email": "ana@bücher.de"}}) == {"billing": {"email": "ana@xn--bcher-kva.de"}}
    product = {"name": "ana@bücher.de"}
    assert for_store("products", product) == product
