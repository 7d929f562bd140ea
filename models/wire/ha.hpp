#pragma once
// The load-balancer pair's own messages (the seed, "High Availability": a heartbeat, and the
// connection table synchronised to the standby), carried in UDP between the two balancers.
//
// nlbsim's own format, version 1, on UDP port 8849 for both kinds (a type byte tells them
// apart). Not 8848: that is IPVS's sync port, and Wireshark's "ipvs" dissector claims it and
// would call these datagrams malformed. Every multi-byte field is big-endian.
//
//   common header (8 bytes)            heartbeat (20 bytes)         sync (16 + 24 * count bytes)
//    0 magic "NLBH" (4)                 8 state (1)                  8 sequence (4)
//    4 version = 1 (1)                  9 role (1)                  12 count (2)
//    5 type: 1 heartbeat, 2 sync (1)   10 priority (1)              14 flags: 1 bulk, 2 bulk end (1)
//    6 length of the message (2)       11 sync status (1)           15 reserved (1)
//                                      12 reach: targets reached    16 entries, 24 bytes each:
//                                      13 reach: targets total         0 protocol (6 TCP, 17 UDP)
//                                      14 flags: 1 takeover request,   1 state (IPVS numbering)
//                                         2 hears peer                 2 reserved (2)
//                                      15 reserved                     4 client address, 8 client port
//                                      16 sequence (4)                10 cluster port, 12 cluster address
//                                                                     16 server address
//                                                                     20 age: ms since last packet (4)
//
// Unknown enum values are kept (HaState{9} prints "state=9"); the HA machine drops them.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "models/wire/addr.hpp"
#include "models/wire/bytes.hpp"
#include "models/wire/result.hpp"

namespace nlb::wire {

enum class HaMessageType : std::uint8_t { Heartbeat = 1, ConnSync = 2 };
// The seed's four states ("NLBS IP address on the Network Load Balancer").
enum class HaState : std::uint8_t { Initial = 0, Active = 1, Standby = 2, Inop = 3 };
// IBM Network Dispatcher's roles (REFERENCE.md 2.4).
enum class HaRole : std::uint8_t { Primary = 1, Backup = 2 };
// ND's substates Synchronized / Not Synchronized, plus "a bulk transfer is under way".
enum class HaSyncStatus : std::uint8_t { NotSynchronized = 0, Synchronizing = 1, Synchronized = 2 };
// A connection's state, numbered as IPVS numbers IP_VS_TCP_S_* (ip_vs_proto_tcp.c), so traces
// read like ipvsadm. UDP entries carry None (IPVS's single UDP state).
enum class ConnState : std::uint8_t {
  None = 0,
  Established = 1,
  SynSent = 2,
  SynRecv = 3,
  FinWait = 4,
  TimeWait = 5,
  Close = 6,
  CloseWait = 7,
  LastAck = 8,
  Listen = 9,
  SynAck = 10,
};
inline constexpr std::size_t kConnStateCount = 11;

std::string to_string(HaMessageType t);
std::string to_string(HaState s);
std::string to_string(HaRole r);
std::string to_string(HaSyncStatus s);
std::string to_string(ConnState s);  // IPVS's names: "ESTABLISHED", "SYN_RECV", ...

namespace ha {
inline constexpr std::uint16_t kUdpPort = 8849;
inline constexpr std::uint32_t kMagic = 0x4e4c4248;  // "NLBH"
inline constexpr std::uint8_t kVersion = 1;
inline constexpr std::size_t kHeaderLen = 8;
inline constexpr std::size_t kHeartbeatLen = 20;
inline constexpr std::size_t kSyncHeaderLen = 16;
inline constexpr std::size_t kSyncEntryLen = 24;
// 16 + 60 * 24 = 1456 bytes: fits a 1500-byte MTU after IPv4 (20) and UDP (8) headers.
inline constexpr std::size_t kMaxSyncEntries = 60;
inline constexpr std::uint8_t kProtoTcp = 6;
inline constexpr std::uint8_t kProtoUdp = 17;

inline constexpr std::uint8_t kHeartbeatTakeoverRequest = 0x01;
inline constexpr std::uint8_t kHeartbeatHearsPeer = 0x02;
inline constexpr std::uint8_t kSyncBulk = 0x01;
inline constexpr std::uint8_t kSyncBulkEnd = 0x02;

namespace field {
inline constexpr Range magic{0, 4};
inline constexpr Range version{4, 5};
inline constexpr Range type{5, 6};
inline constexpr Range length{6, 8};
namespace heartbeat {
inline constexpr Range state{8, 9};
inline constexpr Range role{9, 10};
inline constexpr Range priority{10, 11};
inline constexpr Range sync{11, 12};
inline constexpr Range reach{12, 13};
inline constexpr Range reach_total{13, 14};
inline constexpr Range flags{14, 15};
inline constexpr Range reserved{15, 16};
inline constexpr Range sequence{16, 20};
}  // namespace heartbeat
namespace sync {
inline constexpr Range sequence{8, 12};
inline constexpr Range count{12, 14};
inline constexpr Range flags{14, 15};
inline constexpr Range reserved{15, 16};
}  // namespace sync
namespace entry {  // offsets inside one 24-byte entry
inline constexpr Range protocol{0, 1};
inline constexpr Range state{1, 2};
inline constexpr Range reserved{2, 4};
inline constexpr Range client_ip{4, 8};
inline constexpr Range client_port{8, 10};
inline constexpr Range cluster_port{10, 12};
inline constexpr Range cluster_ip{12, 16};
inline constexpr Range server_ip{16, 20};
inline constexpr Range age_ms{20, 24};
}  // namespace entry
}  // namespace field
}  // namespace ha

// Checks the common header (magic, version, known type, length within the buffer) and says
// which message follows.
Result<HaMessageType> ha_message_type(Bytes message);

struct HaHeartbeat {
  HaState state = HaState::Initial;
  HaRole role = HaRole::Primary;
  std::uint8_t priority = 0;
  HaSyncStatus sync = HaSyncStatus::NotSynchronized;
  std::uint8_t reach = 0;         // reachability targets the sender reaches
  std::uint8_t reach_total = 0;   // targets it is configured with
  bool takeover_request = false;  // "I want to be active": the active yields if we reach as well
  bool hears_peer = false;        // the sender receives our heartbeats (one-way loss shows here)
  std::uint32_t sequence = 0;

