#include "adapters/net/tcp_transport.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <chrono>
#include <utility>

#include "adapters/asio/log.h"
#include "engine/core/base/assert.h"
#include "engine/wire/codec.h"

namespace quorum::adapters {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using TlsSocket = asio::ssl::stream<tcp::socket>;

TcpTransport::TcpTransport(asio::io_context& io, TransportOptions options, Prng prng,
                           DeliverFn deliver)
    : io_(io), options_(std::move(options)), prng_(prng), deliver_(std::move(deliver)),
      acceptor_(io), liveness_timer_(io) {
  QUORUM_ASSERT(options_.self_id != kNoNode);
  QUORUM_ASSERT(options_.idle_timeout_ms == 0 ||
                    (options_.keepalive_interval_ms > 0 &&
                     options_.keepalive_interval_ms < options_.idle_timeout_ms),
                "keepalive_interval_ms {} must be in (0, idle_timeout_ms {})",
                options_.keepalive_interval_ms, options_.idle_timeout_ms);
  QUORUM_ASSERT(!options_.cluster_id.empty());
  for (const PeerEndpoint& endpoint : options_.peers) {
    QUORUM_ASSERT(endpoint.id != options_.self_id, "a node is not its own peer");
    Peer& peer = peers_[endpoint.id];
    peer.endpoint = endpoint;
    if (options_.self_id < endpoint.id) {
      peer.backoff = std::make_unique<Backoff>(options_.backoff_ms_min, options_.backoff_ms_max,
                                               prng_.fork(endpoint.id));
      peer.redial_timer = std::make_unique<asio::steady_timer>(io_);
    }
  }
}

TcpTransport::~TcpTransport() {
  *alive_ = false;
  stop();
}

Status TcpTransport::setup_tls() {
  const TlsFiles& files = *options_.tls;
  tls_context_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls);
  boost::system::error_code ec;
  tls_context_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                                asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                                asio::ssl::context::no_tlsv1_1,
                            ec);
  if (tls_context_->load_verify_file(files.ca_file, ec); ec) {
    return Status::invalid_argument(fmt::format("tls ca file {}: {}", files.ca_file, ec.message()));
  }
  if (tls_context_->use_certificate_chain_file(files.cert_file, ec); ec) {
    return Status::invalid_argument(fmt::format("tls cert file {}: {}", files.cert_file, ec.message()));
  }
  if (tls_context_->use_private_key_file(files.key_file, asio::ssl::context::pem, ec); ec) {
    return Status::invalid_argument(fmt::format("tls key file {}: {}", files.key_file, ec.message()));
  }
  // Mutual authentication: both sides must present a certificate signed by the cluster CA.
  tls_context_->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert, ec);
  return Status::ok();
}

Status TcpTransport::start() {
  if (options_.tls) {
    if (Status status = setup_tls(); !status.is_ok()) return status;
  }
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(options_.listen_host, ec);
  if (ec) return Status::invalid_argument("listen address '" + options_.listen_host + "': " + ec.message());
  const tcp::endpoint endpoint(address, options_.listen_port);
  if (acceptor_.open(endpoint.protocol(), ec); ec) return Status::io_error("socket: " + ec.message());
  acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (acceptor_.bind(endpoint, ec); ec) {
    return Status::io_error(fmt::format("bind {}:{}: {}", options_.listen_host, options_.listen_port,
                                        ec.message()));
  }
  if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec) {
    return Status::io_error("listen: " + ec.message());
  }
  listen_port_ = acceptor_.local_endpoint().port();
  log::info("net", "listening for peers on {}:{} ({})", options_.listen_host, listen_port_,
            options_.tls ? "tls" : "plain");
  accept_next();
  for (auto& [peer_id, peer] : peers_) {
    if (peer.backoff) dial(peer_id);
  }
  if (options_.idle_timeout_ms != 0) schedule_liveness_check();
  return Status::ok();
}

void TcpTransport::schedule_liveness_check() {
  liveness_timer_.expires_after(std::chrono::milliseconds(options_.keepalive_interval_ms));
  liveness_timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (!*alive || stopped_ || ec) return;
    check_liveness();
    schedule_liveness_check();
  });
}

