#include <fcntl.h>
#include <linux/input.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstring>
#include <mutex>
#include <system_error>

#include "edgestock/scanners/hid_keys.hpp"
#include "edgestock/scanners/serial_source.hpp"

#include "edgestock/storage/backoff.hpp"

namespace edgestock::scanners {

namespace asio = boost::asio;

class EvdevScanSource::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& io, std::string device, LineHandler handler, KeyboardLayout layout,
       std::chrono::milliseconds first, std::chrono::milliseconds cap)
      : stream_(io),
        timer_(io),
        device_(std::move(device)),
        handler_(std::move(handler)),
        keys_(layout),
        reopen_(first, cap) {}

  void open() {
    if (stopped_) return;
    const int fd = ::open(device_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      fail("cannot open " + device_ + ": " + std::generic_category().message(errno));
      return;
    }
    // Exclusive: the scanner's keystrokes must not type into the desktop.
    grabbed_ = ::ioctl(fd, EVIOCGRAB, 1) == 0;
    stream_.assign(fd);
    {
      std::lock_guard lock(mutex_);
      status_.open = true;
      ++status_.opens;
      status_.last_error.clear();
    }
    reopen_.reset();
    pending_ = 0;
    read();
  }

  void stop() {
    stopped_ = true;
    timer_.cancel();
    boost::system::error_code ignored;
    stream_.close(ignored);
  }
  SourceStatus status() const {
    std::lock_guard lock(mutex_);
    return status_;
  }
  bool grabbed() const { return grabbed_; }

 private:
  void read() {
    stream_.async_read_some(
        asio::buffer(buffer_.data() + pending_, buffer_.size() - pending_),
        [weak = weak_from_this()](const boost::system::error_code& error, std::size_t size) {
          auto self = weak.lock();
          if (!self || self->stopped_) return;
          if (error) {
            boost::system::error_code ignored;
            self->stream_.close(ignored);
            // A half-typed code must not prefix the first scan after the reopen.
            self->pending_ = 0;
            if (self->keys_.discard_partial() > 0) {
              std::lock_guard lock(self->mutex_);
              ++self->status_.partials_dropped;
            }
            self->fail(self->device_ + " went away: " + error.message());
            return;
          }
          self->pending_ += size;
          std::size_t used = 0;
          while (self->pending_ - used >= sizeof(input_event)) {
            input_event event{};
            std::memcpy(&event, self->buffer_.data() + used, sizeof event);
            used += sizeof event;
            if (auto line = self->keys_.feed(event.type, event.code, event.value)) {
              {
                std::lock_guard lock(self->mutex_);
                ++self->status_.lines;
              }
              self->handler_("hid:" + self->device_,
                             LineSplitter::Line{line->substr(0, kMaxScanLength), line->size() > kMaxScanLength});
            }
          }
          std::memmove(self->buffer_.data(), self->buffer_.data() + used, self->pending_ - used);
          self->pending_ -= used;
          self->read();
        });
  }

  void fail(const std::string& why) {
    {
      std::lock_guard lock(mutex_);
      status_.open = false;
      status_.last_error = why;
    }
    timer_.expires_after(reopen_.next(1.0));  // no jitter: a terminal's own scanner is no herd
    timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& error) {
      if (auto self = weak.lock(); self && !error) self->open();
    });
  }

  asio::posix::stream_descriptor stream_;
  asio::steady_timer timer_;
  std::string device_;
  LineHandler handler_;
  HidKeyDecoder keys_;
  std::array<char, 64 * sizeof(input_event)> buffer_{};
  std::size_t pending_ = 0;
  storage::Backoff reopen_;
  bool stopped_ = false;
  std::atomic<bool> grabbed_{false};
  mutable std::mutex mutex_;
  SourceStatus status_;
};

EvdevScanSource::EvdevScanSource(asio::io_context& io, std::string device, LineHandler handler, KeyboardLayout layout,
                                 std::chrono::milliseconds reopen_first, std::chrono::milliseconds reopen_cap)
    : impl_(std::make_shared<Impl>(io, std::move(device), std::move(handler), layout, reopen_first, reopen_cap)) {
  impl_->open();
}
EvdevScanSource::~EvdevScanSource() {
  impl_->stop();
}
SourceStatus EvdevScanSource::status() const {
  return impl_->status();
}
bool EvdevScanSource::grabbed() const {
  return impl_->grabbed();
}
void EvdevScanSource::stop() {
  impl_->stop();
}

}  // namespace edgestock::scanners
