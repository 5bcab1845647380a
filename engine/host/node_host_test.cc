#include "engine/host/node_host.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include "engine/host/memory/memory_ports.h"
#include "engine/host/memory/memory_storage.h"

namespace quorum::host {
namespace {

constexpr std::uint64_t kTickUs = 10'000;

raft::Membership voters(std::initializer_list<NodeId> ids) {
  raft::Membership m;
  for (NodeId id : ids) m.members.push_back(raft::Member{id, raft::MemberRole::kVoter, 1});
  return m;
}

// One host on memory ports, driven by poll(). The storage outlives host incarnations.
struct Single {
  explicit Single(raft::Membership membership = voters({1})) : bootstrap(std::move(membership)) {}
  raft::Membership bootstrap;
  ManualClock clock;
  ManualExecutor executor;
  RecordingTransport transport;
  MemoryStorage storage;
  std::unique_ptr<NodeHost> host;
  std::uint64_t snapshot_interval_entries = 1000;

  void start() {
    HostConfig config;
    config.raft.id = 1;
    config.raft.election_timeout_ticks = 10;
    config.raft.heartbeat_interval_ticks = 2;
    config.tick_interval_ms = kTickUs / 1000;
    config.bootstrap = bootstrap;
    config.snapshot_interval_entries = snapshot_interval_entries;
    host = std::make_unique<NodeHost>(config, Ports{transport, clock, storage, executor, nullptr},
                                      Prng(42));
    ASSERT_TRUE(host->start().is_ok());
  }
  void tick(int count = 1) {
    for (int i = 0; i < count; ++i) {
      clock.advance_us(kTickUs);
      host->poll();
    }
  }
  bool elect() {
    for (int i = 0; i < 100 && host->node().role() != raft::Role::kLeader; ++i) tick();
    tick();  // the no-op of the new term commits
    return host->node().role() == raft::Role::kLeader;
  }
  std::optional<ClientReply> put(const std::string& path, const std::string& content) {
    std::optional<ClientReply> got;
    host->propose_config(config_sync::Put{path, content},
                         [&got](const ClientReply& r) { got = r; });
    host->poll();
    return got;
  }
};

TEST(NodeHost, SingleNodeElectsItselfAndAppliesAPut) {
  Single s;
  s.start();
  ASSERT_TRUE(s.elect());
  const auto reply = s.put("a.cnf", "alpha");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->code, ClientReply::Code::kOk);
  EXPECT_EQ(reply->apply.code, config_sync::ApplyResult::Code::kApplied);
  ASSERT_NE(s.host->config_files().find("a.cnf"), nullptr);
  EXPECT_EQ(s.host->config_files().find("a.cnf")->content, "alpha");
  EXPECT_EQ(s.host->applied_index(), reply->index);
  // Acknowledged means durable: the entry is in the synced state.
  EXPECT_GE(s.storage.durable().last_index(), reply->index);
  const HostStats& stats = s.host->stats();
  EXPECT_EQ(stats.entries_applied_count, s.host->applied_index());
  EXPECT_EQ(stats.persists_count, s.storage.persist_count());
  EXPECT_EQ(stats.syncs_count, s.storage.sync_count());
  EXPECT_EQ(stats.ticks_count, s.host->node().now_ticks());
  EXPECT_GT(stats.readys_count, 0u);
}

TEST(NodeHost, RejectedCommandIsAnsweredWithTheStateMachineReason) {
  Single s;
  s.start();
  ASSERT_TRUE(s.elect());
  const auto reply = s.put("../escape", "x");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->code, ClientReply::Code::kOk);                              // committed...
  EXPECT_EQ(reply->apply.code, config_sync::ApplyResult::Code::kInvalidPath);  // ...not applied
  EXPECT_TRUE(s.host->config_files().files().empty());
}

