#include "adapters/http/http_server.h"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <algorithm>
#include <chrono>
#include <limits>
#include <optional>
#include <type_traits>
#include <utility>

#include "adapters/asio/log.h"
#include "engine/core/base/assert.h"

namespace quorum::adapters {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// Bound on the idle time of a keep-alive connection. Bound on what is read and discarded after
// a 413 (a client announcing more is cut off: it gets EPIPE, as it would anyway).
constexpr auto kIdleTimeout = std::chrono::seconds(60);
constexpr std::uint64_t kDiscardBytesMax = 256 << 20;

using RequestParser = http::request_parser<http::string_body>;

// Before the header is read: no body limit yet, so that a large Content-Length is seen by the
// caller (413) instead of failing the header read (Boost 1.74 compares the length with an empty
// optional as "above": hence the maximum rather than no limit).
void prepare_for_header(RequestParser& parser) {
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
}

// Once the header is read: the announced body length if it is above the limit (refuse it),
// otherwise nullopt and the parser bounds the body (a chunked one fails with body_limit).
std::optional<std::uint64_t> body_above_limit(RequestParser& parser) {
  const auto announced = parser.content_length();
  if (announced && *announced > kRequestBodyBytesMax) return *announced;
  parser.body_limit(kRequestBodyBytesMax);
  return std::nullopt;
}

// What the handler sees of a parsed message (remote and client subject are the session's).
HttpRequest request_of(http::request<http::string_body>& message) {
  HttpRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  split_target(request.target, &request.path, &request.query);
  request.body = std::move(message.body());
  request.accept = std::string(message[http::field::accept]);
  return request;
}

// One connection, plain or TLS. Stream is beast::tcp_stream or ssl_stream<tcp_stream>; the
// request/response code is the same for both.
template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, const HttpHandler& handler, std::shared_ptr<bool> alive)
      : stream_(std::move(stream)), handler_(handler), alive_(std::move(alive)) {}

  // TLS only: the server side of the handshake, bounded by the idle timeout.
  void handshake(std::shared_ptr<HttpServerCounters> counters) {
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    const std::string remote = remote_text();
    stream_.async_handshake(
        asio::ssl::stream_base::server,
        [self = this->shared_from_this(), counters, remote](const beast::error_code& ec) {
          if (!*self->alive_) return;
          if (ec) {
            ++counters->tls_handshakes_failed;
            log::warn("http", "refused client {}: tls handshake failed: {}", remote, ec.message());
            self->close();
            return;
          }
          self->read_next();
        });
  }

  // Reads the header first, so that a body above the limit is refused before it is buffered.
  void read_next() {
    parser_.emplace();
    prepare_for_header(*parser_);
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](const beast::error_code& ec, std::size_t) {
                              self->on_header(ec);
                            });
  }

 private:
  // The verified client certificate's subject, "" for plain HTTP or an anonymous client.
  std::string client_subject() {
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      X509* cert = SSL_get_peer_certificate(stream_.native_handle());
      if (cert == nullptr) return "";
      char name[256] = {};
      X509_NAME_oneline(X509_get_subject_name(cert), name, sizeof(name));
      X509_free(cert);
      return name;
    } else {
      return "";
    }
  }

  std::string remote_text() const {
    beast::error_code ec;
    const tcp::endpoint endpoint = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (ec) return "?";
    return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  }

  void on_header(const beast::error_code& ec) {
    if (ec || !*alive_) {
      close();
      return;
    }
    if (const auto too_large = body_above_limit(*parser_)) {
      refuse_too_large(*too_large);
      return;
    }
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](const beast::error_code& read_ec, std::size_t) {
                       self->on_read(read_ec);
                     });
  }

  // 413 naming the limit, then the connection is closed once the body is drained.
  void refuse_too_large(std::uint64_t body_bytes) {
    version_ = parser_->get().version();
    keep_alive_ = false;
    discard_left_ = std::min<std::uint64_t>(body_bytes, kDiscardBytesMax);
    HttpResponse response;
    response.status = 413;
    response.body = fmt::format(
        "{{\"error\":\"request body is {} bytes, above the limit of {} bytes (the largest config "
        "file)\"}}\n",
        body_bytes, kRequestBodyBytesMax);
    write(std::move(response));
  }

  // Reads and drops the rest of a refused body (what is already buffered counts), then closes.
  void drain() {
    const std::size_t buffered = std::min<std::size_t>(buffer_.size(), discard_left_);
    buffer_.consume(buffered);
    discard_left_ -= buffered;
    if (discard_left_ == 0 || !*alive_) {
      close();
      return;
    }
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(10));
    stream_.async_read_some(buffer_.prepare(64 * 1024),
                            [self = this->shared_from_this()](const beast::error_code& ec, std::size_t n) {
                              if (ec) {
                                self->close();
                                return;
                              }
                              self->buffer_.commit(n);
                              self->drain();
                            });
  }

  void on_read(const beast::error_code& ec) {
    if (ec == http::error::body_limit && *alive_) {  // chunked: no length announced
      refuse_too_large(kRequestBodyBytesMax + 1);
      discard_left_ = 0;
      return;
    }
    if (ec || !*alive_) {
      close();
      return;
    }
    auto& message = parser_->get();
    keep_alive_ = message.keep_alive();
    version_ = message.version();
    HttpRequest request = request_of(message);
    request.remote = remote_text();
    request.client_subject = client_subject();
    auto self = this->shared_from_this();
    handler_(request, [self](HttpResponse response) { self->write(std::move(response)); });
  }

  void write(HttpResponse response) {
    if (!*alive_) return;
    auto reply = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), version_);
    reply->set(http::field::server, "quorumd");
    reply->set(http::field::content_type, response.content_type);
    if (!response.location.empty()) reply->set(http::field::location, response.location);
    for (const auto& [name, value] : response.headers) reply->set(name, value);
    reply->keep_alive(keep_alive_);
    reply->body() = std::move(response.body);
    reply->prepare_payload();
    http::async_write(stream_, *reply,
                      [self = this->shared_from_this(), reply](const beast::error_code& ec, std::size_t) {
                        if (!ec && self->discard_left_ > 0) {
                          self->drain();
                          return;
                        }
                        if (ec || !self->keep_alive_) {
                          self->close();
                          return;
                        }
                        self->read_next();
                      });
  }

  // No TLS close_notify: the client reads the response by Content-Length and any close after
  // it is a normal end of the connection.
  void close() {
    beast::error_code ignored;
    auto& socket = beast::get_lowest_layer(stream_).socket();
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const HttpHandler& handler_;
  std::shared_ptr<bool> alive_;
  bool keep_alive_ = false;
  unsigned version_ = 11;
  std::uint64_t discard_left_ = 0;  // body bytes still to drop after a 413
};

