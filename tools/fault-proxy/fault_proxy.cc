// Loopback fault-injecting TCP proxy. Tools layer.
#include "tools/fault-proxy/fault_proxy.h"

#include <fmt/format.h>

#include <array>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <chrono>
#include <cstring>
#include <deque>
#include <istream>
#include <sstream>

#include "engine/core/base/assert.h"
#include "engine/wire/frame.h"

namespace quorum::fault_proxy {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kReadBytes = 16384;
asio::ip::address loopback() {
  return asio::ip::address_v4::loopback();
}

bool parse_u64(std::string_view s, std::uint64_t* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

std::vector<std::string> words(std::string_view line) {
  std::vector<std::string> out;
  std::istringstream in{std::string(line)};
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// "a->b" -> {a, b}.
bool parse_direction(const std::string& text, std::string* from, std::string* to) {
  const std::size_t arrow = text.find("->");
  if (arrow == std::string::npos || arrow == 0 || arrow + 2 >= text.size()) return false;
  *from = text.substr(0, arrow);
  *to = text.substr(arrow + 2);
  return true;
}

}  // namespace

Result<LinkSpec> parse_link_spec(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t pos; (pos = text.find(':', start)) != std::string_view::npos; start = pos + 1) {
    parts.push_back(text.substr(start, pos - start));
  }
  parts.push_back(text.substr(start));
  std::uint64_t listen = 0;
  std::uint64_t target = 0;
  if (parts.size() != 4 || parts[0].empty() || parts[1].empty() || parts[0] == parts[1] ||
      !parse_u64(parts[2], &listen) || listen > 65535 || !parse_u64(parts[3], &target) ||
      target == 0 || target > 65535) {
    return Status::invalid_argument(
        fmt::format("link '{}': expected from:to:listen_port:target_port", text));
  }
  return LinkSpec{std::string(parts[0]), std::string(parts[1]), static_cast<std::uint16_t>(listen),
                  static_cast<std::uint16_t>(target)};
}

// One direction of one proxied connection: reads from `src`, cuts units, applies the rules of
// (from, to), writes to `dst` in order.
class Pipe {
 public:
  Pipe(asio::io_context& io, FaultProxy& proxy, tcp::socket& src, tcp::socket& dst,
       std::string from, std::string to)
      : proxy_(proxy),
        src_(src),
        dst_(dst),
        from_(std::move(from)),
        to_(std::move(to)),
        timer_(io) {}

  void start(std::shared_ptr<Session> owner);
  void cancel() { timer_.cancel(); }

 private:
  enum class Mode : std::uint8_t { kUnknown, kFramed, kRaw };
  void read(const std::shared_ptr<Session>& owner);
  void cut_units();
  void enqueue(std::string unit);
  void write(const std::shared_ptr<Session>& owner);

  FaultProxy& proxy_;
  tcp::socket& src_;
  tcp::socket& dst_;
  std::string from_;
  std::string to_;
  asio::steady_timer timer_;
  std::array<char, kReadBytes> buffer_{};
  std::string pending_;
  Mode mode_ = Mode::kUnknown;
  struct Unit {
    std::string bytes;
    Clock::time_point release;
  };
  std::deque<Unit> queue_;
  bool writing_ = false;
  std::weak_ptr<Session> owner_;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(asio::io_context& io, FaultProxy& proxy, tcp::socket client, const LinkSpec& link)
      : client_(std::move(client)),
        upstream_(io),
        link_(link),
        up_(io, proxy, client_, upstream_, link.from, link.to),
        down_(io, proxy, upstream_, client_, link.to, link.from) {}

  void connect() {
    auto self = shared_from_this();
    upstream_.async_connect(tcp::endpoint(loopback(), link_.target_port),
                            [self](const boost::system::error_code& ec) {
                              if (ec) return self->close();
                              self->up_.start(self);
                              self->down_.start(self);
                            });
  }

  void close() {
    boost::system::error_code ignored;
    client_.close(ignored);
    upstream_.close(ignored);
    up_.cancel();
    down_.cancel();
  }

  bool between(const std::string& a, const std::string& b) const {
    return (link_.from == a && link_.to == b) || (link_.from == b && link_.to == a);
  }

