#include "runner/format.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>
#include <limits>
#include <set>
#include <type_traits>

#include "runner/compose.hpp"
#include "runner/enum_names.hpp"
#include "runner/text.hpp"

namespace nlb::runner {

namespace {

using sim::Time;

constexpr Time kMaxTime = Time::s(365LL * 24 * 3600);

// Patterns for the schema. Anything with a brace passes too: a ${parameter} or a {generator}
// expression, which only has its final form after composition.
constexpr const char* kSubstitutionPattern = "[{]";
constexpr const char* kNamePattern = "^[A-Za-z0-9_.-]+$";
constexpr const char* kTimePattern = "^[0-9]+([.][0-9]+)?(ns|us|ms|s|min|h)?$";
constexpr const char* kBandwidthPattern = "^[0-9]+([.][0-9]+)?(bps|kbps|Mbps|Gbps|Tbps)$";
constexpr const char* kIpv4Pattern = "^[0-9]{1,3}([.][0-9]{1,3}){3}$";
constexpr const char* kPrefixPattern = "^[0-9]{1,3}([.][0-9]{1,3}){3}/[0-9]{1,2}$";
constexpr const char* kAddressPattern = "^[0-9]{1,3}([.][0-9]{1,3}){3}(/[0-9]{1,2})?$";
constexpr const char* kMacPattern = "^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$";

struct Limits {
  std::optional<double> min = std::nullopt;
  std::optional<double> max = std::nullopt;
  std::optional<Time> min_time = std::nullopt;
  std::optional<Time> max_time = std::nullopt;
  bool positive = false;         // numbers: strictly above zero
  bool nonempty = false;         // arrays and strings
  bool prefix_required = false;  // addresses: "10.0.0.1/24", not "10.0.0.1"
  bool name = false;             // strings: a name (letters, digits, '_', '.', '-')
};

class Reader {
 public:
  explicit Reader(DiagSink& sink) : sink_(sink) {}
  void error(const std::string& ptr, std::string message) { sink_.error(ptr, std::move(message)); }
  void warning(const std::string& ptr, std::string message) { sink_.warning(ptr, std::move(message)); }

 private:
  DiagSink& sink_;
};

// ---- schema building ------------------------------------------------------------------------

class SchemaBuilder;

template <class T>
struct ObjectDef;

template <class T>
struct Field {
  std::string key;
  bool required = false;
  std::string doc;
  std::string kind;                 // FormatField::type
  std::string object;               // for objects: the object's name
  std::string item;                 // for arrays: the elements' kind
  std::vector<std::string> values;  // for enums: the words
  std::function<Json(SchemaBuilder&)> schema;
  std::optional<Json> default_value;
  std::function<void(Reader&, const Json&, const std::string&, T&)> read;  // empty: read elsewhere
};

template <class T>
struct ObjectDef {
  std::string name;
  std::string doc;
  std::vector<Field<T>> fields;
  std::function<void(Reader&, const Json&, const std::string&, T&)> check;

  const Field<T>* find(std::string_view key) const {
    for (const auto& f : fields)
      if (f.key == key) return &f;
    return nullptr;
  }
};

// Every object type the format has, declared here, defined with its table below.
const ObjectDef<Scenario>& describe(std::type_identity<Scenario>);
const ObjectDef<LanSpec>& describe(std::type_identity<LanSpec>);
const ObjectDef<PortSpec>& describe(std::type_identity<PortSpec>);
const ObjectDef<ExternalSpec>& describe(std::type_identity<ExternalSpec>);
const ObjectDef<InterfaceSpec>& describe(std::type_identity<InterfaceSpec>);
const ObjectDef<RouteSpec>& describe(std::type_identity<RouteSpec>);
const ObjectDef<ArpSpec>& describe(std::type_identity<ArpSpec>);
const ObjectDef<ServiceTimeSpec>& describe(std::type_identity<ServiceTimeSpec>);
const ObjectDef<HttpServerSpec>& describe(std::type_identity<HttpServerSpec>);
const ObjectDef<FilterRule>& describe(std::type_identity<FilterRule>);
const ObjectDef<FilterSpec>& describe(std::type_identity<FilterSpec>);
const ObjectDef<NodeSpec>& describe(std::type_identity<NodeSpec>);
const ObjectDef<VrrpMemberSpec>& describe(std::type_identity<VrrpMemberSpec>);
const ObjectDef<VrrpGroupSpec>& describe(std::type_identity<VrrpGroupSpec>);
const ObjectDef<HeartbeatSpec>& describe(std::type_identity<HeartbeatSpec>);
const ObjectDef<ReachSpec>& describe(std::type_identity<ReachSpec>);
const ObjectDef<SyncSpec>& describe(std::type_identity<SyncSpec>);
const ObjectDef<ProportionsSpec>& describe(std::type_identity<ProportionsSpec>);
const ObjectDef<ManagerSpec>& describe(std::type_identity<ManagerSpec>);
const ObjectDef<AdvisorSpec>& describe(std::type_identity<AdvisorSpec>);
const ObjectDef<ClusterServerSpec>& describe(std::type_identity<ClusterServerSpec>);
const ObjectDef<ClusterSpec>& describe(std::type_identity<ClusterSpec>);
const ObjectDef<BalancerPairSpec>& describe(std::type_identity<BalancerPairSpec>);
const ObjectDef<TrafficSpec>& describe(std::type_identity<TrafficSpec>);
const ObjectDef<FaultSpec>& describe(std::type_identity<FaultSpec>);
const ObjectDef<ExpectationSpec>& describe(std::type_identity<ExpectationSpec>);
const ObjectDef<RealtimeSpec>& describe(std::type_identity<RealtimeSpec>);

template <class T>
concept Described = requires {
  describe(std::type_identity<T>{});
};

template <class T>
const ObjectDef<T>& def_of() {
  return describe(std::type_identity<T>{});
}

class SchemaBuilder {
 public:
  explicit SchemaBuilder(bool partial) : partial_(partial) {}

  template <class D>
  Json ref(bool as_item) {
    const ObjectDef<D>& d = def_of<D>();
    std::string name = def_name(d.name);
    if (as_item) items_.insert(name);
    if (!defs_.contains(name)) {
      defs_[name] = Json::object();  // placeholder against recursion
      defs_[name] = object_schema(d);
    }
    return Json{{"$ref", "#/$defs/" + name}};
  }

  // A field's schema: its typed form, or a substitution that becomes it; null deletes a key
  // in a file that extends another (RFC 7396).
  Json wrap(Json typed) const {
    if (!partial_ && typed == Json{{"type", "string"}}) return typed;
    Json any = Json::array({std::move(typed), Json{{"$ref", "#/$defs/substitution"}}});
    if (partial_) any.push_back(Json{{"type", "null"}});
    return Json{{"anyOf", std::move(any)}};
  }

  Json take_defs() {
    for (const auto& name : items_) {
      Json& props = defs_[name]["properties"];
      // A parameter may give the count ("count": "${servers}").
      Json count = wrap(Json{{"type", "integer"}, {"minimum", 0}, {"maximum", kMaxGeneratorCount}});
      count["description"] = "generator: make this many copies of the element";
      props[std::string(kCountKey)] = count;
      Json first = wrap(Json{{"type", "integer"}});
      first["description"] = "generator: the variable's first value";
      first["default"] = 1;
      props[std::string(kFirstKey)] = first;
      props[std::string(kAsKey)] = Json{{"type", "string"},
                                        {"default", "i"},
                                        {"pattern", "^[A-Za-z_][A-Za-z0-9_]*$"},
                                        {"description", "generator: the variable's name"}};
    }
    return std::move(defs_);
  }

 private:
  std::string def_name(const std::string& name) const { return partial_ ? name + "_partial" : name; }

  template <class D>
  Json object_schema(const ObjectDef<D>& d) {
    Json props = Json::object();
    Json required = Json::array();
    for (const auto& f : d.fields) {
      Json s = wrap(f.schema(*this));
      s["description"] = f.doc;
      if (f.default_value) s["default"] = *f.default_value;
      props[f.key] = std::move(s);
      if (f.required) required.push_back(f.key);
    }
    props[std::string(kIncludeKey)] =
        Json{{"type", "string"},
             {"description", "a JSON file (relative to this one) whose content this object extends"}};
    Json s{{"type", "object"},
           {"description", d.doc},
           {"properties", std::move(props)},
           {"additionalProperties", false}};
    // Required keys may come from an included file instead.
    if (!partial_ && !required.empty())
      s["anyOf"] = Json::array(
          {Json{{"required", Json::array({std::string(kIncludeKey)})}}, Json{{"required", required}}});
    return s;
  }

  bool partial_;
  Json defs_ = Json::object();
  std::set<std::string> items_;
};

// ---- codecs: how each member type reads, shows its default, and looks in the schema ----------

template <class M>
struct Codec;

template <>
struct Codec<std::string> {
  static constexpr const char* kind = "string";
  static Json schema(SchemaBuilder&, const Limits& l) {
    Json s{{"type", "string"}};
    if (l.name) s["pattern"] = kNamePattern;
    return s;
  }
  static bool read(Reader& r, const Json& v, const std::string& p, std::string& out, const Limits& l) {
    if (!v.is_string()) {
      r.error(p, std::string("expected ") + (l.name ? "a name" : "a string") + ", not " + describe_json(v));
      return false;
    }
    const auto& s = v.get_ref<const std::string&>();
    if (l.name) {
      bool good = !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
      });
      if (!good) {
        r.error(p, "expected a name of 1 to 64 letters, digits, '_', '.' or '-', not " + describe_json(v));
        return false;
      }
    } else if (l.nonempty && s.empty()) {
      r.error(p, "expected a non-empty string");
      return false;
    }
    out = s;
    return true;
  }
  static std::optional<Json> to_json(const std::string& v) {
    if (v.empty()) return std::nullopt;
    return Json(v);
  }
};

template <>
struct Codec<bool> {
  static constexpr const char* kind = "boolean";
  static Json schema(SchemaBuilder&, const Limits&) { return Json{{"type", "boolean"}}; }
  static bool read(Reader& r, const Json& v, const std::string& p, bool& out, const Limits&) {
    if (!v.is_boolean()) {
      r.error(p, "expected true or false, not " + describe_json(v));
      return false;
    }
    out = v.get<bool>();
    return true;
  }
  static std::optional<Json> to_json(bool v) { return Json(v); }
};

