#include "tests/integration/harness.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

extern char** environ;  // NOLINT

namespace quorum::integration {

namespace fs = std::filesystem;

bool eventually(std::chrono::milliseconds timeout, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

int shell(const std::string& command) { return std::system(command.c_str()); }  // NOLINT

std::string quorumctl_path() { return QUORUMCTL_PATH; }

CommandResult run_quorumctl(const std::string& args, const std::string& scratch_dir, const std::string& env,
                            const std::string& wrapper) {
  const std::string out_path = scratch_dir + "/quorumctl.out";
  const std::string err_path = scratch_dir + "/quorumctl.err";
  const int status = shell(fmt::format("{} {} {} {} >{} 2>{}", env.empty() ? "" : "env " + env, wrapper,
                                       QUORUMCTL_PATH, args, out_path, err_path));
  CommandResult result;
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  auto slurp = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  result.out = slurp(out_path);
  result.err = slurp(err_path);
  return result;
}

TestCluster::TestCluster(ClusterOptions options) : options_(std::move(options)) {
  char pattern[] = "/tmp/quorum-itest.XXXXXX";
  const char* made = ::mkdtemp(pattern);
  dir_ = made != nullptr ? made : "/tmp/quorum-itest";
  for (int i = 1; i <= options_.nodes; ++i) {
    NodeInfo info;
    info.id = static_cast<NodeId>(i);
    info.raft_port = free_port();
    info.peer_port = info.raft_port;
    info.http_port = free_port();
    nodes_[info.id] = info;
    fs::create_directories(fmt::format("{}/n{}", dir_, i));
  }
  if (options_.tls) make_tls_files();
  write_configs();
}

TestCluster::~TestCluster() {
  for (auto& [id, info] : nodes_) {
    if (info.pid > 0) {
      ::kill(info.pid, SIGKILL);
      ::waitpid(info.pid, nullptr, 0);
    }
  }
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  if (test != nullptr && test->result()->Failed()) {
    std::fprintf(stderr, "integration: kept %s (node logs in n*/quorumd.log)\n", dir_.c_str());
    return;
  }
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

void TestCluster::make_tls_files() {
  // One cluster CA; each node's certificate is signed by it (CN = node name).
  const std::string script = fmt::format(
      "cd {} && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=quorum-test-ca "
      "-keyout ca.key -out ca.pem >/dev/null 2>&1",
      dir_);
  EXPECT_EQ(shell(script), 0);
  for (const auto& [id, info] : nodes_) {
    EXPECT_EQ(shell(fmt::format(
                  "cd {} && openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=ctl{} -keyout n{}/node.key "
                  "-out n{}/node.csr >/dev/null 2>&1 && openssl x509 -req -in n{}/node.csr -CA ca.pem "
                  "-CAkey ca.key -CAcreateserial -days 2 -out n{}/node.pem >/dev/null 2>&1",
                  dir_, id, id, id, id, id)),
              0);
  }
  EXPECT_EQ(shell(fmt::format(
                "cd {} && openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=quorum-admin "
                "-keyout admin.key -out admin.csr >/dev/null 2>&1 && openssl x509 -req -in admin.csr "
                "-CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out admin.pem >/dev/null 2>&1",
                dir_)),
            0);
}

quorumctl::ClientTls TestCluster::client_tls(NodeId id) const {
  auto it = client_tls_.find(id);
  if (it != client_tls_.end()) return it->second;
  return {dir_ + "/ca.pem", dir_ + "/admin.pem", dir_ + "/admin.key"};
}

void TestCluster::write_configs() {
  for (const auto& [id, info] : nodes_) {
    std::string peers;
    for (const auto& [peer_id, peer] : nodes_) {
      auto dial = dial_ports_.find({id, peer_id});
      const std::uint16_t port = dial != dial_ports_.end() ? dial->second : peer.peer_port;
      if (!peers.empty()) peers += ", ";
      peers += fmt::format("{}@ctl{}@127.0.0.1:{}:{}", peer_id, peer_id, port, peer.http_port);
    }
    for (const auto& [phantom_id, port] : options_.phantom_peers) {
      peers += fmt::format(", {}@ctl{}@127.0.0.1:{}:0", phantom_id, phantom_id, port);
    }
    std::ofstream out(fmt::format("{}/n{}/quorumd.cnf", dir_, id));
    out << fmt::format(
        "node_id = {}\ncluster_id = \"{}\"\n{} = {}\nhttp_port = {}\n"
        "peers = {}\ndata_dir = {}\nconfig_dir = {}\nheartbeat_interval_ms = {}\n"
        "election_timeout_ms = {}\n",
        id, options_.cluster_id, options_.tls ? "tls_port" : "raft_port", info.raft_port, info.http_port,
        peers, data_dir(id),
        config_dir(id), options_.heartbeat_interval_ms, options_.election_timeout_ms);
    if (options_.tls) {
      out << fmt::format("tls_ca_file = {0}/ca.pem\ntls_cert_file = {0}/n{1}/node.pem\n"
                         "tls_key_file = {0}/n{1}/node.key\n",
                         dir_, id);
    }
    if (options_.pool) {
      out << fmt::format("session_lease_ms = {}\n", options_.session_lease_ms);
    } else {
      out << "pool_register = off\n";
    }
    auto extra = options_.extra_config.find(id);
    if (extra != options_.extra_config.end()) out << extra->second << "\n";
  }
}

namespace {

template <typename M>
std::optional<M> parsed_reply(const Result<quorumctl::HttpReply>& reply) {
  if (!reply || reply->status != 200) return std::nullopt;
  M message;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(reply->body, &message, options).ok()) return std::nullopt;
  return message;
}

}  // namespace

std::optional<api::MayAct> TestCluster::may_act(NodeId id, const std::string& cluster) const {
  return parsed_reply<api::MayAct>(
      request(id, "GET", "/v1/ownership/may-act?cluster=" + cluster, "", /*follow=*/false));
}

void TestCluster::start(NodeId id) {
  NodeInfo& info = nodes_.at(id);
  ASSERT_LE(info.pid, 0) << "node " << id << " already running";
  const std::string config = fmt::format("{}/n{}/quorumd.cnf", dir_, id);
  const std::string log = fmt::format("{}/n{}/quorumd.log", dir_, id);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::string binary = QUORUMD_PATH;
  std::vector<char*> argv = {binary.data(), const_cast<char*>("--config"), const_cast<char*>(config.c_str()),
                             nullptr};
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ASSERT_EQ(rc, 0) << "spawn " << binary;
  info.pid = pid;
}

void TestCluster::start_all() {
  for (const auto& [id, info] : nodes_) start(id);
}

void TestCluster::kill(NodeId id, int signal_number) {
  NodeInfo& info = nodes_.at(id);
  ASSERT_GT(info.pid, 0);
  ::kill(info.pid, signal_number);
  if (signal_number == SIGKILL) {
    ::waitpid(info.pid, nullptr, 0);
    info.pid = -1;
  }
}

std::optional<int> TestCluster::wait_exit(NodeId id, std::chrono::milliseconds timeout) {
  NodeInfo& info = nodes_.at(id);
  if (info.pid <= 0) return std::nullopt;
  int status = 0;
  const bool exited = eventually(timeout, [&] { return ::waitpid(info.pid, &status, WNOHANG) == info.pid; });
  if (!exited) return std::nullopt;
  info.pid = -1;
  return status;
}

std::vector<NodeId> TestCluster::ids() const {
  std::vector<NodeId> out;
  for (const auto& [id, info] : nodes_) out.push_back(id);
  return out;
}

std::string TestCluster::api_address(NodeId id) const {
  return fmt::format("127.0.0.1:{}", nodes_.at(id).http_port);
}

std::string TestCluster::metric(NodeId id, const std::string& name) const {
  Result<quorumctl::HttpReply> reply = request(id, "GET", "/metrics");
  if (!reply) return "";
  std::istringstream lines(reply->body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(name + " ", 0) == 0) return line.substr(name.size() + 1);
  }
  return "";
}

Result<quorumctl::HttpReply> TestCluster::request(NodeId id, const std::string& method,
                                                  const std::string& target, const std::string& body,
                                                  bool follow) const {
  quorumctl::ClientOptions options;
  options.hosts = {api_address(id)};
  options.follow_redirects = follow;
  options.wait_for_leader = std::chrono::milliseconds(0);
  options.io_timeout = std::chrono::milliseconds(3000);
  if (options_.tls) options.tls = client_tls(id);
  return quorumctl::http_request(options, method, target, body);
}

std::optional<api::Status> TestCluster::status(NodeId id) const {
  Result<quorumctl::HttpReply> reply = request(id, "GET", "/v1/status");
  if (!reply || reply->status != 200) return std::nullopt;
  api::Status status;
  if (!google::protobuf::util::JsonStringToMessage(reply->body, &status).ok()) return std::nullopt;
  return status;
}

NodeId TestCluster::wait_leader(const std::vector<NodeId>& among, std::chrono::milliseconds timeout) const {
  NodeId leader = kNoNode;
  const bool agreed = eventually(timeout, [&] {
    NodeId seen = kNoNode;
    for (NodeId id : among) {
      std::optional<api::Status> s = status(id);
      if (!s || s->leader_id() == kNoNode) return false;
      if (seen != kNoNode && s->leader_id() != seen) return false;
      seen = s->leader_id();
    }
    std::optional<api::Status> s = status(seen);
    if (!s || s->role() != "leader") return false;
    leader = seen;
    return true;
  });
  return agreed ? leader : kNoNode;
}

std::string TestCluster::data_dir(NodeId id) const { return fmt::format("{}/n{}/data", dir_, id); }
std::string TestCluster::config_dir(NodeId id) const { return fmt::format("{}/n{}/config", dir_, id); }

std::string TestCluster::log_text(NodeId id) const {
  std::ifstream in(fmt::format("{}/n{}/quorumd.log", dir_, id));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<std::string> TestCluster::config_file(NodeId id, const std::string& path) const {
  std::ifstream in(config_dir(id) + "/" + path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

namespace {

template <typename M>
std::optional<M> get_json(const TestCluster& cluster, NodeId via, const std::string& target) {
  Result<quorumctl::HttpReply> reply = cluster.request(via, "GET", target);
  if (!reply || reply->status != 200) return std::nullopt;
  M message;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(reply->body, &message, options).ok()) return std::nullopt;
  return message;
}

}  // namespace

std::optional<api::PoolClusterList> TestCluster::pool_clusters(NodeId via) const {
  return get_json<api::PoolClusterList>(*this, via, "/v1/ownership/clusters");
}

std::optional<api::PoolControllerList> TestCluster::pool_controllers(NodeId via) const {
  return get_json<api::PoolControllerList>(*this, via, "/v1/ownership/controllers");
}

std::optional<api::LeaderHistory> TestCluster::leader_history(NodeId via, bool local) const {
  return get_json<api::LeaderHistory>(*this, via,
                                      local ? "/v1/controllers/history?local=true"
                                            : "/v1/controllers/history");
}

bool TestCluster::add_pool_cluster(NodeId via, const std::string& name) const {
  Result<quorumctl::HttpReply> reply =
      request(via, "POST", "/v1/ownership/clusters", fmt::format("{{\"name\":\"{}\"}}", name));
  return reply && reply->status >= 200 && reply->status < 300;
}

BackgroundShell::BackgroundShell(const std::string& script, const std::string& log_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  std::string shell_path = "/bin/bash";
  std::vector<char*> argv = {shell_path.data(), const_cast<char*>("-c"), const_cast<char*>(script.c_str()),
                             nullptr};
  if (posix_spawn(&pid_, shell_path.c_str(), &actions, &attr, argv.data(), environ) != 0) pid_ = -1;
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
}

void BackgroundShell::stop() {
  if (pid_ <= 0) return;
  ::kill(-pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

FaultProxy::FaultProxy(TestCluster& cluster) {
  std::vector<std::string> args = {FAULT_PROXY_PATH, "--control", "0"};
  const std::vector<NodeId> ids = cluster.ids();
  for (NodeId from : ids) {
    for (NodeId to : ids) {
      if (from < to) {
        args.push_back("--link");
        args.push_back(fmt::format("{}:{}:0:{}", from, to, cluster.node(to).raft_port));
      }
    }
  }
  if (std::string(FAULT_PROXY_PATH).empty()) return;
  const std::string out_path = cluster.dir() + "/fault-proxy.out";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    return;
  }
  // Waits for "ready" after "control 127.0.0.1:P" and one "link A->B 127.0.0.1:L -> ..." each.
  std::string text;
  const bool ready = eventually(std::chrono::seconds(10), [&] {
    std::ifstream in(out_path);
    std::stringstream all;
    all << in.rdbuf();
    text = all.str();
    return text.find("\nready") != std::string::npos || text.rfind("ready", 0) == 0;
  });
  if (!ready) return;
  std::istringstream lines(text);
  std::string line;
  std::uint16_t control = 0;
  while (std::getline(lines, line)) {
    unsigned from = 0, to = 0, port = 0;
    if (std::sscanf(line.c_str(), "control 127.0.0.1:%u", &port) == 1) {
      control = static_cast<std::uint16_t>(port);
    } else if (std::sscanf(line.c_str(), "link %u->%u 127.0.0.1:%u", &from, &to, &port) == 3) {
      cluster.set_dial_port(from, to, static_cast<std::uint16_t>(port));
    }
  }
  control_port_ = control;
  cluster.write_configs();
}

FaultProxy::~FaultProxy() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

bool FaultProxy::command(const std::string& text) const {
  return shell(fmt::format("{} --send {} {} >/dev/null 2>&1", FAULT_PROXY_PATH, control_port_, text)) == 0;
}

}  // namespace quorum::integration