TEST(NodeHost, FailStopsWhenPersistFailsAndAnswersStopped) {
  Single s;
  s.start();
  ASSERT_TRUE(s.elect());
  s.storage.fail_after(0, Status::io_error("fsync: EIO"));
  const auto reply = s.put("a.cnf", "alpha");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->code, ClientReply::Code::kStopped);
  EXPECT_TRUE(s.host->stopped());
  EXPECT_EQ(s.host->failure().code(), StatusCode::kIoError);
  EXPECT_EQ(s.host->config_files().find("a.cnf"), nullptr);
  // Stopped for good: later requests are refused, polls do nothing.
  const auto late = s.put("b.cnf", "beta");
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(late->code, ClientReply::Code::kStopped);
  const std::uint64_t persists = s.storage.persist_count();
  const std::size_t sent = s.transport.sent().size();
  s.tick(30);
  EXPECT_EQ(s.storage.persist_count(), persists);
  EXPECT_EQ(s.transport.sent().size(), sent);
  EXPECT_EQ(s.host->next_deadline_us(), std::numeric_limits<std::uint64_t>::max());
}

TEST(NodeHost, RestartReappliesCommittedEntriesFromStorage) {
  Single s;
  s.start();
  ASSERT_TRUE(s.elect());
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(s.put("f" + std::to_string(i), "v" + std::to_string(i))->code,
              ClientReply::Code::kOk);
  }
  const LogIndex applied = s.host->applied_index();
  s.host.reset();
  s.storage.crash();
  s.start();
  EXPECT_EQ(s.host->applied_index(), 0u);
  s.host->poll();  // the core hands out the committed entries it loaded
  ASSERT_TRUE(s.elect());
  EXPECT_GE(s.host->applied_index(), applied);
  EXPECT_EQ(s.host->config_files().files().size(), 5u);
}

TEST(NodeHost, RestartRestoresTheSnapshotThenReplaysTheLog) {
  Single s;
  s.snapshot_interval_entries = 3;
  s.start();
  ASSERT_TRUE(s.elect());
  for (int i = 0; i < 8; ++i) {
    ASSERT_EQ(s.put("f" + std::to_string(i), "v")->code, ClientReply::Code::kOk);
  }
  s.tick();
  ASSERT_TRUE(s.storage.durable().snapshot.has_value());
  const LogIndex snapshot_index = s.storage.durable().snapshot->meta.last_index;
  EXPECT_GE(snapshot_index, 3u);
  EXPECT_GE(s.host->stats().snapshots_taken_count, 2u);  // 9 entries, one every 3
  s.host.reset();
  s.storage.crash();
  s.start();
  // Restored before any poll: start() installs the snapshot.
  EXPECT_EQ(s.host->applied_index(), snapshot_index);
  EXPECT_FALSE(s.host->config_files().files().empty());
  ASSERT_TRUE(s.elect());
  EXPECT_EQ(s.host->config_files().files().size(), 8u);
}

TEST(NodeHost, FollowerAnswersNotLeaderWithTheLeaderHint) {
  Single s(voters({1, 2, 3}));
  s.start();
  raft::AppendRequest heartbeat;
  s.host->deliver(raft::Message{2, 1, 1, heartbeat});
  s.host->poll();
  EXPECT_EQ(s.host->node().leader_id(), 2u);
  const auto reply = s.put("a.cnf", "x");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->code, ClientReply::Code::kNotLeader);
  EXPECT_EQ(reply->leader_hint, 2u);
}

TEST(NodeHost, DropsMisroutedMessagesInsteadOfSteppingThem) {
  // The core asserts that a message is addressed to it and not from itself; a confused
  // transport must not be able to trip that assertion.
  Single s(voters({1, 2, 3}));
  s.start();
  raft::AppendRequest heartbeat;
  s.host->deliver(raft::Message{2, 3, 1, heartbeat});        // for someone else
  s.host->deliver(raft::Message{1, 1, 1, heartbeat});        // from itself
  s.host->deliver(raft::Message{kNoNode, 1, 1, heartbeat});  // from nobody
  s.host->poll();
  EXPECT_EQ(s.host->node().term(), 0u);
  EXPECT_EQ(s.host->node().leader_id(), kNoNode);
  EXPECT_EQ(s.host->stats().messages_dropped_count, 3u);
}