template <class M>
requires(std::is_integral_v<M>&& std::is_unsigned_v<M> && !std::is_same_v<M, bool>) struct Codec<M> {
  static constexpr const char* kind = "integer";
  static double lo(const Limits& l) { return l.min.value_or(0); }
  static double hi(const Limits& l) {
    return std::min(l.max.value_or(static_cast<double>(std::numeric_limits<M>::max())),
                    static_cast<double>(std::numeric_limits<M>::max()));
  }
  static Json schema(SchemaBuilder&, const Limits& l) {
    Json s{{"type", "integer"}, {"minimum", static_cast<std::uint64_t>(lo(l))}};
    s["maximum"] = l.max ? static_cast<std::uint64_t>(*l.max)
                         : static_cast<std::uint64_t>(std::numeric_limits<M>::max());
    return s;
  }
  static bool read(Reader& r, const Json& v, const std::string& p, M& out, const Limits& l) {
    std::uint64_t top = l.max ? static_cast<std::uint64_t>(*l.max) : std::numeric_limits<M>::max();
    std::uint64_t bottom = static_cast<std::uint64_t>(lo(l));
    std::string range = "a whole number from " + std::to_string(bottom) + " to " + std::to_string(top);
    bool in_range = false;
    if (v.is_number_unsigned()) {
      auto x = v.get<std::uint64_t>();
      in_range = x >= bottom && x <= top;
    } else if (v.is_number_integer()) {
      auto x = v.get<std::int64_t>();
      in_range = x >= 0 && static_cast<std::uint64_t>(x) >= bottom && static_cast<std::uint64_t>(x) <= top;
    }
    if (!in_range) {
      r.error(p, "expected " + range + ", not " + describe_json(v));
      return false;
    }
    out = static_cast<M>(v.get<std::uint64_t>());
    return true;
  }
  static std::optional<Json> to_json(M v) { return Json(static_cast<std::uint64_t>(v)); }
};

// 1 rather than 1.0, 0.05 as is.
std::string number_text(double x) {
  if (x == static_cast<double>(static_cast<std::int64_t>(x)) && x < 1e15 && x > -1e15)
    return std::to_string(static_cast<std::int64_t>(x));
  return Json(x).dump();
}

template <>
struct Codec<double> {
  static constexpr const char* kind = "number";
  static Json schema(SchemaBuilder&, const Limits& l) {
    Json s{{"type", "number"}};
    if (l.positive)
      s["exclusiveMinimum"] = 0;
    else if (l.min)
      s["minimum"] = *l.min;
    if (l.max) s["maximum"] = *l.max;
    return s;
  }
  static bool read(Reader& r, const Json& v, const std::string& p, double& out, const Limits& l) {
    std::string range = "a number";
    if (l.positive)
      range += " above 0" + (l.max ? " and at most " + number_text(*l.max) : "");
    else if (l.min)
      range += " from " + number_text(*l.min) + (l.max ? " to " + number_text(*l.max) : " up");
    else if (l.max)
      range += " up to " + number_text(*l.max);
    if (!v.is_number()) {
      r.error(p, "expected " + range + ", not " + describe_json(v));
      return false;
    }
    double x = v.get<double>();
    if ((l.positive && !(x > 0)) || (l.min && x < *l.min) || (l.max && x > *l.max)) {
      r.error(p, "expected " + range + ", not " + describe_json(v));
      return false;
    }
    out = x;
    return true;
  }
  static std::optional<Json> to_json(double v) { return Json(v); }
};

template <>
struct Codec<Time> {
  static constexpr const char* kind = "time";
  static Json schema(SchemaBuilder&, const Limits&) {
    return Json{{"type", "string"}, {"pattern", kTimePattern}};
  }
  static bool read(Reader& r, const Json& v, const std::string& p, Time& out, const Limits& l) {
    Time lo = l.min_time.value_or(Time::zero()), hi = l.max_time.value_or(kMaxTime);
    Time t;
    if (!v.is_string() || !sim::parse_time(v.get_ref<const std::string&>(), t)) {
      r.error(p,
              "expected a time with a unit, such as \"250ms\", \"1.5s\" or \"4h\" (units ns, us, ms, s, min, "
              "h), at most " +
                  format_time(hi) + " and in whole nanoseconds, not " + describe_json(v));
      return false;
    }
    if (t < lo || t > hi) {
      std::string what = t < Time::zero() ? "a time cannot be negative: "
                         : t < lo         ? "expected at least " + format_time(lo) + ", not "
                                          : "expected at most " + format_time(hi) + ", not ";
      r.error(p, what + describe_json(v));
      return false;
    }
    out = t;
    return true;
  }
  static std::optional<Json> to_json(Time v) { return Json(format_time(v)); }
};

template <>
struct Codec<wire::Ipv4> {
  static constexpr const char* kind = "ipv4";
  static Json schema(SchemaBuilder&, const Limits&) {
    return Json{{"type", "string"}, {"pattern", kIpv4Pattern}};
  }
  static bool read(Reader& r, const Json& v, const std::string& p, wire::Ipv4& out, const Limits&) {
    std::optional<wire::Ipv4> ip;
    if (v.is_string()) ip = wire::Ipv4::parse(v.get_ref<const std::string&>());
    if (!ip) {
      bool has_len = v.is_string() && v.get_ref<const std::string&>().find('/') != std::string::npos;
      r.error(p, std::string("expected an IPv4 address such as \"192.168.10.1\"") +
                     (has_len ? " without a prefix length" : "") + ", not " + describe_json(v));
      return false;
    }
    out = *ip;
    return true;
  }
  static std::optional<Json> to_json(wire::Ipv4) { return std::nullopt; }
};

template <>
struct Codec<wire::Prefix> {
  static constexpr const char* kind = "prefix";
  static Json schema(SchemaBuilder&, const Limits&) {
    return Json{{"type", "string"}, {"pattern", kPrefixPattern}};
  }
  static bool read(Reader& r, const Json& v, const std::string& p, wire::Prefix& out, const Limits&) {
    std::optional<wire::Prefix> px;
    if (v.is_string()) px = wire::Prefix::parse(v.get_ref<const std::string&>());
    if (!px) {
      r.error(p, "expected a subnet such as \"10.0.2.0/24\", not " + describe_json(v));
      return false;
    }
    auto slash = v.get_ref<const std::string&>().find('/');
    auto ip = wire::Ipv4::parse(std::string_view(v.get_ref<const std::string&>()).substr(0, slash));
    if (ip && *ip != px->network()) {
      r.error(p, "host bits set in " + describe_json(v) + " (did you mean \"" + px->str() + "\"?)");
      return false;
    }
    out = *px;
    return true;
  }
  static std::optional<Json> to_json(const wire::Prefix&) { return std::nullopt; }
};

template <>
struct Codec<IfAddress> {
  static constexpr const char* kind = "address";
  static Json schema(SchemaBuilder&, const Limits& l) {
    return Json{{"type", "string"}, {"pattern", l.prefix_required ? kPrefixPattern : kAddressPattern}};
  }
  static bool read(Reader& r, const Json& v, const std::string& p, IfAddress& out, const Limits& l) {
    std::string example = l.prefix_required ? "an address with its prefix length, such as \"10.0.2.11/24\""
                                            : "an address such as \"203.0.113.10\" (or with a prefix length)";
    if (!v.is_string()) {
      r.error(p, "expected " + example + ", not " + describe_json(v));
      return false;
    }
    std::string_view s = v.get_ref<const std::string&>();
    auto slash = s.find('/');
    auto ip = wire::Ipv4::parse(s.substr(0, slash));
    unsigned len = 32;
    bool len_ok = true;
    if (slash != std::string_view::npos) {
      std::string_view t = s.substr(slash + 1);
      auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), len);
      len_ok = !t.empty() && ec == std::errc{} && ptr == t.data() + t.size() && len <= 32;
    } else if (l.prefix_required) {
      len_ok = false;
    }
    if (!ip || !len_ok) {
      r.error(p, "expected " + example + ", not " + describe_json(v));
      return false;
    }
    out = IfAddress{*ip, static_cast<std::uint8_t>(len)};
    return true;
  }
  static std::optional<Json> to_json(const IfAddress&) { return std::nullopt; }
};

template <>
struct Codec<wire::Mac> {
  static constexpr const char* kind = "mac";
  static Json schema(SchemaBuilder&, const Limits&) {
    return Json{{"type", "string"}, {"pattern", kMacPattern}};
  }
  static bool read(Reader& r, const Json& v, const std::string& p, wire::Mac& out, const Limits&) {
    std::optional<wire::Mac> m;
    if (v.is_string()) m = wire::Mac::parse(v.get_ref<const std::string&>());
    if (!m) {
      r.error(p, "expected a MAC address such as \"02:00:00:00:01:01\", not " + describe_json(v));
      return false;
    }
    out = *m;
    return true;
  }
  static std::optional<Json> to_json(const wire::Mac&) { return std::nullopt; }
};

template <NamedEnum E>
struct Codec<E> {
  static constexpr const char* kind = "enum";
  static Json schema(SchemaBuilder&, const Limits&) {
    Json names = Json::array();
    for (const auto& n : enum_names(std::type_identity<E>{})) names.push_back(n.text);
    return Json{{"enum", names}};
  }
  static bool read(Reader& r, const Json& v, const std::string& p, E& out, const Limits&) {
    std::vector<std::string_view> names;
    for (const auto& n : enum_names(std::type_identity<E>{})) {
      if (v.is_string() && v.get_ref<const std::string&>() == n.text) {
        out = n.value;
        return true;
      }
      names.push_back(n.text);
    }
    std::vector<std::string> shown;
    for (auto n : names) shown.push_back(in_quotes(n));
    std::string hint = v.is_string() ? did_you_mean(v.get_ref<const std::string&>(), names) : "";
    r.error(p, "expected one of " + join_words(shown, "or") + ", not " + describe_json(v) + hint);
    return false;
  }
  static std::optional<Json> to_json(E v) { return Json(std::string(enum_text(v))); }
};

// The words of an enum member (or of an optional or array of one), for docs.
template <class M>
std::vector<std::string> enum_words() {
  if constexpr (NamedEnum<M>) {
    std::vector<std::string> out;
    for (const auto& n : enum_names(std::type_identity<M>{})) out.emplace_back(n.text);
    return out;
  } else if constexpr (requires { typename M::value_type; } && !std::is_same_v<M, std::string>) {
    return enum_words<typename M::value_type>();
  } else {
    return {};
  }
}

template <class M>
std::optional<Json> default_json(const M& v) {
  return Codec<M>::to_json(v);
}

template <class M>
struct Codec<std::optional<M>> {
  static constexpr const char* kind = Codec<M>::kind;
  static Json schema(SchemaBuilder& b, const Limits& l) { return Codec<M>::schema(b, l); }
  static bool read(Reader& r, const Json& v, const std::string& p, std::optional<M>& out, const Limits& l) {
    M tmp{};
    if (!Codec<M>::read(r, v, p, tmp, l)) return false;
    out = std::move(tmp);
    return true;
  }
  static std::optional<Json> to_json(const std::optional<M>& v) {
    if (!v) return std::nullopt;
    return Codec<M>::to_json(*v);
  }
};

template <class T>
void read_object(Reader& r, const Json& v, const std::string& p, T& out);

template <Described D>
struct Codec<D> {
  static constexpr const char* kind = "object";
  static Json schema(SchemaBuilder& b, const Limits&) { return b.ref<D>(false); }
  static bool read(Reader& r, const Json& v, const std::string& p, D& out, const Limits&) {
    read_object(r, v, p, out);
    return true;
  }
  static std::optional<Json> to_json(const D&) { return std::nullopt; }
};

