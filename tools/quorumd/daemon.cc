#include "tools/quorumd/daemon.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <filesystem>
#include <random>
#include <utility>

#include "adapters/asio/asio_executor.h"
#include "adapters/asio/log.h"
#include "adapters/asio/offloaded_storage.h"
#include "adapters/asio/system_clock.h"
#include "adapters/files/config_dir_writer.h"
#include "adapters/galera/fence_publisher.h"
#include "adapters/galera/galera_backend.h"
#include "adapters/http/http_server.h"
#include "adapters/net/tcp_transport.h"
#include "adapters/rocks/rocks_storage.h"
#include "engine/core/raft/session.h"
#include "engine/core/raft/trace.h"
#include "engine/host/node_host.h"
#include "engine/wire/codec.h"
#include "tools/quorumd/api.h"
#include "tools/quorumd/config_materializer.h"
#include "tools/quorumd/metrics.h"
#include "tools/quorumd/peer_acks.h"
#include "tools/quorumd/pool_registrar.h"

namespace quorum::quorumd {

namespace log = adapters::log;

namespace {

// The local Galera node's address and user from quorumd.cnf: the probe's connection, and the
// fencing mirror's own one.
adapters::galera::ProbeConfig galera_connection(const ParsedConfig& config) {
  adapters::galera::ProbeConfig out;
  out.host = config.galera_host;
  out.port = config.galera_port;
  out.unix_socket = config.galera_socket;
  out.user = config.galera_user;
  out.password = config.galera_password;
  return out;
}

// The Galera probe when galera_socket or galera_host is configured (else no backend: health
// never gates leadership). Pushes health onto the io thread, where the host runs.
std::unique_ptr<adapters::galera::GaleraBackend> make_galera_backend(const ParsedConfig& config,
                                                                     boost::asio::io_context& io) {
  if (!config.galera_enabled()) return nullptr;
  adapters::galera::GaleraBackendConfig galera;
  galera.probe = galera_connection(config);
  galera.probe_interval_ms = config.galera_probe_interval_ms;
  const auto probes = static_cast<std::uint32_t>(config.galera_probes_to_change);
  galera.filter = {.bad_probes_min = probes, .good_probes_min = probes};
  return std::make_unique<adapters::galera::GaleraBackend>(
      galera, [&io](std::function<void()> fn) { boost::asio::post(io, std::move(fn)); });
}
// The fencing mirror's publisher when galera_fence is on (docs/operations.md section 7): its own
// connection to the local Galera node, with the probe's address and user.
std::unique_ptr<adapters::galera::FencePublisher> make_fence_publisher(const ParsedConfig& config) {
  if (!config.galera_fence) return nullptr;
  adapters::galera::FencePublisherConfig fence;
  fence.connection = galera_connection(config);
  // DDL (the schema, once) goes through Galera's total order; a publication of many rows is one
  // transaction. Both run on the publisher's thread: a longer timeout blocks no one.
  fence.connection.read_timeout_s = 5;
  fence.database = config.galera_fence_database;
  fence.retry_interval_ms = std::min<std::uint64_t>(500, config.galera_fence_interval_ms);
  return std::make_unique<adapters::galera::FencePublisher>(std::move(fence));
}

std::uint64_t unix_now_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

// Hand edits of config_dir are found and undone within this period.
constexpr auto kDriftCheckPeriod = std::chrono::seconds(5);

adapters::TransportOptions transport_options(const ParsedConfig& config) {
  adapters::TransportOptions options;
  options.self_id = config.node_id;
  options.cluster_id = config.cluster_id;
  options.listen_host = config.listen_address;
  options.listen_port = config.tls_enabled() ? config.tls_port : config.raft_port;
  for (const PeerConfig& peer : config.peers) {
    if (peer.id == config.node_id) continue;
    options.peers.push_back({peer.id, peer.host, peer.raft_port});
  }
  if (config.tls_enabled()) {
    options.tls = adapters::TlsFiles{config.tls_ca_file, config.tls_cert_file, config.tls_key_file};
  }
  // Reconnect quickly relative to the election timeout, never faster than every 20 ms.
  options.backoff_ms_min = 20;
  options.backoff_ms_max = std::max<std::uint64_t>(100, config.election_timeout_ms / 2);
  // A link silent for two election timeouts is dead (a half-open TCP connection): close it and
  // re-dial. Two, not one, so that one slow round trip or a short pause of a peer process does
  // not cost a reconnect. Quiet links (between followers) carry a keepalive every T/4.
  options.idle_timeout_ms = 2 * config.election_timeout_ms;
  options.keepalive_interval_ms = std::max<std::uint64_t>(1, config.election_timeout_ms / 4);
  // A peer that connects and does not finish the TLS handshake, then the Hello, within two
  // election timeouts each (at least 1 s) is cut: scanners and stuck peers hold no socket.
  options.handshake_timeout_ms = std::max<std::uint64_t>(1000, 2 * config.election_timeout_ms);
  // A frame must complete within 30 s (a 64 MiB snapshot at ~2 MiB/s), or 20 election
  // timeouts if longer: a peer trickling one endless frame is cut although it is not idle.
  options.frame_timeout_ms = std::max<std::uint64_t>(30'000, 20 * config.election_timeout_ms);
  return options;
}
}  // namespace

void log_no_space_hint(const std::string& data_dir) {
  // The node stopped before acknowledging anything it could not make durable (fail-stop), so
  // nothing is lost: the log on disk is a clean prefix and the leader re-sends the rest.
  log::error("quorumd", "data_dir {} is full: free space on its file system, then start quorumd again; "
             "it catches up from the leader (docs/operations.md, Recover a node)", data_dir);
}

struct Daemon::Impl {
  Impl(boost::asio::io_context& io_context, ParsedConfig parsed, std::uint64_t seed_value)
      : io(io_context), config(std::move(parsed)),
        seed(seed_value != 0 ? seed_value : (std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}()),
        executor(io, clock), drift_timer(io), handover_timer(io), fence_timer(io) {}

