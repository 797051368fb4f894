"""Stateful stand-ins for the systems our service talks to (WooCommerce, the reference Custom Webshop)."""
