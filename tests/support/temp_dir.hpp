#pragma once
// A fresh directory under $TMPDIR for one test, removed afterwards.

#include <filesystem>
#include <string>

namespace edgestock::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& purpose = "test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Writes a secret file as IT is told to: readable by its owner only.
void write_secret(const std::filesystem::path& path, const std::string& text);

}  // namespace edgestock::testing
