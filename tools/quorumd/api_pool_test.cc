// The pool API's handlers (api_pool.h) against a fake ApiHost whose proposals apply to a real
// ownership state machine: the may-act contract quorumctl run relies on, the leader redirect,
// the commands each endpoint proposes and the refusals with their reasons.
#include "tools/quorumd/api_pool.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <set>
#include <variant>

#include "tools/quorumd/api.pb.h"

namespace quorum::quorumd {
namespace {

constexpr std::string_view kConfig =
    "node_id = 2\ncluster_id = t\nraft_port = 19502\nhttp_port = 19582\n"
    "peers = 1@c1@127.0.0.1:19501:19581, 2@c2@127.0.0.1:19502:19582, 3@c3@127.0.0.1:19503:19583\n"
    "data_dir = /tmp/x\nconfig_dir = /tmp/y\n";

class FakeHost final : public ApiHost {
 public:
  ApiNodeStatus node() const override { return status; }
  const host::AppState& state() const override { return app; }
  void read(host::ReplyFn done) override { done(host::ClientReply{}); }
  void propose(host::AppCommand command, host::ReplyFn done) override {
    proposed.push_back(command);
    if (!refusal.empty()) {  // the leader's rule said no (NodeHost::propose's kRefused)
      host::ClientReply reply;
      reply.code = host::ClientReply::Code::kRefused;
      reply.reason = refusal;
      return done(reply);
    }
    host::ClientReply reply;
    reply.index = ++index;
    reply.result = app.ownership.apply(index, std::get<ownership::Command>(command));
    done(reply);
  }
  raft::RequestResult transfer_leadership(NodeId) override { return raft::RequestResult::kOk; }
  raft::RequestResult step_down() override { return raft::RequestResult::kOk; }
  ownership::MayAct may_act(ownership::ClusterId) const override { return answer; }
  host::NodeHost::HeldMayAct may_act_holding(ownership::ClusterId cluster, const std::string& holder,
                                             Ticks hold_ticks) override {
    hold_asked.push_back({cluster, holder, hold_ticks});
    host::NodeHost::HeldMayAct out;
    out.answer = answer;
    out.holds_full = holds_full;
    if (answer.ok() && !holds_full) out.hold_until_ticks = now_ticks + hold_ticks + 1;
    return out;
  }
  bool drop_guard_hold(ownership::ClusterId cluster, const std::string& holder) override {
    dropped.push_back({cluster, holder, 0});
    return true;
  }
  const ownership::DriverStats& ownership_driver_stats() const override { return driver; }
  Ticks clock_now_ticks() const override { return now_ticks; }
  const host::HostStats& stats() const override { return host_stats; }
  bool peer_connected(NodeId) const override { return true; }
  adapters::TransportCounters transport_counters() const override { return {}; }

  // Applies `command` directly (the state a test starts from).
  void apply(const ownership::Command& command) {
    ASSERT_EQ(app.ownership.apply(++index, command).code, ownership::ApplyResult::Code::kApplied);
  }

  ApiNodeStatus status{raft::Role::kLeader, 4, 2, 0, 0, 0};
  host::AppState app;
  LogIndex index = 0;
  std::vector<host::AppCommand> proposed;
  ownership::MayAct answer;
  std::string refusal;  // non-empty: propose answers kRefused with it
  ownership::DriverStats driver;
  Ticks now_ticks = 1000;
  host::HostStats host_stats;
  struct HoldCall {
    ownership::ClusterId cluster;
    std::string holder;
    Ticks ticks;
  };
  std::vector<HoldCall> hold_asked;
  std::vector<HoldCall> dropped;
  bool holds_full = false;
};

class PoolApi : public ::testing::Test {
 protected:
  PoolApi() : config(parse_config_text(kConfig, "t.cnf").value()), context{config, host, fsync, counters} {
    for (NodeId id : {1, 2, 3}) {
      host.apply(ownership::RegisterController{id, "c" + std::to_string(id), "", 1, {}, {}, true});
      host.apply(ownership::Activate{id});
    }
    host.apply(ownership::AddCluster{7, "db7", {{"site", "A"}}, true});
  }

