// Tests of the quorumd.cnf parser: one test per error class, conversion, and a random-bytes run.
#include "tools/quorumd/config_file.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <set>

namespace quorum::quorumd {
namespace {

constexpr std::string_view kValid =
    "# three controllers on loopback\n"
    "[quorumd]\n"
    "node_id = 2\n"
    "cluster_id = \"test-cluster\"\n"
    "listen_address = 127.0.0.1\n"
    "raft_port = 19502\n"
    "tls_port = 19512\n"
    "http_port = 19582   # api\n"
    "peers = 1@ctl1@127.0.0.1:19501:19581, 2@ctl2@127.0.0.1:19502:19582:3, "
    "3@ctl3@127.0.0.1:19503:19583:0:learner\n"
    "data_dir = /var/lib/quorum/data\n"
    "config_dir = /etc/cmon.d\n"
    "heartbeat_interval_ms = 50\n"
    "election_timeout_ms = 500\n"
    "tick_interval_ms = 10\n"
    "log_level = debug\n";

std::string error_of(std::string_view text) {
  Result<ParsedConfig> parsed = parse_config_text(text, "quorumd.cnf");
  EXPECT_FALSE(parsed.has_value());
  if (parsed.has_value()) return {};
  EXPECT_EQ(parsed.error().code(), StatusCode::kInvalidArgument);
  return parsed.error().message();
}

// kValid with `line` appended (later lines are parsed after the valid ones).
std::string with(std::string_view line) {
  return std::string(kValid) + std::string(line) + "\n";
}

// kValid with the line starting with `key =` replaced by `replacement`.
std::string replaced(std::string_view key, std::string_view replacement) {
  std::string text(kValid);
  std::size_t at = text.find("\n" + std::string(key) + " =");
  EXPECT_NE(at, std::string::npos) << key;
  std::size_t end = text.find('\n', at + 1);
  text.replace(at + 1, end - at - 1, replacement);
  return text;
}

// The example installed to etc/quorum (tools/quorumd/dist) is a valid configuration.
TEST(ConfigFile, TheInstalledExampleParses) {
  Result<ParsedConfig> parsed = parse_config_file("tools/quorumd/dist/quorumd.cnf.example");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().to_string();
  EXPECT_EQ(parsed->node_id, 1u);
  EXPECT_EQ(parsed->health_port, 9582);
  EXPECT_FALSE(parsed->config_dir_delete_unmanaged);
  EXPECT_EQ(parsed->session_lease_ms, 3000u);
  EXPECT_EQ(parsed->controller_tags, (ownership::Tags{{"site", "A"}}));
}

TEST(ConfigFile, ParsesAValidFile) {
  Result<ParsedConfig> parsed = parse_config_text(kValid, "quorumd.cnf");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().to_string();
  const ParsedConfig& c = *parsed;
  EXPECT_EQ(c.node_id, 2u);
  EXPECT_EQ(c.name, "ctl2");  // from peers
  EXPECT_EQ(c.cluster_id, "test-cluster");
  EXPECT_EQ(c.http_port, 19582);
  EXPECT_EQ(c.priority, 3u);
  EXPECT_EQ(c.role, NodeRole::kVoter);
  EXPECT_EQ(c.log_level, LogLevel::kDebug);
  ASSERT_EQ(c.peers.size(), 3u);
  EXPECT_EQ(c.peers[2], (PeerConfig{3, "ctl3", "127.0.0.1", 19503, 19583, 0, NodeRole::kLearner}));
  EXPECT_FALSE(c.tls_enabled());
}

TEST(ConfigFile, ConvertsToHostConfigInTicks) {
  ParsedConfig c = parse_config_text(kValid, "quorumd.cnf").value();
  host::HostConfig h = to_host_config(c);
  EXPECT_EQ(h.raft.id, 2u);
  EXPECT_EQ(h.raft.election_timeout_ticks, 50u);
  EXPECT_EQ(h.raft.heartbeat_interval_ticks, 5u);
  EXPECT_EQ(h.tick_interval_ms, 10u);
  ASSERT_EQ(h.bootstrap.members.size(), 3u);
  EXPECT_EQ(h.bootstrap.members[1].priority, 3u);
  EXPECT_EQ(h.bootstrap.members[2].role, raft::MemberRole::kLearner);
}

TEST(ConfigFile, RejectsAnUnknownKeyWithItsLineAndASuggestion) {
  EXPECT_EQ(error_of(with("heartbeet_ms = 10")),
            "quorumd.cnf:16: unknown key 'heartbeet_ms' (did you mean 'heartbeat_interval_ms'?)");
  EXPECT_EQ(error_of(with("colour = blue")), "quorumd.cnf:16: unknown key 'colour'");
}

TEST(ConfigFile, RejectsADuplicateKey) {
  EXPECT_EQ(error_of(with("node_id = 2")),
            "quorumd.cnf:16: duplicate key 'node_id' (first set on line 3)");
}

TEST(ConfigFile, RejectsBadValues) {
  EXPECT_EQ(error_of(replaced("raft_port", "raft_port = 70000")),
            "quorumd.cnf:6: bad value for 'raft_port': 70000 is not in [1, 65535]");
  EXPECT_EQ(error_of(replaced("node_id", "node_id = two")),
            "quorumd.cnf:3: bad value for 'node_id': 'two' is not an unsigned integer");
  EXPECT_EQ(error_of(replaced("node_id", "node_id = 0")),
            "quorumd.cnf:3: bad value for 'node_id': 0 is not in [1, 18446744073709551615]");
  EXPECT_EQ(error_of(replaced("log_level", "log_level = loud")),
            "quorumd.cnf:15: bad value for 'log_level': 'loud' is not one of debug, info, warn, "
            "error");
  EXPECT_EQ(error_of(with("role = boss")),
            "quorumd.cnf:16: bad value for 'role': 'boss' is not one of voter, learner, standby");
  EXPECT_EQ(error_of(replaced("cluster_id", "cluster_id = \"unterminated")),
            "quorumd.cnf:4: bad value for 'cluster_id': unbalanced quote");
  EXPECT_EQ(error_of(replaced("data_dir", "data_dir =")),
            "quorumd.cnf:10: bad value for 'data_dir': must not be empty");
}

TEST(ConfigFile, RejectsMalformedPeers) {
  EXPECT_EQ(error_of(replaced("peers", "peers = 1@ctl1@127.0.0.1:9500, 2@ctl2")),
            "quorumd.cnf:9: bad value for 'peers': entry 2 '2@ctl2': expected "
            "id@name@host:raft_port[:http_port[:priority[:role]]]");
  EXPECT_EQ(error_of(replaced("peers", "peers = 1@a@h:1, 1@b@h:2")),
            "quorumd.cnf:9: bad value for 'peers': entry 2: duplicate id 1");
  EXPECT_EQ(error_of(replaced("peers", "peers = 2@a@h:1:2:3:learner")),
            "quorumd.cnf:9: bad value for 'peers': no voter among the peers");
  EXPECT_EQ(error_of(replaced("peers", "peers = 2@a@h:1,")),
            "quorumd.cnf:9: bad value for 'peers': entry 2 '': empty entry");
}

TEST(ConfigFile, AcceptsBracketedIpv6PeerHosts) {
  ParsedConfig c =
      parse_config_text(replaced("peers", "peers = 2@ctl2@[::1]:9500:9580"), "f").value();
  EXPECT_EQ(c.peers[0].host, "::1");
  EXPECT_EQ(c.peers[0].raft_port, 9500);
}

TEST(ConfigFile, RejectsMissingRequiredKeys) {
  EXPECT_EQ(error_of(replaced("data_dir", "# no data dir")),
            "quorumd.cnf: missing required key 'data_dir'");
}

TEST(ConfigFile, RejectsHeartbeatNotBelowElectionTimeout) {
  EXPECT_EQ(error_of(replaced("heartbeat_interval_ms", "heartbeat_interval_ms = 500")),
            "quorumd.cnf:12: heartbeat_interval_ms (500) must be less than election_timeout_ms "
            "(500)");
}

TEST(ConfigFile, RejectsTimeoutsThatAreNotWholeTicks) {
  EXPECT_EQ(error_of(replaced("election_timeout_ms", "election_timeout_ms = 505")),
            "quorumd.cnf:13: election_timeout_ms (505) must be a multiple of tick_interval_ms "
            "(10)");
}

TEST(ConfigFile, RejectsANodeIdThatIsNotAPeer) {
  EXPECT_EQ(error_of(replaced("node_id", "node_id = 4")),
            "quorumd.cnf:3: node_id 4 is not among the peers (line 9)");
}

TEST(ConfigFile, RejectsOwnSettingsThatContradictThePeersEntry) {
  EXPECT_EQ(error_of(with("name = other")),
            "quorumd.cnf:16: name 'other' differs from node 2's name in peers ('ctl2')");
  EXPECT_EQ(error_of(with("priority = 1")),
            "quorumd.cnf:16: priority 1 differs from node 2's priority in peers (3)");
  EXPECT_EQ(error_of(with("role = standby")),
            "quorumd.cnf:16: role standby differs from node 2's role in peers (voter)");
}

TEST(ConfigFile, RejectsClashingPortsAndPartialTls) {
  EXPECT_EQ(error_of(replaced("tls_port", "tls_port = 19502")),
            "quorumd.cnf:7: raft_port and tls_port are both 19502");
  EXPECT_EQ(error_of(with("tls_ca_file = /etc/quorum/ca.pem")),
            "quorumd.cnf:16: tls_ca_file, tls_cert_file and tls_key_file must be set together");
}

TEST(ConfigFile, HttpClientCertDefaultsToRequiredAndNeedsTls) {
  const std::string tls = with("tls_ca_file = /t/ca.pem\ntls_cert_file = /t/n.pem\ntls_key_file = /t/n.key");
  Result<ParsedConfig> strict = parse_config_text(tls, "quorumd.cnf");
  ASSERT_TRUE(strict.has_value()) << strict.error().to_string();
  EXPECT_TRUE(strict->http_client_cert_required);
  Result<ParsedConfig> relaxed = parse_config_text(tls + "http_client_cert = optional\n", "quorumd.cnf");
  ASSERT_TRUE(relaxed.has_value()) << relaxed.error().to_string();
  EXPECT_FALSE(relaxed->http_client_cert_required);
  EXPECT_EQ(error_of(tls + "http_client_cert = maybe\n"),
            "quorumd.cnf:19: bad value for 'http_client_cert': 'maybe' is not one of required, optional");
  EXPECT_EQ(error_of(with("http_client_cert = required")),
            "quorumd.cnf:16: http_client_cert applies to the HTTPS API: set tls_ca_file, "
            "tls_cert_file and tls_key_file too");
}

TEST(ConfigFile, RejectsSyntaxErrors) {
  EXPECT_EQ(error_of(with("just words")), "quorumd.cnf:16: expected key = value");
  EXPECT_EQ(error_of(with("[mysqld]")),
            "quorumd.cnf:16: unknown section '[mysqld]' (only [quorumd] is allowed)");
  EXPECT_EQ(error_of(with(std::string("a\x01") + "=b")), "quorumd.cnf:16: invalid character 0x01");
}

TEST(ConfigFile, AcceptsCrlfLineEndingsAndSemicolonComments) {
  std::string text(kValid);
  std::string crlf;
  for (char c : text) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  crlf += "; a comment\r\n";
  EXPECT_TRUE(parse_config_text(crlf, "f").has_value());
}

TEST(ConfigFile, ReadsAFileAndNamesAMissingOne) {
  const std::string path =
      (std::filesystem::temp_directory_path() / "quorum-config-file-test.cnf").string();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fwrite(kValid.data(), 1, kValid.size(), f);
  std::fclose(f);
  EXPECT_TRUE(parse_config_file(path).has_value());
  std::filesystem::remove(path);
  Result<ParsedConfig> missing = parse_config_file(path);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.error().message().find(path + ": cannot open"), std::string::npos);
}

TEST(ConfigFile, DocumentsEveryKeyOnce) {
  std::string help = config_help();
  std::set<std::string_view> names;
  for (const ConfigKeyDoc& doc : config_keys()) {
    EXPECT_TRUE(names.insert(doc.name).second) << "documented twice: " << doc.name;
    EXPECT_FALSE(doc.description.empty()) << doc.name;
    EXPECT_FALSE(doc.default_value.empty()) << doc.name;
    EXPECT_NE(help.find("\n" + std::string(doc.name) + " "), std::string::npos) << doc.name;
  }
  EXPECT_GE(config_keys().size(), 19u);
}

// Fuzz-style: random bytes and random mutations of a valid file never crash the parser; every
// failure is an invalid_argument naming the source. (fuzz/config_file_fuzz.cc is the libFuzzer
// target.)
TEST(ConfigFile, SurvivesRandomBytesAndMutations) {
  std::mt19937_64 rng(20261127);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    if (round % 2 == 0) {
      text.resize(rng() % 300);
      for (char& c : text) c = static_cast<char>(rng() % 256);
    } else {
      text = std::string(kValid);
      for (int k = 0; k < 4; ++k) text[rng() % text.size()] = static_cast<char>(rng() % 256);
    }
    Result<ParsedConfig> parsed = parse_config_text(text, "fuzz.cnf");
    if (!parsed.has_value()) {
      EXPECT_EQ(parsed.error().message().rfind("fuzz.cnf", 0), 0u);
    }
  }
}

