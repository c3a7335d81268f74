"""The stock behaviour of the Odoo test server, as addons/stock does it
(stock_picking.py, stock_move.py, stock_move_line.py, stock_quant.py,
stock_scrap.py): sequence names, reservation, validation with its wizards and
backorders, inventory mode and scrap. Each method names the Odoo function it
follows. Quantities are floats here, as in Odoo."""
from odoo_orm import (OdooError, Orm, access_error, now_string, user_error, validation_error, value_error)

INTERNAL = ("internal", "transit")
# Locations whose moves need no reservation (stock.move._should_bypass_reservation).
BYPASS = ("supplier", "customer", "inventory", "production")
INVENTORY_FIELDS = {"product_id", "location_id", "lot_id", "package_id", "owner_id", "inventory_quantity"}
SEQUENCE_CODES = {"incoming": "IN", "internal": "INT", "outgoing": "OUT"}


class Stock(Orm):
    def __init__(self, fixture, version):
        super().__init__(version)
        self.quant_index = {}  # (product, location, lot) -> quant: one quant per key, found at once
        self.sequences = {}  # picking type id -> last number
        self._insert("res.users", {"id": 2, "name": "Administrator", "login": "admin", "lang": "en_US", "tz": "UTC",
                                   "active": True})
        uoms = self._units(version)
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
                                                        "location_id": rule["location_id"], "active": True,
                                                        "product_min_qty": float(rule["product_min_qty"]),
                                                        "product_max_qty": float(rule["product_max_qty"])})
        for t in fixture["picking_types"]:
            self._insert("stock.picking.type", {"sequence_code": SEQUENCE_CODES.get(t["code"], "OP"),
                                                "create_backorder": "ask", "use_create_lots": t["code"] == "incoming",
                                                "active": True, **t})
        # Master data was written over time, long before the test: one minute
        # apart by id, so that incremental reads by write_date have something to tell apart.
        for model in ("product.product", "product.packaging", "stock.lot"):
            for record in self.tables[model].values():
                minutes = record["id"]
                record["write_date"] = f"2026-01-{1 + minutes // 1440:02d} {minutes // 60 % 24:02d}:{minutes % 60:02d}:00"

    # -- units of measure
    # (name, category, how many of it make one reference unit in 17/18;
    # 19 keeps the inverse: how many reference units one of it holds)
    UNITS = (("Units", "Unit", 1.0), ("Packs of 10", "Unit", 0.1), ("Dozens", "Unit", 1.0 / 12.0),
             ("Boxes", "Boxes", 1.0), ("Litres", "Volume", 1.0), ("Millilitres", "Volume", 1000.0))

    def _units(self, version):
        """The units of uom_data.xml that the fixture's products use, with the
        packs, dozens and volumes a unit change may meet."""
        ids = {}
        if version in (17, 18):
            categories = {}
            for name, category, factor in self.UNITS:
                if category not in categories:
                    categories[category] = self._insert("uom.category", {"name": category})
                kind = "reference" if factor == 1.0 else ("bigger" if factor < 1.0 else "smaller")
                ids[name] = self._insert("uom.uom", {"name": name, "active": True, "category_id": categories[category],
                                                     "factor": factor, "uom_type": kind, "rounding": 0.01})
            return ids
        roots = {}
        for name, category, factor in self.UNITS:
            root = roots.get(category)
            relative = 1.0 / factor
            unit = self._insert("uom.uom", {"name": name, "active": True, "relative_factor": relative,
                                            "relative_uom_id": root or False, "factor": relative, "rounding": 0.01})
            record = self._get("uom.uom", unit)
            record["parent_path"] = f"{root}/{unit}/" if root else f"{unit}/"
            roots.setdefault(category, unit)
            ids[name] = unit
        return ids

    def _compute_quantity(self, qty, from_uom, to_uom):
        """uom.uom._compute_quantity with rounding_method HALF-UP, as
        stock.move.line._action_done books quantity_product_uom. 17 and 18
        refuse units of two categories; 19 multiplies by the ratio of the
        absolute factors."""
        if from_uom == to_uom or not qty:
            return qty
        source, target = self._get("uom.uom", from_uom), self._get("uom.uom", to_uom)
        if self.version in (17, 18):
            if source["category_id"] != target["category_id"]:
                raise user_error(f"The unit of measure {source['name']} defined on the order line doesn't belong to "
                                 f"the same category as the unit of measure {target['name']} defined on the "
                                 "product. Please correct the unit of measure defined on the order line or on the "
                                 "product. They should belong to the same category.")
            amount = qty / source["factor"] * target["factor"]
        else:
            amount = qty * source["factor"] / target["factor"]
        return round(amount / target["rounding"]) * target["rounding"]

    def _check_uom_change(self, ids, vals):
        """stock's ProductTemplate.write: a product's unit cannot change once it
        has stock moves ("You cannot change the unit of measure as there are
        already stock moves..."). The fixture's quants stand for the moves
        that made them."""
        for i in ids:
            if vals["uom_id"] == self._get("product.product", i)["uom_id"]:
                continue
            moved = any(m["product_id"] == i for m in self.tables["stock.move"].values()) or any(
                q["product_id"] == i for q in self.tables["stock.quant"].values())
            if moved:
                raise user_error("You cannot change the unit of measure as there are already stock moves for this "
                                 "product. If you want to change the unit of measure, you should rather archive "
                                 "this product and create a new one.")

    # -- helpers
    def _quant(self, product_id, location_id, lot_id):
        key = (product_id, location_id, lot_id or False)
        quant = self.quant_index.get(key)
        if quant is not None:
            return quant
        quant_id = self._insert("stock.quant", {"product_id": product_id, "location_id": location_id, "lot_id": lot_id,
                                                "quantity": 0.0, "reserved_quantity": 0.0,
                                                "inventory_quantity": 0.0, "inventory_diff_quantity": 0.0,
                                                "inventory_quantity_set": False})
        self.quant_index[key] = self.tables["stock.quant"][quant_id]
        return self.quant_index[key]

    def _usage(self, location_id):
        return self._get("stock.location", location_id)["usage"]

    def _lines(self, move):
        return [self._get("stock.move.line", i) for i in move.get("move_line_ids", [])]

    def _moves(self, picking):
        return [self._get("stock.move", i) for i in picking.get("move_ids", [])]

    def _quantity(self, move):
        """stock.move._compute_quantity: the sum of its move lines, or what was set on it."""
        lines = self._lines(move)
        return sum(float(line.get("quantity", 0.0)) for line in lines) if lines else float(move.get("quantity", 0.0))

    def _present(self, model, record, fields):
        if model == "stock.move":
            record = {**record, "quantity": self._quantity(record)}
        return super()._present(model, record, fields)

    # -- create
    def _create_one(self, model, vals, context):
        if model == "stock.picking":
            return self._create_picking(vals)
        if model == "stock.quant" and context.get("inventory_mode"):
            return self._create_inventory_quant(vals)
        if model == "stock.scrap":
            for field in ("product_id", "location_id"):
                if not vals.get(field):
                    raise self._mandatory("stock.scrap", field)
            return self._insert(model, {"state": "draft", "scrap_location_id": self._scrap_location(),
                                        "name": f"SP/{len(self.tables[model]) + 1:05d}", **vals})
        if model == "stock.move.line":
            if not vals.get("move_id"):
                raise value_error("edgestock's Odoo test server creates move lines only for a move (move_id)")
            return self._create_line(self._get("stock.move", vals["move_id"]), vals)
        return self._insert(model, vals)

    def _mandatory(self, model, field):
        # A NOT NULL violation: BaseModel._create turns it into a ValidationError.
        return validation_error("The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n"
                                f"- Delete: another model requires the record being deleted.\n\nModel: {model}, "
                                f"Field: {field}")

    def _scrap_location(self):
        return next((r["id"] for r in self.tables["stock.location"].values() if r["usage"] == "inventory"), False)

    def _create_picking(self, vals):
        """stock.picking.create: the name comes from the type's sequence
        (picking_type_id.sequence_id.next_by_id()), the locations default to the type's."""
        moves = vals.pop("move_ids", []) or vals.pop("move_ids_without_package", [])
        type_id = vals.get("picking_type_id")
        if not type_id:
            raise self._mandatory("stock.picking", "picking_type_id")
        picking_type = self._get("stock.picking.type", type_id)
        self.sequences[type_id] = self.sequences.get(type_id, 0) + 1
        name = f"WH/{picking_type['sequence_code']}/{self.sequences[type_id]:05d}"
        picking_id = self._insert("stock.picking", {
            "state": "draft", "origin": False, "name": name, "backorder_id": False,
            "location_id": picking_type["default_location_src_id"],
            "location_dest_id": picking_type["default_location_dest_id"], "scheduled_date": now_string(),
            "date": now_string(), "date_done": False, **vals})
        for command in moves:
            self._create_move(picking_id, self._command(command))
        return picking_id

    @staticmethod
    def _command(command):
        if not (isinstance(command, list) and len(command) == 3 and command[0] == 0 and isinstance(command[2], dict)):
            raise validation_error("edgestock's Odoo test server supports only [0, 0, {values}] commands here")
        return dict(command[2])

    def _create_move(self, picking_id, vals):
        self.check_fields("stock.move", vals.keys())
        picking = self._get("stock.picking", picking_id)
        lines = vals.pop("move_line_ids", [])
        if not vals.get("product_id"):
            raise self._mandatory("stock.move", "product_id")
        product = self._get("product.product", vals["product_id"])
        move = {"picking_id": picking_id, "state": "draft", "quantity": 0.0, "picked": False, "origin": False,
                "product_uom_qty": 0.0, "product_uom": product["uom_id"], "move_line_ids": [],
                "location_id": picking["location_id"], "location_dest_id": picking["location_dest_id"],
                "picking_type_id": picking["picking_type_id"], "date": now_string(), **vals}
        # stock.move._compute_product_qty: the demand in the product's unit
        # (17 and 18 raise here for a unit of another category).
        self._compute_quantity(float(move["product_uom_qty"]), move["product_uom"], product["uom_id"])
        move_id = self._insert("stock.move", move)
        picking["move_ids"] = picking.get("move_ids", []) + [move_id]  # a new list: see _snapshot
        for command in lines:
            self._create_line(self._get("stock.move", move_id), self._command(command))
        return move_id

    def _create_line(self, move, vals, reserved=0.0):
        self.check_fields("stock.move.line", vals.keys())
        line = {"move_id": move["id"], "picking_id": move["picking_id"], "product_id": move["product_id"],
                "product_uom_id": move["product_uom"], "location_id": move["location_id"],
                "location_dest_id": move["location_dest_id"], "quantity": 0.0, "lot_id": False, "lot_name": False,
                "picked": move.get("picked", False), "state": move["state"], **vals,
                "reserved": reserved}  # not a field: what this line holds reserved on its quant
        line_id = self._insert("stock.move.line", line)
        move["move_line_ids"] = move["move_line_ids"] + [line_id]
        return line_id

    # -- pickings
    def action_confirm(self, ids, context):
        """stock.picking.action_confirm: draft pickings and their moves become confirmed."""
        for i in ids:
            picking = self._get("stock.picking", i)
            if picking["state"] != "draft":
                continue
            self._touch("stock.picking", i, state="confirmed")
            for move in self._moves(picking):
                if move["state"] == "draft":
                    move["state"] = "confirmed"
        return True

    def action_assign(self, ids, context):
        """stock.picking.action_assign -> stock.move._action_assign: reserve from
        the source location and its children, a move line per quant (FEFO), and
        raise reserved_quantity; a source that bypasses reservation (supplier,
        inventory) reserves the demand at once."""
        self.action_confirm(ids, context)
        for i in ids:
            picking = self._get("stock.picking", i)
            moves = [m for m in self._moves(picking) if m["state"] not in ("done", "cancel")]
            if not moves:
                raise user_error("Nothing to check the availability for.")
            for move in moves:
                if move.get("picked"):
                    continue
                missing = float(move["product_uom_qty"]) - self._quantity(move)
                if missing <= 0:
                    continue
                if self._usage(move["location_id"]) in BYPASS:
                    self._create_line(move, {"quantity": missing})
                    move["state"] = "assigned"
                    continue
                sources = self._descendants("stock.location", [move["location_id"]])
                quants = [q for q in self.tables["stock.quant"].values()
                          if q["product_id"] == move["product_id"] and q["location_id"] in sources
                          and self._usage(q["location_id"]) == "internal"
                          and q["quantity"] - q["reserved_quantity"] > 0]
                quants.sort(key=lambda q: (self._expiry(q.get("lot_id")), q["id"]))
                for quant in quants:
                    if missing <= 0:
                        break
                    take = min(missing, quant["quantity"] - quant["reserved_quantity"])
                    quant["reserved_quantity"] += take
                    self._create_line(move, {"quantity": take, "location_id": quant["location_id"],
                                             "lot_id": quant.get("lot_id") or False}, reserved=take)
                    missing -= take
                move["state"] = "assigned" if missing <= 0 else (
                    "partially_available" if self._quantity(move) > 0 else "confirmed")
            states = {m["state"] for m in moves}
            self._touch("stock.picking", i, state="assigned" if states & {"assigned", "partially_available"}
                        else "confirmed")
        return True

    def action_cancel(self, ids, context):
        """stock.picking.action_cancel: its open moves are cancelled and what they
        reserved is released; a done picking cannot be cancelled."""
        for i in ids:
            picking = self._get("stock.picking", i)
            if picking["state"] == "done":
                raise user_error("You cannot cancel a transfer that is done.")
            for move in self._moves(picking):
                if move["state"] in ("done", "cancel"):
                    continue
                for line in self._lines(move):
                    if line.get("reserved"):
                        quant = self._quant(line["product_id"], line["location_id"], line.get("lot_id") or False)
                        quant["reserved_quantity"] = max(0.0, quant["reserved_quantity"] - line["reserved"])
                        line["reserved"] = 0.0
                move["state"] = "cancel"
            self._touch("stock.picking", i, state="cancel")
        return True

    def unlink(self, ids, context):
        """stock.picking.unlink: its moves are cancelled (stock.move._action_cancel,
        which refuses done moves) and deleted with their lines, then the picking."""
        for i in ids:
            if any(m["state"] == "done" for m in self._moves(self._get("stock.picking", i))):
                raise user_error("You cannot cancel a stock move that has been set to 'Done'. Create a return in "
                                 "order to reverse the moves which took place.")
        for i in ids:
            picking = self._get("stock.picking", i)
            if picking["state"] != "cancel":
                self.action_cancel([i], context)
            for move in self._moves(picking):
                for line in self._lines(move):
                    del self.tables["stock.move.line"][line["id"]]
                del self.tables["stock.move"][move["id"]]
            del self.tables["stock.picking"][i]
        return True

    def _expiry(self, lot_id):
        if not lot_id:
            return "9999"
        return self._get("stock.lot", lot_id).get("expiration_date") or "9999"

    def button_validate(self, ids, context):
        """stock.picking.button_validate: done pickings are filtered out (nothing
        is booked twice); drafts are confirmed and their zero-quantity moves get
        their demand; _sanity_check; with no move picked all are; the backorder
        wizard unless skip_backorder (_pre_action_done_hook / _check_backorder);
        the expiry wizard unless skip_expired; then _action_done, which makes a
        backorder of what is short unless the picking is in
        picking_ids_not_to_backorder or its type never backorders."""
        pickings = [self._get("stock.picking", i) for i in ids]
        pickings = [p for p in pickings if p["state"] != "done"]
        for picking in pickings:
            if picking["state"] == "draft":
                self.action_confirm([picking["id"]], context)
                for move in self._moves(picking):
                    if self._quantity(move) == 0 and float(move["product_uom_qty"]) != 0:
                        move["quantity"] = float(move["product_uom_qty"])
        self._sanity_check(pickings)
        for picking in pickings:
            moves = self._moves(picking)
            if not any(m.get("picked") for m in moves):
                for m in moves:
                    m["picked"] = True
        prefix = "Transfers " if len(pickings) > 1 else ""
        if not context.get("skip_backorder"):
            short = [p for p in pickings if any(self._quantity(m) < float(m["product_uom_qty"])
                                                for m in self._moves(p) if m["state"] != "cancel")]
            if short:
                return {"type": "ir.actions.act_window", "res_model": "stock.backorder.confirmation",
                        "view_mode": "form", "target": "new", "name": "Create Backorder?",
                        "context": {"button_validate_picking_ids": ids,
                                    "default_pick_ids": [[4, p["id"]] for p in short]}}
        if not context.get("skip_expired"):
            expired = [line for p in pickings for m in self._moves(p) for line in self._lines(m)
                       if line.get("lot_id") and self._expiry(line["lot_id"]) < now_string()]
            if expired:
                return {"type": "ir.actions.act_window", "res_model": "expiry.picking.confirmation",
                        "view_mode": "form", "target": "new", "name": "Confirmation",
                        "context": {"default_picking_ids": [[6, False, ids]], "prefix": prefix}}
        not_to_backorder = set(context.get("picking_ids_not_to_backorder") or [])
        for picking in pickings:
            never = self._get("stock.picking.type", picking["picking_type_id"]).get("create_backorder") == "never"
            self._action_done(picking, backorder=not (never or picking["id"] in not_to_backorder))
        return True

    def _sanity_check(self, pickings):
        """stock.picking._sanity_check."""
        for picking in pickings:
            moves = [m for m in self._moves(picking) if m["state"] not in ("done", "cancel")]
            name = picking["name"]
            if not moves:
                raise user_error(f"{name}: Please add some items to move.")
            if all(self._quantity(m) == 0 for m in moves):
                raise user_error(f"{name}: You cannot validate a transfer if no quantities are reserved nor done. "
                                 "To force the transfer, encode quantities.")
            for move in moves:
                product = self._get("product.product", move["product_id"])
                if product.get("tracking", "none") == "none" or self._quantity(move) == 0:
                    continue
                lines = self._lines(move)
                if not lines or any(not (line.get("lot_id") or line.get("lot_name")) for line in lines
                                    if float(line.get("quantity", 0)) > 0):
                    raise user_error(f"{name}: You need to supply a Lot/Serial number for products "
                                     f"{product['name']}.")

    def _action_done(self, picking, backorder):
        """stock.picking._action_done -> stock.move._action_done: picked
        quantities are booked; what is short goes to a backorder picking
        (_create_backorder) or is cancelled."""
        rest = []
        for move in self._moves(picking):
            if move["state"] in ("done", "cancel"):
                continue
            done = self._quantity(move) if move.get("picked") else 0.0
            remaining = float(move["product_uom_qty"]) - done
            if done > 0:
                self._book(move)
            else:
                move["state"] = "cancel"
            if remaining > 0:
                rest.append((move, remaining))
        if rest and backorder:
            self._create_backorder(picking, rest)
        self._touch("stock.picking", picking["id"], state="done", date_done=now_string())

    def _create_backorder(self, picking, rest):
        vals = {k: picking[k] for k in ("picking_type_id", "location_id", "location_dest_id", "origin")}
        backorder_id = self._create_picking({**vals, "backorder_id": picking["id"]})
        for move, remaining in rest:
            self._create_move(backorder_id, {"product_id": move["product_id"], "product_uom_qty": remaining,
                                             "origin": move.get("origin") or False, "name": move.get("name", "")})
        self.action_confirm([backorder_id], {})
        return backorder_id

    def _book(self, move):
        lines = self._lines(move)
        if not lines:  # stock.move._set_quantity: a quantity set on the move becomes a line
            self._create_line(move, {"quantity": float(move.get("quantity", 0.0))})
            lines = self._lines(move)
        for line in lines:
            lot_id = line.get("lot_id") or False
            if not lot_id and line.get("lot_name"):
                # stock.move.line._create_and_assign_production_lot: reuse the
                # product's lot of that name, else create it.
                lot_id = next((lot["id"] for lot in self.tables["stock.lot"].values()
                               if lot["name"] == line["lot_name"] and lot["product_id"] == move["product_id"]), False)
                if not lot_id:
                    lot_id = self._insert("stock.lot", {"name": line["lot_name"], "product_id": move["product_id"],
                                                        "expiration_date": line.get("expiration_date") or False})
            # stock.move.line._action_done books quantity_product_uom: the line's
            # quantity in the product's unit.
            product_uom = self._get("product.product", move["product_id"])["uom_id"]
            quantity = self._compute_quantity(float(line.get("quantity", 0.0)),
                                              line.get("product_uom_id") or move["product_uom"], product_uom)
            if line.get("reserved"):
                source = self._quant(move["product_id"], line["location_id"], line.get("lot_id") or False)
                source["reserved_quantity"] = max(0.0, source["reserved_quantity"] - line["reserved"])
            # Negative quants are allowed on internal locations.
            for location, sign in ((line["location_id"], -1), (line["location_dest_id"], 1)):
                if self._usage(location) in INTERNAL:
                    quant = self._quant(move["product_id"], location, lot_id)
                    quant["quantity"] += sign * quantity
                    quant["write_date"] = now_string()
            line.update(state="done", lot_id=lot_id, picked=True, date=now_string(), write_date=now_string())
        move.update(state="done", picked=True, date=now_string(), write_date=now_string())

    # -- inventory
    def _create_inventory_quant(self, vals):
        """stock.quant.create under inventory_mode: only _get_inventory_fields_create()
        may be given; an existing quant of the same key is returned."""
        extra = set(vals) - INVENTORY_FIELDS
        if extra:
            raise user_error("Quant's creation is restricted, you can't do this operation.")
        quant = self._quant(vals["product_id"], vals["location_id"], vals.get("lot_id") or False)
        inventory = float(vals.get("inventory_quantity", 0.0))
        quant.update(inventory_quantity=inventory, inventory_quantity_set=True,
                     inventory_diff_quantity=inventory - quant["quantity"], write_date=now_string())
        return quant["id"]

    def action_apply_inventory(self, ids, context):
        """stock.quant.action_apply_inventory: an outdated quant (moved since it
        was counted, _compute_is_outdated) gives the stock.inventory.conflict
        wizard; a tracked product counted without lot stock.track.confirmation;
        else _apply_inventory books the difference against the inventory-loss
        location and returns None."""
        quants = [self._get("stock.quant", i) for i in ids]
        outdated = [q for q in quants if q["inventory_quantity_set"] and
                    q["inventory_quantity"] - q["inventory_diff_quantity"] != q["quantity"]]
        if outdated:
            return {"name": "Conflict in Inventory Adjustment", "type": "ir.actions.act_window", "view_mode": "form",
                    "res_model": "stock.inventory.conflict", "target": "new",
                    "context": {"default_quant_ids": ids, "default_quant_to_fix_ids": [q["id"] for q in outdated]}}
        untracked = [q["product_id"] for q in quants
                     if self._get("product.product", q["product_id"]).get("tracking") != "none" and not q.get("lot_id")
                     and q["inventory_quantity"] != q["quantity"] and not q["quantity"]]
        if untracked:
            return {"name": "Tracked Products in Inventory Adjustment", "type": "ir.actions.act_window",
                    "view_mode": "form", "res_model": "stock.track.confirmation", "target": "new",
                    "context": {"default_product_ids": untracked, "default_quant_ids": ids}}
        loss = self._scrap_location()
        for quant in quants:
            diff = quant["inventory_quantity"] - quant["quantity"]
            if diff:
                source, dest = (loss, quant["location_id"]) if diff > 0 else (quant["location_id"], loss)
                self._insert("stock.move", {"product_id": quant["product_id"], "product_uom_qty": abs(diff),
                                            "quantity": abs(diff), "picked": True, "is_inventory": True,
                                            "location_id": source, "location_dest_id": dest, "state": "done",
                                            "picking_id": False, "move_line_ids": [], "date": now_string(),
                                            "name": "Product Quantity Updated"})
            quant.update(quantity=quant["inventory_quantity"], inventory_quantity=0.0, inventory_diff_quantity=0.0,
                         inventory_quantity_set=False, write_date=now_string())
        return None  # JSON-RPC: no "result" key

    # -- scrap
    def action_validate(self, ids, context):
        """stock.scrap.action_validate: books at once when the location (and its
        children) has enough (check_available_qty), else returns the
        stock.warn.insufficient.qty.scrap wizard, whose button calls do_scrap."""
        for i in ids:
            scrap = self._get("stock.scrap", i)
            sources = self._descendants("stock.location", [scrap["location_id"]])
            available = sum(q["quantity"] for q in self.tables["stock.quant"].values()
                            if q["product_id"] == scrap["product_id"] and q["location_id"] in sources
                            and (q.get("lot_id") or False) == (scrap.get("lot_id") or False))
            if available < float(scrap.get("scrap_qty", 0.0)):
                return {"type": "ir.actions.act_window", "res_model": "stock.warn.insufficient.qty.scrap",
                        "view_mode": "form", "target": "new", "name": "Insufficient Quantity",
                        "context": {"default_product_id": scrap["product_id"], "default_location_id":
                                    scrap["location_id"], "default_scrap_id": i,
                                    "default_quantity": float(scrap.get("scrap_qty", 0.0))}}
        return self.do_scrap(ids, context)

    def do_scrap(self, ids, context):
        """stock.scrap.do_scrap: a done move from the location to the scrap location."""
        for i in ids:
            scrap = self._get("stock.scrap", i)
            if scrap["state"] == "done":
                continue
            quant = self._quant(scrap["product_id"], scrap["location_id"], scrap.get("lot_id") or False)
            product_uom = self._get("product.product", scrap["product_id"])["uom_id"]
            quant["quantity"] -= self._compute_quantity(float(scrap.get("scrap_qty", 0.0)),
                                                        scrap.get("product_uom_id") or product_uom, product_uom)
            quant["write_date"] = now_string()
            move_id = self._insert("stock.move", {"product_id": scrap["product_id"], "scrapped": True,
                                                  "product_uom_qty": float(scrap.get("scrap_qty", 0.0)),
                                                  "quantity": float(scrap.get("scrap_qty", 0.0)), "picked": True,
                                                  "location_id": scrap["location_id"], "picking_id": False,
                                                  "location_dest_id": scrap["scrap_location_id"], "state": "done",
                                                  "origin": scrap.get("origin") or False, "move_line_ids": [],
                                                  "date": now_string(), "name": scrap["name"]})
            self._touch("stock.scrap", i, state="done", date_done=now_string(), move_ids=[move_id])
        return True

    # -- dispatch
    RECORD_METHODS = {"read": None, "write": None, "action_confirm": "stock.picking", "action_assign": "stock.picking",
                      "button_validate": "stock.picking", "action_cancel": "stock.picking", "unlink": "stock.picking",
                      "action_apply_inventory": "stock.quant",
                      "action_validate": "stock.scrap", "do_scrap": "stock.scrap"}

    def call(self, model, method, args, kwargs):
        """One call as execute_kw makes it (odoo/service/model.py execute_cr):
        args positional, kwargs by name; an unknown model is a UserError
        "Object %s doesn't exist"."""
        if model not in self.tables:
            raise user_error(f"Object {model} doesn't exist")
        if method.startswith("_"):
            raise access_error(f"Private methods (such as '{method}') cannot be called remotely.")
        context = kwargs.pop("context", {}) or {}
        with self.lock:
            if method in ("search", "search_read", "search_count", "read"):
                return self._dispatch(model, method, args, kwargs, context)
            # One call, one transaction (odoo/service/model.py retrying): a
            # call that raises leaves nothing behind.
            snapshot = self._snapshot()
            try:
                return self._dispatch(model, method, args, kwargs, context)
            except Exception:
                self._restore(snapshot)
                raise

    def _snapshot(self):
        # Records are copied one level deep: the stock code never changes a
        # list inside a record in place, it assigns a new one.
        return ({m: {i: dict(r) for i, r in t.items()} for m, t in self.tables.items()}, dict(self.next_id),
                dict(self.sequences))

    def _restore(self, snapshot):
        self.tables, self.next_id, self.sequences = snapshot
        self.quant_index = {(q["product_id"], q["location_id"], q.get("lot_id") or False): q
                            for q in self.tables["stock.quant"].values()}

    def _dispatch(self, model, method, args, kwargs, context):
        if True:
            if method in ("search", "search_read", "search_count"):
                return getattr(self, method)(model, *args, **kwargs, context=context)
            if method == "read":
                return self.read(model, *args, **kwargs)
            if method == "create":
                return self.create(model, args[0] if args else kwargs.get("vals_list"), context)
            if method == "write":
                return self.write(model, args[0], args[1] if len(args) > 1 else kwargs["vals"])
            if model == "res.users" and method == "context_get":  # res.users.context_get, @api.model
                return {"lang": "en_US", "tz": "UTC", "uid": 2}
            if self.RECORD_METHODS.get(method) == model:
                return getattr(self, method)(args[0] if args else kwargs.get("ids", []), context)
            raise OdooError("builtins.AttributeError",
                            f"The method '{method}' does not exist on the model '{model}'", 404)

    def write(self, model, ids, vals):
        if model == "product.product" and "uom_id" in vals:
            self._check_uom_change(ids, vals)
        if model == "stock.move" and "quantity" in vals:
            vals = dict(vals)
            wanted = float(vals.pop("quantity"))
            for i in ids:
                self._set_quantity(self._get("stock.move", i), wanted)
        if model == "stock.move.line" and "quantity" in vals:
            for i in ids:
                line = self._get("stock.move.line", i)
                if line.get("reserved"):  # what was reserved beyond the new quantity is released
                    freed = max(0.0, line["reserved"] - float(vals["quantity"]))
                    quant = self._quant(line["product_id"], line["location_id"], line.get("lot_id") or False)
                    quant["reserved_quantity"] = max(0.0, quant["reserved_quantity"] - freed)
                    line["reserved"] -= freed
        return super().write(model, ids, vals)

    def _set_quantity(self, move, wanted):
        """stock.move._set_quantity: with no line the quantity stays on the move;
        otherwise an increase adds a line and a decrease takes from the last lines."""
        lines = self._lines(move)
        if not lines:
            move["quantity"] = wanted
            return
        change = wanted - self._quantity(move)
        if change > 0:
            self._create_line(move, {"quantity": change})
        for line in reversed(lines):
            if change >= 0:
                break
            take = min(-change, float(line["quantity"]))
            self.write("stock.move.line", [line["id"]], {"quantity": float(line["quantity"]) - take})
            change += take
