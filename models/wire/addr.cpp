#include "models/wire/addr.hpp"

#include <charconv>
#include <cstdio>

namespace nlb::wire {
namespace {

bool parse_u8(std::string_view s, int base, std::uint8_t& out) {
  if (s.empty() || s.size() > 3) return false;
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc{} || p != s.data() + s.size() || v > 255) return false;
  out = static_cast<std::uint8_t>(v);
  return true;
}

}  // namespace

std::optional<Mac> Mac::parse(std::string_view text) {
  std::array<std::uint8_t, 6> b{};
  if (text.size() != 17) return std::nullopt;
  char sep = text[2];
  if (sep != ':' && sep != '-') return std::nullopt;
  for (int i = 0; i < 6; ++i) {
    if (i > 0 && text[i * 3 - 1] != sep) return std::nullopt;
    if (!parse_u8(text.substr(i * 3, 2), 16, b[i])) return std::nullopt;
  }
  return Mac(b);
}

std::string Mac::str() const {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", b_[0], b_[1], b_[2], b_[3], b_[4], b_[5]);
  return buf;
}

std::optional<Ipv4> Ipv4::parse(std::string_view text) {
  std::uint8_t o[4];
  for (int i = 0; i < 4; ++i) {
    auto dot = text.find('.');
    std::string_view part = i < 3 ? text.substr(0, dot) : text;
    if ((i < 3 && dot == std::string_view::npos) || (i == 3 && text.find('.') != std::string_view::npos))
      return std::nullopt;
    if (part.size() > 1 && part[0] == '0') return std::nullopt;  // no octal-looking octets
    if (!parse_u8(part, 10, o[i])) return std::nullopt;
    if (i < 3) text.remove_prefix(dot + 1);
  }
  return Ipv4(o[0], o[1], o[2], o[3]);
}

std::string Ipv4::str() const {
  return std::to_string(v_ >> 24) + "." + std::to_string((v_ >> 16) & 0xff) + "." +
         std::to_string((v_ >> 8) & 0xff) + "." + std::to_string(v_ & 0xff);
}

std::optional<Prefix> Prefix::parse(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto addr = Ipv4::parse(text.substr(0, slash));
  std::uint8_t len = 0;
  if (!addr || !parse_u8(text.substr(slash + 1), 10, len) || len > 32) return std::nullopt;
  return Prefix(*addr, len);
}

std::string Prefix::str() const { return addr_.str() + "/" + std::to_string(len_); }

}  // namespace nlb::wire
