// FaultProxy against a plain echo server on loopback: forwards, drops, delays, cuts (one and two
// ways) and heals; frames stay whole; the real binary serves its control socket.
#include "tools/fault-proxy/fault_proxy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

extern char** environ;

namespace quorum::fault_proxy {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Echoes every byte back; counts the bytes it received.
class EchoServer {
 public:
  explicit EchoServer(asio::io_context& io) : acceptor_(io, {asio::ip::address_v4::loopback(), 0}) {
    accept();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::size_t received() const { return received_; }
  void close() { acceptor_.close(); }

 private:
  void accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
      if (ec) return;
      serve(std::make_shared<Conn>(std::move(socket)));
      accept();
    });
  }
  struct Conn {
    explicit Conn(tcp::socket s) : socket(std::move(s)) {}
    tcp::socket socket;
    std::array<char, 4096> buffer{};
  };
  void serve(std::shared_ptr<Conn> c) {
    c->socket.async_read_some(asio::buffer(c->buffer), [this, c](auto ec, std::size_t n) {
      if (ec) return;
      received_ += n;
      asio::async_write(c->socket, asio::buffer(c->buffer.data(), n),
                        [this, c](auto wec, std::size_t) {
                          if (!wec) serve(c);
                        });
    });
  }
  tcp::acceptor acceptor_;
  std::atomic<std::size_t> received_{0};
};

