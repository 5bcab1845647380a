#include "tools/quorumctl/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>
#include <thread>

namespace quorum::quorumctl {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

struct Url {
  bool https = false;
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

// Strips an "http://" or "https://" prefix; returns whether one was there.
bool strip_scheme(std::string* text, bool* https) {
  for (const auto& [prefix, secure] : {std::pair<std::string, bool>{"http://", false}, {"https://", true}}) {
    if (text->rfind(prefix, 0) == 0) {
      text->erase(0, prefix.size());
      *https = secure;
      return true;
    }
  }
  return false;
}

// "https://127.0.0.1:9581/v1/x?y" -> {https, 127.0.0.1, 9581, /v1/x?y}.
bool parse_location(const std::string& location, Url* url) {
  std::string rest = location;
  if (!strip_scheme(&rest, &url->https)) return false;
  const std::size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  url->target = slash == std::string::npos ? "/" : rest.substr(slash);
  return split_host_port(authority, &url->host, &url->port);
}

std::string describe(const Url& url, const beast::error_code& ec, std::string_view step) {
  std::string text = url.host + ":" + url.port + ": ";
  if (ec.category() == asio::error::get_ssl_category()) {
    const std::string reason = ec.message();
    text += "TLS " + std::string(step) + " failed: " + reason;
    if (reason.find("certificate verify failed") != std::string::npos) {
      text += " (the controller's certificate does not chain to --cacert)";
    } else if (reason.find("alert") != std::string::npos) {
      text += " (the controller refused the client certificate: check --cert/--key)";
    }
  } else {
    text += ec.message();
    if (!url.https && (ec == http::error::end_of_stream || ec == asio::error::eof ||
                       ec == asio::error::connection_reset)) {
      text += " (if the API serves HTTPS, pass --cacert)";
    }
  }
  return text;
}

// Runs one asynchronous operation to completion on `io` and returns its error. Beast applies
// the tcp_stream's expiry (io_timeout) to asynchronous operations only: a synchronous read from
// a controller that accepted the connection but never answers (a stopped process) would block
// forever.
template <typename Start>
beast::error_code run_one(asio::io_context& io, Start start) {
  beast::error_code result = asio::error::would_block;
  start([&result](const beast::error_code& ec, auto&&...) { result = ec; });
  io.restart();
  io.run();
  return result;
}

// Sends the request and reads the response over a connected stream (plain or TLS), each step
// bounded by options.io_timeout.
template <typename Stream>
bool round_trip(asio::io_context& io, Stream& stream, const ClientOptions& options, const Url& url,
                const std::string& method, const std::string& body,
                http::response<http::string_body>* response, std::string* error) {
  http::request<http::string_body> request(http::string_to_verb(method), url.target, 11);
  request.set(http::field::host, url.host);
  request.set(http::field::user_agent, "quorumctl");
  request.body() = body;
  request.prepare_payload();
  beast::get_lowest_layer(stream).expires_after(options.io_timeout);
  beast::error_code ec = run_one(io, [&](auto handler) { http::async_write(stream, request, handler); });
  if (!ec) {
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    beast::get_lowest_layer(stream).expires_after(options.io_timeout);
    ec = run_one(io, [&](auto handler) { http::async_read(stream, buffer, parser, handler); });
    if (!ec) *response = parser.release();
  }
  if (ec) {
    *error = describe(url, ec, "exchange");
    return false;
  }
  return true;
}

// One exchange. Returns false with *error set when the controller could not be reached (or the
// TLS handshake failed). `tls` is non-null iff url.https.
bool exchange(const ClientOptions& options, asio::ssl::context* tls, const Url& url,
              const std::string& method, const std::string& body,
              http::response<http::string_body>* response, std::string* error) {
  asio::io_context io;
  beast::error_code ec;
  tcp::resolver resolver(io);
  const auto endpoints = resolver.resolve(url.host, url.port, ec);
  if (ec) {
    *error = url.host + ":" + url.port + ": " + ec.message();
    return false;
  }
  beast::tcp_stream tcp_stream(io);
  tcp_stream.expires_after(options.io_timeout);
  ec = run_one(io, [&](auto handler) { tcp_stream.async_connect(endpoints, handler); });
  if (ec) {
    *error = url.host + ":" + url.port + ": " + ec.message();
    return false;
  }
  if (tls == nullptr) {
    const bool ok = round_trip(io, tcp_stream, options, url, method, body, response, error);
    tcp_stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return ok;
  }
  beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), *tls);
  // SNI for proxies in front of the API; an IP literal is not a valid server name.
  if (url.host.find_first_not_of("0123456789.:") != std::string::npos) {
    SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str());
  }
  beast::get_lowest_layer(stream).expires_after(options.io_timeout);
  ec = run_one(io, [&](auto handler) { stream.async_handshake(asio::ssl::stream_base::client, handler); });
  if (ec) {
    *error = describe(url, ec, "handshake");
    return false;
  }
  const bool ok = round_trip(io, stream, options, url, method, body, response, error);
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ec);
  return ok;
}

