// Integration tests: real quorumd processes on loopback (tests/integration/harness.h). Each
// test builds its own cluster on kernel-chosen ports, so tests never clash. Bounded: every wait
// has a deadline expressed in election timeouts (T = 500 ms here).
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <signal.h>
#include <sys/wait.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <functional>
#include <mutex>
#include <sstream>
#include <thread>
#include <fmt/format.h>

#include "engine/wire/codec.h"
#include "engine/wire/frame.h"
#include "tests/integration/harness.h"

namespace quorum::integration {
namespace {

using namespace std::chrono_literals;
constexpr auto kT = 500ms;  // election timeout of the test clusters
constexpr auto kElectionBound = 20 * kT;  // generous: CI machines are shared

TEST(Integration, ThreeDaemonsElectExactlyOneLeaderThatEveryNodeAgreesOn) {
  TestCluster cluster({});
  cluster.start_all();
  const NodeId leader = cluster.wait_leader(cluster.ids(), kElectionBound);
  ASSERT_NE(leader, kNoNode);
  int leaders = 0;
  for (NodeId id : cluster.ids()) {
    const std::optional<api::Status> s = cluster.status(id);
    ASSERT_TRUE(s.has_value()) << "node " << id << " stopped answering";
    leaders += s->role() == "leader" ? 1 : 0;
  }
  EXPECT_EQ(leaders, 1);
  EXPECT_NE(cluster.log_text(leader).find("role pre-candidate -> candidate"), std::string::npos);
}

TEST(Integration, QuietLinksBetweenFollowersStayUpOnKeepalives) {
  // Followers exchange no Raft messages while a leader is healthy; only keepalives keep their
  // link from being closed as idle (2 T). Watch for 6 T: no link may have been closed.
  TestCluster cluster({});
  cluster.start_all();
  const NodeId leader = cluster.wait_leader(cluster.ids(), kElectionBound);
  ASSERT_NE(leader, kNoNode);
  std::this_thread::sleep_for(6 * kT);  // asserting an absence: nothing to poll for
  for (NodeId id : cluster.ids()) {
    EXPECT_EQ(cluster.metric(id, "quorum_connections_idle_closed_total"), "0") << "node " << id;
    EXPECT_EQ(cluster.log_text(id).find("idle:"), std::string::npos) << cluster.log_text(id);
  }
  EXPECT_EQ(cluster.wait_leader(cluster.ids(), kElectionBound), leader);
}

// The controller table as `quorumctl controller --list --long --batch` prints it, row by name.
std::map<std::string, std::string> table_rows(const TestCluster& cluster, NodeId via) {
  CommandResult table = run_quorumctl(
      fmt::format("--host {} --timeout 5 controller --list --long --batch", cluster.api_address(via)),
      cluster.dir());
  std::map<std::string, std::string> rows;
  std::istringstream lines(table.out);
  std::string line;
  while (std::getline(lines, line)) {
    for (NodeId id : cluster.ids()) {
      if (line.find(" ctl" + std::to_string(id) + " ") != std::string::npos) rows["ctl" + std::to_string(id)] = line;
    }
  }
  return rows;
}

TEST(Integration, AStoppedFollowerIsListedAsNotRespondingWithItsLagAndRecovers) {
  TestCluster cluster({});
  cluster.start_all();
  const NodeId leader = cluster.wait_leader(cluster.ids(), kElectionBound);
  ASSERT_NE(leader, kNoNode);
  const NodeId stopped = leader % 3 + 1;
  const NodeId other = 6 - leader - stopped;  // ids are 1, 2, 3
  const std::string stopped_name = "ctl" + std::to_string(stopped);
  const std::string other_name = "ctl" + std::to_string(other);
  std::map<std::string, std::string> rows;
  ASSERT_TRUE(eventually(10s, [&] {
    rows = table_rows(cluster, leader);
    return rows[stopped_name].find("Responding to heartbeats.") != std::string::npos &&
           rows[other_name].find("Responding to heartbeats.") != std::string::npos;
  })) << rows[stopped_name] << "\n" << rows[other_name];
  EXPECT_EQ(rows[stopped_name].rfind("f ", 0), 0u) << rows[stopped_name];

  cluster.kill(stopped, SIGSTOP);  // alive for TCP (the kernel still acks), silent for Raft
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(cluster.request(leader, "PUT", fmt::format("/v1/config/lag{}.cnf", i), "x")->status, 200u);
  }
  ASSERT_TRUE(eventually(10 * kT, [&] {
    rows = table_rows(cluster, leader);
    return rows[stopped_name].find("Not responding for ") != std::string::npos;
  })) << rows[stopped_name];
  std::fprintf(stderr, "table while %s is stopped:\n%s\n%s\n", stopped_name.c_str(),
               rows[stopped_name].c_str(), rows[other_name].c_str());
  EXPECT_EQ(rows[stopped_name].rfind("- ", 0), 0u) << rows[stopped_name];
  EXPECT_NE(rows[stopped_name].find("3 entries behind."), std::string::npos) << rows[stopped_name];
  EXPECT_NE(rows[other_name].find("Responding to heartbeats."), std::string::npos) << rows[other_name];
  Result<quorumctl::HttpReply> json = cluster.request(leader, "GET", "/v1/controllers");
  ASSERT_TRUE(json.has_value());
  EXPECT_NE(json->body.find("\"lagEntries\":\"3\""), std::string::npos) << json->body;

