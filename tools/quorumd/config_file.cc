// quorumd.cnf parser. Tools layer.
#include "tools/quorumd/config_file.h"

#include "engine/core/config_sync/state_machine.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <map>
#include <system_error>

#include "engine/core/base/assert.h"
#include "engine/core/config_sync/state_machine.h"

namespace quorum::quorumd {
namespace {

constexpr std::size_t kFileBytesMax = 1 << 20;
constexpr std::size_t kLineBytesMax = 8192;
constexpr std::size_t kPeersMax = 64;
constexpr std::size_t kStringBytesMax = 255;

// A setter parses one value into the config; it returns an empty string or the reason.
using Setter = std::string (*)(ParsedConfig&, std::string_view);

struct KeySpec {
  ConfigKeyDoc doc;
  bool required;
  Setter set;
};

std::string parse_uint(std::string_view v, std::uint64_t min, std::uint64_t max,
                       std::uint64_t* out) {
  std::uint64_t x = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size()) {
    return fmt::format("'{}' is not an unsigned integer", v);
  }
  if (x < min || x > max) return fmt::format("{} is not in [{}, {}]", x, min, max);
  *out = x;
  return {};
}

template <typename T>
std::string parse_int_into(std::string_view v, std::uint64_t min, std::uint64_t max, T* out) {
  std::uint64_t x = 0;
  std::string error = parse_uint(v, min, max, &x);
  if (error.empty()) *out = static_cast<T>(x);
  return error;
}

std::string parse_port(std::string_view v, std::uint16_t* out) {
  return parse_int_into(v, 1, 65535, out);
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// Names and hosts: [A-Za-z0-9._-]+ (hosts may also be a bracketless IPv6 literal with ':').
std::string parse_name(std::string_view v, std::string* out, bool allow_colon = false) {
  if (v.empty()) return "must not be empty";
  if (v.size() > kStringBytesMax) return fmt::format("longer than {} bytes", kStringBytesMax);
  for (char c : v) {
    if (!is_name_char(c) && !(allow_colon && c == ':')) {
      return fmt::format("'{}' has a character outside [A-Za-z0-9._-]", v);
    }
  }
  out->assign(v);
  return {};
}

std::string parse_path(std::string_view v, std::string* out) {
  if (v.empty()) return "must not be empty";
  if (v.size() > 4096) return "longer than 4096 bytes";
  out->assign(v);
  return {};
}

std::string parse_role(std::string_view v, NodeRole* out) {
  for (NodeRole r : {NodeRole::kVoter, NodeRole::kLearner, NodeRole::kStandby}) {
    if (v == node_role_name(r)) {
      *out = r;
      return {};
    }
  }
  return fmt::format("'{}' is not one of voter, learner, standby", v);
}

std::string parse_level(std::string_view v, LogLevel* out) {
  for (LogLevel l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (v == log_level_name(l)) {
      *out = l;
      return {};
    }
  }
  return fmt::format("'{}' is not one of debug, info, warn, error", v);
}

std::string parse_client_cert(std::string_view v, bool* required) {
  if (v == "required" || v == "optional") {
    *required = v == "required";
    return {};
  }
  return fmt::format("'{}' is not one of required, optional", v);
}

std::string parse_unmanaged(std::string_view v, bool* delete_unmanaged) {
  if (v == "keep" || v == "delete") {
    *delete_unmanaged = v == "delete";
    return {};
  }
  return fmt::format("'{}' is not one of keep, delete", v);
}

std::string parse_on_off(std::string_view v, bool* on) {
  if (v == "on" || v == "off") {
    *on = v == "on";
    return {};
  }
  return fmt::format("'{}' is not one of on, off", v);
}

std::string parse_controller_role(std::string_view v, ownership::ControllerRole* out) {
  for (auto role : {ownership::ControllerRole::kActive, ownership::ControllerRole::kStandby}) {
    if (v == ownership::role_name(role)) {
      *out = role;
      return {};
    }
  }
  return fmt::format("'{}' is not one of active, standby", v);
}

std::string_view trim(std::string_view s);
std::vector<std::string_view> split(std::string_view s, char sep);

// "site=A, rack=3": the limits of ownership/types.h; keys are names, values printable.
std::string parse_tags(std::string_view v, ownership::Tags* out) {
  ownership::Tags tags;
  for (std::string_view item : split(v, ',')) {
    item = trim(item);
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return fmt::format("'{}' is not key=value", item);
    }
    const std::string_view key = trim(item.substr(0, eq));
    const std::string_view value = trim(item.substr(eq + 1));
    std::string name;
    if (std::string error = parse_name(key, &name); !error.empty()) {
      return fmt::format("tag key '{}': {}", key, error);
    }
    if (key.size() > ownership::kTagKeyBytesMax) {
      return fmt::format("tag key '{}' is longer than {} bytes", key, ownership::kTagKeyBytesMax);
    }
    if (value.empty() || value.size() > ownership::kTagValueBytesMax) {
      return fmt::format("tag '{}' needs a value of 1 to {} bytes", key, ownership::kTagValueBytesMax);
    }
    if (!tags.emplace(name, std::string(value)).second) {
      return fmt::format("tag '{}' is given twice", key);
    }
  }
  if (tags.size() > ownership::kTagsMax) return fmt::format("more than {} tags", ownership::kTagsMax);
  *out = std::move(tags);
  return {};
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t pos = s.find(sep, start);
    parts.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) return parts;
    start = pos + 1;
  }
}

