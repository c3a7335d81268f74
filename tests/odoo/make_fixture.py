#!/usr/bin/env python3
"""Writes fixture.json: realistic master data of a hospital for the Odoo test
server. Deterministic (fixed seed), so the committed fixture can be remade.

    python3 make_fixture.py > fixture.json
    python3 make_fixture.py --suppliers 810 > big.json   # ~50 000 products, for benchmarks
"""
import argparse
import json
import random

parser = argparse.ArgumentParser()
parser.add_argument("--suppliers", type=int, default=5, help="suppliers of each product kind")
SUPPLIERS = parser.parse_args().suppliers
random.seed(20261124)


def gtin13(prefix12):
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(prefix12)))
    return prefix12 + str((10 - total % 10) % 10)


# Odoo's product categories ("complete_name" joins the path with " / "):
# a site's formulary may take whole categories (odoo.categories).
CATEGORIES = [
    {"id": 1, "name": "All", "parent_id": None},
    {"id": 2, "name": "Medical supplies", "parent_id": 1},
    {"id": 3, "name": "Protective equipment", "parent_id": 2},
    {"id": 4, "name": "Injection and infusion devices", "parent_id": 2},
    {"id": 5, "name": "Wound care", "parent_id": 2},
    {"id": 6, "name": "Urology", "parent_id": 2},
    {"id": 7, "name": "Pharmacy", "parent_id": 1},
    {"id": 8, "name": "Infusions", "parent_id": 7},
    {"id": 9, "name": "Oral medicines", "parent_id": 7},
    {"id": 10, "name": "Anticoagulants", "parent_id": 7},
    {"id": 11, "name": "Controlled drugs", "parent_id": 7},
    {"id": 12, "name": "Laboratory", "parent_id": 1},
]
CATEGORY_OF = {"Nitrile": 3, "Syringe": 4, "Needle": 4, "Sterile": 5, "Sodium": 8, "Glucose": 8, "Paracetamol": 9,
               "Amoxicillin": 9, "Heparin": 10, "Morphine": 11, "IV": 4, "Urinary": 6, "Surgical": 3, "Suture": 5,
               "Blood": 12}

KINDS = [
    # (name pattern, uom, tracking, box size)
    ("Nitrile gloves {}", "Boxes", "none", 10, ["S", "M", "L", "XL"]),
    ("Syringe {} ml luer lock", "Units", "none", 100, ["1", "2", "5", "10", "20", "50"]),
    ("Needle {}G", "Units", "none", 100, ["18", "20", "21", "22", "23", "25", "27"]),
    ("Sterile dressing {} cm", "Units", "none", 50, ["5x5", "10x10", "10x20", "15x15", "20x20"]),
    ("Sodium chloride 0.9% {} ml", "Units", "lot", 20, ["10", "20", "100", "250", "500", "1000"]),
    ("Glucose 5% {} ml", "Units", "lot", 20, ["100", "250", "500", "1000"]),
    ("Paracetamol {} mg tablets", "Units", "lot", 100, ["500", "1000"]),
    ("Amoxicillin {} mg capsules", "Units", "lot", 21, ["250", "500"]),
    ("Heparin {} IU/ml ampoule", "Units", "lot", 10, ["1000", "5000", "25000"]),
    ("Morphine {} mg/ml ampoule", "Units", "lot", 10, ["1", "10"]),
    ("IV cannula {}G", "Units", "lot", 50, ["14", "16", "18", "20", "22", "24"]),
    ("Urinary catheter {} Fr", "Units", "lot", 10, ["12", "14", "16", "18"]),
    ("Surgical mask type {}", "Boxes", "none", 50, ["I", "II", "IIR"]),
    ("Suture {} absorbable", "Units", "lot", 12, ["2-0", "3-0", "4-0", "5-0"]),
    ("Blood collection tube {}", "Units", "lot", 100, ["EDTA", "citrate", "serum", "heparin"]),
]