  cluster.kill(stopped, SIGCONT);
  EXPECT_TRUE(eventually(20 * kT, [&] {
    rows = table_rows(cluster, leader);
    return rows[stopped_name].find("Responding to heartbeats.") != std::string::npos &&
           rows[stopped_name].find("behind") == std::string::npos;
  })) << rows[stopped_name];
}

TEST(Integration, APeerThatHandshakesAndThenGoesSilentIsDisconnectedAndRedialled) {
  // Node 4 is a phantom member played by a raw listener: the daemons (lower ids) dial it, it
  // answers their Hello and then never sends another byte, while its kernel keeps acking (a
  // half-open link as seen from the daemons). Each daemon must close the link after 2 T of
  // silence and dial again.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor listener(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  ClusterOptions options;
  options.phantom_peers[4] = listener.local_endpoint().port();
  TestCluster cluster(options);
  struct Link {
    std::shared_ptr<boost::asio::ip::tcp::socket> socket;
    std::array<char, 4096> buffer{};
    bool closed = false;
  };
  std::mutex mutex;
  std::vector<std::shared_ptr<Link>> links;
  std::function<void(std::shared_ptr<Link>)> drain = [&](std::shared_ptr<Link> link) {
    link->socket->async_read_some(boost::asio::buffer(link->buffer),
                                  [&, link](const boost::system::error_code& ec, std::size_t) {
                                    if (ec) {
                                      std::lock_guard<std::mutex> lock(mutex);
                                      link->closed = true;
                                      return;
                                    }
                                    drain(link);  // read and ignore: the kernel keeps acking
                                  });
  };
  std::function<void()> accept_next = [&] {
    auto socket = std::make_shared<boost::asio::ip::tcp::socket>(io);
    listener.async_accept(*socket, [&, socket](const boost::system::error_code& ec) {
      if (ec) return;
      wire::Hello hello;
      hello.cluster_id = "itest";
      hello.node_id = 4;
      boost::asio::write(*socket, boost::asio::buffer(wire::encode_frame(wire::encode_hello(hello))));
      auto link = std::make_shared<Link>();
      link->socket = socket;
      {
        std::lock_guard<std::mutex> lock(mutex);
        links.push_back(link);
      }
      drain(link);
      accept_next();
    });
  };
  accept_next();
  struct IoThread {  // stops and joins on every exit path, also a failed ASSERT
    boost::asio::io_context& io;
    std::thread thread;
    ~IoThread() {
      io.stop();
      thread.join();
    }
  } io_thread{io, std::thread([&] { io.run(); })};
  cluster.start_all();
  ASSERT_NE(cluster.wait_leader(cluster.ids(), kElectionBound), kNoNode);
  auto count = [&](bool closed) {
    std::lock_guard<std::mutex> lock(mutex);
    return std::count_if(links.begin(), links.end(), [&](const auto& l) { return l->closed == closed; });
  };
  // Every daemon dials node 4, gets cut for silence, and dials again: 3 closed, 3 new.
  EXPECT_TRUE(eventually(20 * kT, [&] { return count(true) >= 3 && count(false) >= 3; }))
      << count(true) << " closed, " << count(false) << " open";
  for (NodeId id : cluster.ids()) {
    EXPECT_TRUE(eventually(10 * kT, [&] {
      const std::string closed = cluster.metric(id, "quorum_connections_idle_closed_total");
      return !closed.empty() && closed != "0";
    })) << "node " << id;
    EXPECT_NE(cluster.log_text(id).find("closed connection to node 4: idle: nothing received"),
              std::string::npos);
  }
  EXPECT_NE(cluster.wait_leader(cluster.ids(), kElectionBound), kNoNode);
}

TEST(Integration, AFollowerRedirectsToTheLeaderAndTheClientFollows) {
  TestCluster cluster({});
  cluster.start_all();
  const NodeId leader = cluster.wait_leader(cluster.ids(), kElectionBound);
  ASSERT_NE(leader, kNoNode);
  const NodeId follower = leader % 3 + 1;
  Result<quorumctl::HttpReply> raw = cluster.request(follower, "PUT", "/v1/config/a.cnf", "x=1", false);
  ASSERT_TRUE(raw.has_value());
  EXPECT_EQ(raw->status, 307u);
  EXPECT_EQ(raw->location, "http://" + cluster.api_address(leader) + "/v1/config/a.cnf");
  Result<quorumctl::HttpReply> followed = cluster.request(follower, "PUT", "/v1/config/a.cnf", "x=1");
  ASSERT_TRUE(followed.has_value());
  EXPECT_EQ(followed->status, 200u) << followed->body;
  EXPECT_EQ(followed->served_by, cluster.api_address(leader));
  Result<quorumctl::HttpReply> list = cluster.request(follower, "GET", "/v1/controllers", "", false);
  ASSERT_TRUE(list.has_value());
  EXPECT_EQ(list->status, 307u);
}

TEST(Integration, WithoutAMajorityThereIsNoLeaderAndWritesGet503) {
  TestCluster cluster({});
  cluster.start(1);
  std::optional<quorumctl::HttpReply> reply;
  ASSERT_TRUE(eventually(5s, [&] {
    Result<quorumctl::HttpReply> r = cluster.request(1, "PUT", "/v1/config/a.cnf", "x=1", false);
    if (r) reply = *r;
    return r.has_value();
  }));
  EXPECT_EQ(reply->status, 503u);
  EXPECT_NE(reply->body.find("no leader"), std::string::npos) << reply->body;
}

TEST(Integration, ConfigWritesAndDeletesReachEveryConfigDirectory) {
  TestCluster cluster({});
  cluster.start_all();
  const NodeId leader = cluster.wait_leader(cluster.ids(), kElectionBound);
  ASSERT_NE(leader, kNoNode);
  ASSERT_EQ(cluster.request(1, "PUT", "/v1/config/cmon/cmon.cnf", "a=1\n")->status, 200u);
  ASSERT_EQ(cluster.request(2, "PUT", "/v1/config/cmon/other.cnf", "b=2\n")->status, 200u);
  ASSERT_EQ(cluster.request(3, "DELETE", "/v1/config/cmon/other.cnf")->status, 200u);
  for (NodeId id : cluster.ids()) {
    EXPECT_TRUE(eventually(10s, [&] {
      return cluster.config_file(id, "cmon/cmon.cnf") == std::optional<std::string>("a=1\n") &&
             !cluster.config_file(id, "cmon/other.cnf").has_value();
    })) << "node " << id;
  }
  Result<quorumctl::HttpReply> read = cluster.request(2, "GET", "/v1/config/cmon/cmon.cnf");
  ASSERT_TRUE(read.has_value());
  // Content is bytes: base64 in JSON ("a=1\n").
  EXPECT_NE(read->body.find("\"content\":\"YT0xCg==\""), std::string::npos) << read->body;
}

TEST(Integration, AfterTheLeaderIsKilledANewOneIsElectedAndTheRestartedNodeCatchesUp) {
  TestCluster cluster({});
  cluster.start_all();
  const NodeId leader = cluster.wait_leader(cluster.ids(), kElectionBound);
  ASSERT_NE(leader, kNoNode);
  ASSERT_EQ(cluster.request(leader, "PUT", "/v1/config/before.cnf", "1")->status, 200u);
  cluster.kill(leader, SIGKILL);
  std::vector<NodeId> survivors;
  for (NodeId id : cluster.ids()) {
    if (id != leader) survivors.push_back(id);
  }
  const auto killed_at = std::chrono::steady_clock::now();
  const NodeId next = cluster.wait_leader(survivors, kElectionBound);
  ASSERT_NE(next, kNoNode);
  EXPECT_NE(next, leader);
  EXPECT_LT(std::chrono::steady_clock::now() - killed_at, 6 * kT) << "failover took long";
  ASSERT_EQ(cluster.request(survivors[0], "PUT", "/v1/config/after.cnf", "2")->status, 200u);
  for (NodeId id : survivors) {
    EXPECT_TRUE(eventually(10s, [&] {
      return cluster.config_file(id, "before.cnf") == std::optional<std::string>("1");
    })) << "node " << id;
  }

  cluster.start(leader);
  EXPECT_TRUE(eventually(10s, [&] {
    return cluster.config_file(leader, "after.cnf") == std::optional<std::string>("2");
  }));
  std::optional<api::Status> back = cluster.status(leader);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->leader_id(), next) << "the restarted node must follow, not depose";
}

