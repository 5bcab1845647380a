// Tests of the TCP transport on loopback: real sockets, ports chosen by the kernel (port 0).
// Waiting is wall-clock polling of the io_context with a deadline (real I/O, not simulated).
#include "adapters/net/tcp_transport.h"

#include <gtest/gtest.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "adapters/asio/log.h"

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

}  // namespace
}  // namespace quorum::adapters
