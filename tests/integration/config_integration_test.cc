// Integration tests of the config path of issue 9 on real quorumd processes
// (tests/integration/harness.h): conflicting paths refused, materialisation errors visible,
// byte-exact reads, unmanaged files kept, CLI usage errors, the size limit, --wait, and the
// controller table without a leader. T = 500 ms.
#include <gtest/gtest.h>
#include <google/protobuf/util/json_util.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <fmt/format.h>

#include "tests/integration/harness.h"

namespace quorum::integration {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
namespace fs = std::filesystem;
constexpr auto kElectionBound = 10s;
constexpr std::size_t kLimit = 1 << 20;  // config_sync::kContentBytesMax, as documented

NodeId follower_of(NodeId leader) { return leader % 3 + 1; }

std::string ctl(const TestCluster& cluster, NodeId via, const std::string& args) {
  return fmt::format("--host {} --timeout 5 {}", cluster.api_address(via), args);
}

void write_file(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

// Item 1: conflicting paths are refused by the state machine, with the reason, and one path
// that cannot be written on one disk does not keep any other file from any disk.
TEST(IntegrationConfig, ConflictingPathsAreRefusedWithAReasonAndLaterWritesStillLand) {
  TestCluster cluster({});
  cluster.start_all();
  const NodeId leader = cluster.wait_leader(cluster.ids(), kElectionBound);
  ASSERT_NE(leader, kNoNode);
  ASSERT_EQ(cluster.request(leader, "PUT", "/v1/config/a/b/c.cnf", "deep")->status, 200u);
  Result<quorumctl::HttpReply> dir_as_file = cluster.request(leader, "PUT", "/v1/config/a/b", "x");
  ASSERT_TRUE(dir_as_file.has_value());
  EXPECT_EQ(dir_as_file->status, 409u) << dir_as_file->body;
  EXPECT_NE(dir_as_file->body.find("'a/b': it is the directory of 'a/b/c.cnf'"), std::string::npos)
      << dir_as_file->body;
  Result<quorumctl::HttpReply> file_as_dir = cluster.request(leader, "PUT", "/v1/config/a/b/c.cnf/d", "x");
  EXPECT_EQ(file_as_dir->status, 409u) << file_as_dir->body;
  EXPECT_NE(file_as_dir->body.find("'a/b/c.cnf' is a file"), std::string::npos) << file_as_dir->body;
  Result<quorumctl::HttpReply> temp = cluster.request(leader, "PUT", "/v1/config/.quorum-tmp.cmon.cnf", "x");
  EXPECT_EQ(temp->status, 400u) << temp->body;
  EXPECT_NE(temp->body.find("reserved prefix"), std::string::npos) << temp->body;
  ASSERT_EQ(cluster.request(leader, "PUT", "/v1/config/later.cnf", "later")->status, 200u);
  for (NodeId id : cluster.ids()) {
    EXPECT_TRUE(eventually(10s, [&] {
      return cluster.config_file(id, "later.cnf") == std::optional<std::string>("later") &&
             cluster.config_file(id, "a/b/c.cnf") == std::optional<std::string>("deep");
    })) << "node " << id;
    EXPECT_EQ(cluster.metric(id, "quorum_config_dir_errors"), "0") << "node " << id;
  }
}

// Item 1 and item 10: a path one node cannot write (a directory of the operator's stands where
// the file goes) is named in that node's status, /metrics and the table's COMMENT, and
// `config set --wait=all` exits 2 naming the node, while --wait (the leader) succeeds and the
// node still receives every other file.
TEST(IntegrationConfig, AMaterialisationErrorIsVisibleAndFailsWaitAll) {
  TestCluster cluster({});
  cluster.start_all();
  const NodeId leader = cluster.wait_leader(cluster.ids(), kElectionBound);
  ASSERT_NE(leader, kNoNode);
  const NodeId blocked = follower_of(leader);
  write_file(cluster.config_dir(blocked) + "/blocked.cnf/operator-file", "in the way");

  CommandResult all = run_quorumctl(ctl(cluster, leader, "config set blocked.cnf v1 --wait=all"), cluster.dir());
  EXPECT_EQ(all.exit_code, 2) << all.out << all.err;
  EXPECT_NE(all.err.find(fmt::format("not in config_dir of ctl{}", blocked)), std::string::npos) << all.err;
  EXPECT_NE(all.err.find("Is a directory"), std::string::npos) << all.err;
  EXPECT_NE(all.out.find(fmt::format("ctl{}", leader)), std::string::npos) << all.out;

  CommandResult on_leader = run_quorumctl(ctl(cluster, leader, "config set blocked.cnf v2 --wait"), cluster.dir());
  EXPECT_EQ(on_leader.exit_code, 0) << on_leader.err;
  EXPECT_NE(on_leader.out.find(fmt::format("(in config_dir on ctl{})", leader)), std::string::npos) << on_leader.out;
  EXPECT_EQ(cluster.config_file(leader, "blocked.cnf"), std::optional<std::string>("v2"));

  ASSERT_TRUE(eventually(10s, [&] { return cluster.metric(blocked, "quorum_config_dir_errors") == "1"; }))
      << cluster.metric(blocked, "quorum_config_dir_errors");
  std::optional<api::Status> status = cluster.status(blocked);
  ASSERT_TRUE(status.has_value());
  ASSERT_EQ(status->config_dir_errors_size(), 1);
  EXPECT_EQ(status->config_dir_errors(0).path(), "blocked.cnf");
  EXPECT_NE(cluster.log_text(blocked).find("cannot materialise 'blocked.cnf'"), std::string::npos);
  CommandResult table = run_quorumctl(ctl(cluster, leader, "controller --list --long --batch"), cluster.dir());
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("config_dir: cannot write 'blocked.cnf'"), std::string::npos) << table.out;

  // Every other file still reaches the blocked node; removing the obstacle heals the path.
  CommandResult other = run_quorumctl(ctl(cluster, leader, "config set other.cnf o --wait=all"), cluster.dir());
  EXPECT_EQ(other.exit_code, 0) << other.err;
  EXPECT_EQ(cluster.config_file(blocked, "other.cnf"), std::optional<std::string>("o"));
  fs::remove_all(cluster.config_dir(blocked) + "/blocked.cnf");
  EXPECT_TRUE(eventually(15s, [&] {
    return cluster.config_file(blocked, "blocked.cnf") == std::optional<std::string>("v2");
  }));
  EXPECT_TRUE(eventually(10s, [&] { return cluster.metric(blocked, "quorum_config_dir_errors") == "0"; }));
}

std::string random_bytes(std::mt19937_64& rng, std::size_t length) {
  std::string out(length, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

// Item 2: content is bytes on every read path: raw (quorumctl config get), JSON (base64) and
// the materialised file. Lengths: the edges (0, 1, the limit) and a random sample between;
// quorumd_test's ApiBytes covers every length up to 4 KiB of the encoders.
TEST(IntegrationConfig, ReadsAreByteExactForRandomBinaryContentUpToTheLimit) {
  TestCluster cluster({});
  cluster.start_all();
  const NodeId leader = cluster.wait_leader(cluster.ids(), kElectionBound);
  ASSERT_NE(leader, kNoNode);
  std::mt19937_64 rng(9);
  std::vector<std::string> contents = {"", std::string(1, '\0'), "caf\xe9", "a\0b"s, std::string("\xff\xfe\x00", 3)};
  for (std::size_t length : {std::size_t{255}, std::size_t{65536}, kLimit - 1, kLimit}) {
    contents.push_back(random_bytes(rng, length));
  }
  for (int i = 0; i < 8; ++i) contents.push_back(random_bytes(rng, rng() % kLimit));
  for (std::size_t i = 0; i < contents.size(); ++i) {
    const std::string& content = contents[i];
    const std::string path = fmt::format("bin/f{}", i);
    const std::string source = cluster.dir() + "/source";
    write_file(source, content);
    CommandResult set = run_quorumctl(ctl(cluster, leader, "config set " + path + " --file " + source), cluster.dir());
    ASSERT_EQ(set.exit_code, 0) << "length " << content.size() << ": " << set.err;
    CommandResult get = run_quorumctl(ctl(cluster, follower_of(leader), "config get " + path), cluster.dir());
    ASSERT_EQ(get.exit_code, 0) << get.err;
    EXPECT_TRUE(get.out == content) << "config get, length " << content.size() << " came back as " << get.out.size();
    Result<quorumctl::HttpReply> json = cluster.request(leader, "GET", "/v1/config/" + path);
    ASSERT_TRUE(json.has_value());
    api::ConfigFile file;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json->body, &file).ok());
    EXPECT_TRUE(file.content() == content) << "JSON, length " << content.size();
    EXPECT_TRUE(eventually(10s, [&] { return cluster.config_file(leader, path) == std::optional<std::string>(content); }))
        << "config_dir, length " << content.size();
  }
}

// Item 3: files nobody replicated are the operator's: kept and reported by default, deleted
// only with config_dir_unmanaged = delete.
TEST(IntegrationConfig, UnmanagedFilesAreKeptAndReportedUnlessDeletionIsConfigured) {
  ClusterOptions options;
  options.extra_config[3] = "config_dir_unmanaged = delete";
  TestCluster cluster(options);
  for (NodeId id : cluster.ids()) write_file(cluster.config_dir(id) + "/operator/own.cnf", "mine");
  cluster.start_all();
  const NodeId leader = cluster.wait_leader(cluster.ids(), kElectionBound);
  ASSERT_NE(leader, kNoNode);
  ASSERT_EQ(cluster.request(leader, "PUT", "/v1/config/replicated.cnf", "r")->status, 200u);
  for (NodeId id : cluster.ids()) {
    ASSERT_TRUE(eventually(10s, [&] { return cluster.config_file(id, "replicated.cnf").has_value(); }));
  }
  for (NodeId id : {NodeId{1}, NodeId{2}}) {
    EXPECT_TRUE(eventually(5s, [&] { return cluster.metric(id, "quorum_config_unmanaged_files") == "1"; }))
        << "node " << id << ": " << cluster.metric(id, "quorum_config_unmanaged_files");
    EXPECT_EQ(cluster.config_file(id, "operator/own.cnf"), std::optional<std::string>("mine"));
    std::optional<api::Status> status = cluster.status(id);
    ASSERT_TRUE(status.has_value());
    ASSERT_EQ(status->unmanaged_files_size(), 1);
    EXPECT_EQ(status->unmanaged_files(0), "operator/own.cnf");
    EXPECT_NE(cluster.log_text(id).find("unmanaged file in"), std::string::npos);
  }
  EXPECT_FALSE(cluster.config_file(3, "operator/own.cnf").has_value());
  EXPECT_EQ(cluster.metric(3, "quorum_config_unmanaged_files"), "0");
}

// Item 8: usage errors exit 64 with one clear line, before any request (the address is dead:
// a request would exit 1).
TEST(IntegrationConfig, UsageErrorsExit64WithAClearLine) {
  const std::string scratch = fs::temp_directory_path().string();
  struct Case {
    std::string args;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {"config set a --file", "--file needs a file name"},
           {"config set a", "VALUE missing"},
           {"config set a b c", "too many arguments"},
           {"config set a --bogus", "unknown option '--bogus'"},
           {"config set a b --if-version x", "--if-version takes a version number"},
           {"controller --transfer-leader --to", "--to needs a controller name"},
           {"controller --transfer-leader --to=", "--to needs a controller name"},
           {"status --host", "--host needs a value"},
           {"-o yaml status", "--output is text or json"},
       }) {
    CommandResult r = run_quorumctl("--host 127.0.0.1:1 " + c.args, scratch);
    EXPECT_EQ(r.exit_code, 64) << c.args << ": " << r.err;
    EXPECT_EQ(r.err.rfind("quorumctl: ", 0), 0u) << c.args;
    EXPECT_NE(r.err.substr(0, r.err.find('\n')).find(c.says), std::string::npos) << c.args << ": " << r.err;
  }
  CommandResult version = run_quorumctl("--version", scratch);
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("quorumctl ", 0), 0u) << version.out;
}

