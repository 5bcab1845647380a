// Connection: frames over one ByteStream. Reads bytes, cuts them into frames with the wire
// FrameDecoder (magic, version, length bound, CRC32C) and hands each payload to on_frame; sends
// payloads through a bounded queue. Anything malformed closes the connection with one reason;
// the bytes never reach the caller. Adapter layer.
//
// Keepalive: a frame with an empty payload carries nothing (no Hello or raft message is empty);
// it is consumed here, never handed to on_frame. The transport sends one on a link that has
// been quiet for a while and closes a link on which nothing at all arrived for its idle timeout
// (tcp_transport.h), so a half-open TCP connection cannot silence a link forever.
//
// Lifetime: shared_ptr; pending io handlers keep it alive. close() is idempotent and calls
// on_close exactly once (also when the peer closed or an io error happened).
// Thread safety: io thread only.
#pragma once

#include <cstddef>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/net/byte_stream.h"
#include "adapters/net/framing.h"

namespace quorum::adapters {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  struct Callbacks {
    // One complete, checksum-verified frame payload. May call close().
    std::function<void(std::string payload)> on_frame;
    // Once; `reason` is for the log line ("peer closed", "malformed frame: crc mismatch").
    std::function<void(const std::string& reason, bool malformed)> on_close;
  };

  Connection(std::unique_ptr<ByteStream> stream, std::size_t send_queue_frames_max);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start(Callbacks callbacks);
  // Replaces on_frame (after the handshake the transport switches from Hello to messages).
  void set_on_frame(std::function<void(std::string payload)> on_frame);
  void set_on_close(std::function<void(const std::string& reason, bool malformed)> on_close);
  // Queues one payload; when the queue is full the oldest queued frame is dropped (counted).
  // Returns false if the connection is closed (the payload is dropped).
  bool send(std::string_view payload);
  void close(const std::string& reason, bool malformed = false);
  // Queues one keepalive frame (empty payload).
  void send_keepalive();

  bool closed() const { return closed_; }
  // The last time bytes arrived (or start()), and the last time a frame was queued.
  std::chrono::steady_clock::time_point last_received() const { return last_received_; }
  std::chrono::steady_clock::time_point last_sent() const { return last_sent_; }
  // When the first bytes of the frame now in progress arrived; nullopt between frames. Bytes
  // alone are a sign of life, but a frame must also COMPLETE within a bound (tcp_transport.h):
  // a peer trickling one unfinished frame a byte at a time is not a live peer.
  std::optional<std::chrono::steady_clock::time_point> partial_frame_since() const {
    return partial_frame_since_;
  }
  std::uint64_t keepalives_received() const { return keepalives_received_; }
  const std::string& remote() const { return stream_->remote(); }
  std::uint64_t frames_dropped() const { return frames_dropped_; }
  std::uint64_t frames_received() const { return frames_received_; }

 private:
  void read_more();
  void on_read(const boost::system::error_code& ec, std::size_t bytes);
  void write_more();

  std::unique_ptr<ByteStream> stream_;
  std::size_t send_queue_frames_max_;
  Callbacks callbacks_;
  FrameReader reader_;
  std::string read_buffer_;
  // Invariant: queue_.size() <= send_queue_frames_max_. Frames waiting to be written.
  std::deque<std::string> queue_;
  std::string write_buffer_;  // frames being written; non-empty iff a write is outstanding
  bool closed_ = false;
  std::chrono::steady_clock::time_point last_received_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_sent_ = std::chrono::steady_clock::now();
  std::optional<std::chrono::steady_clock::time_point> partial_frame_since_;
  std::uint64_t keepalives_received_ = 0;
  std::uint64_t frames_dropped_ = 0;
  std::uint64_t frames_received_ = 0;
};

}  // namespace quorum::adapters
