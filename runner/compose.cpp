#include "runner/compose.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <utility>

#include "runner/template_expr.hpp"
#include "runner/text.hpp"

namespace nlb::runner {

namespace {

namespace fs = std::filesystem;

bool named_array(const Json& a) {
  return a.is_array() && std::all_of(a.begin(), a.end(), [](const Json& e) {
           return e.is_object() && e.contains("name") && e["name"].is_string();
         });
}

// RFC 7396 merge of `over` (with its origins) into `base`, plus merge-by-name for named arrays.
void merge_into(Json& base, OriginMap& bo, const std::string& bptr, const Json& over, const OriginMap& oo,
                const std::string& optr) {
  if (base.is_object() && over.is_object()) {
    for (auto it = over.begin(); it != over.end(); ++it) {
      std::string bk = pointer_join(bptr, it.key()), ok = pointer_join(optr, it.key());
      if (it.value().is_null()) {
        base.erase(it.key());
      } else if (base.contains(it.key())) {
        merge_into(base[it.key()], bo, bk, it.value(), oo, ok);
      } else {
        base[it.key()] = it.value();
        bo.graft(oo, ok, bk);
      }
    }
    return;
  }
  if (named_array(base) && named_array(over) && !over.empty()) {
    for (std::size_t k = 0; k < over.size(); ++k) {
      const Json& elem = over[k];
      auto same =
          std::find_if(base.begin(), base.end(), [&](const Json& b) { return b["name"] == elem["name"]; });
      if (same != base.end()) {
        auto m = static_cast<std::size_t>(same - base.begin());
        merge_into(*same, bo, pointer_join(bptr, m), elem, oo, pointer_join(optr, k));
      } else {
        base.push_back(elem);
        bo.graft(oo, pointer_join(optr, k), pointer_join(bptr, base.size() - 1));
      }
    }
    return;
  }
  base = over;
  bo.graft(oo, optr, bptr);
}

// About the size of a value as JSON text, for the expansion budget.
std::size_t json_size(const Json& v) {
  std::size_t n = 2;
  if (v.is_string()) return n + v.get_ref<const std::string&>().size();
  if (v.is_array())
    for (const auto& e : v) n += 1 + json_size(e);
  else if (v.is_object())
    for (auto it = v.begin(); it != v.end(); ++it) n += 4 + it.key().size() + json_size(it.value());
  else
    n += 6;
  return n;
}

// Counts what substitution and generators add to the document.
class Budget {
 public:
  explicit Budget(std::size_t limit) : limit_(limit) {}
  bool charge(std::size_t bytes) {
    used_ += bytes;
    return used_ <= limit_;
  }
  // "64 MiB", or "256 KiB" for the small budgets fuzzers set.
  std::string limit_text() const {
    return limit_ >= (std::size_t{1} << 20) ? std::to_string(limit_ >> 20) + " MiB"
                                            : std::to_string(limit_ >> 10) + " KiB";
  }
  // True the first time only: one error says it, the places that ran out with it stay quiet.
  bool first_report() { return !std::exchange(reported_, true); }