  adapters::HttpResponse call(const std::string& method, const std::string& target,
                              const std::string& body = "") {
    adapters::HttpRequest request;
    request.method = method;
    request.target = target;
    request.body = body;
    adapters::split_target(target, &request.path, &request.query);
    std::optional<adapters::HttpResponse> out;
    handle_api_request(context, request, [&](adapters::HttpResponse r) {
      EXPECT_FALSE(out.has_value()) << "answered twice";
      out = std::move(r);
    });
    EXPECT_TRUE(out.has_value()) << "not answered";
    return out.value_or(adapters::HttpResponse{});
  }

  template <typename M>
  M parse(const adapters::HttpResponse& response) {
    M message;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(response.body, &message).ok()) << response.body;
    return message;
  }

  const ownership::Command& last_proposed() {
    EXPECT_FALSE(host.proposed.empty());
    return std::get<ownership::Command>(host.proposed.back());
  }

  ParsedConfig config;
  FakeHost host;
  LatencyHistogram fsync;
  CounterSet counters;
  ApiContext context;
};

TEST_F(PoolApi, MayActYesCarriesEpochTermAndTheLeaseLeftByThisClockInMs) {
  host.answer = ownership::MayAct{ownership::MayAct::Reason::kYes, 12, 4, 1250};
  const adapters::HttpResponse response = call("GET", "/v1/ownership/may-act?cluster=db7");
  ASSERT_EQ(response.status, 200u);
  // Every integer a JSON string, like the other endpoints; no reason on a yes.
  EXPECT_NE(response.body.find("\"mayAct\":true"), std::string::npos) << response.body;
  EXPECT_NE(response.body.find("\"epoch\":\"12\""), std::string::npos) << response.body;
  EXPECT_NE(response.body.find("\"leaseLeftMs\":\"2500\""), std::string::npos) << response.body;
  EXPECT_EQ(response.body.find("reason"), std::string::npos) << response.body;
  const api::MayAct out = parse<api::MayAct>(response);
  EXPECT_EQ(out.cluster_id(), 7u);
  EXPECT_EQ(out.cluster_name(), "db7");
  EXPECT_EQ(out.controller(), "c2");
  EXPECT_EQ(out.term(), 4u);
  // (1250 - 1000) ticks of 10 ms; the same by id.
  EXPECT_EQ(out.lease_left_ms(), 2500);
  EXPECT_EQ(parse<api::MayAct>(call("GET", "/v1/ownership/may-act?cluster=7")).lease_left_ms(), 2500);
}

TEST_F(PoolApi, MayActNoCarriesTheSnakeCaseReasonAndASentenceAndIsAnsweredByAFollower) {
  host.status.role = raft::Role::kFollower;  // never redirected: this node's own answer
  host.apply(ownership::Assign{7, 3, 0});
  host.answer = ownership::MayAct{ownership::MayAct::Reason::kNotOwner, 0, 0, 0};
  const adapters::HttpResponse response = call("GET", "/v1/ownership/may-act?cluster=db7");
  ASSERT_EQ(response.status, 200u);
  const api::MayAct out = parse<api::MayAct>(response);
  EXPECT_FALSE(out.may_act());
  EXPECT_EQ(out.reason(), "not_owner");
  EXPECT_EQ(out.detail(), "db7 is owned by c3 (epoch 8)");
  EXPECT_FALSE(out.has_epoch());
  EXPECT_FALSE(out.has_lease_left_ms());

  const api::MayAct unknown = parse<api::MayAct>(call("GET", "/v1/ownership/may-act?cluster=nope"));
  EXPECT_FALSE(unknown.may_act());
  EXPECT_EQ(unknown.reason(), "unknown_cluster");
  EXPECT_EQ(unknown.cluster_name(), "nope");
}

TEST_F(PoolApi, MayActRefusesAMalformedQuery) {
  EXPECT_EQ(call("GET", "/v1/ownership/may-act").status, 400u);
  EXPECT_EQ(call("GET", "/v1/ownership/may-act?cluster=").status, 400u);
  EXPECT_EQ(call("GET", "/v1/ownership/may-act?cluster=0").status, 400u);
  EXPECT_EQ(call("GET", "/v1/ownership/may-act?cluster=99999999999999999999999").status, 400u);
  EXPECT_EQ(call("GET", "/v1/ownership/may-act?cluster=" + std::string(300, 'x')).status, 400u);
}

// A guard's question (?holder=H&hold_ms=X) takes a hold on a yes (engine/host/guard_holds.h):
// X is rounded up to whole ticks, the answer says how long the node keeps it; a node that cannot
// keep the hold answers 503, not a yes the hand-over would not wait for.
TEST_F(PoolApi, MayActWithAHolderTakesAHoldAndSaysHowLongItLasts) {
  host.answer = ownership::MayAct{ownership::MayAct::Reason::kYes, 12, 4, 1250};
  const api::MayAct out =
      parse<api::MayAct>(call("GET", "/v1/ownership/may-act?cluster=db7&holder=4711-9.a_b&hold_ms=1201"));
  EXPECT_TRUE(out.may_act());
  ASSERT_EQ(host.hold_asked.size(), 1u);
  EXPECT_EQ(host.hold_asked[0].cluster, 7u);
  EXPECT_EQ(host.hold_asked[0].holder, "4711-9.a_b");
  EXPECT_EQ(host.hold_asked[0].ticks, 121u);
  EXPECT_EQ(out.hold_left_ms(), 1220);
  // Without a holder: no hold, no holdLeftMs.
  EXPECT_FALSE(parse<api::MayAct>(call("GET", "/v1/ownership/may-act?cluster=db7")).has_hold_left_ms());
  EXPECT_EQ(host.hold_asked.size(), 1u);
  // A no takes no hold.
  host.answer = ownership::MayAct{ownership::MayAct::Reason::kHandingOver, 0, 0, 0};
  EXPECT_FALSE(parse<api::MayAct>(call("GET", "/v1/ownership/may-act?cluster=db7&holder=h&hold_ms=100"))
                   .has_hold_left_ms());
  host.answer = ownership::MayAct{ownership::MayAct::Reason::kYes, 12, 4, 1250};
  host.holds_full = true;
  EXPECT_EQ(call("GET", "/v1/ownership/may-act?cluster=db7&holder=h&hold_ms=100").status, 503u);
}

TEST_F(PoolApi, MayActRefusesAMalformedHold) {
  for (const std::string& query : std::vector<std::string>{"holder=h", "hold_ms=100", "holder=&hold_ms=100", "holder=a%20b&hold_ms=100",
                                  "holder=h&hold_ms=0", "holder=h&hold_ms=600001", "holder=h&hold_ms=-5",
                                  "holder=" + std::string(65, 'x') + "&hold_ms=100"}) {
    EXPECT_EQ(call("GET", "/v1/ownership/may-act?cluster=db7&" + query).status, 400u) << query;
  }
  EXPECT_TRUE(host.hold_asked.empty());
}

TEST_F(PoolApi, DeleteMayActDropsTheHoldByIdOrName) {
  const api::GuardHoldDropped out =
      parse<api::GuardHoldDropped>(call("DELETE", "/v1/ownership/may-act?cluster=db7&holder=g1"));
  EXPECT_TRUE(out.dropped());
  EXPECT_EQ(out.cluster_id(), 7u);
  EXPECT_EQ(out.holder(), "g1");
  // By id, even for a cluster removed since (its hold may still be there).
  EXPECT_EQ(call("DELETE", "/v1/ownership/may-act?cluster=99&holder=g1").status, 200u);
  ASSERT_EQ(host.dropped.size(), 2u);
  EXPECT_EQ(host.dropped[1].cluster, 99u);
  EXPECT_EQ(call("DELETE", "/v1/ownership/may-act?cluster=nope&holder=g1").status, 404u);
  EXPECT_EQ(call("DELETE", "/v1/ownership/may-act?cluster=db7").status, 400u);
  EXPECT_EQ(call("DELETE", "/v1/ownership/may-act?holder=g1").status, 400u);
  EXPECT_EQ(call("DELETE", "/v1/ownership/may-act?cluster=db7&holder=a%26b").status, 400u);
}

TEST_F(PoolApi, EveryMayActReasonHasItsOwnSnakeCaseCode) {
  using Reason = ownership::MayAct::Reason;
  std::set<std::string_view> codes;
  for (Reason r : {Reason::kYes, Reason::kUnknownCluster, Reason::kNotRegistered, Reason::kStandby,
                   Reason::kAutoRecoveryOff, Reason::kNotOwner, Reason::kHandingOver,
                   Reason::kNoValidLease, Reason::kStaleGrant, Reason::kBackendUnfit}) {
    const std::string_view code = may_act_reason_code(r);
    EXPECT_EQ(code.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), std::string_view::npos) << code;
    codes.insert(code);
  }
  EXPECT_EQ(codes.size(), 10u);
}