// Issue 9: `quorumctl controller --history`. Every leader records itself once (replicated):
// elected at the start, handed leadership by a transfer, elected after the leader was killed;
// every controller's own copy is the same, newest first.
TEST(Integration, TheLeadershipHistoryRecordsElectionsAndTransfersOnEveryController) {
  TestCluster cluster({});
  cluster.start_all();
  const NodeId first = cluster.wait_leader(cluster.ids(), kElectionBound);
  ASSERT_NE(first, kNoNode);
  auto newest_is = [&](std::size_t total, NodeId leader) {
    std::optional<api::LeaderHistory> h = cluster.leader_history(leader);
    return h && h->total() == total && h->changes(0).leader_id() == leader;
  };
  ASSERT_TRUE(eventually(kElectionBound, [&] { return newest_is(1, first); }));
  std::optional<api::LeaderHistory> one = cluster.leader_history(first);
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->changes(0).reason(), "election");
  EXPECT_EQ(one->changes(0).leader(), fmt::format("ctl{}", first));
  EXPECT_TRUE(one->changes(0).previous_leader().empty());
  EXPECT_EQ(one->changes(0).time().size(), 24u) << one->changes(0).time();  // ...T..:..:..._Z

  const NodeId target = first == 1 ? 2 : 1;
  ASSERT_EQ(cluster.request(first, "POST", fmt::format("/v1/leader/transfer?to={}", target))->status,
            200u);
  ASSERT_TRUE(eventually(kElectionBound, [&] { return newest_is(2, target); }));
  std::optional<api::LeaderHistory> two = cluster.leader_history(target);
  ASSERT_TRUE(two.has_value());
  EXPECT_EQ(two->changes(0).reason(), "transfer");
  EXPECT_EQ(two->changes(0).previous_leader(), fmt::format("ctl{}", first));
  EXPECT_EQ(two->changes(0).previous_term(), one->changes(0).term());
  EXPECT_GE(two->changes(0).time_ms(), one->changes(0).time_ms());

  cluster.kill(target, SIGKILL);
  std::vector<NodeId> survivors;
  for (NodeId id : cluster.ids()) {
    if (id != target) survivors.push_back(id);
  }
  const NodeId third = cluster.wait_leader(survivors, kElectionBound);
  ASSERT_NE(third, kNoNode);
  std::optional<api::LeaderHistory> three;
  ASSERT_TRUE(eventually(kElectionBound, [&] {
    three = cluster.leader_history(third);
    return three && three->total() == 3;
  }));
  EXPECT_EQ(three->changes(0).reason(), "election");
  EXPECT_EQ(three->changes(0).previous_leader(), fmt::format("ctl{}", target));
  for (NodeId id : survivors) {  // each controller's own copy
    std::optional<api::LeaderHistory> own;
    EXPECT_TRUE(eventually(kElectionBound, [&] {
      own = cluster.leader_history(id, /*local=*/true);
      return own && own->total() == 3;
    })) << "node " << id;
    if (own) {
      EXPECT_EQ(own->DebugString(), three->DebugString()) << "node " << id;
    }
  }

  CommandResult table = run_quorumctl(
      fmt::format("--host {} --timeout 5 controller --history --batch", cluster.api_address(third)),
      cluster.dir());
  EXPECT_EQ(table.exit_code, 0) << table.err;
  std::istringstream lines(table.out);
  std::vector<std::string> rows;
  for (std::string line; std::getline(lines, line);) rows.push_back(line);
  ASSERT_EQ(rows.size(), 3u) << table.out;
  EXPECT_NE(rows[0].find(fmt::format(" ctl{} ", third)), std::string::npos) << rows[0];
  EXPECT_NE(rows[0].find(fmt::format(" ctl{} (term {})", target, two->changes(0).term())),
            std::string::npos)
      << rows[0];
  EXPECT_NE(rows[1].find("transfer"), std::string::npos) << rows[1];
  CommandResult misuse = run_quorumctl(
      fmt::format("--host {} controller --history --long", cluster.api_address(third)), cluster.dir());
  EXPECT_EQ(misuse.exit_code, 64) << misuse.err;
  // The transport's hostile-peer counters are on /metrics (nothing hostile happened here).
  EXPECT_EQ(cluster.metric(third, "quorum_peer_handshakes_timed_out_total"), "0");
  EXPECT_EQ(cluster.metric(third, "quorum_peer_frames_timed_out_total"), "0");
}

