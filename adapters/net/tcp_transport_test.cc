// Tests of the TCP transport on loopback: real sockets, ports chosen by the kernel (port 0).
// Waiting is wall-clock polling of the io_context with a deadline (real I/O, not simulated).
#include "adapters/net/tcp_transport.h"

#include <gtest/gtest.h>

#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <unistd.h>

#include "adapters/asio/log.h"
#include "engine/wire/codec.h"
#include "engine/wire/frame.h"

namespace quorum::adapters {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr auto kDeadline = std::chrono::seconds(10);

bool run_until(asio::io_context& io, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
  return true;
}

raft::Message vote_request(NodeId from, NodeId to, Term term) {
  raft::Message message;
  message.from = from;
  message.to = to;
  message.term = term;
  message.body = raft::VoteRequest{};
  return message;
}

struct Node {
  std::vector<raft::Message> received;
  std::unique_ptr<TcpTransport> transport;
};

TransportOptions options_for(NodeId self, std::string cluster, std::vector<PeerEndpoint> peers,
                             std::uint16_t port = 0) {
  TransportOptions options;
  options.self_id = self;
  options.cluster_id = std::move(cluster);
  options.listen_port = port;
  options.peers = std::move(peers);
  options.backoff_ms_min = 5;
  options.backoff_ms_max = 50;
  return options;
}

void make(asio::io_context& io, Node* node, TransportOptions options) {
  node->transport = std::make_unique<TcpTransport>(
      io, std::move(options), Prng(options.self_id),
      [node](raft::Message message) { node->received.push_back(std::move(message)); });
  const Status status = node->transport->start();
  ASSERT_TRUE(status.is_ok()) << status.to_string();
}

class TcpTransportTest : public ::testing::Test {
 protected:
  void SetUp() override { log::set_level(log::Level::kError); }
  asio::io_context io;
};

TEST_F(TcpTransportTest, FramesFlowBothWaysOverTheOneConnectionOfAPair) {
  Node high;  // id 2 accepts
  make(io, &high, options_for(2, "c", {{1, "127.0.0.1", 1}}));
  Node low;  // id 1 dials
  make(io, &low, options_for(1, "c", {{2, "127.0.0.1", high.transport->listen_port()}}));
  ASSERT_TRUE(run_until(io, [&] { return low.transport->connected(2) && high.transport->connected(1); }));

  low.transport->send(vote_request(1, 2, 7));
  high.transport->send(vote_request(2, 1, 8));
  ASSERT_TRUE(run_until(io, [&] { return !high.received.empty() && !low.received.empty(); }));
  EXPECT_EQ(high.received.front(), vote_request(1, 2, 7));
  EXPECT_EQ(low.received.front(), vote_request(2, 1, 8));
  EXPECT_EQ(low.transport->counters().connections_established, 1u);
  EXPECT_EQ(high.transport->counters().messages_received, 1u);
}

TEST_F(TcpTransportTest, MessagesToAnUnconnectedPeerAreDroppedAndCounted) {
  Node low;
  make(io, &low, options_for(1, "c", {{2, "127.0.0.1", 1}}));  // nobody listens on port 1
  low.transport->send(vote_request(1, 2, 1));
  EXPECT_EQ(low.transport->counters().messages_dropped, 1u);
  EXPECT_EQ(low.transport->counters().messages_sent, 0u);
}

TEST_F(TcpTransportTest, TheDialerReconnectsAfterThePeerRestarts) {
  Node high;
  make(io, &high, options_for(2, "c", {{1, "127.0.0.1", 1}}));
  const std::uint16_t port = high.transport->listen_port();
  Node low;
  make(io, &low, options_for(1, "c", {{2, "127.0.0.1", port}}));
  ASSERT_TRUE(run_until(io, [&] { return low.transport->connected(2); }));

  high.transport.reset();  // the peer process goes away
  ASSERT_TRUE(run_until(io, [&] { return !low.transport->connected(2); }));
  make(io, &high, options_for(2, "c", {{1, "127.0.0.1", 1}}, port));
  ASSERT_TRUE(run_until(io, [&] { return low.transport->connected(2); }));

  low.transport->send(vote_request(1, 2, 9));
  ASSERT_TRUE(run_until(io, [&] { return !high.received.empty(); }));
  EXPECT_EQ(high.received.back().term, 9u);
  EXPECT_GE(low.transport->counters().connections_established, 2u);
}

TEST_F(TcpTransportTest, MalformedBytesFromARawSocketCloseTheConnectionAndNeverDeliver) {
  Node high;
  make(io, &high, options_for(2, "c", {{1, "127.0.0.1", 1}}));
  tcp::socket raw(io);
  raw.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), high.transport->listen_port()));
  const std::string garbage = "GET / HTTP/1.1\r\nthis is not a quorum frame\r\n\r\n";
  asio::write(raw, asio::buffer(garbage));
  bool closed = false;
  char byte = 0;
  raw.async_read_some(asio::buffer(&byte, 1),
                      [&](const boost::system::error_code& ec, std::size_t) { closed = !!ec; });
  ASSERT_TRUE(run_until(io, [&] { return closed; }));
  EXPECT_EQ(high.transport->counters().frames_rejected, 1u);
  EXPECT_TRUE(high.received.empty());
  EXPECT_FALSE(high.transport->connected(1));
}

