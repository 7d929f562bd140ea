#include "models/protocols/conn_sync.hpp"

#include <algorithm>

namespace nlb::protocols {

std::string ConnSyncConfig::check() const {
  if (flush_delay < Time::zero()) return "flush_delay: must not be negative";
  if (max_entries < 1 || max_entries > wire::ha::kMaxSyncEntries)
    return "max_entries: 1 to 60 (one message must fit a 1500-byte MTU)";
  if (bulk_messages_per_tick < 1) return "bulk_messages_per_tick: at least 1";
  if (bulk_tick <= Time::zero()) return "bulk_tick: must be positive";
  return {};
}

ConnSyncSender::ConnSyncSender(ConnSyncConfig config) : cfg_(config) {
  pending_.reserve(cfg_.max_entries);
  batch_.reserve(cfg_.max_entries);
  buf_.resize(wire::HaSync::wire_len_for(cfg_.max_entries));
}

void ConnSyncSender::queue(Time now, const wire::HaSyncEntry& entry) {
  if (pending_.empty()) flush_at_ = now + cfg_.flush_delay;
  pending_.push_back(entry);
  // IPVS sends a buffer as soon as it is full.
  if (pending_.size() >= cfg_.max_entries) flush_at_ = std::min(flush_at_, now);
}

void ConnSyncSender::start_bulk(Time now) {
  bulk_ = true;
  cursor_ = 0;
  bulk_at_ = now;
  ++counters_.bulk_transfers;
}

void ConnSyncSender::cancel() {
  pending_.clear();
  flush_at_ = bulk_at_ = Time::max();
  bulk_ = false;
}

Time ConnSyncSender::next_deadline() const {
  return std::min(pending_.empty() ? Time::max() : flush_at_, bulk_at_);
}

void ConnSyncReceiver::reset() {
  status_ = wire::HaSyncStatus::NotSynchronized;
  have_sequence_ = bulk_damaged_ = false;
}

ConnSyncReceiver::Result ConnSyncReceiver::on_message(Time now, const wire::HaSyncView& m, ConnTable& table) {
  Result r;
  ++counters_.messages;
  const bool gap = have_sequence_ && m.sequence() != last_sequence_ + 1;
  if (gap) ++counters_.sequence_gaps;
  have_sequence_ = true;
  last_sequence_ = m.sequence();
  for (std::size_t i = 0; i < m.count(); ++i) {
    if (table.apply_sync(now, m.entry(i)))
      ++r.applied;
    else
      ++r.unknown_server;
  }
  counters_.applied += r.applied;
  counters_.unknown_server += r.unknown_server;

  wire::HaSyncStatus next = status_;
  if (m.bulk()) {
    // The first message of a bulk transfer is the one we see while not synchronizing.
    if (status_ != wire::HaSyncStatus::Synchronizing) bulk_damaged_ = false;
    if (gap && status_ == wire::HaSyncStatus::Synchronizing) bulk_damaged_ = true;
    next = wire::HaSyncStatus::Synchronizing;
    if (m.bulk_end())
      next = bulk_damaged_ ? wire::HaSyncStatus::NotSynchronized : wire::HaSyncStatus::Synchronized;
  }
  if (next != status_) {
    status_ = next;
    r.status = next;
  }
  return r;
}

}  // namespace nlb::protocols