template <class M>
struct Codec<std::vector<M>> {
  static constexpr const char* kind = "array";
  static Json schema(SchemaBuilder& b, const Limits& l) {
    Json items;
    if constexpr (Described<M>)
      items = b.ref<M>(true);
    else
      items = b.wrap(Codec<M>::schema(b, l));
    Json s{{"type", "array"}, {"items", items}};
    if (l.nonempty) s["minItems"] = 1;
    return s;
  }
  static bool read(Reader& r, const Json& v, const std::string& p, std::vector<M>& out, const Limits& l) {
    if (!v.is_array()) {
      r.error(p, "expected an array, not " + describe_json(v));
      return false;
    }
    if (l.nonempty && v.empty()) {
      r.error(p, "expected at least one element, not an empty array");
      return false;
    }
    out.clear();
    out.reserve(v.size());
    bool ok = true;
    for (std::size_t i = 0; i < v.size(); ++i) {
      M item{};
      ok = Codec<M>::read(r, v[i], pointer_join(p, i), item, l) && ok;
      out.push_back(std::move(item));
    }
    return ok;
  }
  static std::optional<Json> to_json(const std::vector<M>& v) {
    if (v.empty()) return std::nullopt;
    Json a = Json::array();
    for (const auto& x : v) {
      auto j = Codec<M>::to_json(x);
      if (!j) return std::nullopt;
      a.push_back(*j);
    }
    return a;
  }
};

template <class T>
void read_object(Reader& r, const Json& v, const std::string& p, T& out) {
  const ObjectDef<T>& d = def_of<T>();
  if (!v.is_object()) {
    r.error(p, "expected an object (" + d.name + "), not " + describe_json(v));
    return;
  }
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (d.find(it.key())) continue;
    std::vector<std::string_view> keys;
    for (const auto& f : d.fields) keys.push_back(f.key);
    std::string also;
    if (it.key() == kCountKey || it.key() == kFirstKey || it.key() == kAsKey)
      also = " (generators \"count\", \"first\", \"as\" work in array elements only)";
    else if (it.key() == kExtendsKey || it.key() == kParametersKey)
      also = " (\"" + it.key() + "\" belongs at the top level of a scenario)";
    r.error(pointer_join(p, it.key()),
            "unknown key " + in_quotes(it.key()) + " in " + d.name + did_you_mean(it.key(), keys) + also);
  }
  for (const auto& f : d.fields) {
    auto it = v.find(f.key);
    if (it == v.end()) {
      if (f.required) r.error(p, "missing " + in_quotes(f.key) + " in " + d.name + ": " + f.doc);
      continue;
    }
    if (f.read) f.read(r, *it, pointer_join(p, f.key), out);
  }
  if (d.check) d.check(r, v, p, out);
}

// ---- field builders -------------------------------------------------------------------------

template <class T, class M>
Field<T> member_field(std::string key, M T::*m, bool required, std::string doc, Limits lim) {
  Field<T> f;
  f.key = std::move(key);
  f.required = required;
  f.doc = std::move(doc);
  f.kind = Codec<M>::kind;
  if (std::is_same_v<M, std::string> && lim.name) f.kind = "name";
  f.values = enum_words<M>();
  if constexpr (Described<M>)
    f.object = def_of<M>().name;
  else if constexpr (requires { typename M::value_type; } && !std::is_same_v<M, std::string>) {
    using V = typename M::value_type;
    if constexpr (Described<V>) f.object = def_of<V>().name;
    if constexpr (!std::is_same_v<M, std::optional<V>>) f.item = Codec<V>::kind;
    if (std::is_same_v<V, std::string> && lim.name) f.item = "name";
  }
  f.schema = [lim](SchemaBuilder& b) { return Codec<M>::schema(b, lim); };
  if (!required) f.default_value = default_json(T{}.*m);
  f.read = [m, lim](Reader& r, const Json& v, const std::string& p, T& out) {
    Codec<M>::read(r, v, p, out.*m, lim);
  };
  return f;
}

template <class T, class M>
Field<T> opt(std::string key, M T::*m, std::string doc, Limits lim = {}) {
  return member_field(std::move(key), m, false, std::move(doc), lim);
}

template <class T, class M>
Field<T> req(std::string key, M T::*m, std::string doc, Limits lim = {}) {
  return member_field(std::move(key), m, true, std::move(doc), lim);
}

// A key read by the object's check (or by compose), with its own schema.
template <class T>
Field<T> custom(std::string key, bool required, std::string kind, std::string doc, Json schema,
                std::optional<Json> def = std::nullopt,
                std::function<void(Reader&, const Json&, const std::string&, T&)> read = {}) {
  Field<T> f;
  f.key = std::move(key);
  f.required = required;
  f.kind = std::move(kind);
  f.doc = std::move(doc);
  f.schema = [schema](SchemaBuilder&) { return schema; };
  f.default_value = std::move(def);
  f.read = std::move(read);
  return f;
}

Json bandwidth_schema() { return Json{{"type", "string"}, {"pattern", kBandwidthPattern}}; }

bool read_bandwidth(Reader& r, const Json& v, const std::string& p, std::uint64_t& out) {
  std::optional<std::uint64_t> bps;
  if (v.is_string()) bps = parse_bandwidth(v.get_ref<const std::string&>());
  if (!bps || *bps > 10'000'000'000'000ULL) {
    r.error(
        p,
        "expected a bandwidth such as \"1Gbps\" or \"100Mbps\" (bps, kbps, Mbps, Gbps, Tbps; at most 10Tbps; "
        "\"0bps\" = no serialization delay), not " +
            describe_json(v));
    return false;
  }
  out = *bps;
  return true;
}

// ---- the tables -----------------------------------------------------------------------------

const Limits kName{.name = true};
const Limits kShare{.min = 0.0, .max = 1.0};
const Limits kPositiveTime{.min_time = Time::ns(1)};

const ObjectDef<LanSpec>& describe(std::type_identity<LanSpec>) {
  static const ObjectDef<LanSpec> d = [] {
    ObjectDef<LanSpec> d{
        "lan",
        "A LAN segment: a learning switch (or a shared medium) with one link per attached interface.",
        {},
        {}};
    d.fields = {
        req("name", &LanSpec::name, "unique name of the LAN", kName),
        opt("description", &LanSpec::description, "free text"),
        opt("subnet", &LanSpec::subnet,
            "IPv4 subnet; when given, every address on the LAN must be inside it"),
        opt("kind", &LanSpec::kind,
            "switch (store and forward, MAC learning) or shared (every frame to every port)"),
        opt("delay", &LanSpec::delay, "one-way propagation delay of each port's link"),
        custom<LanSpec>("bandwidth", false, "bandwidth", "bandwidth of each port's link", bandwidth_schema(),
                        Json(format_bandwidth(LanSpec{}.bandwidth_bps)),
                        [](Reader& r, const Json& v, const std::string& p, LanSpec& out) {
                          read_bandwidth(r, v, p, out.bandwidth_bps);
                        }),
        opt("queue", &LanSpec::queue, "frames that may wait behind the one being sent, per link direction",
            {.min = 0.0, .max = 1e6}),
        opt("loss", &LanSpec::loss, "probability that a frame is lost, per link direction", kShare),
        opt("mac_ageing", &LanSpec::mac_ageing, "how long the switch remembers a MAC address it has not seen",
            {.min_time = Time::ms(1)}),
    };
    return d;
  }();
  return d;
}

const ObjectDef<PortSpec>& describe(std::type_identity<PortSpec>) {
  static const ObjectDef<PortSpec> d = [] {
    ObjectDef<PortSpec> d{"port",
                          "Overrides of the LAN's link settings for this interface's cable (out: NIC to "
                          "switch, in: switch to NIC).",
                          {},
                          {}};
    d.fields = {
        opt("delay", &PortSpec::delay, "one-way propagation delay"),
        custom<PortSpec>("bandwidth", false, "bandwidth", "link bandwidth", bandwidth_schema(), std::nullopt,
                         [](Reader& r, const Json& v, const std::string& p, PortSpec& out) {
                           std::uint64_t bps = 0;
                           if (read_bandwidth(r, v, p, bps)) out.bandwidth_bps = bps;
                         }),
        opt("queue", &PortSpec::queue, "frames that may wait per direction", {.min = 0.0, .max = 1e6}),
        opt("loss_out", &PortSpec::loss_out, "loss probability of frames this interface sends", kShare),
        opt("loss_in", &PortSpec::loss_in, "loss probability of frames delivered to this interface", kShare),
    };
    return d;
  }();
  return d;
}

// Linux dev_valid_name (net/core/dev.c): at most IFNAMSIZ - 1 = 15 bytes, not "." or "..", no
// '/', ':' or white space (the name pattern already keeps those out).
constexpr std::size_t kMaxIfname = 15;

bool check_ifname(Reader& r, const std::string& p, const std::string& name) {
  if (name.size() > kMaxIfname || name == "." || name == "..") {
    r.error(p, "\"" + name + "\" is not a Linux interface name (1 to 15 letters, digits, '_', '.' or '-')");
    return false;
  }
  return true;
}

const ObjectDef<ExternalSpec>& describe(std::type_identity<ExternalSpec>) {
  static const ObjectDef<ExternalSpec> d = [] {
    ObjectDef<ExternalSpec> d{"external",
                              "The Linux interface an external node's interface is bound to (an AF_PACKET "
                              "socket; docs/emulation.md): usually the simulation's end of a veth pair whose "
                              "other end is in the real host's network namespace.",
                              {},
                              {}};
    d.fields = {
        req("interface", &ExternalSpec::interface,
            "the Linux interface, e.g. \"veth1s\"; it must exist and be up when the run starts", kName),
        opt("netns", &ExternalSpec::netns,
            "the network namespace (`ip netns add NAME`) that holds it; default: the one nlbsim runs in",
            kName),
    };
    d.check = [](Reader& r, const Json& v, const std::string& p, ExternalSpec& e) {
      if (v.contains("interface") && !e.interface.empty())
        check_ifname(r, pointer_join(p, "interface"), e.interface);
      if (e.netns == "." || e.netns == "..")
        r.error(pointer_join(p, "netns"), "\"" + e.netns + "\" is not a network namespace name");
    };
    return d;
  }();
  return d;
}

// "external": "veth1s" is short for {"interface": "veth1s"}.
Field<InterfaceSpec> external_field() {
  Field<InterfaceSpec> f;
  f.key = "external";
  f.kind = "external";
  f.object = "external";
  f.doc =
      "external nodes only: the Linux interface that leads to the real host, as a name or an object with "
      "\"interface\" and \"netns\"";
  f.schema = [](SchemaBuilder& b) {
    return Json{
        {"anyOf", Json::array({Json{{"type", "string"}, {"pattern", kNamePattern}, {"maxLength", kMaxIfname}},
                               b.ref<ExternalSpec>(false)})}};
  };
  f.read = [](Reader& r, const Json& v, const std::string& p, InterfaceSpec& out) {
    ExternalSpec e;
    if (v.is_string()) {
      if (Codec<std::string>::read(r, v, p, e.interface, kName) && check_ifname(r, p, e.interface))
        out.external = std::move(e);
    } else if (v.is_object()) {
      read_object(r, v, p, e);
      out.external = std::move(e);
    } else {
      r.error(p,
              "expected a Linux interface name such as \"veth1s\" or an object {\"interface\": ..., "
              "\"netns\": ...}, not " +
                  describe_json(v));
    }
  };
  return f;
}