products, packagings, lots = [], [], []
pid = 100
for name, uom, tracking, box, variants in KINDS:
    for variant in variants:
        for maker in range(1, SUPPLIERS + 1):
            pid += 1
            code = "".join(w[0] for w in name.split() if w[0].isalpha()).upper() + "-" + variant.replace(" ", "") + f"-{maker}"
            barcode = gtin13(f"5{random.randint(10000, 99999)}{pid:06d}")
            products.append({"id": pid, "name": name.format(variant) + f" (supplier {maker})",
                             "default_code": code, "barcode": barcode, "uom": uom, "tracking": tracking,
                             "categ_id": CATEGORY_OF[name.split()[0]]})
            box_gtin = gtin13(f"6{random.randint(10000, 99999)}{pid:06d}")
            packagings.append({"id": pid, "product_id": pid, "name": f"Box of {box}", "barcode": box_gtin, "qty": box})
            if tracking == "lot":
                for n in range(2):
                    year = random.choice([2025, 2026, 2027, 2028])
                    month = random.randint(1, 12)
                    lots.append({"id": len(lots) + 1, "product_id": pid, "name": f"L{pid}{n}{random.randint(100, 999)}",
                                 "expiration_date": f"{year}-{month:02d}-28 00:00:00"})

locations = [
    {"id": 1, "name": "Partners/Vendors", "usage": "supplier", "barcode": None, "location_id": None},
    {"id": 2, "name": "Partners/Customers", "usage": "customer", "barcode": None, "location_id": None},
    {"id": 3, "name": "Virtual Locations/Inventory adjustment", "usage": "inventory", "barcode": None, "location_id": None},
    {"id": 4, "name": "Virtual Locations/Scrap", "usage": "inventory", "barcode": None, "location_id": None},
    {"id": 5, "name": "Virtual Locations/Patient consumption", "usage": "customer", "barcode": "CONSUME", "location_id": None},
    {"id": 10, "name": "PHARM/Stock", "usage": "internal", "barcode": "PHARM", "location_id": None},
    {"id": 11, "name": "PHARM/Stock/Ward 3", "usage": "internal", "barcode": "WARD3", "location_id": 10},
    {"id": 12, "name": "PHARM/Stock/Ward 7", "usage": "internal", "barcode": "WARD7", "location_id": 10},
    {"id": 13, "name": "PHARM/Stock/Theatre 2", "usage": "internal", "barcode": "THEATRE2", "location_id": 10},
    {"id": 14, "name": "Virtual Locations/Transit", "usage": "transit", "barcode": None, "location_id": None},
]

quants, rules = [], []
first_lot = {}
for lot in lots:
    first_lot.setdefault(lot["product_id"], lot["id"])
for product in products:
    quants.append({"product_id": product["id"], "location_id": 10, "quantity": random.randint(200, 2000), "lot": None})
    for ward in (11, 12, 13):
        if random.random() < 0.4:
            lot = first_lot.get(product["id"])
            quants.append({"product_id": product["id"], "location_id": ward, "quantity": random.randint(5, 120), "lot": lot})
            rules.append({"product_id": product["id"], "location_id": ward, "product_min_qty": random.randint(5, 20),
                          "product_max_qty": random.randint(40, 150)})

picking_types = [
    {"id": 1, "name": "Receipts", "code": "incoming", "default_location_src_id": 1, "default_location_dest_id": 10},
    {"id": 2, "name": "Internal Transfers", "code": "internal", "default_location_src_id": 10, "default_location_dest_id": 11},
    {"id": 3, "name": "Issues to patients", "code": "outgoing", "default_location_src_id": 11, "default_location_dest_id": 5},
]

json.dump({"categories": CATEGORIES, "products": products, "packagings": packagings, "lots": lots, "locations": locations,
           "quants": quants, "reorder_rules": rules, "picking_types": picking_types},
          __import__("sys").stdout, indent=1)
