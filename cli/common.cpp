#include "cli/command.hpp"

#include <charconv>

#include "runner/atomic_file.hpp"

namespace nlb::cli {

void add_scenario_args(CLI::App& sub, ScenarioArgs& args) {
  sub.add_option("SCENARIO", args.path, "scenario file (JSON)")->required();
  sub.add_option("--set", args.set, "override a scenario parameter, NAME=VALUE (repeatable)")
      ->type_name("NAME=VALUE");
}

void add_seed_option(CLI::App& sub, std::optional<std::uint64_t>& seed, const std::string& help) {
  const CLI::Validator decimal_u64(
      [](std::string& text) -> std::string {
        std::uint64_t v = 0;
        const char* end = text.data() + text.size();
        auto [p, ec] = std::from_chars(text.data(), end, v);
        if (text.empty() || ec != std::errc{} || p != end)
          return "expected a whole number from 0 to 18446744073709551615, not " + text;
        return {};
      },
      "N");
  sub.add_option("--seed", seed, help)->check(decimal_u64)->type_name("N");
}

std::optional<runner::Scenario> load_or_report(const ScenarioArgs& args, Context& ctx) {
  runner::LoadOptions options;
  for (const std::string& kv : args.set) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      ctx.err << "--set " << kv << ": expected NAME=VALUE\n";
      return std::nullopt;
    }
    options.parameters.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  runner::LoadResult r = runner::load_scenario(args.path, options);
  std::size_t errors = runner::error_count(r.diagnostics);
  std::size_t warnings = r.diagnostics.size() - errors;
  for (const auto& d : r.diagnostics) ctx.err << d.str() << "\n";
  if (errors > 0)
    ctx.err << args.path << ": " << errors << " error" << (errors == 1 ? "" : "s") << ", " << warnings
            << " warning" << (warnings == 1 ? "" : "s") << "\n";
  return std::move(r.scenario);
}

int emit_output(const std::string& path, const std::string& content, Context& ctx) {
  if (path.empty() || path == "-") {
    ctx.out << content;
    return kOk;
  }
  std::string error = runner::write_file_atomically(path, content);
  if (!error.empty()) {
    ctx.err << path << ": " << error << "\n";
    return kBadInput;
  }
  return kOk;
}

}  // namespace nlb::cli
