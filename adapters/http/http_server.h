// HttpServer: a small HTTP/1.1 server on Boost.Beast for quorumd's JSON API and /metrics.
// Requests are handed to one handler that answers through a callback, possibly later (a config
// put is answered once committed). Keep-alive is supported; one request at a time per
// connection. Adapter layer.
//
// Thread safety: io thread only; the handler and the respond callback run on the io thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "engine/core/base/status.h"

namespace quorum::adapters {

struct HttpRequest {
  std::string method;  // "GET", "PUT", ...
  std::string target;  // as received: path and query, still encoded
  std::string path;    // without the query: "/v1/config/app/cmon.cnf"
  std::map<std::string, std::string> query;  // "?to=node2" -> {"to": "node2"} (decoded)
  std::string body;
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string location;  // set for 307 redirects
};

using HttpRespondFn = std::function<void(HttpResponse response)>;
using HttpHandler = std::function<void(const HttpRequest& request, HttpRespondFn respond)>;

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, std::string host, std::uint16_t port, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  Status start();
  void stop();
  std::uint16_t port() const { return port_; }

 private:
  void accept_next();

  boost::asio::io_context& io_;
  std::string host_;
  std::uint16_t port_;
  HttpHandler handler_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// Percent-decoding of a query component ("a%2Fb+c" -> "a/b c"); invalid escapes kept verbatim.
std::string url_decode(const std::string& text);
// Splits "/p?a=1&b=2" into path and decoded query map.
void split_target(const std::string& target, std::string* path,
                  std::map<std::string, std::string>* query);

}  // namespace quorum::adapters