TEST(NodeHost, ReadConfigIsServedAfterLeadershipIsConfirmed) {
  Single s;
  s.start();
  ASSERT_TRUE(s.elect());
  ASSERT_EQ(s.put("a.cnf", "alpha")->code, ClientReply::Code::kOk);
  std::optional<ClientReply> got;
  s.host->read_config([&got](const ClientReply& r) { got = r; });
  for (int i = 0; i < 5 && !got.has_value(); ++i) s.tick();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->code, ClientReply::Code::kOk);
  EXPECT_GE(s.host->applied_index(), got->index);
}

TEST(NodeHost, HooksSeeRolePersistAndApplyInOrder) {
  Single s;
  std::vector<std::string> events;
  s.start();
  s.host->on_role_change([&](const raft::SoftState& st) {
    events.push_back(std::string("role ") + std::string(raft::role_name(st.role)));
  });
  s.host->on_persist([&](const PersistBatch& b) {
    if (!b.entries.empty()) events.push_back("persist " + std::to_string(b.entries.back().index));
  });
  s.host->on_apply(
      [&](const raft::Entry& e) { events.push_back("apply " + std::to_string(e.index)); });
  ASSERT_TRUE(s.elect());
  ASSERT_FALSE(events.empty());
  // The leader's no-op (index 1) is persisted before it is applied, after the role change.
  const auto role = std::find(events.begin(), events.end(), "role leader");
  const auto persist = std::find(events.begin(), events.end(), "persist 1");
  const auto apply = std::find(events.begin(), events.end(), "apply 1");
  ASSERT_NE(role, events.end());
  ASSERT_NE(persist, events.end());
  ASSERT_NE(apply, events.end());
  EXPECT_LT(role, persist);
  EXPECT_LT(persist, apply);
}

TEST(NodeHost, CatchesUpAPauseInBoundedStepsWithoutDroppingTime) {
  Single s;
  s.start();
  s.clock.advance_us(100 * kTickUs);  // a 100-tick stall
  s.host->poll();
  EXPECT_EQ(s.host->node().now_ticks(), 16u);               // catch_up_ticks_per_poll_max
  EXPECT_LE(s.host->next_deadline_us(), s.clock.now_us());  // more is due at once
  for (int i = 0; i < 10; ++i) s.host->poll();
  EXPECT_EQ(s.host->node().now_ticks(), 100u);
  EXPECT_EQ(s.host->next_deadline_us(), s.clock.now_us() + kTickUs);
}

// An executor whose wait_until jumps the clock to the deadline, and stops the host after a
// number of waits: proves run() is poll + wait_until(next_deadline_us()).
class JumpingExecutor : public Executor {
 public:
  JumpingExecutor(ManualClock& clock, int waits_max) : clock_(clock), waits_max_(waits_max) {}
  void wait_until(std::uint64_t deadline_us) override {
    if (++waits_ >= waits_max_ && host_ != nullptr) host_->stop();
    if (deadline_us > clock_.now_us()) clock_.set_us(deadline_us);
  }
  void notify() override {}
  NodeHost* host_ = nullptr;
  int waits_ = 0;

 private:
  ManualClock& clock_;
  int waits_max_;
};

TEST(NodeHost, RunSleepsUntilTheNextDeadlineAndReturnsAfterStop) {
  ManualClock clock;
  JumpingExecutor executor(clock, 200);
  RecordingTransport transport;
  MemoryStorage storage;
  HostConfig config;
  config.raft.id = 1;
  config.bootstrap = voters({1});
  NodeHost host(config, Ports{transport, clock, storage, executor, nullptr}, Prng(1));
  executor.host_ = &host;
  ASSERT_TRUE(host.start().is_ok());
  host.run();
  EXPECT_TRUE(host.stopped());
  EXPECT_TRUE(host.failure().is_ok());
  EXPECT_EQ(host.node().role(), raft::Role::kLeader);  // time passed only through wait_until
  EXPECT_GT(host.node().now_ticks(), 20u);
}

}  // namespace
}  // namespace quorum::host
