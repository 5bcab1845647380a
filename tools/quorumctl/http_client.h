// A blocking HTTP/1.1 client for quorumctl: one request, following 307 redirects to the leader
// (at most kRedirectsMax hops) and trying the next known controller when one cannot be reached.
// Tools layer.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "engine/core/base/result.h"

namespace quorum::quorumctl {

struct HttpReply {
  unsigned status = 0;
  std::string body;
  std::string served_by;  // "host:port" that gave the final answer
  std::string location;   // the Location header, if any
};

struct ClientOptions {
  std::vector<std::string> hosts;  // "127.0.0.1:9580", tried in order on connection failure
  // While no leader is known (503), retry until this much time has passed.
  std::chrono::milliseconds wait_for_leader{10'000};
  std::chrono::milliseconds io_timeout{5'000};
  // false: a 307 is returned as the reply (tests look at the redirect itself).
  bool follow_redirects = true;
};

inline constexpr int kRedirectsMax = 15;

// Status::unavailable with one line ("cannot reach any controller: 127.0.0.1:9580: Connection
// refused") if no controller answered; otherwise the final reply, whatever its status.
Result<HttpReply> http_request(const ClientOptions& options, const std::string& method,
                               const std::string& target, const std::string& body);

}  // namespace quorum::quorumctl
