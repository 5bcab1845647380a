#include "adapters/http/http_server.h"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <optional>
#include <utility>

#include "adapters/asio/log.h"
#include "engine/core/base/assert.h"

namespace quorum::adapters {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// Bounds: a request body (config file content) and the idle time of a keep-alive connection.
constexpr std::uint64_t kRequestBodyBytesMax = 2 * 1024 * 1024;
constexpr auto kIdleTimeout = std::chrono::seconds(60);

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const HttpHandler& handler, std::shared_ptr<bool> alive)
      : stream_(std::move(socket)), handler_(handler), alive_(std::move(alive)) {}

  void read_next() {
    parser_.emplace();
    parser_->body_limit(kRequestBodyBytesMax);
    stream_.expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](const beast::error_code& ec, std::size_t) {
                       self->on_read(ec);
                     });
  }

 private:
  void on_read(const beast::error_code& ec) {
    if (ec || !*alive_) {
      close();
      return;
    }
    auto& message = parser_->get();
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    split_target(request.target, &request.path, &request.query);
    request.body = std::move(message.body());
    keep_alive_ = message.keep_alive();
    version_ = message.version();
    auto self = shared_from_this();
    handler_(request, [self](HttpResponse response) { self->write(std::move(response)); });
  }

  void write(HttpResponse response) {
    if (!*alive_) return;
    auto reply = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), version_);
    reply->set(http::field::server, "quorumd");
    reply->set(http::field::content_type, response.content_type);
    if (!response.location.empty()) reply->set(http::field::location, response.location);
    reply->keep_alive(keep_alive_);
    reply->body() = std::move(response.body);
    reply->prepare_payload();
    http::async_write(stream_, *reply,
                      [self = shared_from_this(), reply](const beast::error_code& ec, std::size_t) {
                        if (ec || !self->keep_alive_) {
                          self->close();
                          return;
                        }
                        self->read_next();
                      });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const HttpHandler& handler_;
  std::shared_ptr<bool> alive_;
  bool keep_alive_ = false;
  unsigned version_ = 11;
};

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
                       HttpHandler handler)
    : io_(io), host_(std::move(host)), port_(port), handler_(std::move(handler)), acceptor_(io) {}

HttpServer::~HttpServer() {
  *alive_ = false;
  stop();
}

Status HttpServer::start() {
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
  log::info("http", "serving the API on http://{}:{}", host_, port_);
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
      std::make_shared<Session>(std::move(socket), handler_, alive)->read_next();
    }
    accept_next();
  });
}

}  // namespace quorum::adapters