TEST(ConfigFile, GaleraProbeIsOffUnlessASocketOrHostIsSet) {
  Result<ParsedConfig> plain = parse_config_text(kValid, "quorumd.cnf");
  ASSERT_TRUE(plain.has_value());
  EXPECT_FALSE(plain->galera_enabled());
  Result<ParsedConfig> galera = parse_config_text(
      with("galera_socket = /run/mysqld/mysqld.sock\ngalera_user = probe\n"
           "galera_password = s3cr#t!\ngalera_probe_interval_ms = 250\n"
           "galera_probes_to_change = 3"),
      "quorumd.cnf");
  ASSERT_TRUE(galera.has_value()) << galera.error().to_string();
  EXPECT_TRUE(galera->galera_enabled());
  EXPECT_EQ(galera->galera_socket, "/run/mysqld/mysqld.sock");
  EXPECT_EQ(galera->galera_user, "probe");
  EXPECT_EQ(galera->galera_probe_interval_ms, 250u);
  EXPECT_EQ(galera->galera_probes_to_change, 3u);
  EXPECT_NE(error_of(with("galera_probe_interval_ms = 10")).find("galera_probe_interval_ms"),
            std::string::npos);
  EXPECT_NE(error_of(with("galera_probes_to_change = 0")).find("not in [1, 100]"), std::string::npos);
}

