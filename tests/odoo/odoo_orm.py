"""The generic part of the Odoo test server: Odoo's exceptions, domains,
the fields each model has in each version, and the ORM methods (search,
read, create, write) with Odoo's checks. Each check names the Odoo function
it follows (odoo/models.py, odoo/osv/expression.py, odoo/service/model.py)."""
import threading
from datetime import datetime, timezone


class OdooError(Exception):
    """An exception as Odoo would raise it; `name` is module.ClassName and
    `status` the HTTP status JSON-2 answers it with."""

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


def value_error(message):
    # A plain Python ValueError: JSON-2 answers 500 (json2.py lets it through
    # as an internal error), and it repeats forever.
    return OdooError("builtins.ValueError", message, 500)


def now_string():
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


# ---------------------------------------------------------------- fields

MAGIC = {"id", "display_name", "create_date", "write_date", "create_uid", "write_uid"}

# The fields an inventory agent can meet, per model, in Odoo 17 (Community
# with stock and product_expiry). VERSION_FIELDS adds or removes per version.
FIELDS = {
    "product.product": {"name", "default_code", "barcode", "uom_id", "tracking", "active", "categ_id", "type",
                        "product_tmpl_id", "uom_po_id"},
    "product.packaging": {"name", "product_id", "barcode", "qty"},
    "res.users": {"name", "login", "lang", "tz", "active"},
    "product.category": {"name", "complete_name", "parent_id"},
    # 17 and 18: each unit in a category, `factor` = how many of it make one
    # reference unit; 19 has no category (VERSION_FIELDS).
    "uom.uom": {"name", "active", "factor", "rounding"},
    "uom.category": {"name"},
    "stock.location": {"name", "complete_name", "usage", "barcode", "active", "location_id"},
    "stock.lot": {"name", "product_id", "expiration_date", "ref", "note"},
    "stock.quant": {"product_id", "location_id", "lot_id", "quantity", "reserved_quantity", "inventory_quantity",
                    "inventory_quantity_set", "inventory_diff_quantity", "package_id", "owner_id", "product_uom_id",
                    "in_date"},
    "stock.picking.type": {"name", "code", "sequence_code", "default_location_src_id", "default_location_dest_id",
                           "create_backorder", "use_create_lots", "use_existing_lots", "active", "warehouse_id"},
    "stock.picking": {"name", "picking_type_id", "location_id", "location_dest_id", "origin", "state", "move_ids",
                      "move_ids_without_package", "move_line_ids", "date", "scheduled_date", "date_deadline",
                      "date_done", "backorder_id", "note", "partner_id", "move_type"},
    "stock.move": {"name", "product_id", "product_uom_qty", "quantity", "picked", "product_uom", "location_id",
                   "location_dest_id", "origin", "state", "picking_id", "picking_type_id", "move_line_ids", "date",
                   "date_deadline", "description_picking", "is_inventory", "scrapped", "backorder_id"},
    "stock.move.line": {"move_id", "picking_id", "product_id", "quantity", "picked", "lot_id", "lot_name",
                        "expiration_date", "location_id", "location_dest_id", "product_uom_id", "state", "date",
                        "reference"},
    "stock.scrap": {"name", "product_id", "scrap_qty", "product_uom_id", "lot_id", "location_id", "scrap_location_id",
                    "origin", "state", "date_done", "move_ids"},
    "stock.warehouse.orderpoint": {"name", "product_id", "location_id", "product_min_qty", "product_max_qty",
                                   "qty_to_order", "trigger", "active"},
}
VERSION_FIELDS = {
    17: {"product.product": {"detailed_type"}, "uom.uom": {"category_id", "uom_type"}},
    18: {"product.product": {"is_storable"}, "stock.move": {"location_final_id"},
         "uom.uom": {"category_id", "uom_type"}},
    # addons/uom/models/uom_uom.py in 19: a tree of units (relative_uom_id,
    # parent_path) whose `factor` is how many reference units one of it holds.
    19: {"product.product": {"is_storable"}, "stock.move": {"location_final_id"},
         "uom.uom": {"relative_factor", "relative_uom_id", "parent_path"}},
}
# Models a version does not have: "Object uom.category doesn't exist" on 19.
VERSION_MODELS_REMOVED = {19: {"uom.category"}}


def fields_of(model, version):
    return FIELDS[model] | MAGIC | VERSION_FIELDS.get(version, {}).get(model, set())


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


def leaves(domain):
    return [t for t in domain if isinstance(t, (list, tuple)) and len(t) == 3]


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


