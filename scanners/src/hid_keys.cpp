#include "edgestock/scanners/hid_keys.hpp"

#include <linux/input-event-codes.h>

#include <array>

namespace edgestock::scanners {
namespace {

struct KeyText {
  char plain;
  char shifted;
};

// US layout, by evdev key code (linux/input-event-codes.h).
using Layout = std::array<KeyText, 128>;

constexpr Layout kUsLayout = [] {
  Layout t{};
  auto set = [&t](int code, char plain, char shifted) { t[static_cast<std::size_t>(code)] = {plain, shifted}; };
  set(KEY_1, '1', '!');
  set(KEY_2, '2', '@');
  set(KEY_3, '3', '#');
  set(KEY_4, '4', '$');
  set(KEY_5, '5', '%');
  set(KEY_6, '6', '^');
  set(KEY_7, '7', '&');
  set(KEY_8, '8', '*');
  set(KEY_9, '9', '(');
  set(KEY_0, '0', ')');
  set(KEY_MINUS, '-', '_');
  set(KEY_EQUAL, '=', '+');
  set(KEY_Q, 'q', 'Q');
  set(KEY_W, 'w', 'W');
  set(KEY_E, 'e', 'E');
  set(KEY_R, 'r', 'R');
  set(KEY_T, 't', 'T');
  set(KEY_Y, 'y', 'Y');
  set(KEY_U, 'u', 'U');
  set(KEY_I, 'i', 'I');
  set(KEY_O, 'o', 'O');
  set(KEY_P, 'p', 'P');
  set(KEY_LEFTBRACE, '[', '{');
  set(KEY_RIGHTBRACE, ']', '}');
  set(KEY_A, 'a', 'A');
  set(KEY_S, 's', 'S');
  set(KEY_D, 'd', 'D');
  set(KEY_F, 'f', 'F');
  set(KEY_G, 'g', 'G');
  set(KEY_H, 'h', 'H');
  set(KEY_J, 'j', 'J');
  set(KEY_K, 'k', 'K');
  set(KEY_L, 'l', 'L');
  set(KEY_SEMICOLON, ';', ':');
  set(KEY_APOSTROPHE, '\'', '"');
  set(KEY_GRAVE, '`', '~');
  set(KEY_BACKSLASH, '\\', '|');
  set(KEY_Z, 'z', 'Z');
  set(KEY_X, 'x', 'X');
  set(KEY_C, 'c', 'C');
  set(KEY_V, 'v', 'V');
  set(KEY_B, 'b', 'B');
  set(KEY_N, 'n', 'N');
  set(KEY_M, 'm', 'M');
  set(KEY_COMMA, ',', '<');
  set(KEY_DOT, '.', '>');
  set(KEY_SLASH, '/', '?');
  set(KEY_SPACE, ' ', ' ');
  return t;
}();

// German (QWERTZ): the same key positions, other characters. Keys whose
// characters are not ASCII (ß, ü, ö, ä, §, ´, °) type nothing here.
constexpr Layout kDeLayout = [] {
  Layout t = kUsLayout;
  auto set = [&t](int code, char plain, char shifted) { t[static_cast<std::size_t>(code)] = {plain, shifted}; };
  set(KEY_Y, 'z', 'Z');
  set(KEY_Z, 'y', 'Y');
  set(KEY_2, '2', '"');
  set(KEY_3, '3', 0);
  set(KEY_6, '6', '&');
  set(KEY_7, '7', '/');
  set(KEY_8, '8', '(');
  set(KEY_9, '9', ')');
  set(KEY_0, '0', '=');
  set(KEY_MINUS, 0, '?');
  set(KEY_EQUAL, 0, '`');
  set(KEY_LEFTBRACE, 0, 0);
  set(KEY_RIGHTBRACE, '+', '*');
  set(KEY_SEMICOLON, 0, 0);
  set(KEY_APOSTROPHE, 0, 0);
  set(KEY_GRAVE, '^', 0);
  set(KEY_BACKSLASH, '#', '\'');
  set(KEY_COMMA, ',', ';');
  set(KEY_DOT, '.', ':');
  set(KEY_SLASH, '-', '_');
  set(KEY_102ND, '<', '>');
  return t;
}();

int keypad_digit(std::uint16_t code) {
  switch (code) {
    case KEY_KP0:
      return 0;
    case KEY_KP1:
      return 1;
    case KEY_KP2:
      return 2;
    case KEY_KP3:
      return 3;
    case KEY_KP4:
      return 4;
    case KEY_KP5:
      return 5;
    case KEY_KP6:
      return 6;
    case KEY_KP7:
      return 7;
    case KEY_KP8:
      return 8;
    case KEY_KP9:
      return 9;
    default:
      return -1;
  }
}

}  // namespace

std::optional<std::string> HidKeyDecoder::feed(std::uint16_t type, std::uint16_t code, std::int32_t value) {
  if (type != EV_KEY) return std::nullopt;
  const bool down = value != 0;  // 1 press, 2 autorepeat, 0 release
  switch (code) {
    case KEY_LEFTSHIFT:
      shift_left_ = down;
      return std::nullopt;
    case KEY_RIGHTSHIFT:
      shift_right_ = down;
      return std::nullopt;
    case KEY_LEFTALT:
    case KEY_RIGHTALT:
      if (down) {
        alt_ = true;
        alt_code_ = -1;
      } else {
        alt_ = false;
        if (alt_code_ >= 0 && alt_code_ < 256) line_ += static_cast<char>(alt_code_);
        alt_code_ = -1;
      }
      return std::nullopt;
    default:
      break;
  }
  if (value != 1) return std::nullopt;  // act on presses only
  if (code == KEY_ENTER || code == KEY_KPENTER) {
    std::string done = std::move(line_);
    line_.clear();
    if (done.empty()) return std::nullopt;
    return done;
  }
  if (const int digit = keypad_digit(code); digit >= 0) {
    if (alt_) {
      alt_code_ = (alt_code_ < 0 ? 0 : alt_code_ * 10) + digit;
      if (alt_code_ > 999) alt_code_ = 999;
    } else {
      line_ += static_cast<char>('0' + digit);
    }
    return std::nullopt;
  }
  const Layout& layout = layout_ == KeyboardLayout::de ? kDeLayout : kUsLayout;
  const bool shift = shift_left_ || shift_right_;
  const char typed = code < layout.size() ? (shift ? layout[code].shifted : layout[code].plain) : '\0';
  if (typed != 0) {
    line_ += typed;
  } else {
    ++unmapped_;
  }
  return std::nullopt;
}

std::size_t HidKeyDecoder::discard_partial() {
  const auto dropped = line_.size();
  line_.clear();
  shift_left_ = shift_right_ = alt_ = false;
  alt_code_ = -1;
  return dropped;
}

}  // namespace edgestock::scanners