TEST_F(PoolApi, AFollowerRedirectsMutationsAndTheTablesToTheLeader) {
  host.status.role = raft::Role::kFollower;
  host.status.leader_id = 1;
  for (auto [method, target] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/v1/ownership/clusters"},
           {"GET", "/v1/ownership/controllers"},
           {"POST", "/v1/ownership/clusters/db7/move?to=c1"},
           {"DELETE", "/v1/ownership/clusters/7"},
           {"POST", "/v1/ownership/controllers/c3/drain"}}) {
    const adapters::HttpResponse response = call(method, target);
    EXPECT_EQ(response.status, 307u) << method << " " << target;
    EXPECT_EQ(response.location, "http://127.0.0.1:19581" + target);
  }
  EXPECT_TRUE(host.proposed.empty());
  host.status.leader_id = kNoNode;
  EXPECT_EQ(call("POST", "/v1/ownership/clusters", R"({"name":"x"})").status, 503u);
}

TEST_F(PoolApi, AddPicksTheNextFreeIdAndTheListShowsOwnerEpochAndTags) {
  const adapters::HttpResponse added = call("POST", "/v1/ownership/clusters", R"({"name":"db8","tags":{"site":"B"}})");
  ASSERT_EQ(added.status, 200u) << added.body;
  const auto& add = std::get<ownership::AddCluster>(last_proposed());
  EXPECT_EQ(add.id, 8u);
  EXPECT_EQ(add.tags, (ownership::Tags{{"site", "B"}}));
  EXPECT_EQ(parse<api::PoolWriteResult>(added).cluster_id(), 8u);
  // Names address clusters: a duplicate, or a name that reads as an id, is refused.
  const adapters::HttpResponse twice = call("POST", "/v1/ownership/clusters", R"({"name":"db8"})");
  EXPECT_EQ(twice.status, 409u) << twice.body;
  EXPECT_NE(twice.body.find("a cluster named 'db8' exists (id 8)"), std::string::npos) << twice.body;
  EXPECT_EQ(call("POST", "/v1/ownership/clusters", R"({"name":"42"})").status, 400u);
  // An id given and taken is the state machine's refusal, with its reason.
  const adapters::HttpResponse taken =
      call("POST", "/v1/ownership/clusters", R"({"clusterId":"7","name":"other"})");
  EXPECT_EQ(taken.status, 409u);
  EXPECT_NE(taken.body.find("cluster 7 already exists"), std::string::npos) << taken.body;
  EXPECT_EQ(call("POST", "/v1/ownership/clusters", R"({"name":)").status, 400u);

  host.apply(ownership::Assign{7, 1, 0});
  const api::PoolClusterList list = parse<api::PoolClusterList>(call("GET", "/v1/ownership/clusters"));
  ASSERT_EQ(list.clusters_size(), 2);
  EXPECT_EQ(list.clusters(0).owner_name(), "c1");
  EXPECT_EQ(list.clusters(0).state(), "owned");
  EXPECT_EQ(list.clusters(0).epoch(), host.index);
  EXPECT_EQ(list.clusters(0).tags().at("site"), "A");
  EXPECT_TRUE(list.clusters(0).has_lease_left_ms());  // 0: the fake leader never heard c1
  EXPECT_EQ(list.clusters(1).state(), "unowned");
  EXPECT_FALSE(list.clusters(1).has_lease_left_ms());
}