// Item 8: above the limit is HTTP 413 stating the limit, answered at once (no retry for
// --timeout), for a value just above it and for 4 MiB (was "Broken pipe"); exactly the limit
// is accepted (was refused by the leader).
TEST(IntegrationConfig, AboveTheLimitIs413WithTheLimitAndIsNotRetried) {
  TestCluster cluster({});
  cluster.start_all();
  const NodeId leader = cluster.wait_leader(cluster.ids(), kElectionBound);
  ASSERT_NE(leader, kNoNode);
  const std::string source = cluster.dir() + "/big";
  for (std::size_t length : {kLimit + 1, 4 * kLimit}) {
    write_file(source, std::string(length, 'x'));
    const auto start = std::chrono::steady_clock::now();
    CommandResult r = run_quorumctl(
        fmt::format("--host {} --timeout 30 config set big.cnf --file {}", cluster.api_address(leader), source),
        cluster.dir());
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("HTTP 413"), std::string::npos) << length << ": " << r.err;
    EXPECT_NE(r.err.find("above the limit of 1048576 bytes"), std::string::npos) << length << ": " << r.err;
    EXPECT_LT(took, 20s) << "retried like a 503";  // a retry would run the whole --timeout (30 s)
  }
  write_file(source, std::string(kLimit, 'y'));
  CommandResult exact = run_quorumctl(ctl(cluster, leader, "config set big.cnf --file " + source), cluster.dir());
  EXPECT_EQ(exact.exit_code, 0) << exact.err;
}

