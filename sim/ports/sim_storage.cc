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

void SimStorage::apply(DiskState& disk, const host::PersistBatch& batch) {
  disk.state.apply(batch);
  if (batch.snapshot) disk.snapshot_crc = snapshot_crc(*batch.snapshot);
  for (const raft::Entry& e : batch.entries) disk.entry_crc[e.index] = entry_crc(e);
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
  std::vector<raft::Entry>& log = durable_.state.entries;
  if (log.empty()) return false;
  raft::Entry& rec = log[prng.uniform(0, log.size())];
  rec.term ^= std::uint64_t{1} << prng.uniform(0, 8);
  return true;
}

Result<host::LoadedState> SimStorage::load() {
  QUORUM_ASSERT(pending_.empty(), "load() with unsynced writes: crash() first");
  const host::StoredState& state = durable_.state;
  host::LoadedState out;
  out.persisted.hard_state = state.hard_state;
  if (state.snapshot) {
    if (snapshot_crc(*state.snapshot) != durable_.snapshot_crc) {
      return Status::corruption(fmt::format("node {} snapshot: crc mismatch", node_));
    }
    out.persisted.snapshot = state.snapshot->meta;
    out.snapshot = *state.snapshot;
  }
  out.persisted.entries.reserve(state.entries.size());
  for (const raft::Entry& e : state.entries) {
    auto crc = durable_.entry_crc.find(e.index);
    if (crc == durable_.entry_crc.end() || entry_crc(e) != crc->second) {
      return Status::corruption(fmt::format("node {} log/{}: crc mismatch", node_, e.index));
    }
    out.persisted.entries.push_back(e);
  }
  return out;
}

}  // namespace quorum::sim
