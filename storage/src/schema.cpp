#include "schema.hpp"

#include <array>
#include <string>

namespace edgestock::storage::schema {
namespace {

// Version 1: moves, the stock projection, the outbox.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE moves(
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  terminal TEXT NOT NULL,
  site TEXT NOT NULL,
  occurred_at_ms INTEGER NOT NULL,
  recorded_at_ms INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('receipt','issue','transfer','count','adjust','scrap',
                                    'return','reversal')),
  product_key TEXT NOT NULL,
  product_odoo_id INTEGER,
  product_gtin TEXT,
  product_code TEXT,
  lot TEXT NOT NULL DEFAULT '',
  expiry TEXT,
  serial TEXT,
  qty_micros INTEGER NOT NULL,
  uom TEXT NOT NULL,
  from_location TEXT,
  to_location TEXT,
  operator TEXT,
  reason TEXT,
  cost_centre TEXT,
  encounter TEXT,
  reverses TEXT,
  raw TEXT,
  counted_micros INTEGER,
  expected_micros INTEGER
);
CREATE UNIQUE INDEX moves_reversed_once ON moves(reverses) WHERE reverses IS NOT NULL;
CREATE TRIGGER moves_are_immutable BEFORE UPDATE ON moves
  BEGIN SELECT RAISE(ABORT, 'moves are immutable: record a reversal instead'); END;
CREATE TRIGGER moves_are_kept BEFORE DELETE ON moves
  BEGIN SELECT RAISE(ABORT, 'moves are never deleted: record a reversal instead'); END;
CREATE TABLE stock(
  location TEXT NOT NULL,
  product_key TEXT NOT NULL,
  lot TEXT NOT NULL,
  uom TEXT NOT NULL,
  baseline_micros INTEGER NOT NULL DEFAULT 0,
  baseline_read_at_ms INTEGER NOT NULL DEFAULT 0,
  pending_micros INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(location, product_key, lot)
) WITHOUT ROWID;
CREATE TABLE server_confirmed(seq INTEGER PRIMARY KEY, confirmed_at_ms INTEGER NOT NULL);
-- A row waits per destination until the destination acknowledged the move,
-- then it is deleted; a permanent failure leaves it here as 'exception'.
CREATE TABLE outbox(
  destination TEXT NOT NULL,
  seq INTEGER NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('pending','exception')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  done_at_ms INTEGER,
  PRIMARY KEY(destination, seq)
) WITHOUT ROWID;
)sql";

// Version 2: the hash-chained audit log and the exception queue.
constexpr const char* kVersion2 = R"sql(
CREATE TABLE audit(
  number INTEGER PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE exceptions(
  id INTEGER PRIMARY KEY,
  destination TEXT NOT NULL,
  seq INTEGER NOT NULL,
  reason TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  resolved_at_ms INTEGER,
  resolved_by TEXT
);
CREATE INDEX exceptions_open ON exceptions(id) WHERE resolved_at_ms IS NULL;
)sql";

// Version 3: the catalogue cache filled from Odoo.
constexpr const char* kVersion3 = R"sql(
CREATE TABLE products(
  odoo_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  barcode TEXT,
  default_code TEXT,
  uom TEXT NOT NULL,
  tracking TEXT NOT NULL DEFAULT 'none' CHECK(tracking IN ('none','lot','serial')),
  active INTEGER NOT NULL DEFAULT 1,
  write_date TEXT
);
CREATE INDEX products_barcode ON products(barcode) WHERE barcode IS NOT NULL;
CREATE INDEX products_code ON products(default_code) WHERE default_code IS NOT NULL;
CREATE TABLE packagings(
  barcode TEXT PRIMARY KEY,
  product_id INTEGER NOT NULL,
  units_micros INTEGER NOT NULL CHECK(units_micros > 0)
) WITHOUT ROWID;
CREATE TABLE lots(
  odoo_id INTEGER PRIMARY KEY,
  product_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  expiry TEXT,
  UNIQUE(product_id, name)
);
CREATE TABLE locations(
  code TEXT PRIMARY KEY,
  odoo_id INTEGER NOT NULL,
  complete_name TEXT NOT NULL,
  usage TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;
CREATE TABLE reorder_rules(
  location TEXT NOT NULL,
  product_id INTEGER NOT NULL,
  min_micros INTEGER NOT NULL,
  max_micros INTEGER NOT NULL,
  PRIMARY KEY(location, product_id)
) WITHOUT ROWID;
)sql";

