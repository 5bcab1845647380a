// Writes the seed corpora of the fuzz targets: a handful of valid inputs (so the fuzzers start
// deep inside the decoders) and of invalid ones (each rejection class). Run by hand:
//   build-x/fuzz/fuzz_corpus_gen fuzz/corpus
// and commit the files. Names say what each input is. The core_step seeds taken from simulator
// traces are made with --core-step-from-trace (docs/fuzzing.md has the commands).
#include <cstdio>
#include <filesystem>
#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "engine/core/base/crc32c.h"
#include "engine/wire/codec.h"
#include "engine/wire/frame.h"
#include "engine/wire/record.h"

namespace {

namespace fs = std::filesystem;
namespace w = quorum::wire;
using namespace quorum;  // NOLINT(google-build-using-namespace): a small generator program

void write(const fs::path& dir, const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

raft::Membership membership() {
  return {{{1, raft::MemberRole::kVoter, 1},
           {2, raft::MemberRole::kVoter, 1},
           {3, raft::MemberRole::kLearner, 0}}};
}

std::vector<std::pair<std::string, raft::Message>> messages() {
  std::vector<raft::Entry> entries = {{2, 11, raft::EntryKind::kNoop, "", {}},
                                      {2,
                                       12,
                                       raft::EntryKind::kCommand,
                                       w::encode_config_command(config_sync::Put{"a.cnf", "x=1"}),
                                       {}},
                                      {2, 13, raft::EntryKind::kMembership, "", membership()}};
  return {
      {"vote_request", {1, 2, 3, raft::VoteRequest{false, 10, 2, false}}},
      {"pre_vote_request", {1, 2, 4, raft::VoteRequest{true, 10, 2, false}}},
      {"vote_response", {2, 1, 3, raft::VoteResponse{false, true}}},
      {"heartbeat", {1, 2, 3, raft::AppendRequest{10, 2, {}, 9, 7}}},
      {"append_entries", {1, 2, 3, raft::AppendRequest{10, 2, entries, 11, 8}}},
      {"append_response_ok", {2, 1, 3, raft::AppendResponse{true, 13, 0, 0, 0, 8}}},
      {"append_response_reject", {2, 1, 3, raft::AppendResponse{false, 0, 10, 5, 1, 8}}},
      {"snapshot_request",
       {1, 2, 3, raft::SnapshotRequest{raft::Snapshot{{10, 2, membership()}, "data"}, 9}}},
      {"timeout_now", {1, 2, 3, raft::TimeoutNow{8}}},
      {"transfer_vote_request", {2, 3, 4, raft::VoteRequest{false, 13, 3, true, 8}}},
  };
}

std::string app_snapshot() {
  w::AppSnapshot s;
  s.config_applied_index = 20;
  s.config_files["cmon.cnf"] = {"hostname=a\n", 5, crc32c("hostname=a\n")};
  s.config_files["cmon.d/c1.cnf"] = {"", 20, crc32c("")};
  return w::encode_app_snapshot(s);
}

void frame_decoder(const fs::path& dir) {
  std::string stream = "\x07";  // chunk size byte: 8-byte chunks
  stream += w::encode_frame(w::encode_hello({"prod", 1, w::kProtocolVersion}));
  for (const auto& [name, m] : messages()) stream += w::encode_frame(w::encode_message(m));
  write(dir, "valid_hello_then_every_message", stream);
  write(dir, "valid_one_byte_chunks", std::string("\x00", 1) + w::encode_frame("abc"));
  write(dir, "invalid_http_request", std::string("\xff") + "GET / HTTP/1.1\r\n\r\n");
  std::string bad_crc = w::encode_frame("payload");
  bad_crc.back() ^= 1;
  write(dir, "invalid_crc", "\xff" + bad_crc);
  std::string oversize = w::encode_frame("");
  oversize[11] = '\x7f';
  write(dir, "invalid_oversize_length", "\xff" + oversize);
  std::string version = w::encode_frame("x");
  version[4] = 9;
  write(dir, "invalid_version", "\xff" + version);
  write(dir, "invalid_truncated", "\x03" + w::encode_frame("truncated").substr(0, 20));
}

void message_decode(const fs::path& dir) {
  for (const auto& [name, m] : messages())
    write(dir, "valid_message_" + name, w::encode_message(m));
  write(dir, "valid_entry_membership",
        w::encode_entry({4, 9, raft::EntryKind::kMembership, "", membership()}));
  write(dir, "valid_hard_state", w::encode_hard_state({7, 2, 30}));
  write(dir, "valid_snapshot", w::encode_snapshot({{10, 2, membership()}, app_snapshot()}));
  write(dir, "valid_hello", w::encode_hello({"prod-east", 3, w::kProtocolVersion}));
  write(dir, "valid_store_identity", w::encode_store_identity({"prod-east", 3, 1}));
  write(dir, "valid_app_snapshot", app_snapshot());
  write(dir, "valid_config_command",
        w::encode_config_command(config_sync::PutIfVersion{"a/b.cnf", "v", 3}));
  write(dir, "invalid_empty", "");
  write(dir, "invalid_garbage", "\xff\xff\xff\xff\x0f");
  std::string truncated = w::encode_message(messages()[4].second);
  write(dir, "invalid_truncated_append", truncated.substr(0, truncated.size() / 2));
}

void storage_record(const fs::path& dir) {
  write(dir, "valid_entry",
        w::encode_record(w::encode_entry({3, 4, raft::EntryKind::kNoop, "", {}})));
  write(dir, "valid_hard_state", w::encode_record(w::encode_hard_state({7, 2, 30})));
  write(dir, "valid_snapshot",
        w::encode_record(w::encode_snapshot({{10, 2, membership()}, app_snapshot()})));
  write(dir, "valid_store_identity", w::encode_record(w::encode_store_identity({"prod", 1, 1})));
  write(dir, "valid_empty_payload", w::encode_record(""));
  write(dir, "invalid_truncated_header", w::encode_record("abc").substr(0, 3));
  std::string flipped = w::encode_record(w::encode_hard_state({7, 2, 30}));
  flipped[6] ^= 4;
  write(dir, "invalid_flipped_bit", flipped);
  std::string version = w::encode_record("x");
  version[0] = 2;
  write(dir, "invalid_version", version);
}

// [u8 gap][u16 LE length][payload] records, as config_command_fuzz.cc reads them.
std::string command_record(const config_sync::Command& command) {
  const std::string payload = w::encode_config_command(command);
  std::string out = "\x01";
  out.push_back(static_cast<char>(payload.size() & 0xFF));
  out.push_back(static_cast<char>((payload.size() >> 8) & 0xFF));
  return out + payload;
}

void config_command(const fs::path& dir) {
  write(dir, "valid_put_update_delete",
        command_record(config_sync::Put{"cmon.cnf", "a"}) +
            command_record(config_sync::PutIfVersion{"cmon.cnf", "b", 1}) +
            command_record(config_sync::Delete{"cmon.cnf"}));
  write(dir, "rejected_commands",
        command_record(config_sync::Put{"../etc/passwd", "x"}) +
            command_record(config_sync::Delete{"missing"}) +
            command_record(config_sync::PutIfVersion{"a", "x", 7}) +
            command_record(config_sync::Put{"/abs", "x"}));
  write(dir, "invalid_payload", std::string("\x01\x03\x00\xff\xff\xff", 6));
}

// [u8 flags][u16 LE length][payload] records, as ownership_command_fuzz.cc reads them;
// flags 0x81: gap 1, then run the policy.
std::string ownership_record(const ownership::Command& command, char flags = '\x01') {
  const std::string payload = w::encode_ownership_command(command);
  std::string out(1, flags);
  out.push_back(static_cast<char>(payload.size() & 0xFF));
  out.push_back(static_cast<char>((payload.size() >> 8) & 0xFF));
  return out + payload;
}

void ownership_command(const fs::path& dir) {
  namespace own = ownership;
  std::string pool;
  for (quorum::NodeId id = 1; id <= 3; ++id) {
    pool += ownership_record(own::RegisterController{
        id, "c" + std::to_string(id), "", 1, {{"site", id == 3 ? "B" : "A"}},
        own::ControllerRole::kActive, true});
    pool += ownership_record(own::Activate{id});
  }
  for (own::ClusterId id = 1; id <= 6; ++id) {
    pool += ownership_record(own::AddCluster{id, "db" + std::to_string(id), {}, true});
  }
  write(dir, "valid_pool_then_policy", pool + ownership_record(own::Pin{2, 3}, '\x81'));
  write(dir, "valid_drain_and_handover",
        pool + ownership_record(own::Assign{1, 1, 0}, '\x81') +
            ownership_record(own::Drain{1}, '\x81') + ownership_record(own::Promote{9}, '\x81'));
  write(dir, "rejected_commands",
        ownership_record(own::Assign{1, 1, 0}) + ownership_record(own::Release{1, 1, 5, 2}) +
            ownership_record(own::RegisterController{0, "", "", 0, {}, own::ControllerRole::kStandby,
                                                     true}) +
            ownership_record(own::DeregisterController{4}));
  write(dir, "invalid_payload", std::string("\x81\x03\x00\xff\xff\xff", 6));
}

void config_file(const fs::path& dir) {
  write(dir, "valid_three_peers",
        "[quorumd]\nnode_id = 1\ncluster_id = \"prod\"\n"
        "peers = 1@a@127.0.0.1:9500:9580, 2@b@127.0.0.1:9510:9590, 3@c@127.0.0.1:9520:9600\n"
        "data_dir = /tmp/q1\nconfig_dir = /tmp/q1/etc\n");
  write(dir, "invalid_unknown_key", "node_id = 1\nheartbeet_ms = 5\n");
  write(dir, "invalid_garbage", std::string("[[[\n=\n\xff\x00", 8));
}

// [u8 node][u8 read reply][u8 write reply][u8 leader action] + pipelined requests, as
// http_api_fuzz.cc reads them. Node byte 0x03: leader; 0x08: follower that knows leader 2;
// 0x40: replies deferred; 0x80: the health port. Reply bytes 0: kOk.
std::string http_request(const std::string& method, const std::string& target,
                         const std::string& body = "", const std::string& extra_headers = "") {
  std::string out = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:9581\r\n" + extra_headers;
  if (!body.empty() || method == "PUT") out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return out + "\r\n" + body;
}

void http_api(const fs::path& dir) {
  const std::string every_read = http_request("GET", "/v1/status") + http_request("GET", "/health") +
                                 http_request("GET", "/v1/controllers") + http_request("GET", "/metrics") +
                                 http_request("GET", "/v1/config") +
                                 http_request("GET", "/v1/config/cmon.cnf?local=true");
  const std::string writes =
      http_request("PUT", "/v1/config/cmon.cnf", "hostname=a\n") +
      http_request("PUT", "/v1/config/cmon.cnf?if_version=1", "hostname=b\n") +
      http_request("GET", "/v1/config/cmon.cnf") +
      http_request("GET", "/v1/config/cmon.cnf", "", "Accept: application/octet-stream\r\n") +
      http_request("GET", "/v1/config/cmon.cnf?raw=true") +
      http_request("PUT", "/v1/config/cmon.d/c%201.cnf?if_version=x", "y") +
      http_request("DELETE", "/v1/config/cmon.cnf") + http_request("DELETE", "/v1/config/missing");
  const std::string leader = http_request("POST", "/v1/leader/transfer?to=ctl2") +
                             http_request("POST", "/v1/leader/transfer?to=nobody") +
                             http_request("POST", "/v1/leader/transfer") +
                             http_request("POST", "/v1/leader/step-down");
  write(dir, "leader_every_read", std::string("\x03\x00\x00\x00", 4) + every_read);
  write(dir, "leader_writes", std::string("\x03\x00\x00\x00", 4) + writes);
  write(dir, "leader_writes_deferred_lost", std::string("\x43\x00\x03\x00", 4) + writes);
  write(dir, "leader_transfer_and_step_down", std::string("\x03\x00\x00\x00", 4) + leader);
  write(dir, "follower_redirects", std::string("\x08\x01\x01\x01", 4) + every_read + writes + leader);
  write(dir, "follower_tls_no_leader", std::string("\x20\x01\x01\x01", 4) + every_read + writes);
  write(dir, "health_port", std::string("\x80\x00\x00\x00", 4) +
                                http_request("GET", "/health?require_leader=true") +
                                http_request("GET", "/health?leader=1") + http_request("GET", "/v1/status"));
  write(dir, "chunked_and_http10", std::string("\x03\x00\x00\x00", 4) +
                                       "PUT /v1/config/a.cnf HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                                       "3\r\nabc\r\n0\r\n\r\nGET /v1/status HTTP/1.0\r\n\r\n");
  // The pool (tools/quorumd/api_pool.h): register the peers, add clusters, move, pin, drain.
  std::string pool;
  for (const char* name : {"ctl1", "ctl2", "ctl3"}) {
    pool += http_request("POST", "/v1/ownership/controllers",
                         std::string("{\"name\":\"") + name + "\",\"weight\":1,\"tags\":{\"site\":\"a\"}}");
  }
  pool += http_request("POST", "/v1/ownership/controllers", "{\"name\":\"ctl3\",\"role\":\"standby\"}");
  for (int id = 1; id <= 3; ++id) {
    pool += http_request("POST", "/v1/ownership/clusters",
                         "{\"clusterId\":\"" + std::to_string(id) + "\",\"name\":\"db" + std::to_string(id) +
                             "\",\"autoRecovery\":true}");
  }
  pool += http_request("GET", "/v1/ownership/clusters") + http_request("GET", "/v1/ownership/controllers") +
          http_request("GET", "/v1/ownership/may-act?cluster=db1") +
          http_request("POST", "/v1/ownership/clusters/db1/move?to=ctl2") +
          http_request("POST", "/v1/ownership/clusters/2/pin?to=ctl1") +
          http_request("POST", "/v1/ownership/clusters/2/unpin") +
          http_request("POST", "/v1/ownership/controllers/ctl2/drain") +
          http_request("POST", "/v1/ownership/controllers/ctl2/undrain") +
          http_request("POST", "/v1/ownership/controllers/ctl2/weight?weight=3") +
          http_request("POST", "/v1/ownership/controllers/ctl3/promote?force=true") +
          http_request("DELETE", "/v1/ownership/clusters/db3") +
          http_request("DELETE", "/v1/ownership/controllers/ctl1") +
          http_request("POST", "/v1/ownership/clusters", "{not json");
  write(dir, "leader_pool", std::string("\x03\x00\x00\x00", 4) + pool);
  write(dir, "follower_pool", std::string("\x0c\x01\x01\x01", 4) + pool);
  write(dir, "invalid_too_large", std::string("\x03\x00\x00\x00", 4) +
                                      "PUT /v1/config/a HTTP/1.1\r\nContent-Length: 1048577\r\n\r\n");
  write(dir, "invalid_not_http", std::string("\x03\x00\x00\x00\x16\x03\x01\x02\x00", 9));
}

// Programs for storage_load_fuzz.cc (its header comment is the format).
std::string varint(std::uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

// op 0: key step, term step, kind (bit 7: record holds another index).
std::string log_op(std::uint64_t key_step, int term_step, std::uint8_t kind = 0) {
  return std::string(1, '\x00') + varint(key_step) + static_cast<char>(term_step) +
         static_cast<char>(kind);
}

void storage_load(const fs::path& dir) {
  const std::string hard = varint(3) + varint(1) + varint(4);  // term 3, vote 1, commit 4
  std::string log = log_op(1, 1) + log_op(1, 0, 1) + log_op(1, 1, 2) + log_op(1, 0, 1) + log_op(1, 1, 1);
  write(dir, "valid_fresh", "");
  write(dir, "valid_identity_hard_state_log", "\x09" + hard + log);
  write(dir, "valid_log_then_persist_and_reload", "\x29" + hard + log);
  // Snapshot at 10, term 2; log 11.. with term 3.
  const std::string snapshot = varint(10) + varint(2) + "s";
  write(dir, "valid_snapshot_then_log", "\x39" + varint(3) + varint(0) + varint(11) + snapshot +
                                            log_op(1, 1) + log_op(1, 0, 1) + log_op(1, 0, 2));
  write(dir, "invalid_gap", "\x09" + hard + log_op(1, 1) + log_op(2, 0) + log_op(1, 0));
  write(dir, "invalid_starts_at_2", "\x09" + hard + log_op(2, 1));
  write(dir, "invalid_term_decreases", "\x09" + hard + log_op(1, 2) + log_op(1, -1));
  write(dir, "invalid_record_index_differs", "\x09" + hard + log_op(1, 1) + log_op(1, 0, 0x80));
  write(dir, "invalid_commit_beyond_log", "\x09" + varint(1) + varint(0) + varint(9) + log_op(1, 1));
  write(dir, "invalid_hard_term_below_log", "\x09" + varint(1) + varint(0) + varint(0) + log_op(1, 3));
  write(dir, "invalid_log_before_snapshot", "\x19" + snapshot + log_op(0, 0) + log_op(1, 0));
  write(dir, "invalid_malformed_log_key", "\x01" + log_op(1, 1) + "\x02\x06log/12\x01x");
  write(dir, "invalid_flipped_bit", "\x09" + hard + log + "\x03\x07");
  write(dir, "invalid_no_identity", "\x08" + hard);
  write(dir, "invalid_other_node", "\x03");
  write(dir, "invalid_other_format", "\x05");
  // Snapshot at UINT64_MAX (its term 2), then an entry at UINT64_MAX - 0 and one after it.
  write(dir, "edge_index_overflow", "\x11" + varint(UINT64_MAX) + varint(1) + "s" + "\x01" + varint(0) +
                                        "\x01\x00" + log_op(1, 0));
  write(dir, "edge_term_near_limit", "\x09" + varint(0) + varint(0) + varint(0) + log_op(1, 1) + "\x05\x00");
}

// ---- core_step (core_step_fuzz.cc's header comment is the format) ----

std::string step(int op, int a, int b) {
  return {static_cast<char>(op), static_cast<char>(a), static_cast<char>(b)};
}

// A round of the network much faster than a tick: one tick everywhere, then up to 32 deliveries.
std::string rounds(int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out += step(1, 0, 0) + step(7, 31, 0);
  return out;
}

void core_step(const fs::path& dir) {
  const std::string fresh3("\x00\x00", 2);
  const std::string fresh5("\x01\x00", 2);
  const std::string writes = step(8, 0, 1) + step(8, 1, 2) + step(8, 2, 3);
  write(dir, "elect_and_write_3", fresh3 + rounds(30) + writes + rounds(10));
  write(dir, "elect_and_write_5", fresh5 + rounds(30) + writes + rounds(10));
  write(dir, "crash_every_node_and_restart",
        fresh3 + rounds(30) + writes + rounds(4) + step(12, 0, 0) + rounds(20) + step(13, 0, 0) +
            step(12, 1, 0) + rounds(20) + step(13, 1, 0) + step(12, 2, 0) + rounds(20) +
            step(13, 2, 0) + rounds(20));
  write(dir, "transfer_step_down_compact",
        fresh3 + rounds(30) + writes + rounds(5) + step(9, 0, 0) + step(9, 1, 0) + step(9, 2, 0) +
            rounds(10) + step(10, 0, 0) + step(10, 1, 0) + step(10, 2, 0) + rounds(20) +
            step(15, 0, 0) + step(15, 1, 0) + step(15, 2, 0) + writes + rounds(10));
  // remove 3, add it back as a learner, promote it (the leader, whichever it is, takes them).
  std::string membership;
  for (int kind_node : {2 + 5 * 2, 1 + 5 * 2, 3 + 5 * 2}) {
    for (int n = 0; n < 3; ++n) membership += step(11, n, kind_node);
    membership += rounds(8);
  }
  write(dir, "membership_remove_readd_promote", fresh3 + rounds(30) + membership + writes + rounds(8));
  write(dir, "terms_near_the_limit", std::string("\x00\x03", 2) + rounds(40) + writes + rounds(10));
  std::string chaos = fresh5 + rounds(20);
  for (int i = 0; i < 40; ++i) {
    chaos += step(1, 0, 0) + step(5, i, 0) + step(6, i * 7, 0) + step(4, i * 3, 0) + step(2, i, 0) +
             step(2, i * 5, 0) + step(8, i, i);
  }
  write(dir, "duplicate_reorder_drop_5", chaos + rounds(20));
  std::string forged = fresh3 + rounds(30) + writes;
  for (int i = 0; i < 16; ++i) forged += step(1, 0, 0) + step(14, i, i * 37) + step(7, 31, 0);
  write(dir, "forged_fields", forged);
  // A power loss during a vote's write (op 12, b & 0x80): n1 and n2 campaign in term 1 (PreVote
  // and CheckQuorum off, so n3 grants at once), n3 grants n1 and loses the write, restarts empty
  // and grants n2; then both grants (if any left) are delivered. With ack-before-persist planted
  // the grant to n1 left before the write: two leaders in term 1
  // (corpus_planted/core_step/ack-before-persist/by_hand_vote_lost_with_its_reply_in_flight).
  write(dir, "power_loss_during_a_vote",
        std::string("\x06\x00", 2) + step(0, 0, 6) + step(0, 1, 6) + step(12, 2, 0x80) +
            step(3, 3, 1) + step(13, 2, 0) + step(3, 3, 2) + step(3, 1, 3) + step(3, 2, 3));
}

// A simulator trace (quorum-sim run --trace FILE) as a core_step program: its deliveries (by
// receiver, sender and message class), client writes, membership proposals, leadership
// transfers, crashes and restarts, in order, with the simulator's ticks scaled to the fuzzer's
// election timeout (4 ticks) and at most `steps_max` steps. The cluster of pure cores does not
// replay the run exactly (other timeouts, no latency): the trace is a realistic mix of steps.
std::string core_step_from_trace(std::istream& in, std::size_t steps_max) {
  std::string out;
  std::uint64_t tick_us = 10'000;
  std::uint64_t election_ticks = 10;
  std::uint64_t ticks_done = 0;  // fuzzer ticks emitted
  std::size_t nodes = 3;
  std::string line;
  while (std::getline(in, line) && out.size() / 3 < steps_max) {
    std::istringstream fields(line);
    std::uint64_t time_us = 0;
    std::string node_text;
    std::string kind;
    fields >> time_us >> node_text >> kind;
    std::string details;
    std::getline(fields, details);
    if (kind == "note" && details.find("seed=") != std::string::npos) {
      auto number_after = [&](const std::string& key, std::uint64_t fallback) {
        const std::size_t at = details.find(key);
        return at == std::string::npos ? fallback : std::stoull(details.substr(at + key.size()));
      };
      nodes = number_after("nodes=", 3);
      tick_us = number_after("tick=", 10) * 1000;
      election_ticks = std::max<std::uint64_t>(number_after("election=", 10), 1);
      continue;
    }
    const std::uint64_t due = time_us / tick_us * 4 / election_ticks;
    while (ticks_done < due) {
      const std::uint64_t n = std::min<std::uint64_t>(due - ticks_done, 4);
      out += step(1, 0, static_cast<int>(n - 1));
      ticks_done += n;
    }
    if (node_text.size() < 2 || node_text[0] != 'n') continue;
    const int to = std::stoi(node_text.substr(1));
    if (kind == "deliver") {
      const std::size_t from_at = details.find(" from n");
      if (from_at == std::string::npos) continue;
      const int from = std::stoi(details.substr(from_at + 7));
      int klass = 3;
      if (details.find("Vote") != std::string::npos) klass = 0;
      if (details.find("AppendRequest") != std::string::npos ||
          details.find("Heartbeat") != std::string::npos) {
        klass = 1;
      }
      if (details.find("AppendResponse") != std::string::npos) klass = 2;
      out += step(3, to, from | (klass << 6));
    } else if (kind == "client-invoke") {
      out += step(8, to - 1, static_cast<int>(std::hash<std::string>{}(details) & 0x7f));
    } else if (kind == "crash") {
      out += step(12, to - 1, 0);
    } else if (kind == "restart" && details.find("incarnation 0") == std::string::npos) {
      out += step(13, to - 1, 0);
    } else if (kind == "transfer" && details.find("membership: propose ") != std::string::npos) {
      const std::string what = details.substr(details.find("propose ") + 8);
      const std::size_t n_at = what.find(" n");
      if (n_at == std::string::npos) continue;
      const int target = std::stoi(what.substr(n_at + 2));
      const std::string change = what.substr(0, n_at);
      const int kinds = change == "add-voter"     ? 0
                        : change == "add-learner" ? 1
                        : change == "remove"      ? 2
                        : change == "promote"     ? 3
                                                  : 4;
      out += step(11, to - 1, kinds + 5 * (target - 1));
    } else if (kind == "transfer" && details.find("transfer-leader") != std::string::npos) {
      out += step(9, to - 1, 0);
    }
  }
  const std::string setup = nodes == 5 ? std::string("\x01\x00", 2) : std::string("\x00\x00", 2);
  return setup + out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::string(argv[1]) == "--core-step-from-trace") {
    std::ifstream in(argv[2]);
    if (!in) {
      std::fprintf(stderr, "cannot read %s\n", argv[2]);
      return 2;
    }
    const std::string program = core_step_from_trace(in, std::stoul(argv[4]));
    std::ofstream(argv[3], std::ios::binary | std::ios::trunc) << program;
    std::printf("%s: %zu steps\n", argv[3], program.size() / 3);
    return 0;
  }
  if (argc != 2) {
    std::fprintf(stderr,
                 "usage: %s CORPUS_DIR   (writes CORPUS_DIR/<target>/...)\n"
                 "       %s --core-step-from-trace SIM_TRACE OUT_FILE STEPS_MAX\n",
                 argv[0], argv[0]);
    return 64;
  }
  const fs::path root = argv[1];
  frame_decoder(root / "frame_decoder");
  message_decode(root / "message_decode");
  storage_record(root / "storage_record");
  config_command(root / "config_command");
  config_file(root / "config_file");
  ownership_command(root / "ownership_command");
  http_api(root / "http_api");
  storage_load(root / "storage_load");
  core_step(root / "core_step");
  std::printf("corpora written under %s\n", root.c_str());
  return 0;
}