TEST_F(PoolApi, MoveIsAHandOverToTheTargetAndIsRefusedWithAReasonWhenItCannotBe) {
  EXPECT_EQ(call("POST", "/v1/ownership/clusters/db7/move?to=c3").status, 409u);  // unowned
  host.apply(ownership::Assign{7, 1, 0});
  const LogIndex epoch = host.index;
  ASSERT_EQ(call("POST", "/v1/ownership/clusters/db7/move?to=c3").status, 200u);
  EXPECT_EQ(std::get<ownership::Release>(last_proposed()), (ownership::Release{7, 1, epoch, 3}));
  EXPECT_EQ(host.app.ownership.find_cluster(7)->state, ownership::ClusterState::kHandingOver);
  const adapters::HttpResponse other = call("POST", "/v1/ownership/clusters/7/move?to=c2");
  EXPECT_EQ(other.status, 409u);
  EXPECT_NE(other.body.find("already handing over to c3"), std::string::npos) << other.body;
  EXPECT_EQ(call("POST", "/v1/ownership/clusters/db7/move?to=nobody").status, 404u);
  EXPECT_EQ(call("POST", "/v1/ownership/clusters/nope/move?to=c2").status, 404u);
  EXPECT_EQ(call("POST", "/v1/ownership/clusters/db7/move").status, 400u);
}