TEST_F(TcpTransportTest, APeerWithAnotherClusterIdIsRefused) {
  Node high;
  make(io, &high, options_for(2, "prod", {{1, "127.0.0.1", 1}}));
  Node low;
  make(io, &low, options_for(1, "staging", {{2, "127.0.0.1", high.transport->listen_port()}}));
  ASSERT_TRUE(run_until(io, [&] { return high.transport->counters().connections_refused >= 2; }));
  EXPECT_FALSE(high.transport->connected(1));
  EXPECT_FALSE(low.transport->connected(2));
}

TEST_F(TcpTransportTest, ANodeThatIsNotAConfiguredPeerIsRefused) {
  Node five;
  make(io, &five, options_for(5, "c", {{1, "127.0.0.1", 1}}));
  Node stranger;  // id 3 dials 5, but 5 only knows node 1
  make(io, &stranger, options_for(3, "c", {{5, "127.0.0.1", five.transport->listen_port()}}));
  ASSERT_TRUE(run_until(io, [&] { return five.transport->counters().connections_refused >= 1; }));
  EXPECT_FALSE(stranger.transport->connected(5));
  EXPECT_EQ(five.transport->counters().connections_established, 0u);
}

TEST_F(TcpTransportTest, APeerThatHandshakesAndThenGoesSilentIsDisconnected) {
  Node high;  // id 2 accepts; a raw socket plays node 1
  TransportOptions options = options_for(2, "c", {{1, "127.0.0.1", 1}});
  options.idle_timeout_ms = 300;
  options.keepalive_interval_ms = 50;
  make(io, &high, options);
  tcp::socket raw(io);
  raw.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), high.transport->listen_port()));
  wire::Hello hello;
  hello.cluster_id = "c";
  hello.node_id = 1;
  const auto last_sent_at = std::chrono::steady_clock::now();  // no byte goes out after this
  asio::write(raw, asio::buffer(wire::encode_frame(wire::encode_hello(hello))));
  ASSERT_TRUE(run_until(io, [&] { return high.transport->connected(1); }));
  // From now on the raw socket sends nothing (it still reads: the kernel acks, a half-open link).
  std::string inbound;
  std::array<char, 4096> chunk{};
  bool closed = false;
  std::function<void()> read_next = [&] {
    raw.async_read_some(asio::buffer(chunk), [&](const boost::system::error_code& ec, std::size_t n) {
      if (ec) {
        closed = true;
        return;
      }
      inbound.append(chunk.data(), n);
      read_next();
    });
  };
  read_next();
  ASSERT_TRUE(run_until(io, [&] { return closed && !high.transport->connected(1); }));
  const auto silent_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - last_sent_at);
  EXPECT_GE(silent_ms.count(), 300) << "closed before the idle timeout";
  EXPECT_EQ(high.transport->counters().connections_idle_closed, 1u);
  // What it sent the silent peer: its Hello, then keepalive frames (empty payloads) only.
  wire::FrameDecoder decoder;
  decoder.feed(inbound);
  Result<std::optional<std::string>> first = decoder.next();
  ASSERT_TRUE(first.has_value() && first->has_value());
  EXPECT_TRUE(wire::decode_hello(**first).has_value());
  int keepalives = 0;
  for (Result<std::optional<std::string>> next = decoder.next(); next && next->has_value();
       next = decoder.next()) {
    EXPECT_TRUE((*next)->empty());
    ++keepalives;
  }
  EXPECT_GE(keepalives, 1);
  EXPECT_TRUE(high.received.empty());
}

