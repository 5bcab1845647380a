// HealthFilter hysteresis and probe classification, without a database.
#include "adapters/galera/health_filter.h"

#include <gtest/gtest.h>

#include <vector>

#include "adapters/galera/probe.h"

namespace quorum::adapters::galera {
namespace {

using host::BackendHealth;

std::vector<BackendHealth> feed(HealthFilter& filter, const std::vector<bool>& probes) {
  std::vector<BackendHealth> out;
  for (bool good : probes) out.push_back(filter.observe(good));
  return out;
}

TEST(HealthFilter, StartsUnknownAndNeedsMGoodProbesToBecomeHealthy) {
  HealthFilter filter({.bad_probes_min = 3, .good_probes_min = 2});
  EXPECT_EQ(filter.health(), BackendHealth::kUnknown);
  EXPECT_EQ(feed(filter, {true, true}),
            (std::vector{BackendHealth::kUnknown, BackendHealth::kHealthy}));
}

TEST(HealthFilter, OneSlowProbeDoesNotFlapAHealthyBackend) {
  HealthFilter filter({.bad_probes_min = 3, .good_probes_min = 2});
  feed(filter, {true, true});
  // Two bad probes, interrupted by a good one, twice: never three in a row.
  for (BackendHealth h : feed(filter, {false, false, true, false, false, true})) {
    EXPECT_EQ(h, BackendHealth::kHealthy);
  }
}

TEST(HealthFilter, NConsecutiveBadProbesMakeItUnhealthyAndMGoodBringItBack) {
  HealthFilter filter({.bad_probes_min = 3, .good_probes_min = 2});
  feed(filter, {true, true});
  EXPECT_EQ(feed(filter, {false, false, false}),
            (std::vector{BackendHealth::kHealthy, BackendHealth::kHealthy,
                         BackendHealth::kUnhealthy}));
  // One good probe between bad ones is not enough to come back.
  EXPECT_EQ(feed(filter, {true, false, true, true}),
            (std::vector{BackendHealth::kUnhealthy, BackendHealth::kUnhealthy,
                         BackendHealth::kUnhealthy, BackendHealth::kHealthy}));
}

TEST(HealthFilter, AnUnreachableBackendAtStartBecomesUnhealthyNotHealthy) {
  HealthFilter filter({.bad_probes_min = 2, .good_probes_min = 2});
  EXPECT_EQ(feed(filter, {false, false}),
            (std::vector{BackendHealth::kUnknown, BackendHealth::kUnhealthy}));
}

TEST(ProbeClassification, HealthyOnlyWhenPrimaryReadyAndSynced) {
  ProbeResult ok{0, "", "Primary", "Synced", true, 3};
  EXPECT_TRUE(is_healthy(ok));
  ProbeResult donor = ok;
  donor.local_state_comment = "Donor/Desynced";
  EXPECT_FALSE(is_healthy(donor));
  ProbeResult minority{0, "", "non-Primary", "Initialized", false, 1};
  EXPECT_FALSE(is_healthy(minority));
  ProbeResult not_ready = ok;
  not_ready.ready = false;
  EXPECT_FALSE(is_healthy(not_ready));
  ProbeResult error{2013, "Lost connection", "", "", false, 0};
  EXPECT_FALSE(is_healthy(error));
}

TEST(ProbeClassification, NamesTheGaleraErrorsInLogLines) {
  ProbeResult r{1047, "WSREP has not yet prepared node for application use", "", "", false, 0};
  EXPECT_EQ(describe(r),
            "error 1047 (WSREP not ready: node is not in a Primary component): WSREP has not yet "
            "prepared node for application use");
  EXPECT_NE(error_name(1180), "");
  EXPECT_NE(error_name(2013), "");
  EXPECT_EQ(error_name(9999), "");
  EXPECT_EQ(describe({9999, "x", "", "", false, 0}), "error 9999: x");
  EXPECT_EQ(describe({0, "", "Primary", "Synced", true, 3}), "Primary/Synced/ready/size 3");
}

}  // namespace
}  // namespace quorum::adapters::galera
