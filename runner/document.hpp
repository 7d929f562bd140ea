#pragma once
// Scenario text -> JSON value, and where each part of a composed document came from.
//
// A scenario may be assembled from several files (extends, include), parameters and
// generators; an error found in the assembled document must still name the file and the
// pointer the user wrote. OriginMap records that, sparsely: an entry maps a pointer of the
// assembled document to (file, pointer), and any pointer below it maps by the same offset
// unless a deeper entry says otherwise.

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "runner/diagnostics.hpp"

namespace nlb::runner {

using Json = nlohmann::json;

struct Origin {
  std::string file;
  std::string pointer;
};

class OriginMap {
 public:
  // The origin of `pointer` (the deepest entry at or above it, offset by the rest).
  Origin lookup(std::string_view pointer) const;
  void set(const std::string& pointer, Origin origin);
  // Replaces everything at and below `to` by what `src` says for `from` and below.
  void graft(const OriginMap& src, std::string_view from, const std::string& to);
  // Notes on generated elements, "i=3", shown after a message about anything below them.
  void note(const std::string& pointer, std::string text);
  std::string notes_for(std::string_view pointer) const;
  bool empty() const { return entries_.empty(); }

 private:
  void erase_below(std::string_view pointer);
  std::map<std::string, Origin, std::less<>> entries_;
  std::map<std::string, std::string, std::less<>> notes_;
};

// Collects diagnostics against the assembled document and maps each to its origin.
class DiagSink {
 public:
  DiagSink(Diagnostics& out, const OriginMap& origins) : out_(out), origins_(origins) {}
  void error(std::string_view pointer, std::string message) {
    add(Severity::Error, pointer, std::move(message));
  }
  void warning(std::string_view pointer, std::string message) {
    add(Severity::Warning, pointer, std::move(message));
  }
  std::size_t errors() const { return errors_; }

 private:
  void add(Severity s, std::string_view pointer, std::string message);
  Diagnostics& out_;
  const OriginMap& origins_;
  std::size_t errors_ = 0;
};

// Reads a file's bytes; nullopt when it cannot. Tests and fuzzers pass their own.
using FileReader = std::function<std::optional<std::string>(const std::filesystem::path&)>;
std::optional<std::string> read_file_bytes(const std::filesystem::path& path);

// Limits that keep hostile input from exhausting memory or the stack.
inline constexpr std::size_t kMaxFileBytes = 64u << 20;
inline constexpr int kMaxDepth = 64;

// Parses JSON text strictly (no comments, no duplicate keys, valid UTF-8, at most kMaxDepth
// levels), reporting every problem it can find against `file`. nullopt on any error.
std::optional<Json> parse_json_text(std::string_view text, const std::string& file, Diagnostics& out);

// A short name for a JSON value's type: "an object", "a string", "the number 3", ...
std::string describe_json(const Json& v);

}  // namespace nlb::runner
