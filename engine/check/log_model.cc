#include "engine/check/log_model.h"

#include <cstring>

#include "engine/core/base/assert.h"

namespace quorum::check {

namespace {
constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;

// FNV-1a over the 8 bytes of `value`, little-endian (the base chain of a snapshot whose
// (index, term) no log recorded).
std::uint64_t fnv1a_u64(std::uint64_t value, std::uint64_t h = kFnvOffset) {
  for (int i = 0; i < 8; ++i) {
    h ^= (value >> (8 * i)) & 0xffU;
    h *= kFnvPrime;
  }
  return h;
}

// Word-wise mixing (one multiply per 8 bytes, like the trace hash) instead of byte-wise FNV-1a:
// every entry is digested once per node that persists it and twice per node that applies it.
// Each step is a bijection of the running value for a fixed word and of the word for a fixed
// running value, so two same-length inputs that differ in one word always digest differently.
std::uint64_t mix(std::uint64_t h, std::uint64_t word) {
  h = (h ^ word) * kFnvPrime;
  return h ^ (h >> 29);
}
}  // namespace

std::uint64_t entry_digest(const raft::Entry& e) {
  std::uint64_t h = kFnvOffset;
  h = mix(h, e.term);
  h = mix(h, e.index);
  h = mix(h, static_cast<std::uint64_t>(e.kind));
  h = mix(h, e.data.size());
  const char* p = e.data.data();
  std::size_t n = e.data.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = mix(h, w);
  }
  if (n > 0) {
    std::uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = mix(h, w);
  }
  for (const raft::Member& m : e.membership.members) {
    h = mix(h, m.id * 4 + static_cast<std::uint64_t>(m.role));
  }
  return h;
}

std::uint64_t chain_next(std::uint64_t previous_chain, std::uint64_t digest) {
  return mix(mix(kFnvOffset, previous_chain), digest);
}

LogModel::LogModel(std::size_t node_count, ChainLookupFn lookup)
    : logs_(node_count + 1), lookup_(std::move(lookup)) {}

void LogModel::install_snapshot(NodeLog& log, const raft::SnapshotMeta& meta) {
  const LogIndex last = meta.last_index;
  // Keep the suffix after the snapshot if it continues it (same term at last_index).
  std::vector<Term> terms;
  std::vector<std::uint64_t> chains;
  if (last > log.base_index && last <= log.base_index + log.terms.size() &&
      log.terms[last - log.base_index - 1] == meta.last_term) {
    const std::size_t from = last - log.base_index;
    terms.assign(log.terms.begin() + static_cast<std::ptrdiff_t>(from), log.terms.end());
    chains.assign(log.chains.begin() + static_cast<std::ptrdiff_t>(from), log.chains.end());
  }
  const std::optional<std::uint64_t> base = lookup_(last, meta.last_term);
  log.base_chain = base ? *base : fnv1a_u64(last, fnv1a_u64(meta.last_term));
  log.base_index = last;
  log.base_term = meta.last_term;
  log.terms = std::move(terms);
  log.chains = std::move(chains);
}

void LogModel::append(NodeId node, NodeLog& log, const raft::Entry& e, const WrittenFn& written) {
  QUORUM_ASSERT(e.index > log.base_index, "node {}: entry {} below snapshot {}", node, e.index,
                log.base_index);
  const std::size_t pos = e.index - log.base_index - 1;
  QUORUM_ASSERT(pos <= log.terms.size(), "node {}: gap before entry {}", node, e.index);
  log.terms.resize(pos);
  log.chains.resize(pos);
  const std::uint64_t prev = pos == 0 ? log.base_chain : log.chains[pos - 1];
  const std::uint64_t chain = chain_next(prev, entry_digest(e));
  log.terms.push_back(e.term);
  log.chains.push_back(chain);
  written(node, e.index, e.term, chain);
}

void LogModel::on_persist(NodeId node, const raft::SnapshotMeta* snapshot,
                          const std::vector<raft::Entry>& entries, const WrittenFn& written) {
  NodeLog& log = logs_[node];
  if (snapshot != nullptr) install_snapshot(log, *snapshot);
  for (const raft::Entry& e : entries) {
    if (e.index <= log.base_index) continue;
    append(node, log, e, written);
  }
}

void LogModel::reset(NodeId node, const raft::PersistedState& state, const WrittenFn& written) {
  NodeLog& log = logs_[node];
  log = NodeLog{};
  if (state.snapshot) install_snapshot(log, *state.snapshot);
  for (const raft::Entry& e : state.entries) append(node, log, e, written);
}

LogIndex LogModel::last_index(NodeId node) const {
  return logs_[node].base_index + logs_[node].terms.size();
}

Term LogModel::term_at(NodeId node, LogIndex index) const {
  const NodeLog& log = logs_[node];
  if (index == log.base_index) return log.base_term;
  if (index < log.base_index || index > last_index(node)) return 0;
  return log.terms[index - log.base_index - 1];
}

std::uint64_t LogModel::chain_at(NodeId node, LogIndex index) const {
  const NodeLog& log = logs_[node];
  if (index == log.base_index) return log.base_chain;
  if (index < log.base_index || index > last_index(node)) return 0;
  return log.chains[index - log.base_index - 1];
}

}  // namespace quorum::check
