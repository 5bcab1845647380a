// TcpTransport: the production Transport port. One TCP connection per peer pair, plain or TLS,
// carrying length-prefixed, checksummed frames (engine/wire frame format); the first frame in
// each direction is a Hello (cluster id, node id, protocol version). Adapter layer.
//
// Connection rule: the node with the LOWER id dials, the higher id accepts. So there is exactly
// one connection per pair and no dedup race; an accepted Hello from a peer that already has a
// connection replaces it (the peer restarted and re-dialled; the old socket is half-open).
// The dialer re-dials after any close with a bounded, jittered backoff (backoff.h).
//
// Refused and closed with one log line, never reaching the core: a Hello with another cluster
// id, an unknown or unexpected node id, another protocol version; a frame that fails the wire
// checks; a message that does not decode or is not addressed from that peer to this node; with
// TLS, a peer whose certificate is not signed by the cluster CA (the TLS handshake fails).
//
// Hostile or broken peers are bounded: the TLS handshake and then the Hello must each finish
// within handshake_timeout_ms (accepting and dialling side); after the Hello, a frame that has
// begun must complete within frame_timeout_ms, so a peer that trickles bytes of a frame that
// never ends is cut although every byte counts as a sign of life for the idle timeout.
//
// Liveness: every link carries traffic at least every keepalive_interval_ms (a keepalive frame,
// an empty payload, when nothing else was sent); a link on which NOTHING arrived for
// idle_timeout_ms is closed ("idle") and the dialer re-dials. Without this a half-open TCP
// connection (peer host gone without a FIN or RST, a silently dropping middlebox) would look
// connected forever while carrying nothing. Detection takes at most idle_timeout_ms +
// keepalive_interval_ms. Peers older than this keepalive frame would close the link on it as
// malformed: all controllers of a group run the same version.
//
// Sending is best effort (host/ports/transport.h): a message to a peer that is not connected
// is dropped and counted; each connection queues at most send_queue_frames_max frames and
// drops the oldest when full.
//
// Thread safety: io thread only (the host's AsioExecutor shares the io_context).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/net/backoff.h"
#include "adapters/net/connection.h"
#include "engine/core/base/prng.h"
#include "engine/core/base/status.h"
#include "engine/core/base/types.h"
#include "engine/host/ports/transport.h"

namespace quorum::adapters {

struct PeerEndpoint {
  NodeId id = kNoNode;
  std::string host;  // IP address or host name
  std::uint16_t port = 0;
};

struct TlsFiles {
  std::string ca_file;    // the cluster CA: peers must present a certificate it signed
  std::string cert_file;  // this node's certificate (signed by the CA)
  std::string key_file;
};

struct TransportOptions {
  NodeId self_id = kNoNode;
  std::string cluster_id;
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 9500;  // 0: any free port (tests), see listen_port()
  std::vector<PeerEndpoint> peers;
  std::optional<TlsFiles> tls;
  std::size_t send_queue_frames_max = 4096;
  std::uint64_t backoff_ms_min = 20;
  std::uint64_t backoff_ms_max = 1000;
  // Bounds the TLS handshake and then the Hello exchange, each, on both sides: a peer that
  // connects and stays silent (or stalls mid-handshake) is cut, its socket closed.
  std::uint64_t handshake_timeout_ms = 3000;
  // A frame that has begun must complete within this bound (0: no bound). Checked with the
  // liveness timer (off when idle_timeout_ms is 0), so the cut comes within frame_timeout_ms +
  // keepalive_interval_ms. Must
  // allow the largest frame (a snapshot) over the slowest link.
  std::uint64_t frame_timeout_ms = 30'000;
  // 0 disables both (tests of other behaviour); else keepalive_interval_ms < idle_timeout_ms.
  std::uint64_t idle_timeout_ms = 10'000;
  std::uint64_t keepalive_interval_ms = 2'000;
};

struct TransportCounters {
  std::uint64_t messages_sent = 0;      // handed to a connection queue
  std::uint64_t messages_received = 0;  // delivered to the host
  std::uint64_t messages_dropped = 0;   // no connection, or oldest dropped from a full queue
  std::uint64_t connections_established = 0;
  std::uint64_t connections_refused = 0;  // bad Hello, TLS failure, unexpected peer
  std::uint64_t frames_rejected = 0;      // malformed frames or undecodable messages
  std::uint64_t connections_idle_closed = 0;  // nothing received for idle_timeout_ms
  std::uint64_t keepalives_sent = 0;
  std::uint64_t handshakes_timed_out = 0;  // TLS handshake or Hello not done in time
  std::uint64_t frames_timed_out = 0;      // a frame begun but not completed in time
};

class TcpTransport final : public host::Transport {
 public:
  using DeliverFn = std::function<void(raft::Message message)>;

  TcpTransport(boost::asio::io_context& io, TransportOptions options, Prng prng, DeliverFn deliver);
  ~TcpTransport() override;
  TcpTransport(const TcpTransport&) = delete;
  TcpTransport& operator=(const TcpTransport&) = delete;

  // Loads TLS files (if any), binds and listens, and starts dialling the higher-id peers.
  Status start();
  // Closes the listener and every connection; no more dials.
  void stop();

  void send(const raft::Message& message) override;

  std::uint16_t listen_port() const { return listen_port_; }
  bool connected(NodeId peer) const;
  const TransportCounters& counters() const;

 private:
  struct Peer {
    PeerEndpoint endpoint;
    std::shared_ptr<Connection> connection;  // set once the handshake completed
    std::unique_ptr<Backoff> backoff;        // dialer side only
    std::unique_ptr<boost::asio::steady_timer> redial_timer;
  };

  Status setup_tls();
  void accept_next();
  void on_accepted(boost::asio::ip::tcp::socket socket);
  void dial(NodeId peer_id);
  void schedule_redial(NodeId peer_id);
  void on_connected(NodeId peer_id, boost::asio::ip::tcp::socket socket);
  // Runs the TLS handshake of `socket` bounded by handshake_timeout_ms; `done` gets the stream
  // or, on failure or timeout, nullptr and the reason.
  using TlsDone = std::function<void(std::unique_ptr<ByteStream> stream, const std::string& error)>;
  void tls_handshake(boost::asio::ip::tcp::socket socket, bool server, TlsDone done);
  void begin_handshake(std::unique_ptr<ByteStream> stream, std::optional<NodeId> dialled_peer);
  void on_hello(const std::shared_ptr<Connection>& connection, std::optional<NodeId> dialled_peer,
                const std::string& payload);
  void attach(NodeId peer_id, const std::shared_ptr<Connection>& connection);
  void on_message(NodeId peer_id, const std::shared_ptr<Connection>& connection,
                  const std::string& payload);
  void on_closed(NodeId peer_id, const std::shared_ptr<Connection>& connection,
                 const std::string& reason, bool malformed);
  std::string hello_payload() const;
  // Every keepalive_interval_ms: keepalives on quiet links, close links silent for too long.
  void schedule_liveness_check();
  void check_liveness();

  boost::asio::io_context& io_;
  TransportOptions options_;
  Prng prng_;
  DeliverFn deliver_;
  std::unique_ptr<boost::asio::ssl::context> tls_context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t listen_port_ = 0;
  std::map<NodeId, Peer> peers_;
  boost::asio::steady_timer liveness_timer_;
  TransportCounters counters_;
  bool stopped_ = false;
  // Guards io handlers that outlive a stopped transport (they check it before touching `this`).
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace quorum::adapters
