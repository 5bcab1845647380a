#include "tools/quorumctl/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>

namespace quorum::quorumctl {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

struct Url {
  std::string host;
  std::string port;
  std::string target;
};

// Splits "host:port" or "[v6]:port".
bool split_host_port(const std::string& text, std::string* host, std::string* port) {
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') return false;
    *host = text.substr(1, close - 1);
    *port = text.substr(close + 2);
    return !port->empty();
  }
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return false;
  *host = text.substr(0, colon);
  *port = text.substr(colon + 1);
  return true;
}

// "http://127.0.0.1:9581/v1/x?y" -> {127.0.0.1, 9581, /v1/x?y}.
bool parse_location(const std::string& location, Url* url) {
  const std::string prefix = "http://";
  if (location.rfind(prefix, 0) != 0) return false;
  const std::size_t slash = location.find('/', prefix.size());
  const std::string authority = location.substr(prefix.size(), slash - prefix.size());
  url->target = slash == std::string::npos ? "/" : location.substr(slash);
  return split_host_port(authority, &url->host, &url->port);
}

// One exchange. Returns false with *error set when the controller could not be reached.
bool exchange(const ClientOptions& options, const Url& url, const std::string& method,
              const std::string& body, http::response<http::string_body>* response,
              std::string* error) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  tcp::resolver resolver(io);
  const auto endpoints = resolver.resolve(url.host, url.port, ec);
  if (ec) {
    *error = url.host + ":" + url.port + ": " + ec.message();
    return false;
  }
  stream.expires_after(options.io_timeout);
  stream.connect(endpoints, ec);
  if (ec) {
    *error = url.host + ":" + url.port + ": " + ec.message();
    return false;
  }
  http::request<http::string_body> request(http::string_to_verb(method), url.target, 11);
  request.set(http::field::host, url.host);
  request.set(http::field::user_agent, "quorumctl");
  request.body() = body;
  request.prepare_payload();
  http::write(stream, request, ec);
  if (!ec) {
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    http::read(stream, buffer, parser, ec);
    if (!ec) *response = parser.release();
  }
  if (ec) {
    *error = url.host + ":" + url.port + ": " + ec.message();
    return false;
  }
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return true;
}

}  // namespace

Result<HttpReply> http_request(const ClientOptions& options, const std::string& method,
                               const std::string& target, const std::string& body) {
  const auto deadline = std::chrono::steady_clock::now() + options.wait_for_leader;
  std::string last_error = "no controller address given";
  bool ever_answered = false;
  while (true) {
    bool retry_later = false;
    bool any_answered = false;  // some controller is up: a leader may appear, keep trying
    for (const std::string& host : options.hosts) {
      Url url;
      if (!split_host_port(host, &url.host, &url.port)) {
        return Status::invalid_argument("bad controller address '" + host + "' (want HOST:PORT)");
      }
      url.target = target;
      for (int hop = 0; hop <= kRedirectsMax; ++hop) {
        http::response<http::string_body> response;
        std::string error;
        if (!exchange(options, url, method, body, &response, &error)) {
          last_error = error;
          break;  // try the next known controller
        }
        any_answered = true;
        const unsigned status = response.result_int();
        if ((status == 307 || status == 308) && options.follow_redirects) {
          const std::string location(response[http::field::location]);
          if (!parse_location(location, &url)) {
            return Status::unavailable("bad redirect location '" + location + "'");
          }
          continue;
        }
        if (status == 503 && std::chrono::steady_clock::now() < deadline) {
          last_error = url.host + ":" + url.port + ": " + response.body();
          retry_later = true;
          break;
        }
        return HttpReply{status, response.body(), url.host + ":" + url.port,
                         std::string(response[http::field::location])};
      }
      if (retry_later) break;
    }
    ever_answered = ever_answered || any_answered;
    if (!any_answered || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  while (!last_error.empty() && last_error.back() == '\n') last_error.pop_back();
  if (!ever_answered) return Status::unavailable("cannot reach any controller: " + last_error);
  return Status::unavailable("no leader answered in time: " + last_error);
}

}  // namespace quorum::quorumctl
