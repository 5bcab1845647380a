// HttpServer: a small HTTP/1.1 server on Boost.Beast for quorumd's JSON API and /metrics.
// Requests are handed to one handler that answers through a callback, possibly later (a config
// put is answered once committed). Keep-alive is supported; one request at a time per
// connection. Adapter layer.
//
// HTTPS: when constructed with HttpTlsOptions the server speaks only TLS (Beast ssl_stream over
// the same io_context and the same session code as plain HTTP). The server certificate is the
// controller's own; with require_client_cert a client must present a certificate signed by the
// CA file (mutual TLS), otherwise the handshake fails and the connection is closed with one log
// line. The handshake is bounded by the idle timeout.
//
// Thread safety: io thread only; the handler and the respond callback run on the io thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/core/base/status.h"

namespace quorum::adapters {

// The largest request body accepted: the largest config file (the only body the API takes).
// A request announcing more is answered 413 with the limit, before its body is read; the body is
// then read and discarded so that the client, still sending, gets the answer instead of EPIPE.
inline constexpr std::uint64_t kRequestBodyBytesMax = 1 << 20;

struct HttpRequest {
  std::string method;  // "GET", "PUT", ...
  std::string target;  // as received: path and query, still encoded
  std::string path;    // without the query: "/v1/config/app/cmon.cnf"
  std::map<std::string, std::string> query;  // "?to=node2" -> {"to": "node2"} (decoded)
  std::string body;
  std::string accept;  // the Accept header ("" if none)
  std::string remote;  // "10.0.0.9:50312"
  std::string client_subject;  // HTTPS: the client certificate's subject ("/CN=ops-alice"), or ""
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string location;  // set for 307 redirects
  std::map<std::string, std::string> headers;  // extra headers ("X-Quorum-Version": "12")
};

struct HttpTlsOptions {
  std::string ca_file;    // verifies client certificates (and is the CA clients trust)
  std::string cert_file;  // the server's certificate chain (PEM)
  std::string key_file;   // its private key (PEM)
  bool require_client_cert = true;  // mutual TLS: refuse clients without a CA-signed certificate
};

struct HttpServerCounters {
  std::uint64_t connections_accepted = 0;
  std::uint64_t tls_handshakes_failed = 0;  // bad or missing client certificate, not TLS, ...
};

using HttpRespondFn = std::function<void(HttpResponse response)>;
using HttpHandler = std::function<void(const HttpRequest& request, HttpRespondFn respond)>;

class HttpServer {
 public:
  // tls == nullopt: plain HTTP.
  HttpServer(boost::asio::io_context& io, std::string host, std::uint16_t port, HttpHandler handler,
             std::optional<HttpTlsOptions> tls = std::nullopt);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Loads the TLS files (if any), binds and listens.
  Status start();
  void stop();
  std::uint16_t port() const { return port_; }
  bool tls() const { return tls_.has_value(); }
  const HttpServerCounters& counters() const { return *counters_; }

 private:
  Status setup_tls();
  void accept_next();

  boost::asio::io_context& io_;
  std::string host_;
  std::uint16_t port_;
  HttpHandler handler_;
  std::optional<HttpTlsOptions> tls_;
  std::unique_ptr<boost::asio::ssl::context> tls_context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  // Shared with sessions, which may outlive the server by a few handlers.
  std::shared_ptr<HttpServerCounters> counters_ = std::make_shared<HttpServerCounters>();
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// One request parsed from bytes with a session's parser settings: the header first, then a body
// of at most kRequestBodyBytesMax (a larger announced length is refused before the body is read,
// a larger chunked body once it passes the limit). Sessions parse from the socket with these same
// settings and fill the HttpRequest with the same code; this entry point is for the fuzzer
// (fuzz/http_api_fuzz.cc) and tests. `remote` and `client_subject` are left empty.
struct ParsedHttpRequest {
  enum class Outcome : std::uint8_t {
    kComplete,    // `request` is the first request of the bytes; `consumed_bytes` its length
    kIncomplete,  // the bytes end before the request does
    kTooLarge,    // the body is above kRequestBodyBytesMax (a session answers 413)
    kMalformed,   // not HTTP/1.x (a session closes the connection); `error` says why
  };
  Outcome outcome = Outcome::kIncomplete;
  HttpRequest request;
  bool keep_alive = false;
  unsigned version = 11;  // 10 or 11
  std::size_t consumed_bytes = 0;
  std::string error;
};
ParsedHttpRequest parse_http_request(std::string_view bytes);

// Percent-decoding of a query component ("a%2Fb+c" -> "a/b c"); invalid escapes kept verbatim.
std::string url_decode(const std::string& text);
// Splits "/p?a=1&b=2" into path and decoded query map.
void split_target(const std::string& target, std::string* path,
                  std::map<std::string, std::string>* query);

}  // namespace quorum::adapters
