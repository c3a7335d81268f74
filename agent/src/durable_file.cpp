#include "durable_file.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace edgestock::agent {

std::string write_durably(const std::filesystem::path& path, const std::string& text) {
  const auto temp = path.string() + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return "cannot write " + temp;
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  if (::close(fd) != 0 || !written) return "cannot write " + temp;
  if (::rename(temp.c_str(), path.c_str()) != 0) return "cannot rename " + temp;
  const int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    (void)::fsync(dir);
    ::close(dir);
  }
  return "";
}

}  // namespace edgestock::agent
