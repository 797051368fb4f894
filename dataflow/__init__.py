"""The two-way dataflow between WooCommerce and the Custom Webshop, declared once (`model.py`) and generated into
the Sesam pipes QA imports (`sesam-config/`) and the QA dataflow documents (`docs/dataflow/`)."""
