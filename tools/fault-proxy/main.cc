// quorum-fault-proxy: loopback TCP proxy with run-time fault injection (see fault_proxy.h).
//
//   quorum-fault-proxy --control PORT --link FROM:TO:LISTEN_PORT:TARGET_PORT [--link ...]
//       Serves until SIGINT/SIGTERM. Prints "control 127.0.0.1:P", one
//       "link FROM->TO 127.0.0.1:L -> 127.0.0.1:T" line per link, then "ready" (ports 0 are
//       replaced by the ones bound).
//   quorum-fault-proxy --send PORT COMMAND...
//       Sends one control command, prints the reply; exit 0 if it ends with "ok".
#include <boost/asio/connect.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <istream>
#include <string>
#include <vector>

#include "tools/fault-proxy/fault_proxy.h"

namespace {

namespace asio = boost::asio;
using quorum::fault_proxy::FaultProxy;
using quorum::fault_proxy::LinkSpec;

int usage() {
  std::fputs(
      "usage: quorum-fault-proxy --control PORT --link FROM:TO:LISTEN_PORT:TARGET_PORT ...\n"
      "       quorum-fault-proxy --send PORT COMMAND...\n"
      "commands: drop a->b on|off | delay a->b MS | cut a b [oneway] | heal | status\n",
      stderr);
  return 64;
}

bool parse_port(const char* text, std::uint16_t* port) {
  const std::string_view s(text);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value > 65535) return false;
  *port = static_cast<std::uint16_t>(value);
  return true;
}

// Client mode: one command, the reply printed; the reply ends with "ok" or "error: ...".
int send_command(std::uint16_t port, const std::string& command) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({asio::ip::address_v4::loopback(), port}, ec);
  if (ec) {
    std::fprintf(stderr, "quorum-fault-proxy: connect 127.0.0.1:%u: %s\n", port,
                 ec.message().c_str());
    return 1;
  }
  asio::write(socket, asio::buffer(command + "\n"), ec);
  std::string reply;
  asio::streambuf in;
  // Replies are lines; the last one is "ok" or starts with "error:".
  while (!ec) {
    asio::read_until(socket, in, '\n', ec);
    if (ec) break;
    std::istream stream(&in);
    std::string line;
    std::getline(stream, line);
    std::printf("%s\n", line.c_str());
    if (line == "ok") return 0;
    if (line.rfind("error:", 0) == 0) return 1;
  }
  std::fprintf(stderr, "quorum-fault-proxy: %s\n", ec.message().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<LinkSpec> links;
  std::uint16_t control_port = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--send" && i + 2 < argc) {
      std::uint16_t port = 0;
      if (!parse_port(argv[i + 1], &port)) return usage();
      std::string command;
      for (int j = i + 2; j < argc; ++j)
        command += (command.empty() ? "" : " ") + std::string(argv[j]);
      return send_command(port, command);
    }
    if (arg == "--control" && i + 1 < argc) {
      if (!parse_port(argv[++i], &control_port)) return usage();
    } else if (arg == "--link" && i + 1 < argc) {
      quorum::Result<LinkSpec> link = quorum::fault_proxy::parse_link_spec(argv[++i]);
      if (!link) {
        std::fprintf(stderr, "quorum-fault-proxy: %s\n", link.error().message().c_str());
        return 64;
      }
      links.push_back(*link);
    } else {
      return usage();
    }
  }
  if (links.empty()) return usage();

  asio::io_context io;
  FaultProxy proxy(io, links, control_port);
  if (quorum::Status s = proxy.start(); !s.is_ok()) {
    std::fprintf(stderr, "quorum-fault-proxy: %s\n", s.to_string().c_str());
    return 1;
  }
  std::printf("control 127.0.0.1:%u\n", proxy.control_port());
  for (std::size_t i = 0; i < links.size(); ++i) {
    std::printf("link %s->%s 127.0.0.1:%u -> 127.0.0.1:%u\n", links[i].from.c_str(),
                links[i].to.c_str(), proxy.listen_port(i), links[i].target_port);
  }
  std::printf("ready\n");
  std::fflush(stdout);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { proxy.stop(); });
  io.run();
  return 0;
}