// Version 4: retention. A move that reached every destination may be deleted
// after the retention period; one still waiting for any destination never.
// The highest seq ever used is kept in meta so pruning never reuses a seq.
constexpr const char* kVersion4 = R"sql(
DROP TRIGGER moves_are_kept;
CREATE TRIGGER moves_are_kept BEFORE DELETE ON moves
  WHEN EXISTS (SELECT 1 FROM outbox WHERE outbox.seq = OLD.seq)
  BEGIN SELECT RAISE(ABORT, 'a move that has not reached every destination is never deleted'); END;
)sql";

// Version 5: the raw scan journal. Every scan is kept, readable or not,
// before it is decoded.
constexpr const char* kVersion5 = R"sql(
CREATE TABLE scans(
  id INTEGER PRIMARY KEY,
  received_at_ms INTEGER NOT NULL,
  source TEXT NOT NULL,
  raw TEXT NOT NULL,
  outcome TEXT
);
)sql";

// Version 6: moves recorded while the wall clock could not be right are flagged.
constexpr const char* kVersion6 = R"sql(
ALTER TABLE moves ADD COLUMN clock_suspect INTEGER NOT NULL DEFAULT 0;
)sql";

// Version 7: postings to Odoo, each batch fixed (identity, origin, contents)
// before its first send, and the moves it carries.
constexpr const char* kVersion7 = R"sql(
CREATE TABLE postings(
  batch_id TEXT PRIMARY KEY,
  origin TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL CHECK (state IN ('fixed', 'sent', 'done', 'split', 'failed')),
  plan TEXT NOT NULL,
  odoo_id INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE INDEX postings_open ON postings(created_at_ms) WHERE state IN ('fixed', 'sent');
CREATE TABLE posting_moves(
  seq INTEGER NOT NULL,
  batch_id TEXT NOT NULL REFERENCES postings(batch_id),
  PRIMARY KEY (seq, batch_id)
) WITHOUT ROWID;
CREATE INDEX posting_moves_batch ON posting_moves(batch_id);
)sql";

// Version 8: the transfers Odoo expects into the site's locations (open, or
// done within a window), so a receipt is matched to one offline; and the
// expected transfer a posting batch receives into or confirms.
constexpr const char* kVersion8 = R"sql(
CREATE TABLE expected_transfers(
  picking_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  state TEXT NOT NULL,
  location_from INTEGER NOT NULL,
  location_to INTEGER NOT NULL,
  scheduled TEXT NOT NULL,
  date_done TEXT NOT NULL
);
CREATE TABLE expected_lines(
  picking_id INTEGER NOT NULL REFERENCES expected_transfers(picking_id),
  odoo_move INTEGER NOT NULL,
  product_id INTEGER NOT NULL,
  lot TEXT NOT NULL,
  qty_micros INTEGER NOT NULL
);
CREATE INDEX expected_lines_picking ON expected_lines(picking_id);
ALTER TABLE postings ADD COLUMN expected INTEGER NOT NULL DEFAULT 0;
)sql";

// Version 9: Odoo's units of measure, so that a stock line kept in one unit
// takes a move in another unit of the same family (Odoo changed the product's
// unit while moves waited): family = the 17/18 category, or the 19 tree's
// root; reference_micros = reference units in one of it, in millionths.
constexpr const char* kVersion9 = R"sql(
CREATE TABLE units(
  odoo_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  family INTEGER NOT NULL,
  reference_micros INTEGER NOT NULL CHECK (reference_micros > 0)
);
CREATE INDEX units_name ON units(name);
)sql";

constexpr std::array kMigrations{kVersion1, kVersion2, kVersion3, kVersion4, kVersion5,
                                 kVersion6, kVersion7, kVersion8, kVersion9};

}  // namespace

int latest_version() {
  return static_cast<int>(kMigrations.size());
}

void migrate(sqlite::Connection& connection, int target) {
  for (int version = static_cast<int>(connection.pragma_int("user_version")); version < target; ++version) {
    sqlite::Transaction transaction(connection);
    connection.exec(kMigrations.at(static_cast<std::size_t>(version)));
    const std::string stamp = "PRAGMA user_version = " + std::to_string(version + 1) +
                              "; PRAGMA application_id = " + std::to_string(kApplicationId);
    connection.exec(stamp.c_str());
    transaction.commit();
  }
}

}  // namespace edgestock::storage::schema
