// ByteStream: one established byte stream, plain TCP or TLS over TCP, behind one interface so
// the framing and handshake logic (connection.h) is written once. Adapter layer.
//
// Thread safety: used on the io thread only. At most one read and one write outstanding.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace quorum::adapters {

class ByteStream {
 public:
  using Handler = std::function<void(const boost::system::error_code&, std::size_t)>;
  virtual ~ByteStream() = default;
  virtual void async_read_some(boost::asio::mutable_buffer buffer, Handler handler) = 0;
  // Completes when the whole buffer was written or on error.
  virtual void async_write_all(boost::asio::const_buffer buffer, Handler handler) = 0;
  // Idempotent. Outstanding operations complete with an error.
  virtual void close() = 0;
  // "127.0.0.1:50432", for log lines.
  virtual const std::string& remote() const = 0;
};

std::unique_ptr<ByteStream> make_plain_stream(boost::asio::ip::tcp::socket socket);
std::unique_ptr<ByteStream> make_tls_stream(
    std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> stream);

std::string endpoint_text(const boost::asio::ip::tcp::socket& socket);

}  // namespace quorum::adapters
