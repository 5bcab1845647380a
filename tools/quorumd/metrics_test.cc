#include "tools/quorumd/metrics.h"

#include <gtest/gtest.h>

namespace quorum::quorumd {
namespace {

TEST(LatencyHistogram, RendersCumulativeBucketsSumAndCount) {
  LatencyHistogram histogram;
  histogram.observe(50);       // <= 100 us
  histogram.observe(3'000);    // <= 5 ms
  histogram.observe(2'000'000);  // above every bound: +Inf only
  std::string out;
  histogram.render("quorum_fsync_seconds", "help", &out);
  EXPECT_NE(out.find("quorum_fsync_seconds_bucket{le=\"0.0001\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("quorum_fsync_seconds_bucket{le=\"0.005\"} 2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("quorum_fsync_seconds_bucket{le=\"1\"} 2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("quorum_fsync_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos) << out;
  EXPECT_NE(out.find("quorum_fsync_seconds_count 3\n"), std::string::npos) << out;
  EXPECT_EQ(histogram.count(), 3u);
}

TEST(Metrics, RenderMetricWritesHelpTypeAndValue) {
  std::string out;
  render_metric("quorum_term", "gauge", "Current term.", 7, &out);
  EXPECT_EQ(out, "# HELP quorum_term Current term.\n# TYPE quorum_term gauge\nquorum_term 7\n");
}

}  // namespace
}  // namespace quorum::quorumd