  Status start();
  void install_hooks();
  void on_role_change(const raft::SoftState& soft);
  void on_trace(const raft::TraceEvent& event);
  void schedule_drift_check();
  void materialize();
  // The fencing mirror (galera_fence): on the leader, hands the publisher its state when a
  // grant, move or term changed since the last submission, or always with `refresh` (leases).
  void publish_fence(bool refresh);
  void schedule_fence_refresh();

  boost::asio::io_context& io;
  ParsedConfig config;
  std::uint64_t seed;
  adapters::SystemClock clock;
  adapters::AsioExecutor executor;
  std::unique_ptr<adapters::rocks::RocksStorage> rocks;
  std::unique_ptr<adapters::OffloadedStorage> storage;
  std::unique_ptr<adapters::TcpTransport> transport;
  std::unique_ptr<adapters::galera::GaleraBackend> backend;  // outlives host (host unsubscribes)
  std::unique_ptr<adapters::galera::FencePublisher> fence;   // galera_fence: the leader's mirror
  std::unique_ptr<host::NodeHost> host;
  std::unique_ptr<ConfigMaterializer> materializer;
  std::unique_ptr<adapters::HttpServer> http;
  std::unique_ptr<adapters::HttpServer> health;  // health_port: plain, GET /health only
  std::unique_ptr<NodeHostApi> api_host;  // what the API handlers see of host and transport
  std::unique_ptr<ApiContext> api;
  std::unique_ptr<PoolRegistrar> registrar;  // pool_register: registers this node once
  LatencyHistogram fsync;
  CounterSet counters;
  PeerAcks acks;
  raft::SoftState last_soft;
  boost::asio::steady_timer drift_timer;
  // SIGTERM on a leader: polls until leadership moved (Daemon::stop_after_handing_over_...).
  boost::asio::steady_timer handover_timer;
  bool handing_over = false;
  std::chrono::steady_clock::time_point handover_started;
  bool config_sync_posted = false;
  boost::asio::steady_timer fence_timer;
  // What was last submitted to the publisher, without the leases: (term, cluster, owner, epoch).
  Term fence_term = 0;
  std::vector<adapters::galera::OwnerRow> fence_rows;
  // The commit index loaded at start. Committed entries after the snapshot are re-applied by the
  // host's first polls (replay); until they are, the config map is an older state, and writing it
  // would delete committed files from config_dir for a moment (seen after every restart).
  LogIndex replay_index = 0;
  bool stopping = false;
  std::function<void(const Status&)> on_exit;
};

Status Daemon::Impl::start() {
  std::error_code mkdir_error;
  std::filesystem::create_directories(config.data_dir, mkdir_error);
  if (mkdir_error) {
    return Status::io_error(fmt::format("data_dir {}: {}", config.data_dir, mkdir_error.message()));
  }
  Result<std::unique_ptr<adapters::rocks::RocksStorage>> opened =
      adapters::rocks::RocksStorage::open(
          config.data_dir + "/raft",
          wire::StoreIdentity{config.cluster_id, config.node_id, wire::kStoreFormatVersion});
  if (!opened) return opened.error();
  rocks = std::move(*opened);
  rocks->committer().set_observer([this](std::size_t, bool sync, std::uint64_t latency_us) {
    if (sync) fsync.observe(latency_us);
  });
  storage = std::make_unique<adapters::OffloadedStorage>(*rocks, executor);

  adapters::files::ConfigDirOptions dir_options;
  dir_options.config_dir = config.config_dir;
  dir_options.manifest_path = config.data_dir + "/config-manifest";
  dir_options.delete_unmanaged = config.config_dir_delete_unmanaged;
  Result<std::unique_ptr<adapters::files::ConfigDirWriter>> writer =
      adapters::files::ConfigDirWriter::open(dir_options);
  if (!writer) return writer.error();
  if (!(*writer)->manifest_warning().empty()) log::warn("config", "{}", (*writer)->manifest_warning());
  materializer = std::make_unique<ConfigMaterializer>(std::move(*writer));

  Prng prng(seed);
  transport = std::make_unique<adapters::TcpTransport>(
      io, transport_options(config), prng.fork(1),
      [this](raft::Message message) {
        acks.on_message(message, host->node().term(), std::chrono::steady_clock::now());
        host->deliver(std::move(message));
      });
  backend = make_galera_backend(config, io);
  fence = make_fence_publisher(config);
  host = std::make_unique<host::NodeHost>(
      to_host_config(config), host::Ports{*transport, clock, *storage, executor, backend.get()},
      prng.fork(2));
  install_hooks();
  if (Status status = host->start(); !status.is_ok()) return status;
  log::info("raft", "node {} ({}) loaded: term {}, last index {}, commit index {}", config.node_id,
            config.name, host->node().term(), host->node().last_index(), host->node().commit_index());
  replay_index = host->node().commit_index();
  materialize();

  if (Status status = transport->start(); !status.is_ok()) return status;
  if (config.http_port != 0) {
    api_host = std::make_unique<NodeHostApi>(*host, *transport);
    api = std::make_unique<ApiContext>(ApiContext{config, *api_host, fsync, counters});
    if (backend != nullptr) api->database_state = [this] { return backend->last_outcome(); };
    api->acks = &acks;
    api->materializer = materializer.get();
    std::optional<adapters::HttpTlsOptions> https;
    if (config.tls_enabled()) {
      https = adapters::HttpTlsOptions{config.tls_ca_file, config.tls_cert_file, config.tls_key_file,
                                       config.http_client_cert_required};
    }
    http = std::make_unique<adapters::HttpServer>(
        io, config.listen_address, config.http_port,
        [this](const adapters::HttpRequest& request, adapters::HttpRespondFn respond) {
          handle_api_request(*api, request, std::move(respond));
        },
        std::move(https));
    api->http_counters = &http->counters();
    if (Status status = http->start(); !status.is_ok()) return status;
    if (config.health_port != 0) {
      health = std::make_unique<adapters::HttpServer>(
          io, config.listen_address, config.health_port,
          [this](const adapters::HttpRequest& request, adapters::HttpRespondFn respond) {
            handle_health_request(*api, request, std::move(respond));
          });
      if (Status status = health->start(); !status.is_ok()) return status;
    }
    if (config.pool_register && config.session_lease_ms > 0) {
      registrar = std::make_unique<PoolRegistrar>(config, node_url(config, config.node_id));
      registrar->start();
    }
  }
  executor.spawn([this] { host->run(); },
                 [this] {
                   Status status = host->failure();
                   if (!status.is_ok()) {
                     log::error("raft", "fail-stop: {}", status.to_string());
                     if (status.code() == StatusCode::kNoSpace) log_no_space_hint(config.data_dir);
                   }
                   if (on_exit) on_exit(status);
                 });
  schedule_drift_check();
  if (fence) schedule_fence_refresh();
  return Status::ok();
}

void Daemon::Impl::install_hooks() {
  host->on_role_change([this](const raft::SoftState& soft) { on_role_change(soft); });
  host->on_trace([this](const raft::TraceEvent& event) { on_trace(event); });
  host->on_snapshot_refused([this](NodeId from, const Status& why) {
    log::warn("raft", "refused the snapshot sent by node {} ({}): {}; not stored, not "
              "acknowledged", from, node_name(config, from), why.to_string());
  });
  host->on_apply([this](const raft::Entry&) {
    // Coalesce: one directory sync per burst of applied entries.
    if (config_sync_posted) return;
    config_sync_posted = true;
    boost::asio::post(io, [this] {
      config_sync_posted = false;
      materialize();
      publish_fence(false);
    });
  });
}

void Daemon::Impl::on_role_change(const raft::SoftState& soft) {
  if (soft.role == raft::Role::kLeader &&
      (last_soft.role != raft::Role::kLeader || soft.term != last_soft.term)) {
    acks.on_leader(soft.term, std::chrono::steady_clock::now());
  }
  if (soft.role != last_soft.role) {
    log::info("raft", "role {} -> {} term {}", raft::role_name(last_soft.role), raft::role_name(soft.role),
              soft.term);
  } else if (soft.term != last_soft.term) {
    // Same role, new term (a follower hearing of a newer term): not a role change.
    log::info("raft", "term {} -> {} (still {})", last_soft.term, soft.term, raft::role_name(soft.role));
  }
  if (soft.leader_id != last_soft.leader_id) {
    if (soft.leader_id != kNoNode) {
      ++counters.leader_changes;
      log::info("raft", "leader is now node {} ({}) in term {}", soft.leader_id,
                node_name(config, soft.leader_id), soft.term);
    } else {
      log::info("raft", "no leader known (term {})", soft.term);
    }
  }
  last_soft = soft;
}

// "snapshot_installed term 3 peer 2 index 40"; a peer or index of 0 (none) is left out.
static std::string trace_text(const raft::TraceEvent& event) {
  std::string text = fmt::format("{} term {}", raft::trace_kind_name(event.kind), event.term);
  if (event.peer != kNoNode) text += fmt::format(" peer {}", event.peer);
  if (event.index != 0) text += fmt::format(" index {}", event.index);
  return text;
}

void Daemon::Impl::on_trace(const raft::TraceEvent& event) {
  using Kind = raft::TraceKind;
  const std::string_view kind = raft::trace_kind_name(event.kind);
  switch (event.kind) {
    case Kind::kElectionStarted:
      ++counters.elections_started;
      log::info("raft", "election started for term {}", event.term);
      return;
    case Kind::kCheckQuorumStepDown:
      log::warn("raft", "stepping down in term {}: no majority heard within the election timeout",
                event.term);
      return;
    case Kind::kTransferCompleted:  // this node took over: there is no peer to name
      log::info("raft", "{} term {}: this node is the leader now", kind, event.term);
      return;
    case Kind::kTransferStarted:
    case Kind::kTransferAborted:
    case Kind::kForcedStepDown:
    case Kind::kSnapshotInstalled:
    case Kind::kConflictTruncated:
    case Kind::kMembershipApplied:
      log::info("raft", "{}", trace_text(event));
      return;
    default:
      log::debug("raft", "{}", trace_text(event));
      return;
  }
}

void Daemon::Impl::schedule_drift_check() {
  drift_timer.expires_after(kDriftCheckPeriod);
  drift_timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping) return;
    materialize();
    schedule_drift_check();
  });
}

