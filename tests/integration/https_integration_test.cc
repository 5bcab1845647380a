// Integration tests of the HTTPS API: real quorumd processes with TLS configured (peers on TLS,
// API on HTTPS with client certificates required), driven through the quorumctl binary and the
// client library. Bounded: every wait has a deadline.
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "tests/integration/harness.h"

namespace quorum::integration {
namespace {

using namespace std::chrono_literals;
constexpr auto kElectionBound = 10s;  // 20 election timeouts of 500 ms

// "--host 127.0.0.1:P --cacert D/ca.pem --cert D/admin.pem --key D/admin.key" for node `id`.
std::string tls_args(const TestCluster& cluster, NodeId id, const std::string& ca,
                     const std::string& client) {
  std::string args = fmt::format("--host {} --timeout 5 --cacert {}/{}.pem", cluster.api_address(id),
                                 cluster.dir(), ca);
  if (!client.empty()) args += fmt::format(" --cert {0}/{1}.pem --key {0}/{1}.key", cluster.dir(), client);
  return args;
}

int lines(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n' ? 1 : 0;
  return n;
}

TEST(IntegrationHttps, QuorumctlWritesThroughAFollowerByFollowingAnHttpsRedirectToTheLeader) {
  ClusterOptions options;
  options.tls = true;
  TestCluster cluster(options);
  cluster.start_all();
  const NodeId leader = cluster.wait_leader(cluster.ids(), kElectionBound);
  ASSERT_NE(leader, kNoNode);
  const NodeId follower = leader % 3 + 1;

  // The follower's redirect names the leader's HTTPS URL.
  Result<quorumctl::HttpReply> raw = cluster.request(follower, "PUT", "/v1/config/a.cnf", "x", false);
  ASSERT_TRUE(raw.has_value()) << raw.error().to_string();
  EXPECT_EQ(raw->status, 307u);
  EXPECT_EQ(raw->location, "https://" + cluster.api_address(leader) + "/v1/config/a.cnf");
  std::optional<api::Status> status = cluster.status(follower);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->leader_url(), "https://" + cluster.api_address(leader));

  // quorumctl, addressed to the follower, follows the redirect over HTTPS.
  CommandResult put = run_quorumctl(
      tls_args(cluster, follower, "ca", "admin") + " config set app/https.cnf 'secure=1'", cluster.dir());
  ASSERT_EQ(put.exit_code, 0) << put.err;
  EXPECT_NE(put.out.find("app/https.cnf: version "), std::string::npos) << put.out;
  for (NodeId id : cluster.ids()) {
    EXPECT_TRUE(eventually(10s, [&] {
      return cluster.config_file(id, "app/https.cnf") == std::optional<std::string>("secure=1");
    })) << "node " << id;
  }
  CommandResult show = run_quorumctl(tls_args(cluster, follower, "ca", "admin") + " status", cluster.dir());
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("leader:        ctl" + std::to_string(leader)), std::string::npos) << show.out;
  // An explicit https:// address works the same way.
  CommandResult get = run_quorumctl(
      fmt::format("--host https://{0} --cacert {1}/ca.pem --cert {1}/admin.pem --key {1}/admin.key "
                  "config get app/https.cnf",
                  cluster.api_address(follower), cluster.dir()),
      cluster.dir());
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(get.out, "secure=1");
}

TEST(IntegrationHttps, ClientsThatFailTheCertificateChecksAreRefusedWithOneLine) {
  ClusterOptions options;
  options.tls = true;
  TestCluster cluster(options);
  // A second CA with a client certificate of its own.
  ASSERT_EQ(shell(fmt::format(
                "cd {} && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
                "-subj /CN=foreign-ca -keyout foreign.key -out foreign.pem >/dev/null 2>&1 && "
                "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=intruder "
                "-keyout intruder.key -out intruder.csr >/dev/null 2>&1 && openssl x509 -req -in intruder.csr "
                "-CA foreign.pem -CAkey foreign.key -CAcreateserial -days 2 -out intruder.pem >/dev/null 2>&1",
                cluster.dir())),
            0);
  cluster.start_all();
  ASSERT_NE(cluster.wait_leader(cluster.ids(), kElectionBound), kNoNode);

  // 1. The client trusts a foreign CA: it refuses the controller's certificate.
  CommandResult wrong_ca = run_quorumctl(tls_args(cluster, 1, "foreign", "admin") + " status", cluster.dir());
  EXPECT_EQ(wrong_ca.exit_code, 1);
  EXPECT_EQ(lines(wrong_ca.err), 1) << wrong_ca.err;
  EXPECT_NE(wrong_ca.err.find("certificate verify failed"), std::string::npos) << wrong_ca.err;
  EXPECT_NE(wrong_ca.err.find("no controller accepted"), std::string::npos) << wrong_ca.err;
  // 2. The client presents a certificate from a foreign CA: the controller refuses it.
  CommandResult intruder = run_quorumctl(tls_args(cluster, 1, "ca", "intruder") + " status", cluster.dir());
  EXPECT_EQ(intruder.exit_code, 1);
  EXPECT_EQ(lines(intruder.err), 1) << intruder.err;
  EXPECT_NE(intruder.err.find("refused the client certificate"), std::string::npos) << intruder.err;
  // 3. No client certificate at all (http_client_cert = required by default).
  CommandResult anonymous = run_quorumctl(tls_args(cluster, 1, "ca", "") + " status", cluster.dir());
  EXPECT_EQ(anonymous.exit_code, 1);
  EXPECT_EQ(lines(anonymous.err), 1) << anonymous.err;
  EXPECT_NE(anonymous.err.find("refused the client certificate"), std::string::npos) << anonymous.err;
  // 4. Plain HTTP against the HTTPS port.
  CommandResult plain = run_quorumctl(
      fmt::format("--host http://{} --timeout 1 status", cluster.api_address(1)), cluster.dir());
  EXPECT_EQ(plain.exit_code, 1);
  EXPECT_EQ(lines(plain.err), 1) << plain.err;
  EXPECT_EQ(plain.out, "");

  // The refusals are counted; a proper client still gets through. The client can exit before
  // the server's side of a failed handshake completes (case 1: the client aborts it), so the
  // count is waited for, not read once.
  std::string refused;
  EXPECT_TRUE(eventually(10s, [&] {
    refused = cluster.metric(1, "quorum_api_tls_handshakes_failed_total");
    return !refused.empty() && std::stoi(refused) >= 3;
  })) << refused;
  CommandResult good = run_quorumctl(tls_args(cluster, 1, "ca", "admin") + " status", cluster.dir());
  EXPECT_EQ(good.exit_code, 0) << good.err;
}

TEST(IntegrationHttps, WithOptionalClientCertificatesACaTrustingClientIsServed) {
  ClusterOptions options;
  options.tls = true;
  for (NodeId id = 1; id <= 3; ++id) options.extra_config[id] = "http_client_cert = optional";
  TestCluster cluster(options);
  cluster.start_all();
  ASSERT_NE(cluster.wait_leader(cluster.ids(), kElectionBound), kNoNode);
  CommandResult anonymous = run_quorumctl(tls_args(cluster, 2, "ca", "") + " controller --list --long",
                                          cluster.dir());
  EXPECT_EQ(anonymous.exit_code, 0) << anonymous.err;
  EXPECT_NE(anonymous.out.find("Acting as leader."), std::string::npos) << anonymous.out;
}

}  // namespace
}  // namespace quorum::integration