TEST(Integration, MalformedBytesOnThePeerPortCloseTheConnectionAndTheClusterCarriesOn) {
  TestCluster cluster({});
  cluster.start_all();
  ASSERT_NE(cluster.wait_leader(cluster.ids(), kElectionBound), kNoNode);
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket raw(io);
  raw.connect({boost::asio::ip::make_address("127.0.0.1"), cluster.node(2).raft_port});
  // The right magic, then a frame version nobody speaks.
  const std::string garbage = "QRM1\x7f garbage that is not a frame";
  boost::asio::write(raw, boost::asio::buffer(garbage));
  char byte = 0;
  boost::system::error_code ec;
  boost::asio::read(raw, boost::asio::buffer(&byte, 1), ec);
  EXPECT_TRUE(ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset) << ec.message();
  // The daemon closes the socket first and then counts and logs the refusal: the EOF seen here
  // does not mean the counter and the log line are there yet. Wait for those facts themselves.
  EXPECT_TRUE(eventually(10s, [&] { return cluster.metric(2, "quorum_frames_rejected_total") == "1"; }))
      << cluster.metric(2, "quorum_frames_rejected_total");
  EXPECT_TRUE(eventually(10s, [&] {
    return cluster.log_text(2).find("malformed frame") != std::string::npos;
  })) << cluster.log_text(2);
  EXPECT_NE(cluster.wait_leader(cluster.ids(), kElectionBound), kNoNode);
}

