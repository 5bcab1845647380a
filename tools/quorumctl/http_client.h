// A blocking HTTP/1.1 client for quorumctl: one request, following 307 redirects to the leader
// (at most kRedirectsMax hops) and trying the next known controller when one cannot be reached.
// HTTPS when ClientOptions::tls is set (or a host is written https://...): the server's
// certificate must chain to the given CA file; host names are not checked, because the CA is the
// controller group's private CA and every certificate it signed belongs to a controller (the
// same rule as between peers, adapters/net/tcp_transport.h). A redirect from https to plain
// http is refused. Tools layer.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/base/result.h"

namespace quorum::quorumctl {

struct HttpReply {
  unsigned status = 0;
  std::string body;
  std::string served_by;  // "host:port" that gave the final answer
  std::string location;   // the Location header, if any
};

struct ClientTls {
  std::string ca_file;    // PEM; the controllers' certificates must chain to it (required)
  std::string cert_file;  // client certificate (PEM) for APIs that require one; may be empty
  std::string key_file;   // its key; set together with cert_file
};

struct ClientOptions {
  // "127.0.0.1:9580", "https://10.0.0.1:9580" or "http://...": tried in order on connection
  // failure. Without a scheme: https if tls is set, else http.
  std::vector<std::string> hosts;
  std::optional<ClientTls> tls;
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

// `text` with every byte percent-encoded except ASCII letters, digits and the bytes in `keep`
// (a path keeps "/._-"; one path segment or a query value keeps "._-~").
std::string percent_encode(const std::string& text, std::string_view keep);

}  // namespace quorum::quorumctl