TEST_F(TcpTransportTest, AQuietLinkBetweenLivePeersStaysUpOnKeepalives) {
  TransportOptions high_options = options_for(2, "c", {{1, "127.0.0.1", 1}});
  high_options.idle_timeout_ms = 200;
  high_options.keepalive_interval_ms = 40;
  Node high;
  make(io, &high, high_options);
  TransportOptions low_options =
      options_for(1, "c", {{2, "127.0.0.1", high.transport->listen_port()}});
  low_options.idle_timeout_ms = 200;
  low_options.keepalive_interval_ms = 40;
  Node low;
  make(io, &low, low_options);
  ASSERT_TRUE(run_until(io, [&] { return low.transport->connected(2) && high.transport->connected(1); }));
  // No raft traffic at all for five idle timeouts: only keepalives cross the link.
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1000);
  while (std::chrono::steady_clock::now() < until) io.run_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(low.transport->connected(2));
  EXPECT_TRUE(high.transport->connected(1));
  EXPECT_EQ(low.transport->counters().connections_idle_closed, 0u);
  EXPECT_EQ(high.transport->counters().connections_idle_closed, 0u);
  EXPECT_EQ(low.transport->counters().connections_established, 1u);
  EXPECT_GE(low.transport->counters().keepalives_sent, 5u);
  EXPECT_GE(high.transport->counters().keepalives_sent, 5u);
  EXPECT_TRUE(low.received.empty() && high.received.empty()) << "keepalives never reach the host";
}

TEST_F(TcpTransportTest, TheDialerRedialsALinkItClosedAsIdle) {
  // The accepting side is a raw listener that completes the Hello and then never speaks again.
  tcp::acceptor listener(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::vector<std::shared_ptr<tcp::socket>> accepted;
  std::function<void()> accept_next = [&] {
    auto socket = std::make_shared<tcp::socket>(io);
    listener.async_accept(*socket, [&, socket](const boost::system::error_code& ec) {
      if (ec) return;
      wire::Hello hello;
      hello.cluster_id = "c";
      hello.node_id = 2;
      asio::write(*socket, asio::buffer(wire::encode_frame(wire::encode_hello(hello))));
      accepted.push_back(socket);
      accept_next();
    });
  };
  accept_next();
  TransportOptions options = options_for(1, "c", {{2, "127.0.0.1", listener.local_endpoint().port()}});
  options.idle_timeout_ms = 200;
  options.keepalive_interval_ms = 40;
  Node low;
  make(io, &low, options);
  // Wait for the facts asserted: the dialer's own counters (its second link is established when
  // it has read the listener's Hello, which can come well after the listener's accept under load).
  ASSERT_TRUE(run_until(io, [&] {
    return accepted.size() >= 2 && low.transport->counters().connections_idle_closed >= 1 &&
           low.transport->counters().connections_established >= 2;
  }));
  EXPECT_GE(low.transport->counters().connections_idle_closed, 1u);
  EXPECT_GE(low.transport->counters().connections_established, 2u);
}

// Generates a CA, and per name a key and a certificate signed by that CA, with the openssl CLI.
bool make_ca(const std::string& dir, const std::string& ca, const std::vector<std::string>& names) {
  std::string script = fmt::format(
      "cd {0} && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN={1} -keyout {1}.key "
      "-out {1}.pem >/dev/null 2>&1",
      dir, ca);
  for (const std::string& name : names) {
    script += fmt::format(
        " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN={0} -keyout {0}.key -out {0}.csr "
        ">/dev/null 2>&1 && openssl x509 -req -in {0}.csr -CA {1}.pem -CAkey {1}.key -CAcreateserial "
        "-days 2 -out {0}.pem >/dev/null 2>&1",
        name, ca);
  }
  return std::system(script.c_str()) == 0;  // NOLINT(concurrency-mt-unsafe)
}

TEST_F(TcpTransportTest, TlsPeersOfOneCaTalkAndAPeerWithAForeignCertificateIsRefused) {
  const std::string dir = std::filesystem::temp_directory_path() /
                          ("quorum-tls-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(make_ca(dir, "ca", {"n1", "n2"}));
  ASSERT_TRUE(make_ca(dir, "foreign", {"n3"}));
  auto tls = [&](const std::string& node) { return TlsFiles{dir + "/ca.pem", dir + "/" + node + ".pem", dir + "/" + node + ".key"}; };

  Node high;  // id 3 accepts from 1 (good cert) and from 2 (foreign cert)
  TransportOptions high_options = options_for(3, "c", {{1, "127.0.0.1", 1}, {2, "127.0.0.1", 1}});
  high_options.tls = tls("n2");  // signed by the cluster CA
  make(io, &high, high_options);
  Node good;
  TransportOptions good_options = options_for(1, "c", {{3, "127.0.0.1", high.transport->listen_port()}});
  good_options.tls = tls("n1");
  make(io, &good, good_options);
  Node bad;
  TransportOptions bad_options = options_for(2, "c", {{3, "127.0.0.1", high.transport->listen_port()}});
  bad_options.tls = tls("n3");  // trusts the cluster CA but holds a foreign certificate
  make(io, &bad, bad_options);

  ASSERT_TRUE(run_until(io, [&] { return good.transport->connected(3); }));
  good.transport->send(vote_request(1, 3, 4));
  ASSERT_TRUE(run_until(io, [&] {
    return !high.received.empty() && high.transport->counters().connections_refused >= 1;
  }));
  EXPECT_EQ(high.received.front(), vote_request(1, 3, 4));
  EXPECT_FALSE(high.transport->connected(2));
  EXPECT_FALSE(bad.transport->connected(3));
  std::filesystem::remove_all(dir);
}

// Issue 9 item 6: the accepting side of a TLS transport bounds the handshake. A peer that
// connects and never sends a ClientHello used to hold its socket forever.
TEST_F(TcpTransportTest, ATlsPeerThatNeverHandshakesIsCutAfterTheHandshakeTimeout) {
  const std::string dir = std::filesystem::temp_directory_path() /
                          ("quorum-tls-timeout-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(make_ca(dir, "ca", {"n2"}));
  TransportOptions options = options_for(2, "c", {{1, "127.0.0.1", 1}});
  options.tls = TlsFiles{dir + "/ca.pem", dir + "/n2.pem", dir + "/n2.key"};
  options.handshake_timeout_ms = 200;
  Node high;
  make(io, &high, options);
  tcp::socket raw(io);
  raw.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), high.transport->listen_port()));
  const auto connected_at = std::chrono::steady_clock::now();
  bool closed = false;
  char byte = 0;
  raw.async_read_some(asio::buffer(&byte, 1),
                      [&](const boost::system::error_code& ec, std::size_t) { closed = !!ec; });
  ASSERT_TRUE(run_until(io, [&] { return closed; })) << "the silent TLS peer was never cut";
  EXPECT_GE(std::chrono::steady_clock::now() - connected_at, std::chrono::milliseconds(200));
  ASSERT_TRUE(run_until(io, [&] { return high.transport->counters().connections_refused == 1; }));
  EXPECT_EQ(high.transport->counters().handshakes_timed_out, 1u);
  std::filesystem::remove_all(dir);
}

