#include "gui/model/frame_decode.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "gui/model/trace_model.hpp"
#include "models/wire/describe.hpp"
#include "models/wire/ha.hpp"

namespace nlb::gui {

namespace {

namespace w = nlb::wire;

w::Bytes as_bytes(FrameBytes b) { return {reinterpret_cast<const std::byte*>(b.data()), b.size()}; }

std::uint16_t u16(FrameBytes b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}
std::uint32_t u32(FrameBytes b, std::size_t at) { return (std::uint32_t{u16(b, at)} << 16) | u16(b, at + 2); }

using Values = std::map<std::string, std::string>;

Values values_of(const w::Layer& l) {
  Values v;
  for (const w::Field& f : l.fields) v.emplace(f.name, f.value);
  return v;
}

std::string get(const Values& v, const char* key) {
  auto it = v.find(key);
  return it == v.end() ? std::string() : it->second;
}

// The value before a " (...)" note: "6 (TCP)" -> the note, "0x02 [S]" -> "[S]".
std::string note(const std::string& value) {
  auto open = value.find_first_of("([");
  if (open == std::string::npos) return value;
  auto close = value.find_last_of(")]");
  return value.substr(open + 1, close == std::string::npos ? std::string::npos : close - open - 1);
}

// One line per layer, for the inspector's layer rows.
std::string summary_of(const std::string& layer, const Values& v) {
  if (layer == "Ethernet") return get(v, "src") + " > " + get(v, "dst") + ", " + note(get(v, "type"));
  if (layer == "ARP") {
    if (v.count("kind")) return "Gratuitous ARP: " + get(v, "spa") + " is at " + get(v, "sha");
    if (get(v, "op").starts_with("1 ")) return "Who has " + get(v, "tpa") + "? Tell " + get(v, "spa");
    return get(v, "spa") + " is at " + get(v, "sha");
  }
  if (layer == "IPv4" || layer == "Quoted IPv4")
    return get(v, "src") + " > " + get(v, "dst") + ", " + note(get(v, "protocol")) + ", TTL " + get(v, "ttl");
  if (layer == "TCP")
    return get(v, "src_port") + " > " + get(v, "dst_port") + " [" + note(get(v, "flags")) + "] seq " +
           get(v, "seq");
  if (layer == "UDP") return get(v, "src_port") + " > " + get(v, "dst_port") + ", length " + get(v, "length");
  if (layer == "VRRP") return "VRID " + get(v, "vrid") + ", priority " + get(v, "priority");
  if (layer == "ICMP") return get(v, "type");
  return {};
}

Layer convert(const w::Layer& in) {
  Layer l;
  l.name = in.name;
  std::size_t lo = SIZE_MAX, hi = 0;
  for (const w::Field& f : in.fields) {
    if (f.name == "error") {
      l.error = f.value;
      continue;
    }
    l.fields.push_back(
        {f.name, f.value, static_cast<std::uint32_t>(f.offset), static_cast<std::uint32_t>(f.length)});
    // Padding and payload belong to the layer but are not its header.
    if (f.length == 0 || f.name == "padding" || f.name == "payload") continue;
    lo = std::min(lo, f.offset);
    hi = std::max(hi, f.offset + f.length);
  }
  if (lo != SIZE_MAX) {
    l.offset = static_cast<std::uint32_t>(lo);
    l.length = static_cast<std::uint32_t>(hi - lo);
  }
  l.summary = summary_of(in.name, values_of(in));
  return l;
}

const Field* field_of(const Layer& l, const char* name) {
  for (const Field& f : l.fields)
    if (f.name == name) return &f;
  return nullptr;
}

void add(Layer& l, std::string name, std::string value, std::size_t offset, std::size_t length) {
  l.fields.push_back({std::move(name), std::move(value), static_cast<std::uint32_t>(offset),
                      static_cast<std::uint32_t>(length)});
}

// The balancer pair's heartbeat and connection sync (models/wire/ha.hpp), on UDP 8849.
void decode_ha(std::vector<Layer>& out, FrameBytes b, std::size_t at) {
  namespace hf = w::ha::field;
  w::Bytes msg = as_bytes(b.substr(at));
  auto type = w::ha_message_type(msg);
  Layer l;
  l.offset = static_cast<std::uint32_t>(at);
  if (!type) {
    l.name = "NLB HA";
    l.error = type.error().str();
    out.push_back(std::move(l));
    return;
  }
  if (*type == w::HaMessageType::Heartbeat) {
    l.name = "NLB heartbeat";
    auto h = w::HaHeartbeat::parse(msg);
    if (!h) {
      l.error = h.error().str();
    } else {
      add(l, "state", w::to_string(h->state), at + hf::heartbeat::state.begin, 1);
      add(l, "role", w::to_string(h->role), at + hf::heartbeat::role.begin, 1);
      add(l, "priority", std::to_string(h->priority), at + hf::heartbeat::priority.begin, 1);
      add(l, "sync", w::to_string(h->sync), at + hf::heartbeat::sync.begin, 1);
      add(l, "reach", std::to_string(h->reach) + " of " + std::to_string(h->reach_total),
          at + hf::heartbeat::reach.begin, 2);
      std::string flags = h->takeover_request ? "takeover request" : "";
      if (h->hears_peer) flags += flags.empty() ? "hears peer" : ", hears peer";
      add(l, "flags", flags.empty() ? "none" : flags, at + hf::heartbeat::flags.begin, 1);
      add(l, "sequence", std::to_string(h->sequence), at + hf::heartbeat::sequence.begin, 4);
      l.summary =
          w::to_string(h->state) + ", " + w::to_string(h->role) + ", seq " + std::to_string(h->sequence);
    }
    l.length = static_cast<std::uint32_t>(w::ha::kHeartbeatLen);
  } else {
    l.name = "NLB connection sync";
    auto v = w::HaSyncView::checked(msg);
    if (!v) {
      l.error = v.error().str();
    } else {
      add(l, "sequence", std::to_string(v->sequence()), at + hf::sync::sequence.begin, 4);
      add(l, "count", std::to_string(v->count()), at + hf::sync::count.begin, 2);
      for (std::size_t i = 0; i < v->count(); ++i) {
        w::HaSyncEntry e = v->entry(i);
        std::size_t o = at + w::ha::kSyncHeaderLen + i * w::ha::kSyncEntryLen;
        add(l, "entry " + std::to_string(i + 1),
            e.client_ip.str() + ":" + std::to_string(e.client_port) + " -> " + e.cluster_ip.str() + ":" +
                std::to_string(e.cluster_port) + " => " + e.server_ip.str() + " " + w::to_string(e.state),
            o, w::ha::kSyncEntryLen);
      }
      l.summary = std::to_string(v->count()) + " connection(s), seq " + std::to_string(v->sequence());
      l.length = static_cast<std::uint32_t>(w::HaSync::wire_len_for(v->count()));
    }
  }
  out.push_back(std::move(l));
}

// HTTP's first line, when a TCP payload starts with a request or a status line.
void decode_http(std::vector<Layer>& out, FrameBytes b, const Field& payload) {
  std::size_t at = payload.offset, end = std::min<std::size_t>(b.size(), payload.offset + payload.length);
  if (at >= end) return;
  std::string_view text(reinterpret_cast<const char*>(b.data() + at), end - at);
  bool http = text.starts_with("HTTP/1.") || text.starts_with("GET ") || text.starts_with("POST ") ||
              text.starts_with("HEAD ") || text.starts_with("PUT ") || text.starts_with("DELETE ");
  auto eol = text.find("\r\n");
  if (!http || eol == std::string_view::npos) return;
  Layer l{"HTTP",
          std::string(text.substr(0, eol)),
          static_cast<std::uint32_t>(at),
          static_cast<std::uint32_t>(eol),
          {},
          {}};
  add(l, "first line", l.summary, at, eol);
  out.push_back(std::move(l));
}

}  // namespace

std::vector<Layer> decode_frame(FrameBytes bytes, std::uint32_t virtual_len) {
  std::vector<Layer> out;
  for (const w::Layer& l : w::decode_frame(as_bytes(bytes), virtual_len)) out.push_back(convert(l));
  if (out.empty() || !out.back().error.empty()) return out;
  const Layer& last = out.back();
  const Field* payload = field_of(last, "payload");
  if (last.name == "UDP" && payload && payload->length) {
    const Field* sport = field_of(last, "src_port");
    const Field* dport = field_of(last, "dst_port");
    auto port = std::to_string(w::ha::kUdpPort);
    if ((sport && sport->value == port) || (dport && dport->value == port))
      decode_ha(out, bytes, payload->offset);
  } else if (last.name == "TCP" && payload) {
    decode_http(out, bytes, *payload);
  }
  return out;
}

std::string describe(FrameBytes bytes, std::uint32_t virtual_len) {
  return w::describe_frame(as_bytes(bytes), virtual_len);
}

FrameEndpoints frame_endpoints(FrameBytes b) {
  FrameEndpoints e;
  if (b.size() < 14) return e;
  std::uint16_t type = u16(b, 12);
  if (type == 0x0806 && b.size() >= 14 + 28) return {true, u32(b, 14 + 14), u32(b, 14 + 24), 0, 0};
  if (type != 0x0800 || b.size() < 14 + 20) return e;
  std::size_t hlen = static_cast<std::size_t>(b[14] & 15u) * 4;
  e = {true, u32(b, 14 + 12), u32(b, 14 + 16), 0, 0};
  std::uint8_t proto = b[14 + 9];
  std::size_t tp = 14 + hlen;
  if ((proto == 6 || proto == 17) && b.size() >= tp + 4) {
    e.sport = u16(b, tp);
    e.dport = u16(b, tp + 2);
  }
  return e;
}

std::size_t hex_dump_column(std::size_t offset) {
  std::size_t col = offset % 16;
  return (offset / 16) * kHexDumpLineLen + 6 + col * 3 + (col >= 8 ? 1 : 0);
}

std::string hex_dump(FrameBytes b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t line = 0; line < b.size(); line += 16) {
    char head[24];
    std::snprintf(head, sizeof head, "%04zx  ", line & 0xffff);
    out += head;
    std::string ascii;
    for (std::size_t i = 0; i < 16; ++i) {
      if (i == 8) out += ' ';
      if (line + i < b.size()) {
        std::uint8_t c = b[line + i];
        out += kHex[c >> 4];
        out += kHex[c & 15];
        out += ' ';
        ascii += (c >= 32 && c < 127) ? static_cast<char>(c) : '.';
      } else {
        out += "   ";
        ascii += ' ';
      }
    }
    out += ' ' + ascii + '\n';
  }
  return out;
}

}  // namespace nlb::gui