TEST(Integration, ACorruptRocksDbRecordRefusesTheStartAndNamesTheKey) {
  TestCluster cluster({});
  cluster.start_all();
  ASSERT_NE(cluster.wait_leader(cluster.ids(), kElectionBound), kNoNode);
  ASSERT_EQ(cluster.request(1, "PUT", "/v1/config/x.cnf", "x")->status, 200u);
  ASSERT_TRUE(eventually(10s, [&] { return cluster.config_file(2, "x.cnf").has_value(); }));
  cluster.kill(2, SIGTERM);
  ASSERT_TRUE(cluster.wait_exit(2, 10s).has_value());

  std::string damaged_key;
  {
    rocksdb::DB* raw_db = nullptr;
    rocksdb::Options options;
    ASSERT_TRUE(rocksdb::DB::Open(options, cluster.data_dir(2) + "/raft", &raw_db).ok());
    std::unique_ptr<rocksdb::DB> db(raw_db);
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}));
    for (it->Seek("log/"); it->Valid() && it->key().starts_with("log/"); it->Next()) {
      damaged_key = it->key().ToString();  // the last log record
    }
    ASSERT_FALSE(damaged_key.empty());
    std::string value;
    ASSERT_TRUE(db->Get({}, damaged_key, &value).ok());
    value[value.size() / 2] = static_cast<char>(value[value.size() / 2] ^ 0x5a);  // one flipped byte
    rocksdb::WriteOptions sync;
    sync.sync = true;
    ASSERT_TRUE(db->Put(sync, damaged_key, value).ok());
  }
  cluster.start(2);
  std::optional<int> status = cluster.wait_exit(2, 10s);
  ASSERT_TRUE(status.has_value()) << "a node with a corrupt record must refuse to start";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) != 0);
  EXPECT_NE(cluster.log_text(2).find(damaged_key), std::string::npos) << cluster.log_text(2);
}

