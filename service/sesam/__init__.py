"""The Sesam side of the service: JSON Pull streams and JSON Push receivers."""