void Daemon::Impl::schedule_fence_refresh() {
  fence_timer.expires_after(std::chrono::milliseconds(config.galera_fence_interval_ms));
  fence_timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping) return;
    publish_fence(true);
    schedule_fence_refresh();
  });
}

void Daemon::Impl::publish_fence(bool refresh) {
  if (!fence || host->stopped()) return;
  const raft::Node& node = host->node();
  // Only the leader publishes, and only once an entry of its term committed: its state then
  // holds every committed grant (adapters/galera/fence_publisher.h says why this is safe).
  if (node.role() != raft::Role::kLeader || !node.committed_in_current_term()) return;
  const Ticks now_ticks = host->clock_now_ticks();
  const std::uint64_t now_ms = unix_now_ms();
  const std::uint64_t tick_ms = config.tick_interval_ms;
  const auto wall_ms = [&](Ticks ticks) -> std::uint64_t {
    if (ticks >= now_ticks) return now_ms + (ticks - now_ticks) * tick_ms;
    return now_ms - std::min(now_ms, (now_ticks - ticks) * tick_ms);
  };
  const Ticks wait_ticks = raft::assigner_wait_ticks(node.session().params());
  adapters::galera::FenceSnapshot snapshot{node.term(), config.node_id, {}};
  std::vector<adapters::galera::OwnerRow> rows;
  for (const auto& [id, cluster] : host->state().ownership.clusters()) {
    if (cluster.epoch == 0) continue;  // never granted: nothing to fence
    adapters::galera::OwnerRow row{id, cluster.owner, cluster.epoch, 0};
    rows.push_back(row);
    // The lease as this leader sees it: its own session's end, or the earliest time it would
    // grant a peer's cluster to another (rule 2); 0 when it has not heard the owner.
    if (cluster.owner == config.node_id) {
      row.lease_until_ms = wall_ms(node.session().valid_until_ticks());
    } else if (const raft::PeerSession* peer = node.peer_session(cluster.owner);
               peer != nullptr && peer->heard) {
      row.lease_until_ms = wall_ms(peer->last_keepalive_ticks + wait_ticks);
    }
    snapshot.rows.push_back(row);
  }
  if (!refresh && snapshot.term == fence_term && rows == fence_rows) return;
  fence_term = snapshot.term;
  fence_rows = std::move(rows);
  fence->submit(std::move(snapshot));
}