void TcpTransport::check_liveness() {
  const auto now = std::chrono::steady_clock::now();
  const auto idle_timeout = std::chrono::milliseconds(options_.idle_timeout_ms);
  const auto keepalive_interval = std::chrono::milliseconds(options_.keepalive_interval_ms);
  for (auto& [peer_id, peer] : peers_) {
    if (!peer.connection || peer.connection->closed()) continue;
    // Copy: close() runs on_closed, which resets peer.connection.
    std::shared_ptr<Connection> connection = peer.connection;
    const auto silent = now - connection->last_received();
    const auto partial_since = connection->partial_frame_since();
    if (options_.frame_timeout_ms != 0 && partial_since &&
        now - *partial_since >= std::chrono::milliseconds(options_.frame_timeout_ms)) {
      ++counters_.frames_timed_out;
      connection->close(fmt::format(
          "frame timeout: a frame begun {} ms ago is still incomplete (frame timeout {} ms)",
          std::chrono::duration_cast<std::chrono::milliseconds>(now - *partial_since).count(),
          options_.frame_timeout_ms));
      continue;
    }
    if (silent >= idle_timeout) {
      ++counters_.connections_idle_closed;
      connection->close(fmt::format(
          "idle: nothing received for {} ms (idle timeout {} ms)",
          std::chrono::duration_cast<std::chrono::milliseconds>(silent).count(),
          options_.idle_timeout_ms));
      continue;
    }
    if (now - connection->last_sent() >= keepalive_interval) {
      connection->send_keepalive();
      ++counters_.keepalives_sent;
    }
  }
}

void TcpTransport::stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  liveness_timer_.cancel();
  for (auto& [peer_id, peer] : peers_) {
    if (peer.redial_timer) peer.redial_timer->cancel();
    if (peer.connection) {
      auto connection = std::move(peer.connection);
      connection->close("transport stopped");
    }
  }
}

bool TcpTransport::connected(NodeId peer) const {
  auto it = peers_.find(peer);
  return it != peers_.end() && it->second.connection && !it->second.connection->closed();
}

const TransportCounters& TcpTransport::counters() const { return counters_; }

void TcpTransport::send(const raft::Message& message) {
  QUORUM_ASSERT(message.from == options_.self_id);
  auto it = peers_.find(message.to);
  if (it == peers_.end() || !it->second.connection || stopped_) {
    ++counters_.messages_dropped;
    return;
  }
  Connection& connection = *it->second.connection;
  const std::uint64_t dropped_before = connection.frames_dropped();
  if (!connection.send(wire::encode_message(message))) {
    ++counters_.messages_dropped;
    return;
  }
  ++counters_.messages_sent;
  counters_.messages_dropped += connection.frames_dropped() - dropped_before;
}

std::string TcpTransport::hello_payload() const {
  wire::Hello hello;
  hello.cluster_id = options_.cluster_id;
  hello.node_id = options_.self_id;
  hello.protocol_version = wire::kProtocolVersion;
  return wire::encode_hello(hello);
}

// ---- accepting side (higher id) ----

void TcpTransport::accept_next() {
  acceptor_.async_accept([this, alive = alive_](const boost::system::error_code& ec,
                                                tcp::socket socket) {
    if (!*alive || stopped_) return;
    if (ec) {
      log::warn("net", "accept: {}", ec.message());
    } else {
      on_accepted(std::move(socket));
    }
    accept_next();
  });
}

void TcpTransport::on_accepted(tcp::socket socket) {
  socket.set_option(tcp::no_delay(true));
  if (!tls_context_) {
    begin_handshake(make_plain_stream(std::move(socket)), std::nullopt);
    return;
  }
  const std::string remote = endpoint_text(socket);
  tls_handshake(std::move(socket), /*server=*/true,
                [this, remote](std::unique_ptr<ByteStream> stream, const std::string& error) {
                  if (!stream) {
                    ++counters_.connections_refused;
                    log::warn("net", "refused peer {}: tls handshake failed: {}", remote, error);
                    return;
                  }
                  begin_handshake(std::move(stream), std::nullopt);
                });
}

