"""What a resource may ask of the store it belongs to: the time, the id sequences, the random source, and the other
resources by name.

The store (store.py) builds the resources and hands itself to each as its `Site`; resources depend on this
protocol, never on store.py, so imports go one way: app, routes, control, seed → store → orders, products,
customers → resource → site, table, errors. The other resources are `Any` here because naming their classes would
import them back into every resource module.
"""
from __future__ import annotations

import random
from typing import Any, Protocol


class Site(Protocol):
    random: random.Random
    customers: Any
    products: Any
    variations: Any
    orders: Any

    def now_text(self) -> str: ...

    def next_post_id(self) -> int: ...

    def next_user_id(self) -> int: ...

    def next_item_id(self) -> int: ...

    def next_meta_id(self) -> int: ...

    def next_term_id(self) -> int: ...

    def next_comment_id(self) -> int: ...
