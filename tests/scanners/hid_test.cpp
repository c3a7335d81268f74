// USB HID scanners: recorded evdev event streams (struct input_event, as
// /dev/input/eventN delivers them) turned back into scans.
#include <fcntl.h>
#include <linux/input.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <thread>

#include "edgestock/scanners/hid_keys.hpp"
#include "edgestock/scanners/serial_source.hpp"
#include "event_loop_thread.hpp"
#include "temp_dir.hpp"
#include "wait_until.hpp"

using namespace edgestock::scanners;
using namespace std::chrono_literals;

namespace {

// What a US-layout scanner sends for each character: key code and Shift.
const std::map<char, std::pair<std::uint16_t, bool>> kKeys = [] {
  std::map<char, std::pair<std::uint16_t, bool>> keys{
      {'0', {KEY_0, false}},        {'1', {KEY_1, false}},    {'2', {KEY_2, false}},          {'3', {KEY_3, false}},
      {'4', {KEY_4, false}},        {'5', {KEY_5, false}},    {'6', {KEY_6, false}},          {'7', {KEY_7, false}},
      {'8', {KEY_8, false}},        {'9', {KEY_9, false}},    {']', {KEY_RIGHTBRACE, false}}, {'-', {KEY_MINUS, false}},
      {':', {KEY_SEMICOLON, true}}, {'+', {KEY_EQUAL, true}}, {'$', {KEY_4, true}},           {'/', {KEY_SLASH, false}},
  };
  const std::string letters = "qwertyuiopasdfghjklzxcvbnm";
  const std::uint16_t codes[] = {KEY_Q, KEY_W, KEY_E, KEY_R, KEY_T, KEY_Y, KEY_U, KEY_I, KEY_O,
                                 KEY_P, KEY_A, KEY_S, KEY_D, KEY_F, KEY_G, KEY_H, KEY_J, KEY_K,
                                 KEY_L, KEY_Z, KEY_X, KEY_C, KEY_V, KEY_B, KEY_N, KEY_M};
  for (std::size_t i = 0; i < letters.size(); ++i) {
    keys[letters[i]] = {codes[i], false};
    keys[static_cast<char>(letters[i] - 'a' + 'A')] = {codes[i], true};
  }
  return keys;
}();

std::vector<input_event> type(const std::string& text) {
  std::vector<input_event> events;
  auto key = [&events](std::uint16_t code, std::int32_t value) {
    input_event e{};
    e.type = EV_KEY;
    e.code = code;
    e.value = value;
    events.push_back(e);
    input_event sync{};
    sync.type = EV_SYN;
    events.push_back(sync);
  };
  for (const char c : text) {
    if (c == '\x1d') {  // Alt + keypad 0 2 9
      key(KEY_LEFTALT, 1);
      for (const auto digit : {KEY_KP0, KEY_KP2, KEY_KP9}) {
        key(static_cast<std::uint16_t>(digit), 1);
        key(static_cast<std::uint16_t>(digit), 0);
      }
      key(KEY_LEFTALT, 0);
      continue;
    }
    const auto [code, shift] = kKeys.at(c);
    if (shift) key(KEY_LEFTSHIFT, 1);
    key(code, 1);
    key(code, 0);
    if (shift) key(KEY_LEFTSHIFT, 0);
  }
  key(KEY_ENTER, 1);
  key(KEY_ENTER, 0);
  return events;
}

std::optional<std::string> feed_all(HidKeyDecoder& keys, const std::vector<input_event>& events) {
  std::optional<std::string> line;
  for (const auto& e : events) {
    if (auto done = keys.feed(e.type, e.code, e.value)) line = done;
  }
  return line;
}

}  // namespace

TEST_CASE("key events become the scanned text: shift, Alt codes, Enter", "[hid]") {
  HidKeyDecoder keys;
  const std::string scan =
      "]d2010950600013435217271231"
      "10LOT-42\x1d"
      "21SN7";
  CHECK(feed_all(keys, type(scan)) == scan);
  CHECK(feed_all(keys, type("+A123BJC5D6E71/$$3270630LOT42K")) == "+A123BJC5D6E71/$$3270630LOT42K");

  // Autorepeat (value 2) adds nothing; an empty Enter is no scan; unknown keys are counted.
  HidKeyDecoder other;
  CHECK_FALSE(other.feed(EV_KEY, KEY_ENTER, 1).has_value());
  other.feed(EV_KEY, KEY_5, 1);
  other.feed(EV_KEY, KEY_5, 2);
  other.feed(EV_KEY, KEY_F1, 1);
  CHECK(other.unmapped() == 1);
  CHECK(other.feed(EV_KEY, KEY_ENTER, 1) == std::optional<std::string>("5"));
}

TEST_CASE("an evdev stream: scans arrive, and the device is reopened", "[hid]") {
  edgestock::testing::TempDir dir("evdev");
  const auto fifo = dir / "event-kbd";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // Read-write, so the stream has a writer from the start (no early end of file).
  const int writer = ::open(fifo.c_str(), O_RDWR);
  REQUIRE(writer >= 0);
  std::mutex mutex;
  std::vector<std::string> lines;
  edgestock::testing::EventLoopThread loop;
  auto& io = loop.io;
  EvdevScanSource source(
      io, fifo.string(),
      [&](const std::string& from, const LineSplitter::Line& line) {
        std::lock_guard lock(mutex);
        lines.push_back(from + " " + line.text);
      },
      KeyboardLayout::us, 10ms, 50ms);
  for (const auto& text : {std::string("LOC:WARD3"), std::string("0109506000134352")}) {
    const auto events = type(text);
    const auto bytes = events.size() * sizeof(input_event);
    REQUIRE(::write(writer, events.data(), bytes) == static_cast<ssize_t>(bytes));
  }
  REQUIRE(edgestock::testing::wait_until(
      [&] {
        std::lock_guard lock(mutex);
        return lines.size() == 2;
      },
      5s));
  CHECK(lines[0] == "hid:" + fifo.string() + " LOC:WARD3");
  CHECK(lines[1] == "hid:" + fifo.string() + " 0109506000134352");
  CHECK_FALSE(source.grabbed());  // a recorded stream cannot be grabbed; a real device is
  ::close(writer);
  REQUIRE(edgestock::testing::wait_until([&] { return source.status().opens >= 2; }, 5s));
  source.stop();
}

TEST_CASE("a scanner set to the German layout", "[hid]") {
  // On QWERTZ the key where US has Y types z, ':' is Shift + '.', '-' sits where US has '/'.
  HidKeyDecoder keys(KeyboardLayout::de);
  const std::pair<std::uint16_t, bool> typed[] = {{KEY_L, true}, {KEY_O, true},  {KEY_C, true},      {KEY_DOT, true},
                                                  {KEY_Y, true}, {KEY_Z, false}, {KEY_SLASH, false}, {KEY_3, false}};
  for (const auto& [code, shift] : typed) {
    if (shift) keys.feed(EV_KEY, KEY_LEFTSHIFT, 1);
    keys.feed(EV_KEY, code, 1);
    keys.feed(EV_KEY, code, 0);
    if (shift) keys.feed(EV_KEY, KEY_LEFTSHIFT, 0);
  }
  CHECK(keys.feed(EV_KEY, KEY_ENTER, 1) == std::optional<std::string>("LOC:Zy-3"));
  keys.feed(EV_KEY, KEY_SEMICOLON, 1);  // ö: nothing ASCII
  CHECK(keys.unmapped() == 1);
}
