#include "runner/template_expr.hpp"

#include <cctype>
#include <charconv>
#include <limits>

#include "models/wire/addr.hpp"
#include "runner/text.hpp"

namespace nlb::runner {

namespace {

struct Value {
  std::int64_t v = 0;
  bool address = false;
};

// Recursive descent over one expression; errors stop at the first.
class ExprParser {
 public:
  ExprParser(std::string_view s, std::span<const TemplateVar> vars) : s_(s), vars_(vars) {}

  bool parse(Value& out) {
    out = expr();
    skip();
    if (error_.empty() && pos_ != s_.size()) fail("unexpected " + in_quotes(s_.substr(pos_, 1)));
    return error_.empty();
  }
  const std::string& error() const { return error_; }

 private:
  static constexpr std::int64_t kLimit = std::int64_t{1} << 40;

  void skip() {
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
  }
  bool eat(char c) {
    skip();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void fail(std::string m) {
    if (error_.empty()) error_ = std::move(m);
  }
  Value check(Value v) {
    if (v.v > kLimit || v.v < -kLimit) fail("number out of range in template");
    if (v.address && (v.v < 0 || v.v > 0xffffffffLL))
      fail("address out of range (below 0.0.0.0 or past 255.255.255.255)");
    return v;
  }

  Value expr() {
    Value a = term();
    for (;;) {
      if (eat('+')) {
        Value b = term();
        if (a.address && b.address) fail("cannot add two addresses");
        a = check(Value{a.v + b.v, a.address || b.address});
      } else if (eat('-')) {
        Value b = term();
        if (!a.address && b.address) fail("cannot subtract an address from a number");
        a = check(Value{a.v - b.v, a.address && !b.address});
      } else {
        return a;
      }
    }
  }

  Value term() {
    Value a = factor();
    for (;;) {
      char op = 0;
      if (eat('*'))
        op = '*';
      else if (eat('/'))
        op = '/';
      else if (eat('%'))
        op = '%';
      else
        return a;
      Value b = factor();
      if (a.address || b.address) fail("addresses only add and subtract");
      if ((op == '/' || op == '%') && b.v == 0) {
        fail("division by zero");
        return a;
      }
      a = check(Value{op == '*' ? a.v * b.v : op == '/' ? a.v / b.v : a.v % b.v, false});
    }
  }

  Value factor() {
    skip();
    if (!error_.empty() || pos_ >= s_.size()) {
      fail("expression ends too early");
      return {};
    }
    char c = s_[pos_];
    if (c == '(') {
      ++pos_;
      Value v = expr();
      if (!eat(')')) fail("missing ')'");
      return v;
    }
    if (c == '-') {
      ++pos_;
      Value v = factor();
      if (v.address) fail("cannot negate an address");
      return Value{-v.v, false};
    }
    if (std::isdigit(static_cast<unsigned char>(c))) return number();
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') return variable();
    fail("unexpected " + in_quotes(s_.substr(pos_, 1)));
    return {};
  }

  Value number() {
    std::size_t start = pos_;
    while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.'))
      ++pos_;
    std::string_view t = s_.substr(start, pos_ - start);
    if (t.find('.') != std::string_view::npos) {
      auto ip = wire::Ipv4::parse(t);
      if (!ip) fail(in_quotes(t) + " is neither a number nor a dotted-quad address");
      return Value{ip ? static_cast<std::int64_t>(ip->value()) : 0, true};
    }
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc{} || p != t.data() + t.size()) fail("number " + in_quotes(t) + " too large");
    return check(Value{v, false});
  }

  Value variable() {
    std::size_t start = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
      ++pos_;
    std::string_view name = s_.substr(start, pos_ - start);
    // The innermost generator's variable wins when names repeat.
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it)
      if (it->name == name) return Value{it->value, false};
    std::string known;
    for (const auto& v : vars_) known += (known.empty() ? "" : ", ") + v.name;
    fail("unknown variable " + in_quotes(name) + " (generator variables here: " + known + ")");
    return {};
  }

  std::string_view s_;
  std::span<const TemplateVar> vars_;
  std::size_t pos_ = 0;
  std::string error_;
};

std::string format_value(const Value& v, int width) {
  if (v.address) return wire::Ipv4(static_cast<std::uint32_t>(v.v)).str();
  std::string digits = std::to_string(v.v < 0 ? -v.v : v.v);
  if (static_cast<int>(digits.size()) < width)
    digits.insert(0, static_cast<std::size_t>(width) - digits.size(), '0');
  return (v.v < 0 ? "-" : "") + digits;
}

}  // namespace

TemplateResult expand_template(std::string_view text, std::span<const TemplateVar> vars) {
  TemplateResult r;
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '}') {
      if (i + 1 < text.size() && text[i + 1] == '}')
        ++i;
      else {
        r.error = "unmatched '}' (write '}}' for a literal brace)";
        return r;
      }
      out += '}';
      continue;
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    std::size_t close = text.find('}', i);
    if (close == std::string_view::npos) {
      r.error = "unclosed '{' (write '{{' for a literal brace)";
      return r;
    }
    std::string_view body = text.substr(i + 1, close - i - 1);
    int width = 0;
    if (auto colon = body.find(':'); colon != std::string_view::npos) {
      std::string_view fmt = body.substr(colon + 1);
      auto [p, ec] = std::from_chars(fmt.data(), fmt.data() + fmt.size(), width);
      if (fmt.empty() || ec != std::errc{} || p != fmt.data() + fmt.size() || width < 0 || width > 12) {
        r.error =
            "bad format " + in_quotes(fmt) + " in {" + std::string(body) + "}: expected a width such as 03";
        return r;
      }
      body = body.substr(0, colon);
    }
    ExprParser parser(body, vars);
    Value v;
    if (!parser.parse(v)) {
      r.error = parser.error() + " in {" + std::string(body) + "}";
      return r;
    }
    out += format_value(v, width);
    if (i == 0 && close + 1 == text.size() && !v.address && width == 0) {
      r.value = v.v;  // exactly one {expr}: keep it a number
      return r;
    }
    i = close;
  }
  r.value = out;
  return r;
}

}  // namespace nlb::runner