void Daemon::Impl::materialize() {
  if (host->applied_index() < replay_index) return;  // the on_apply hook calls again
  materializer->submit(host->state().config.files(), host->state().config.applied_index());
}

Daemon::Daemon(boost::asio::io_context& io, ParsedConfig config, std::uint64_t seed)
    : impl_(std::make_unique<Impl>(io, std::move(config), seed)) {}

Daemon::~Daemon() = default;

Status Daemon::start() { return impl_->start(); }

void Daemon::stop() {
  Impl& d = *impl_;
  if (d.stopping) return;
  d.stopping = true;
  log::info("quorumd", "stopping");
  d.drift_timer.cancel();
  d.handover_timer.cancel();
  d.fence_timer.cancel();
  if (d.registrar) d.registrar->stop();
  if (d.http) d.http->stop();
  if (d.health) d.health->stop();
  if (d.host) d.host->stop();
  if (d.transport) d.transport->stop();
}

bool Daemon::stop_requested() const { return impl_->stopping || impl_->handing_over; }

void Daemon::stop_after_handing_over_leadership() {
  Impl& d = *impl_;
  if (d.stopping || d.handing_over) return;
  const bool leads = d.host && !d.host->stopped() && d.host->node().role() == raft::Role::kLeader;
  if (!leads || d.host->node().membership().voter_count() < 2) {
    stop();
    return;
  }
  const raft::RequestResult result = d.host->transfer_leadership(kNoNode);
  if (result != raft::RequestResult::kOk && result != raft::RequestResult::kTransferInProgress) {
    log::warn("quorumd", "stopping without handing over leadership: transfer refused");
    stop();
    return;
  }
  d.handing_over = true;
  d.handover_started = std::chrono::steady_clock::now();
  const auto bound = std::chrono::milliseconds(2 * d.config.election_timeout_ms);
  log::info("quorumd", "stopping: handing leadership to the most caught-up peer first (at most {} ms)",
            bound.count());
  wait_for_handover(bound);
}