// "" if `path` can be opened for reading, else the reason ("No such file or directory").
std::string unreadable(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return std::generic_category().message(errno);
  std::fclose(file);
  return "";
}

// The client TLS context: verify the server against the CA; present a certificate if given.
Result<std::unique_ptr<asio::ssl::context>> make_tls_context(const ClientTls& files) {
  for (const auto& [what, path] : {std::pair<std::string, std::string>{"CA file", files.ca_file},
                                   {"certificate", files.cert_file},
                                   {"key", files.key_file}}) {
    if (path.empty()) continue;
    if (std::string why = unreadable(path); !why.empty()) {
      return Status::invalid_argument("cannot read " + what + " " + path + ": " + why);
    }
  }
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  beast::error_code ec;
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                           asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                           asio::ssl::context::no_tlsv1_1,
                       ec);
  if (files.ca_file.empty()) return Status::invalid_argument("HTTPS needs a CA file (--cacert)");
  if (context->load_verify_file(files.ca_file, ec); ec) {
    return Status::invalid_argument("cannot load CA file " + files.ca_file + ": " + ec.message());
  }
  if (files.cert_file.empty() != files.key_file.empty()) {
    return Status::invalid_argument("--cert and --key go together");
  }
  if (!files.cert_file.empty()) {
    if (context->use_certificate_chain_file(files.cert_file, ec); ec) {
      return Status::invalid_argument("cannot load certificate " + files.cert_file + ": " + ec.message());
    }
    if (context->use_private_key_file(files.key_file, asio::ssl::context::pem, ec); ec) {
      return Status::invalid_argument("cannot load key " + files.key_file + ": " + ec.message());
    }
  }
  context->set_verify_mode(asio::ssl::verify_peer, ec);
  return context;
}

}  // namespace

Result<HttpReply> http_request(const ClientOptions& options, const std::string& method,
                               const std::string& target, const std::string& body) {
  const auto deadline = std::chrono::steady_clock::now() + options.wait_for_leader;
  std::unique_ptr<asio::ssl::context> tls;
  if (options.tls) {
    Result<std::unique_ptr<asio::ssl::context>> made = make_tls_context(*options.tls);
    if (!made) return made.error();
    tls = std::move(*made);
  }
  std::string last_error = "no controller address given";
  bool ever_answered = false;
  while (true) {
    bool retry_later = false;
    bool any_answered = false;  // some controller is up: a leader may appear, keep trying
    for (const std::string& host : options.hosts) {
      Url url;
      std::string address = host;
      url.https = tls != nullptr;
      strip_scheme(&address, &url.https);
      if (!split_host_port(address, &url.host, &url.port)) {
        return Status::invalid_argument("bad controller address '" + host + "' (want HOST:PORT)");
      }
      if (url.https && tls == nullptr) {
        return Status::invalid_argument("'" + host + "' is HTTPS: pass --cacert FILE");
      }
      url.target = target;
      for (int hop = 0; hop <= kRedirectsMax; ++hop) {
        http::response<http::string_body> response;
        std::string error;
        if (!exchange(options, url.https ? tls.get() : nullptr, url, method, body, &response, &error)) {
          last_error = error;
          break;  // try the next known controller
        }
        any_answered = true;
        const unsigned status = response.result_int();
        if ((status == 307 || status == 308) && options.follow_redirects) {
          const std::string location(response[http::field::location]);
          const bool was_https = url.https;
          if (!parse_location(location, &url)) {
            return Status::unavailable("bad redirect location '" + location + "'");
          }
          if (was_https && !url.https) {
            return Status::unavailable("refusing a redirect from https to plain http: " + location);
          }
          if (url.https && tls == nullptr) {
            return Status::unavailable("redirected to " + location + ": pass --cacert FILE for HTTPS");
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
  if (!ever_answered && last_error.find(": TLS ") != std::string::npos) {
    return Status::unavailable("no controller accepted the TLS connection: " + last_error);
  }
  if (!ever_answered) return Status::unavailable("cannot reach any controller: " + last_error);
  return Status::unavailable("no leader answered in time: " + last_error);
}

std::string percent_encode(const std::string& text, std::string_view keep) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) != 0 || keep.find(static_cast<char>(c)) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace quorum::quorumctl