const ObjectDef<InterfaceSpec>& describe(std::type_identity<InterfaceSpec>) {
  static const ObjectDef<InterfaceSpec> d = [] {
    ObjectDef<InterfaceSpec> d{"interface", "A network interface attached to a LAN.", {}, {}};
    d.fields = {
        req("name", &InterfaceSpec::name, "interface name, unique in the node (eth0, ...)", kName),
        req("lan", &InterfaceSpec::lan, "the LAN it attaches to", kName),
        req("address", &InterfaceSpec::address,
            "primary address with its prefix length, e.g. \"10.0.2.11/24\"", {.prefix_required = true}),
        opt("aliases", &InterfaceSpec::aliases,
            "static secondary addresses (prefix length optional, default /32)"),
        opt("mac", &InterfaceSpec::mac,
            "MAC address; by default 02:00:00:NN:NN:II from the node's and the interface's position"),
        opt("port", &InterfaceSpec::port, "overrides of the LAN's link settings for this interface's cable"),
        external_field(),
    };
    d.check = [](Reader& r, const Json& v, const std::string& p, InterfaceSpec& i) {
      // Only a MAC that parsed: a malformed one was reported already.
      if (!v.contains("mac") || !v["mac"].is_string() || !wire::Mac::parse(v["mac"].get<std::string>()))
        return;
      if (i.mac == wire::Mac::zero() || i.mac.is_multicast())
        r.error(pointer_join(p, "mac"), i.mac.str() + " is not a unicast MAC address an interface can have");
      else if ((i.mac.value() >> 8) == (wire::Mac::vrrp_virtual(0).value() >> 8))
        r.error(pointer_join(p, "mac"),
                i.mac.str() + " is a VRRP virtual MAC (00-00-5E-00-01-{VRID}, RFC 5798 7.3)");
    };
    return d;
  }();
  return d;
}

const ObjectDef<RouteSpec>& describe(std::type_identity<RouteSpec>) {
  static const ObjectDef<RouteSpec> d = [] {
    ObjectDef<RouteSpec> d{"route", "A static route.", {}, {}};
    d.fields = {
        custom<RouteSpec>(
            "to", true, "prefix", "destination: \"default\", a subnet \"10.0.0.0/8\" or an address (/32)",
            Json{{"type", "string"}, {"pattern", "^(default|[0-9]{1,3}([.][0-9]{1,3}){3}(/[0-9]{1,2})?)$"}},
            std::nullopt,
            [](Reader& r, const Json& v, const std::string& p, RouteSpec& out) {
              if (v.is_string() && v.get_ref<const std::string&>() == "default") {
                out.destination = wire::Prefix(wire::Ipv4::any(), 0);
                return;
              }
              if (v.is_string() && v.get_ref<const std::string&>().find('/') == std::string::npos) {
                if (auto ip = wire::Ipv4::parse(v.get_ref<const std::string&>())) {
                  out.destination = wire::Prefix(*ip, 32);
                  return;
                }
              }
              if (v.is_string() && v.get_ref<const std::string&>().find('/') != std::string::npos) {
                Codec<wire::Prefix>::read(r, v, p, out.destination, {});
                return;
              }
              r.error(p, "expected \"default\", a subnet such as \"10.0.0.0/8\" or an address, not " +
                             describe_json(v));
            }),
        opt("via", &RouteSpec::via, "next-hop address, on a subnet the node is directly connected to"),
        opt("interface", &RouteSpec::interface,
            "the interface to use; needed without \"via\" (an on-link route), else found from \"via\"",
            kName),
    };
    d.check = [](Reader& r, const Json& v, const std::string& p, RouteSpec&) {
      if (!v.contains("via") && !v.contains("interface"))
        r.error(p, "a route needs \"via\" (a next hop) or \"interface\" (an on-link route)");
    };
    return d;
  }();
  return d;
}

const ObjectDef<ArpSpec>& describe(std::type_identity<ArpSpec>) {
  static const ObjectDef<ArpSpec> d = [] {
    ObjectDef<ArpSpec> d{
        "arp", "ARP cache settings (Linux defaults; \"timeout\" gives a router's fixed lifetime).", {}, {}};
    d.fields = {
        opt("reachable_time", &ArpSpec::reachable_time,
            "Linux base_reachable_time: an entry stays REACHABLE for a random time in [t/2, 3t/2)",
            {.min_time = Time::ms(1)}),
        opt("delay_first_probe", &ArpSpec::delay_first_probe,
            "Linux delay_first_probe_time: STALE entry in use -> probe after this"),
        opt("retrans_time", &ArpSpec::retrans_time, "time between ARP requests for one address",
            {.min_time = Time::ms(1)}),
        opt("probes", &ArpSpec::probes, "requests sent before an address is given up",
            {.min = 1.0, .max = 100.0}),
        opt("stale_time", &ArpSpec::stale_time,
            "Linux gc_stale_time: an unused STALE entry is removed after this", {.min_time = Time::ms(1)}),
        opt("queue", &ArpSpec::queue, "datagrams held while an address is resolved (more are dropped)",
            {.min = 0.0, .max = 100000.0}),
        opt("timeout", &ArpSpec::timeout,
            "a fixed entry lifetime instead of Linux's cycle, e.g. \"4h\" for a router's cache",
            {.min_time = Time::ms(1)}),
        opt("accept_unsolicited", &ArpSpec::accept_unsolicited,
            "Linux arp_accept: a gratuitous ARP may create a new entry (it always updates an existing one, "
            "RFC 826)"),
        opt("gratuitous", &ArpSpec::gratuitous,
            "what a gratuitous ARP does to an existing entry: update (RFC 826; Linux, Cisco IOS), "
            "requests-only (Junos without gratuitous-arp-reply) or ignore (only expiry moves it)"),
    };
    return d;
  }();
  return d;
}

const ObjectDef<ServiceTimeSpec>& describe(std::type_identity<ServiceTimeSpec>) {
  static const ObjectDef<ServiceTimeSpec> d = [] {
    ObjectDef<ServiceTimeSpec> d{"service_time", "How long a server works on one request.", {}, {}};
    d.fields = {
        opt("distribution", &ServiceTimeSpec::distribution,
            "constant (always mean), exponential (mean mean) or uniform (in [min, max])"),
        opt("mean", &ServiceTimeSpec::mean, "constant value or exponential mean"),
        opt("min", &ServiceTimeSpec::min, "uniform: lower bound"),
        opt("max", &ServiceTimeSpec::max, "uniform: upper bound"),
    };
    d.check = [](Reader& r, const Json& v, const std::string& p, ServiceTimeSpec& s) {
      if (s.distribution == ServiceDistribution::Uniform) {
        if (!v.contains("min") || !v.contains("max"))
          r.error(p, "a uniform service time needs \"min\" and \"max\"");
        else if (s.min && s.max && *s.min > *s.max)
          r.error(pointer_join(p, "max"),
                  "max (" + format_time(*s.max) + ") is below min (" + format_time(*s.min) + ")");
      } else {
        for (const char* k : {"min", "max"})
          if (v.contains(k))
            r.error(pointer_join(p, k), std::string("\"") + k + "\" is for a uniform distribution only");
      }
      if (s.distribution == ServiceDistribution::Exponential && s.mean == Time::zero())
        r.error(pointer_join(p, "mean"), "an exponential service time needs a mean above 0");
    };
    return d;
  }();
  return d;
}

const ObjectDef<HttpServerSpec>& describe(std::type_identity<HttpServerSpec>) {
  static const ObjectDef<HttpServerSpec> d = [] {
    ObjectDef<HttpServerSpec> d{
        "http_server", "The HTTP server a node runs (every server node runs one).", {}, {}};
    d.fields = {
        opt("port", &HttpServerSpec::port, "TCP port it listens on", {.min = 1.0}),
        opt("service_time", &HttpServerSpec::service_time, "time to serve one request"),
        opt("workers", &HttpServerSpec::workers, "requests served at once", {.min = 1.0, .max = 1e6}),
        opt("backlog", &HttpServerSpec::backlog, "connections waiting for a worker; more are refused",
            {.min = 0.0, .max = 1e6}),
    };
    return d;
  }();
  return d;
}

const ObjectDef<FilterRule>& describe(std::type_identity<FilterRule>) {
  static const ObjectDef<FilterRule> d = [] {
    ObjectDef<FilterRule> d{"filter_rule", "What a firewall lets through.", {}, {}};
    d.fields = {
        opt("protocol", &FilterRule::protocol, "tcp, udp, icmp or any"),
        opt("ports", &FilterRule::ports, "destination ports (tcp, udp); empty = any", {.min = 1.0}),
        opt("destination", &FilterRule::destination, "destination subnet; absent = any"),
    };
    d.check = [](Reader& r, const Json& v, const std::string& p, FilterRule& f) {
      if (v.contains("ports") && !f.ports.empty() && f.protocol != FilterProtocol::Tcp &&
          f.protocol != FilterProtocol::Udp)
        r.error(pointer_join(p, "ports"),
                "ports apply to tcp and udp only, not to " + std::string(to_string(f.protocol)));
    };
    return d;
  }();
  return d;
}

const ObjectDef<FilterSpec>& describe(std::type_identity<FilterSpec>) {
  static const ObjectDef<FilterSpec> d = [] {
    ObjectDef<FilterSpec> d{
        "filter",
        "A packet filter on forwarded datagrams: the first matching rule allows; else the default.",
        {},
        {}};
    d.fields = {
        opt("allow", &FilterSpec::allow, "rules that let a datagram through"),
        opt("default", &FilterSpec::default_action, "what happens to a datagram no rule allows"),
    };
    return d;
  }();
  return d;
}

bool role_forwards(Role r) { return r == Role::Firewall || r == Role::Router || r == Role::Internet; }

