"""A stateful stand-in for a WooCommerce 9.2 store's REST API (`/wp-json/wc/v3`), built from recorded behaviour."""
from .app import create_app
from .store import Store

__all__ = ["create_app", "Store"]