// Item 9: with the majority lost, the table shows each reachable node's own view and says
// that there is no leader.
TEST(IntegrationConfig, ListLongWithoutAMajorityShowsEveryReachableNodesOwnView) {
  TestCluster cluster({});
  cluster.start_all();
  const NodeId leader = cluster.wait_leader(cluster.ids(), kElectionBound);
  ASSERT_NE(leader, kNoNode);
  ASSERT_EQ(cluster.request(leader, "PUT", "/v1/config/x.cnf", "x")->status, 200u);
  const NodeId survivor = follower_of(leader);
  for (NodeId id : cluster.ids()) {
    if (id != survivor) cluster.kill(id, SIGKILL);
  }
  ASSERT_TRUE(eventually(kElectionBound, [&] {
    std::optional<api::Status> s = cluster.status(survivor);
    return s && s->leader_id() == 0;
  }));
  CommandResult table = run_quorumctl(ctl(cluster, survivor, "controller --list --long"), cluster.dir());
  EXPECT_EQ(table.exit_code, 1) << table.err;
  EXPECT_NE(table.out.find("No leader: each reachable controller's own view."), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("no leader"), std::string::npos) << table.out;
  std::istringstream lines(table.out);
  std::string line;
  int unreachable = 0;
  bool survivor_row = false;
  while (std::getline(lines, line)) {
    if (line.find(fmt::format(" ctl{} ", survivor)) != std::string::npos) {
      survivor_row = true;
      EXPECT_NE(line.find("No leader known."), std::string::npos) << line;
      EXPECT_NE(line.find(", term "), std::string::npos) << line;
      EXPECT_NE(line.find("commit index "), std::string::npos) << line;
      EXPECT_NE(line.find("last contact with a leader "), std::string::npos) << line;
    } else if (line.find("Unreachable: ") != std::string::npos) {
      EXPECT_EQ(line[0], '-') << line;
      ++unreachable;
    }
  }
  EXPECT_TRUE(survivor_row) << table.out;
  EXPECT_EQ(unreachable, 2) << table.out;
}

