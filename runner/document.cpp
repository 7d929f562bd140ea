#include "runner/document.hpp"

#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "runner/text.hpp"

namespace nlb::runner {

// ---- OriginMap ------------------------------------------------------------------------------

Origin OriginMap::lookup(std::string_view pointer) const {
  std::string_view p = pointer;
  for (;;) {
    if (auto it = entries_.find(p); it != entries_.end())
      return Origin{it->second.file, it->second.pointer + std::string(pointer.substr(p.size()))};
    if (p.empty()) return Origin{};
    p = pointer_parent(p);
  }
}

void OriginMap::set(const std::string& pointer, Origin origin) { entries_[pointer] = std::move(origin); }

void OriginMap::erase_below(std::string_view pointer) {
  // Entries strictly below `pointer` start with pointer + "/".
  std::string prefix = std::string(pointer) + "/";
  for (auto it = entries_.lower_bound(prefix); it != entries_.end() && it->first.starts_with(prefix);)
    it = entries_.erase(it);
  for (auto it = notes_.lower_bound(prefix); it != notes_.end() && it->first.starts_with(prefix);)
    it = notes_.erase(it);
}

void OriginMap::graft(const OriginMap& src, std::string_view from, const std::string& to) {
  // Copy first: `src` may be this map (a parameter's subtree grafted elsewhere in the document).
  std::string prefix = std::string(from) + "/";
  Origin root = src.lookup(from);
  std::vector<std::pair<std::string, Origin>> entries;
  for (auto it = src.entries_.lower_bound(prefix); it != src.entries_.end() && it->first.starts_with(prefix);
       ++it)
    entries.emplace_back(to + it->first.substr(from.size()), it->second);
  std::vector<std::pair<std::string, std::string>> notes;
  if (auto it = src.notes_.find(from); it != src.notes_.end()) notes.emplace_back(to, it->second);
  for (auto it = src.notes_.lower_bound(prefix); it != src.notes_.end() && it->first.starts_with(prefix);
       ++it)
    notes.emplace_back(to + it->first.substr(from.size()), it->second);
  erase_below(to);
  notes_.erase(to);
  entries_[to] = std::move(root);
  for (auto& [k, v] : entries) entries_[k] = std::move(v);
  for (auto& [k, v] : notes) notes_[k] = std::move(v);
}

void OriginMap::note(const std::string& pointer, std::string text) { notes_[pointer] = std::move(text); }

std::string OriginMap::notes_for(std::string_view pointer) const {
  std::string out;
  for (std::string_view p = pointer;; p = pointer_parent(p)) {
    if (auto it = notes_.find(p); it != notes_.end()) out = it->second + (out.empty() ? "" : ", " + out);
    if (p.empty()) break;
  }
  return out;
}

void DiagSink::add(Severity s, std::string_view pointer, std::string message) {
  Origin o = origins_.lookup(pointer);
  std::string notes = origins_.notes_for(pointer);
  if (!notes.empty()) message += " [generated element " + std::string(pointer) + ": " + notes + "]";
  if (s == Severity::Error) ++errors_;
  out_.push_back(Diagnostic{s, o.file, o.pointer, std::move(message)});
}

// ---- reading --------------------------------------------------------------------------------

std::optional<std::string> read_file_bytes(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return std::nullopt;
  if (size > kMaxFileBytes) return std::string(kMaxFileBytes + 1, ' ');  // reported as too large
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(ss).str();
}

namespace {

struct TextPos {
  int line = 1;
  int column = 1;
};

// Line and column (in characters, not bytes) of byte `offset`.
TextPos position_of(std::string_view text, std::size_t offset) {
  TextPos p;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++p.line;
      p.column = 1;
    } else if ((c & 0xc0) != 0x80) {
      ++p.column;
    }
  }
  return p;
}

// Offset of the first byte that is not valid UTF-8 (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF), or npos.
std::size_t invalid_utf8_at(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0, min = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return i;
    }
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return i;
      unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xc0) != 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return std::string_view::npos;
}

bool looks_binary(std::string_view s) {
  std::size_t control = 0, n = std::min<std::size_t>(s.size(), 4096);
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0) return true;
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') ++control;
  }
  return control * 10 > n;
}

