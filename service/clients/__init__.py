"""HTTP clients for the shops we sync. They know HTTP and the shop's API, nothing of Sesam."""
