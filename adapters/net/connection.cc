#include "adapters/net/connection.h"

#include <utility>

#include "engine/core/base/assert.h"

namespace quorum::adapters {

namespace {
constexpr std::size_t kReadChunkBytes = 64 * 1024;
// Frames coalesced into one write: bounds the write buffer.
constexpr std::size_t kWriteBytesMax = 4 * 1024 * 1024;
}  // namespace

Connection::Connection(std::unique_ptr<ByteStream> stream, std::size_t send_queue_frames_max)
    : stream_(std::move(stream)), send_queue_frames_max_(send_queue_frames_max) {
  QUORUM_ASSERT(stream_ != nullptr);
  QUORUM_ASSERT(send_queue_frames_max_ > 0);
}

Connection::~Connection() { stream_->close(); }

void Connection::start(Callbacks callbacks) {
  callbacks_ = std::move(callbacks);
  last_received_ = std::chrono::steady_clock::now();
  read_buffer_.resize(kReadChunkBytes);
  read_more();
}

void Connection::set_on_frame(std::function<void(std::string payload)> on_frame) {
  callbacks_.on_frame = std::move(on_frame);
}

void Connection::set_on_close(
    std::function<void(const std::string& reason, bool malformed)> on_close) {
  callbacks_.on_close = std::move(on_close);
}

void Connection::read_more() {
  if (closed_) return;
  stream_->async_read_some(
      boost::asio::buffer(read_buffer_),
      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t bytes) {
        self->on_read(ec, bytes);
      });
}

void Connection::on_read(const boost::system::error_code& ec, std::size_t bytes) {
  if (closed_) return;
  if (ec) {
    close(ec == boost::asio::error::eof ? "peer closed the connection" : ec.message());
    return;
  }
  // Any bytes are a sign of life, also the first part of a large frame still in flight.
  last_received_ = std::chrono::steady_clock::now();
  Status status = reader_.feed(std::string_view(read_buffer_.data(), bytes));
  // Frames completed before a malformed one are still delivered: they were valid.
  std::size_t frames_completed = 0;
  while (!closed_) {
    std::optional<std::string> payload = reader_.pop();
    if (!payload) break;
    ++frames_completed;
    if (payload->empty()) {
      ++keepalives_received_;
      continue;
    }
    ++frames_received_;
    callbacks_.on_frame(std::move(*payload));
  }
  if (!status.is_ok()) {
    close("malformed frame: " + status.to_string(), /*malformed=*/true);
    return;
  }
  if (closed_) return;
  // A frame left incomplete by this read started now, unless it had started before this read
  // and is still the same frame (no frame completed in between).
  if (reader_.partial_frame_bytes() == 0) {
    partial_frame_since_.reset();
  } else if (!partial_frame_since_ || frames_completed != 0) {
    partial_frame_since_ = last_received_;
  }
  read_more();
}

bool Connection::send(std::string_view payload) {
  if (closed_) return false;
  if (queue_.size() == send_queue_frames_max_) {
    queue_.pop_front();
    ++frames_dropped_;
  }
  queue_.push_back(encode_frame(payload));
  last_sent_ = std::chrono::steady_clock::now();
  QUORUM_ASSERT(queue_.size() <= send_queue_frames_max_);
  if (write_buffer_.empty()) write_more();
  return true;
}

void Connection::send_keepalive() { send(std::string_view()); }

void Connection::write_more() {
  QUORUM_ASSERT(write_buffer_.empty());
  if (closed_ || queue_.empty()) return;
  while (!queue_.empty() && write_buffer_.size() < kWriteBytesMax) {
    write_buffer_ += queue_.front();
    queue_.pop_front();
  }
  stream_->async_write_all(
      boost::asio::buffer(write_buffer_),
      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
        self->write_buffer_.clear();
        if (ec) {
          self->close(ec.message());
          return;
        }
        self->write_more();
      });
}

void Connection::close(const std::string& reason, bool malformed) {
  if (closed_) return;
  closed_ = true;
  queue_.clear();
  stream_->close();
  if (callbacks_.on_close) {
    // Moved out first: the callback may drop the last owner of this connection.
    auto on_close = std::move(callbacks_.on_close);
    on_close(reason, malformed);
  }
}

}  // namespace quorum::adapters