 private:
  std::size_t limit_;
  std::size_t used_ = 0;
  bool reported_ = false;
};

bool identifier(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

class Composer {
 public:
  Composer(const ComposeOptions& options, Diagnostics& out) : options_(options), out_(out) {}

  // Reads one file and resolves its includes and extends. `from` names the directive that
  // asked for it (empty file for the top file).
  std::optional<Composed> load(const std::string& display, std::optional<std::string> text,
                               const Origin& from, std::vector<std::string> chain) {
    std::string key = identity(display);
    if (auto loop = std::find(chain.begin(), chain.end(), key); loop != chain.end()) {
      std::vector<std::string> names(loop, chain.end());
      names.push_back(key);
      std::string path;
      for (const auto& n : names) path += (path.empty() ? "" : " -> ") + short_name(shown_[n]);
      directive_error(from, "include cycle: " + path);
      return std::nullopt;
    }
    if (static_cast<int>(chain.size()) >= kMaxIncludeDepth) {
      directive_error(from,
                      "extends/include nested more than " + std::to_string(kMaxIncludeDepth) + " files deep");
      return std::nullopt;
    }
    shown_[key] = display;
    if (!text) text = options_.reader(display);
    if (!text) {
      if (from.file.empty())
        directive_error(Origin{display, ""}, "cannot read the file");
      else
        directive_error(from, "cannot read " + in_quotes(display));
      return std::nullopt;
    }
    if (chain.empty()) top_dir_ = fs::path(display).parent_path();
    std::optional<Json> doc = parse_json_text(*text, display, out_);
    if (!doc) return std::nullopt;
    Composed c;
    c.doc = std::move(*doc);
    c.origins.set("", Origin{display, ""});
    c.files.push_back(display);
    chain.push_back(key);
    fs::path dir = fs::path(display).parent_path();
    bool ok = resolve_includes(c, c.doc, "", dir, display, chain);
    ok = apply_extends(c, dir, display, chain) && ok;
    if (!ok) return std::nullopt;
    return c;
  }

 private:
  static std::string identity(const std::string& display) {
    std::error_code ec;
    fs::path abs = fs::absolute(fs::path(display), ec);
    return (ec ? fs::path(display) : abs).lexically_normal().string();
  }

  // A file's name relative to the top file's directory when it is below it: cycles read short.
  std::string short_name(const std::string& display) const {
    if (top_dir_.empty()) return display;
    fs::path rel = fs::path(display).lexically_relative(top_dir_);
    bool below = !rel.empty() && *rel.begin() != "..";
    return below ? rel.string() : display;
  }

  void directive_error(const Origin& at, std::string message) {
    out_.push_back(Diagnostic{Severity::Error, at.file, at.pointer, std::move(message)});
  }

  static std::string relative_to(const fs::path& dir, const std::string& name) {
    fs::path p(name);
    return (p.is_absolute() ? p : dir / p).lexically_normal().string();
  }

  // Children first, so an include's sibling keys are resolved before they merge on top.
  bool resolve_includes(Composed& c, Json& node, const std::string& ptr, const fs::path& dir,
                        const std::string& file, const std::vector<std::string>& chain) {
    bool ok = true;
    if (node.is_array()) {
      for (std::size_t i = 0; i < node.size(); ++i)
        ok = resolve_includes(c, node[i], pointer_join(ptr, i), dir, file, chain) && ok;
      return ok;
    }
    if (!node.is_object()) return true;
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it.key() == kIncludeKey || (ptr.empty() && it.key() == kExtendsKey)) continue;
      ok = resolve_includes(c, it.value(), pointer_join(ptr, it.key()), dir, file, chain) && ok;
    }
    if (!ok || !node.contains(kIncludeKey)) return ok;
    std::string iptr = pointer_join(ptr, kIncludeKey);
    const Json& name = node[kIncludeKey];
    if (!name.is_string() || name.get_ref<const std::string&>().empty()) {
      directive_error({file, iptr},
                      "expected a file name (relative to this file), not " + describe_json(name));
      return false;
    }
    std::string target = relative_to(dir, name.get<std::string>());
    std::optional<Composed> inc = load(target, std::nullopt, Origin{file, iptr}, chain);
    if (!inc) return false;
    c.files.insert(c.files.end(), inc->files.begin(), inc->files.end());
    Json rest = node;
    rest.erase(kIncludeKey);
    if (!rest.empty() && !inc->doc.is_object()) {
      directive_error({file, iptr},
                      in_quotes(target) + " holds " + describe_json(inc->doc) +
                          ", which other keys beside \"include\" cannot merge into: expected an object");
      return false;
    }
    Json merged = std::move(inc->doc);
    OriginMap mo = std::move(inc->origins);
    if (!rest.empty()) merge_into(merged, mo, "", rest, c.origins, ptr);
    node = std::move(merged);
    c.origins.graft(mo, "", ptr);
    return true;
  }