void Daemon::wait_for_handover(std::chrono::milliseconds bound) {
  Impl& d = *impl_;
  d.handover_timer.expires_after(std::chrono::milliseconds(10));
  d.handover_timer.async_wait([this, bound](const boost::system::error_code& ec) {
    Impl& h = *impl_;
    if (ec || h.stopping) return;
    const auto waited = std::chrono::steady_clock::now() - h.handover_started;
    const auto waited_ms = std::chrono::duration_cast<std::chrono::milliseconds>(waited).count();
    const raft::Node& node = h.host->node();
    // Done once another node leads (this one heard from it): not merely once this one stepped
    // down, which happens when the target's campaign arrives, before it has won.
    if (h.host->stopped() ||
        (node.role() != raft::Role::kLeader && node.leader_id() != kNoNode &&
         node.leader_id() != h.config.node_id)) {
      log::info("quorumd", "leadership handed over after {} ms (leader now node {}, {})",
                waited_ms, node.leader_id(), node_name(h.config, node.leader_id()));
      stop();
      return;
    }
    if (waited >= bound) {
      log::warn("quorumd", "leadership not handed over within {} ms; stopping anyway", waited_ms);
      stop();
      return;
    }
    wait_for_handover(bound);
  });
}

std::vector<std::string> config_keys_changed(const ParsedConfig& a, const ParsedConfig& b) {
  std::vector<std::string> out;
  auto check = [&out](bool same, const char* key) {
    if (!same) out.emplace_back(key);
  };
  check(a.node_id == b.node_id, "node_id");
  check(a.name == b.name, "name");
  check(a.cluster_id == b.cluster_id, "cluster_id");
  check(a.listen_address == b.listen_address, "listen_address");
  check(a.raft_port == b.raft_port, "raft_port");
  check(a.tls_port == b.tls_port, "tls_port");
  check(a.http_port == b.http_port, "http_port");
  check(a.peers == b.peers, "peers");
  check(a.data_dir == b.data_dir, "data_dir");
  check(a.config_dir == b.config_dir, "config_dir");
  check(a.tls_ca_file == b.tls_ca_file, "tls_ca_file");
  check(a.tls_cert_file == b.tls_cert_file, "tls_cert_file");
  check(a.tls_key_file == b.tls_key_file, "tls_key_file");
  check(a.http_client_cert_required == b.http_client_cert_required, "http_client_cert");
  check(a.heartbeat_interval_ms == b.heartbeat_interval_ms, "heartbeat_interval_ms");
  check(a.election_timeout_ms == b.election_timeout_ms, "election_timeout_ms");
  check(a.tick_interval_ms == b.tick_interval_ms, "tick_interval_ms");
  check(a.snapshot_interval_entries == b.snapshot_interval_entries, "snapshot_interval_entries");
  check(a.priority == b.priority, "priority");
  check(a.role == b.role, "role");
  check(a.log_level == b.log_level, "log_level");
  check(a.galera_host == b.galera_host, "galera_host");
  check(a.galera_port == b.galera_port, "galera_port");
  check(a.galera_socket == b.galera_socket, "galera_socket");
  check(a.galera_user == b.galera_user, "galera_user");
  check(a.galera_password == b.galera_password, "galera_password");
  check(a.galera_probe_interval_ms == b.galera_probe_interval_ms, "galera_probe_interval_ms");
  check(a.galera_probes_to_change == b.galera_probes_to_change, "galera_probes_to_change");
  check(a.galera_fence == b.galera_fence, "galera_fence");
  check(a.galera_fence_database == b.galera_fence_database, "galera_fence_database");
  check(a.galera_fence_interval_ms == b.galera_fence_interval_ms, "galera_fence_interval_ms");
  check(a.session_lease_ms == b.session_lease_ms, "session_lease_ms");
  check(a.session_delay_ms == b.session_delay_ms, "session_delay_ms");
  check(a.clock_drift_ppm_max == b.clock_drift_ppm_max, "clock_drift_ppm_max");
  check(a.controller_role == b.controller_role, "controller_role");
  check(a.controller_weight == b.controller_weight, "controller_weight");
  check(a.controller_tags == b.controller_tags, "controller_tags");
  check(a.controller_auto_recovery == b.controller_auto_recovery, "controller_auto_recovery");
  check(a.pool_register == b.pool_register, "pool_register");
  return out;
}

void Daemon::on_exit(std::function<void(const Status&)> fn) { impl_->on_exit = std::move(fn); }

std::uint16_t Daemon::raft_port() const {
  return impl_->transport ? impl_->transport->listen_port() : 0;
}

std::uint16_t Daemon::http_port() const { return impl_->http ? impl_->http->port() : 0; }

}  // namespace quorum::quorumd
