"""The reference Custom Webshop (docs/custom-webshop-api.md) on SQLite: `create_app`, `seed_bulk`."""