void TcpTransport::tls_handshake(tcp::socket socket, bool server, TlsDone done) {
  auto stream = std::make_unique<TlsSocket>(std::move(socket), *tls_context_);
  TlsSocket& ref = *stream;
  // Without a bound, a peer that connects and never speaks holds a socket forever (the
  // handshake waits for a ClientHello that never comes). On expiry the socket is closed, which
  // completes the handshake with an error; `timed_out` turns that error into the reason.
  struct State {
    bool finished = false;  // the handshake handler ran: `ref` may be gone
    bool timed_out = false;
  };
  auto state = std::make_shared<State>();
  auto timer = std::make_shared<asio::steady_timer>(io_);
  timer->expires_after(std::chrono::milliseconds(options_.handshake_timeout_ms));
  timer->async_wait([this, alive = alive_, state, &ref](const boost::system::error_code& ec) {
    if (ec || !*alive || state->finished) return;
    state->timed_out = true;
    ++counters_.handshakes_timed_out;
    boost::system::error_code ignored;
    ref.next_layer().close(ignored);
  });
  ref.async_handshake(
      server ? asio::ssl::stream_base::server : asio::ssl::stream_base::client,
      [this, alive = alive_, timer, state, done = std::move(done),
       stream = std::move(stream)](const boost::system::error_code& ec) mutable {
        state->finished = true;
        timer->cancel();
        if (!*alive || stopped_) return;
        if (ec || state->timed_out) {
          done(nullptr, state->timed_out
                            ? fmt::format("not done within the handshake timeout ({} ms)",
                                          options_.handshake_timeout_ms)
                            : ec.message());
          return;
        }
        done(make_tls_stream(std::move(stream)), {});
      });
}

// ---- dialling side (lower id) ----

void TcpTransport::dial(NodeId peer_id) {
  if (stopped_) return;
  Peer& peer = peers_.at(peer_id);
  auto resolver = std::make_shared<tcp::resolver>(io_);
  resolver->async_resolve(
      peer.endpoint.host, std::to_string(peer.endpoint.port),
      [this, alive = alive_, resolver, peer_id](const boost::system::error_code& ec,
                                                tcp::resolver::results_type results) {
        if (!*alive || stopped_) return;
        if (ec) {
          log::debug("net", "resolve node {}: {}", peer_id, ec.message());
          schedule_redial(peer_id);
          return;
        }
        auto socket = std::make_shared<tcp::socket>(io_);
        asio::async_connect(*socket, results,
                            [this, alive, socket, peer_id](const boost::system::error_code& cec,
                                                           const tcp::endpoint&) {
                              if (!*alive || stopped_) return;
                              if (cec) {
                                log::debug("net", "dial node {}: {}", peer_id, cec.message());
                                schedule_redial(peer_id);
                                return;
                              }
                              on_connected(peer_id, std::move(*socket));
                            });
      });
}

void TcpTransport::schedule_redial(NodeId peer_id) {
  if (stopped_) return;
  Peer& peer = peers_.at(peer_id);
  QUORUM_ASSERT(peer.backoff != nullptr, "only the lower id dials");
  const std::uint64_t delay_ms = peer.backoff->next_delay_ms();
  peer.redial_timer->expires_after(std::chrono::milliseconds(delay_ms));
  peer.redial_timer->async_wait([this, alive = alive_, peer_id](const boost::system::error_code& ec) {
    if (!*alive || stopped_ || ec) return;
    dial(peer_id);
  });
}

void TcpTransport::on_connected(NodeId peer_id, tcp::socket socket) {
  socket.set_option(tcp::no_delay(true));
  if (!tls_context_) {
    begin_handshake(make_plain_stream(std::move(socket)), peer_id);
    return;
  }
  tls_handshake(std::move(socket), /*server=*/false,
                [this, peer_id](std::unique_ptr<ByteStream> stream, const std::string& error) {
                  if (!stream) {
                    ++counters_.connections_refused;
                    log::warn("net", "tls handshake with node {} failed: {}", peer_id, error);
                    schedule_redial(peer_id);
                    return;
                  }
                  begin_handshake(std::move(stream), peer_id);
                });
}

// ---- Hello exchange (both sides) ----

void TcpTransport::begin_handshake(std::unique_ptr<ByteStream> stream,
                                   std::optional<NodeId> dialled_peer) {
  auto connection = std::make_shared<Connection>(std::move(stream), options_.send_queue_frames_max);
  auto timer = std::make_shared<asio::steady_timer>(io_);
  std::weak_ptr<Connection> weak = connection;
  Connection::Callbacks callbacks;
  callbacks.on_frame = [this, weak, timer, dialled_peer](std::string payload) {
    auto self = weak.lock();
    if (!self) return;
    timer->cancel();
    on_hello(self, dialled_peer, payload);
  };
  callbacks.on_close = [this, alive = alive_, timer, dialled_peer, remote = connection->remote()](
                           const std::string& reason, bool malformed) {
    timer->cancel();
    if (!*alive) return;
    if (malformed) ++counters_.frames_rejected;
    log::warn("net", "connection {} closed before the handshake completed: {}", remote, reason);
    if (dialled_peer && !stopped_) schedule_redial(*dialled_peer);
  };
  connection->start(std::move(callbacks));
  if (dialled_peer) connection->send(hello_payload());
  // A peer that never says Hello (a port scanner, a stuck process) is cut after a bound.
  timer->expires_after(std::chrono::milliseconds(options_.handshake_timeout_ms));
  timer->async_wait([this, alive = alive_, weak](const boost::system::error_code& ec) {
    if (ec || !*alive) return;
    if (auto self = weak.lock()) {
      ++counters_.handshakes_timed_out;
      self->close("no hello within the handshake timeout");
    }
  });
}