 private:
  tcp::socket client_;
  tcp::socket upstream_;
  LinkSpec link_;
  Pipe up_;    // client -> upstream: from -> to
  Pipe down_;  // upstream -> client: to -> from
};

void Pipe::start(std::shared_ptr<Session> owner) {
  owner_ = owner;
  read(owner);
}

void Pipe::read(const std::shared_ptr<Session>& owner) {
  src_.async_read_some(asio::buffer(buffer_),
                       [this, owner](const boost::system::error_code& ec, std::size_t n) {
                         if (ec) return owner->close();
                         pending_.append(buffer_.data(), n);
                         cut_units();
                         write(owner);
                         read(owner);
                       });
}

// Frames stay whole so that dropping one loses a message without breaking the stream.
void Pipe::cut_units() {
  const std::string_view magic(wire::kFrameMagic, sizeof wire::kFrameMagic);
  if (mode_ == Mode::kUnknown) {
    const std::size_t n = std::min(pending_.size(), magic.size());
    if (pending_.compare(0, n, magic.substr(0, n)) != 0) {
      mode_ = Mode::kRaw;
    } else if (n == magic.size()) {
      mode_ = Mode::kFramed;
    } else {
      return;  // a prefix of the magic: wait for more bytes
    }
  }
  if (mode_ == Mode::kRaw) {
    if (!pending_.empty()) enqueue(std::exchange(pending_, {}));
    return;
  }
  while (pending_.size() >= wire::kFrameHeaderBytes) {
    std::uint32_t payload_bytes = 0;
    for (int i = 3; i >= 0; --i) {
      payload_bytes = (payload_bytes << 8) | static_cast<unsigned char>(pending_[8 + i]);
    }
    if (payload_bytes > wire::kFramePayloadBytesMax) {  // not a frame after all: stop parsing
      mode_ = Mode::kRaw;
      enqueue(std::exchange(pending_, {}));
      return;
    }
    const std::size_t frame_bytes = wire::kFrameHeaderBytes + payload_bytes;
    if (pending_.size() < frame_bytes) return;
    enqueue(pending_.substr(0, frame_bytes));
    pending_.erase(0, frame_bytes);
  }
}

void Pipe::enqueue(std::string unit) {
  DirectionState& state = proxy_.direction(from_, to_);
  if (state.blocked()) {
    ++state.units_dropped;
    return;
  }
  ++state.units_forwarded;
  queue_.push_back({std::move(unit), Clock::now() + std::chrono::milliseconds(state.delay_ms)});
}

void Pipe::write(const std::shared_ptr<Session>& owner) {
  if (writing_ || queue_.empty()) return;
  writing_ = true;
  if (queue_.front().release > Clock::now()) {
    timer_.expires_at(queue_.front().release);
    timer_.async_wait([this, owner](const boost::system::error_code& ec) {
      writing_ = false;
      if (ec) return owner->close();
      write(owner);
    });
    return;
  }
  asio::async_write(dst_, asio::buffer(queue_.front().bytes),
                    [this, owner](const boost::system::error_code& ec, std::size_t) {
                      writing_ = false;
                      if (ec) return owner->close();
                      queue_.pop_front();
                      write(owner);
                    });
}

struct FaultProxy::Listener {
  explicit Listener(asio::io_context& io) : acceptor(io) {}
  tcp::acceptor acceptor;
};

FaultProxy::FaultProxy(asio::io_context& io, std::vector<LinkSpec> links,
                       std::uint16_t control_port)
    : io_(io), links_(std::move(links)), control_port_requested_(control_port) {}

FaultProxy::~FaultProxy() {
  stop();
}

Status FaultProxy::start() {
  QUORUM_ASSERT(listeners_.empty());
  auto bind = [&](tcp::acceptor& acceptor, std::uint16_t port) -> Status {
    boost::system::error_code ec;
    tcp::endpoint endpoint(loopback(), port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Status::io_error(fmt::format("listen 127.0.0.1:{}: {}", port, ec.message()));
    return Status::ok();
  };
  for (std::size_t i = 0; i < links_.size(); ++i) {
    listeners_.push_back(std::make_unique<Listener>(io_));
    if (Status s = bind(listeners_.back()->acceptor, links_[i].listen_port); !s.is_ok()) return s;
    direction(links_[i].from, links_[i].to);
    direction(links_[i].to, links_[i].from);
  }
  control_ = std::make_unique<tcp::acceptor>(io_);
  if (Status s = bind(*control_, control_port_requested_); !s.is_ok()) return s;
  for (std::size_t i = 0; i < links_.size(); ++i) accept_next(i);
  accept_control();
  return Status::ok();
}

void FaultProxy::stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  for (auto& listener : listeners_) listener->acceptor.close(ignored);
  if (control_) control_->close(ignored);
  for (auto& weak : sessions_) {
    if (auto session = weak.lock()) session->close();
  }
  sessions_.clear();
}

std::uint16_t FaultProxy::control_port() const {
  QUORUM_ASSERT(control_ != nullptr);
  return control_->local_endpoint().port();
}

std::uint16_t FaultProxy::listen_port(std::size_t link) const {
  QUORUM_ASSERT(link < listeners_.size());
  return listeners_[link]->acceptor.local_endpoint().port();
}

DirectionState& FaultProxy::direction(const std::string& from, const std::string& to) {
  return directions_[{from, to}];
}

void FaultProxy::accept_next(std::size_t link) {
  listeners_[link]->acceptor.async_accept(
      [this, link](const boost::system::error_code& ec, tcp::socket socket) {
        if (ec) return;  // closed by stop()
        const LinkSpec& spec = links_[link];
        // A two-way cut refuses new connections outright (accepted, then closed at once).
        if (direction(spec.from, spec.to).cut && direction(spec.to, spec.from).cut) {
          boost::system::error_code ignored;
          socket.close(ignored);
        } else {
          auto session = std::make_shared<Session>(io_, *this, std::move(socket), spec);
          std::erase_if(sessions_, [](const std::weak_ptr<Session>& w) { return w.expired(); });
          sessions_.push_back(session);
          session->connect();
        }
        accept_next(link);
      });
}

void FaultProxy::close_sessions_between(const std::string& a, const std::string& b) {
  for (auto& weak : sessions_) {
    auto session = weak.lock();
    if (session && session->between(a, b)) session->close();
  }
}

std::string FaultProxy::status_text() {
  std::string out;
  for (const auto& [key, s] : directions_) {
    out += fmt::format("{}->{} drop={} cut={} delay_ms={} forwarded={} dropped={}\n", key.first,
                       key.second, s.drop ? "on" : "off", s.cut ? "on" : "off", s.delay_ms,
                       s.units_forwarded, s.units_dropped);
  }
  return out + "ok";
}

std::string FaultProxy::execute(std::string_view line) {
  const std::vector<std::string> w = words(line);
  if (w.empty()) return "error: empty command";
  std::string from;
  std::string to;
  if (w[0] == "drop" && w.size() == 3 && parse_direction(w[1], &from, &to) &&
      (w[2] == "on" || w[2] == "off")) {
    direction(from, to).drop = w[2] == "on";
    return "ok";
  }
  std::uint64_t ms = 0;
  if (w[0] == "delay" && w.size() == 3 && parse_direction(w[1], &from, &to) &&
      parse_u64(w[2], &ms) && ms <= 600'000) {
    direction(from, to).delay_ms = ms;
    return "ok";
  }
  if (w[0] == "cut" && (w.size() == 3 || (w.size() == 4 && w[3] == "oneway")) && w[1] != w[2]) {
    direction(w[1], w[2]).cut = true;
    if (w.size() == 3) {
      direction(w[2], w[1]).cut = true;
      close_sessions_between(w[1], w[2]);
    }
    return "ok";
  }
  if (w[0] == "heal" && w.size() == 1) {
    for (auto& [key, state] : directions_) {
      state.drop = false;
      state.cut = false;
      state.delay_ms = 0;
    }
    return "ok";
  }
  if (w[0] == "status" && w.size() == 1) return status_text();
  return fmt::format(
      "error: bad command '{}' (drop a->b on|off, delay a->b ms, cut a b [oneway], "
      "heal, status)",
      line);
}

// The control socket: one command per line, one reply per command.
void FaultProxy::accept_control() {
  control_->async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
    if (ec) return;
    struct Conn {
      explicit Conn(tcp::socket s) : socket(std::move(s)) {}
      tcp::socket socket;
      asio::streambuf in{4096};
      std::string out;
    };
    auto conn = std::make_shared<Conn>(std::move(socket));
    auto serve = std::make_shared<std::function<void()>>();
    *serve = [this, conn, serve] {
      asio::async_read_until(
          conn->socket, conn->in, '\n',
          [this, conn, serve](const boost::system::error_code& rec, std::size_t) {
            if (rec) {
              *serve = nullptr;  // break the self-reference
              return;
            }
            std::istream stream(&conn->in);
            std::string command;
            std::getline(stream, command);
            conn->out = execute(command) + "\n";
            asio::async_write(conn->socket, asio::buffer(conn->out),
                              [serve](const boost::system::error_code& wec, std::size_t) {
                                if (wec) {
                                  *serve = nullptr;
                                  return;
                                }
                                (*serve)();
                              });
          });
    };
    (*serve)();
    accept_control();
  });
}

}  // namespace quorum::fault_proxy