TEST(ConfigFile, GaleraFenceIsOffByDefaultAndNeedsTheProbesConnection) {
  Result<ParsedConfig> plain = parse_config_text(kValid, "quorumd.cnf");
  ASSERT_TRUE(plain.has_value());
  EXPECT_FALSE(plain->galera_fence);
  EXPECT_EQ(plain->galera_fence_database, "quorum_fence");
  EXPECT_EQ(plain->galera_fence_interval_ms, 1000u);
  Result<ParsedConfig> fence = parse_config_text(
      with("galera_host = 127.0.0.1\ngalera_fence = on\ngalera_fence_database = cmon_fence\n"
           "galera_fence_interval_ms = 250"),
      "quorumd.cnf");
  ASSERT_TRUE(fence.has_value()) << fence.error().to_string();
  EXPECT_TRUE(fence->galera_fence);
  EXPECT_EQ(fence->galera_fence_database, "cmon_fence");
  EXPECT_EQ(fence->galera_fence_interval_ms, 250u);
  EXPECT_NE(error_of(with("galera_fence = on")).find("needs the probe's connection"), std::string::npos);
  EXPECT_NE(error_of(with("galera_host = h\ngalera_fence_database = a`b")).find("galera_fence_database"),
            std::string::npos);
  EXPECT_NE(error_of(with("galera_fence = yes")).find("not one of on, off"), std::string::npos);
}

