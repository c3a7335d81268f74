#pragma once
// The stock event (schema 1) that every move becomes on MQTT: see
// docs/mqtt-contract.md for the fields.

#include <string>

#include "edgestock/storage/move.hpp"

namespace edgestock::sync {

inline constexpr int kStockEventSchema = 1;

// Compact JSON. Optional fields that are empty are left out.
std::string stock_event_json(const storage::Move& move);

}  // namespace edgestock::sync
