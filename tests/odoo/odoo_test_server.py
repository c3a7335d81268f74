#!/usr/bin/env python3
"""An Odoo-compatible test server for edgestock's integration tests.

Odoo cannot run on the project's machines; this server answers like a real
Odoo 17, 18 or 19 Community server on the wire, as ../shared/odoo-wire.md
describes it: JSON-RPC on /jsonrpc (common: version, login, authenticate;
object: execute_kw), JSON-2 on /json/2/<model>/<method> (19), GET /web/version,
Odoo's error envelopes, no "result" key when a method returns None, batch
create, private methods refused, and the stock behaviour an agent relies on.
Python standard library only. The ORM is in odoo_orm.py, the stock behaviour
in odoo_stock.py; this file is the HTTP side.

    python3 odoo_test_server.py [--port 8069] [--version 17|18|19]
                                [--fixture fixture.json] [--db hospital]
                                [--api-key KEY] [--password admin]

It prints "listening on PORT" once ready (--port 0 picks a free port).
Faults for tests: POST /__test__/faults {"kind": K, "count": N, "delay_ms": D, "after": A}
with K one of latency, http_502, http_503, reset, lost_response,
serialization_failure, slow; the next N object calls (after A untouched ones) suffer it. These damage
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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from odoo_orm import OdooError, access_error, access_denied
from odoo_stock import Stock

ADMIN_UID = 2


# ---------------------------------------------------------------- HTTP

class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.kind, self.count, self.delay_ms, self.after = None, 0, 0, 0

    def take(self):
        with self.lock:
            if self.count <= 0:
                return None, 0
            if self.after > 0:  # this many object calls pass untouched first
                self.after -= 1
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

    def setup(self):
        super().setup()
        # Headers and body go out in two writes: without this, Nagle holds the
        # body until the client's delayed ACK (40 ms per answer).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

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
                self.server.faults.after = int(spec.get("after", 0))
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
            if model not in db.tables:
                # json2.py: an unknown model is werkzeug's NotFound
                raise OdooError("werkzeug.exceptions.NotFound", f"Object {model} doesn't exist", 404)
            if method in Stock.RECORD_METHODS:
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
    server.db = Stock(fixture, version)
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