// The pool: sessions on by default (L = 3 s, delta = 50 ms, rho = 1000 ppm), mapped to ticks
// the way the timing keys are, and the driver configured from the Raft timing.
TEST(ConfigFile, SessionsAreOnByDefaultAndMapToTicks) {
  ParsedConfig c = parse_config_text(kValid, "quorumd.cnf").value();
  EXPECT_EQ(c.session_lease_ms, 3000u);
  EXPECT_EQ(c.session_delay_ms, 50u);
  EXPECT_EQ(c.clock_drift_ppm_max, 1000u);
  host::HostConfig h = to_host_config(c);
  EXPECT_EQ(h.raft.session_lease_ticks, 300u);
  EXPECT_EQ(h.raft.session_delay_ticks, 5u);
  EXPECT_EQ(h.raft.clock_drift_ppm_max, 1000u);
  EXPECT_TRUE(h.raft.validate().empty()) << h.raft.validate();
  // W = ceil(L(1 + rho)) + delta + 1 tick = 301 + 5 + 1: the takeover wait stays near L.
  EXPECT_EQ(raft::assigner_wait_ticks(h.raft.session_params()), 307u);
  EXPECT_EQ(h.ownership_driver.plan_interval_ticks, 5u);    // one heartbeat
  EXPECT_EQ(h.ownership_driver.plan_timeout_ticks, 50u);    // one election timeout
  EXPECT_EQ(h.ownership_driver.alive_window_ticks, 15u);    // three heartbeats
  EXPECT_EQ(h.ownership_driver.stable_ticks, 50u);          // one election timeout

  ParsedConfig set = parse_config_text(with("session_lease_ms = 2000\nsession_delay_ms = 100\n"
                                            "clock_drift_ppm_max = 500"),
                                       "quorumd.cnf")
                         .value();
  h = to_host_config(set);
  EXPECT_EQ(h.raft.session_lease_ticks, 200u);
  EXPECT_EQ(h.raft.session_delay_ticks, 10u);
  EXPECT_EQ(h.raft.clock_drift_ppm_max, 500u);

  ParsedConfig off = parse_config_text(with("session_lease_ms = 0"), "quorumd.cnf").value();
  EXPECT_FALSE(to_host_config(off).raft.session_params().enabled());
}

