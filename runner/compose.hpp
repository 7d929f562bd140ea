#pragma once
// Assembling one JSON document from a scenario file: "extends" (top level: base files merged
// under this one), "include" (any object: a file's content, with the object's other keys merged
// on top), "parameters" (${name} substitution) and generators ("count" in array elements).
// Merging follows RFC 7396 (JSON Merge Patch: objects merge, null deletes a key, other values
// replace) except that an array whose elements all have a "name" merges element by element
// (same name: merged; new name: appended).

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runner/document.hpp"

namespace nlb::runner {

inline constexpr int kMaxIncludeDepth = 32;
inline constexpr std::int64_t kMaxGeneratorCount = 100'000;
inline constexpr std::size_t kMaxGeneratedElements = 1'000'000;
// What parameters and generators may add to a document (about its size as JSON text), so that
// a parameter used many times in another ("billion laughs") cannot exhaust memory.
inline constexpr std::size_t kMaxExpansionBytes = std::size_t{64} << 20;

struct ComposeOptions {
  FileReader reader = read_file_bytes;
  // name -> value text ("42", "\"x\"" or a bare string), overriding the file's parameters.
  std::vector<std::pair<std::string, std::string>> parameters;
  // The fuzzer sets less, so that an input at the limits, legal but seconds long under its
  // instrumentation, is an error there (tests/fuzz/scenario_fuzz.cpp).
  std::size_t max_expansion_bytes = kMaxExpansionBytes;
};

struct Composed {
  Json doc;
  OriginMap origins;
  std::vector<std::string> files;  // every file read, in the order read
};

std::optional<Composed> compose_file(const std::filesystem::path& file, const ComposeOptions& options,
                                     Diagnostics& out);
std::optional<Composed> compose_text(std::string_view text, const std::string& file_name,
                                     const ComposeOptions& options, Diagnostics& out);

// The keys compose consumes, so the loader does not see them: allowed in these places only.
inline constexpr std::string_view kExtendsKey = "extends";        // the top level
inline constexpr std::string_view kParametersKey = "parameters";  // the top level
inline constexpr std::string_view kIncludeKey = "include";        // any object
inline constexpr std::string_view kCountKey = "count";            // array elements
inline constexpr std::string_view kFirstKey = "first";            // array elements with count
inline constexpr std::string_view kAsKey = "as";                  // array elements with count

}  // namespace nlb::runner
