// quorum-bench: benchmarks of the production build on this machine.
//   quorum-bench commit   [--seconds S] [--clients 1,16,64]
//   quorum-bench failover [--runs N] [--election-timeout-ms T]
//   quorum-bench core     [--ticks N] [--nodes 3|5]
//   quorum-bench assign   [--clusters M] [--controllers N] [--runs R]
//   quorum-bench sim [ARGS...]   runs `quorum-sim bench ARGS` (the simulator's own benchmark)
// Tools layer. Results are printed; docs/benchmarks.md records them.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tools/quorum-bench/bench_assign.h"
#include "tools/quorum-bench/bench_core.h"
#include "tools/quorum-bench/local_cluster.h"

namespace quorum::bench {
namespace {

using Clock = std::chrono::steady_clock;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

constexpr const char* kUsage =
    "usage: quorum-bench commit   [--seconds S] [--clients 1,16,64]\n"
    "       quorum-bench failover [--runs N] [--election-timeout-ms T]\n"
    "       quorum-bench core     [--ticks N] [--nodes N]\n"
    "       quorum-bench assign   [--clusters M] [--controllers N] [--runs R]\n"
    "       quorum-bench sim [ARGS...]\n"
    "\n"
    "commit    three quorumd on loopback (RocksDB, fsync): committed config puts per second and\n"
    "          p50/p99 latency of 256-byte puts for each number of concurrent clients, beside\n"
    "          the single-thread fsync rate of the disk holding the data.\n"
    "failover  SIGKILL the leader, time until the first put commits on a new leader; N runs,\n"
    "          median and p99 as multiples of the election timeout T.\n"
    "core      the pure Raft core in one process (no host, codec or disk), N nodes (default 5),\n"
    "          a proposal and a heartbeat round per tick: group ticks and commits per CPU second.\n"
    "assign    the ownership assignment policy (ownership::plan) on M clusters (default 10000)\n"
    "          and N controllers (default 64): ms per plan from nothing, balanced, one join,\n"
    "          one leave; R runs each (default 20).\n"
    "sim       the simulator's benchmark (quorum-sim bench).\n";

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t rank = static_cast<std::size_t>(p * static_cast<double>(values.size()) + 0.999999);
  return values[std::min(values.size() - 1, rank == 0 ? 0 : rank - 1)];
}

// fdatasync()s in a loop on the file system of `dir`, one thread: the physical bound a commit
// waits on. `in_place`: rewrites one 4 KiB block (no metadata changes: the fastest sync this
// disk offers); otherwise appends 300 bytes per sync (a log append, as a WAL does).
double fsync_rate(const std::string& dir, double seconds, bool in_place) {
  const std::string path = dir + "/fsync-probe";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return 0;
  std::string block(4096, 'x');
  if (in_place) {
    if (::pwrite(fd, block.data(), block.size(), 0) != static_cast<ssize_t>(block.size())) return 0;
    ::fsync(fd);
  }
  int count = 0;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    const std::size_t bytes = in_place ? block.size() : 300;
    const ssize_t written = in_place ? ::pwrite(fd, block.data(), bytes, 0) : ::write(fd, block.data(), bytes);
    if (written != static_cast<ssize_t>(bytes)) break;
    ::fdatasync(fd);
    ++count;
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  ::close(fd);
  ::unlink(path.c_str());
  return count / elapsed;
}

// One client with a kept-alive connection to the leader's API.
class PutClient {
 public:
  explicit PutClient(std::uint16_t port) : port_(port), stream_(std::make_unique<beast::tcp_stream>(io_)) {}
  bool put(const std::string& target, const std::string& body) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      beast::error_code ec;
      if (!connected_) {
        stream_->connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_), ec);
        if (ec) return false;
        stream_->socket().set_option(tcp::no_delay(true));
        connected_ = true;
      }
      http::request<http::string_body> request(http::verb::put, target, 11);
      request.set(http::field::host, "127.0.0.1");
      request.keep_alive(true);
      request.body() = body;
      request.prepare_payload();
      http::write(*stream_, request, ec);
      http::response<http::string_body> response;
      if (!ec) http::read(*stream_, buffer_, response, ec);
      if (ec) {
        stream_->close();
        stream_ = std::make_unique<beast::tcp_stream>(io_);
        buffer_.clear();
        connected_ = false;
        continue;
      }
      return response.result_int() == 200;
    }
    return false;
  }

 private:
  std::uint16_t port_;
  boost::asio::io_context io_;
  std::unique_ptr<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  bool connected_ = false;
};