// "[::1]:9500:9580" -> host "::1", rest "9500:9580"; "h:9500" -> "h", "9500".
bool split_host(std::string_view s, std::string_view* host, std::string_view* rest) {
  if (!s.empty() && s.front() == '[') {
    std::size_t close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':') {
      return false;
    }
    *host = s.substr(1, close - 1);
    *rest = s.substr(close + 2);
    return true;
  }
  std::size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  *host = s.substr(0, colon);
  *rest = s.substr(colon + 1);
  return true;
}

std::string parse_peer(std::string_view item, PeerConfig* peer) {
  std::vector<std::string_view> at = split(item, '@');
  std::string_view host;
  std::string_view rest;
  if (at.size() != 3 || !split_host(at[2], &host, &rest)) {
    return "expected id@name@host:raft_port[:http_port[:priority[:role]]]";
  }
  std::string error = parse_int_into(at[0], 1, UINT64_MAX, &peer->id);
  if (error.empty()) error = parse_name(at[1], &peer->name);
  if (error.empty()) error = parse_name(host, &peer->host, /*allow_colon=*/true);
  std::vector<std::string_view> fields = split(rest, ':');
  if (error.empty() && fields.size() > 4) error = "too many ':' fields";
  if (error.empty()) error = parse_port(fields[0], &peer->raft_port);
  if (error.empty() && fields.size() > 1)
    error = parse_int_into(fields[1], 0, 65535, &peer->http_port);
  if (error.empty() && fields.size() > 2)
    error = parse_int_into(fields[2], 0, 1000, &peer->priority);
  if (error.empty() && fields.size() > 3) error = parse_role(fields[3], &peer->role);
  return error;
}

std::string parse_peers(std::string_view v, std::vector<PeerConfig>* out) {
  std::vector<std::string_view> items = split(v, ',');
  if (items.size() > kPeersMax) return fmt::format("more than {} peers", kPeersMax);
  std::vector<PeerConfig> peers;
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string_view item = trim(items[i]);
    PeerConfig peer;
    std::string error = item.empty() ? "empty entry" : parse_peer(item, &peer);
    if (!error.empty()) return fmt::format("entry {} '{}': {}", i + 1, item, error);
    for (const PeerConfig& other : peers) {
      if (other.id == peer.id) return fmt::format("entry {}: duplicate id {}", i + 1, peer.id);
      if (other.name == peer.name) {
        return fmt::format("entry {}: duplicate name '{}'", i + 1, peer.name);
      }
    }
    peers.push_back(std::move(peer));
  }
  std::sort(peers.begin(), peers.end(), [](auto& a, auto& b) { return a.id < b.id; });
  if (std::none_of(peers.begin(), peers.end(),
                   [](const PeerConfig& p) { return p.role == NodeRole::kVoter; })) {
    return "no voter among the peers";
  }
  *out = std::move(peers);
  return {};
}

#define QUORUM_KEY(name, type, def, unit, required, desc, body)          \
  KeySpec {                                                              \
    ConfigKeyDoc{name, type, def, unit, desc}, required,                 \
        [](ParsedConfig& c, std::string_view v) -> std::string { body; } \
  }