using PlainSession = Session<beast::tcp_stream>;
using TlsSession = Session<beast::ssl_stream<beast::tcp_stream>>;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string url_decode(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

ParsedHttpRequest parse_http_request(std::string_view bytes) {
  using Outcome = ParsedHttpRequest::Outcome;
  ParsedHttpRequest out;
  RequestParser parser;
  prepare_for_header(parser);
  std::size_t used = 0;
  // put() stops at the end of the header (the parser is not eager until the limit is set), as
  // async_read_header does; then the body, as async_read does.
  auto feed = [&](auto done) -> std::optional<Outcome> {
    while (!done()) {
      beast::error_code ec;
      const std::size_t n = parser.put(asio::buffer(bytes.data() + used, bytes.size() - used), ec);
      used += n;
      if (ec == http::error::need_more) {
        if (n == 0 || used == bytes.size()) return Outcome::kIncomplete;
        continue;
      }
      if (ec == http::error::body_limit) return Outcome::kTooLarge;
      if (ec) {
        out.error = ec.message();
        return Outcome::kMalformed;
      }
      if (n == 0 && !done()) return Outcome::kIncomplete;  // no progress: nothing more to read
    }
    return std::nullopt;
  };
  if (auto stop = feed([&] { return parser.is_header_done(); })) {
    out.outcome = *stop;
    return out;
  }
  if (body_above_limit(parser)) {
    out.outcome = Outcome::kTooLarge;
    return out;
  }
  parser.eager(true);
  if (auto stop = feed([&] { return parser.is_done(); })) {
    out.outcome = *stop;
    return out;
  }
  auto& message = parser.get();
  out.outcome = Outcome::kComplete;
  out.keep_alive = message.keep_alive();
  out.version = message.version();
  out.request = request_of(message);
  out.consumed_bytes = used;
  return out;
}

void split_target(const std::string& target, std::string* path,
                  std::map<std::string, std::string>* query) {
  const std::size_t question = target.find('?');
  *path = url_decode(target.substr(0, question));
  if (question == std::string::npos) return;
  std::string rest = target.substr(question + 1);
  std::size_t start = 0;
  while (start <= rest.size()) {
    std::size_t amp = rest.find('&', start);
    if (amp == std::string::npos) amp = rest.size();
    const std::string pair = rest.substr(start, amp - start);
    if (!pair.empty()) {
      const std::size_t eq = pair.find('=');
      if (eq == std::string::npos) {
        (*query)[url_decode(pair)] = "";
      } else {
        (*query)[url_decode(pair.substr(0, eq))] = url_decode(pair.substr(eq + 1));
      }
    }
    start = amp + 1;
  }
}

HttpServer::HttpServer(asio::io_context& io, std::string host, std::uint16_t port,
                       HttpHandler handler, std::optional<HttpTlsOptions> tls)
    : io_(io), host_(std::move(host)), port_(port), handler_(std::move(handler)),
      tls_(std::move(tls)), acceptor_(io) {}

HttpServer::~HttpServer() {
  *alive_ = false;
  stop();
}

Status HttpServer::setup_tls() {
  const HttpTlsOptions& files = *tls_;
  tls_context_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  beast::error_code ec;
  tls_context_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                                asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                                asio::ssl::context::no_tlsv1_1,
                            ec);
  if (tls_context_->load_verify_file(files.ca_file, ec); ec) {
    return Status::invalid_argument(fmt::format("https ca file {}: {}", files.ca_file, ec.message()));
  }
  if (tls_context_->use_certificate_chain_file(files.cert_file, ec); ec) {
    return Status::invalid_argument(fmt::format("https cert file {}: {}", files.cert_file, ec.message()));
  }
  if (tls_context_->use_private_key_file(files.key_file, asio::ssl::context::pem, ec); ec) {
    return Status::invalid_argument(fmt::format("https key file {}: {}", files.key_file, ec.message()));
  }
  // Without require_client_cert a client certificate is still verified if one is presented.
  const int mode = files.require_client_cert
                       ? asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert
                       : asio::ssl::verify_peer;
  tls_context_->set_verify_mode(mode, ec);
  if (ec) return Status::invalid_argument("https verify mode: " + ec.message());
  return Status::ok();
}

