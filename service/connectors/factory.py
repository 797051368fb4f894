"""Builds the one connector this process serves, from its settings."""
from __future__ import annotations

from typing import Any

from service.clients.transport import RetryPolicy
from service.clients.webshop import WebshopClient
from service.clients.woocommerce import WooCommerceClient
from service.connectors.create_journal import CreateJournal
from service.connectors.webshop import WebshopConnector
from service.connectors.woocommerce import WooCommerceConnector
from service.settings import Settings


def build_connector(settings: Settings) -> Any:
    policy = RetryPolicy(retries=settings.upstream_retries)
    common = {"timeout": settings.upstream_timeout, "policy": policy, "pool_size": settings.upstream_concurrency}
    journal = CreateJournal(settings.uncertain_create_seconds)
    if settings.system == "woocommerce":
        assert settings.woocommerce_url and settings.woocommerce_consumer_key and settings.woocommerce_consumer_secret
        woo = WooCommerceClient(settings.woocommerce_url, settings.woocommerce_consumer_key,
                                settings.woocommerce_consumer_secret, auth=settings.woocommerce_auth, **common)
        return WooCommerceConnector(woo, concurrency=settings.upstream_concurrency,
                                    settle_seconds=settings.settle_seconds, delete_mode=settings.delete_mode,
                                    journal=journal)
    assert settings.webshop_url and settings.webshop_token
    shop = WebshopClient(settings.webshop_url, settings.webshop_token, settings.webshop_api,
                         **common)
    return WebshopConnector(shop, concurrency=settings.upstream_concurrency, settle_seconds=settings.settle_seconds,
                            journal=journal)