// An external node is a real host: nlbsim builds nothing for it and configures nothing on it,
// so only what describes it (interfaces, addresses, loopback aliases) applies, and every one of
// its interfaces names the Linux interface that leads to it. Other nodes' interfaces name none.
void check_external(Reader& r, const Json& v, const std::string& p, const NodeSpec& n) {
  const Json* ifs = v.contains("interfaces") && v["interfaces"].is_array() ? &v["interfaces"] : nullptr;
  const std::string ifs_ptr = pointer_join(p, "interfaces");
  if (n.role != Role::External) {
    for (std::size_t i = 0; ifs && i < ifs->size(); ++i)
      if ((*ifs)[i].is_object() && (*ifs)[i].contains("external"))
        r.error(pointer_join(pointer_join(ifs_ptr, i), "external"),
                "only interfaces of nodes with role external are bound to a Linux interface, and " + n.name +
                    " has role " + std::string(to_string(n.role)));
    return;
  }
  for (const char* key : {"routes", "forwarding", "arp", "http_server", "filter"})
    if (v.contains(key))
      r.error(pointer_join(p, key),
              "\"" + std::string(key) +
                  "\" does not apply to an external node: it is a real host, and nlbsim "
                  "configures nothing on it (set it up on the host itself)");
  if (!ifs || ifs->empty()) {
    if (!v.contains("interfaces") || ifs)
      r.error(p,
              "external node " + n.name +
                  " needs an interface bound to a Linux interface: \"interfaces\": [{\"name\": ..., \"lan\": "
                  "..., \"address\": ..., \"external\": \"veth1s\"}]");
    return;
  }
  for (std::size_t i = 0; i < ifs->size(); ++i) {
    const Json& itf = (*ifs)[i];
    if (!itf.is_object()) continue;
    const std::string ip = pointer_join(ifs_ptr, i);
    if (!itf.contains("external"))
      r.error(
          ip,
          "missing \"external\" in an interface of external node " + n.name +
              ": the Linux interface (e.g. the simulation's end of a veth pair) that leads to the real host");
    if (itf.contains("mac"))
      r.error(pointer_join(ip, "mac"),
              "\"mac\" does not apply to an external node's interface: the real host has "
              "its own MAC, which the simulated switch learns");
  }
}

const ObjectDef<NodeSpec>& describe(std::type_identity<NodeSpec>) {
  static const ObjectDef<NodeSpec> d = [] {
    ObjectDef<NodeSpec> d{"node", "A host, router, firewall, balancer or server.", {}, {}};
    d.fields = {
        req("name", &NodeSpec::name, "unique name of the node", kName),
        opt("description", &NodeSpec::description, "free text"),
        req("role", &NodeSpec::role,
            "what the node is for: client, internet, firewall, balancer, server, router, host, or external "
            "(a "
            "real host outside nlbsim, reached through a Linux interface)"),
        opt("interfaces", &NodeSpec::interfaces, "its network interfaces"),
        opt("loopback", &NodeSpec::loopback,
            "aliases on the loopback interface (127.0.0.1/8 is always there), e.g. the cluster address on "
            "servers and balancers"),
        opt("routes", &NodeSpec::routes, "static routes; directly connected subnets need none"),
        custom<NodeSpec>("forwarding", false, "boolean",
                         "whether it forwards datagrams not addressed to it; default: true for firewall, "
                         "router and internet",
                         Json{{"type", "boolean"}}, std::nullopt,
                         [](Reader& r, const Json& v, const std::string& p, NodeSpec& out) {
                           Codec<bool>::read(r, v, p, out.forwarding, {});
                         }),
        opt("arp", &NodeSpec::arp, "ARP cache settings"),
        opt("http_server", &NodeSpec::http_server,
            "the HTTP server it runs; servers run one with the defaults unless given"),
        opt("filter", &NodeSpec::filter, "packet filter on forwarded datagrams (firewalls)"),
        opt("vrrp_garp_send_time", &NodeSpec::vrrp_garp_send_time,
            "time its VRRP daemon spends on each gratuitous ARP, doing nothing else meanwhile "
            "(keepalived is single-threaded); 0 = instantaneous",
            {.max_time = Time::s(1)}),
    };
    d.check = [](Reader& r, const Json& v, const std::string& p, NodeSpec& n) {
      if (!v.contains("forwarding")) n.forwarding = role_forwards(n.role);
      if (n.role == Role::Server && !n.http_server) n.http_server = HttpServerSpec{};
      check_external(r, v, p, n);
    };
    return d;
  }();
  return d;
}

const ObjectDef<VrrpMemberSpec>& describe(std::type_identity<VrrpMemberSpec>) {
  static const ObjectDef<VrrpMemberSpec> d = [] {
    ObjectDef<VrrpMemberSpec> d{"vrrp_member", "A router taking part in a VRRP group.", {}, {}};
    d.fields = {
        req("node", &VrrpMemberSpec::node, "the member node", kName),
        opt("interface", &VrrpMemberSpec::interface,
            "its interface on the group's LAN; found from the LAN when absent", kName),
        opt("priority", &VrrpMemberSpec::priority,
            "RFC 5798 priority: 255 = owns the addresses, else 1 to 254", {.min = 1.0, .max = 255.0}),
    };
    return d;
  }();
  return d;
}

const ObjectDef<VrrpGroupSpec>& describe(std::type_identity<VrrpGroupSpec>) {
  static const ObjectDef<VrrpGroupSpec> d = [] {
    ObjectDef<VrrpGroupSpec> d{"vrrp_group", "A VRRP virtual router (RFC 5798) on one LAN.", {}, {}};
    d.fields = {
        req("name", &VrrpGroupSpec::name, "unique name of the group", kName),
        opt("description", &VrrpGroupSpec::description, "free text"),
        req("vrid", &VrrpGroupSpec::vrid,
            "virtual router id, unique on its LAN; the virtual MAC is 00-00-5E-00-01-{vrid}",
            {.min = 1.0, .max = 255.0}),
        req("lan", &VrrpGroupSpec::lan, "the LAN the group runs on", kName),
        req("virtual_addresses", &VrrpGroupSpec::virtual_addresses, "addresses the master holds",
            {.nonempty = true}),
        req("members", &VrrpGroupSpec::members, "the routers of the group", {.nonempty = true}),
        opt("version", &VrrpGroupSpec::version, "2 (RFC 3768, keepalived's default) or 3 (RFC 5798)",
            {.min = 2.0, .max = 3.0}),
        opt("advert_interval", &VrrpGroupSpec::advert_interval,
            "time between advertisements (v3: 10ms steps up to 40.95s; v2: whole seconds)",
            {.min_time = Time::ms(10)}),
        opt("preempt", &VrrpGroupSpec::preempt,
            "a higher-priority backup takes over from a lower-priority master"),
        opt("preempt_delay", &VrrpGroupSpec::preempt_delay,
            "keepalived preempt_delay: wait this long after start before preempting",
            {.max_time = Time::s(1000)}),
        opt("accept", &VrrpGroupSpec::accept,
            "RFC 5798 Accept_Mode: a non-owner master accepts datagrams for the virtual addresses (needed to "
            "ping them)"),
        opt("mode", &VrrpGroupSpec::mode,
            "rfc5798 (adverts from the virtual MAC, one gratuitous ARP) or keepalived (real MAC, garp_* "
            "bursts, down_timer_adverts)"),
        opt("garp_master_repeat", &VrrpGroupSpec::garp_master_repeat,
            "keepalived: gratuitous ARPs per burst on becoming master", {.min = 0.0, .max = 100.0}),
        opt("garp_master_delay", &VrrpGroupSpec::garp_master_delay,
            "keepalived: delay of the second burst (0 = none)"),
        opt("garp_master_refresh", &VrrpGroupSpec::garp_master_refresh,
            "keepalived: period of refresh bursts while master (0 = off)"),
        opt("garp_master_refresh_repeat", &VrrpGroupSpec::garp_master_refresh_repeat,
            "keepalived: gratuitous ARPs per address in each refresh", {.min = 1.0, .max = 100.0}),
        opt("garp_lower_prio_repeat", &VrrpGroupSpec::garp_lower_prio_repeat,
            "keepalived: gratuitous ARPs per address when the master hears a lower priority (default: "
            "garp_master_repeat; 0 = none)",
            {.min = 0.0, .max = 100.0}),
        opt("garp_lower_prio_delay", &VrrpGroupSpec::garp_lower_prio_delay,
            "keepalived: delay of the second such burst (default: garp_master_delay; 0 = none)"),
        opt("higher_prio_send_advert", &VrrpGroupSpec::higher_prio_send_advert,
            "keepalived: a master that hears a higher priority sends one advert before yielding, so the "
            "winner re-announces"),
        opt("lower_prio_no_advert", &VrrpGroupSpec::lower_prio_no_advert,
            "keepalived: a master that hears a lower priority does not answer it (RFC 5798; default: RFC "
            "9568's answer)"),
        opt("garp_interval", &VrrpGroupSpec::garp_interval,
            "keepalived vrrp_garp_interval: time between gratuitous ARPs (0 = a burst)",
            {.max_time = Time::s(10)}),
        opt("down_timer_adverts", &VrrpGroupSpec::down_timer_adverts,
            "keepalived: advertisements missed before a backup takes over (RFC: 3)",
            {.min = 1.0, .max = 100.0}),
    };
    d.check = [](Reader& r, const Json&, const std::string& p, VrrpGroupSpec& g) {
      std::string ai = pointer_join(p, "advert_interval");
      if (g.version == 2 &&
          (g.advert_interval % Time::s(1) != Time::zero() || g.advert_interval > Time::s(255)))
        r.error(ai, "VRRPv2 advertises whole seconds from 1s to 255s (RFC 3768 5.3.7), not " +
                        format_time(g.advert_interval));
      if (g.version == 3 &&
          (g.advert_interval % Time::ms(10) != Time::zero() || g.advert_interval > Time::ms(40950)))
        r.error(ai, "VRRPv3 advertises in centiseconds from 10ms to 40.95s (RFC 5798 5.2.7), not " +
                        format_time(g.advert_interval));
      if (g.mode == VrrpMode::Rfc5798 && g.down_timer_adverts != 3)
        r.error(pointer_join(p, "down_timer_adverts"),
                "RFC 5798 fixes Master_Down_Interval at 3 advertisements; use \"mode\": \"keepalived\" to "
                "change it");
    };
    return d;
  }();
  return d;
}

const ObjectDef<HeartbeatSpec>& describe(std::type_identity<HeartbeatSpec>) {
  static const ObjectDef<HeartbeatSpec> d = [] {
    ObjectDef<HeartbeatSpec> d{
        "heartbeat",
        "Heartbeats between the two balancers (ND: every 0.5s, failover after 2s without).",
        {},
        {}};
    d.fields = {
        opt("interval", &HeartbeatSpec::interval, "time between heartbeats", {.min_time = Time::ms(1)}),
        opt("timeout", &HeartbeatSpec::timeout, "silence after which the peer is taken for dead",
            {.min_time = Time::ms(1)}),
        opt("lans", &HeartbeatSpec::lans,
            "LANs heartbeats travel on (all must fail for a failover); default: the access LAN", kName),
    };
    d.check = [](Reader& r, const Json&, const std::string& p, HeartbeatSpec& h) {
      if (h.timeout <= h.interval)
        r.error(pointer_join(p, "timeout"), "timeout (" + format_time(h.timeout) +
                                                ") must exceed the interval (" + format_time(h.interval) +
                                                "), or every gap between heartbeats is a failover");
    };
    return d;
  }();
  return d;
}

