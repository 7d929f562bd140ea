#include "gui/model/flat_json.hpp"

#include <charconv>

namespace nlb::gui {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void put_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

}  // namespace

bool FlatJson::fail(std::size_t at, const char* what, std::string& error) {
  error = "byte " + std::to_string(at) + ": " + what;
  return false;
}

void FlatJson::skip_ws() {
  while (at_ < in_.size() && (in_[at_] == ' ' || in_[at_] == '\t' || in_[at_] == '\r' || in_[at_] == '\n'))
    ++at_;
}

bool FlatJson::string(std::string_view& out, std::string& error) {
  std::size_t start = ++at_;  // after the opening quote
  // Fast path: no escapes, the view points into the line.
  while (at_ < in_.size() && in_[at_] != '"' && in_[at_] != '\\') {
    if (static_cast<unsigned char>(in_[at_]) < 0x20) return fail(at_, "control character in a string", error);
    ++at_;
  }
  if (at_ >= in_.size()) return fail(start - 1, "unterminated string", error);
  if (in_[at_] == '"') {
    out = in_.substr(start, at_++ - start);
    return true;
  }
  std::size_t begin = scratch_.size();
  scratch_.append(in_.substr(start, at_ - start));
  while (at_ < in_.size() && in_[at_] != '"') {
    char c = in_[at_++];
    if (static_cast<unsigned char>(c) < 0x20) return fail(at_ - 1, "control character in a string", error);
    if (c != '\\') {
      scratch_ += c;
      continue;
    }
    if (at_ >= in_.size()) break;
    char e = in_[at_++];
    switch (e) {
      case '"':
      case '\\':
      case '/':
        scratch_ += e;
        break;
      case 'b':
        scratch_ += '\b';
        break;
      case 'f':
        scratch_ += '\f';
        break;
      case 'n':
        scratch_ += '\n';
        break;
      case 'r':
        scratch_ += '\r';
        break;
      case 't':
        scratch_ += '\t';
        break;
      case 'u': {
        auto read4 = [&](std::uint32_t& v) {
          if (at_ + 4 > in_.size()) return false;
          v = 0;
          for (int k = 0; k < 4; ++k) {
            int h = hex_value(in_[at_ + k]);
            if (h < 0) return false;
            v = v * 16 + static_cast<std::uint32_t>(h);
          }
          at_ += 4;
          return true;
        };
        std::uint32_t cp = 0;
        if (!read4(cp)) return fail(at_, "bad \\u escape", error);
        // A surrogate pair makes one code point; a lone surrogate becomes U+FFFD.
        if (cp >= 0xd800 && cp < 0xdc00 && at_ + 6 <= in_.size() && in_[at_] == '\\' && in_[at_ + 1] == 'u') {
          at_ += 2;
          std::uint32_t lo = 0;
          if (!read4(lo)) return fail(at_, "bad \\u escape", error);
          cp = (lo >= 0xdc00 && lo < 0xe000) ? 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00) : 0xfffd;
        } else if (cp >= 0xd800 && cp < 0xe000) {
          cp = 0xfffd;
        }
        put_utf8(scratch_, cp);
        break;
      }
      default:
        return fail(at_ - 1, "bad escape", error);
    }
  }
  if (at_ >= in_.size()) return fail(start - 1, "unterminated string", error);
  ++at_;
  out = std::string_view(scratch_).substr(begin);
  return true;
}

bool FlatJson::skip_nested(std::string& error) {
  std::size_t start = at_;
  int depth = 0;
  while (at_ < in_.size()) {
    char c = in_[at_];
    if (c == '"') {
      std::string_view ignored;
      if (!string(ignored, error)) return false;
      continue;
    }
    ++at_;
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') {
      if (--depth == 0) return true;
    }
  }
  return fail(start, "unterminated object or array", error);
}

bool FlatJson::value(Value& out, std::string& error) {
  if (at_ >= in_.size()) return fail(at_, "expected a value", error);
  char c = in_[at_];
  std::size_t start = at_;
  if (c == '"') {
    out.kind = Kind::String;
    return string(out.text, error);
  }
  if (c == '{' || c == '[') {
    out.kind = c == '{' ? Kind::Object : Kind::Array;
    if (!skip_nested(error)) return false;
    out.text = in_.substr(start, at_ - start);
    return true;
  }
  if (c == '-' || (c >= '0' && c <= '9')) {
    while (at_ < in_.size() && (std::string_view("+-.eE0123456789").find(in_[at_]) != std::string_view::npos))
      ++at_;
    out.kind = Kind::Number;
    out.text = in_.substr(start, at_ - start);
    return true;
  }
  for (auto [word, kind] :
       {std::pair{std::string_view("true"), Kind::Bool}, {"false", Kind::Bool}, {"null", Kind::Null}}) {
    if (in_.substr(at_, word.size()) == word) {
      at_ += word.size();
      out.kind = kind;
      out.text = word;
      return true;
    }
  }
  return fail(at_, "expected a value", error);
}

bool FlatJson::parse(std::string_view line, std::string& error) {
  in_ = line;
  at_ = 0;
  members_.clear();
  scratch_.clear();
  scratch_.reserve(line.size());  // unescaping never grows a string: views into it stay valid
  skip_ws();
  if (at_ >= in_.size() || in_[at_] != '{') return fail(at_, "expected '{'", error);
  ++at_;
  skip_ws();
  if (at_ < in_.size() && in_[at_] == '}') {
    ++at_;
  } else {
    while (true) {
      skip_ws();
      if (at_ >= in_.size() || in_[at_] != '"') return fail(at_, "expected a key", error);
      std::pair<std::string_view, Value> m;
      if (!string(m.first, error)) return false;
      skip_ws();
      if (at_ >= in_.size() || in_[at_] != ':') return fail(at_, "expected ':'", error);
      ++at_;
      skip_ws();
      if (!value(m.second, error)) return false;
      members_.push_back(m);
      skip_ws();
      if (at_ < in_.size() && in_[at_] == ',') {
        ++at_;
        continue;
      }
      if (at_ < in_.size() && in_[at_] == '}') {
        ++at_;
        break;
      }
      return fail(at_, "expected ',' or '}'", error);
    }
  }
  skip_ws();
  if (at_ != in_.size()) return fail(at_, "text after the object", error);
  return true;
}

const FlatJson::Value* FlatJson::find(std::string_view key) const {
  for (const auto& [k, v] : members_)
    if (k == key) return &v;
  return nullptr;
}

std::string_view FlatJson::str(std::string_view key) const {
  const Value* v = find(key);
  return v && v->kind == Kind::String ? v->text : std::string_view();
}

bool FlatJson::integer(std::string_view key, std::int64_t& out) const {
  const Value* v = find(key);
  if (!v || v->kind != Kind::Number) return false;
  std::int64_t x = 0;
  auto [p, ec] = std::from_chars(v->text.data(), v->text.data() + v->text.size(), x);
  if (ec != std::errc{} || p != v->text.data() + v->text.size()) return false;
  out = x;
  return true;
}

bool FlatJson::boolean(std::string_view key) const {
  const Value* v = find(key);
  return v && v->kind == Kind::Bool && v->text == "true";
}

}  // namespace nlb::gui