// Item 11: a transfer to the node that already leads is not an error.
TEST(IntegrationConfig, TransferToTheCurrentLeaderSaysSoAndExits0) {
  TestCluster cluster({});
  cluster.start_all();
  const NodeId leader = cluster.wait_leader(cluster.ids(), kElectionBound);
  ASSERT_NE(leader, kNoNode);
  CommandResult r = run_quorumctl(
      ctl(cluster, follower_of(leader), fmt::format("controller --transfer-leader --to ctl{}", leader)), cluster.dir());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(fmt::format("ctl{} is already the leader", leader)), std::string::npos) << r.out;
}

// Item 11: error bodies carry no "leaderId":"0"; every JSON integer is a string; a follower
// that never acknowledged in this term has no lag (unknown), not 0; no "follower -> follower"
// or "peer 0" log lines; config writes leave an audit line naming the client certificate.
TEST(IntegrationConfig, SmallOnesJsonErrorBodiesLogLinesAndTheAuditLine) {
  ClusterOptions options;
  options.tls = true;
  TestCluster cluster(options);
  cluster.start_all();
  const NodeId leader = cluster.wait_leader(cluster.ids(), kElectionBound);
  ASSERT_NE(leader, kNoNode);
  Result<quorumctl::HttpReply> missing = cluster.request(follower_of(leader), "GET", "/v1/nope");
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->status, 404u);
  EXPECT_EQ(missing->body.find("leaderId"), std::string::npos) << missing->body;
  ASSERT_EQ(cluster.request(leader, "PUT", "/v1/config/audited.cnf", "a")->status, 200u);
  EXPECT_TRUE(eventually(5s, [&] {
    const std::string log = cluster.log_text(leader);
    return log.find("config PUT 'audited.cnf' version ") != std::string::npos &&
           log.find("by /CN=quorum-admin (127.0.0.1:") != std::string::npos;
  })) << cluster.log_text(leader);
  Result<quorumctl::HttpReply> status = cluster.request(leader, "GET", "/v1/status");
  EXPECT_NE(status->body.find("\"configFiles\":\"1\""), std::string::npos) << status->body;
  // The follower that dies is never heard in the next term: its lag is unknown.
  const NodeId dead = follower_of(leader);
  const NodeId next = 6 - leader - dead;
  cluster.kill(dead, SIGKILL);
  CommandResult moved = run_quorumctl(
      fmt::format("--host {} --cacert {} --cert {} --key {} --timeout 10 controller --transfer-leader --to ctl{}",
                  cluster.api_address(leader), cluster.client_tls(leader).ca_file,
                  cluster.client_tls(leader).cert_file, cluster.client_tls(leader).key_file, next),
      cluster.dir());
  ASSERT_EQ(moved.exit_code, 0) << moved.err;
  // Only the old leader, now a follower that acknowledges, has a known lag; the dead node's
  // (and the leader's own row) has none ("lagEntries" used to be "0" on every row).
  Result<quorumctl::HttpReply> table = Status::unavailable("not asked yet");
  EXPECT_TRUE(eventually(5s, [&] {
    table = cluster.request(next, "GET", "/v1/controllers");
    if (!table || table->status != 200) return false;
    api::ControllerList list;
    if (!google::protobuf::util::JsonStringToMessage(table->body, &list).ok()) return false;
    int known = 0;
    bool dead_unknown = false;
    for (const api::Controller& row : list.controllers()) {
      known += row.has_lag_entries() ? 1 : 0;
      if (row.node_id() == dead) dead_unknown = !row.has_lag_entries();
    }
    return dead_unknown && known == 1;
  })) << (table ? table->body : table.error().to_string());
  ASSERT_TRUE(table.has_value());
  EXPECT_NE(table->body.find("\"port\":\""), std::string::npos) << table->body;
  EXPECT_NE(table->body.find("\"total\":\"3\""), std::string::npos) << table->body;
  EXPECT_TRUE(eventually(5s, [&] {
    return cluster.log_text(next).find("transfer_completed term ") != std::string::npos;
  }));
  for (NodeId id : cluster.ids()) {
    const std::string log = cluster.log_text(id);
    EXPECT_EQ(log.find("follower -> follower"), std::string::npos) << "node " << id;
    EXPECT_EQ(log.find("peer 0 "), std::string::npos) << "node " << id;
  }
}

