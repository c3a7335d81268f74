// LD_PRELOAD shim for the fsync fault test: once the file named by
// EDGESTOCK_FAIL_FSYNC_WHEN exists, fsync and fdatasync fail with EIO after
// doing nothing, as a disk does that reports an error on the flush. Writes
// still reach the page cache, so what was written may survive the process.
#include <dlfcn.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>

namespace {
bool armed() {
  const char* flag = std::getenv("EDGESTOCK_FAIL_FSYNC_WHEN");
  struct stat st {};
  return flag != nullptr && ::stat(flag, &st) == 0;
}
using SyncFunction = int (*)(int);
SyncFunction next(const char* name) {
  return reinterpret_cast<SyncFunction>(::dlsym(RTLD_NEXT, name));
}
}  // namespace

extern "C" int fsync(int fd) {
  if (armed()) {
    errno = EIO;
    return -1;
  }
  return next("fsync")(fd);
}

extern "C" int fdatasync(int fd) {
  if (armed()) {
    errno = EIO;
    return -1;
  }
  return next("fdatasync")(fd);
}