TEST(ConfigFile, RejectsSessionTimingThatIsNotWholeTicksOrTooTight) {
  EXPECT_EQ(error_of(with("session_lease_ms = 3005")),
            "quorumd.cnf:16: session_lease_ms (3005) must be a multiple of tick_interval_ms (10)");
  EXPECT_EQ(error_of(with("session_delay_ms = 55")),
            "quorumd.cnf:16: session_delay_ms (55) must be a multiple of tick_interval_ms (10)");
  EXPECT_EQ(error_of(with("session_lease_ms = 150")),
            "quorumd.cnf:16: session_lease_ms (150) must be at least 4 heartbeat intervals (200 "
            "ms): renewals ride on the heartbeats");
  EXPECT_EQ(error_of(with("session_delay_ms = 400")),
            "quorumd.cnf:16: session_delay_ms (400) must be at most a tenth of session_lease_ms "
            "(3000): every lease is shortened by it");
  EXPECT_NE(error_of(with("clock_drift_ppm_max = 600000")).find("not in [0, 500000]"),
            std::string::npos);
  EXPECT_NE(error_of(with("session_lease_ms = -1")).find("not an unsigned integer"),
            std::string::npos);
}

TEST(ConfigFile, ControllerIdentityKeysAndTheirDefaults) {
  ParsedConfig c = parse_config_text(kValid, "quorumd.cnf").value();
  EXPECT_EQ(c.controller_role, ownership::ControllerRole::kActive);
  EXPECT_EQ(c.controller_weight, 1u);
  EXPECT_TRUE(c.controller_tags.empty());
  EXPECT_TRUE(c.controller_auto_recovery);
  EXPECT_TRUE(c.pool_register);

  ParsedConfig set = parse_config_text(with("controller_weight = 3\n"
                                            "controller_tags = site=A, rack=r-7\n"
                                            "controller_auto_recovery = off\npool_register = off"),
                                       "quorumd.cnf")
                         .value();
  EXPECT_EQ(set.controller_weight, 3u);
  EXPECT_EQ(set.controller_tags, (ownership::Tags{{"rack", "r-7"}, {"site", "A"}}));
  EXPECT_FALSE(set.controller_auto_recovery);
  EXPECT_FALSE(set.pool_register);

  // A node of role standby is a standby controller: auto-recovery off, whatever the default.
  std::string standby_text = replaced("peers", "peers = 1@ctl1@127.0.0.1:19501:19581, "
                                               "2@ctl2@127.0.0.1:19502:19582:3:standby");
  ParsedConfig standby = parse_config_text(standby_text, "quorumd.cnf").value();
  EXPECT_EQ(standby.controller_role, ownership::ControllerRole::kStandby);
  EXPECT_FALSE(standby.controller_auto_recovery);
  EXPECT_EQ(error_of(standby_text + "controller_role = active\n"),
            "quorumd.cnf:16: controller_role active does not fit node 2's role standby in peers "
            "(a standby controller is exactly a node of role standby)");
  EXPECT_EQ(error_of(standby_text + "controller_auto_recovery = on\n"),
            "quorumd.cnf:16: controller_auto_recovery = on is not allowed for a standby (it "
            "never acts until promoted)");
  EXPECT_EQ(error_of(with("controller_role = standby")),
            "quorumd.cnf:16: controller_role standby does not fit node 2's role voter in peers "
            "(a standby controller is exactly a node of role standby)");
}

