#!/usr/bin/env python3
"""An Odoo-compatible test server for edgestock's integration tests.

Odoo cannot run on the project's machines; this server answers like a real
Odoo 17, 18 or 19 Community server on the wire, as ../shared/odoo-wire.md
describes it: JSON-RPC on /jsonrpc (common: version, login, authenticate;
object: execute_kw), JSON-2 on /json/2/<model>/<method> (19), GET /web/version,
Odoo's error envelopes, no "result" key when a method returns None, batch
create, private methods refused, and the stock behaviour an agent relies on.
Python standard library only.

    python3 odoo_test_server.py [--port 8069] [--version 17|18|19]
                                [--fixture fixture.json] [--db hospital]
                                [--api-key KEY] [--password admin]

It prints "listening on PORT" once ready (--port 0 picks a free port).
Faults for tests: POST /__test__/faults {"kind": K, "count": N, "delay_ms": D}
with K one of latency, http_502, http_503, reset, lost_response,
serialization_failure, slow; the next N object calls suffer it. These damage
the answer of a call, as a proxy or a customised Odoo could: missing_field (no
"id" in the rows read), wrong_type (a row's text fields become numbers),
huge_reply (1 MiB of blanks after the JSON).
"""
import argparse
import json
import socket
import sys
import threading
import time
import traceback
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ADMIN_UID = 2


class OdooError(Exception):
    """An exception as Odoo would raise it; `name` is module.ClassName."""

    def __init__(self, name, message, status):
        super().__init__(message)
        self.name, self.message, self.status = name, message, status


def user_error(message):
    return OdooError("odoo.exceptions.UserError", message, 422)


def validation_error(message):
    return OdooError("odoo.exceptions.ValidationError", message, 422)


def missing_error(message):
    return OdooError("odoo.exceptions.MissingError", message, 404)


def access_error(message):
    return OdooError("odoo.exceptions.AccessError", message, 403)


def access_denied():
    return OdooError("odoo.exceptions.AccessDenied", "Access Denied", 403)


def now_string():
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


# ---------------------------------------------------------------- domains

def _leaf(record, leaf):
    field, op, value = leaf
    have = record.get(field)
    if isinstance(have, list) and len(have) == 2 and isinstance(have[0], int):
        have = have[0]  # many2one as [id, name]
    if op == "=?":
        return True if value in (None, False) else have == value
    if op == "=":
        return have == value or (value is False and have in (None, False))
    if op == "!=":
        return have != value
    if op == "in":
        return have in value
    if op == "not in":
        return have not in value
    if op in ("<", "<=", ">", ">="):
        if have in (None, False):
            return False
        return {"<": have < value, "<=": have <= value, ">": have > value, ">=": have >= value}[op]
    if op in ("like", "ilike"):
        if have in (None, False):
            return False
        needle, hay = str(value).replace("%", ""), str(have)
        return needle.lower() in hay.lower() if op == "ilike" else needle in hay
    raise validation_error(f"Invalid domain operator {op!r}")


def matches(record, domain):
    """Odoo's prefix-notation domains: '&', '|', '!' and [field, op, value] leaves,
    with an implicit '&' between consecutive terms."""
    def parse(i):
        token = domain[i]
        if token == "!":
            inner, j = parse(i + 1)
            return (lambda r: not inner(r)), j
        if token in ("&", "|"):
            left, j = parse(i + 1)
            right, k = parse(j)
            if token == "&":
                return (lambda r: left(r) and right(r)), k
            return (lambda r: left(r) or right(r)), k
        if not isinstance(token, (list, tuple)) or len(token) != 3:
            raise validation_error(f"Invalid leaf {token!r}")
        field, op, value = token
        if op in ("in", "not in") and isinstance(value, list):
            try:
                token = (field, op, frozenset(value))  # membership in O(1) for long id lists
            except TypeError:
                pass
        return (lambda r, t=token: _leaf(r, t)), i + 1

    predicates, i = [], 0
    while i < len(domain):
        predicate, i = parse(i)
        predicates.append(predicate)
    return all(p(record) for p in predicates)


# ---------------------------------------------------------------- the database