const ObjectDef<ReachSpec>& describe(std::type_identity<ReachSpec>) {
  static const ObjectDef<ReachSpec> d = [] {
    ObjectDef<ReachSpec> d{
        "reach",
        "ND reach targets: each balancer pings them; the one that reaches more should be active.",
        {},
        {}};
    d.fields = {
        opt("targets", &ReachSpec::targets, "addresses to ping (e.g. the firewalls' VRRP address)"),
        opt("interval", &ReachSpec::interval, "time between pings to each target", {.min_time = Time::ms(1)}),
        opt("timeout", &ReachSpec::timeout, "a ping without a reply in this time failed",
            {.min_time = Time::ms(1)}),
    };
    return d;
  }();
  return d;
}

const ObjectDef<SyncSpec>& describe(std::type_identity<SyncSpec>) {
  static const ObjectDef<SyncSpec> d = [] {
    ObjectDef<SyncSpec> d{
        "sync", "Connection-table synchronisation from the active to the standby balancer.", {}, {}};
    d.fields = {
        opt("mode", &SyncSpec::mode, "off, per-connection (a message per new connection) or batch"),
        opt("batch_interval", &SyncSpec::batch_interval, "batch: time between batches",
            {.min_time = Time::ms(1)}),
        opt("batch_max", &SyncSpec::batch_max, "batch: connections per message at most",
            {.min = 1.0, .max = 10000.0}),
        opt("bulk_rate", &SyncSpec::bulk_rate,
            "connections per second of the whole-table transfer to a returning standby (ND: records "
            "passed to the partner); its table size over this is the catch-up time",
            {.min = 1.0, .max = 10000000.0}),
    };
    return d;
  }();
  return d;
}

const ObjectDef<ProportionsSpec>& describe(std::type_identity<ProportionsSpec>) {
  static const ObjectDef<ProportionsSpec> d = [] {
    ObjectDef<ProportionsSpec> d{
        "proportions", "ND manager proportions in percent; they must total 100.", {}, {}};
    const Limits pct{.min = 0.0, .max = 100.0};
    d.fields = {
        opt("active", &ProportionsSpec::active, "weight of active connections", pct),
        opt("new", &ProportionsSpec::new_connections, "weight of new connections", pct),
        opt("port", &ProportionsSpec::port, "weight of the advisor's response time", pct),
        opt("system", &ProportionsSpec::system, "weight of a system metric", pct),
    };
    d.check = [](Reader& r, const Json&, const std::string& p, ProportionsSpec& s) {
      std::uint32_t sum = s.active + s.new_connections + s.port + s.system;
      if (sum != 100)
        r.error(p, "proportions add up to " + std::to_string(sum) +
                       "; they must total 100 (IBM Network Dispatcher)");
    };
    return d;
  }();
  return d;
}

const ObjectDef<ManagerSpec>& describe(std::type_identity<ManagerSpec>) {
  static const ObjectDef<ManagerSpec> d = [] {
    ObjectDef<ManagerSpec> d{
        "manager",
        "The seed's dispatcher inputs (IBM ND manager): how server weights are recomputed.",
        {},
        {}};
    d.fields = {
        opt("proportions", &ManagerSpec::proportions, "how much each input counts"),
        opt("interval", &ManagerSpec::interval, "time between weight updates", {.min_time = Time::ms(10)}),
        opt("sensitivity", &ManagerSpec::sensitivity,
            "percent: weights change only when the total changes by more", {.min = 0.0, .max = 100.0}),
        opt("smoothing", &ManagerSpec::smoothing, "smoothing index: higher = weights change less at a time",
            {.min = 1.0, .max = 100.0}),
        opt("weightbound", &ManagerSpec::weightbound, "weights range over 0..weightbound",
            {.min = 1.0, .max = 100.0}),
    };
    return d;
  }();
  return d;
}

const ObjectDef<AdvisorSpec>& describe(std::type_identity<AdvisorSpec>) {
  static const ObjectDef<AdvisorSpec> d = [] {
    ObjectDef<AdvisorSpec> d{
        "advisor", "Health and response-time probes from the active balancer to each server.", {}, {}};
    d.fields = {
        opt("enabled", &AdvisorSpec::enabled, "whether the advisor runs"),
        opt("kind", &AdvisorSpec::kind, "http (GET and wait for the reply), connect (TCP handshake) or ping"),
        opt("port", &AdvisorSpec::port, "port probed; 0 = the cluster's first port"),
        opt("interval", &AdvisorSpec::interval, "time between probes of one server",
            {.min_time = Time::ms(10)}),
        opt("connect_timeout", &AdvisorSpec::connect_timeout, "a connect slower than this failed",
            {.min_time = Time::ms(1)}),
        opt("receive_timeout", &AdvisorSpec::receive_timeout, "a reply slower than this failed",
            {.min_time = Time::ms(1)}),
        opt("retries", &AdvisorSpec::retries, "a server is down after retries + 1 failed probes",
            {.min = 0.0, .max = 100.0}),
    };
    return d;
  }();
  return d;
}

const ObjectDef<ClusterServerSpec>& describe(std::type_identity<ClusterServerSpec>) {
  static const ObjectDef<ClusterServerSpec> d = [] {
    ObjectDef<ClusterServerSpec> d{"cluster_server", "A server of a cluster.", {}, {}};
    d.fields = {
        req("node", &ClusterServerSpec::node,
            "the server node (it must hold the cluster address on its loopback)", kName),
        opt("weight", &ClusterServerSpec::weight,
            "configured weight, 0 to the manager's weightbound (0 = no new connections)",
            {.min = 0.0, .max = 100.0}),
    };
    return d;
  }();
  return d;
}

