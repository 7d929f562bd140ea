#include "gui/model/event_filter.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "gui/model/frame_decode.hpp"

namespace nlb::gui {

namespace {

// ASCII case folding by table: the filter runs over a million summaries per keystroke.
constexpr std::array<char, 256> kLower = [] {
  std::array<char, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return t;
}();

char lower(char c) { return kLower[static_cast<unsigned char>(c)]; }

// `needle` is already lower case.
bool contains_nocase(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  if (hay.size() < needle.size()) return false;
  char first = needle[0];
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (lower(hay[i]) != first) continue;
    std::size_t k = 1;
    while (k < needle.size() && lower(hay[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

bool endpoint_matches(const Endpoint& want, std::uint32_t ip, std::uint16_t port) {
  return (want.ip == 0 || want.ip == ip) && (want.port == 0 || want.port == port);
}

// "ip:port" text as written in conn events.
bool endpoint_matches(const Endpoint& want, const std::string& text) {
  Endpoint e = parse_endpoint(text);
  return e.valid && endpoint_matches(want, e.ip, e.port);
}

bool connection_matches(const TraceModel& m, const EventRecord& e, const Endpoint& want) {
  switch (e.type) {
    case EventType::Frame: {
      FrameEndpoints f = frame_endpoints(m.frame_bytes(e));
      return f.ok && (endpoint_matches(want, f.src, f.sport) || endpoint_matches(want, f.dst, f.dport));
    }
    case EventType::Conn: {
      const ConnInfo& c = m.conn(e);
      return endpoint_matches(want, m.text(c.client)) || endpoint_matches(want, m.text(c.vip));
    }
    case EventType::Arp:
      return want.port == 0 && want.ip == m.arp(e).ip;
    case EventType::Addr:
      return want.port == 0 && want.ip == m.addr(e).ip;
    default:
      return false;
  }
}

struct Prepared {
  const EventFilter& f;
  std::vector<Endpoint> conns;  // any of them; empty = no connection filter
  std::string text;             // lower case
};

bool any_connection_matches(const TraceModel& m, const EventRecord& e, const std::vector<Endpoint>& conns) {
  return std::any_of(conns.begin(), conns.end(),
                     [&](const Endpoint& c) { return connection_matches(m, e, c); });
}

std::string lowered(const std::string& s) {
  std::string out = s;
  for (char& c : out) c = lower(c);
  return out;
}

bool passes(const TraceModel& m, std::size_t i, const Prepared& p) {
  const EventRecord& e = m.event(i);
  const EventFilter& f = p.f;
  if ((category_bit(e) & f.categories) == 0) return false;
  if (f.node >= 0 && e.node != f.node) return false;
  if (f.drops_only && e.dir != Dir::Drop) return false;
  if (f.hide_rx && e.dir == Dir::Rx) return false;
  if (!p.conns.empty() && !any_connection_matches(m, e, p.conns)) return false;
  return contains_nocase(m.summary(i), p.text);
}

}  // namespace

CategoryMask category_bit(const EventRecord& e) {
  switch (e.type) {
    case EventType::Frame:
      return bit(e.kind);
    case EventType::State:
      return bit(Category::State);
    case EventType::Addr:
      return bit(Category::Addr);
    case EventType::Arp:
      return bit(Category::ArpTable);
    case EventType::Conn:
      return bit(Category::Conn);
    case EventType::Weights:
      return bit(Category::Weights);
    case EventType::Fault:
      return bit(Category::Fault);
    case EventType::Request:
      return bit(Category::Request);
    case EventType::Mac:
      return bit(Category::MacTable);
    case EventType::Peer:
    case EventType::SplitBrain:
      return bit(Category::Peer);
    case EventType::End:
    case EventType::Unknown:
      return bit(Category::Unknown);
  }
  return 0;
}

Endpoint parse_endpoint(const std::string& text) {
  Endpoint e;
  std::string_view s = text;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return e;
  auto colon = s.rfind(':');
  std::string_view host = s.substr(0, colon == std::string_view::npos ? s.size() : colon);
  if (colon != std::string_view::npos) {
    auto port = s.substr(colon + 1);
    unsigned p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc{} || end != port.data() + port.size() || p == 0 || p > 65535) return e;
    e.port = static_cast<std::uint16_t>(p);
  }
  if (!host.empty() && !parse_ip(host, e.ip)) return e;
  e.valid = e.ip != 0 || e.port != 0;
  return e;
}

std::vector<Endpoint> parse_endpoints(const std::string& text) {
  std::vector<Endpoint> out;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find_first_of(", ", at);
    if (end == std::string::npos) end = text.size();
    if (end > at) {
      Endpoint e = parse_endpoint(text.substr(at, end - at));
      if (!e.valid) return {};
      out.push_back(e);
    }
    at = end + 1;
  }
  return out;
}

bool EventFilter::matches(const TraceModel& m, std::size_t i) const {
  return passes(m, i, {*this, parse_endpoints(connection), lowered(text)});
}

std::vector<std::uint32_t> apply_filter(const TraceModel& m, const EventFilter& f) {
  std::vector<Endpoint> conns = parse_endpoints(f.connection);
  // An unreadable connection text matches nothing rather than everything: the user sees an
  // empty list and the field marked, not a silently ignored filter.
  bool bad_conn = conns.empty() && f.connection.find_first_not_of(", ") != std::string::npos;
  std::vector<std::uint32_t> out;
  if (bad_conn) return out;
  Prepared p{f, std::move(conns), lowered(f.text)};
  out.reserve(m.size());
  for (std::size_t i = 0; i < m.size(); ++i)
    if (passes(m, i, p)) out.push_back(static_cast<std::uint32_t>(i));
  out.shrink_to_fit();
  return out;
}

std::optional<std::size_t> find_event(const TraceModel& m, std::size_t from, const std::string& text) {
  std::string needle = lowered(text);
  std::string line;
  for (std::size_t i = from; i < m.size(); ++i) {
    const EventRecord& e = m.event(i);
    line.clear();
    if (e.node >= 0) line = m.header().nodes[e.node].name + ": ";
    line += m.summary(i);
    if (contains_nocase(line, needle)) return i;
  }
  return std::nullopt;
}

}  // namespace nlb::gui
