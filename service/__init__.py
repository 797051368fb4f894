"""The WooCommerce ⇄ Custom Webshop sync microservice (Sesam JSON Pull and JSON Push endpoints)."""