TEST_F(PoolApi, PinUnpinRemoveAndTheControllerActionsProposeTheirCommands) {
  ASSERT_EQ(call("POST", "/v1/ownership/clusters/db7/pin?to=c3").status, 200u);
  EXPECT_EQ(std::get<ownership::Pin>(last_proposed()), (ownership::Pin{7, 3}));
  ASSERT_EQ(call("POST", "/v1/ownership/clusters/db7/unpin").status, 200u);
  EXPECT_EQ(std::get<ownership::Unpin>(last_proposed()), (ownership::Unpin{7}));
  ASSERT_EQ(call("POST", "/v1/ownership/controllers/c3/drain").status, 200u);
  EXPECT_EQ(std::get<ownership::Drain>(last_proposed()), (ownership::Drain{3}));
  ASSERT_EQ(call("POST", "/v1/ownership/controllers/3/undrain").status, 200u);
  EXPECT_EQ(std::get<ownership::Activate>(last_proposed()), (ownership::Activate{3}));
  ASSERT_EQ(call("POST", "/v1/ownership/controllers/c1/weight?weight=5").status, 200u);
  EXPECT_EQ(std::get<ownership::SetWeight>(last_proposed()), (ownership::SetWeight{1, 5}));
  EXPECT_EQ(call("POST", "/v1/ownership/controllers/c1/weight?weight=0").status, 400u);  // invalid
  EXPECT_EQ(call("POST", "/v1/ownership/controllers/c1/weight").status, 400u);
  EXPECT_EQ(call("POST", "/v1/ownership/controllers/c1/frob").status, 404u);
  // Deregistering an owner is refused before anything is proposed.
  host.apply(ownership::Assign{7, 1, 0});
  const std::size_t before = host.proposed.size();
  const adapters::HttpResponse owner = call("DELETE", "/v1/ownership/controllers/c1");
  EXPECT_EQ(owner.status, 409u);
  EXPECT_NE(owner.body.find("drain it first"), std::string::npos) << owner.body;
  EXPECT_EQ(host.proposed.size(), before);
  ASSERT_EQ(call("DELETE", "/v1/ownership/clusters/db7").status, 200u);
  EXPECT_EQ(std::get<ownership::RemoveCluster>(last_proposed()), (ownership::RemoveCluster{7}));
  ASSERT_EQ(call("DELETE", "/v1/ownership/controllers/c1").status, 200u);
  EXPECT_EQ(host.app.ownership.find_controller(1), nullptr);
}