  bool apply_extends(Composed& c, const fs::path& dir, const std::string& file,
                     const std::vector<std::string>& chain) {
    if (!c.doc.is_object() || !c.doc.contains(kExtendsKey)) return true;
    const Json ext = c.doc[kExtendsKey];
    std::string eptr = pointer_join("", kExtendsKey);
    std::vector<std::pair<std::string, std::string>> bases;  // name, pointer
    if (ext.is_string()) {
      bases.emplace_back(ext.get<std::string>(), eptr);
    } else if (ext.is_array() && !ext.empty() &&
               std::all_of(ext.begin(), ext.end(), [](const Json& e) { return e.is_string(); })) {
      for (std::size_t i = 0; i < ext.size(); ++i)
        bases.emplace_back(ext[i].get<std::string>(), pointer_join(eptr, i));
    } else {
      directive_error(
          {file, eptr},
          "expected a file name or a list of file names (relative to this file), not " + describe_json(ext));
      return false;
    }
    std::optional<Composed> acc;
    bool ok = true;
    for (const auto& [name, ptr] : bases) {
      if (name.empty()) {
        directive_error({file, ptr}, "expected a file name, not an empty string");
        ok = false;
        continue;
      }
      std::optional<Composed> base = load(relative_to(dir, name), std::nullopt, Origin{file, ptr}, chain);
      if (!base) {
        ok = false;
        continue;
      }
      if (!base->doc.is_object()) {
        directive_error({file, ptr}, in_quotes(name) + " holds " + describe_json(base->doc) +
                                         ": a base scenario must be an object");
        ok = false;
        continue;
      }
      if (!acc) {
        acc = std::move(base);
      } else {
        merge_into(acc->doc, acc->origins, "", base->doc, base->origins, "");
        acc->files.insert(acc->files.end(), base->files.begin(), base->files.end());
      }
    }
    if (!ok) return false;
    Json child = c.doc;
    child.erase(kExtendsKey);
    // The base's top-level keys keep their origin; the document itself is this file's, so a
    // mistake about the whole scenario (a missing key) names the file the user loaded.
    for (auto it = acc->doc.begin(); it != acc->doc.end(); ++it) {
      std::string k = pointer_join("", it.key());
      acc->origins.set(k, acc->origins.lookup(k));
    }
    acc->origins.set("", Origin{file, ""});
    merge_into(acc->doc, acc->origins, "", child, c.origins, "");
    acc->files.insert(acc->files.end(), c.files.begin(), c.files.end());
    c = std::move(*acc);
    return true;
  }

  const ComposeOptions& options_;
  Diagnostics& out_;
  std::map<std::string, std::string> shown_;  // identity -> name as shown
  fs::path top_dir_;
};

// ---- parameters -----------------------------------------------------------------------------

class Parameters {
 public:
  Parameters(Composed& c, const ComposeOptions& options, DiagSink& sink, Budget& budget)
      : c_(c), sink_(sink), budget_(budget) {
    if (!c.doc.is_object() || !c.doc.contains(kParametersKey)) {
      apply_overrides(options, nullptr);
      return;
    }
    Json& p = c.doc[kParametersKey];
    std::string pptr = pointer_join("", kParametersKey);
    if (!p.is_object()) {
      sink_.error(pptr, "expected an object of name: value, not " + describe_json(p));
      ok_ = false;
      return;
    }
    for (auto it = p.begin(); it != p.end(); ++it) {
      if (!identifier(it.key())) {
        sink_.error(
            pointer_join(pptr, it.key()),
            "parameter names are letters, digits and '_', starting with a letter: " + in_quotes(it.key()));
        ok_ = false;
      }
      defs_[it.key()] = Def{it.value(), pointer_join(pptr, it.key()), State::Raw};
    }
    apply_overrides(options, &p);
  }

  bool ok() const { return ok_; }

  // Substitutes ${name} everywhere but in /parameters, then removes /parameters.
  bool run() {
    if (!ok_) return false;
    Json& doc = c_.doc;
    if (doc.is_object()) {
      for (auto it = doc.begin(); it != doc.end(); ++it)
        if (it.key() != kParametersKey) substitute(it.value(), pointer_join("", it.key()), 0);
      doc.erase(kParametersKey);
    }
    return ok_;
  }

 private:
  enum class State { Raw, Busy, Done };
  struct Def {
    Json value;
    std::string pointer;  // where it was defined (for origins)
    State state;
  };

  void apply_overrides(const ComposeOptions& options, const Json* file_params) {
    for (const auto& [name, text] : options.parameters) {
      if (!defs_.contains(name)) {
        std::vector<std::string> names;
        for (const auto& [n, d] : defs_) names.push_back(n);
        std::string where = file_params ? "" : " (the scenario defines no parameters)";
        sink_.error("", "--set " + name + ": no parameter " + in_quotes(name) + " in the scenario" + where +
                            did_you_mean(name, names));
        ok_ = false;
        continue;
      }
      Json v = Json::parse(text, nullptr, false);
      defs_[name].value = v.is_discarded() ? Json(text) : v;
      defs_[name].pointer.clear();  // from the command line: no place in a file
    }
  }

  // A parameter's value with its own ${...} resolved (parameters may use parameters).
  const Json* resolve(const std::string& name, std::string_view at) {
    auto it = defs_.find(name);
    if (it == defs_.end()) return nullptr;
    Def& d = it->second;
    if (d.state == State::Busy) {
      sink_.error(at, "parameter " + in_quotes(name) + " refers to itself through other parameters");
      ok_ = false;
      return nullptr;
    }
    if (d.state == State::Raw) {
      d.state = State::Busy;
      substitute(d.value, d.pointer, 0);
      d.state = State::Done;
    }
    return &d.value;
  }

