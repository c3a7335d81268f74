#pragma once
// Scans from an RS-232 or USB-CDC scanner (a serial device), or from a
// keyboard-wedge scanner on standard input or a TTY. A serial device that
// disappears (unplugged, USB reset) is reopened with a backoff that doubles up
// to a cap, and its state is reported for the status message.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "edgestock/scanners/hid_keys.hpp"
#include "edgestock/scanners/line_splitter.hpp"

namespace boost::asio {
class io_context;
}

namespace edgestock::scanners {

struct SerialOptions {
  std::string device;  // /dev/ttyUSB0, /dev/ttyACM0, ...
  unsigned baud = 9600;
  char parity = 'n';  // n, e, o
  unsigned data_bits = 8;
  unsigned stop_bits = 1;
  std::string terminators = "\r\n";  // what ends a scan
  std::chrono::milliseconds reopen_first{500};
  std::chrono::milliseconds reopen_cap{30'000};
};

struct SourceStatus {
  bool open = false;
  std::int64_t opens = 0;
  std::int64_t lines = 0;
  std::int64_t bytes = 0;             // received, lines or not
  std::int64_t partials_dropped = 0;  // unterminated lines discarded at a close or reopen
  std::string last_error;
};

using LineHandler = std::function<void(const std::string& source, const LineSplitter::Line& line)>;

class SerialScanSource {
 public:
  // Opens at once; when it cannot, it says so in status() and keeps trying.
  SerialScanSource(boost::asio::io_context& io, SerialOptions options, LineHandler handler);
  ~SerialScanSource();
  SerialScanSource(const SerialScanSource&) = delete;
  SerialScanSource& operator=(const SerialScanSource&) = delete;
  [[nodiscard]] SourceStatus status() const;
  void stop();

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

// A keyboard-wedge scanner typing into a file descriptor (standard input, a
// TTY): one scan per line.
class StreamScanSource {
 public:
  StreamScanSource(boost::asio::io_context& io, int fd, std::string name, LineHandler handler);
  ~StreamScanSource();
  StreamScanSource(const StreamScanSource&) = delete;
  StreamScanSource& operator=(const StreamScanSource&) = delete;
  [[nodiscard]] SourceStatus status() const;
  void stop();

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

// A USB HID scanner through Linux evdev (/dev/input/by-id/...-event-kbd),
// grabbed exclusively so its keystrokes reach no other program; key events are
// turned back into text (HidKeyDecoder) and Enter ends a scan. Reopened with
// backoff when it disappears, like a serial scanner.
class EvdevScanSource {
 public:
  EvdevScanSource(boost::asio::io_context& io, std::string device, LineHandler handler,
                  KeyboardLayout layout = KeyboardLayout::us,
                  std::chrono::milliseconds reopen_first = std::chrono::milliseconds(500),
                  std::chrono::milliseconds reopen_cap = std::chrono::milliseconds(30'000));
  ~EvdevScanSource();
  EvdevScanSource(const EvdevScanSource&) = delete;
  EvdevScanSource& operator=(const EvdevScanSource&) = delete;
  [[nodiscard]] SourceStatus status() const;
  // Whether the last open got the exclusive grab (a recorded stream cannot be grabbed).
  [[nodiscard]] bool grabbed() const;
  void stop();

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace edgestock::scanners
