#include "sim/nemesis/swarm.h"

#include <fmt/format.h>

#include <algorithm>

namespace quorum::sim {

SwarmConfig draw_swarm(Prng prng, const SwarmOptions& options) {
  SwarmConfig c;
  // Raft knobs: 10 ms ticks; heartbeats 50-100 ms; election timeout >= 5x heartbeat and, on WAN,
  // well above the worst round trip (300 ms).
  Prng knobs = prng.fork(1);
  // Timer granularity is a knob too: 10, 20 or 50 ms ticks. Timeouts are drawn in ms and rounded
  // to ticks, so coarse ticks change when timers fire, never how long they are on average.
  const std::uint64_t ticks_ms[] = {10, 20, 50};
  c.tick_interval_ms = ticks_ms[knobs.uniform(0, 3)];
  const std::uint64_t heartbeat_ms = knobs.uniform(50, 101);
  const std::uint64_t election_ms_min = options.profile == Profile::kWan ? 800 : 300;
  const std::uint64_t election_ms = knobs.uniform(election_ms_min, 1501);
  c.heartbeat_interval_ticks = std::max<std::uint64_t>(1, heartbeat_ms / c.tick_interval_ms);
  c.election_timeout_ticks =
      std::max<std::uint64_t>(c.heartbeat_interval_ticks * 3, election_ms / c.tick_interval_ms);
  c.inflight_messages_max = knobs.chance(1, 4) ? 1 : static_cast<std::uint32_t>(knobs.uniform(2, 257));
  // Drawn from its own stream so earlier knobs keep their values.
  Prng bytes = prng.fork(6);
  c.message_bytes_max = bytes.chance(1, 4) ? 64 : (1 << 20);
  c.snapshot_interval_entries = knobs.chance(1, 2) ? knobs.uniform(10, 60) : 1000;
  Prng disk = prng.fork(2);
  c.disk.sync_latency_us_min = disk.uniform(20, 200);
  c.disk.sync_latency_us_max = c.disk.sync_latency_us_min + disk.uniform(0, 2000);
  c.disk.write_latency_us_max = disk.chance(1, 2) ? 0 : disk.uniform(1, 100);
  Prng clock = prng.fork(3);
  c.clock_drift_ppm_max = clock.chance(1, 4) ? 0 : static_cast<std::uint32_t>(clock.uniform(1, 201));
  Prng lease = prng.fork(8);  // own stream: the knobs above keep their draws
  if (!lease.chance(1, 4)) c.lease_drift_ppm_max = 2 * c.clock_drift_ppm_max;
  if (!options.faults) return c;

  Prng link = prng.fork(4);
  if (link.chance(1, 2)) c.link.loss_ppm = static_cast<std::uint32_t>(link.uniform(1, 200'001));
  if (link.chance(1, 2)) c.link.duplicate_ppm = static_cast<std::uint32_t>(link.uniform(1, 200'001));
  if (link.chance(1, 2)) {
    c.link.reorder_ppm = static_cast<std::uint32_t>(link.uniform(1, 300'001));
    c.link.reorder_delay_us_max = link.uniform(1'000, 50'001);
  }
  Prng kinds = prng.fork(5);
  for (std::size_t k = 0; k < kFaultKindCount; ++k) {
    if (static_cast<FaultKind>(k) == FaultKind::kGaleraIsolateLeader) {
      // Opt-in and after figure8: drawing it never moves another kind's choices.
      if (options.galera) c.mean_gap_us[k] = kinds.uniform(3'000'000, 15'000'001);
      continue;
    }
    if (static_cast<FaultKind>(k) == FaultKind::kFigure8) {
      // Opt-in, and the last kind: drawing it never moves another kind's choices.
      if (options.figure8) c.mean_gap_us[k] = kinds.uniform(10'000'000, 30'000'001);
      continue;
    }
    if (static_cast<FaultKind>(k) == FaultKind::kMembership) continue;  // below
    // Swarm: each kind is off in ~40% of seeds; when on, its rate varies 10x.
    if (kinds.chance(2, 5)) continue;
    c.mean_gap_us[k] = kinds.uniform(3'000'000, 30'000'001);
  }
  // Membership changes (issue 8 section 0) are in every seed with faults: the pool runs on
  // learners and a standby's promotion is a membership change. Own stream: the other kinds keep
  // their draws.
  Prng membership = prng.fork(7);
  c.mean_gap_us[static_cast<std::size_t>(FaultKind::kMembership)] =
      membership.uniform(4'000'000, 15'000'001);
  return c;
}

std::string SwarmConfig::describe() const {
  std::string kinds;
  for (std::size_t k = 0; k < kFaultKindCount; ++k) {
    if (mean_gap_us[k] == 0) continue;
    kinds += fmt::format("{}{}/{}s", kinds.empty() ? "" : " ",
                         fault_kind_name(static_cast<FaultKind>(k)), mean_gap_us[k] / 1'000'000);
  }
  return fmt::format(
      "tick={}ms election={}t heartbeat={}t inflight={} message-bytes={} snapshot-every={} drift<={}ppm lease-drift={}ppm sync={}-{}us "
      "loss={}ppm dup={}ppm reorder={}ppm faults=[{}]",
      tick_interval_ms, election_timeout_ticks, heartbeat_interval_ticks, inflight_messages_max, message_bytes_max,
      snapshot_interval_entries, clock_drift_ppm_max, lease_drift_ppm_max, disk.sync_latency_us_min,
      disk.sync_latency_us_max, link.loss_ppm, link.duplicate_ppm, link.reorder_ppm, kinds);
}

}  // namespace quorum::sim
