#include "adapters/net/byte_stream.h"

#include <boost/asio/write.hpp>
#include <utility>

namespace quorum::adapters {

namespace {

class PlainStream final : public ByteStream {
 public:
  explicit PlainStream(boost::asio::ip::tcp::socket socket)
      : socket_(std::move(socket)), remote_(endpoint_text(socket_)) {}

  void async_read_some(boost::asio::mutable_buffer buffer, Handler handler) override {
    socket_.async_read_some(buffer, std::move(handler));
  }
  void async_write_all(boost::asio::const_buffer buffer, Handler handler) override {
    boost::asio::async_write(socket_, buffer, std::move(handler));
  }
  void close() override {
    boost::system::error_code ignored;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }
  const std::string& remote() const override { return remote_; }

 private:
  boost::asio::ip::tcp::socket socket_;
  std::string remote_;
};

class TlsStream final : public ByteStream {
 public:
  using Stream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;
  explicit TlsStream(std::unique_ptr<Stream> stream)
      : stream_(std::move(stream)), remote_(endpoint_text(stream_->next_layer())) {}

  void async_read_some(boost::asio::mutable_buffer buffer, Handler handler) override {
    stream_->async_read_some(buffer, std::move(handler));
  }
  void async_write_all(boost::asio::const_buffer buffer, Handler handler) override {
    boost::asio::async_write(*stream_, buffer, std::move(handler));
  }
  void close() override {
    // No TLS close_notify exchange: peers treat any close as a lost connection anyway.
    boost::system::error_code ignored;
    stream_->next_layer().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    stream_->next_layer().close(ignored);
  }
  const std::string& remote() const override { return remote_; }

 private:
  std::unique_ptr<Stream> stream_;
  std::string remote_;
};

}  // namespace

std::string endpoint_text(const boost::asio::ip::tcp::socket& socket) {
  boost::system::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  if (ec) return "?";
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

std::unique_ptr<ByteStream> make_plain_stream(boost::asio::ip::tcp::socket socket) {
  return std::make_unique<PlainStream>(std::move(socket));
}

std::unique_ptr<ByteStream> make_tls_stream(
    std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> stream) {
  return std::make_unique<TlsStream>(std::move(stream));
}

}  // namespace quorum::adapters