const ObjectDef<ClusterSpec>& describe(std::type_identity<ClusterSpec>) {
  static const ObjectDef<ClusterSpec> d = [] {
    ObjectDef<ClusterSpec> d{
        "cluster", "A cluster address (the seed's public VIP) and the servers behind it.", {}, {}};
    d.fields = {
        opt("name", &ClusterSpec::name, "name used in reports; default: the address", kName),
        req("address", &ClusterSpec::address, "the cluster address clients connect to"),
        opt("ports", &ClusterSpec::ports, "service ports balanced", {.min = 1.0, .nonempty = true}),
        opt("scheduler", &ClusterSpec::scheduler, "manager (the seed's), rr, wrr, lc or wlc (Linux IPVS)"),
        opt("manager", &ClusterSpec::manager, "the manager's settings (scheduler manager)"),
        opt("advisor", &ClusterSpec::advisor, "server probes"),
        req("servers", &ClusterSpec::servers, "the servers", {.nonempty = true}),
        opt("stale_timeout", &ClusterSpec::stale_timeout,
            "an idle connection's table entry is dropped after this", {.min_time = Time::s(1)}),
    };
    d.check = [](Reader& r, const Json&, const std::string& p, ClusterSpec& c) {
      if (c.name.empty()) c.name = c.address.str();
      for (std::size_t i = 0; i < c.servers.size(); ++i)
        if (c.servers[i].weight > c.manager.weightbound)
          r.error(pointer_join(pointer_join(pointer_join(p, "servers"), i), "weight"),
                  "weight " + std::to_string(c.servers[i].weight) + " exceeds the weightbound " +
                      std::to_string(c.manager.weightbound));
      for (std::size_t i = 0; i < c.ports.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
          if (c.ports[i] == c.ports[j])
            r.error(pointer_join(pointer_join(p, "ports"), i),
                    "port " + std::to_string(c.ports[i]) + " listed twice");
      if (c.advisor.port == 0 && !c.ports.empty()) c.advisor.port = c.ports.front();
    };
    return d;
  }();
  return d;
}

const ObjectDef<BalancerPairSpec>& describe(std::type_identity<BalancerPairSpec>) {
  static const ObjectDef<BalancerPairSpec> d = [] {
    ObjectDef<BalancerPairSpec> d{
        "balancer_pair", "The seed's redundant pair of Network Load Balancers.", {}, {}};
    d.fields = {
        req("name", &BalancerPairSpec::name, "unique name of the pair", kName),
        opt("description", &BalancerPairSpec::description, "free text"),
        req("primary", &BalancerPairSpec::primary, "the primary balancer node", kName),
        req("backup", &BalancerPairSpec::backup, "the backup balancer node", kName),
        req("access_lan", &BalancerPairSpec::access_lan, "the Internet Access Subnet (towards the firewalls)",
            kName),
        req("server_lan", &BalancerPairSpec::server_lan,
            "the Network Server Access Subnet (towards the servers)", kName),
        opt("nlbs_address", &BalancerPairSpec::nlbs_address,
            "the seed's private NLBS IP address, held by the active balancer; absent = prior art: the active "
            "balancer holds the cluster addresses on its access interface"),
        opt("heartbeat", &BalancerPairSpec::heartbeat, "heartbeat settings"),
        opt("reach", &BalancerPairSpec::reach, "reachability targets"),
        opt("recovery", &BalancerPairSpec::recovery,
            "auto (a recovered primary takes back) or manual (it stays standby until an admin-takeover)"),
        opt("wait_for_sync", &BalancerPairSpec::wait_for_sync,
            "a recovering balancer waits until its connection table is synchronised before taking back"),
        opt("sync_wait_limit", &BalancerPairSpec::sync_wait_limit,
            "wait_for_sync: take back after this long even if not synchronised (0 = never)"),
        opt("preempt_delay", &BalancerPairSpec::preempt_delay,
            "a recovering primary stands by this long before it asks for the role back (keepalived "
            "preempt_delay)",
            {.max_time = Time::s(1000)}),
        opt("sync", &BalancerPairSpec::sync, "connection-table synchronisation"),
        opt("garp_repeat", &BalancerPairSpec::garp_repeat,
            "gratuitous ARPs for the taken-over address on becoming active", {.min = 0.0, .max = 100.0}),
        opt("garp_interval", &BalancerPairSpec::garp_interval, "time between those gratuitous ARPs",
            {.min_time = Time::ms(1)}),
        opt("garp_refresh", &BalancerPairSpec::garp_refresh,
            "period of a refresh gratuitous ARP while active (0 = off)"),
        opt("garp_on_peer_return", &BalancerPairSpec::garp_on_peer_return,
            "the active balancer announces again when its peer's heartbeats return (after a split brain "
            "or a false takeover); false = only on becoming active, as the seed's scripts say"),
        req("clusters", &BalancerPairSpec::clusters, "the cluster addresses the pair balances",
            {.nonempty = true}),
    };
    return d;
  }();
  return d;
}

const ObjectDef<TrafficSpec>& describe(std::type_identity<TrafficSpec>) {
  static const ObjectDef<TrafficSpec> d = [] {
    ObjectDef<TrafficSpec> d{"traffic", "HTTP clients opening connections to a cluster address.", {}, {}};
    d.fields = {
        req("name", &TrafficSpec::name, "unique name of the traffic entry", kName),
        req("clients", &TrafficSpec::clients, "client node names; '*' matches any characters (\"client*\")",
            {.nonempty = true}),
        custom<TrafficSpec>(
            "target", true, "string",
            "address:port to connect to, e.g. \"203.0.113.10:80\" (port default 80)",
            Json{{"type", "string"}, {"pattern", "^[0-9]{1,3}([.][0-9]{1,3}){3}(:[0-9]{1,5})?$"}},
            std::nullopt,
            [](Reader& r, const Json& v, const std::string& p, TrafficSpec& out) {
              std::optional<wire::Ipv4> ip;
              unsigned port = 80;
              bool port_ok = true;
              if (v.is_string()) {
                std::string_view s = v.get_ref<const std::string&>();
                auto colon = s.find(':');
                ip = wire::Ipv4::parse(s.substr(0, colon));
                if (colon != std::string_view::npos) {
                  std::string_view t = s.substr(colon + 1);
                  auto [q, ec] = std::from_chars(t.data(), t.data() + t.size(), port);
                  port_ok = !t.empty() && ec == std::errc{} && q == t.data() + t.size() && port >= 1 &&
                            port <= 65535;
                }
              }
              if (!ip || !port_ok) {
                r.error(p, "expected address:port such as \"203.0.113.10:80\", not " + describe_json(v));
                return;
              }
              out.target = *ip;
              out.port = static_cast<std::uint16_t>(port);
            }),
        opt("arrival", &TrafficSpec::arrival, "poisson (exponential gaps) or fixed (equal gaps)"),
        opt("rate", &TrafficSpec::rate, "new connections per second for the whole entry",
            {.max = 1e6, .positive = true}),
        opt("start", &TrafficSpec::start, "first arrival not before this"),
        opt("stop", &TrafficSpec::stop, "no arrival from this time on; default: the end of the run"),
        opt("request_bytes", &TrafficSpec::request_bytes, "bytes of each request", {.min = 1.0, .max = 1e9}),
        opt("response_bytes", &TrafficSpec::response_bytes, "bytes of each response",
            {.min = 0.0, .max = 1e12}),
        opt("keep_alive", &TrafficSpec::keep_alive, "HTTP keep-alive: several requests per connection"),
        opt("requests_per_connection", &TrafficSpec::requests_per_connection,
            "requests sent on one connection (needs keep_alive above 1)", {.min = 1.0, .max = 1e6}),
        opt("think_time", &TrafficSpec::think_time,
            "pause between a response and the next request on a connection"),
        opt("request_timeout", &TrafficSpec::request_timeout,
            "a request without a full response in this time failed", {.min_time = Time::ms(1)}),
    };
    d.check = [](Reader& r, const Json&, const std::string& p, TrafficSpec& t) {
      if (t.requests_per_connection > 1 && !t.keep_alive)
        r.error(
            pointer_join(p, "requests_per_connection"),
            std::to_string(t.requests_per_connection) + " requests per connection need \"keep_alive\": true");
      if (t.stop && *t.stop <= t.start)
        r.error(pointer_join(p, "stop"),
                "stop (" + format_time(*t.stop) + ") must come after start (" + format_time(t.start) + ")");
    };
    return d;
  }();
  return d;
}

enum class Use : std::uint8_t { No, Optional, Required };

struct ActionRule {
  FaultAction action;
  Use node, interface, lan, pair, duration, probability, service_time;
};

// Which keys each action takes. Link and loss actions target node+interface or a whole lan.
constexpr ActionRule kActionRules[] = {
    {FaultAction::Crash, Use::Required, Use::No, Use::No, Use::No, Use::No, Use::No, Use::No},
    {FaultAction::Recover, Use::Required, Use::No, Use::No, Use::No, Use::No, Use::No, Use::No},
    {FaultAction::GracefulStop, Use::Required, Use::No, Use::No, Use::No, Use::No, Use::No, Use::No},
    {FaultAction::Start, Use::Required, Use::No, Use::No, Use::No, Use::No, Use::No, Use::No},
    {FaultAction::LinkDown, Use::Optional, Use::Optional, Use::Optional, Use::No, Use::No, Use::No, Use::No},
    {FaultAction::LinkUp, Use::Optional, Use::Optional, Use::Optional, Use::No, Use::No, Use::No, Use::No},
    {FaultAction::HeartbeatLoss, Use::No, Use::No, Use::No, Use::Required, Use::Optional, Use::No, Use::No},
    {FaultAction::Freeze, Use::Required, Use::No, Use::No, Use::No, Use::Required, Use::No, Use::No},
    {FaultAction::SetLoss, Use::Optional, Use::Optional, Use::Optional, Use::No, Use::No, Use::Required,
     Use::No},
    {FaultAction::SlowServer, Use::Required, Use::No, Use::No, Use::No, Use::No, Use::No, Use::Required},
    {FaultAction::AdminTakeover, Use::No, Use::No, Use::No, Use::Required, Use::No, Use::No, Use::No},
};

void check_fault(Reader& r, const Json& v, const std::string& p, FaultSpec& f) {
  const ActionRule* rule = nullptr;
  for (const auto& x : kActionRules)
    if (x.action == f.action) rule = &x;
  if (!rule) return;
  std::string act(to_string(f.action));
  auto need = [&](const char* key, Use use) {
    if (use == Use::Required && !v.contains(key))
      r.error(p, "action " + act + " needs \"" + key + "\"");
    else if (use == Use::No && v.contains(key))
      r.error(pointer_join(p, key), "action " + act + " does not use \"" + key + "\"");
  };
  need("node", rule->node);
  need("interface", rule->interface);
  need("lan", rule->lan);
  need("pair", rule->pair);
  need("duration", rule->duration);
  need("probability", rule->probability);
  need("service_time", rule->service_time);
  bool targets_link = f.action == FaultAction::LinkDown || f.action == FaultAction::LinkUp ||
                      f.action == FaultAction::SetLoss;
  if (targets_link) {
    bool lan = v.contains("lan"), node = v.contains("node"), iface = v.contains("interface");
    if (lan && (node || iface))
      r.error(pointer_join(p, "lan"),
              "action " + act + " takes either \"lan\" or \"node\" and \"interface\", not both");
    else if (!lan && !(node && iface))
      r.error(p, "action " + act +
                     " needs \"node\" and \"interface\" (one cable) or \"lan\" (every cable of the LAN)");
  }
  if (v.contains("direction") && !(f.action == FaultAction::SetLoss && v.contains("interface")))
    r.error(pointer_join(p, "direction"), "\"direction\" applies to set-loss on a node's interface only");
  if (f.name.empty()) {
    std::string target = !f.node.empty()  ? f.node + (f.interface.empty() ? "" : "/" + f.interface)
                         : !f.lan.empty() ? f.lan
                                          : f.pair;
    f.name = act + " " + target + " at " + format_time(f.at);
  }
}

const ObjectDef<FaultSpec>& describe(std::type_identity<FaultSpec>) {
  static const ObjectDef<FaultSpec> d = [] {
    ObjectDef<FaultSpec> d{"fault", "One event of the timeline.", {}, {}};
    d.fields = {
        opt("name", &FaultSpec::name,
            "name for reports and expectations; default: \"<action> <target> at <time>\""),
        opt("description", &FaultSpec::description, "free text"),
        req("at", &FaultSpec::at, "when it happens"),
        req("action", &FaultSpec::action,
            "what happens: crash, recover, graceful-stop, start, link-down, link-up, heartbeat-loss, freeze, "
            "set-loss, slow-server or admin-takeover"),
        opt("node", &FaultSpec::node,
            "the node (crash, recover, graceful-stop, start, freeze, slow-server; with interface: link-down, "
            "link-up, set-loss)",
            kName),
        opt("interface", &FaultSpec::interface, "the node's interface (link-down, link-up, set-loss)", kName),
        opt("lan", &FaultSpec::lan, "a whole LAN (link-down, link-up, set-loss)", kName),
        opt("pair", &FaultSpec::pair, "a balancer pair (heartbeat-loss, admin-takeover)", kName),
        opt("duration", &FaultSpec::duration,
            "how long it lasts (freeze; heartbeat-loss, default to the end)", kPositiveTime),
        opt("probability", &FaultSpec::probability, "frame loss probability from now on (set-loss)", kShare),
        opt("direction", &FaultSpec::direction, "set-loss on an interface: in, out or both"),
        opt("service_time", &FaultSpec::service_time, "the server's new service time (slow-server)"),
    };
    d.check = check_fault;
    return d;
  }();
  return d;
}

void check_expectation(Reader& r, const Json& v, const std::string& p, ExpectationSpec& e) {
  MeasureKind kind = measure_kind(e.measure);
  std::string m(to_string(e.measure));
  if (measure_needs_fault(e.measure) && !v.contains("fault"))
    r.error(p, m + " is measured per fault: add \"fault\" (a timeline entry's name)");
  if (!measure_needs_fault(e.measure) && v.contains("fault"))
    r.error(pointer_join(p, "fault"), m + " is not measured per fault");
  if (measure_needs_server(e.measure) && !v.contains("server"))
    r.error(p, m + " needs \"server\" (a server node)");
  if (!measure_needs_server(e.measure) && v.contains("server"))
    r.error(pointer_join(p, "server"), m + " is not measured per server");
  if (!v.contains("min") && !v.contains("max") && !v.contains("equals")) {
    r.error(p, "an expectation needs a bound: \"min\", \"max\" or \"equals\"");
    return;
  }
  if (v.contains("equals") && (v.contains("min") || v.contains("max"))) {
    r.error(pointer_join(p, "equals"), "\"equals\" replaces \"min\" and \"max\": give one or the other");
    return;
  }
  auto bound = [&](const char* key, std::optional<double>& num, std::optional<Time>& t) {
    if (!v.contains(key)) return;
    std::string kp = pointer_join(p, key);
    const Json& b = v[key];
    if (kind == MeasureKind::Time) {
      Time x;
      if (Codec<Time>::read(r, b, kp, x, {})) t = x;
      return;
    }
    double x = 0;
    Limits lim = kind == MeasureKind::Share ? kShare : Limits{.min = kind == MeasureKind::Ratio ? 1.0 : 0.0};
    if (!Codec<double>::read(r, b, kp, x, lim)) return;
    if (kind == MeasureKind::Count && x != static_cast<double>(static_cast<std::int64_t>(x))) {
      r.error(kp, m + " is a count: expected a whole number, not " + describe_json(b));
      return;
    }
    num = x;
  };
  bound("min", e.min, e.min_time);
  bound("max", e.max, e.max_time);
  if (v.contains("equals")) {
    bound("equals", e.min, e.min_time);
    e.max = e.min;
    e.max_time = e.min_time;
  }
  if ((e.min && e.max && *e.min > *e.max) || (e.min_time && e.max_time && *e.min_time > *e.max_time))
    r.error(pointer_join(p, "max"), "max is below min: no value can meet this bound");
}

const ObjectDef<ExpectationSpec>& describe(std::type_identity<ExpectationSpec>) {
  static const ObjectDef<ExpectationSpec> d = [] {
    ObjectDef<ExpectationSpec> d{
        "expectation", "A named bound on one measure of the run; a run that misses one exits 1.", {}, {}};
    Json bound{{"anyOf", Json::array({Json{{"type", "number"}},
                                      Json{{"type", "string"}, {"pattern", kTimePattern}}})}};
    d.fields = {
        req("name", &ExpectationSpec::name, "what the expectation says, shown in reports",
            {.nonempty = true}),
        req("measure", &ExpectationSpec::measure, "what is measured"),
        opt("fault", &ExpectationSpec::fault, "the timeline entry (by name) a per-fault measure is about"),
        opt("server", &ExpectationSpec::server, "the server node server_share is about", kName),
        custom<ExpectationSpec>("min", false, "bound",
                                "lowest value allowed (a time for time measures, a number else)", bound),
        custom<ExpectationSpec>("max", false, "bound", "highest value allowed", bound),
        custom<ExpectationSpec>("equals", false, "bound", "the only value allowed", bound),
    };
    d.check = check_expectation;
    return d;
  }();
  return d;
}

// "N/M": simulated time runs N/M times as fast as the wall clock (sim::RealtimeConfig's speed).
void read_speed(Reader& r, const Json& v, const std::string& p, RealtimeSpec& out) {
  unsigned num = 0, den = 0;
  bool ok = false;
  if (v.is_string()) {
    std::string_view s = v.get_ref<const std::string&>();
    auto slash = s.find('/');
    if (slash != std::string_view::npos) {
      auto a = s.substr(0, slash), b = s.substr(slash + 1);
      auto [pa, ea] = std::from_chars(a.data(), a.data() + a.size(), num);
      auto [pb, eb] = std::from_chars(b.data(), b.data() + b.size(), den);
      ok = !a.empty() && !b.empty() && ea == std::errc{} && eb == std::errc{} && pa == a.data() + a.size() &&
           pb == b.data() + b.size() && num >= 1 && num <= 1000 && den >= 1 && den <= 1000;
    }
  }
  if (!ok) {
    r.error(p,
            "expected a speed \"N/M\" with N and M from 1 to 1000, such as \"1/1\" (real time) or \"1/10\" "
            "(ten times slower), not " +
                describe_json(v));
    return;
  }
  out.speed_num = num;
  out.speed_den = den;
}

const ObjectDef<RealtimeSpec>& describe(std::type_identity<RealtimeSpec>) {
  static const ObjectDef<RealtimeSpec> d = [] {
    ObjectDef<RealtimeSpec> d{"realtime",
                              "Runs the scenario in real time, simulated time paced to the wall clock, as "
                              "external nodes need (docs/emulation.md); the report gives the lag.",
                              {},
                              {}};
    d.fields = {
        custom<RealtimeSpec>(
            "speed", false, "string",
            "simulated time per wall-clock time, \"N/M\" (N, M from 1 to 1000): \"1/1\" is real "
            "time, the only speed real hosts can follow; \"1/10\" ten times slower",
            Json{{"type", "string"}, {"pattern", "^[0-9]{1,4}/[0-9]{1,4}$"}}, Json("1/1"), read_speed),
        opt("late_threshold", &RealtimeSpec::late_threshold,
            "an event that starts more than this behind the wall clock counts as late in the report",
            {.min_time = Time::us(1), .max_time = Time::s(10)}),
        opt("max_lag", &RealtimeSpec::max_lag,
            "the worst lag the run tolerates: an event later than this stops the run, and the report says "
            "it is not valid (ns-3's hard limit); absent: best effort",
            {.min_time = Time::us(1)}),
        opt("spin", &RealtimeSpec::spin,
            "poll the clock this long before each event instead of sleeping: less wake-up latency, a busy "
            "CPU",
            {.max_time = Time::ms(100)}),
    };
    return d;
  }();
  return d;
}

const ObjectDef<Scenario>& describe(std::type_identity<Scenario>) {
  static const ObjectDef<Scenario> d = [] {
    ObjectDef<Scenario> d{
        "scenario",
        "An nlbsim scenario: a network, its traffic, a timeline of faults and expectations.",
        {},
        {}};
    d.fields = {
        custom<Scenario>("$schema", false, "string", "the JSON Schema of this format, for editors; ignored",
                         Json{{"type", "string"}}),
        custom<Scenario>(
            std::string(kExtendsKey), false, "extends",
            "base scenario file(s), relative to this one; this file is merged on top",
            Json{{"anyOf", Json::array({Json{{"type", "string"}},
                                        Json{{"type", "array"}, {"items", Json{{"type", "string"}}}}})}}),
        custom<Scenario>(
            std::string(kParametersKey), false, "parameters",
            "name: value pairs substituted for ${name} in every string of the scenario",
            Json{{"type", "object"}, {"propertyNames", Json{{"pattern", "^[A-Za-z_][A-Za-z0-9_]*$"}}}}),
        opt("name", &Scenario::name, "name of the scenario; default: the file name without .json"),
        opt("description", &Scenario::description, "free text"),
        opt("seed", &Scenario::seed, "seed of every random stream: the same seed gives the same run"),
        opt("duration", &Scenario::duration, "simulated time the run lasts", {.min_time = Time::ms(1)}),
        req("lans", &Scenario::lans, "the LAN segments the nodes attach to", {.nonempty = true}),
        req("nodes", &Scenario::nodes, "the nodes: clients, routers, firewalls, balancers, servers",
            {.nonempty = true}),
        opt("vrrp_groups", &Scenario::vrrp_groups, "VRRP virtual routers"),
        opt("balancer_pairs", &Scenario::balancer_pairs, "redundant pairs of load balancers"),
        opt("traffic", &Scenario::traffic, "client traffic"),
        opt("timeline", &Scenario::timeline, "faults and operator actions, by time"),
        opt("expectations", &Scenario::expectations, "bounds the run must meet"),
        opt("realtime", &Scenario::realtime,
            "pace the run to the wall clock; a scenario with external nodes always runs in real time (with "
            "these "
            "defaults when absent)"),
    };
    return d;
  }();
  return d;
}

// ---- listing --------------------------------------------------------------------------------

template <class T>
void list_object(std::vector<FormatObject>& out, const std::set<std::string>& items) {
  const ObjectDef<T>& d = def_of<T>();
  FormatObject o{d.name, d.doc, {}, items.contains(d.name)};
  for (const auto& f : d.fields) {
    std::string def;
    if (f.default_value)
      def = f.default_value->is_string()         ? f.default_value->template get<std::string>()
            : f.default_value->is_number_float() ? number_text(f.default_value->template get<double>())
                                                 : f.default_value->dump();
    o.fields.push_back(FormatField{f.key, f.kind, f.required, def, f.doc, f.object, f.item, f.values});
  }
  out.push_back(std::move(o));
}

}  // namespace