# ---------------------------------------------------------------- the ORM

class Orm:
    """In-memory records with Odoo's generic ORM behaviour. The stock
    behaviour is added by odoo_stock.Stock."""

    MODELS = list(FIELDS)

    # The field that makes a model a tree, for the child_of operator.
    PARENT = {"product.category": "parent_id", "stock.location": "location_id"}

    MANY2ONE = {"product_id": "product.product", "location_id": "stock.location", "location_dest_id": "stock.location",
                "lot_id": "stock.lot", "uom_id": "uom.uom", "product_uom": "uom.uom", "picking_id": "stock.picking",
                "picking_type_id": "stock.picking.type", "scrap_location_id": "stock.location",
                "product_uom_id": "uom.uom", "location_final_id": "stock.location", "move_id": "stock.move",
                "categ_id": "product.category", "parent_id": "product.category", "backorder_id": "stock.picking",
                "default_location_src_id": "stock.location", "default_location_dest_id": "stock.location",
                "category_id": "uom.category", "relative_uom_id": "uom.uom"}

    def __init__(self, version):
        self.version = version
        self.lock = threading.RLock()
        models = [m for m in self.MODELS if m not in VERSION_MODELS_REMOVED.get(version, set())]
        self.tables = {model: {} for model in models}
        self.next_id = {model: 1 for model in models}

    # -- checks
    def check_fields(self, model, names, what="field"):
        """BaseModel.create / write / read (_determine_fields_to_fetch): a field
        the model does not have is a ValueError, "Invalid field %r on model %r"."""
        known = fields_of(model, self.version)
        for name in names:
            if name not in known:
                raise value_error(f"Invalid {what} {name!r} on model {model!r}")

    def check_domain(self, model, domain):
        """expression.parse (odoo/osv/expression.py): a leaf on a field the model
        lacks is a ValueError, "Invalid field %s.%s in leaf %s"."""
        if not isinstance(domain, (list, tuple)):
            raise value_error(f"Invalid domain {domain!r}")
        known = fields_of(model, self.version)
        for field, _, _ in leaves(domain):
            if not isinstance(field, str) or field.split(".")[0] not in known:
                raise value_error(f"Invalid field {model}.{field} in leaf {[field]!r}")
            if "." in field:
                raise value_error(f"edgestock's Odoo test server does not follow the path {field!r}")

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

    def _display(self, model, record_id):
        if not record_id:
            return False
        record = self.tables[model].get(record_id)
        if record is None:
            return False
        return [record_id, record.get("complete_name") or record.get("name") or f"{model},{record_id}"]

    def _present(self, model, record, fields):
        out = {}
        for field in fields or sorted(fields_of(model, self.version) - {"display_name"}):
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

    def search(self, model, domain=(), offset=0, limit=None, order=None, context=None):
        """BaseModel._search: archived records (active = False) are left out
        unless the domain names `active` or the context has active_test: False."""
        domain = list(domain)
        self.check_domain(model, domain)
        if order:
            self.check_fields(model, [p.strip().partition(" ")[0] for p in order.split(",")])
        domain = self._expand_child_of(model, domain)
        if ("active" in fields_of(model, self.version) and (context or {}).get("active_test", True)
                and not any(leaf[0] == "active" for leaf in leaves(domain))):
            domain = [["active", "=", True]] + domain
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

    def search_read(self, model, domain=(), fields=None, offset=0, limit=None, order=None, context=None):
        self.check_fields(model, fields or [])
        return [self._present(model, self.tables[model][i], fields)
                for i in self.search(model, domain, offset, limit, order, context)]

    def search_count(self, model, domain=(), context=None):
        return len(self.search(model, domain, context=context))

    def read(self, model, ids, fields=None):
        self.check_fields(model, fields or [])
        return [self._present(model, self._get(model, i), fields) for i in ids]

    def create(self, model, vals_list, context):
        single = isinstance(vals_list, dict)
        ids = []
        for vals in ([vals_list] if single else vals_list):
            self.check_fields(model, vals.keys())
            vals = dict(vals)
            # fields.Boolean('Active', default=True): a new record is active
            # unless created archived.
            if "active" in fields_of(model, self.version):
                vals.setdefault("active", True)
            ids.append(self._create_one(model, vals, context))
        return ids[0] if single else ids

    def _create_one(self, model, vals, context):
        return self._insert(model, vals)

    def write(self, model, ids, vals):
        self.check_fields(model, vals.keys())
        for i in ids:
            self._touch(model, i, **vals)
        return True
