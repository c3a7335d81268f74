#pragma once
// USB HID scanners seen through Linux evdev: key presses back into text.
// A pure decoder: key events in, completed scan lines out. US layout (the
// one scanners are set to by default), Shift, Enter to end a scan, and the
// Alt + keypad digits sequences scanners use for characters such as the GS1
// separator (Alt 0 2 9).

#include <cstdint>
#include <optional>
#include <string>

namespace edgestock::scanners {

// The keyboard layout the scanner is set to: which character each key
// position types. AltGr combinations are not read.
enum class KeyboardLayout { us, de };

class HidKeyDecoder {
 public:
  explicit HidKeyDecoder(KeyboardLayout layout = KeyboardLayout::us) : layout_(layout) {}
  // One evdev event (struct input_event's type, code, value). Returns a
  // completed line when Enter ends one.
  std::optional<std::string> feed(std::uint16_t type, std::uint16_t code, std::int32_t value);
  // Forgets a line Enter has not ended yet and any key held (the device went
  // away mid-scan); returns how many characters were dropped.
  std::size_t discard_partial();
  // Characters that no key of the layout produced (an unmapped key code).
  [[nodiscard]] std::int64_t unmapped() const { return unmapped_; }

 private:
  KeyboardLayout layout_;
  std::string line_;
  bool shift_left_ = false;
  bool shift_right_ = false;
  bool alt_ = false;
  int alt_code_ = -1;
  std::int64_t unmapped_ = 0;
};

}  // namespace edgestock::scanners
