#pragma once
// The one reader of secret files (the broker password, the Odoo API key):
// the secret alone on the first line of a file that only its owner can read.

#include <expected>
#include <filesystem>
#include <string>

namespace edgestock::config {

// The secret, or why it cannot be used: a missing or unreadable file, one
// that is not a regular file, readable or writable by group or others, owned
// by another user than this process's (or root), empty, or over 4 KiB. The
// message names `key` and the path, never the secret.
std::expected<std::string, std::string> read_secret_file(const std::string& key, const std::filesystem::path& path);

}  // namespace edgestock::config