// Feature: GET /health on the unauthenticated health_port of a TLS cluster (no client
// certificate, plain HTTP): up, role, leader; ?leader=true answers 503 on a follower.
TEST(IntegrationConfig, HealthIsServedWithoutAClientCertificateOnTheHealthPort) {
  ClusterOptions options;
  options.tls = true;
  const std::uint16_t health_port = free_port();
  options.extra_config[1] = fmt::format("health_port = {}", health_port);
  TestCluster cluster(options);
  cluster.start_all();
  const NodeId leader = cluster.wait_leader(cluster.ids(), kElectionBound);
  ASSERT_NE(leader, kNoNode);
  quorumctl::ClientOptions plain;
  plain.hosts = {fmt::format("http://127.0.0.1:{}", health_port)};
  plain.wait_for_leader = 0ms;
  Result<quorumctl::HttpReply> health = quorumctl::http_request(plain, "GET", "/health", "");
  ASSERT_TRUE(health.has_value()) << health.error().to_string();
  EXPECT_EQ(health->status, 200u) << health->body;
  EXPECT_NE(health->body.find("\"status\":\"up\""), std::string::npos) << health->body;
  EXPECT_NE(health->body.find("\"hasLeader\":true"), std::string::npos) << health->body;
  Result<quorumctl::HttpReply> as_leader = quorumctl::http_request(plain, "GET", "/health?leader=true", "");
  EXPECT_EQ(as_leader->status, leader == 1 ? 200u : 503u) << as_leader->body;
  Result<quorumctl::HttpReply> other = quorumctl::http_request(plain, "GET", "/v1/status", "");
  EXPECT_EQ(other->status, 404u) << other->body;  // nothing else is served without a certificate
}

