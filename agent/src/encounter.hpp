#pragma once
// A patient's wristband GSRN becomes the moves' encounter reference through
// a keyed hash with the site's secret (HMAC-SHA-256, RFC 2104): the same
// patient gives the same reference at every terminal of the site, and the
// reference cannot be turned back into the number without the secret.

#include <string>
#include <string_view>

namespace edgestock::agent {

// "gsrn-hmac:" and the first 128 bits of the HMAC in hex.
std::string encounter_reference(std::string_view site_secret, std::string_view gsrn);

}  // namespace edgestock::agent
