"""The Odoo test server's own tests: they pin the wire facts of
../shared/odoo-wire.md that edgestock's client relies on."""
import http.client
import json
import os
import threading
import unittest

import odoo_test_server as ots

HERE = os.path.dirname(os.path.abspath(__file__))
KEY = "0123456789abcdef0123456789abcdef01234567"


class Server:
    def __init__(self, version):
        self.server = ots.make_server(0, os.path.join(HERE, "fixture.json"), version, "hospital", KEY, "admin")
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def post(self, path, body, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request("POST", path, json.dumps(body), {"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        data = response.read()
        connection.close()
        return response.status, (json.loads(data) if data and response.getheader("Content-Type") == "application/json" else data)

    def rpc(self, service, method, *args):
        return self.post("/jsonrpc", {"jsonrpc": "2.0", "method": "call", "id": 7,
                                      "params": {"service": service, "method": method, "args": list(args)}})

    def kw(self, model, method, args=(), kwargs=None, secret=KEY):
        return self.rpc("object", "execute_kw", "hospital", 2, secret, model, method, list(args), kwargs or {})

    def ok(self, model, method, args=(), kwargs=None):
        status, reply = self.kw(model, method, args, kwargs)
        assert status == 200 and "error" not in reply, reply
        return reply.get("result", "<no result key>")

    def json2(self, model, method, body, key=KEY):
        return self.post(f"/json/2/{model}/{method}", body, {"Authorization": f"bearer {key}"})

    def fault(self, kind, count=1, delay_ms=0):
        self.post("/__test__/faults", {"kind": kind, "count": count, "delay_ms": delay_ms})


class On17(unittest.TestCase):
    """Tests against a server of their own (a class has one), with the helpers they share."""
    @classmethod
    def setUpClass(cls):
        cls.s = Server(17)

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def quant(self, product, location):
        quants = self.s.ok("stock.quant", "search_read",
                           [[["product_id", "=", product], ["location_id", "=", location]]], {"fields": ["quantity"]})
        return sum(q["quantity"] for q in quants)

    def error_of(self, model, method, args=(), kwargs=None):
        _, reply = self.s.kw(model, method, args, kwargs)
        self.assertIn("error", reply, reply)
        return reply["error"]["data"]

    def stocked(self, location):
        rows = self.s.ok("stock.quant", "search_read", [[["location_id", "=", location], ["quantity", ">", 5],
                                                         ["lot_id", "=", False]]], {"fields": ["product_id"]})
        untracked = [r["product_id"][0] for r in rows
                     if self.s.ok("product.product", "read", [[r["product_id"][0]], ["tracking"]])[0]["tracking"]
                     == "none"]
        return untracked[0]


class JsonRpc17(On17):
    def test_version_and_login(self):
        status, reply = self.s.rpc("common", "version")
        self.assertEqual(status, 200)
        self.assertEqual(reply["result"]["server_version_info"][:2], [17, 0])
        self.assertEqual(reply["id"], 7)
        self.assertEqual(self.s.rpc("common", "authenticate", "hospital", "admin", KEY, {})[1]["result"], 2)
        self.assertIs(self.s.rpc("common", "login", "hospital", "admin", "wrong")[1]["result"], False)

    def test_errors_come_with_http_200_and_odoo_envelope(self):
        status, reply = self.s.kw("product.product", "search", [[]], secret="bad")
        self.assertEqual(status, 200)
        self.assertNotIn("result", reply)
        self.assertEqual(reply["error"]["code"], 200)
        self.assertEqual(reply["error"]["message"], "Odoo Server Error")
        self.assertEqual(reply["error"]["data"]["name"], "odoo.exceptions.AccessDenied")
        self.assertEqual(reply["error"]["data"]["arguments"], ["Access Denied"])
        self.assertIn("Traceback", reply["error"]["data"]["debug"])

    def test_private_methods_are_refused(self):
        _, reply = self.s.kw("stock.picking", "_action_done", [[1]])
        self.assertEqual(reply["error"]["data"]["name"], "odoo.exceptions.AccessError")
        self.assertEqual(reply["error"]["data"]["message"],
                         "Private methods (such as '_action_done') cannot be called remotely.")

    def test_unknown_service_is_404_envelope(self):
        _, reply = self.s.rpc("nonsense", "x")
        self.assertEqual(reply["error"]["code"], 404)
        self.assertEqual(reply["error"]["message"], "404: Not Found")

    def test_domains_and_search_read(self):
        ward3 = self.s.ok("stock.location", "search", [[["barcode", "=", "WARD3"]]])
        self.assertEqual(ward3, [11])
        internal = self.s.ok("stock.location", "search_count", [[["usage", "=", "internal"]]])
        self.assertEqual(internal, 4)
        either = self.s.ok("stock.location", "search",
                           [["|", ["barcode", "=", "WARD3"], ["barcode", "=", "WARD7"]]])
        self.assertEqual(either, [11, 12])
        negated = self.s.ok("stock.location", "search_count", [["!", ["usage", "=", "internal"]]])
        self.assertEqual(negated, 6)
        self.assertEqual(self.s.ok("stock.location", "search", [[["id", "in", [11, 13]]]]), [11, 13])
        self.assertEqual(self.s.ok("stock.location", "search", [[["barcode", "=?", False], ["id", "=", 11]]]), [11])
        found = self.s.ok("product.product", "search_read", [[["name", "ilike", "NITRILE gloves m"]]],
                          {"fields": ["name", "uom_id", "detailed_type"], "limit": 2, "order": "id desc"})
        self.assertEqual(len(found), 2)
        self.assertGreater(found[0]["id"], found[1]["id"])
        self.assertEqual(found[0]["uom_id"][1], "Boxes")  # many2one: [id, name]
        self.assertEqual(found[0]["detailed_type"], "product")  # 17's field
        self.assertEqual(self.s.ok("product.product", "search", [[["id", ">", 405]]], {"offset": 2}), [408, 409, 410])

    def test_product_categories_and_child_of(self):
        pharmacy = self.s.ok("product.category", "search_read", [[["complete_name", "=", "All / Pharmacy"]]],
                             {"fields": ["name", "parent_id"]})
        self.assertEqual(len(pharmacy), 1)
        self.assertEqual(pharmacy[0]["parent_id"][1], "All")  # many2one shows the complete name
        below = self.s.ok("product.category", "search", [[["id", "child_of", pharmacy[0]["id"]]]])
        self.assertEqual(len(below), 5)  # Pharmacy and its four children
        drugs = self.s.ok("product.product", "search_read", [[["categ_id", "child_of", [pharmacy[0]["id"]]]]],
                          {"fields": ["name", "categ_id"]})
        self.assertTrue(drugs)
        self.assertTrue(all(p["categ_id"][1].startswith("All / Pharmacy / ") for p in drugs))
        self.assertTrue(any("Morphine" in p["name"] for p in drugs))
        self.assertFalse(any("gloves" in p["name"] for p in drugs))
        everything = self.s.ok("product.product", "search_count", [[["categ_id", "child_of", 1]]])
        self.assertEqual(everything, self.s.ok("product.product", "search_count", [[]]))
        _, reply = self.s.kw("product.product", "search", [[["name", "child_of", 1]]])
        self.assertEqual(reply["error"]["data"]["name"], "odoo.exceptions.ValidationError")

    def test_create_one_or_many_and_write_date(self):
        one = self.s.ok("stock.lot", "create", [{"name": "NEW1", "product_id": 101}])
        self.assertIsInstance(one, int)
        many = self.s.ok("stock.lot", "create", [[{"name": "NEW2", "product_id": 101}, {"name": "NEW3", "product_id": 101}]])
        self.assertEqual(len(many), 2)
        before = self.s.ok("stock.lot", "read", [[one], ["write_date"]])[0]["write_date"]
        self.assertTrue(self.s.ok("stock.lot", "write", [[one], {"name": "NEW1b"}]))
        after = self.s.ok("stock.lot", "read", [[one], ["name", "write_date"]])[0]
        self.assertEqual(after["name"], "NEW1b")
        self.assertGreaterEqual(after["write_date"], before)

    def test_missing_record(self):
        _, reply = self.s.kw("stock.lot", "read", [[999999]])
        self.assertEqual(reply["error"]["data"]["name"], "odoo.exceptions.MissingError")

    def test_picking_flow_with_backorder_wizard_and_negative_stock(self):
        stocked = self.s.ok("stock.quant", "search_read", [[["location_id", "=", 11], ["quantity", ">", 0]]],
                            {"fields": ["product_id"]})
        product = stocked[0]["product_id"][0]  # something Ward 3 holds
        ward = self.quant(product, 11)
        picking = self.s.ok("stock.picking", "create", [{
            "picking_type_id": 3, "location_id": 11, "location_dest_id": 5, "origin": "EDGE:0190-test",
            "move_ids": [[0, 0, {"product_id": product, "product_uom_qty": 5000.0, "name": "issue"}]]}])
        self.assertTrue(self.s.ok("stock.picking", "action_confirm", [[picking]]))
        self.assertTrue(self.s.ok("stock.picking", "action_assign", [[picking]]))
        wizard = self.s.ok("stock.picking", "button_validate", [[picking]])
        self.assertEqual(wizard["res_model"], "stock.backorder.confirmation")
        move = self.s.ok("stock.move", "search", [[["picking_id", "=", picking]]])[0]
        self.s.ok("stock.move", "write", [[move], {"quantity": 5000.0, "picked": True}])
        self.assertIs(self.s.ok("stock.picking", "button_validate", [[picking]], {"context": {"skip_backorder": True}}), True)
        self.assertEqual(self.quant(product, 11), ward - 5000.0)  # negative allowed on internal locations
        self.assertEqual(self.s.ok("stock.picking", "search", [[["origin", "=", "EDGE:0190-test"]]]), [picking])

    def test_validate_needs_items_and_lots(self):
        empty = self.s.ok("stock.picking", "create", [{"picking_type_id": 3, "location_id": 11, "location_dest_id": 5}])
        _, reply = self.s.kw("stock.picking", "button_validate", [[empty]])
        self.assertEqual(reply["error"]["data"]["name"], "odoo.exceptions.UserError")
        self.assertIn("Please add some items to move.", reply["error"]["data"]["message"])
        lot_tracked = next(p["id"] for p in self.s.ok("product.product", "search_read", [[["tracking", "=", "lot"]]],
                                                       {"fields": ["id"], "limit": 1}))
        picking = self.s.ok("stock.picking", "create", [{
            "picking_type_id": 1, "location_id": 1, "location_dest_id": 11,
            "move_ids": [[0, 0, {"product_id": lot_tracked, "product_uom_qty": 3.0, "quantity": 3.0, "picked": True}]]}])
        _, reply = self.s.kw("stock.picking", "button_validate", [[picking]])
        self.assertIn("You need to supply a Lot/Serial number", reply["error"]["data"]["message"])
        move = self.s.ok("stock.move", "search", [[["picking_id", "=", picking]]])[0]
        self.s.ok("stock.move.line", "create", [{"move_id": move, "quantity": 3.0, "lot_name": "RCV-77",
                                                 "expiration_date": "2030-01-31 00:00:00"}])
        self.assertIs(self.s.ok("stock.picking", "button_validate", [[picking]]), True)
        self.assertEqual(len(self.s.ok("stock.lot", "search", [[["name", "=", "RCV-77"]]])), 1)

    def test_inventory_mode_returns_none_without_result_key(self):
        quant = self.s.ok("stock.quant", "create", [{"product_id": 102, "location_id": 12, "inventory_quantity": 42.0}],
                          {"context": {"inventory_mode": True}})
        status, reply = self.s.kw("stock.quant", "action_apply_inventory", [[quant]])
        self.assertEqual(status, 200)
        self.assertNotIn("result", reply)
        self.assertNotIn("error", reply)
        self.assertEqual(self.quant(102, 12), 42.0)

    def test_scrap(self):
        before = self.quant(103, 10)
        scrap = self.s.ok("stock.scrap", "create", [{"product_id": 103, "scrap_qty": 2.0, "location_id": 10}])
        self.assertTrue(self.s.ok("stock.scrap", "action_validate", [[scrap]]))
        self.assertEqual(self.quant(103, 10), before - 2.0)

    # -- strict where posting depends on it (each names the Odoo function it follows)

    def test_lots_only_on_move_lines(self):
        """stock.move has no lot_name (BaseModel.create: "Invalid field %r on model %r");
        lots go on stock.move.line, and lot_name reuses the product's lot of that name
        (stock.move.line._create_and_assign_production_lot)."""
        tracked = self.s.ok("product.product", "search", [[["tracking", "=", "lot"]]], {"limit": 1})[0]
        pickings = self.s.ok("stock.picking", "search_count", [[]])
        error = self.error_of("stock.picking", "create", [{"picking_type_id": 1, "move_ids": [[0, 0, {
            "product_id": tracked, "product_uom_qty": 2.0, "lot_name": "L-ON-MOVE"}]]}])
        self.assertEqual(error["name"], "builtins.ValueError")
        self.assertIn("Invalid field 'lot_name' on model 'stock.move'", error["message"])
        # One call, one transaction: the picking is not left behind half-made.
        self.assertEqual(self.s.ok("stock.picking", "search_count", [[]]), pickings)
        for _ in range(2):
            picking = self.s.ok("stock.picking", "create", [{"picking_type_id": 1, "move_ids": [[0, 0, {
                "product_id": tracked, "product_uom_qty": 2.0, "quantity": 2.0, "picked": True,
                "move_line_ids": [[0, 0, {"quantity": 2.0, "lot_name": "L-TWICE",
                                          "expiration_date": "2031-01-31 00:00:00"}]]}]]}])
            self.assertIs(self.s.ok("stock.picking", "button_validate", [[picking]]), True)
        self.assertEqual(len(self.s.ok("stock.lot", "search", [[["name", "=", "L-TWICE"]]])), 1)

    def test_unknown_fields_are_value_errors_in_create_write_read_and_domains(self):
        """BaseModel.create / write / read and expression.parse raise ValueError
        for a field the model lacks, including another version's fields."""
        cases = [("stock.lot", "create", [{"name": "X", "product_id": 101, "colour": "red"}], {}),
                 ("stock.lot", "write", [[1], {"colour": "red"}], {}),
                 ("stock.lot", "read", [[1], ["colour"]], {}),
                 ("stock.lot", "search", [[["colour", "=", "red"]]], {}),
                 ("stock.lot", "search_read", [[]], {"fields": ["colour"]}),
                 ("stock.lot", "search", [[]], {"order": "colour asc"}),
                 ("product.product", "read", [[101], ["is_storable"]], {}),  # 18+
                 ("stock.move", "search", [[["quantity_done", ">", 0]]], {}),  # 16
                 ("stock.move", "search", [[["location_final_id", "=", 5]]], {})]  # 18+
        for model, method, args, kwargs in cases:
            with self.subTest(model=model, method=method, args=args):
                self.assertEqual(self.error_of(model, method, args, kwargs)["name"], "builtins.ValueError")
        self.assertEqual(self.s.ok("stock.lot", "search_count", [[["name", "=", "X"]]]), 0)  # nothing created

    def test_archived_records_are_hidden_unless_asked(self):
        """BaseModel._search adds active = True unless the domain names active
        or the context has active_test: False."""
        self.s.ok("product.product", "write", [[250], {"active": False}])
        try:
            self.assertEqual(self.s.ok("product.product", "search", [[["id", "=", 250]]]), [])
            self.assertEqual(self.s.ok("product.product", "search", [[["id", "=", 250], ["active", "in", [True, False]]]]),
                             [250])
            self.assertEqual(self.s.ok("product.product", "search_read", [[["id", "=", 250]]],
                                       {"fields": ["active"], "context": {"active_test": False}}),
                             [{"active": False, "id": 250}])
            self.assertEqual(len(self.s.ok("product.product", "read", [[250], ["name"]])), 1)  # read by id: still there
        finally:
            self.s.ok("product.product", "write", [[250], {"active": True}])

    def test_pickings_get_sequence_names_and_need_a_type(self):
        """stock.picking.create: the name comes from the type's sequence; no
        picking_type_id is a NOT NULL violation, a ValidationError."""
        first = self.s.ok("stock.picking", "create", [{"picking_type_id": 2}])
        second = self.s.ok("stock.picking", "create", [{"picking_type_id": 2}])
        names = [r["name"] for r in self.s.ok("stock.picking", "read", [[first, second], ["name"]])]
        self.assertRegex(names[0], r"^WH/INT/\d{5}$")
        self.assertEqual(int(names[1][-5:]), int(names[0][-5:]) + 1)
        self.assertEqual(self.error_of("stock.picking", "create", [{"location_id": 11}])["name"],
                         "odoo.exceptions.ValidationError")

    def test_validate_a_done_picking_books_nothing(self):
        """stock.picking.button_validate leaves done pickings out and returns True."""
        product = self.stocked(11)
        before = self.quant(product, 11)
        picking = self.s.ok("stock.picking", "create", [{"picking_type_id": 3, "move_ids": [[0, 0, {
            "product_id": product, "product_uom_qty": 1.0, "quantity": 1.0, "picked": True}]]}])
        self.assertIs(self.s.ok("stock.picking", "button_validate", [[picking]]), True)
        self.assertIs(self.s.ok("stock.picking", "button_validate", [[picking]]), True)
        self.assertEqual(self.quant(product, 11), before - 1.0)

    def test_a_draft_picking_with_zero_quantities_books_its_demand(self):
        """stock.picking.button_validate confirms a draft and gives its
        zero-quantity moves their demand: a bare create + validate books it all."""
        product = self.stocked(11)
        before = self.quant(product, 11)
        picking = self.s.ok("stock.picking", "create", [{"picking_type_id": 3, "move_ids": [[0, 0, {
            "product_id": product, "product_uom_qty": 4.0}]]}])
        self.assertIs(self.s.ok("stock.picking", "button_validate", [[picking]]), True)
        self.assertEqual(self.quant(product, 11), before - 4.0)
        self.assertEqual(self.s.ok("stock.picking", "read", [[picking], ["state"]])[0]["state"], "done")

    def short_picking(self, product):
        picking = self.s.ok("stock.picking", "create", [{"picking_type_id": 3, "origin": "EDGE:short", "move_ids": [
            [0, 0, {"product_id": product, "product_uom_qty": 5.0, "quantity": 2.0, "picked": True}]]}])
        return picking

    def test_skip_backorder_alone_still_makes_a_backorder(self):
        """stock.picking.button_validate -> _action_done -> _create_backorder:
        skip_backorder only skips the wizard; picking_ids_not_to_backorder closes it."""
        product = self.stocked(11)
        picking = self.short_picking(product)
        self.assertEqual(self.s.ok("stock.picking", "button_validate", [[picking]])["res_model"],
                         "stock.backorder.confirmation")
        self.assertIs(self.s.ok("stock.picking", "button_validate", [[picking]],
                                {"context": {"skip_backorder": True}}), True)
        backorders = self.s.ok("stock.picking", "search_read", [[["backorder_id", "=", picking]]],
                               {"fields": ["state", "move_ids", "origin"]})
        self.assertEqual(len(backorders), 1)
        self.assertNotEqual(backorders[0]["state"], "done")
        rest = self.s.ok("stock.move", "read", [backorders[0]["move_ids"], ["product_uom_qty"]])
        self.assertEqual([m["product_uom_qty"] for m in rest], [3.0])
        closed = self.short_picking(product)
        self.assertIs(self.s.ok("stock.picking", "button_validate", [[closed]], {"context": {
            "skip_backorder": True, "picking_ids_not_to_backorder": [closed]}}), True)
        self.assertEqual(self.s.ok("stock.picking", "search", [[["backorder_id", "=", closed]]]), [])

    def test_action_assign_reserves_from_children_with_lines_and_lots(self):
        """stock.picking.action_assign -> stock.move._action_assign: quants of the
        source and its children, a move line per quant and lot (FEFO),
        reserved_quantity raised; with no moves, "Nothing to check the availability for."."""
        quants = self.s.ok("stock.quant", "search_read", [[["location_id", "=", 11], ["lot_id", "!=", False],
                                                           ["quantity", ">", 0]]],
                           {"fields": ["product_id", "lot_id", "quantity", "reserved_quantity"]})
        product = quants[0]["product_id"][0]
        held = [q for q in quants if q["product_id"][0] == product]
        total = sum(q["quantity"] for q in held)
        parent = self.s.ok("stock.location", "read", [[11], ["location_id"]])[0]["location_id"][0]
        picking = self.s.ok("stock.picking", "create", [{"picking_type_id": 2, "location_id": parent,
                                                         "location_dest_id": 13, "move_ids": [[0, 0, {
                                                             "product_id": product, "product_uom_qty": total}]]}])
        self.assertTrue(self.s.ok("stock.picking", "action_assign", [[picking]]))
        move = self.s.ok("stock.move", "search_read", [[["picking_id", "=", picking]]],
                         {"fields": ["quantity", "state", "move_line_ids"]})[0]
        self.assertGreaterEqual(move["quantity"], total)
        lines = self.s.ok("stock.move.line", "read", [move["move_line_ids"], ["lot_id", "location_id", "quantity"]])
        self.assertTrue(any(line["lot_id"] and line["location_id"][0] == 11 for line in lines))
        after = self.s.ok("stock.quant", "read", [[q["id"] for q in held], ["reserved_quantity"]])
        self.assertEqual(sum(q["reserved_quantity"] for q in after), sum(q["reserved_quantity"] for q in held) + total)
        empty = self.s.ok("stock.picking", "create", [{"picking_type_id": 2}])
        self.assertIn("Nothing to check the availability for.",
                      self.error_of("stock.picking", "action_assign", [[empty]])["message"])

    def test_inventory_mode_fields_and_its_wizards(self):
        """stock.quant.create under inventory_mode takes only
        _get_inventory_fields_create(); action_apply_inventory books an inventory
        move, or returns stock.inventory.conflict for an outdated quant."""
        error = self.error_of("stock.quant", "create", [{"product_id": 102, "location_id": 12, "quantity": 9.0}],
                              {"context": {"inventory_mode": True}})
        self.assertEqual(error["name"], "odoo.exceptions.UserError")
        self.assertIn("Quant's creation is restricted", error["message"])
        before = self.quant(102, 12)
        quant = self.s.ok("stock.quant", "create", [{"product_id": 102, "location_id": 12,
                                                     "inventory_quantity": before + 3.0}],
                          {"context": {"inventory_mode": True}})
        self.assertIsNone(self.s.kw("stock.quant", "action_apply_inventory", [[quant]])[1].get("result"))
        self.assertEqual(self.quant(102, 12), before + 3.0)
        booked = self.s.ok("stock.move", "search_read", [[["is_inventory", "=", True], ["product_id", "=", 102],
                                                          ["location_dest_id", "=", 12]]],
                           {"fields": ["quantity", "location_id", "state"]})
        self.assertEqual([(m["quantity"], m["state"]) for m in booked], [(3.0, "done")])
        self.assertEqual(self.s.ok("stock.location", "read", [[booked[0]["location_id"][0]], ["usage"]])[0]["usage"],
                         "inventory")
        # Counted, then moved before the count was applied: a conflict, nothing booked.
        counted = self.s.ok("stock.quant", "create", [{"product_id": 102, "location_id": 12,
                                                       "inventory_quantity": 1.0}], {"context": {"inventory_mode": True}})
        moved = self.s.ok("stock.picking", "create", [{"picking_type_id": 1, "location_dest_id": 12, "move_ids": [
            [0, 0, {"product_id": 102, "product_uom_qty": 1.0, "quantity": 1.0, "picked": True}]]}])
        self.assertIs(self.s.ok("stock.picking", "button_validate", [[moved]]), True)
        wizard = self.s.ok("stock.quant", "action_apply_inventory", [[counted]])
        self.assertEqual(wizard["res_model"], "stock.inventory.conflict")
        self.assertEqual(self.quant(102, 12), before + 4.0)

    def test_scrap_beyond_stock_returns_the_insufficient_quantity_wizard(self):
        """stock.scrap.action_validate: check_available_qty, else the
        stock.warn.insufficient.qty.scrap wizard; do_scrap books it anyway."""
        before = self.quant(103, 10)
        scrap = self.s.ok("stock.scrap", "create", [{"product_id": 103, "scrap_qty": before + 50.0,
                                                     "location_id": 10}])
        wizard = self.s.ok("stock.scrap", "action_validate", [[scrap]])
        self.assertEqual(wizard["res_model"], "stock.warn.insufficient.qty.scrap")
        self.assertEqual(self.quant(103, 10), before)
        self.assertIs(self.s.ok("stock.scrap", "do_scrap", [[scrap]]), True)
        self.assertEqual(self.quant(103, 10), -50.0)

    def test_unknown_model_is_odoos_own_error(self):
        """odoo/service/model.py execute_cr: UserError "Object %s doesn't exist"."""
        error = self.error_of("stock.no_such_model", "search", [[]])
        self.assertEqual(error["name"], "odoo.exceptions.UserError")
        self.assertEqual(error["message"], "Object stock.no_such_model doesn't exist")

    def test_unlink_of_a_picking_cancels_and_deletes_its_moves_but_never_a_done_one(self):
        """stock.picking.unlink -> stock.move._action_cancel (refuses done moves) and stock.move.unlink."""
        product = self.stocked(11)
        before = self.quant(product, 11)

        def reserved():
            quants = self.s.ok("stock.quant", "search_read",
                               [[["product_id", "=", product], ["location_id", "=", 11]]], {"fields": ["reserved_quantity"]})
            return sum(q["reserved_quantity"] for q in quants)
        reserved_before = reserved()
        open_one = self.s.ok("stock.picking", "create", [{"picking_type_id": 3, "move_ids": [[0, 0, {
            "product_id": product, "product_uom_qty": 1.0}]]}])
        self.s.ok("stock.picking", "action_confirm", [[open_one]])
        self.s.ok("stock.picking", "action_assign", [[open_one]])
        moves = self.s.ok("stock.picking", "read", [[open_one], ["move_ids"]])[0]["move_ids"]
        self.assertIs(self.s.ok("stock.picking", "unlink", [[open_one]]), True)
        self.assertEqual(self.s.ok("stock.picking", "search", [[["id", "=", open_one]]]), [])
        self.assertEqual(self.s.ok("stock.move", "search", [[["id", "in", moves]]]), [])
        self.assertEqual(reserved(), reserved_before)  # released
        done = self.s.ok("stock.picking", "create", [{"picking_type_id": 3, "move_ids": [[0, 0, {
            "product_id": product, "product_uom_qty": 1.0, "quantity": 1.0, "picked": True}]]}])
        self.s.ok("stock.picking", "button_validate", [[done]])
        error = self.error_of("stock.picking", "unlink", [[done]])
        self.assertIn("You cannot cancel a stock move that has been set to 'Done'", error["message"])
        self.assertEqual(self.quant(product, 11), before - 1.0)

    def test_faults(self):
        self.s.fault("http_503")
        status, body = self.s.kw("stock.location", "search", [[]])
        self.assertEqual(status, 503)
        self.assertEqual(self.s.ok("stock.location", "search_count", [[]]), 10)
        self.s.fault("serialization_failure")
        _, reply = self.s.kw("stock.location", "search", [[]])
        self.assertEqual(reply["error"]["data"]["name"], "psycopg2.errors.SerializationFailure")
        self.s.fault("lost_response")
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.s.kw("stock.lot", "create", [{"name": "LOST-1", "product_id": 101}])
        self.assertEqual(len(self.s.ok("stock.lot", "search", [[["name", "=", "LOST-1"]]])), 1)  # it was committed
        self.s.fault("reset")
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.s.kw("stock.location", "search", [[]])


class Versions(unittest.TestCase):
    def test_18_has_is_storable(self):
        s = Server(18)
        try:
            product = s.ok("product.product", "read", [[101], ["is_storable", "type"]])[0]
            self.assertEqual(product["is_storable"], True)
            self.assertEqual(product["type"], "consu")
            status, _ = s.json2("product.product", "search", {"domain": []})
            self.assertEqual(status, 404)  # JSON-2 is 19's
        finally:
            s.close()


class Units17(On17):
    """Units of measure on 17: a server of their own, as they create products."""

    def unit(self, name):
        return self.s.ok("uom.uom", "search", [[["name", "=", name]]])[0]

    def test_a_products_unit_cannot_change_once_it_has_moves(self):
        """stock's ProductTemplate.write: "You cannot change the unit of measure
        as there are already stock moves for this product"; a product never
        moved may change it."""
        error = self.error_of("product.product", "write", [[self.stocked(11)], {"uom_id": self.unit("Packs of 10")}])
        self.assertEqual(error["name"], "odoo.exceptions.UserError")
        self.assertIn("You cannot change the unit of measure as there are already stock moves", error["message"])
        fresh = self.s.ok("product.product", "create", [{"name": "Swab, new", "uom_id": self.unit("Units"),
                                                          "tracking": "none"}])
        self.assertIs(self.s.ok("product.product", "write", [[fresh], {"uom_id": self.unit("Packs of 10")}]), True)

    def test_a_move_in_another_unit_books_the_products_unit(self):
        """uom.uom._compute_quantity (17: qty / from.factor * to.factor, refused
        across categories) as stock.move.line._action_done books
        quantity_product_uom."""
        product = self.s.ok("product.product", "create", [{"name": "Gauze, new", "uom_id": self.unit("Packs of 10"),
                                                            "tracking": "none"}])
        picking = self.s.ok("stock.picking", "create", [{"picking_type_id": 1, "location_id": 1, "location_dest_id": 11,
                                                         "move_ids": [[0, 0, {
                                                             "product_id": product, "product_uom_qty": 30.0,
                                                             "quantity": 30.0, "picked": True,
                                                             "product_uom": self.unit("Units")}]]}])
        self.assertIs(self.s.ok("stock.picking", "button_validate", [[picking]]), True)
        self.assertAlmostEqual(self.quant(product, 11), 3.0)  # 30 units are 3 packs of 10
        error = self.error_of("stock.picking", "create", [{"picking_type_id": 1, "location_id": 1,
                                                           "location_dest_id": 11, "move_ids": [[0, 0, {
                                                               "product_id": product, "product_uom_qty": 1.0,
                                                               "product_uom": self.unit("Litres")}]]}])
        self.assertEqual(error["name"], "odoo.exceptions.UserError")
        self.assertIn("doesn't belong to the same category", error["message"])

    def test_units_have_categories_and_factors_on_17(self):
        units = self.s.ok("uom.uom", "search_read", [[["name", "in", ["Units", "Dozens"]]]],
                          {"fields": ["name", "category_id", "factor", "uom_type"]})
        by_name = {u["name"]: u for u in units}
        self.assertEqual(by_name["Units"]["category_id"], by_name["Dozens"]["category_id"])
        self.assertAlmostEqual(by_name["Dozens"]["factor"], 1 / 12)
        self.assertEqual(by_name["Dozens"]["uom_type"], "bigger")


class UnitsOn19(unittest.TestCase):
    def test_units_are_a_tree_without_categories(self):
        """addons/uom/models/uom_uom.py in 19: relative_factor and
        relative_uom_id, factor = reference units in one; no uom.category."""
        s = Server(19)
        try:
            units = s.ok("uom.uom", "search_read", [[["name", "in", ["Units", "Packs of 10"]]]],
                         {"fields": ["name", "relative_factor", "relative_uom_id", "factor", "parent_path"]})
            by_name = {u["name"]: u for u in units}
            self.assertEqual(by_name["Packs of 10"]["factor"], 10.0)
            self.assertEqual(by_name["Packs of 10"]["relative_uom_id"][0], by_name["Units"]["id"])
            self.assertTrue(by_name["Packs of 10"]["parent_path"].startswith(by_name["Units"]["parent_path"]))
            _, reply = s.kw("uom.uom", "read", [[by_name["Units"]["id"]], ["category_id"]])
            self.assertEqual(reply["error"]["data"]["name"], "builtins.ValueError")
            _, reply = s.kw("uom.category", "search", [[]])
            self.assertEqual(reply["error"]["data"]["message"], "Object uom.category doesn't exist")
        finally:
            s.close()


class Json2On19(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server(19)

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def test_bearer_key_and_bare_results(self):
        status, result = self.s.json2("stock.location", "search_read",
                                      {"domain": [["barcode", "=", "WARD3"]], "fields": ["complete_name"]})
        self.assertEqual(status, 200)
        self.assertEqual(result, [{"complete_name": "PHARM/Stock/Ward 3", "id": 11}])
        status, error = self.s.json2("stock.location", "search", {"domain": []}, key="wrong")
        self.assertEqual(status, 401)
        self.assertEqual(error["name"], "werkzeug.exceptions.Unauthorized")
        self.assertEqual(error["message"], "Invalid apikey")

    def test_create_always_returns_a_list(self):
        status, ids = self.s.json2("stock.lot", "create", {"vals_list": {"name": "J2", "product_id": 101}})
        self.assertEqual(status, 200)
        self.assertIsInstance(ids, list)

    def test_statuses(self):
        self.assertEqual(self.s.json2("stock.picking", "_action_done", {"ids": [1]})[0], 403)
        status, error = self.s.json2("no.such.model", "search", {"domain": []})
        self.assertEqual(status, 404)  # json2.py: werkzeug's NotFound
        self.assertEqual(error["name"], "werkzeug.exceptions.NotFound")
        status, error = self.s.json2("stock.lot", "search", {"domain": [["colour", "=", "red"]]})
        self.assertEqual(status, 500)  # a ValueError is an internal error on JSON-2, and repeats
        self.assertEqual(error["name"], "builtins.ValueError")
        self.assertEqual(self.s.json2("stock.location", "search", {"ids": [1], "domain": []})[0], 422)
        self.assertEqual(self.s.json2("stock.lot", "read", {"ids": [999999]})[0], 404)
        empty = self.s.json2("stock.picking", "create", {"vals_list": [{"picking_type_id": 3}]})[1]
        status, error = self.s.json2("stock.picking", "button_validate", {"ids": empty})
        self.assertEqual(status, 422)
        self.assertEqual(error["name"], "odoo.exceptions.UserError")
        self.s.fault("serialization_failure")
        self.assertEqual(self.s.json2("stock.location", "search", {"domain": []})[0], 409)

    def test_web_version(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.s.port, timeout=10)
        connection.request("GET", "/web/version")
        reply = json.loads(connection.getresponse().read())
        connection.close()
        self.assertEqual(reply, {"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0"})


if __name__ == "__main__":
    unittest.main()
