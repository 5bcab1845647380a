// Issue 9 item 4: a snapshot received from a peer is validated before it is persisted and
// acknowledged; a bad one is refused and reported, never stored, so no restart finds it.
#include "engine/host/snapshot_check.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "engine/core/base/crc32c.h"
#include "engine/host/memory/memory_ports.h"
#include "engine/host/memory/memory_storage.h"
#include "engine/host/node_host.h"
#include "engine/wire/codec.h"

namespace quorum::host {
namespace {

constexpr std::uint64_t kTickUs = 10'000;

raft::Membership three_voters() {
  raft::Membership m;
  for (NodeId id : {1, 2, 3}) m.members.push_back(raft::Member{id, raft::MemberRole::kVoter, 1});
  return m;
}

std::string app_snapshot_bytes(LogIndex labelled_index, const std::string& content) {
  wire::AppSnapshot app;
  app.config_applied_index = labelled_index;
  app.config_files["a.cnf"] = config_sync::FileEntry{content, 5, crc32c(content)};
  return wire::encode_app_snapshot(app);
}

raft::Message snapshot_from_leader(std::string data) {
  raft::SnapshotRequest request;
  request.snapshot.meta = raft::SnapshotMeta{10, 1, three_voters()};
  request.snapshot.data = std::move(data);
  return raft::Message{2, 1, 1, request};
}

// Follower 1 of {1, 2, 3} on memory ports; the storage outlives host incarnations.
struct Follower {
  ManualClock clock;
  ManualExecutor executor;
  RecordingTransport transport;
  MemoryStorage storage;
  std::unique_ptr<NodeHost> host;
  std::vector<std::pair<NodeId, Status>> refused;

  Status start() {
    HostConfig config;
    config.raft.id = 1;
    config.raft.election_timeout_ticks = 10;
    config.raft.heartbeat_interval_ticks = 2;
    config.tick_interval_ms = kTickUs / 1000;
    config.bootstrap = three_voters();
    host = std::make_unique<NodeHost>(config, Ports{transport, clock, storage, executor, nullptr},
                                      Prng(42));
    host->on_snapshot_refused([this](NodeId from, const Status& why) { refused.emplace_back(from, why); });
    return host->start();
  }
  bool acknowledged_to_leader() {
    for (const raft::Message& m : transport.take()) {
      if (m.to == 2 && std::holds_alternative<raft::AppendResponse>(m.body)) return true;
    }
    return false;
  }
};

TEST(SnapshotCheck, AcceptsAValidSnapshotAndNamesWhatIsWrongWithABadOne) {
  raft::Snapshot snapshot{{10, 1, three_voters()}, app_snapshot_bytes(10, "x=1\n")};
  EXPECT_TRUE(check_received_snapshot(snapshot).is_ok());
  snapshot.data = "not a snapshot";
  EXPECT_EQ(check_received_snapshot(snapshot).code(), StatusCode::kCorruption);
  snapshot.data = app_snapshot_bytes(11, "x=1\n");  // decodes, but claims a later index
  const Status later = check_received_snapshot(snapshot);
  EXPECT_EQ(later.code(), StatusCode::kCorruption);
  EXPECT_NE(later.message().find("labelled as index 10"), std::string::npos) << later.to_string();
}

TEST(SnapshotCheck, AFollowerRefusesABadSnapshotUnstoredUnacknowledgedAndStillRestarts) {
  for (const std::string& bad : {std::string("\xff garbage", 9), app_snapshot_bytes(11, "x=1\n")}) {
    Follower f;
    ASSERT_TRUE(f.start().is_ok());
    f.host->deliver(snapshot_from_leader(bad));
    f.host->poll();
    EXPECT_FALSE(f.host->stopped()) << f.host->failure().to_string();
    EXPECT_FALSE(f.storage.current().snapshot.has_value()) << "a bad snapshot reached storage";
    EXPECT_FALSE(f.acknowledged_to_leader());
    EXPECT_EQ(f.host->node().commit_index(), 0u);
    EXPECT_EQ(f.host->stats().snapshots_refused_count, 1u);
    ASSERT_EQ(f.refused.size(), 1u);
    EXPECT_EQ(f.refused[0].first, 2u);
    EXPECT_EQ(f.refused[0].second.code(), StatusCode::kCorruption);
    // The restart finds nothing bad.
    f.host.reset();
    ASSERT_TRUE(f.start().is_ok());
  }
}

TEST(SnapshotCheck, AFollowerInstallsAValidSnapshotAndAcknowledgesIt) {
  Follower f;
  ASSERT_TRUE(f.start().is_ok());
  f.host->deliver(snapshot_from_leader(app_snapshot_bytes(10, "x=1\n")));
  f.host->poll();
  ASSERT_FALSE(f.host->stopped()) << f.host->failure().to_string();
  EXPECT_TRUE(f.acknowledged_to_leader());
  ASSERT_TRUE(f.storage.current().snapshot.has_value());
  EXPECT_EQ(f.storage.current().snapshot->meta.last_index, 10u);
  ASSERT_NE(f.host->state().config.find("a.cnf"), nullptr);
  EXPECT_EQ(f.host->state().config.find("a.cnf")->content, "x=1\n");
  EXPECT_TRUE(f.refused.empty());
  EXPECT_EQ(f.host->stats().snapshots_refused_count, 0u);
}

}  // namespace
}  // namespace quorum::host