// Tracks the pointer of what the parser is reading, to name duplicate keys and deep nesting.
class KeyChecker {
 public:
  KeyChecker(const std::string& file, Diagnostics& out) : file_(file), out_(out) {}

  bool on_event(int depth, Json::parse_event_t ev, const Json& parsed) {
    switch (ev) {
      case Json::parse_event_t::object_start:
      case Json::parse_event_t::array_start:
        if (depth >= kMaxDepth && !too_deep_) {
          too_deep_ = true;
          error(path(), "nested more than " + std::to_string(kMaxDepth) + " levels deep");
        }
        frames_.push_back(Frame{ev == Json::parse_event_t::object_start, {}, 0, {}});
        break;
      case Json::parse_event_t::key: {
        Frame& f = frames_.back();
        f.key = parsed.get<std::string>();
        if (!f.seen.insert(f.key).second)
          error(path(), "duplicate key " + in_quotes(f.key) + ": JSON objects keep one value per key");
        break;
      }
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        frames_.pop_back();
        element_done();
        break;
      case Json::parse_event_t::value:
        element_done();
        break;
    }
    return true;
  }
  bool failed() const { return failed_; }

 private:
  struct Frame {
    bool object;
    std::string key;
    std::size_t index;
    std::set<std::string> seen;
  };
  void element_done() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
  }
  std::string path() const {
    std::string p;
    for (const Frame& f : frames_) p = f.object ? pointer_join(p, f.key) : pointer_join(p, f.index);
    return p;
  }
  void error(std::string pointer, std::string message) {
    failed_ = true;
    out_.push_back(Diagnostic{Severity::Error, file_, std::move(pointer), std::move(message)});
  }
  const std::string& file_;
  Diagnostics& out_;
  std::vector<Frame> frames_;
  bool failed_ = false;
  bool too_deep_ = false;
};

Diagnostic at_offset(const std::string& file, std::string_view text, std::size_t offset,
                     std::string message) {
  TextPos p = position_of(text, offset);
  Diagnostic d{Severity::Error, file, "", std::move(message)};
  d.line = p.line;
  d.column = p.column;
  return d;
}

}  // namespace

std::optional<Json> parse_json_text(std::string_view text, const std::string& file, Diagnostics& out) {
  if (text.size() > kMaxFileBytes) {
    out.push_back(
        {Severity::Error, file, "", "file larger than " + std::to_string(kMaxFileBytes >> 20) + " MiB"});
    return std::nullopt;
  }
  if (text.starts_with("\xef\xbb\xbf")) text.remove_prefix(3);  // a UTF-8 byte order mark
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    out.push_back({Severity::Error, file, "", "empty file: expected a JSON object"});
    return std::nullopt;
  }
  if (looks_binary(text)) {
    out.push_back({Severity::Error, file, "", "binary data, not JSON text: expected a JSON object"});
    return std::nullopt;
  }
  if (auto bad = invalid_utf8_at(text); bad != std::string_view::npos) {
    out.push_back(at_offset(file, text, bad,
                            "invalid UTF-8 (byte " + std::to_string(bad) + "): JSON text must be UTF-8"));
    return std::nullopt;
  }
  KeyChecker keys(file, out);
  try {
    Json j = Json::parse(text.begin(), text.end(), [&keys](int depth, Json::parse_event_t ev, Json& parsed) {
      return keys.on_event(depth, ev, parsed);
    });
    if (keys.failed()) return std::nullopt;
    return j;
  } catch (const Json::parse_error& e) {
    // e.byte is 1-based and points at the last character read.
    std::string what = e.what();
    if (auto colon = what.find(": ", what.find("column")); colon != std::string::npos)
      what = what.substr(colon + 2);
    out.push_back(at_offset(file, text, e.byte == 0 ? 0 : e.byte - 1, "JSON syntax error: " + what));
  } catch (const Json::exception& e) {
    // out_of_range 406: a number like 1e400 that no double holds.
    std::string what = e.what();
    if (auto sp = what.find("] "); sp != std::string::npos) what = what.substr(sp + 2);
    out.push_back({Severity::Error, file, "", "JSON error: " + what});
  }
  return std::nullopt;
}

std::string describe_json(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::string:
      return "the string " + in_quotes(v.get_ref<const std::string&>());
    case Json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return "the number " + v.dump();
    default:
      return "a value of type " + std::string(v.type_name());
  }
}

}  // namespace nlb::runner