struct LevelResult {
  int clients = 0;
  double puts_per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  int failures = 0;
};

LevelResult run_level(std::uint16_t leader_port, int clients, double seconds) {
  std::atomic<bool> go{false};
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::vector<double> latencies_ms;
  int failures = 0;
  std::vector<std::thread> threads;
  const std::string value(256, 'v');
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      PutClient client(leader_port);
      std::vector<double> mine;
      int my_failures = 0;
      while (!go.load()) std::this_thread::yield();
      for (int n = 0; !stop.load(); ++n) {
        const auto start = Clock::now();
        const bool ok = client.put(fmt::format("/v1/config/bench/c{}/k{}", c, n % 8), value);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        if (ok) {
          mine.push_back(ms);
        } else {
          ++my_failures;
        }
      }
      std::lock_guard<std::mutex> lock(mutex);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
      failures += my_failures;
    });
  }
  const auto start = Clock::now();
  go = true;
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (std::thread& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  LevelResult result;
  result.clients = clients;
  result.puts_per_second = static_cast<double>(latencies_ms.size()) / elapsed;
  result.p50_ms = percentile(latencies_ms, 0.50);
  result.p99_ms = percentile(latencies_ms, 0.99);
  result.failures = failures;
  return result;
}

// The leader's synced-write counters from /metrics: (count, total seconds).
std::pair<double, double> fsync_stats(const std::string& address) {
  quorumctl::ClientOptions options;
  options.hosts = {address};
  options.wait_for_leader = std::chrono::milliseconds(0);
  Result<quorumctl::HttpReply> reply = quorumctl::http_request(options, "GET", "/metrics", "");
  double count = 0, sum = 0;
  if (!reply) return {0, 0};
  std::istringstream lines(reply->body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("quorum_fsync_seconds_count ", 0) == 0) count = std::atof(line.c_str() + 27);
    if (line.rfind("quorum_fsync_seconds_sum ", 0) == 0) sum = std::atof(line.c_str() + 25);
  }
  return {count, sum};
}

// Whole-string decimal parse: "12x", "", "-3" are refused rather than read as a prefix or 0.
bool parse_count(const std::string& text, std::uint64_t& out) {
  if (text.empty() || text.size() > 18) return false;
  out = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return true;
}

// Empty on a malformed list: every item must be a client count in [1, 10000].
std::vector<int> parse_list(const std::string& text) {
  std::vector<int> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    std::uint64_t n = 0;
    if (!parse_count(item, n) || n == 0 || n > 10'000) return {};
    out.push_back(static_cast<int>(n));
  }
  return out;
}

