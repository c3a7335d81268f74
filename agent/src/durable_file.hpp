#pragma once
// A small state file replaced whole: temp file (0600), fsync, rename, fsync of
// the folder. After a crash it is the old file or the new one, never half of
// either.

#include <filesystem>
#include <string>

namespace edgestock::agent {

// "" or what could not be done.
std::string write_durably(const std::filesystem::path& path, const std::string& text);

}  // namespace edgestock::agent
