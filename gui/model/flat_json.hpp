#pragma once
// A reader for one flat JSON object per line, the shape of every trace event
// (docs/trace-format.md): string, number, true/false/null members, and the rare nested
// object or array kept as raw text for nlohmann::json to read. It exists for speed: a
// million event lines load several times faster than through a DOM per line (docs/gui.md
// has the figures). Strict JSON, never throws; a bad line gives the byte offset and what was
// expected.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nlb::gui {

class FlatJson {
 public:
  enum class Kind : std::uint8_t { String, Number, Bool, Null, Object, Array };
  struct Value {
    Kind kind = Kind::Null;
    std::string_view text;  // String: unescaped; Number, Object, Array: as written; Bool: "true"/"false"
  };

  // Views stay valid until the next parse() (they point into `line` or an internal buffer).
  bool parse(std::string_view line, std::string& error);

  const Value* find(std::string_view key) const;
  std::string_view str(std::string_view key) const;             // "" unless a string
  bool integer(std::string_view key, std::int64_t& out) const;  // false unless an integer
  bool boolean(std::string_view key) const;                     // true only for true
  const std::vector<std::pair<std::string_view, Value>>& members() const { return members_; }

 private:
  bool fail(std::size_t at, const char* what, std::string& error);
  bool string(std::string_view& out, std::string& error);
  bool value(Value& out, std::string& error);
  bool skip_nested(std::string& error);
  void skip_ws();

  std::string_view in_;
  std::size_t at_ = 0;
  std::string scratch_;  // unescaped strings; capacity reserved per line so views stay valid
  std::vector<std::pair<std::string_view, Value>> members_;
};

}  // namespace nlb::gui