int cmd_commit(double seconds, const std::vector<int>& levels) {
  LocalCluster cluster(3, 1000, 100);
  const double append_fsyncs = fsync_rate(cluster.dir(), 2.0, /*in_place=*/false);
  const double in_place_fsyncs = fsync_rate(cluster.dir(), 2.0, /*in_place=*/true);
  const double fsyncs = std::max(append_fsyncs, in_place_fsyncs);  // the conservative bound
  for (NodeId id : cluster.ids()) cluster.start(id);
  const NodeId leader = cluster.wait_leader(std::chrono::seconds(20));
  if (leader == kNoNode) {
    std::fprintf(stderr, "quorum-bench: no leader within 20 s (logs in %s)\n", cluster.dir().c_str());
    return 1;
  }
  std::printf("machine: %u hardware threads; data dir %s\n", std::thread::hardware_concurrency(),
              cluster.dir().c_str());
  std::printf("fsync rate (one thread, same file system, fdatasync): %.0f/s rewriting one 4 KiB "
              "block, %.0f/s appending 300 B; the ratio below uses the higher\n",
              in_place_fsyncs, append_fsyncs);
  std::printf("3 x quorumd on loopback, RocksDB sync writes, 256-byte config puts, %.0f s per level\n\n",
              seconds);
  std::printf("%8s %10s %9s %9s %7s %13s %15s %14s %13s\n", "clients", "puts/s", "p50 ms", "p99 ms",
              "failed", "x fsync rate", "leader syncs/s", "puts per sync", "sync mean ms");
  run_level(cluster.http_port(leader), 4, 0.5);  // warm-up: connections, RocksDB memtables
  for (int clients : levels) {
    const auto before = fsync_stats(cluster.api_address(leader));
    LevelResult r = run_level(cluster.http_port(leader), clients, seconds);
    const auto after = fsync_stats(cluster.api_address(leader));
    const double syncs = after.first - before.first;
    const double sync_mean_ms = syncs > 0 ? (after.second - before.second) * 1000 / syncs : 0;
    std::printf("%8d %10.0f %9.2f %9.2f %7d %13.2f %15.0f %14.2f %13.3f\n", r.clients, r.puts_per_second,
                r.p50_ms, r.p99_ms, r.failures, fsyncs > 0 ? r.puts_per_second / fsyncs : 0, syncs / seconds,
                syncs > 0 ? r.puts_per_second * seconds / syncs : 0, sync_mean_ms);
    std::fflush(stdout);
  }
  return 0;
}

