// quorumd's metrics: counters fed by the host hooks and the transport, an fsync latency
// histogram fed by the RocksDB group committer, rendered in the Prometheus text format for GET /metrics.
// Tools layer.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>


namespace quorum::quorumd {

// Thread safety: observe() may run on the storage worker thread while render() runs on the io
// thread, hence atomics. Buckets are cumulative at render time only.
class LatencyHistogram {
 public:
  // Upper bounds in microseconds of the buckets (the last bucket is +Inf).
  static constexpr std::array<std::uint64_t, 12> kBoundsUs = {
      100, 250, 500, 1'000, 2'500, 5'000, 10'000, 25'000, 50'000, 100'000, 250'000, 1'000'000};

  void observe(std::uint64_t latency_us);
  // Appends `name_bucket{le=...}`, `name_sum`, `name_count` lines (seconds).
  void render(const std::string& name, const std::string& help, std::string* out) const;
  std::uint64_t count() const { return count_.load(); }

 private:
  std::array<std::atomic<std::uint64_t>, kBoundsUs.size() + 1> buckets_{};
  std::atomic<std::uint64_t> sum_us_{0};
  std::atomic<std::uint64_t> count_{0};
};

struct CounterSet {
  std::uint64_t leader_changes = 0;
  std::uint64_t elections_started = 0;
  std::uint64_t proposals_committed = 0;
  std::uint64_t proposals_failed = 0;
};

// One gauge or counter line pair: "# HELP", "# TYPE", value.
void render_metric(const std::string& name, const std::string& type, const std::string& help,
                   std::uint64_t value, std::string* out);

}  // namespace quorum::quorumd
