// LD_PRELOAD shim for bench-agent: every fsync and fdatasync waits
// EDGESTOCK_FSYNC_DELAY_US microseconds (default 5000) before the real one,
// as a terminal's eMMC does (2-10 ms per flush).
#include <dlfcn.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>

namespace {

using SyncCall = int (*)(int);

void wait_like_emmc() {
  const char* text = std::getenv("EDGESTOCK_FSYNC_DELAY_US");
  const long us = text != nullptr ? std::atol(text) : 5000;
  timespec delay{us / 1'000'000, (us % 1'000'000) * 1000};
  while (nanosleep(&delay, &delay) != 0 && errno == EINTR) {
  }
}

SyncCall real(const char* name) {
  return reinterpret_cast<SyncCall>(dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" int fdatasync(int fd) {
  static const SyncCall next = real("fdatasync");
  wait_like_emmc();
  return next(fd);
}

extern "C" int fsync(int fd) {
  static const SyncCall next = real("fsync");
  wait_like_emmc();
  return next(fd);
}