int cmd_failover(int runs, std::uint64_t election_timeout_ms) {
  LocalCluster cluster(3, election_timeout_ms, std::max<std::uint64_t>(10, election_timeout_ms / 10));
  for (NodeId id : cluster.ids()) cluster.start(id);
  std::vector<double> times_ms;
  std::printf("failover: SIGKILL the leader -> first committed put on a new leader; T = %llu ms\n",
              static_cast<unsigned long long>(election_timeout_ms));
  for (int run = 0; run < runs; ++run) {
    const NodeId leader = cluster.wait_leader(std::chrono::seconds(30));
    if (leader == kNoNode) {
      std::fprintf(stderr, "quorum-bench: no stable leader before run %d (logs in %s)\n", run, cluster.dir().c_str());
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2 * election_timeout_ms));  // settle
    quorumctl::ClientOptions options;
    for (NodeId id : cluster.ids()) {
      if (id != leader) options.hosts.push_back(cluster.api_address(id));
    }
    options.wait_for_leader = std::chrono::milliseconds(0);
    options.io_timeout = std::chrono::milliseconds(500);
    const auto killed = Clock::now();
    cluster.kill(leader);
    double ms = -1;
    while (Clock::now() - killed < std::chrono::seconds(30)) {
      Result<quorumctl::HttpReply> reply =
          quorumctl::http_request(options, "PUT", fmt::format("/v1/config/failover/run{}", run), "x");
      if (reply && reply->status == 200) {
        ms = std::chrono::duration<double, std::milli>(Clock::now() - killed).count();
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (ms < 0) {
      std::fprintf(stderr, "quorum-bench: run %d: no commit within 30 s\n", run);
      return 1;
    }
    times_ms.push_back(ms);
    std::printf("run %2d: killed node %llu, first commit after %7.1f ms = %.2f T\n", run,
                static_cast<unsigned long long>(leader), ms, ms / static_cast<double>(election_timeout_ms));
    std::fflush(stdout);
    cluster.start(leader);
  }
  const double t = static_cast<double>(election_timeout_ms);
  std::printf("\nfailover over %d runs: median %.1f ms = %.2f T, p99 %.1f ms = %.2f T, max %.2f T\n",
              runs, percentile(times_ms, 0.5), percentile(times_ms, 0.5) / t, percentile(times_ms, 0.99),
              percentile(times_ms, 0.99) / t, percentile(times_ms, 1.0) / t);
  return 0;
}

int cmd_sim(int argc, char** argv) {
  std::string binary = QUORUM_SIM_PATH;
  if (binary.empty()) {
    std::fprintf(stderr, "quorum-bench: quorum-sim was not built\n");
    return 1;
  }
  std::vector<char*> args = {binary.data(), const_cast<char*>("bench")};
  for (int i = 2; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  ::execv(binary.c_str(), args.data());
  std::fprintf(stderr, "quorum-bench: exec %s: %s\n", binary.c_str(), std::strerror(errno));
  return 1;
}

int run(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 64 : 0;
  }
  const std::string command = argv[1];
  if (command == "sim") return cmd_sim(argc, argv);
  double seconds = 5;
  std::uint64_t runs = 20;
  constexpr std::uint64_t ownership_clusters_max = 100'000;
  std::uint64_t election_timeout_ms = 1000;
  std::uint64_t ticks = 200'000;
  std::uint64_t nodes = 5;
  std::uint64_t clusters = 10'000;
  std::uint64_t controllers = 64;
  std::vector<int> levels = {1, 16, 64};
  auto bad_value = [&](const std::string& flag, const char* value, const char* want) {
    std::fprintf(stderr, "quorum-bench: %s '%s': expected %s\n", flag.c_str(), value, want);
    return 64;
  };
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--seconds" && has_value) {
      std::uint64_t s = 0;
      if (!parse_count(argv[++i], s) || s == 0) return bad_value(a, argv[i], "whole seconds >= 1");
      seconds = static_cast<double>(s);
    } else if (a == "--clients" && has_value) {
      levels = parse_list(argv[++i]);
      if (levels.empty()) return bad_value(a, argv[i], "a list like 1,16,64 (each 1..10000)");
    } else if (a == "--runs" && has_value) {
      if (!parse_count(argv[++i], runs) || runs == 0 || runs > 10000) {
        return bad_value(a, argv[i], "a count in 1..10000");
      }
    } else if (a == "--election-timeout-ms" && has_value) {
      if (!parse_count(argv[++i], election_timeout_ms) || election_timeout_ms < 100) {
        return bad_value(a, argv[i], "milliseconds >= 100");
      }
    } else if (a == "--ticks" && has_value) {
      if (!parse_count(argv[++i], ticks) || ticks == 0) return bad_value(a, argv[i], "a count >= 1");
    } else if (a == "--nodes" && has_value) {
      if (!parse_count(argv[++i], nodes) || nodes == 0 || nodes > 9) {
        return bad_value(a, argv[i], "1..9 nodes");
      }
    } else if (a == "--clusters" && has_value) {
      if (!parse_count(argv[++i], clusters) || clusters > ownership_clusters_max) {
        return bad_value(a, argv[i], "a count in 0..100000");
      }
    } else if (a == "--controllers" && has_value) {
      if (!parse_count(argv[++i], controllers) || controllers == 0 || controllers > 255) {
        return bad_value(a, argv[i], "a count in 1..255");
      }
    } else {
      std::fprintf(stderr, "quorum-bench: unknown argument '%s'\n%s", a.c_str(), kUsage);
      return 64;
    }
  }
  if (command == "core") return cmd_core(ticks, static_cast<std::size_t>(nodes));
  if (command == "assign") {
    return cmd_assign(clusters, controllers, static_cast<int>(runs));
  }
  if (command == "commit") return cmd_commit(seconds, levels);
  if (command == "failover") return cmd_failover(static_cast<int>(runs), election_timeout_ms);
  std::fprintf(stderr, "quorum-bench: unknown command '%s'\n%s", command.c_str(), kUsage);
  return 64;
}

}  // namespace
}  // namespace quorum::bench

int main(int argc, char** argv) { return quorum::bench::run(argc, argv); }
