// SimStorage: a node's disk. Keeps what was synced (durable) apart from what was only written
// (pending, in the page cache). A crash keeps a random prefix of the pending writes (writes reach
// the platter in order) and loses the rest; a synced write makes everything before it durable.
//
// Records carry a CRC32C over their fields; load() verifies every record and reports
// Status::corruption naming it (the sim can flip a bit to prove it). Fault controls (latency,
// failed writes, corruption) are simulator-side methods: the Storage port itself has none.
//
// persist() may suspend the node's fiber (disk latency); if the node crashes meanwhile, the
// batch was never written.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "engine/core/base/prng.h"
#include "engine/host/ports/storage.h"
#include "engine/host/stored_state.h"
#include "sim/ports/sim_executor.h"

namespace quorum::sim {

struct DiskProfile {
  std::uint64_t sync_latency_us_min = 0;
  std::uint64_t sync_latency_us_max = 0;
  std::uint64_t write_latency_us_max = 0;  // unsynced writes (page cache)
};

// What reached the platter: the reference store (engine/host/stored_state.h, the one definition
// of how a batch changes a log) plus a CRC32C per record, taken when the record was written.
struct DiskState {
  host::StoredState state;
  std::uint32_t snapshot_crc = 0;
  std::map<LogIndex, std::uint32_t> entry_crc;  // by index; entries beyond the log are stale
};

class SimStorage final : public host::Storage {
 public:
  SimStorage(NodeId node, Prng prng) : node_(node), prng_(prng) {}

  Result<host::LoadedState> load() override;
  Status persist(const host::PersistBatch& batch) override;

  // Simulator side.
  void attach(SimExecutor* executor) { executor_ = executor; }
  void set_profile(const DiskProfile& profile) { profile_ = profile; }
  const DiskProfile& profile() const { return profile_; }
  void fail_next_write() { fail_next_write_ = true; }
  // Disarms a pending fail_next_write() (the quiet period heals every fault). Returns whether
  // one was pending.
  bool cancel_failed_write() { return std::exchange(fail_next_write_, false); }
  // Process crash: keeps a random prefix of the pending writes. Returns how many were lost.
  std::size_t crash(Prng& prng);
  // Flips one bit in a random durable record (if any). Returns false if there is none.
  bool corrupt_one_record(Prng& prng);
  std::size_t pending_count() const { return pending_.size(); }
  const DiskState& durable() const { return durable_; }
  std::uint64_t writes_count() const { return writes_count_; }
  std::uint64_t syncs_count() const { return syncs_count_; }

 private:
  static void apply(DiskState& state, const host::PersistBatch& batch);

  NodeId node_;
  Prng prng_;
  SimExecutor* executor_ = nullptr;
  DiskProfile profile_;
  bool fail_next_write_ = false;
  DiskState durable_;
  std::vector<host::PersistBatch> pending_;  // written, not synced, in order
  std::uint64_t writes_count_ = 0;
  std::uint64_t syncs_count_ = 0;
};

std::uint32_t entry_crc(const raft::Entry& entry);

}  // namespace quorum::sim