// A blocking loopback client with a receive timeout.
class Client {
 public:
  explicit Client(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    set_timeout_ms(2000);
  }
  ~Client() { ::close(fd_); }
  bool connected() const { return connected_; }
  void set_timeout_ms(int ms) {
    timeval tv{ms / 1000, (ms % 1000) * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  bool send(std::string_view bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // Reads until `n` bytes arrived, EOF, error or timeout.
  std::string receive(std::size_t n) {
    std::string out;
    char buffer[4096];
    while (out.size() < n) {
      ssize_t got = ::recv(fd_, buffer, std::min(sizeof buffer, n - out.size()), 0);
      if (got <= 0) {
        eof_ = got == 0;
        break;
      }
      out.append(buffer, static_cast<std::size_t>(got));
    }
    return out;
  }
  bool eof() const { return eof_; }
  // One control command; the reply up to and including its "ok"/"error" line.
  std::string command(std::string_view line) {
    send(std::string(line) + "\n");
    std::string reply;
    char c;
    while (::recv(fd_, &c, 1, 0) == 1) {
      reply.push_back(c);
      if (c != '\n') continue;
      const std::size_t start = reply.rfind('\n', reply.size() - 2);
      const std::string last = reply.substr(start == std::string::npos ? 0 : start + 1);
      if (last == "ok\n" || last.rfind("error:", 0) == 0) break;
    }
    if (!reply.empty()) reply.pop_back();
    return reply;
  }

 private:
  int fd_;
  bool connected_ = false;
  bool eof_ = false;
};

class FaultProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    echo_ = std::make_unique<EchoServer>(io_);
    proxy_ =
        std::make_unique<FaultProxy>(io_, std::vector<LinkSpec>{{"a", "b", 0, echo_->port()}}, 0);
    ASSERT_TRUE(proxy_->start().is_ok());
    thread_ = std::thread([this] { io_.run(); });
    control_ = std::make_unique<Client>(proxy_->control_port());
    ASSERT_TRUE(control_->connected());
  }
  void TearDown() override {
    asio::post(io_, [this] {
      proxy_->stop();
      echo_->close();
    });
    control_.reset();
    thread_.join();
  }
  std::uint16_t link_port() const { return proxy_->listen_port(0); }
  // Sends `text` through a client and expects it echoed.
  static bool echoes(Client& client, const std::string& text) {
    return client.send(text) && client.receive(text.size()) == text;
  }

  asio::io_context io_;
  std::unique_ptr<EchoServer> echo_;
  std::unique_ptr<FaultProxy> proxy_;
  std::unique_ptr<Client> control_;
  std::thread thread_;
};

TEST_F(FaultProxyTest, ForwardsBothWays) {
  Client client(link_port());
  ASSERT_TRUE(client.connected());
  EXPECT_TRUE(echoes(client, "hello"));
  EXPECT_TRUE(echoes(client, "again"));
}

TEST_F(FaultProxyTest, TwoWayCutClosesAndRefusesConnectionsUntilHeal) {
  Client before(link_port());
  ASSERT_TRUE(echoes(before, "hello"));
  EXPECT_EQ(control_->command("cut a b"), "ok");
  EXPECT_EQ(before.receive(1), "");
  EXPECT_TRUE(before.eof());
  Client during(link_port());
  during.send("x");
  EXPECT_EQ(during.receive(1), "");  // accepted, then closed at once
  EXPECT_EQ(control_->command("heal"), "ok");
  Client after(link_port());
  EXPECT_TRUE(echoes(after, "healed"));
}

TEST_F(FaultProxyTest, OneWayCutDropsOnlyThatDirection) {
  Client client(link_port());
  ASSERT_TRUE(echoes(client, "hi"));
  client.set_timeout_ms(300);
  // Replies b->a are dropped: the server still receives.
  EXPECT_EQ(control_->command("cut b a oneway"), "ok");
  const std::size_t received = echo_->received();
  EXPECT_TRUE(client.send("lost reply"));
  EXPECT_EQ(client.receive(1), "");
  EXPECT_FALSE(client.eof());  // the connection stays up
  EXPECT_EQ(echo_->received(), received + 10);
  // Requests a->b are dropped: the server receives nothing.
  EXPECT_EQ(control_->command("heal"), "ok");
  EXPECT_EQ(control_->command("cut a b oneway"), "ok");
  EXPECT_TRUE(client.send("lost request"));
  EXPECT_EQ(client.receive(1), "");
  EXPECT_EQ(echo_->received(), received + 10);
  EXPECT_EQ(control_->command("heal"), "ok");
  client.set_timeout_ms(2000);
  EXPECT_TRUE(echoes(client, "back"));
}

TEST_F(FaultProxyTest, DropDiscardsUntilTurnedOff) {
  Client client(link_port());
  client.set_timeout_ms(300);
  EXPECT_EQ(control_->command("drop a->b on"), "ok");
  EXPECT_TRUE(client.send("gone"));
  EXPECT_EQ(client.receive(1), "");
  EXPECT_EQ(control_->command("drop a->b off"), "ok");
  client.set_timeout_ms(2000);
  EXPECT_TRUE(echoes(client, "kept"));
  EXPECT_NE(
      control_->command("status").find("a->b drop=off cut=off delay_ms=0 forwarded=1 dropped=1"),
      std::string::npos);
}

TEST_F(FaultProxyTest, DelayHoldsEveryUnit) {
  Client client(link_port());
  ASSERT_TRUE(echoes(client, "warm"));
  EXPECT_EQ(control_->command("delay a->b 200"), "ok");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(echoes(client, "slow"));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
}

TEST_F(FaultProxyTest, FramesAreDroppedWhole) {
  // A wire frame: "QRM1", version 1, flags 0, reserved 0, payload length 4 (LE), crc, payload.
  std::string frame1(
      "QRM1\x01\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00"
      "AAAA",
      20);
  std::string frame2 = frame1;
  frame2.replace(16, 4, "BBBB");
  Client client(link_port());
  client.set_timeout_ms(300);
  ASSERT_TRUE(client.send(frame1.substr(0, 10)));  // forwarded only once the frame is whole
  EXPECT_EQ(client.receive(1), "");
  EXPECT_EQ(control_->command("drop a->b on"), "ok");
  ASSERT_TRUE(client.send(frame1.substr(10)));  // completes frame1 while dropping: all of it goes
  EXPECT_EQ(control_->command("drop a->b off"), "ok");
  ASSERT_TRUE(client.send(frame2));
  client.set_timeout_ms(2000);
  EXPECT_EQ(client.receive(frame2.size()), frame2);  // the stream stays frame-aligned
}

TEST_F(FaultProxyTest, BadCommandsAreAnsweredWithAnError) {
  EXPECT_EQ(control_->command("cut a").rfind("error: bad command 'cut a'", 0), 0u);
  EXPECT_EQ(control_->command("delay a->b soon").rfind("error:", 0), 0u);
  EXPECT_EQ(control_->command("drop ab on").rfind("error:", 0), 0u);
}

TEST(FaultProxyLinkSpec, ParsesAndRejects) {
  Result<LinkSpec> link = parse_link_spec("1:2:19601:9502");
  ASSERT_TRUE(link.has_value());
  EXPECT_EQ(link->from, "1");
  EXPECT_EQ(link->target_port, 9502);
  EXPECT_FALSE(parse_link_spec("1:2:19601").has_value());
  EXPECT_FALSE(parse_link_spec("1:1:19601:9502").has_value());
  EXPECT_FALSE(parse_link_spec("1:2:70000:9502").has_value());
}

// The real program: prints its ports, serves the control socket, exits 0 on SIGTERM.
TEST(FaultProxyBinary, ServesUntilSigterm) {
  asio::io_context io;
  EchoServer echo(io);
  std::thread io_thread([&] { io.run(); });
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  const std::string link = "a:b:0:" + std::to_string(echo.port());
  std::vector<std::string> args = {QUORUM_FAULT_PROXY_BIN, "--control", "0", "--link", link};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  std::FILE* lines = ::fdopen(out[0], "r");
  unsigned control_port = 0;
  unsigned link_port = 0;
  char line[256];
  while (std::fgets(line, sizeof line, lines) != nullptr && std::string(line) != "ready\n") {
    std::sscanf(line, "control 127.0.0.1:%u", &control_port);
    std::sscanf(line, "link a->b 127.0.0.1:%u", &link_port);
  }
  ASSERT_NE(control_port, 0u);
  ASSERT_NE(link_port, 0u);
  {
    Client client(static_cast<std::uint16_t>(link_port));
    EXPECT_TRUE(client.send("ping"));
    EXPECT_EQ(client.receive(4), "ping");
    Client control(static_cast<std::uint16_t>(control_port));
    EXPECT_EQ(control.command("cut a b"), "ok");
  }
  ::kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::fclose(lines);
  asio::post(io, [&] { echo.close(); });
  io_thread.join();
}

}  // namespace
}  // namespace quorum::fault_proxy