  void substitute(Json& v, const std::string& ptr, int depth) {
    if (!ok_) return;
    if (v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it)
        substitute(it.value(), pointer_join(ptr, it.key()), depth + 1);
    } else if (v.is_array()) {
      for (std::size_t i = 0; i < v.size(); ++i) substitute(v[i], pointer_join(ptr, i), depth + 1);
    } else if (v.is_string() && v.get_ref<const std::string&>().find('$') != std::string::npos) {
      substitute_string(v, ptr);
    }
  }

  void substitute_string(Json& v, const std::string& ptr) {
    const std::string text = v.get<std::string>();
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text.compare(i, 3, "$${") == 0) {  // "$${" is a literal "${"
        out += "${";
        i += 2;
        continue;
      }
      if (text.compare(i, 2, "${") != 0) {
        out += text[i];
        continue;
      }
      std::size_t close = text.find('}', i);
      if (close == std::string::npos) {
        fail(ptr, "unclosed \"${\" (write \"$${\" for a literal \"${\")");
        return;
      }
      std::string name = text.substr(i + 2, close - i - 2);
      const Json* value = resolve(name, ptr);
      if (!value) {
        if (ok_ || defs_.find(name) == defs_.end()) unknown(name, ptr);
        return;
      }
      if (!charge(value->is_string() ? value->get_ref<const std::string&>().size() : json_size(*value), ptr))
        return;
      if (i == 0 && close + 1 == text.size()) {  // the whole string: keep the value's type
        v = *value;
        // A structured value's errors point into the parameter's definition; a scalar's stay at
        // the place that uses it, which is where a reader looks for "the cluster address".
        if (v.is_structured() && !defs_[name].pointer.empty())
          c_.origins.graft(c_.origins, defs_[name].pointer, ptr);
        return;
      }
      if (value->is_string())
        out += value->get<std::string>();
      else if (value->is_number() || value->is_boolean())
        out += value->dump();
      else {
        fail(ptr, "parameter " + in_quotes(name) + " is " + describe_json(*value) +
                      ", which cannot be part of a string");
        return;
      }
      i = close;
    }
    v = out;
  }

  bool charge(std::size_t bytes, const std::string& ptr) {
    if (budget_.charge(bytes)) return true;
    if (budget_.first_report())
      sink_.error(ptr, "parameters expand the scenario past " + budget_.limit_text() +
                           " (a parameter used many times inside others?)");
    ok_ = false;
    return false;
  }

  void unknown(const std::string& name, const std::string& ptr) {
    std::vector<std::string> names;
    for (const auto& [n, d] : defs_) names.push_back(n);
    fail(ptr, "unknown parameter " + in_quotes(name) + did_you_mean(name, names) +
                  (names.empty() ? ": the scenario defines no \"parameters\"" : ""));
  }

  void fail(const std::string& ptr, std::string m) {
    sink_.error(ptr, std::move(m));
    ok_ = false;
  }

  Composed& c_;
  DiagSink& sink_;
  Budget& budget_;
  std::map<std::string, Def> defs_;
  bool ok_ = true;
};

// ---- generators -----------------------------------------------------------------------------

class Generators {
 public:
  Generators(const OriginMap& before, OriginMap& after, DiagSink& sink, Budget& budget)
      : before_(before), after_(after), sink_(sink), budget_(budget) {}

