#pragma once
// The small expression language of generators: in an element with "count", every string may
// hold {expr} parts, expr being integer arithmetic (+ - * / % and parentheses) over the
// generator variables ("i" by default) and dotted-quad literals, so that "{10.0.2.10 + i}"
// counts addresses across octets. "{i:03}" pads with zeros to 3 digits; "{{" and "}}" are
// literal braces.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "runner/document.hpp"

namespace nlb::runner {

struct TemplateVar {
  std::string name;
  std::int64_t value;
};

struct TemplateResult {
  Json value;         // a string; or, when the text is exactly one {expr}, a number/address
  std::string error;  // empty on success
};

TemplateResult expand_template(std::string_view text, std::span<const TemplateVar> vars);

}  // namespace nlb::runner