bool read_scenario(const Json& doc, Scenario& out, DiagSink& sink) {
  std::size_t before = sink.errors();
  Reader r(sink);
  read_object(r, doc, "", out);
  return sink.errors() == before;
}

Json scenario_schema() {
  SchemaBuilder strict(false), partial(true);
  Json root_strict = strict.ref<Scenario>(false), root_partial = partial.ref<Scenario>(false);
  Json defs = strict.take_defs();
  defs.update(partial.take_defs());
  defs["substitution"] = Json{
      {"type", "string"},
      {"pattern", kSubstitutionPattern},
      {"description",
       "a ${parameter} or a {generator expression}: its value after composition must have the field's type"}};
  return Json{{"$schema", "https://json-schema.org/draft/2020-12/schema"},
              {"title", "nlbsim scenario"},
              {"description",
               "Generated from the loader's tables by `nlbsim schema`; see docs/scenario-format.md. "
               "A file that extends another may leave out required keys."},
              {"if", Json{{"required", Json::array({std::string(kExtendsKey)})}}},
              {"then", root_partial},
              {"else", root_strict},
              {"$defs", defs}};
}

std::vector<FormatObject> format_objects() {
  SchemaBuilder b(false);
  (void)b.ref<Scenario>(false);
  Json defs = b.take_defs();
  std::set<std::string> items;
  for (auto it = defs.begin(); it != defs.end(); ++it)
    if (it.value()["properties"].contains(std::string(kCountKey))) items.insert(it.key());
  std::vector<FormatObject> out;
  list_object<Scenario>(out, items);
  list_object<LanSpec>(out, items);
  list_object<NodeSpec>(out, items);
  list_object<InterfaceSpec>(out, items);
  list_object<ExternalSpec>(out, items);
  list_object<PortSpec>(out, items);
  list_object<RouteSpec>(out, items);
  list_object<ArpSpec>(out, items);
  list_object<HttpServerSpec>(out, items);
  list_object<ServiceTimeSpec>(out, items);
  list_object<FilterSpec>(out, items);
  list_object<FilterRule>(out, items);
  list_object<VrrpGroupSpec>(out, items);
  list_object<VrrpMemberSpec>(out, items);
  list_object<BalancerPairSpec>(out, items);
  list_object<HeartbeatSpec>(out, items);
  list_object<ReachSpec>(out, items);
  list_object<SyncSpec>(out, items);
  list_object<ClusterSpec>(out, items);
  list_object<ManagerSpec>(out, items);
  list_object<ProportionsSpec>(out, items);
  list_object<AdvisorSpec>(out, items);
  list_object<ClusterServerSpec>(out, items);
  list_object<TrafficSpec>(out, items);
  list_object<FaultSpec>(out, items);
  list_object<ExpectationSpec>(out, items);
  list_object<RealtimeSpec>(out, items);
  return out;
}

std::string format_reference_markdown() {
  auto type_text = [](const FormatField& f) {
    std::string words;
    for (const auto& v : f.values) words += (words.empty() ? "`" : ", `") + v + "`";
    if (f.kind == "object") return "object [`" + f.object + "`](#" + f.object + ")";
    if (f.kind == "external") return "name or object [`" + f.object + "`](#" + f.object + ")";
    if (f.kind == "array" && !f.object.empty()) return "array of [`" + f.object + "`](#" + f.object + ")";
    if (f.kind == "array" && !words.empty()) return "array of " + words;
    if (f.kind == "array" && !f.item.empty()) return "array of " + f.item;
    if (f.kind == "enum") return "one of " + words;
    return f.kind;
  };
  auto cell = [](std::string t) {
    std::string out;
    for (char c : t) out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
  };
  std::string out;
  for (const FormatObject& o : format_objects()) {
    out += "\n### " + o.name + "\n\n" + o.doc + "\n";
    if (o.array_item) out += "Generators (`count`, `first`, `as`) work on its entries.\n";
    out += "\n| key | type | default | meaning |\n|---|---|---|---|\n";
    for (const FormatField& f : o.fields) {
      std::string def = f.required               ? "**required**"
                        : f.default_text.empty() ? ""
                                                 : "`" + f.default_text + "`";
      out += "| `" + f.key + "` | " + type_text(f) + " | " + def + " | " + cell(f.doc) + " |\n";
    }
  }
  return out;
}

}  // namespace nlb::runner