  // Expands in place; `pre` is the pointer before expansion (in `before`), `post` after.
  bool expand(Json& v, const std::string& pre, const std::string& post) {
    if (v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it)
        expand(it.value(), pointer_join(pre, it.key()), pointer_join(post, it.key()));
    } else if (v.is_array()) {
      expand_array(v, pre, post);
    } else if (v.is_string() && !vars_.empty()) {
      TemplateResult r = expand_template(v.get<std::string>(), vars_);
      if (!r.error.empty())
        fail(post, r.error);
      else
        v = std::move(r.value);
    }
    return ok_;
  }

 private:
  void expand_array(Json& arr, const std::string& pre, const std::string& post) {
    bool any = std::any_of(arr.begin(), arr.end(),
                           [](const Json& e) { return e.is_object() && e.contains(kCountKey); });
    if (!any) {
      for (std::size_t i = 0; i < arr.size(); ++i)
        expand(arr[i], pointer_join(pre, i), pointer_join(post, i));
      return;
    }
    Json out = Json::array();
    for (std::size_t k = 0; k < arr.size(); ++k) {
      std::string epre = pointer_join(pre, k);
      Json& e = arr[k];
      if (!(e.is_object() && e.contains(kCountKey))) {
        place(out, std::move(e), epre, post, nullptr);
        continue;
      }
      std::int64_t count = 0, first = 1;
      std::string var = "i";
      if (!generator_keys(e, epre, post, out.size(), count, first, var)) continue;
      if (total_ + static_cast<std::size_t>(count) > kMaxGeneratedElements) {
        fail(pointer_join(post, out.size()),
             "generators would make more than " + std::to_string(kMaxGeneratedElements) + " elements");
        return;
      }
      total_ += static_cast<std::size_t>(count);
      Json templ = e;
      templ.erase(kCountKey);
      templ.erase(kFirstKey);
      templ.erase(kAsKey);
      if (!budget_.charge(json_size(templ) * static_cast<std::size_t>(count))) {
        fail(pointer_join(post, out.size()), "generators expand the scenario past " + budget_.limit_text());
        return;
      }
      for (std::int64_t n = 0; n < count && ok_; ++n) {
        vars_.push_back(TemplateVar{var, first + n});
        std::string note = var + "=" + std::to_string(first + n);
        place(out, templ, epre, post, &note);
        vars_.pop_back();
      }
    }
    arr = std::move(out);
  }

  // Appends one element (expanding inside it) and records where it came from.
  void place(Json& out, Json e, const std::string& epre, const std::string& post, const std::string* note) {
    std::string epost = pointer_join(post, out.size());
    after_.graft(before_, epre, epost);
    if (note) after_.note(epost, *note);
    expand(e, epre, epost);
    out.push_back(std::move(e));
  }

  bool generator_keys(const Json& e, const std::string& epre, const std::string& post, std::size_t at,
                      std::int64_t& count, std::int64_t& first, std::string& var) {
    std::string where = pointer_join(post, at);
    after_.graft(before_, epre, where);  // so the errors below name the element's own place
    const Json& c = e[kCountKey];
    if (!c.is_number_integer() || c.get<std::int64_t>() < 0 || c.get<std::int64_t>() > kMaxGeneratorCount) {
      fail(pointer_join(where, kCountKey), "expected a whole number from 0 to " +
                                               std::to_string(kMaxGeneratorCount) +
                                               " (elements to generate), not " + describe_json(c));
      return false;
    }
    count = c.get<std::int64_t>();
    if (e.contains(kFirstKey)) {
      const Json& f = e[kFirstKey];
      if (!f.is_number_integer() || std::abs(f.get<std::int64_t>()) > (std::int64_t{1} << 32)) {
        fail(pointer_join(where, kFirstKey),
             "expected a whole number (the first value of the variable), not " + describe_json(f));
        return false;
      }
      first = f.get<std::int64_t>();
    }
    if (e.contains(kAsKey)) {
      const Json& a = e[kAsKey];
      if (!a.is_string() || !identifier(a.get<std::string>())) {
        fail(pointer_join(where, kAsKey),
             "expected a variable name (letters, digits, '_'), not " + describe_json(a));
        return false;
      }
      var = a.get<std::string>();
    }
    return true;
  }

  void fail(const std::string& ptr, std::string m) {
    sink_.error(ptr, std::move(m));
    ok_ = false;
  }

  const OriginMap& before_;
  OriginMap& after_;
  DiagSink& sink_;
  Budget& budget_;
  std::vector<TemplateVar> vars_;
  std::size_t total_ = 0;
  bool ok_ = true;
};

std::optional<Composed> finish(std::optional<Composed> c, const ComposeOptions& options, Diagnostics& out) {
  if (!c) return std::nullopt;
  if (!c->doc.is_object()) {
    out.push_back(Diagnostic{Severity::Error, c->files.back(), "",
                             "expected a JSON object (a scenario), not " + describe_json(c->doc)});
    return std::nullopt;
  }
  DiagSink sink(out, c->origins);
  Budget budget(options.max_expansion_bytes);
  Parameters params(*c, options, sink, budget);
  if (!params.run()) return std::nullopt;
  OriginMap after = c->origins;
  DiagSink gsink(out, after);
  Generators gen(c->origins, after, gsink, budget);
  if (!gen.expand(c->doc, "", "")) return std::nullopt;
  c->origins = std::move(after);
  return c;
}

}  // namespace

std::optional<Composed> compose_file(const fs::path& file, const ComposeOptions& options, Diagnostics& out) {
  Composer composer(options, out);
  return finish(composer.load(file.string(), std::nullopt, Origin{}, {}), options, out);
}

std::optional<Composed> compose_text(std::string_view text, const std::string& file_name,
                                     const ComposeOptions& options, Diagnostics& out) {
  Composer composer(options, out);
  return finish(composer.load(file_name, std::string(text), Origin{}, {}), options, out);
}

}  // namespace nlb::runner
