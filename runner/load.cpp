#include "runner/load.hpp"

#include "runner/compose.hpp"
#include "runner/format.hpp"
#include "runner/topology.hpp"
#include "runner/validate.hpp"

namespace nlb::runner {

namespace {

LoadResult finish(std::optional<Composed> composed, const std::string& file, const LoadOptions& options,
                  Diagnostics diags) {
  LoadResult r;
  if (composed) {
    Scenario s;
    DiagSink sink(diags, composed->origins);
    bool ok = read_scenario(composed->doc, s, sink) && validate_scenario(s, sink);
    if (ok) {
      if (s.name.empty()) s.name = std::filesystem::path(file).stem().string();
      s.file = file;
      s.files = composed->files;
      if (options.check_topology) {
        Diagnostics topo = check_topology(s);
        for (auto& d : topo) {
          Origin o = composed->origins.lookup(d.pointer);
          d.file = o.file;
          d.pointer = o.pointer;
          ok = ok && d.severity != Severity::Error;
          diags.push_back(std::move(d));
        }
      }
    }
    if (ok) r.scenario = std::move(s);
  }
  sort_diagnostics(diags);
  r.diagnostics = std::move(diags);
  return r;
}

ComposeOptions compose_options(const LoadOptions& options) {
  ComposeOptions c;
  if (options.reader) c.reader = options.reader;
  c.parameters = options.parameters;
  if (options.max_expansion_bytes) c.max_expansion_bytes = *options.max_expansion_bytes;
  return c;
}

}  // namespace

LoadResult load_scenario(const std::filesystem::path& file, const LoadOptions& options) {
  Diagnostics diags;
  auto composed = compose_file(file, compose_options(options), diags);
  return finish(std::move(composed), file.string(), options, std::move(diags));
}

LoadResult load_scenario_text(std::string_view text, const std::string& file_name,
                              const LoadOptions& options) {
  Diagnostics diags;
  auto composed = compose_text(text, file_name, compose_options(options), diags);
  return finish(std::move(composed), file_name, options, std::move(diags));
}

}  // namespace nlb::runner
