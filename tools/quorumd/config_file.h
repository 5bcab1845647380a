// quorumd.cnf: the daemon's configuration file, INI-style like cmon.cnf. Tools layer.
//
//   # comment (also ';' at line start; " #" after a value starts a trailing comment)
//   [quorumd]                      optional, the only section
//   node_id = 1
//   cluster_id = "prod-controllers"
//   peers = 1@ctl1@10.0.0.1:9500:9580, 2@ctl2@10.0.0.2:9500:9580, 3@ctl3@10.0.0.3:9500:9580:0
//
// Every key is described once in config_keys() (name, type, default, unit, description), which
// `quorumd --help-config` and docs/operations.md print. Unknown keys, duplicate keys, bad values
// and inconsistent combinations are rejected with "file:line: message"
// ("quorumd.cnf:17: unknown key 'heartbeet_ms' (did you mean 'heartbeat_interval_ms'?)").
//
// Thread safety: pure functions, no shared state.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/base/result.h"
#include "engine/core/base/types.h"
#include "engine/core/ownership/types.h"
#include "engine/host/node_host.h"

namespace quorum::quorumd {

enum class NodeRole : std::uint8_t {
  kVoter,    // votes and may lead
  kLearner,  // replicates, never votes
  kStandby,  // a learner that never acts until promoted (standby issue)
};
std::string_view node_role_name(NodeRole role);

enum class LogLevel : std::uint8_t { kDebug, kInfo, kWarn, kError };
std::string_view log_level_name(LogLevel level);

// One member of the group as listed in `peers`:
//   id@name@host:raft_port[:http_port[:priority[:role]]]
// http_port 0 means "no HTTP API"; priority 0 never campaigns; role voter|learner|standby.
struct PeerConfig {
  NodeId id = kNoNode;
  std::string name;
  std::string host;
  std::uint16_t raft_port = 9500;
  std::uint16_t http_port = 0;
  std::uint32_t priority = 1;
  NodeRole role = NodeRole::kVoter;
  friend bool operator==(const PeerConfig&, const PeerConfig&) = default;
};

struct ParsedConfig {
  std::string source;  // the file name the values came from (for messages)
  NodeId node_id = kNoNode;
  std::string name;  // defaults to this node's name in `peers`
  std::string cluster_id;
  std::string listen_address = "127.0.0.1";
  std::uint16_t raft_port = 9500;  // plain peer port (loopback deployments and tests)
  std::uint16_t tls_port = 9501;   // TLS peer port (used when the tls_* files are set)
  std::uint16_t http_port = 9580;
  std::uint16_t health_port = 0;  // plain HTTP, unauthenticated GET /health; 0: off
  std::vector<PeerConfig> peers;  // every member, this node included; sorted by id
  std::string data_dir;
  std::string config_dir;
  // config_dir_unmanaged = delete: files in config_dir that are not replicated are deleted
  // (default keep: kept and reported).
  bool config_dir_delete_unmanaged = false;
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  // With TLS the HTTP API is HTTPS (same certificate); true: clients must present a certificate
  // signed by tls_ca_file (mutual TLS, the default), false: any client that trusts the CA.
  bool http_client_cert_required = true;
  std::uint64_t heartbeat_interval_ms = 100;
  std::uint64_t election_timeout_ms = 1000;
  std::uint64_t tick_interval_ms = 10;
  std::uint64_t snapshot_interval_entries = 1000;
  std::uint32_t priority = 1;
  NodeRole role = NodeRole::kVoter;
  LogLevel log_level = LogLevel::kInfo;
  // Galera backend probe (preview; docs/operations.md "Galera (preview)"). Off unless
  // galera_socket or galera_host is set; then health gates leadership (DESIGN invariant 8).
  std::string galera_host;
  std::uint16_t galera_port = 3306;
  std::string galera_socket;
  std::string galera_user;
  std::string galera_password;
  std::uint64_t galera_probe_interval_ms = 500;
  std::uint64_t galera_probes_to_change = 2;  // hysteresis: consecutive probes either way
  // Fencing at the database (docs/operations.md section 7): the leader mirrors the ownership
  // table and its leader record into galera_fence_database on its local node, every
  // galera_fence_interval_ms and at once when ownership entries apply. Needs the probe's
  // connection keys and a user with rights on that database.
  bool galera_fence = false;
  std::string galera_fence_database = "quorum_fence";
  std::uint64_t galera_fence_interval_ms = 1000;
  // The controller pool (docs/ownership.md, docs/operations.md "Running a controller pool").
  // L and δ of the session inequalities; 0 lease: sessions off (no controller may act).
  std::uint64_t session_lease_ms = 3000;
  std::uint64_t session_delay_ms = 50;
  // ρ: bound on the rate difference of any two controllers' clocks (also shortens the Raft
  // leader lease). 1000 ppm: two clocks each within 500 ppm, the most the kernel's NTP
  // discipline applies (ntpd, systemd-timesyncd; chrony with maxslewrate 500).
  std::uint32_t clock_drift_ppm_max = 1000;
  // This controller's identity in the pool, registered by itself when pool_register is on.
  ownership::ControllerRole controller_role = ownership::ControllerRole::kActive;
  std::uint32_t controller_weight = 1;
  ownership::Tags controller_tags;
  bool controller_auto_recovery = true;
  bool pool_register = true;

  bool galera_enabled() const { return !galera_socket.empty() || !galera_host.empty(); }

  bool tls_enabled() const { return !tls_ca_file.empty(); }
  // This node's entry in peers (validated to exist).
  const PeerConfig& self() const;
};

// Documentation of one key; the table is the single source for --help-config and the docs.
struct ConfigKeyDoc {
  std::string_view name;
  std::string_view type;           // "uint", "port", "string", "path", "peers", "enum ..."
  std::string_view default_value;  // "(required)" for required keys
  std::string_view unit;           // "ms", "entries", or ""
  std::string_view description;
};

std::span<const ConfigKeyDoc> config_keys();
// The table as aligned text (one key per line), for `quorumd --help-config`.
std::string config_help();

// Reads and parses a file. Errors: Status::not_found / io_error if it cannot be read,
// Status::invalid_argument("file:line: message") for every content error.
Result<ParsedConfig> parse_config_file(const std::string& path);
// Parses text; `source` names it in messages. Never crashes on arbitrary bytes.
Result<ParsedConfig> parse_config_text(std::string_view text, std::string_view source);

// The engine's view: raft timing in ticks (the values are multiples of tick_interval_ms,
// validated by the parser) and the bootstrap membership from `peers` (standby -> learner).
host::HostConfig to_host_config(const ParsedConfig& config);

}  // namespace quorum::quorumd