  static Result<HaHeartbeat> parse(Bytes message);
  std::size_t wire_len() const { return ha::kHeartbeatLen; }
  void emit(MutBytes out) const;
  bool operator==(const HaHeartbeat&) const = default;
};

struct HaSyncEntry {
  std::uint8_t protocol = ha::kProtoTcp;
  ConnState state = ConnState::None;
  Ipv4 client_ip;
  std::uint16_t client_port = 0;
  Ipv4 cluster_ip;
  std::uint16_t cluster_port = 0;
  Ipv4 server_ip;
  std::uint32_t age_ms = 0;

  static HaSyncEntry read(Bytes entry);  // entry.size() >= ha::kSyncEntryLen
  void write(MutBytes entry) const;
  bool operator==(const HaSyncEntry&) const = default;
};

// A connection-sync message in place: checked once, then entry(i) decodes one entry without
// copying the batch (the standby applies entries straight from the frame).
class HaSyncView {
 public:
  static Result<HaSyncView> checked(Bytes message);
  std::uint32_t sequence() const { return get32(b_, ha::field::sync::sequence.begin); }
  std::size_t count() const { return get16(b_, ha::field::sync::count.begin); }
  std::uint8_t flags() const { return get8(b_, ha::field::sync::flags.begin); }
  bool bulk() const { return (flags() & ha::kSyncBulk) != 0; }
  bool bulk_end() const { return (flags() & ha::kSyncBulkEnd) != 0; }
  HaSyncEntry entry(std::size_t i) const {
    return HaSyncEntry::read(b_.subspan(ha::kSyncHeaderLen + i * ha::kSyncEntryLen, ha::kSyncEntryLen));
  }

 private:
  explicit HaSyncView(Bytes b) : b_(b) {}
  Bytes b_;
};

struct HaSync {
  std::uint32_t sequence = 0;
  std::uint8_t flags = 0;  // ha::kSyncBulk | ha::kSyncBulkEnd
  std::vector<HaSyncEntry> entries;

  static Result<HaSync> parse(Bytes message);
  std::size_t wire_len() const { return wire_len_for(entries.size()); }
  void emit(MutBytes out) const { emit_batch(sequence, flags, entries, out); }
  bool operator==(const HaSync&) const = default;

  static constexpr std::size_t wire_len_for(std::size_t n) {
    return ha::kSyncHeaderLen + n * ha::kSyncEntryLen;
  }
  // Emits without building a vector: the sender keeps its batch in a reusable buffer.
  // entries.size() <= ha::kMaxSyncEntries; out.size() >= wire_len_for(entries.size()).
  static void emit_batch(std::uint32_t sequence, std::uint8_t flags, std::span<const HaSyncEntry> entries,
                         MutBytes out);
};

}  // namespace nlb::wire
