// FaultProxy: a loopback TCP proxy that sits between quorumd daemons (or any TCP peers) and
// injects network faults on command: drop, delay, one-way and two-way cuts, heal. Tools layer.
//
// Each link is directed: connections accepted on 127.0.0.1:listen_port come from node `from`
// and are forwarded to node `to` at 127.0.0.1:target_port. Bytes flowing from the dialer to the
// target travel from->to, the replies to->from; rules are kept per direction (from, to), so a
// rule applies on every link between two nodes whichever side dialed.
//
// Bytes are forwarded in units: when a direction starts with the wire frame magic ("QRM1",
// engine/wire/frame.h) a unit is one whole frame, so a dropped unit is a lost message and the
// stream stays well-formed; otherwise (TLS, echo tests) a unit is whatever one read returned.
//
// Control language (one command per line, answered by "ok" or "error: ..."):
//   drop <from>-><to> on|off   discard every unit from->to (connections stay up)
//   delay <from>-><to> <ms>    hold every unit from->to for ms before forwarding (order kept)
//   cut <a> <b> [oneway]       two-way: close every connection between a and b and refuse new
//                              ones; oneway: discard units a->b only
//   heal                       remove every rule (connections are re-accepted)
//   status                     one line per direction with rules and counters, then "ok"
//
// Only loopback addresses are ever bound or dialed. Threading: everything runs on the one
// io_context passed in; execute() must be called on its thread (the control socket does).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/core/base/result.h"

namespace quorum::fault_proxy {

struct LinkSpec {
  std::string from;
  std::string to;
  std::uint16_t listen_port = 0;  // 0: any free port (see FaultProxy::listen_port)
  std::uint16_t target_port = 0;
};

// "1:2:19601:9502" -> {from "1", to "2", listen 19601, target 9502}.
Result<LinkSpec> parse_link_spec(std::string_view text);

// The rule and counters of one direction.
struct DirectionState {
  bool drop = false;
  bool cut = false;
  std::uint64_t delay_ms = 0;
  std::uint64_t units_forwarded = 0;
  std::uint64_t units_dropped = 0;
  bool blocked() const { return drop || cut; }
};

class Session;

class FaultProxy {
 public:
  FaultProxy(boost::asio::io_context& io, std::vector<LinkSpec> links, std::uint16_t control_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  // Binds every listener and the control port on 127.0.0.1 and starts accepting.
  Status start();
  // Closes every listener and connection; the io_context then runs out of work.
  void stop();

  std::uint16_t control_port() const;
  std::uint16_t listen_port(std::size_t link) const;
  const std::vector<LinkSpec>& links() const { return links_; }

  // Runs one control command; returns the reply without its trailing newline.
  std::string execute(std::string_view line);

  // Used by sessions.
  DirectionState& direction(const std::string& from, const std::string& to);

 private:
  struct Listener;
  void accept_next(std::size_t link);
  void accept_control();
  void close_sessions_between(const std::string& a, const std::string& b);
  std::string status_text();

  boost::asio::io_context& io_;
  std::vector<LinkSpec> links_;
  std::uint16_t control_port_requested_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> control_;
  std::map<std::pair<std::string, std::string>, DirectionState> directions_;
  std::vector<std::weak_ptr<Session>> sessions_;
  bool stopped_ = false;
};

}  // namespace quorum::fault_proxy
