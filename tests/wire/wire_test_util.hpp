#pragma once
// Helpers for the wire tests: byte vectors written as hex text, the way captures print them.

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>

#include "models/wire/bytes.hpp"
#include "models/wire/result.hpp"

namespace nlb::wire::test {

// "45 00 00 73" -> bytes; spaces and newlines are ignored.
inline std::vector<std::byte> hex(std::string_view text) {
  std::vector<std::byte> out;
  int hi = -1;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(std::byte(hi * 16 + v));
      hi = -1;
    }
  }
  return out;
}

inline std::string to_hex(Bytes b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i) s += ' ';
    s += d[std::to_integer<int>(b[i]) >> 4];
    s += d[std::to_integer<int>(b[i]) & 15];
  }
  return s;
}

// Every prefix shorter than `full` is handed to parse, as a separate heap block of exactly that
// size, so that AddressSanitizer/valgrind catch a read past the end.
template <typename Parse>
void for_each_truncation(Bytes full, Parse&& parse) {
  for (std::size_t n = 0; n < full.size(); ++n) {
    std::vector<std::byte> cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    parse(Bytes(cut), n);
  }
}

}  // namespace nlb::wire::test

namespace doctest {
template <>
struct StringMaker<nlb::wire::WireError> {
  static String convert(const nlb::wire::WireError& e) { return e.str().c_str(); }
};
}  // namespace doctest