class Database:
    """In-memory records of the models an inventory agent touches."""

    MODELS = ["product.product", "product.packaging", "stock.location", "stock.lot", "stock.quant",
              "stock.picking", "stock.move", "stock.move.line", "stock.scrap",
              "stock.warehouse.orderpoint", "stock.picking.type", "uom.uom", "product.category"]

    # The field that makes a model a tree, for the child_of operator.
    PARENT = {"product.category": "parent_id", "stock.location": "location_id"}

    def __init__(self, fixture, version):
        self.version = version
        self.lock = threading.RLock()
        self.tables = {model: {} for model in self.MODELS}
        self.quant_index = {}  # (product, location, lot) -> quant: one quant per key, found at once
        self.next_id = {model: 1 for model in self.MODELS}
        uoms = {}
        for name in sorted({p["uom"] for p in fixture["products"]}):
            uoms[name] = self._insert("uom.uom", {"name": name})
        by_id = {c["id"]: c for c in fixture.get("categories", [])}

        def category_path(category):
            parent = by_id.get(category["parent_id"])
            return (category_path(parent) + " / " if parent else "") + category["name"]
        for category in fixture.get("categories", []):
            self._insert("product.category", {"id": category["id"], "name": category["name"],
                                              "complete_name": category_path(category),
                                              "parent_id": category["parent_id"] or False})
        for loc in fixture["locations"]:
            self._insert("stock.location", {"id": loc["id"], "name": loc["name"].split("/")[-1],
                                            "complete_name": loc["name"], "usage": loc["usage"],
                                            "barcode": loc["barcode"] or False, "active": True,
                                            "location_id": loc["location_id"] or False})
        for p in fixture["products"]:
            vals = {"id": p["id"], "name": p["name"], "default_code": p["default_code"], "barcode": p["barcode"],
                    "uom_id": uoms[p["uom"]], "tracking": p["tracking"], "active": True,
                    "categ_id": p.get("categ_id") or False}
            if version == 17:
                vals.update({"detailed_type": "product", "type": "product"})
            else:
                vals.update({"is_storable": True, "type": "consu"})
            self._insert("product.product", vals)
        for pk in fixture["packagings"]:
            self._insert("product.packaging", {"id": pk["id"], "name": pk["name"], "product_id": pk["product_id"],
                                               "barcode": pk["barcode"], "qty": float(pk["qty"])})
        for lot in fixture["lots"]:
            self._insert("stock.lot", {"id": lot["id"], "name": lot["name"], "product_id": lot["product_id"],
                                       "expiration_date": lot["expiration_date"]})
        for q in fixture["quants"]:
            self._quant(q["product_id"], q["location_id"], q["lot"] or False)["quantity"] += float(q["quantity"])
        for rule in fixture["reorder_rules"]:
            self._insert("stock.warehouse.orderpoint", {"product_id": rule["product_id"],
                                                        "location_id": rule["location_id"],
                                                        "product_min_qty": float(rule["product_min_qty"]),
                                                        "product_max_qty": float(rule["product_max_qty"])})
        for t in fixture["picking_types"]:
            self._insert("stock.picking.type", dict(t))
        # Master data was written over time, long before the test: one minute
        # apart by id, so that incremental reads by write_date have something to tell apart.
        for model in ("product.product", "product.packaging", "stock.lot"):
            for record in self.tables[model].values():
                minutes = record["id"]
                record["write_date"] = f"2026-01-{1 + minutes // 1440:02d} {minutes // 60 % 24:02d}:{minutes % 60:02d}:00"

    # -- storage
    def _insert(self, model, vals):
        table = self.tables[model]
        record_id = vals.get("id") or self.next_id[model]
        self.next_id[model] = max(self.next_id[model], record_id + 1)
        record = {"id": record_id, "write_date": now_string(), "create_date": now_string()}
        record.update({k: v for k, v in vals.items() if k != "id"})
        table[record_id] = record
        return record_id

    def _get(self, model, record_id):
        record = self.tables[model].get(record_id)
        if record is None:
            raise missing_error(f"Record does not exist or has been deleted.\n(Record: {model}({record_id},), User: 2)")
        return record

    def _touch(self, model, record_id, **vals):
        record = self._get(model, record_id)
        record.update(vals)
        record["write_date"] = now_string()

    def _quant(self, product_id, location_id, lot_id):
        key = (product_id, location_id, lot_id or False)
        quant = self.quant_index.get(key)
        if quant is not None:
            return quant
        quant_id = self._insert("stock.quant", {"product_id": product_id, "location_id": location_id, "lot_id": lot_id,
                                                "quantity": 0.0, "reserved_quantity": 0.0,
                                                "inventory_quantity": 0.0, "inventory_quantity_set": False})
        self.quant_index[key] = self.tables["stock.quant"][quant_id]
        return self.quant_index[key]

    def _display(self, model, record_id):
        if not record_id:
            return False
        record = self.tables[model].get(record_id)
        if record is None:
            return False
        return [record_id, record.get("complete_name") or record.get("name") or f"{model},{record_id}"]

    MANY2ONE = {"product_id": "product.product", "location_id": "stock.location", "location_dest_id": "stock.location",
                "lot_id": "stock.lot", "uom_id": "uom.uom", "product_uom": "uom.uom", "picking_id": "stock.picking",
                "picking_type_id": "stock.picking.type", "scrap_location_id": "stock.location",
                "product_uom_id": "uom.uom", "location_final_id": "stock.location",
                "categ_id": "product.category", "parent_id": "product.category"}

    def _present(self, model, record, fields):
        out = {}
        for field in fields or record.keys():
            value = record.get(field, False)
            if field in self.MANY2ONE and isinstance(value, int):
                value = self._display(self.MANY2ONE[field], value)
            out[field] = value if value is not None else False
        out["id"] = record["id"]
        return out

    # -- generic ORM methods
    def _descendants(self, model, ids):
        """ids and every record below them in the model's tree."""
        parent = self.PARENT.get(model)
        if parent is None:
            raise validation_error(f"Invalid domain: {model} is not a tree, child_of cannot be used on it")
        found, frontier = set(), set(ids)
        while frontier:
            found |= frontier
            frontier = {r["id"] for r in self.tables[model].values() if r.get(parent) in frontier} - found
        return found

    def _expand_child_of(self, model, domain):
        """Odoo's child_of: [field, "child_of", id or ids] matches the records
        whose field points at one of those ids or anything below them."""
        expanded = []
        for token in domain:
            if isinstance(token, (list, tuple)) and len(token) == 3 and token[1] == "child_of":
                field, _, value = token
                ids = value if isinstance(value, list) else [value]
                if not all(isinstance(i, int) for i in ids):
                    raise validation_error(f"Invalid domain: child_of takes record ids, got {value!r}")
                comodel = model if field in ("id", self.PARENT.get(model)) else self.MANY2ONE.get(field)
                if comodel is None:
                    raise validation_error(f"Invalid field {field!r} for child_of on {model}")
                token = [field, "in", sorted(self._descendants(comodel, ids))]
            expanded.append(token)
        return expanded

    def search(self, model, domain=(), offset=0, limit=None, order=None):
        domain = self._expand_child_of(model, list(domain))
        records = [r for r in self.tables[model].values() if matches(r, domain)]
        if order:
            for part in reversed([p.strip() for p in order.split(",")]):
                name, _, direction = part.partition(" ")
                records.sort(key=lambda r: (r.get(name) is None, r.get(name) or 0), reverse=direction.lower() == "desc")
        else:
            records.sort(key=lambda r: r["id"])
        records = records[offset:]
        if limit:
            records = records[:limit]
        return [r["id"] for r in records]

    def search_read(self, model, domain=(), fields=None, offset=0, limit=None, order=None):
        return [self._present(model, self.tables[model][i], fields) for i in self.search(model, domain, offset, limit, order)]

    def search_count(self, model, domain=()):
        return len(self.search(model, domain))

    def read(self, model, ids, fields=None):
        return [self._present(model, self._get(model, i), fields) for i in ids]

    def create(self, model, vals_list, context):
        single = isinstance(vals_list, dict)
        ids = [self._create_one(model, vals, context) for vals in ([vals_list] if single else vals_list)]
        return ids[0] if single else ids

    def _create_one(self, model, vals, context):
        vals = dict(vals)
        if model == "stock.picking":
            moves = vals.pop("move_ids", []) or vals.pop("move_ids_without_package", [])
            picking_id = self._insert(model, {"state": "draft", "origin": False, **vals})
            for command in moves:
                if not (isinstance(command, list) and len(command) == 3 and command[0] == 0):
                    raise validation_error("only [0, 0, {values}] commands are supported in move_ids")
                self._create_move(picking_id, command[2])
            return picking_id
        if model == "stock.quant" and context.get("inventory_mode"):
            quant = self._quant(vals["product_id"], vals["location_id"], vals.get("lot_id") or False)
            quant.update(inventory_quantity=float(vals.get("inventory_quantity", 0.0)), inventory_quantity_set=True,
                         write_date=now_string())
            return quant["id"]
        if model == "stock.scrap":
            return self._insert(model, {"state": "draft", "scrap_location_id": 4, **vals})
        return self._insert(model, vals)

    def _create_move(self, picking_id, vals):
        picking = self._get("stock.picking", picking_id)
        quantity_field = "quantity" if self.version >= 17 else "quantity_done"
        move = {"picking_id": picking_id, "state": "draft", quantity_field: 0.0, "picked": False,
                "location_id": picking.get("location_id"), "location_dest_id": picking.get("location_dest_id"), **vals}
        move_id = self._insert("stock.move", move)
        picking.setdefault("move_ids", []).append(move_id)
        return move_id

    def write(self, model, ids, vals):
        for i in ids:
            self._touch(model, i, **vals)
        return True

    # -- stock behaviour
    def action_confirm(self, model, ids, context):
        self._require(model, "stock.picking", "action_confirm")
        for i in ids:
            self._touch("stock.picking", i, state="confirmed")
            for move_id in self._get("stock.picking", i).get("move_ids", []):
                self._touch("stock.move", move_id, state="confirmed")
        return True

    def action_assign(self, model, ids, context):
        self._require(model, "stock.picking", "action_assign")
        for i in ids:
            picking = self._get("stock.picking", i)
            for move_id in picking.get("move_ids", []):
                move = self._get("stock.move", move_id)
                if move.get("picked"):
                    continue
                available = sum(q["quantity"] - q["reserved_quantity"] for q in self.tables["stock.quant"].values()
                                if q["product_id"] == move["product_id"] and q["location_id"] == move["location_id"])
                reserve = max(0.0, min(move.get("product_uom_qty", 0.0), available))
                self._touch("stock.move", move_id, quantity=reserve, state="assigned" if reserve else "confirmed")
            self._touch("stock.picking", i, state="assigned")
        return True

    def button_validate(self, model, ids, context):
        self._require(model, "stock.picking", "button_validate")
        for i in ids:
            picking = self._get("stock.picking", i)
            moves = [self._get("stock.move", m) for m in picking.get("move_ids", [])]
            if not moves:
                raise user_error(f"Transfers {picking.get('name', i)}: Please add some items to move.")
            if not any(m.get("picked") for m in moves):
                if not any(m.get("quantity") for m in moves):
                    raise user_error(f"Transfers {picking.get('name', i)}: You cannot validate these transfers if no "
                                     "quantities are reserved nor done. To force these transfers, switch in edit mode "
                                     "and encode the done quantities.")
                for m in moves:
                    m["picked"] = True
            for m in moves:
                product = self._get("product.product", m["product_id"])
                if product.get("tracking") != "none" and not (m.get("lot_id") or m.get("lot_name")):
                    raise user_error(f"Transfers {picking.get('name', i)}: You need to supply a Lot/Serial number for "
                                     f"products {product['name']}.")
            short = [m for m in moves if m.get("quantity", 0.0) < m.get("product_uom_qty", 0.0)]
            if short and not context.get("skip_backorder"):
                return {"type": "ir.actions.act_window", "res_model": "stock.backorder.confirmation", "view_mode": "form",
                        "target": "new", "name": "Create Backorder?",
                        "context": {"button_validate_picking_ids": ids, "default_pick_ids": [[6, False, ids]]}}
            expired = [m for m in moves if m.get("lot_id") and
                       self._get("stock.lot", m["lot_id"]).get("expiration_date", "9") < now_string()]
            if expired and not context.get("skip_expired"):
                return {"type": "ir.actions.act_window", "res_model": "expiry.picking.confirmation", "view_mode": "form",
                        "target": "new", "name": "Confirmation",
                        "context": {"default_picking_ids": [[6, False, ids]]}}
            for m in moves:
                self._book(m)
            self._touch("stock.picking", i, state="done", date_done=now_string())
        return True

    def _book(self, move):
        lot_id = move.get("lot_id") or False
        if not lot_id and move.get("lot_name"):
            lot_id = self._insert("stock.lot", {"name": move["lot_name"], "product_id": move["product_id"],
                                                "expiration_date": move.get("expiration_date", False)})
        quantity = float(move.get("quantity", 0.0))
        # Negative quants are allowed on internal locations.
        for location, sign in ((move["location_id"], -1), (move["location_dest_id"], 1)):
            if self._get("stock.location", location)["usage"] in ("internal", "transit"):
                quant = self._quant(move["product_id"], location, lot_id)
                quant["quantity"] += sign * quantity
                quant["write_date"] = now_string()
        move.update(state="done", lot_id=lot_id, write_date=now_string())

    def action_apply_inventory(self, model, ids, context):
        self._require(model, "stock.quant", "action_apply_inventory")
        for i in ids:
            quant = self._get("stock.quant", i)
            quant.update(quantity=quant["inventory_quantity"], inventory_quantity_set=False, write_date=now_string())
        return None  # JSON-RPC: no "result" key

    def action_validate(self, model, ids, context):
        self._require(model, "stock.scrap", "action_validate")
        for i in ids:
            scrap = self._get("stock.scrap", i)
            quant = self._quant(scrap["product_id"], scrap["location_id"], scrap.get("lot_id") or False)
            quant["quantity"] -= float(scrap.get("scrap_qty", 0.0))
            quant["write_date"] = now_string()
            self._touch("stock.scrap", i, state="done")
        return True

    @staticmethod
    def _require(model, expected, method):
        if model != expected:
            raise OdooError("builtins.AttributeError", f"The method '{method}' does not exist on the model '{model}'", 404)

    RECORD_METHODS = {"read", "write", "action_confirm", "action_assign", "button_validate",
                      "action_apply_inventory", "action_validate"}

    def call(self, model, method, args, kwargs):
        """One call as execute_kw makes it: args positional, kwargs by name."""
        if model not in self.tables:
            raise OdooError("builtins.KeyError", model, 404)
        if method.startswith("_"):
            raise access_error(f"Private methods (such as '{method}') cannot be called remotely.")
        context = kwargs.pop("context", {}) or {}
        with self.lock:
            if method == "search":
                return self.search(model, *args, **kwargs)
            if method == "search_read":
                return self.search_read(model, *args, **kwargs)
            if method == "search_count":
                return self.search_count(model, *args, **kwargs)
            if method == "read":
                return self.read(model, *args, **kwargs)
            if method == "create":
                return self.create(model, args[0] if args else kwargs.get("vals_list"), context)
            if method == "write":
                return self.write(model, args[0], args[1] if len(args) > 1 else kwargs["vals"])
            if method in ("action_confirm", "action_assign", "button_validate", "action_apply_inventory",
                          "action_validate"):
                return getattr(self, method)(model, args[0] if args else kwargs.get("ids", []), context)
            raise OdooError("builtins.AttributeError",
                            f"The method '{method}' does not exist on the model '{model}'", 404)


