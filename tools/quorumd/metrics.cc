#include "tools/quorumd/metrics.h"

#include <fmt/format.h>

namespace quorum::quorumd {

void LatencyHistogram::observe(std::uint64_t latency_us) {
  std::size_t bucket = 0;
  while (bucket < kBoundsUs.size() && latency_us > kBoundsUs[bucket]) ++bucket;
  buckets_[bucket].fetch_add(1);
  sum_us_.fetch_add(latency_us);
  count_.fetch_add(1);
}

void LatencyHistogram::render(const std::string& name, const std::string& help,
                              std::string* out) const {
  *out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name, help, name);
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kBoundsUs.size(); ++i) {
    cumulative += buckets_[i].load();
    *out += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", name,
                        static_cast<double>(kBoundsUs[i]) / 1e6, cumulative);
  }
  cumulative += buckets_[kBoundsUs.size()].load();
  *out += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n", name, cumulative);
  *out += fmt::format("{}_sum {}\n{}_count {}\n", name,
                      static_cast<double>(sum_us_.load()) / 1e6, name, count_.load());
}

void render_metric(const std::string& name, const std::string& type, const std::string& help,
                   std::uint64_t value, std::string* out) {
  *out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, value);
}

}  // namespace quorum::quorumd