Status HttpServer::start() {
  if (tls_) {
    if (Status status = setup_tls(); !status.is_ok()) return status;
  }
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(host_, ec);
  if (ec) return Status::invalid_argument("http listen address '" + host_ + "': " + ec.message());
  const tcp::endpoint endpoint(address, port_);
  if (acceptor_.open(endpoint.protocol(), ec); ec) return Status::io_error("http socket: " + ec.message());
  acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (acceptor_.bind(endpoint, ec); ec) {
    return Status::io_error(fmt::format("http bind {}:{}: {}", host_, port_, ec.message()));
  }
  if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec) {
    return Status::io_error("http listen: " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  log::info("http", "serving the API on {}://{}:{}{}", tls_ ? "https" : "http", host_, port_,
            tls_ ? (tls_->require_client_cert ? " (client certificates required)"
                                              : " (client certificates optional)")
                 : "");
  accept_next();
  return Status::ok();
}

void HttpServer::stop() {
  beast::error_code ignored;
  acceptor_.close(ignored);
}

void HttpServer::accept_next() {
  acceptor_.async_accept([this, alive = alive_](const beast::error_code& ec, tcp::socket socket) {
    if (!*alive || !acceptor_.is_open()) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true));
      ++counters_->connections_accepted;
      if (tls_context_) {
        std::make_shared<TlsSession>(
            beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *tls_context_),
            handler_, alive)
            ->handshake(counters_);
      } else {
        std::make_shared<PlainSession>(beast::tcp_stream(std::move(socket)), handler_, alive)
            ->read_next();
      }
    }
    accept_next();
  });
}

}  // namespace quorum::adapters
