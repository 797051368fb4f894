"""Builds the one connector this process serves, from its settings."""
from __future__ import annotations

from typing import Any

from service.clients.transport import RetryPolicy
from service.clients.woocommerce import WooCommerceClient
from service.connectors.woocommerce import WooCommerceConnector
from service.settings import Settings


def build_connector(settings: Settings) -> Any:
    if settings.system == "woocommerce":
        assert settings.woocommerce_url and settings.woocommerce_consumer_key and settings.woocommerce_consumer_secret
        client = WooCommerceClient(
            settings.woocommerce_url, settings.woocommerce_consumer_key, settings.woocommerce_consumer_secret,
            auth=settings.woocommerce_auth, timeout=settings.upstream_timeout,
            policy=RetryPolicy(retries=settings.upstream_retries), pool_size=settings.upstream_concurrency)
        return WooCommerceConnector(client, concurrency=settings.upstream_concurrency,
                                    settle_seconds=settings.settle_seconds, delete_mode=settings.delete_mode)
    raise NotImplementedError(f"SYSTEM={settings.system} has no connector yet")
