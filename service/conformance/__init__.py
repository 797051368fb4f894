"""A checker that tells whether a Custom Webshop complies with docs/custom-webshop-api.md."""
