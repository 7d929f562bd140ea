#pragma once
// Connection-table synchronisation from the active balancer to the standby (the seed, "High
// Availability": "the connection table on the standby Network Load Balancer is closely
// synchronized with that of the now failed primary"), carried in wire::HaSync messages.
//
// The sender batches the entries the table's sync rule picks (IPVS: a partly filled buffer
// leaves after IPVS_SYNC_FLUSH_TIME, 2 s, or as soon as it is full) and, when the HA machine
// asks for it, walks the whole table in a paced bulk transfer whose last message says "bulk
// end". The receiver applies entries to the standby's own table and reports its sync status
// (ND's Synchronized / Not Synchronized substates) for the HA machine.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "models/protocols/conn_table.hpp"
#include "models/wire/ha.hpp"
#include "sim/time.hpp"

namespace nlb::protocols {

struct ConnSyncConfig {
  Time flush_delay = Time::s(2);                        // IPVS_SYNC_FLUSH_TIME; 0 = send at once
  std::size_t max_entries = wire::ha::kMaxSyncEntries;  // per message
  unsigned bulk_messages_per_tick = 16;                 // bulk pacing: 16 x 60 entries ...
  Time bulk_tick = Time::ms(10);                        // ... every 10 ms = 96,000 entries/s

  std::string check() const;
};

struct ConnSyncCounters {
  std::uint64_t messages = 0;
  std::uint64_t entries = 0;
  std::uint64_t bulk_messages = 0;
  std::uint64_t bulk_transfers = 0;
};

class ConnSyncSender {
 public:
  explicit ConnSyncSender(ConnSyncConfig config);

  // An entry the table's sync rule picked (ConnTable::Update::sync).
  void queue(Time now, const wire::HaSyncEntry& entry);
  // Send the whole table (the peer reported Not Synchronized); restarts one under way.
  void start_bulk(Time now);
  // Drop everything pending (we are no longer active, or the peer is gone).
  void cancel();

  // Builds every message due at `now` and hands each to
  // emit(wire::Bytes message, std::span<const wire::HaSyncEntry> entries); returns how many.
  // The bytes and the span are valid during the call only.
  template <typename F>
  std::size_t poll(Time now, const ConnTable& table, F&& emit);
  Time next_deadline() const;

  bool bulk_in_progress() const { return bulk_; }
  std::size_t pending() const { return pending_.size(); }
  const ConnSyncCounters& counters() const { return counters_; }

 private:
  template <typename F>
  void send(std::span<const wire::HaSyncEntry> batch, std::uint8_t flags, F& emit);

  ConnSyncConfig cfg_;
  std::vector<wire::HaSyncEntry> pending_;
  Time flush_at_ = Time::max();
  bool bulk_ = false;
  Time bulk_at_ = Time::max();
  ConnId cursor_ = 0;
  std::vector<wire::HaSyncEntry> batch_;
  std::vector<std::byte> buf_;
  std::uint32_t sequence_ = 0;
  ConnSyncCounters counters_;
};

struct ConnSyncReceiverCounters {
  std::uint64_t messages = 0;
  std::uint64_t applied = 0;
  std::uint64_t unknown_server = 0;
  std::uint64_t sequence_gaps = 0;  // messages lost (or reordered) on the way
};

class ConnSyncReceiver {
 public:
  struct Result {
    std::size_t applied = 0;
    std::size_t unknown_server = 0;
    std::optional<wire::HaSyncStatus> status;  // set when the sync status changed
  };

  // Applies a checked message to the standby's table.
  Result on_message(Time now, const wire::HaSyncView& message, ConnTable& table);
  // Forget: the table is empty again (a restart).
  void reset();
  wire::HaSyncStatus status() const { return status_; }
  const ConnSyncReceiverCounters& counters() const { return counters_; }

 private:
  wire::HaSyncStatus status_ = wire::HaSyncStatus::NotSynchronized;
  bool have_sequence_ = false;
  std::uint32_t last_sequence_ = 0;
  bool bulk_damaged_ = false;  // a bulk message went missing: the table is not complete
  ConnSyncReceiverCounters counters_;
};

template <typename F>
void ConnSyncSender::send(std::span<const wire::HaSyncEntry> batch, std::uint8_t flags, F& emit) {
  const std::size_t len = wire::HaSync::wire_len_for(batch.size());
  wire::HaSync::emit_batch(++sequence_, flags, batch, std::span(buf_).first(len));
  ++counters_.messages;
  counters_.entries += batch.size();
  if (flags & wire::ha::kSyncBulk) ++counters_.bulk_messages;
  emit(wire::Bytes(buf_.data(), len), batch);
}

template <typename F>
std::size_t ConnSyncSender::poll(Time now, const ConnTable& table, F&& emit) {
  std::size_t sent = 0;
  if (!pending_.empty() && flush_at_ <= now) {
    const std::span<const wire::HaSyncEntry> all(pending_);
    for (std::size_t at = 0; at < all.size(); at += cfg_.max_entries, ++sent)
      send(all.subspan(at, std::min(cfg_.max_entries, all.size() - at)), 0, emit);
    pending_.clear();
    flush_at_ = Time::max();
  }
  if (bulk_ && bulk_at_ <= now) {
    for (unsigned m = 0; m < cfg_.bulk_messages_per_tick && bulk_; ++m, ++sent) {
      batch_.clear();
      while (cursor_ < table.id_bound() && batch_.size() < cfg_.max_entries) {
        if (table.in_use(cursor_)) batch_.push_back(table.sync_entry(cursor_, now));
        ++cursor_;
      }
      const bool end = cursor_ >= table.id_bound();
      send(batch_, static_cast<std::uint8_t>(wire::ha::kSyncBulk | (end ? wire::ha::kSyncBulkEnd : 0)), emit);
      bulk_ = !end;
    }
    bulk_at_ = bulk_ ? now + cfg_.bulk_tick : Time::max();
  }
  return sent;
}

}  // namespace nlb::protocols
