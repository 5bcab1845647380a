#include "sim/ports/sim_storage.h"

#include <fmt/format.h>

#include "engine/core/base/assert.h"
#include "engine/core/base/crc32c.h"

namespace quorum::sim {

namespace {
std::uint32_t extend_u64(std::uint32_t crc, std::uint64_t v) {
  char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return crc32c_extend(crc, std::string_view(bytes, 8));
}

std::uint32_t membership_crc(std::uint32_t crc, const raft::Membership& m) {
  for (const raft::Member& member : m.members) {
    crc = extend_u64(crc, member.id);
    crc = extend_u64(crc, static_cast<std::uint64_t>(member.role));
    crc = extend_u64(crc, member.priority);
  }
  return crc;
}

std::uint32_t snapshot_crc(const raft::Snapshot& s) {
  std::uint32_t crc = extend_u64(0, s.meta.last_index);
  crc = extend_u64(crc, s.meta.last_term);
  crc = membership_crc(crc, s.meta.membership);
  return crc32c_extend(crc, s.data);
}
}  // namespace

std::uint32_t entry_crc(const raft::Entry& e) {
  std::uint32_t crc = extend_u64(0, e.term);
  crc = extend_u64(crc, e.index);
  crc = extend_u64(crc, static_cast<std::uint64_t>(e.kind));
  crc = crc32c_extend(crc, e.data);
  return membership_crc(crc, e.membership);
}

void SimStorage::apply(DiskState& state, const host::PersistBatch& batch) {
  if (batch.snapshot) {
    const LogIndex last = batch.snapshot->meta.last_index;
    while (!state.log.empty() && state.log.front().entry.index <= last) state.log.pop_front();
    if (!state.log.empty() && state.log.front().entry.index != last + 1) state.log.clear();
    if (batch.snapshot_replaces_log) state.log.clear();
    state.snapshot = *batch.snapshot;
    state.snapshot_crc = snapshot_crc(*batch.snapshot);
  }
  if (!batch.entries.empty()) {
    const LogIndex first = batch.entries.front().index;
    while (!state.log.empty() && state.log.back().entry.index >= first) state.log.pop_back();
    const LogIndex expected = state.log.empty()
                                  ? (state.snapshot ? state.snapshot->meta.last_index + 1 : first)
                                  : state.log.back().entry.index + 1;
    QUORUM_ASSERT(first == expected, "persist leaves a gap: log continues at {}, batch at {}",
                  expected, first);
    for (const raft::Entry& e : batch.entries) state.log.push_back(StoredEntry{e, entry_crc(e)});
  }
  if (batch.hard_state) state.hard_state = *batch.hard_state;
}

Status SimStorage::persist(const host::PersistBatch& batch) {
  ++writes_count_;
  std::uint64_t latency_us = 0;
  if (batch.sync && profile_.sync_latency_us_max > 0) {
    latency_us = prng_.uniform(profile_.sync_latency_us_min, profile_.sync_latency_us_max + 1);
  } else if (!batch.sync && profile_.write_latency_us_max > 0) {
    latency_us = prng_.uniform(0, profile_.write_latency_us_max + 1);
  }
  if (latency_us > 0 && executor_ != nullptr) executor_->sleep_for(latency_us);
  if (fail_next_write_) {
    fail_next_write_ = false;
    return Status::io_error(fmt::format("sim disk of node {}: injected write failure", node_));
  }
  if (batch.sync) {
    ++syncs_count_;
    for (const host::PersistBatch& p : pending_) apply(durable_, p);
    pending_.clear();
    apply(durable_, batch);
  } else {
    pending_.push_back(batch);
  }
  return Status::ok();
}

std::size_t SimStorage::crash(Prng& prng) {
  const std::size_t kept = pending_.empty() ? 0 : prng.uniform(0, pending_.size() + 1);
  for (std::size_t i = 0; i < kept; ++i) apply(durable_, pending_[i]);
  const std::size_t lost = pending_.size() - kept;
  pending_.clear();
  fail_next_write_ = false;
  return lost;
}

bool SimStorage::corrupt_one_record(Prng& prng) {
  if (durable_.log.empty()) return false;
  StoredEntry& rec = durable_.log[prng.uniform(0, durable_.log.size())];
  rec.entry.term ^= std::uint64_t{1} << prng.uniform(0, 8);
  return true;
}

Result<host::LoadedState> SimStorage::load() {
  QUORUM_ASSERT(pending_.empty(), "load() with unsynced writes: crash() first");
  host::LoadedState out;
  if (durable_.hard_state) out.persisted.hard_state = *durable_.hard_state;
  if (durable_.snapshot) {
    if (snapshot_crc(*durable_.snapshot) != durable_.snapshot_crc) {
      return Status::corruption(fmt::format("node {} snapshot: crc mismatch", node_));
    }
    out.persisted.snapshot = durable_.snapshot->meta;
    out.snapshot = *durable_.snapshot;
  }
  out.persisted.entries.reserve(durable_.log.size());
  for (const StoredEntry& rec : durable_.log) {
    if (entry_crc(rec.entry) != rec.crc) {
      return Status::corruption(
          fmt::format("node {} log/{}: crc mismatch", node_, rec.entry.index));
    }
    out.persisted.entries.push_back(rec.entry);
  }
  return out;
}

}  // namespace quorum::sim