TEST_F(PoolApi, RegisterTakesAMemberOfPeersOnlyAndAStandbyWithoutAutoRecovery) {
  host.apply(ownership::DeregisterController{3});
  ASSERT_EQ(call("POST", "/v1/ownership/controllers",
                 R"({"name":"c3","weight":"2","tags":{"site":"B"},"role":"standby"})")
                .status,
            200u);
  const auto& reg = std::get<ownership::RegisterController>(last_proposed());
  EXPECT_EQ(reg.id, 3u);
  EXPECT_EQ(reg.weight, 2u);
  EXPECT_EQ(reg.role, ownership::ControllerRole::kStandby);
  EXPECT_FALSE(reg.auto_recovery);
  EXPECT_EQ(reg.address, "http://127.0.0.1:19583");
  EXPECT_EQ(call("POST", "/v1/ownership/controllers", R"({"name":"c9"})").status, 404u);
  EXPECT_EQ(call("POST", "/v1/ownership/controllers", R"({"name":"c1"})").status, 409u);  // twice
  EXPECT_EQ(call("POST", "/v1/ownership/controllers", R"({"name":"c1","role":"boss"})").status, 400u);
}

TEST_F(PoolApi, MetricsNameOwnedClustersPerControllerAndTheSessionLeaseLeft) {
  host.apply(ownership::Assign{7, 3, 0});
  host.driver.takeovers = 2;
  host.driver.longest_unowned_ticks = 310;
  std::string text;
  render_pool_metrics(context, &text);
  EXPECT_NE(text.find("quorum_pool_owned_clusters{controller=\"c3\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("quorum_pool_owned_clusters{controller=\"c1\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("quorum_pool_takeovers_total 2\n"), std::string::npos);
  EXPECT_NE(text.find("quorum_pool_longest_unowned_ms 3100\n"), std::string::npos);
  EXPECT_NE(text.find("quorum_session_lease_left_ms 0\n"), std::string::npos);  // no session
}

TEST_F(PoolApi, PromoteCarriesForceAndARefusalByTheLeadersRuleIs409WithTheReason) {
  host.apply(ownership::RegisterController{4, "sb", "", 1, {}, ownership::ControllerRole::kStandby,
                                           false});
  // Refused by the standby rule: nothing applied, 409, the rule's sentence in the error.
  host.refusal = "controller 4 'sb': an active controller is reachable and healthy: ...";
  const adapters::HttpResponse refused = call("POST", "/v1/ownership/controllers/sb/promote");
  EXPECT_EQ(refused.status, 409u) << refused.body;
  EXPECT_NE(refused.body.find("refused: controller 4 'sb': an active controller is reachable"),
            std::string::npos) << refused.body;
  EXPECT_EQ(std::get<ownership::Promote>(last_proposed()), (ownership::Promote{4, false}));
  // ?force=true reaches the command; accepted, it applies.
  host.refusal.clear();
  const adapters::HttpResponse forced =
      call("POST", "/v1/ownership/controllers/sb/promote?force=true");
  EXPECT_EQ(forced.status, 200u) << forced.body;
  EXPECT_EQ(std::get<ownership::Promote>(last_proposed()), (ownership::Promote{4, true}));
  EXPECT_EQ(host.app.ownership.find_controller(4)->role, ownership::ControllerRole::kActive);
  // query_true: false and 0 are not force.
  call("POST", "/v1/ownership/controllers/sb/promote?force=false");
  EXPECT_FALSE(std::get<ownership::Promote>(last_proposed()).force);
}

TEST_F(PoolApi, AnUnknownPoolEndpointIs404) {
  EXPECT_EQ(call("GET", "/v1/ownership/").status, 404u);
  EXPECT_EQ(call("PUT", "/v1/ownership/clusters").status, 404u);
  EXPECT_EQ(call("POST", "/v1/ownership/clusters/db7/frob").status, 404u);
  EXPECT_EQ(call("GET", "/v1/ownership/clusters/db7/move/x").status, 404u);
}

}  // namespace
}  // namespace quorum::quorumd