// Feature: config edit (fetch, $EDITOR, diff, put-if-version) and config set --if-version.
TEST(IntegrationConfig, EditWritesTheEditAndRefusesWhenTheFileChangedMeanwhile) {
  TestCluster cluster({});
  cluster.start_all();
  const NodeId leader = cluster.wait_leader(cluster.ids(), kElectionBound);
  ASSERT_NE(leader, kNoNode);
  const std::string host = cluster.api_address(leader);
  auto get = [&] { return run_quorumctl(fmt::format("--host {} config get e.cnf", host), cluster.dir()).out; };
  ASSERT_EQ(run_quorumctl(fmt::format("--host {} config set e.cnf value=1", host), cluster.dir()).exit_code, 0);
  CommandResult edit = run_quorumctl(fmt::format("--host {} config edit e.cnf", host), cluster.dir(),
                                     "EDITOR='sed -i s/1/2/'");
  EXPECT_EQ(edit.exit_code, 0) << edit.err;
  EXPECT_NE(edit.out.find("+value=2"), std::string::npos) << edit.out;  // the diff is shown
  EXPECT_EQ(get(), "value=2");
  CommandResult unchanged = run_quorumctl(fmt::format("--host {} config edit e.cnf", host), cluster.dir(), "EDITOR=true");
  EXPECT_EQ(unchanged.exit_code, 0) << unchanged.err;
  EXPECT_NE(unchanged.out.find("e.cnf: no change"), std::string::npos) << unchanged.out;
  // A concurrent change while the editor runs: the edit is refused, kept, and says why.
  const std::string racer = cluster.dir() + "/racer.sh";
  write_file(racer, fmt::format("#!/bin/sh\n{} --host {} config set e.cnf concurrent >/dev/null && sed -i s/2/3/ \"$1\"\n",
                                quorumctl_path(), host));
  fs::permissions(racer, fs::perms::owner_all);
  CommandResult raced = run_quorumctl(fmt::format("--host {} config edit e.cnf", host), cluster.dir(), "EDITOR=" + racer);
  EXPECT_EQ(raced.exit_code, 1) << raced.out;
  EXPECT_NE(raced.err.find("version mismatch"), std::string::npos) << raced.err;
  EXPECT_NE(raced.err.find("your edit is kept in"), std::string::npos) << raced.err;
  EXPECT_EQ(get(), "concurrent");
  CommandResult stale = run_quorumctl(fmt::format("--host {} config set e.cnf x --if-version 1", host), cluster.dir());
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_NE(stale.err.find("version mismatch: 'e.cnf': expected version 1, current version is"), std::string::npos)
      << stale.err;
  EXPECT_EQ(get(), "concurrent");
}

// Feature: --watch prints the table again until interrupted.
TEST(IntegrationConfig, WatchRefreshesTheTable) {
  TestCluster cluster({});
  cluster.start_all();
  const NodeId leader = cluster.wait_leader(cluster.ids(), kElectionBound);
  ASSERT_NE(leader, kNoNode);
  CommandResult watch = run_quorumctl(
      fmt::format("--host {} controller --list --long --watch=0.3", cluster.api_address(leader)), cluster.dir(),
      "", "timeout -s INT 3");
  std::size_t rounds = 0;
  for (std::size_t at = watch.out.find("Total: 3 controller(s)"); at != std::string::npos;
       at = watch.out.find("Total: 3 controller(s)", at + 1)) {
    ++rounds;
  }
  EXPECT_GE(rounds, 2u) << watch.out;
  EXPECT_NE(watch.out.find("Every 0.3s: quorumctl controller --list --long"), std::string::npos) << watch.out;
}

}  // namespace
}  // namespace quorum::integration
