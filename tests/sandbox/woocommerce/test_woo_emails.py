"""E-mail syntax as a real store applies it: WordPress's is_email() and sanitize_email()
(WordPress/wordpress-develop src/wp-includes/formatting.php) behind WooCommerce's setters (FACTS §3)."""
from __future__ import annotations

import pytest
from woo_recordings import assert_error_as_recorded, recording

REFUSED = [
    "not-an-email",            # customers-d07-create-invalid-email-400.json
    "a@b.c",                   # 5 bytes: email_too_short
    "@example.test",           # email_no_at (the @ must come after the first character)
    "jürgen@example.de",       # local_invalid_chars: the local part is ASCII only
    "李@example.cn",
    "ana@exa..mple.test",      # domain_period_sequence
    "ana@.example.test",       # domain_period_limits
    "ana@localhost",           # domain_no_periods
    "ana@-example.test",       # sub_hyphen_limits
    "ana@bücher.de",           # sub_invalid_chars: no i18n domains
    "ana@exa_mple.test",
    "a b@example.test",
]
ACCEPTED = ["ab@c.de", "o'brien+tag@example.co.uk", "A.B@EXAMPLE.TEST", "x..y@example.test", "1@2.3.45"]


@pytest.mark.parametrize("email", REFUSED)
def test_a_create_with_an_address_is_email_refuses_is_customer_invalid_email(shop, email):
    answer = shop.post("/customers", {"email": email})
    assert (answer.status_code, answer.json()["code"]) == (400, "customer_invalid_email"), email


@pytest.mark.parametrize("email", ACCEPTED)
def test_addresses_is_email_accepts_are_created_as_sent(shop, email):
    assert shop.created("/customers", {"email": email})["email"] == email


def test_the_recorded_refusal_is_reproduced(shop):
    name = "customers-d07-create-invalid-email-400.json"
    assert_error_as_recorded(shop.post("/customers", recording(name)["request"]["body"]), name)


def test_an_update_stores_the_sanitized_address_as_the_controller_does(shop):
    """update_item: `$customer->set_email( sanitize_email( $request['email'] ) )` strips what is_email refuses."""
    customer = shop.created("/customers", {"email": "juergen@example.de"})
    changed = shop.put(f"/customers/{customer['id']}", {"email": "jürgen@example.de"})
    assert changed.status_code == 200 and changed.json()["email"] == "jrgen@example.de"


def test_a_change_of_ones_own_email_in_letter_case_alone_is_refused_as_taken(shop):
    """update_item checks `email_exists( $request['email'] ) && $request['email'] !== $customer->get_email()`:
    the address exists (it is the customer's own, matched case-insensitively) and differs as a string."""
    customer = shop.created("/customers", {"email": "kim@example.test"})
    answer = shop.put(f"/customers/{customer['id']}", {"email": "Kim@Example.test"})
    assert (answer.status_code, answer.json()["code"]) == (400, "woocommerce_rest_customer_invalid_email")
    assert shop.put(f"/customers/{customer['id']}", {"email": "kim@example.test"}).status_code == 200


@pytest.mark.parametrize("path,body,code", [
    ("/customers", {"email": "ok@example.test", "billing": {"email": "jürgen@example.de"}},
     "customer_invalid_billing_email"),
    ("/orders", {"billing": {"email": "jürgen@example.de"}}, "order_invalid_billing_email"),
])
def test_a_billing_email_is_email_refuses_is_refused_by_its_setter(shop, path, body, code):
    answer = shop.post(path, body)
    assert (answer.status_code, answer.json()["code"], answer.json()["message"]) == \
        (400, code, "Invalid billing email address")
    assert shop.post(path, {**body, "billing": {"email": ""}}).status_code == 201, "an empty billing e-mail is fine"
