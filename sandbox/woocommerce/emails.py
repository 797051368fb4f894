"""WordPress's e-mail rules, as WooCommerce applies them (WordPress/wordpress-develop `src/wp-includes/formatting.php`).

`is_email()` decides what a store accepts: `WC_Customer::set_email`, `set_billing_email` and
`WC_Order::set_billing_email` refuse a non-empty value it rejects (`customer_invalid_email`, recording
`customers-d07-create-invalid-email-400.json`). `sanitize_email()` is what the customers controller's update path
stores (`$customer->set_email( sanitize_email( $request['email'] ) )`): it strips the characters `is_email()` refuses
instead of refusing them, so "jürgen@example.de" becomes "jrgen@example.de". Both are followed step by step; PHP's
`strlen` counts bytes, and `trim` drops " \\t\\n\\r\\0\\x0B" plus the characters named.
"""
from __future__ import annotations

import re

_LOCAL_CHARACTERS = r"a-zA-Z0-9!#$%&'*+/=?^_`{|}~.-"
_TRIMMED = " \t\n\r\0\x0b"


def is_email(email: str) -> bool:
    if len(email.encode()) < 6:                                   # email_too_short
        return False
    if email.find("@", 1) == -1:                                  # email_no_at
        return False
    local, domain = email.split("@", 1)
    if not re.match(rf"^[{_LOCAL_CHARACTERS}]+$", local):         # local_invalid_chars
        return False
    if re.search(r"\.{2,}", domain):                              # domain_period_sequence
        return False
    if domain.strip(_TRIMMED + ".") != domain:                    # domain_period_limits
        return False
    subs = domain.split(".")
    if len(subs) < 2:                                             # domain_no_periods
        return False
    for sub in subs:
        if sub.strip(_TRIMMED + "-") != sub:                      # sub_hyphen_limits
            return False
        if not re.match(r"^[a-z0-9-]+$", sub, re.IGNORECASE):     # sub_invalid_chars
            return False
    return True


def sanitize_email(email: str) -> str:
    if len(email.encode()) < 6 or email.find("@", 1) == -1:
        return ""
    local, domain = email.split("@", 1)
    local = re.sub(rf"[^{_LOCAL_CHARACTERS}]", "", local)
    if local == "":
        return ""
    domain = re.sub(r"\.{2,}", "", domain)
    if domain == "":
        return ""
    domain = domain.strip(_TRIMMED + ".")
    if domain == "":
        return ""
    subs = domain.split(".")
    if len(subs) < 2:
        return ""
    kept = [re.sub(r"[^a-z0-9-]+", "", sub.strip(_TRIMMED + "-"), flags=re.IGNORECASE) for sub in subs]
    kept = [sub for sub in kept if sub != ""]
    if len(kept) < 2:
        return ""
    return local + "@" + ".".join(kept)
