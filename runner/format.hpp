#pragma once
// The scenario format, defined once: one table per object type lists its keys, their types,
// limits, documentation and the struct member each fills. The loader reads with the tables, the
// JSON Schema (scenarios/schema.json) is generated from them, and the defaults both show are
// read from the structs' own initializers, so the three cannot drift apart.

#include <string>
#include <vector>

#include "runner/document.hpp"
#include "runner/scenario.hpp"

namespace nlb::runner {

// Reads the composed document into `out`: types, ranges, unknown and missing keys, and the
// checks that need only one object (uniform bounds, proportions totalling 100, ...).
// Cross-references are validate()'s job. Returns false if anything was reported.
bool read_scenario(const Json& doc, Scenario& out, DiagSink& sink);

// The JSON Schema (draft 2020-12) of a scenario file.
Json scenario_schema();

// What the loader accepts, object by object, for the schema consistency test and the docs.
struct FormatField {
  std::string key;
  std::string kind;  // string, time, bandwidth, ipv4, prefix, address, mac, integer, number,
                     // boolean, enum, array, object, any
  bool required = false;
  std::string default_text;  // "" when none
  std::string doc;
  std::string object;               // for object (or array of object): the object's name
  std::string item;                 // for array: the elements' kind
  std::vector<std::string> values;  // for enum (or array of enum): the allowed words
};
struct FormatObject {
  std::string name;
  std::string doc;
  std::vector<FormatField> fields;
  bool array_item = false;  // appears as an array element, so generators apply
};
std::vector<FormatObject> format_objects();

// The field reference of docs/scenario-format.md (one Markdown table per object), generated
// from the same tables so the docs cannot drift either.
std::string format_reference_markdown();

}  // namespace nlb::runner
