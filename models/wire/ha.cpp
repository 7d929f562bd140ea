#include "models/wire/ha.hpp"

#include <cassert>

namespace nlb::wire {

namespace {

struct NamedRange {
  const char* name;
  Range r;
};

// The first field that does not fit is the one named (as ArpView::checked does).
template <std::size_t N>
const NamedRange* first_cut(Bytes b, const NamedRange (&fields)[N]) {
  for (const auto& f : fields)
    if (b.size() < f.r.end) return &f;
  return nullptr;
}

WireError truncated(const NamedRange& f) { return WireError{f.name, f.r.begin, "truncated"}; }

Ipv4 get_ip(Bytes b, std::size_t at) { return Ipv4(get32(b, at)); }

std::string numbered(const char* what, unsigned v) { return std::string(what) + "=" + std::to_string(v); }

// Length of the message as its header states it (the header has been checked).
std::size_t stated_length(Bytes b) { return get16(b, ha::field::length.begin); }

}  // namespace

std::string to_string(HaMessageType t) {
  switch (t) {
    case HaMessageType::Heartbeat:
      return "heartbeat";
    case HaMessageType::ConnSync:
      return "sync";
  }
  return numbered("type", static_cast<unsigned>(t));
}

std::string to_string(HaState s) {
  switch (s) {
    case HaState::Initial:
      return "initial";
    case HaState::Active:
      return "active";
    case HaState::Standby:
      return "standby";
    case HaState::Inop:
      return "inop";
  }
  return numbered("state", static_cast<unsigned>(s));
}

std::string to_string(HaRole r) {
  switch (r) {
    case HaRole::Primary:
      return "primary";
    case HaRole::Backup:
      return "backup";
  }
  return numbered("role", static_cast<unsigned>(r));
}

std::string to_string(HaSyncStatus s) {
  switch (s) {
    case HaSyncStatus::NotSynchronized:
      return "not-synchronized";
    case HaSyncStatus::Synchronizing:
      return "synchronizing";
    case HaSyncStatus::Synchronized:
      return "synchronized";
  }
  return numbered("sync", static_cast<unsigned>(s));
}

std::string to_string(ConnState s) {
  static constexpr const char* names[kConnStateCount] = {"NONE",     "ESTABLISHED", "SYN_SENT", "SYN_RECV",
                                                         "FIN_WAIT", "TIME_WAIT",   "CLOSE",    "CLOSE_WAIT",
                                                         "LAST_ACK", "LISTEN",      "SYNACK"};
  const auto i = static_cast<std::size_t>(s);
  return i < kConnStateCount ? names[i] : numbered("state", static_cast<unsigned>(i));
}

Result<HaMessageType> ha_message_type(Bytes m) {
  namespace f = ha::field;
  static constexpr NamedRange header[] = {
      {"ha.magic", f::magic}, {"ha.version", f::version}, {"ha.type", f::type}, {"ha.length", f::length}};
  // Check each field as soon as it is present, so a wrong magic is reported as such even in a
  // short buffer.
  if (m.size() >= f::magic.end && get32(m, f::magic.begin) != ha::kMagic)
    return WireError{"ha.magic", f::magic.begin, "not an nlbsim HA message (bad magic)"};
  if (m.size() >= f::version.end && get8(m, f::version.begin) != ha::kVersion)
    return WireError{"ha.version", f::version.begin, "unsupported version"};
  if (m.size() >= f::type.end) {
    const auto t = get8(m, f::type.begin);
    if (t != static_cast<std::uint8_t>(HaMessageType::Heartbeat) &&
        t != static_cast<std::uint8_t>(HaMessageType::ConnSync))
      return WireError{"ha.type", f::type.begin, "unknown message type"};
  }
  if (const auto* cut = first_cut(m, header)) return truncated(*cut);
  return HaMessageType{get8(m, f::type.begin)};
}

// ---- heartbeat -------------------------------------------------------------------------------

Result<HaHeartbeat> HaHeartbeat::parse(Bytes m) {
  namespace f = ha::field::heartbeat;
  auto type = ha_message_type(m);
  if (!type) return type.error();
  if (*type != HaMessageType::Heartbeat)
    return WireError{"ha.type", ha::field::type.begin, "not a heartbeat"};
  static constexpr NamedRange fields[] = {
      {"ha.heartbeat.state", f::state},       {"ha.heartbeat.role", f::role},
      {"ha.heartbeat.priority", f::priority}, {"ha.heartbeat.sync", f::sync},
      {"ha.heartbeat.reach", f::reach},       {"ha.heartbeat.reach_total", f::reach_total},
      {"ha.heartbeat.flags", f::flags},       {"ha.heartbeat.reserved", f::reserved},
      {"ha.heartbeat.sequence", f::sequence}};
  if (const auto* cut = first_cut(m, fields)) return truncated(*cut);
  if (stated_length(m) != ha::kHeartbeatLen)
    return WireError{"ha.length", ha::field::length.begin, "length is not a heartbeat's 20 bytes"};
  HaHeartbeat h;
  h.state = HaState{get8(m, f::state.begin)};
  h.role = HaRole{get8(m, f::role.begin)};
  h.priority = get8(m, f::priority.begin);
  h.sync = HaSyncStatus{get8(m, f::sync.begin)};
  h.reach = get8(m, f::reach.begin);
  h.reach_total = get8(m, f::reach_total.begin);
  const auto flags = get8(m, f::flags.begin);
  h.takeover_request = (flags & ha::kHeartbeatTakeoverRequest) != 0;
  h.hears_peer = (flags & ha::kHeartbeatHearsPeer) != 0;
  h.sequence = get32(m, f::sequence.begin);
  return h;
}

namespace {
void put_header(MutBytes out, HaMessageType type, std::size_t length) {
  namespace f = ha::field;
  put32(out, f::magic.begin, ha::kMagic);
  put8(out, f::version.begin, ha::kVersion);
  put8(out, f::type.begin, static_cast<std::uint8_t>(type));
  put16(out, f::length.begin, static_cast<std::uint16_t>(length));
}
}  // namespace

void HaHeartbeat::emit(MutBytes out) const {
  namespace f = ha::field::heartbeat;
  assert(out.size() >= ha::kHeartbeatLen);
  put_header(out, HaMessageType::Heartbeat, ha::kHeartbeatLen);
  put8(out, f::state.begin, static_cast<std::uint8_t>(state));
  put8(out, f::role.begin, static_cast<std::uint8_t>(role));
  put8(out, f::priority.begin, priority);
  put8(out, f::sync.begin, static_cast<std::uint8_t>(sync));
  put8(out, f::reach.begin, reach);
  put8(out, f::reach_total.begin, reach_total);
  std::uint8_t flags = 0;
  if (takeover_request) flags |= ha::kHeartbeatTakeoverRequest;
  if (hears_peer) flags |= ha::kHeartbeatHearsPeer;
  put8(out, f::flags.begin, flags);
  put8(out, f::reserved.begin, 0);
  put32(out, f::sequence.begin, sequence);
}

// ---- connection sync -------------------------------------------------------------------------

HaSyncEntry HaSyncEntry::read(Bytes e) {
  namespace f = ha::field::entry;
  HaSyncEntry x;
  x.protocol = get8(e, f::protocol.begin);
  x.state = ConnState{get8(e, f::state.begin)};
  x.client_ip = get_ip(e, f::client_ip.begin);
  x.client_port = get16(e, f::client_port.begin);
  x.cluster_port = get16(e, f::cluster_port.begin);
  x.cluster_ip = get_ip(e, f::cluster_ip.begin);
  x.server_ip = get_ip(e, f::server_ip.begin);
  x.age_ms = get32(e, f::age_ms.begin);
  return x;
}

void HaSyncEntry::write(MutBytes e) const {
  namespace f = ha::field::entry;
  put8(e, f::protocol.begin, protocol);
  put8(e, f::state.begin, static_cast<std::uint8_t>(state));
  put16(e, f::reserved.begin, 0);
  put32(e, f::client_ip.begin, client_ip.value());
  put16(e, f::client_port.begin, client_port);
  put16(e, f::cluster_port.begin, cluster_port);
  put32(e, f::cluster_ip.begin, cluster_ip.value());
  put32(e, f::server_ip.begin, server_ip.value());
  put32(e, f::age_ms.begin, age_ms);
}

Result<HaSyncView> HaSyncView::checked(Bytes m) {
  namespace f = ha::field::sync;
  auto type = ha_message_type(m);
  if (!type) return type.error();
  if (*type != HaMessageType::ConnSync)
    return WireError{"ha.type", ha::field::type.begin, "not a connection-sync message"};
  static constexpr NamedRange fields[] = {{"ha.sync.sequence", f::sequence},
                                          {"ha.sync.count", f::count},
                                          {"ha.sync.flags", f::flags},
                                          {"ha.sync.reserved", f::reserved}};
  if (const auto* cut = first_cut(m, fields)) return truncated(*cut);
  const std::size_t count = get16(m, f::count.begin);
  if (count > ha::kMaxSyncEntries) return WireError{"ha.sync.count", f::count.begin, "more than 60 entries"};
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t at = ha::kSyncHeaderLen + i * ha::kSyncEntryLen;
    if (m.size() < at + ha::kSyncEntryLen) return WireError{"ha.sync.entry", at, "truncated"};
  }
  if (stated_length(m) != HaSync::wire_len_for(count))
    return WireError{"ha.length", ha::field::length.begin, "length does not match the entry count"};
  return HaSyncView(m);
}

Result<HaSync> HaSync::parse(Bytes m) {
  auto v = HaSyncView::checked(m);
  if (!v) return v.error();
  HaSync s;
  s.sequence = v->sequence();
  s.flags = v->flags();
  s.entries.reserve(v->count());
  for (std::size_t i = 0; i < v->count(); ++i) s.entries.push_back(v->entry(i));
  return s;
}

void HaSync::emit_batch(std::uint32_t sequence, std::uint8_t flags, std::span<const HaSyncEntry> entries,
                        MutBytes out) {
  namespace f = ha::field::sync;
  assert(entries.size() <= ha::kMaxSyncEntries);
  assert(out.size() >= wire_len_for(entries.size()));
  put_header(out, HaMessageType::ConnSync, wire_len_for(entries.size()));
  put32(out, f::sequence.begin, sequence);
  put16(out, f::count.begin, static_cast<std::uint16_t>(entries.size()));
  put8(out, f::flags.begin, flags);
  put8(out, f::reserved.begin, 0);
  for (std::size_t i = 0; i < entries.size(); ++i)
    entries[i].write(out.subspan(ha::kSyncHeaderLen + i * ha::kSyncEntryLen, ha::kSyncEntryLen));
}

}  // namespace nlb::wire