// Issue 9 item 6: every byte is a sign of life for the idle timeout, but a frame must also
// complete. The peer says Hello, then announces a 1,000-byte frame and trickles its bytes one
// every 40 ms (far inside the 2 s idle timeout): it must be cut by the 600 ms frame timeout.
TEST_F(TcpTransportTest, APeerTricklingAFrameThatNeverCompletesIsCut) {
  TransportOptions options = options_for(2, "c", {{1, "127.0.0.1", 1}});
  options.idle_timeout_ms = 2000;
  options.keepalive_interval_ms = 50;
  options.frame_timeout_ms = 600;
  Node high;
  make(io, &high, options);
  tcp::socket raw(io);
  raw.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), high.transport->listen_port()));
  wire::Hello hello;
  hello.cluster_id = "c";
  hello.node_id = 1;
  asio::write(raw, asio::buffer(wire::encode_frame(wire::encode_hello(hello))));
  ASSERT_TRUE(run_until(io, [&] { return high.transport->connected(1); }));
  const std::string frame = wire::encode_frame(std::string(1000, 'x'));
  std::size_t sent = 0;
  bool write_failed = false;
  asio::steady_timer trickle(io);
  std::function<void()> send_next = [&] {
    boost::system::error_code ec;
    asio::write(raw, asio::buffer(frame.data() + sent, 1), ec);
    if (ec) {
      write_failed = true;
      return;
    }
    ++sent;
    trickle.expires_after(std::chrono::milliseconds(40));
    trickle.async_wait([&](const boost::system::error_code& wait_ec) {
      if (!wait_ec && sent + 1 < frame.size()) send_next();  // never the last byte
    });
  };
  const auto started_at = std::chrono::steady_clock::now();
  send_next();
  ASSERT_TRUE(run_until(io, [&] { return !high.transport->connected(1); }))
      << "a trickling peer was never cut (" << sent << " bytes sent)";
  trickle.cancel();
  EXPECT_GE(std::chrono::steady_clock::now() - started_at, std::chrono::milliseconds(600));
  EXPECT_EQ(high.transport->counters().frames_timed_out, 1u);
  EXPECT_EQ(high.transport->counters().connections_idle_closed, 0u) << "cut as idle, not by the frame bound";
  EXPECT_TRUE(high.received.empty());
}

}  // namespace
}  // namespace quorum::adapters
