#include "edgestock/config/secret_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>

namespace edgestock::config {
namespace {

constexpr std::size_t kMaxSecretBytes = 4096;

// Closes the descriptor however the read ends.
struct FileDescriptor {
  int fd;
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::expected<std::string, std::string> read_secret_file(const std::string& key, const std::filesystem::path& path) {
  const std::string named = key + " " + path.string();
  if (path.empty()) return std::unexpected(key + ": no file given");
  const FileDescriptor file{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY)};
  if (file.fd < 0) return std::unexpected("cannot read " + named + ": " + std::generic_category().message(errno));
  struct stat st {};
  if (::fstat(file.fd, &st) != 0 || !S_ISREG(st.st_mode)) return std::unexpected(named + " is not a regular file");
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return std::unexpected(named + " can be read or changed by other users (mode " +
                           std::to_string((st.st_mode >> 6) & 7) + std::to_string((st.st_mode >> 3) & 7) +
                           std::to_string(st.st_mode & 7) + "); make it private: chmod 600 " + path.string());
  }
  if (st.st_uid != ::geteuid() && st.st_uid != 0) {
    return std::unexpected(named + " belongs to another user (uid " + std::to_string(st.st_uid) +
                           "); give it to the service user: chown edgestock " + path.string());
  }
  if (st.st_size > static_cast<off_t>(kMaxSecretBytes)) {
    return std::unexpected(named + " is larger than 4 KiB; it must hold only the secret");
  }
  std::array<char, kMaxSecretBytes + 1> buffer{};
  std::size_t size = 0;
  while (size < buffer.size()) {
    const auto got = ::read(file.fd, buffer.data() + size, buffer.size() - size);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return std::unexpected("cannot read " + named + ": " + std::generic_category().message(errno));
    if (got == 0) break;
    size += static_cast<std::size_t>(got);
  }
  if (size > kMaxSecretBytes) return std::unexpected(named + " is larger than 4 KiB; it must hold only the secret");
  std::string secret(buffer.data(), size);
  secret = secret.substr(0, secret.find('\n'));
  while (!secret.empty() && (secret.back() == '\r' || secret.back() == ' ' || secret.back() == '\t')) {
    secret.pop_back();
  }
  if (secret.empty()) return std::unexpected(named + " is empty; its first line must be the secret");
  return secret;
}

}  // namespace edgestock::config