TEST(ConfigFile, RejectsBadControllerIdentityValues) {
  EXPECT_NE(error_of(with("controller_weight = 0")).find("not in [1, 10000]"), std::string::npos);
  EXPECT_NE(error_of(with("controller_weight = 10001")).find("not in [1, 10000]"), std::string::npos);
  EXPECT_EQ(error_of(with("controller_role = leader")),
            "quorumd.cnf:16: bad value for 'controller_role': 'leader' is not one of active, "
            "standby");
  EXPECT_EQ(error_of(with("pool_register = yes")),
            "quorumd.cnf:16: bad value for 'pool_register': 'yes' is not one of on, off");
  EXPECT_EQ(error_of(with("controller_tags = site")),
            "quorumd.cnf:16: bad value for 'controller_tags': 'site' is not key=value");
  EXPECT_EQ(error_of(with("controller_tags = site=A,site=B")),
            "quorumd.cnf:16: bad value for 'controller_tags': tag 'site' is given twice");
  EXPECT_EQ(error_of(with("controller_tags = site=")),
            "quorumd.cnf:16: bad value for 'controller_tags': tag 'site' needs a value of 1 to "
            "255 bytes");
  EXPECT_NE(error_of(with("controller_tags = s/te=A")).find("outside [A-Za-z0-9._-]"),
            std::string::npos);
}

}  // namespace
}  // namespace quorum::quorumd