# ---------------------------------------------------------------- HTTP

class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.kind, self.count, self.delay_ms = None, 0, 0

    def take(self):
        with self.lock:
            if self.count <= 0:
                return None, 0
            self.count -= 1
            return self.kind, self.delay_ms


def error_data(error):
    debug = "Traceback (most recent call last):\n  (edgestock Odoo test server)\n" + \
            f"{error.name}: {error.message}\n"
    return {"name": error.name, "debug": debug, "message": error.message, "arguments": [error.message],
            "context": {}}


class Handler(BaseHTTPRequestHandler):
    server_version = "Werkzeug/2.0.2"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet unless asked
        if self.server.verbose:
            super().log_message(fmt, *args)

    def _send(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _drop(self):
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.close_connection = True

    def do_GET(self):
        if self.path == "/web/version":
            v = self.server.db.version
            self._send(200, {"version_info": [v, 0, 0, "final", 0, ""], "version": f"{v}.0"})
        else:
            self._send(404, b"<!doctype html><title>404: Not Found</title>", "text/html")

    def _body(self):
        length = int(self.headers.get("Content-Length", 0))
        return self.rfile.read(length) if length else b""

    def do_POST(self):
        raw = self._body()
        if self.path == "/__test__/faults":
            spec = json.loads(raw or b"{}")
            with self.server.faults.lock:
                self.server.faults.kind = spec.get("kind")
                self.server.faults.count = int(spec.get("count", 1))
                self.server.faults.delay_ms = int(spec.get("delay_ms", 0))
            return self._send(200, {"ok": True})
        if self.path == "/jsonrpc":
            return self._jsonrpc(raw)
        if self.path.startswith("/json/2/"):
            return self._json2(raw)
        self._send(404, b"<!doctype html><title>404: Not Found</title>", "text/html")

    # Fault injection for object calls: returns True when the request was handled.
    def _fault_before(self, is_json2):
        kind, delay_ms = self.server.faults.take()
        if kind in ("latency", "slow"):
            time.sleep(delay_ms / 1000.0)
            return None
        if kind in ("http_502", "http_503"):
            status = 502 if kind == "http_502" else 503
            self._send(status, f"<html><body><h1>{status} Bad Gateway</h1></body></html>".encode(), "text/html")
            return "done"
        if kind == "reset":
            self._drop()
            return "done"
        if kind == "serialization_failure":
            error = OdooError("psycopg2.errors.SerializationFailure",
                              "could not serialize access due to concurrent update", 409)
            if is_json2:
                self._send(409, error_data(error))
            else:
                self._send(200, {"jsonrpc": "2.0", "id": None,
                                 "error": {"code": 200, "message": "Odoo Server Error", "data": error_data(error)}})
            return "done"
        return kind  # lost_response and the damaging kinds: handled after the call

    @staticmethod
    def _damage(kind, result):
        """The answer of a call as a broken proxy or a customised Odoo might give it."""
        if kind in ("missing_field", "wrong_type") and isinstance(result, list):
            damaged = []
            for row in result:
                row = dict(row) if isinstance(row, dict) else row
                if isinstance(row, dict) and kind == "missing_field":
                    row.pop("id", None)
                elif isinstance(row, dict):
                    for key, value in row.items():
                        if isinstance(value, str):
                            row[key] = 12345
                damaged.append(row)
            return damaged
        return result

    def _send_result(self, kind, status, body):
        if kind == "huge_reply":
            return self._send(status, json.dumps(body).encode() + b" " * (1 << 20))
        return self._send(status, body)

    def _jsonrpc(self, raw):
        fault = None
        try:
            request = json.loads(raw)
            params = request["params"]
            if not isinstance(params, dict):
                raise ValueError("params must be an object")
        except (ValueError, KeyError, TypeError):
            return self._send(200, {"jsonrpc": "2.0", "id": None, "error": {
                "code": 200, "message": "Odoo Server Error",
                "data": error_data(OdooError("werkzeug.exceptions.BadRequest", "Invalid JSON-RPC request", 400))}})
        request_id = request.get("id")
        service, method, args = params.get("service"), params.get("method"), params.get("args", [])
        db = self.server.db
        try:
            if service == "common":
                if method == "version":
                    result = {"server_version": f"{db.version}.0",
                              "server_version_info": [db.version, 0, 0, "final", 0, ""],
                              "server_serie": f"{db.version}.0", "protocol_version": 1}
                elif method in ("login", "authenticate"):
                    ok = args[0] == self.server.db_name and args[1] == "admin" and args[2] in (
                        self.server.password, self.server.api_key)
                    result = ADMIN_UID if ok else False
                else:
                    raise OdooError("builtins.KeyError", method, 404)
            elif service == "object" and method == "execute_kw":
                dbname, uid, secret, model, model_method = args[:5]
                call_args = args[5] if len(args) > 5 else []
                kwargs = args[6] if len(args) > 6 else {}
                if dbname != self.server.db_name or uid != ADMIN_UID or secret not in (
                        self.server.password, self.server.api_key):
                    raise access_denied()
                fault = self._fault_before(False)
                if fault == "done":
                    return None
                result = db.call(model, model_method, list(call_args), dict(kwargs))
                if fault == "lost_response":
                    return self._drop()  # committed, but the answer never arrives
            else:
                return self._send(200, {"jsonrpc": "2.0", "id": request_id,
                                        "error": {"code": 404, "message": "404: Not Found",
                                                  "data": error_data(OdooError("werkzeug.exceptions.NotFound",
                                                                               "404: Not Found", 404))}})
        except OdooError as error:
            return self._send(200, {"jsonrpc": "2.0", "id": request_id,
                                    "error": {"code": 200, "message": "Odoo Server Error", "data": error_data(error)}})
        except Exception as error:  # an unexpected fault of this server: still an Odoo-shaped error
            traceback.print_exc()
            wrapped = OdooError(f"builtins.{type(error).__name__}", str(error), 500)
            return self._send(200, {"jsonrpc": "2.0", "id": request_id,
                                    "error": {"code": 200, "message": "Odoo Server Error", "data": error_data(wrapped)}})
        reply = {"jsonrpc": "2.0", "id": request_id}
        if result is not None:
            reply["result"] = self._damage(fault, result)
        self._send_result(fault, 200, reply)

    def _json2(self, raw):
        db = self.server.db
        if db.version < 19:
            return self._send(404, b"<!doctype html><title>404: Not Found</title>", "text/html")
        auth = self.headers.get("Authorization", "")
        if not auth.lower().startswith("bearer ") or auth[7:] != self.server.api_key:
            return self._send(401, error_data(OdooError("werkzeug.exceptions.Unauthorized", "Invalid apikey", 401)))
        parts = self.path.split("/")
        if len(parts) != 5 or not parts[3] or not parts[4]:
            return self._send(404, error_data(OdooError("werkzeug.exceptions.NotFound", "404: Not Found", 404)))
        model, method = parts[3], parts[4]
        try:
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise ValueError
        except ValueError:
            return self._send(422, error_data(OdooError("werkzeug.exceptions.UnprocessableEntity",
                                                        "the body must be a JSON object", 422)))
        fault = self._fault_before(True)
        if fault == "done":
            return None
        ids = body.pop("ids", None)
        context = body.pop("context", {})
        try:
            if method.startswith("_"):
                raise access_error(f"Private methods (such as '{method}') cannot be called remotely.")
            if method in Database.RECORD_METHODS:
                if ids is None:
                    raise OdooError("werkzeug.exceptions.UnprocessableEntity", f"{method} needs ids", 422)
                args = [ids] + ([body.pop("vals")] if method == "write" else [])
            else:
                if ids is not None:
                    raise OdooError("werkzeug.exceptions.UnprocessableEntity",
                                    f"{model}.{method} is an @api.model method: no ids", 422)
                args = []
                if method == "create":
                    vals_list = body.pop("vals_list")
                    args = [vals_list if isinstance(vals_list, list) else [vals_list]]
            result = db.call(model, method, args, {**body, "context": context})
        except OdooError as error:
            return self._send(error.status, error_data(error))
        except TypeError as error:
            return self._send(422, error_data(OdooError("werkzeug.exceptions.UnprocessableEntity", str(error), 422)))
        if fault == "lost_response":
            return self._drop()
        self._send_result(fault, 200, self._damage(fault, result))


def make_server(port, fixture_path, version, db_name, api_key, password, verbose=False):
    with open(fixture_path) as f:
        fixture = json.load(f)
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.db = Database(fixture, version)
    server.db_name, server.api_key, server.password = db_name, api_key, password
    server.faults, server.verbose = Faults(), verbose
    return server


def main():
    here = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8069)
    parser.add_argument("--version", type=int, choices=(17, 18, 19), default=17)
    parser.add_argument("--fixture", default=f"{here}/fixture.json")
    parser.add_argument("--db", default="hospital")
    parser.add_argument("--api-key", default="0123456789abcdef0123456789abcdef01234567")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--verbose", action="store_true")
    options = parser.parse_args()
    server = make_server(options.port, options.fixture, options.version, options.db, options.api_key,
                         options.password, options.verbose)
    print(f"listening on {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
