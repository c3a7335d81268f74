#include "edgestock/scanners/serial_source.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/serial_port.hpp>
#include <boost/asio/steady_timer.hpp>
#include <mutex>

#include "edgestock/storage/backoff.hpp"

namespace edgestock::scanners {

namespace asio = boost::asio;

class SerialScanSource::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& io, SerialOptions options, LineHandler handler)
      : port_(io),
        timer_(io),
        options_(std::move(options)),
        handler_(std::move(handler)),
        splitter_(kMaxScanLength, options_.terminators),
        reopen_(options_.reopen_first, options_.reopen_cap) {}

  void open() {
    if (stopped_) return;
    boost::system::error_code error;
    port_.open(options_.device, error);
    if (!error) {
      using sp = asio::serial_port_base;
      const auto parity = options_.parity == 'e'   ? sp::parity::even
                          : options_.parity == 'o' ? sp::parity::odd
                                                   : sp::parity::none;
      port_.set_option(sp::baud_rate(options_.baud), error);
      if (!error) port_.set_option(sp::parity(parity), error);
      if (!error) port_.set_option(sp::character_size(options_.data_bits), error);
      if (!error) {
        port_.set_option(sp::stop_bits(options_.stop_bits == 2 ? sp::stop_bits::two : sp::stop_bits::one), error);
      }
      if (!error) port_.set_option(sp::flow_control(sp::flow_control::none), error);
    }
    if (error) {
      note_failure("cannot open " + options_.device + ": " + error.message());
      return;
    }
    {
      std::lock_guard lock(mutex_);
      status_.open = true;
      ++status_.opens;
      status_.last_error.clear();
    }
    reopen_.reset();
    read();
  }

  void stop() {
    stopped_ = true;
    timer_.cancel();
    boost::system::error_code ignored;
    port_.close(ignored);
  }

  SourceStatus status() const {
    std::lock_guard lock(mutex_);
    return status_;
  }

 private:
  void read() {
    port_.async_read_some(asio::buffer(buffer_),
                          [weak = weak_from_this()](const boost::system::error_code& error, std::size_t size) {
                            auto self = weak.lock();
                            if (!self || self->stopped_) return;
                            if (error) {
                              boost::system::error_code ignored;
                              self->port_.close(ignored);
                              // A half-sent code must not prefix the first scan after the reopen.
                              self->drop_partial();
                              self->note_failure(self->options_.device + " went away: " + error.message());
                              return;
                            }
                            self->count_bytes(size);
                            for (const auto& line : self->splitter_.feed({self->buffer_.data(), size})) {
                              {
                                std::lock_guard lock(self->mutex_);
                                ++self->status_.lines;
                              }
                              self->handler_("serial:" + self->options_.device, line);
                            }
                            self->read();
                          });
  }

  void count_bytes(std::size_t size) {
    std::lock_guard lock(mutex_);
    status_.bytes += static_cast<std::int64_t>(size);
  }
  void drop_partial() {
    if (splitter_.discard_partial() == 0) return;
    std::lock_guard lock(mutex_);
    ++status_.partials_dropped;
  }

  // Reopens after min(first * 2^failures, cap): no jitter, a terminal's own
  // scanner is no herd.
  void note_failure(const std::string& why) {
    {
      std::lock_guard lock(mutex_);
      status_.open = false;
      status_.last_error = why;
    }
    timer_.expires_after(reopen_.next(1.0));
    timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& error) {
      if (auto self = weak.lock(); self && !error) self->open();
    });
  }

  asio::serial_port port_;
  asio::steady_timer timer_;
  SerialOptions options_;
  LineHandler handler_;
  LineSplitter splitter_;
  std::array<char, 1024> buffer_{};
  storage::Backoff reopen_;
  bool stopped_ = false;
  mutable std::mutex mutex_;
  SourceStatus status_;
};

SerialScanSource::SerialScanSource(asio::io_context& io, SerialOptions options, LineHandler handler)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(handler))) {
  impl_->open();
}
SerialScanSource::~SerialScanSource() {
  impl_->stop();
}
SourceStatus SerialScanSource::status() const {
  return impl_->status();
}
void SerialScanSource::stop() {
  impl_->stop();
}

class StreamScanSource::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& io, int fd, std::string name, LineHandler handler)
      : stream_(io, ::dup(fd)), name_(std::move(name)), handler_(std::move(handler)) {}
  void read() {
    stream_.async_read_some(asio::buffer(buffer_),
                            [weak = weak_from_this()](const boost::system::error_code& error, std::size_t size) {
                              auto self = weak.lock();
                              if (!self) return;
                              if (error) {
                                // End of input: a last line without its terminator is cut short.
                                const bool dropped = self->splitter_.discard_partial() > 0;
                                std::lock_guard lock(self->mutex_);
                                if (dropped) ++self->status_.partials_dropped;
                                self->status_.open = false;
                                if (error != asio::error::eof && error != asio::error::operation_aborted) {
                                  self->status_.last_error = self->name_ + ": " + error.message();
                                }
                                return;
                              }
                              {
                                std::lock_guard lock(self->mutex_);
                                self->status_.bytes += static_cast<std::int64_t>(size);
                              }
                              for (const auto& line : self->splitter_.feed({self->buffer_.data(), size}))
                                self->deliver(line);
                              self->read();
                            });
  }
  void deliver(const LineSplitter::Line& line) {
    {
      std::lock_guard lock(mutex_);
      ++status_.lines;
    }
    handler_(name_, line);
  }
  void stop() {
    boost::system::error_code ignored;
    stream_.close(ignored);
  }
  SourceStatus status() const {
    std::lock_guard lock(mutex_);
    return status_;
  }
  void mark_open() {
    std::lock_guard lock(mutex_);
    status_.open = true;
    status_.opens = 1;
  }

 private:
  asio::posix::stream_descriptor stream_;
  std::string name_;
  LineHandler handler_;
  LineSplitter splitter_;
  std::array<char, 1024> buffer_{};
  mutable std::mutex mutex_;
  SourceStatus status_;
};

StreamScanSource::StreamScanSource(asio::io_context& io, int fd, std::string name, LineHandler handler)
    : impl_(std::make_shared<Impl>(io, fd, std::move(name), std::move(handler))) {
  impl_->mark_open();
  impl_->read();
}
StreamScanSource::~StreamScanSource() {
  impl_->stop();
}
SourceStatus StreamScanSource::status() const {
  return impl_->status();
}
void StreamScanSource::stop() {
  impl_->stop();
}

}  // namespace edgestock::scanners