void TcpTransport::on_hello(const std::shared_ptr<Connection>& connection,
                            std::optional<NodeId> dialled_peer, const std::string& payload) {
  Result<wire::Hello> hello = wire::decode_hello(payload);
  auto refuse = [&](const std::string& why) {
    ++counters_.connections_refused;
    log::warn("net", "refused peer {}: {}", connection->remote(), why);
    connection->set_on_close({});  // one log line per refusal
    connection->close("refused: " + why);
    if (dialled_peer && !stopped_) schedule_redial(*dialled_peer);
  };
  if (!hello) {
    ++counters_.frames_rejected;
    refuse("bad hello: " + hello.error().to_string());
    return;
  }
  if (hello->cluster_id != options_.cluster_id) {
    refuse(fmt::format("cluster id '{}' is not ours ('{}')", hello->cluster_id, options_.cluster_id));
    return;
  }
  if (hello->protocol_version != wire::kProtocolVersion) {
    refuse(fmt::format("protocol version {} (we speak {})", hello->protocol_version,
                       wire::kProtocolVersion));
    return;
  }
  const NodeId peer_id = hello->node_id;
  if (dialled_peer) {
    if (peer_id != *dialled_peer) {
      refuse(fmt::format("dialled node {} but node {} answered", *dialled_peer, peer_id));
      return;
    }
  } else {
    if (peers_.count(peer_id) == 0) {
      refuse(fmt::format("node {} is not a configured peer", peer_id));
      return;
    }
    if (peer_id > options_.self_id) {
      refuse(fmt::format("node {} should not dial node {} (the lower id dials)", peer_id,
                         options_.self_id));
      return;
    }
    connection->send(hello_payload());
  }
  attach(peer_id, connection);
}

void TcpTransport::attach(NodeId peer_id, const std::shared_ptr<Connection>& connection) {
  Peer& peer = peers_.at(peer_id);
  if (peer.connection && peer.connection != connection) {
    auto old = std::move(peer.connection);
    old->close("replaced by a new connection from the same peer");
  }
  peer.connection = connection;
  if (peer.backoff) peer.backoff->reset();
  ++counters_.connections_established;
  log::info("net", "connected to node {} ({})", peer_id, connection->remote());
  std::weak_ptr<Connection> weak = connection;
  connection->set_on_frame([this, weak, peer_id](std::string payload) {
    if (auto self = weak.lock()) on_message(peer_id, self, payload);
  });
  connection->set_on_close([this, alive = alive_, weak, peer_id](const std::string& reason,
                                                                 bool malformed) {
    if (!*alive) return;
    on_closed(peer_id, weak.lock(), reason, malformed);
  });
}

void TcpTransport::on_message(NodeId peer_id, const std::shared_ptr<Connection>& connection,
                              const std::string& payload) {
  Result<raft::Message> message = wire::decode_message(payload);
  if (!message) {
    connection->close("undecodable message: " + message.error().to_string(), /*malformed=*/true);
    return;
  }
  if (message->from != peer_id || message->to != options_.self_id) {
    connection->close(fmt::format("message from {} to {} on the link of node {}", message->from,
                                  message->to, peer_id),
                      /*malformed=*/true);
    return;
  }
  ++counters_.messages_received;
  deliver_(std::move(*message));
}

void TcpTransport::on_closed(NodeId peer_id, const std::shared_ptr<Connection>& connection,
                             const std::string& reason, bool malformed) {
  if (malformed) ++counters_.frames_rejected;
  Peer& peer = peers_.at(peer_id);
  const bool current = peer.connection == connection;
  if (current) peer.connection.reset();
  if (malformed || reason.rfind("idle:", 0) == 0 || reason.rfind("frame timeout:", 0) == 0) {
    log::warn("net", "closed connection to node {}: {}", peer_id, reason);
  } else {
    log::info("net", "lost connection to node {}: {}", peer_id, reason);
  }
  if (current && peer.backoff && !stopped_) schedule_redial(peer_id);
}

}  // namespace quorum::adapters