TEST(Integration, TlsClusterElectsAndRefusesAPeerWhoseCertificateIsNotFromTheClusterCa) {
  ClusterOptions options;
  options.tls = true;
  TestCluster cluster(options);
  // Node 3 gets a certificate from a foreign CA (it still trusts the cluster CA itself).
  ASSERT_EQ(shell(fmt::format(
                "cd {} && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=foreign-ca "
                "-keyout foreign.key -out foreign.pem >/dev/null 2>&1 && openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                "-nodes -subj /CN=ctl3 -keyout n3/node.key -out n3/node.csr >/dev/null 2>&1 && "
                "openssl x509 -req -in n3/node.csr -CA foreign.pem -CAkey foreign.key "
                "-CAcreateserial -days 2 -out n3/node.pem >/dev/null 2>&1",
                cluster.dir())),
            0);
  // Node 3's API serves the foreign certificate too: the test's client trusts that CA for it.
  cluster.set_client_tls(3, {cluster.dir() + "/foreign.pem", cluster.dir() + "/admin.pem",
                             cluster.dir() + "/admin.key"});
  cluster.start_all();
  const NodeId leader = cluster.wait_leader({1, 2}, kElectionBound);
  ASSERT_NE(leader, kNoNode);
  ASSERT_EQ(cluster.request(leader, "PUT", "/v1/config/tls.cnf", "t")->status, 200u);
  EXPECT_TRUE(eventually(10s, [&] { return cluster.config_file(2, "tls.cnf").has_value(); }));
  EXPECT_TRUE(eventually(10s, [&] {
    return cluster.log_text(1).find("tls handshake") != std::string::npos ||
           cluster.log_text(2).find("tls handshake") != std::string::npos;
  }));
  std::optional<api::Status> outsider = cluster.status(3);
  ASSERT_TRUE(outsider.has_value());
  EXPECT_EQ(outsider->leader_id(), kNoNode) << "node 3 must not have joined";
  EXPECT_FALSE(cluster.config_file(3, "tls.cnf").has_value());
}

}  // namespace
}  // namespace quorum::integration

namespace quorum::integration {
namespace {

using namespace std::chrono_literals;

TEST(IntegrationFaults, AMinorityLeaderStepsDownOnRealSockets) {
  TestCluster cluster({});
  FaultProxy proxy(cluster);
  ASSERT_TRUE(proxy.ok()) << "fault proxy did not start (see " << cluster.dir() << "/fault-proxy.out)";
  cluster.start_all();
  const NodeId leader = cluster.wait_leader(cluster.ids(), 10s);
  ASSERT_NE(leader, kNoNode);
  for (NodeId id : cluster.ids()) {
    if (id != leader) {
      ASSERT_TRUE(proxy.command(fmt::format("cut {} {}", leader, id)));
    }
  }
  // CheckQuorum: within about one election timeout (500 ms) of losing the majority.
  EXPECT_TRUE(eventually(4s, [&] {
    std::optional<api::Status> s = cluster.status(leader);
    return s && s->role() != "leader";
  })) << "the isolated leader kept leading";
  std::vector<NodeId> majority;
  for (NodeId id : cluster.ids()) {
    if (id != leader) majority.push_back(id);
  }
  const NodeId next = cluster.wait_leader(majority, 10s);
  EXPECT_NE(next, kNoNode);
  EXPECT_NE(next, leader);
  ASSERT_TRUE(proxy.command("heal"));
  EXPECT_EQ(cluster.wait_leader(cluster.ids(), 10s), next) << "after heal everyone follows the new leader";
}

TEST(IntegrationFaults, ARejoiningNodeDoesNotDeposeTheLeader) {
  TestCluster cluster({});
  FaultProxy proxy(cluster);
  ASSERT_TRUE(proxy.ok());
  cluster.start_all();
  const NodeId leader = cluster.wait_leader(cluster.ids(), 10s);
  ASSERT_NE(leader, kNoNode);
  const std::uint64_t term = cluster.status(leader)->term();
  const NodeId isolated = leader % 3 + 1;
  for (NodeId id : cluster.ids()) {
    if (id != isolated) {
      ASSERT_TRUE(proxy.command(fmt::format("cut {} {}", isolated, id)));
    }
  }
  // Alone, it times out and campaigns (pre-votes) in vain: proof that the cut is real.
  EXPECT_TRUE(eventually(5s, [&] {
    std::optional<api::Status> s = cluster.status(isolated);
    return s && s->role() != "follower";
  }));
  std::this_thread::sleep_for(2s);  // several more election timeouts alone
  ASSERT_TRUE(proxy.command("heal"));
  ASSERT_TRUE(eventually(10s, [&] {
    std::optional<api::Status> s = cluster.status(isolated);
    return s && s->leader_id() == leader;
  })) << "the rejoined node should follow the existing leader";
  std::optional<api::Status> after = cluster.status(leader);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->role(), "leader");
  EXPECT_EQ(after->term(), term) << "PreVote: the rejoining node must not bump the term";
}

}  // namespace
}  // namespace quorum::integration
