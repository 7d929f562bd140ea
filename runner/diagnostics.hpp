#pragma once
// A mistake in a scenario is data: where (file, JSON pointer, or line and column for a JSON
// syntax error) and what was expected. Nothing here throws.

#include <string>
#include <vector>

namespace nlb::runner {

enum class Severity : std::uint8_t { Error, Warning };

struct Diagnostic {
  Severity severity = Severity::Error;
  std::string file;     // the file the faulty text is in (an extends/include target, maybe)
  std::string pointer;  // JSON pointer into that file ("" = the whole document)
  std::string message;
  int line = 0;    // 1-based, for errors found before there is a document (syntax, UTF-8)
  int column = 0;  // 1-based, in characters

  // "FILE:POINTER: message", "FILE:LINE:COLUMN: message" or "FILE: message"; warnings say so.
  std::string str() const;
  bool operator==(const Diagnostic&) const = default;
};

using Diagnostics = std::vector<Diagnostic>;

bool has_errors(const Diagnostics& d);
std::size_t error_count(const Diagnostics& d);

// Sorts by file, then pointer token by token (array indices numerically, so /nodes/2 comes
// before /nodes/10), then line; keeps the order of equal keys. Drops exact duplicates.
void sort_diagnostics(Diagnostics& d);

}  // namespace nlb::runner
