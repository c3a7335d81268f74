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


class JsonRpc17(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server(17)

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

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

    def quant(self, product, location):
        quants = self.s.ok("stock.quant", "search_read",
                           [[["product_id", "=", product], ["location_id", "=", location]]], {"fields": ["quantity"]})
        return sum(q["quantity"] for q in quants)

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
        self.s.ok("stock.move", "write", [[move], {"lot_name": "RCV-77", "expiration_date": "2030-01-31 00:00:00"}])
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
        self.assertEqual(self.s.json2("no.such.model", "search", {"domain": []})[0], 404)
        self.assertEqual(self.s.json2("stock.location", "search", {"ids": [1], "domain": []})[0], 422)
        self.assertEqual(self.s.json2("stock.lot", "read", {"ids": [999999]})[0], 404)
        empty = self.s.json2("stock.picking", "create", {"vals_list": [{"location_id": 11, "location_dest_id": 5}]})[1]
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
