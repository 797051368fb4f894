"""The first sync of two shops that both already hold records, as a new user meets it.

Both shops number their records from low ids, so the same id means different records on the two sides; some
records exist on both sides (the same SKU or e-mail, written differently, with different values). After the first
sync every record is on both sides exactly once, the linked ones agree, and nothing moves any more.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from harness import World

# (first name, last name, e-mail local part, country, city): names and places from many countries
PEOPLE = [
    ("Åse", "Øvergård", "ase.overgard", "NO", "Tromsø"), ("Zoë", "Ångström", "zoe.angstrom", "SE", "Malmö"),
    ("Jürgen", "Groß", "juergen.gross", "DE", "München"), ("José", "Núñez", "jose.nunez", "ES", "A Coruña"),
    ("François", "Lefèvre", "francois.lefevre", "FR", "Besançon"), ("Siobhán", "Ó Briain", "siobhan", "IE", "Gaillimh"),
    ("Łukasz", "Żółkiewski", "lukasz.z", "PL", "Łódź"), ("Jiří", "Dvořák", "jiri.dvorak", "CZ", "Plzeň"),
    ("Ayşe", "Yılmaz", "ayse.yilmaz", "TR", "İzmir"), ("Δημήτρης", "Παπαδόπουλος", "dimitris.p", "GR", "Αθήνα"),
    ("Иван", "Петров", "ivan.petrov", "RU", "Санкт-Петербург"), ("Олена", "Коваленко", "olena.k", "UA", "Львів"),
    ("محمد", "العلي", "m.alali", "SA", "الرياض"), ("דוד", "כהן", "david.cohen", "IL", "חיפה"),
    ("राहुल", "शर्मा", "rahul.sharma", "IN", "मुंबई"), ("芳", "王", "wang.fang", "CN", "上海"),
    ("花子", "佐藤", "hanako.sato", "JP", "大阪"), ("민준", "김", "minjun.kim", "KR", "부산"),
    ("An", "Nguyễn Văn", "an.nguyen", "VN", "Huế"), ("สมชาย", "ใจดี", "somchai", "TH", "เชียงใหม่"),
    ("Chidi", "Okonkwo", "chidi.okonkwo", "NG", "Enugu"), ("Thandiwe", "Nkosi", "thandiwe", "ZA", "Durban"),
    ("João", "Conceição", "joao.c", "BR", "São Paulo"), ("Ana", "Pérez-Ávila", "ana.perez", "MX", "Mérida"),
    ("Aroha", "Ngata", "aroha.ngata", "NZ", "Ōtautahi"), ("Liam", "O'Connor", "liam.oconnor", "AU", "Cairns"),
    ("Björk", "Guðmundsdóttir", "bjork.g", "IS", "Reykjavík"), ("Mikko", "Häkkinen", "mikko.h", "FI", "Jyväskylä"),
    ("Ilse", "De Smedt", "ilse.desmedt", "BE", "Liège"), ("Giulia", "D'Angelo", "giulia.dangelo", "IT", "Torino"),
    ("Nuno", "Gonçalves", "nuno.g", "PT", "Évora"), ("Kofi", "Mensah", "kofi.mensah", "GH", "Kumasi"),
    ("Amani", "Wanjiru", "amani.w", "KE", "Mombasa"), ("Sione", "Tupou", "sione.tupou", "TO", "Nukuʻalofa"),
]
GOODS = ["Tea", "Kaffe", "Schokolade", "Fromage", "Miso", "Kimchi", "Chai", "Mate", "Halva", "Lokum", "Pierogi",
         "Brunost", "Paprika", "Saffron", "Vanille", "Matcha", "Rooibos", "Baklava", "Churros", "Pho"]
SHARED = 6  # records of each type that exist on both sides before the first sync


def email(local: str, country: str, side: str) -> str:
    return f"{local}.{side}@example.{country.lower()}"


def seed_woocommerce(world: World) -> None:
    for n, (first, last, local, country, city) in enumerate(PEOPLE):
        address = {"first_name": first, "last_name": last, "city": city, "country": country}
        # the shared customers are the same people: same address, e-mail written another way
        mail = email(local, country, "both").upper() if n < SHARED else email(local, country, "woo")
        world.woo_create("customers", {"email": mail, "first_name": first, "last_name": last,
                                       "billing": {**address, "email": mail}, "shipping": address})
    for n in range(34):
        sku = f"shared-{n}" if n < SHARED else f"woo-{n}"
        world.woo_create("products", {"name": f"{GOODS[n % len(GOODS)]} {n} (woo)", "sku": sku,
                                      "regular_price": f"{10 + n}.50", "status": "publish"})


def seed_webshop(world: World) -> None:
    for n, (first, last, local, country, city) in enumerate(reversed(PEOPLE)):
        index = len(PEOPLE) - 1 - n
        mail = email(local, country, "both") if index < SHARED else email(local, country, "shop")
        world.shop_create("customers", {"email": mail, "first_name": f"{first} (shop)", "last_name": last,
                                        "billing": {"city": city, "country": country}})
    for n in range(33):
        sku = f"SHARED-{n}" if n < SHARED else f"SHOP-{n}"
        world.shop_create("products", {"sku": sku, "name": f"{GOODS[(n + 7) % len(GOODS)]} {n} (shop)",
                                       "price": f"{20 + n}.00", "stock_quantity": n})


def customers(world: World) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return world.woo_list("customers"), world.shop_list("customers")


def test_first_sync_of_two_populated_shops_with_overlapping_ids(world: World):
    seed_woocommerce(world)
    seed_webshop(world)
    woo_customers, shop_customers = customers(world)
    overlap = {c["id"] for c in woo_customers} & {c["id"] for c in shop_customers}
    assert len(overlap) > 20, "both shops number from low ids: the same id is different people on each side"

    world.sync()

    woo_customers, shop_customers = customers(world)
    expected_mails = 2 * len(PEOPLE) - SHARED
    for side, records in (("WooCommerce", woo_customers), ("webshop", shop_customers)):
        mails = Counter(c["email"].lower() for c in records)
        assert len(records) == expected_mails and set(mails.values()) == {1}, (side, len(records), mails)
    woo_by_mail = {c["email"].lower(): c for c in woo_customers}
    for shop_customer in shop_customers:
        woo_customer = woo_by_mail[shop_customer["email"].lower()]
        assert (woo_customer["first_name"], woo_customer["last_name"]) == (
            shop_customer["first_name"], shop_customer["last_name"]), "linked customers agree"
        assert woo_customer["billing"]["city"] == shop_customer["billing"]["city"]

    woo_products, shop_products = world.woo_list("products"), world.shop_list("products")
    for side, records in (("WooCommerce", woo_products), ("webshop", shop_products)):
        skus = Counter(p["sku"].upper() for p in records)
        assert len(records) == 34 + 33 - SHARED and set(skus.values()) == {1}, (side, len(records), skus)
    woo_by_sku = {p["sku"].upper(): p for p in woo_products}
    for shop_product in shop_products:
        woo_product = woo_by_sku[shop_product["sku"].upper()]
        assert (woo_product["sku"], woo_product["name"], woo_product["regular_price"]) == (
            shop_product["sku"], shop_product["name"], shop_product["price"]), "linked products agree"
    world.assert_quiet()
    world.assert_agree()