const std::array<KeySpec, 41>& key_specs() {
  static const std::array<KeySpec, 41> specs = {
      QUORUM_KEY("node_id", "uint", "(required)", "", true,
                 "This controller's id in the Raft group (>= 1); must appear in peers.",
                 return parse_int_into(v, 1, UINT64_MAX, &c.node_id)),
      QUORUM_KEY("name", "string", "(from peers)", "", false,
                 "This controller's name; must match its entry in peers.",
                 return parse_name(v, &c.name)),
      QUORUM_KEY("cluster_id", "string", "(required)", "", true,
                 "Identity of the controller group; peers with another cluster id are refused.",
                 return parse_name(v, &c.cluster_id)),
      QUORUM_KEY("listen_address", "string", "127.0.0.1", "", false,
                 "Address the peer and HTTP ports listen on.",
                 return parse_name(v, &c.listen_address, true)),
      QUORUM_KEY("raft_port", "port", "9500", "", false,
                 "Plain TCP peer port (meant for loopback deployments).",
                 return parse_port(v, &c.raft_port)),
      QUORUM_KEY("tls_port", "port", "9501", "", false,
                 "TLS peer port with mutual authentication (used when tls_* files are set).",
                 return parse_port(v, &c.tls_port)),
      QUORUM_KEY("http_port", "port", "9580", "", false,
                 "HTTP/JSON API and /metrics port; HTTPS (same certificate) when tls_* are set.",
                 return parse_port(v, &c.http_port)),
      QUORUM_KEY("health_port", "port", "0 (off)", "", false,
                 "Plain HTTP port answering only GET /health (up, role, leader), without client "
                 "certificates, for load balancers and monitors; 0 disables it.",
                 return parse_int_into(v, 0, 65535, &c.health_port)),
      QUORUM_KEY("http_client_cert", "enum required|optional", "required", "", false,
                 "HTTPS API: required = clients must present a certificate signed by "
                 "tls_ca_file (mutual TLS); optional = any client that trusts the CA. Needs tls_*.",
                 return parse_client_cert(v, &c.http_client_cert_required)),
      QUORUM_KEY("peers", "peers", "(required)", "", true,
                 "Every member, this node included, comma-separated: "
                 "id@name@host:raft_port[:http_port[:priority[:role]]].",
                 return parse_peers(v, &c.peers)),
      QUORUM_KEY("data_dir", "path", "(required)", "", true,
                 "RocksDB directory for the Raft log, hard state and snapshots.",
                 return parse_path(v, &c.data_dir)),
      QUORUM_KEY("config_dir", "path", "(required)", "", true,
                 "Directory where replicated config files are materialised.",
                 return parse_path(v, &c.config_dir)),
      QUORUM_KEY("config_dir_unmanaged", "enum keep|delete", "keep", "", false,
                 "Files in config_dir that are not replicated: keep = leave them and report "
                 "them (status, quorum_config_unmanaged_files); delete = remove them.",
                 return parse_unmanaged(v, &c.config_dir_delete_unmanaged)),
      QUORUM_KEY("tls_ca_file", "path", "(none)", "", false,
                 "CA certificate (PEM) that signs every peer; enables TLS with the next two.",
                 return parse_path(v, &c.tls_ca_file)),
      QUORUM_KEY("tls_cert_file", "path", "(none)", "", false,
                 "This controller's certificate (PEM).", return parse_path(v, &c.tls_cert_file)),
      QUORUM_KEY("tls_key_file", "path", "(none)", "", false,
                 "This controller's private key (PEM).", return parse_path(v, &c.tls_key_file)),
      QUORUM_KEY("heartbeat_interval_ms", "uint", "100", "ms", false,
                 "Leader heartbeat period; a multiple of tick_interval_ms, < election_timeout_ms.",
                 return parse_int_into(v, 1, 60'000, &c.heartbeat_interval_ms)),
      QUORUM_KEY("election_timeout_ms", "uint", "1000", "ms", false,
                 "Base election timeout T (followers wait [T, 2T)); a multiple of "
                 "tick_interval_ms.",
                 return parse_int_into(v, 2, 600'000, &c.election_timeout_ms)),
      QUORUM_KEY("tick_interval_ms", "uint", "10", "ms", false, "Wall time per Raft tick.",
                 return parse_int_into(v, 1, 1000, &c.tick_interval_ms)),
      QUORUM_KEY("snapshot_interval_entries", "uint", "1000", "entries", false,
                 "Take a snapshot and compact the log after this many applied entries.",
                 return parse_int_into(v, 1, 1'000'000'000, &c.snapshot_interval_entries)),
      QUORUM_KEY("priority", "uint", "(from peers)", "", false,
                 "Leader priority (0 never campaigns); must match this node's entry in peers.",
                 return parse_int_into(v, 0, 1000, &c.priority)),
      QUORUM_KEY("role", "enum voter|learner|standby", "(from peers)", "", false,
                 "This controller's role; must match its entry in peers.",
                 return parse_role(v, &c.role)),
      QUORUM_KEY("log_level", "enum debug|info|warn|error", "info", "", false,
                 "Lowest level of log lines written.", return parse_level(v, &c.log_level)),
      QUORUM_KEY("galera_socket", "path", "(none)", "", false,
                 "Unix socket of this controller's local Galera node; enables the health probe "
                 "(an unhealthy node does not lead). Wins over galera_host.",
                 return parse_path(v, &c.galera_socket)),
      QUORUM_KEY("galera_host", "string", "(none)", "", false,
                 "TCP host of the local Galera node (with galera_port); enables the probe.",
                 return parse_name(v, &c.galera_host, true)),
      QUORUM_KEY("galera_port", "port", "3306", "", false, "TCP port of the local Galera node.",
                 return parse_port(v, &c.galera_port)),
      QUORUM_KEY("galera_user", "string", "(none)", "", false,
                 "MariaDB user of the probe (reads wsrep status variables only).",
                 return parse_name(v, &c.galera_user)),
      QUORUM_KEY("galera_password", "string", "(none)", "", false,
                 "Password of galera_user.", return parse_path(v, &c.galera_password)),
      QUORUM_KEY("galera_probe_interval_ms", "uint", "500", "ms", false,
                 "Time between two probes (each bounded by 1 s connect and 1 s read timeouts).",
                 return parse_int_into(v, 50, 60'000, &c.galera_probe_interval_ms)),
      QUORUM_KEY("galera_probes_to_change", "uint", "2", "probes", false,
                 "Consecutive bad (good) probes before the backend counts as unhealthy "
                 "(healthy): one slow probe does not move leadership.",
                 return parse_int_into(v, 1, 100, &c.galera_probes_to_change)),
      QUORUM_KEY("galera_fence", "enum on|off", "off", "", false,
                 "on: the leader mirrors the ownership table and its (term, leader) record into "
                 "galera_fence_database, so a stale owner's fenced write is refused by the "
                 "database (galera_user then needs ALL on that database); needs galera_socket or "
                 "galera_host.",
                 return parse_on_off(v, &c.galera_fence)),
      QUORUM_KEY("galera_fence_database", "string", "quorum_fence", "", false,
                 "Database of the fencing mirror (created with its tables and procedures).",
                 return parse_name(v, &c.galera_fence_database)),
      QUORUM_KEY("galera_fence_interval_ms", "uint", "1000", "ms", false,
                 "The leader republishes the whole mirror (leases) this often; grants and moves "
                 "are published as soon as they apply.",
                 return parse_int_into(v, 50, 600'000, &c.galera_fence_interval_ms)),
      QUORUM_KEY("session_lease_ms", "uint", "3000", "ms", false,
                 "L: the lease of this controller's session, which covers every managed cluster "
                 "it owns (docs/ownership.md); a multiple of tick_interval_ms, at least 4 "
                 "heartbeat intervals; 0 turns the pool off (no controller may act).",
                 return parse_int_into(v, 0, 600'000, &c.session_lease_ms)),
      QUORUM_KEY("session_delay_ms", "uint", "50", "ms", false,
                 "delta: bound on one message's delay between controllers (LAN: 50); a multiple "
                 "of tick_interval_ms, at most a tenth of session_lease_ms.",
                 return parse_int_into(v, 0, 60'000, &c.session_delay_ms)),
      QUORUM_KEY("clock_drift_ppm_max", "uint", "1000", "ppm", false,
                 "rho: bound on the rate difference of any two controllers' clocks; the takeover "
                 "wait is session_lease_ms * (1 + rho) + session_delay_ms.",
                 return parse_int_into(v, 0, 500'000, &c.clock_drift_ppm_max)),
      QUORUM_KEY("controller_role", "enum active|standby", "(from role)", "", false,
                 "This controller's role in the pool: standby (role standby in peers) owns "
                 "nothing until promoted.",
                 return parse_controller_role(v, &c.controller_role)),
      QUORUM_KEY("controller_weight", "uint", "1", "", false,
                 "Capacity weight: clusters are balanced in proportion to it.",
                 return parse_int_into(v, ownership::kWeightMin, ownership::kWeightMax,
                                       &c.controller_weight)),
      QUORUM_KEY("controller_tags", "tags", "(none)", "", false,
                 "key=value pairs, comma-separated (site=A places clusters tagged site=A here "
                 "first).",
                 return parse_tags(v, &c.controller_tags)),
      QUORUM_KEY("controller_auto_recovery", "enum on|off", "on", "", false,
                 "off: this controller is never given a cluster to act on (a standby: always "
                 "off).",
                 return parse_on_off(v, &c.controller_auto_recovery)),
      QUORUM_KEY("pool_register", "enum on|off", "on", "", false,
                 "on: once a leader is known, this controller registers itself in the pool with "
                 "the controller_* keys (once per start; a deregistration holds until restart).",
                 return parse_on_off(v, &c.pool_register)),
  };
  return specs;
}

#undef QUORUM_KEY

const KeySpec* find_key(std::string_view name) {
  for (const KeySpec& spec : key_specs()) {
    if (spec.doc.name == name) return &spec;
  }
  return nullptr;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// A known key close to `unknown` (typo in the whole key, or in its first word), or "".
std::string_view suggest(std::string_view unknown) {
  std::string_view best;
  std::size_t best_distance = SIZE_MAX;
  const std::string_view head = unknown.substr(0, unknown.find('_'));
  for (const KeySpec& spec : key_specs()) {
    std::string_view name = spec.doc.name;
    std::size_t d = edit_distance(unknown, name);
    const std::string_view name_head = name.substr(0, name.find('_'));
    bool close = d <= 3 || (head.size() >= 4 && edit_distance(head, name_head) <= 2);
    if (close && d < best_distance) {
      best = name;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace

std::string_view node_role_name(NodeRole role) {
  switch (role) {
    case NodeRole::kVoter:
      return "voter";
    case NodeRole::kLearner:
      return "learner";
    case NodeRole::kStandby:
      return "standby";
  }
  QUORUM_UNREACHABLE();
}

std::string_view log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  QUORUM_UNREACHABLE();
}

const PeerConfig& ParsedConfig::self() const {
  auto it = std::find_if(peers.begin(), peers.end(),
                         [&](const PeerConfig& p) { return p.id == node_id; });
  QUORUM_ASSERT(it != peers.end(), "node_id {} not in peers (unvalidated config)", node_id);
  return *it;
}

std::span<const ConfigKeyDoc> config_keys() {
  static const std::vector<ConfigKeyDoc> docs_table = [] {
    std::vector<ConfigKeyDoc> docs;
    for (const KeySpec& spec : key_specs()) docs.push_back(spec.doc);
    return docs;
  }();
  return docs_table;
}

std::string config_help() {
  std::string out = fmt::format("{:<26} {:<28} {:<13} {:<8} {}\n", "KEY", "TYPE", "DEFAULT", "UNIT",
                                "DESCRIPTION");
  for (const ConfigKeyDoc& doc : config_keys()) {
    out += fmt::format("{:<26} {:<28} {:<13} {:<8} {}\n", doc.name, doc.type, doc.default_value,
                       doc.unit, doc.description);
  }
  return out;
}

namespace {

// Parsing state: the config so far and the line each key was set on (0 = default).
class Parser {
 public:
  explicit Parser(std::string_view source) { config_.source = std::string(source); }

  Status line(std::size_t number, std::string_view text);
  Result<ParsedConfig> finish();

 private:
  Status error(std::size_t number, std::string message) const {
    if (number == 0)
      return Status::invalid_argument(fmt::format("{}: {}", config_.source, message));
    return Status::invalid_argument(fmt::format("{}:{}: {}", config_.source, number, message));
  }
  std::size_t line_of(std::string_view key) const {
    auto it = lines_.find(key);
    return it == lines_.end() ? 0 : it->second;
  }
  bool is_set(std::string_view key) const { return lines_.count(key) != 0; }
  Status check_timing() const;
  Status check_self() const;
  Status check_ports_and_tls() const;
  Status check_pool();

  ParsedConfig config_;
  std::map<std::string_view, std::size_t, std::less<>> lines_;
};

// Strips a trailing " # comment" and one pair of double quotes around the value.
Result<std::string_view> clean_value(std::string_view raw) {
  std::string_view v = raw;
  for (std::size_t i = 1; i < v.size(); ++i) {
    if (v[i] == '#' && (v[i - 1] == ' ' || v[i - 1] == '\t')) {
      v = v.substr(0, i);
      break;
    }
  }
  v = trim(v);
  if (!v.empty() && v.front() == '"') {
    if (v.size() < 2 || v.back() != '"') return Status::invalid_argument("unbalanced quote");
    v = v.substr(1, v.size() - 2);
    if (v.find('"') != std::string_view::npos)
      return Status::invalid_argument("quote inside value");
  }
  return v;
}

Status Parser::line(std::size_t number, std::string_view text) {
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  if (text.size() > kLineBytesMax)
    return error(number, fmt::format("line longer than {} bytes", kLineBytesMax));
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t') || byte == 0x7f) {
      return error(number, fmt::format("invalid character 0x{:02x}", byte));
    }
  }
  std::string_view t = trim(text);
  if (t.empty() || t.front() == '#' || t.front() == ';') return Status::ok();
  if (t.front() == '[') {
    if (t == "[quorumd]") return Status::ok();
    return error(number, fmt::format("unknown section '{}' (only [quorumd] is allowed)", t));
  }
  std::size_t eq = t.find('=');
  if (eq == std::string_view::npos) return error(number, "expected key = value");
  std::string_view key = trim(t.substr(0, eq));
  const KeySpec* spec = find_key(key);
  if (spec == nullptr) {
    std::string_view hint = suggest(key);
    return error(number, hint.empty()
                             ? fmt::format("unknown key '{}'", key)
                             : fmt::format("unknown key '{}' (did you mean '{}'?)", key, hint));
  }
  if (std::size_t first = line_of(spec->doc.name); first != 0) {
    return error(number, fmt::format("duplicate key '{}' (first set on line {})", key, first));
  }
  Result<std::string_view> value = clean_value(t.substr(eq + 1));
  if (!value)
    return error(number, fmt::format("bad value for '{}': {}", key, value.error().message()));
  if (std::string reason = spec->set(config_, *value); !reason.empty()) {
    return error(number, fmt::format("bad value for '{}': {}", key, reason));
  }
  lines_[spec->doc.name] = number;
  return Status::ok();
}

Status Parser::check_timing() const {
  const ParsedConfig& c = config_;
  const std::size_t line = line_of("heartbeat_interval_ms") != 0 ? line_of("heartbeat_interval_ms")
                                                                 : line_of("election_timeout_ms");
  if (c.heartbeat_interval_ms >= c.election_timeout_ms) {
    return error(line, fmt::format("heartbeat_interval_ms ({}) must be less than "
                                   "election_timeout_ms ({})",
                                   c.heartbeat_interval_ms, c.election_timeout_ms));
  }
  for (auto [key, value] : {std::pair<std::string_view, std::uint64_t>{"heartbeat_interval_ms",
                                                                       c.heartbeat_interval_ms},
                            {"election_timeout_ms", c.election_timeout_ms}}) {
    if (value % c.tick_interval_ms != 0) {
      std::size_t at = line_of(key) != 0 ? line_of(key) : line_of("tick_interval_ms");
      return error(at, fmt::format("{} ({}) must be a multiple of tick_interval_ms ({})", key,
                                   value, c.tick_interval_ms));
    }
  }
  return Status::ok();
}

// The node's own entry in peers is authoritative; name/priority/role keys, when set, must agree.
Status Parser::check_self() const {
  const ParsedConfig& c = config_;
  auto self = std::find_if(c.peers.begin(), c.peers.end(),
                           [&](const PeerConfig& p) { return p.id == c.node_id; });
  if (self == c.peers.end()) {
    return error(line_of("node_id"), fmt::format("node_id {} is not among the peers (line {})",
                                                 c.node_id, line_of("peers")));
  }
  if (is_set("name") && c.name != self->name) {
    return error(line_of("name"),
                 fmt::format("name '{}' differs from node {}'s name in peers ('{}')", c.name,
                             c.node_id, self->name));
  }
  if (is_set("priority") && c.priority != self->priority) {
    return error(line_of("priority"),
                 fmt::format("priority {} differs from node {}'s priority in peers ({})",
                             c.priority, c.node_id, self->priority));
  }
  if (is_set("role") && c.role != self->role) {
    return error(line_of("role"),
                 fmt::format("role {} differs from node {}'s role in peers ({})",
                             node_role_name(c.role), c.node_id, node_role_name(self->role)));
  }
  return Status::ok();
}

Status Parser::check_ports_and_tls() const {
  const ParsedConfig& c = config_;
  const std::array<std::pair<std::string_view, std::uint16_t>, 3> ports = {
      {{"raft_port", c.raft_port}, {"tls_port", c.tls_port}, {"http_port", c.http_port}}};
  for (std::size_t i = 0; i < ports.size(); ++i) {
    for (std::size_t j = i + 1; j < ports.size(); ++j) {
      if (ports[i].second == ports[j].second) {
        std::size_t at = std::max(line_of(ports[i].first), line_of(ports[j].first));
        return error(at, fmt::format("{} and {} are both {}", ports[i].first, ports[j].first,
                                     ports[i].second));
      }
    }
  }
  const bool any_tls = is_set("tls_ca_file") || is_set("tls_cert_file") || is_set("tls_key_file");
  const bool all_tls = is_set("tls_ca_file") && is_set("tls_cert_file") && is_set("tls_key_file");
  if (any_tls && !all_tls) {
    std::size_t at =
        std::max({line_of("tls_ca_file"), line_of("tls_cert_file"), line_of("tls_key_file")});
    return error(at, "tls_ca_file, tls_cert_file and tls_key_file must be set together");
  }
  if (config_.galera_fence && !config_.galera_enabled()) {
    return error(line_of("galera_fence"),
                 "galera_fence = on needs the probe's connection: set galera_socket or galera_host");
  }
  if (is_set("http_client_cert") && !all_tls) {
    return error(line_of("http_client_cert"),
                 "http_client_cert applies to the HTTPS API: set tls_ca_file, tls_cert_file and "
                 "tls_key_file too");
  }
  return Status::ok();
}

// Sessions (L, δ, ρ) and the pool identity. After check_self (role is the node's role in peers).
Status Parser::check_pool() {
  ParsedConfig& c = config_;
  for (auto [key, value] : {std::pair<std::string_view, std::uint64_t>{"session_lease_ms",
                                                                       c.session_lease_ms},
                            {"session_delay_ms", c.session_delay_ms}}) {
    if (value % c.tick_interval_ms != 0) {
      std::size_t at = line_of(key) != 0 ? line_of(key) : line_of("tick_interval_ms");
      return error(at, fmt::format("{} ({}) must be a multiple of tick_interval_ms ({})", key,
                                   value, c.tick_interval_ms));
    }
  }
  if (c.session_lease_ms != 0) {
    if (c.session_lease_ms < 4 * c.heartbeat_interval_ms) {
      const std::size_t at = std::max(line_of("session_lease_ms"), line_of("heartbeat_interval_ms"));
      return error(at, fmt::format("session_lease_ms ({}) must be at least 4 heartbeat intervals "
                                   "({} ms): renewals ride on the heartbeats",
                                   c.session_lease_ms, 4 * c.heartbeat_interval_ms));
    }
    if (c.session_delay_ms * 10 > c.session_lease_ms) {
      const std::size_t at = std::max(line_of("session_delay_ms"), line_of("session_lease_ms"));
      return error(at, fmt::format("session_delay_ms ({}) must be at most a tenth of "
                                   "session_lease_ms ({}): every lease is shortened by it",
                                   c.session_delay_ms, c.session_lease_ms));
    }
  }
  const bool standby_node = c.role == NodeRole::kStandby;
  if (!is_set("controller_role")) {
    c.controller_role = standby_node ? ownership::ControllerRole::kStandby
                                     : ownership::ControllerRole::kActive;
  }
  const bool standby = c.controller_role == ownership::ControllerRole::kStandby;
  if (standby != standby_node) {
    return error(line_of("controller_role"),
                 fmt::format("controller_role {} does not fit node {}'s role {} in peers (a "
                             "standby controller is exactly a node of role standby)",
                             ownership::role_name(c.controller_role), c.node_id,
                             node_role_name(c.role)));
  }
  if (standby && is_set("controller_auto_recovery") && c.controller_auto_recovery) {
    return error(line_of("controller_auto_recovery"),
                 "controller_auto_recovery = on is not allowed for a standby (it never acts "
                 "until promoted)");
  }
  if (standby) c.controller_auto_recovery = false;
  const std::string raft = to_host_config(c).raft.validate();
  if (!raft.empty()) {
    return error(std::max({line_of("session_lease_ms"), line_of("session_delay_ms"),
                           line_of("clock_drift_ppm_max")}),
                 raft);
  }
  return Status::ok();
}

Result<ParsedConfig> Parser::finish() {
  for (const KeySpec& spec : key_specs()) {
    if (spec.required && !is_set(spec.doc.name)) {
      return error(0, fmt::format("missing required key '{}'", spec.doc.name));
    }
  }
  if (Status s = check_timing(); !s.is_ok()) return s;
  if (Status s = check_self(); !s.is_ok()) return s;
  if (Status s = check_ports_and_tls(); !s.is_ok()) return s;
  const PeerConfig& self = config_.self();
  config_.name = self.name;
  config_.priority = self.priority;
  config_.role = self.role;
  if (Status s = check_pool(); !s.is_ok()) return s;
  return std::move(config_);
}

}  // namespace

Result<ParsedConfig> parse_config_text(std::string_view text, std::string_view source) {
  Parser parser(source);
  if (text.size() > kFileBytesMax) {
    return Status::invalid_argument(fmt::format("{}: larger than {} bytes", source, kFileBytesMax));
  }
  std::size_t number = 0;
  for (std::string_view line : split(text, '\n')) {
    ++number;
    if (Status s = parser.line(number, line); !s.is_ok()) return s;
  }
  return parser.finish();
}

Result<ParsedConfig> parse_config_file(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    const int err = errno;
    std::string message =
        fmt::format("{}: cannot open: {}", path, std::generic_category().message(err));
    if (err == ENOENT) return Status::not_found(std::move(message));
    return Status::io_error(std::move(message));
  }
  std::string text;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), file)) > 0) {
    text.append(buffer.data(), n);
    if (text.size() > kFileBytesMax) break;
  }
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) return Status::io_error(fmt::format("{}: read error", path));
  return parse_config_text(text, path);
}

namespace {

// The leader's driver, from the Raft timing: plan every heartbeat (the renewal interval), give
// up a plan's entries after an election timeout, count a controller alive for load while it
// answered within 3 heartbeats, and stable (may receive load) after an election timeout alive.
// Its session parameters are taken from the Raft config by the host.
ownership::DriverConfig driver_config(const raft::RaftConfig& raft) {
  ownership::DriverConfig driver;
  driver.plan_interval_ticks = raft.heartbeat_interval_ticks;
  driver.plan_timeout_ticks = raft.election_timeout_ticks;
  driver.alive_window_ticks = 3 * raft.heartbeat_interval_ticks;
  driver.stable_ticks = raft.election_timeout_ticks;
  return driver;
}

}  // namespace

host::HostConfig to_host_config(const ParsedConfig& config) {
  QUORUM_ASSERT(config.tick_interval_ms > 0);
  QUORUM_ASSERT(config.election_timeout_ms % config.tick_interval_ms == 0);
  host::HostConfig out;
  out.raft.id = config.node_id;
  out.raft.election_timeout_ticks = config.election_timeout_ms / config.tick_interval_ms;
  out.raft.heartbeat_interval_ticks = config.heartbeat_interval_ms / config.tick_interval_ms;
  // One proposal must fit a config file of the largest accepted size with its path and the
  // codec's framing; with the default (1 MiB) a file of exactly kContentBytesMax was refused by
  // the leader ("too large or busy") although the state machine accepts it.
  out.raft.message_bytes_max =
      std::max<std::uint64_t>(out.raft.message_bytes_max,
                              config_sync::kContentBytesMax + config_sync::kPathBytesMax + 1024);
  out.raft.clock_drift_ppm_max = config.clock_drift_ppm_max;
  out.raft.session_lease_ticks = config.session_lease_ms / config.tick_interval_ms;
  out.raft.session_delay_ticks = config.session_delay_ms / config.tick_interval_ms;
  out.ownership_driver = driver_config(out.raft);
  // The leadership history (`quorumctl controller --history`) is stamped with the wall clock.
  out.wall_clock_ms = [] {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
  };
  out.tick_interval_ms = config.tick_interval_ms;
  out.snapshot_interval_entries = config.snapshot_interval_entries;
  for (const PeerConfig& peer : config.peers) {  // sorted by id: the Membership invariant
    raft::Member member;
    member.id = peer.id;
    member.role =
        peer.role == NodeRole::kVoter ? raft::MemberRole::kVoter : raft::MemberRole::kLearner;
    member.priority = peer.priority;
    out.bootstrap.members.push_back(member);
  }
  QUORUM_ASSERT(out.raft.heartbeat_interval_ticks < out.raft.election_timeout_ticks);
  QUORUM_ASSERT(std::any_of(out.bootstrap.members.begin(), out.bootstrap.members.end(),
                            [&](const raft::Member& m) { return m.id == config.node_id; }));
  return out;
}

}  // namespace quorum::quorumd
