// Pending proposals and reads. Host layer: core only.
#include "engine/host/proposals.h"

#include <string>

#include "engine/core/base/assert.h"
#include "engine/core/base/mutation.h"

namespace quorum::host {

void Proposals::add(LogIndex index, Term term, ReplyFn done) {
  QUORUM_ASSERT(index > 0);
  QUORUM_ASSERT(term > 0);
  QUORUM_ASSERT(done != nullptr);
  const auto [it, inserted] = pending_.emplace(std::make_pair(index, term), std::move(done));
  QUORUM_ASSERT(inserted, "two proposals at index {} term {}", index, term);
}

void Proposals::on_applied(LogIndex index, Term term, const AppResult& result) {
  QUORUM_ASSERT(index > 0);
  // Take the replies out first: a reply may re-enter the host (a client proposing again).
  std::vector<std::pair<ClientReply, ReplyFn>> replies;
  auto it = pending_.begin();
  while (it != pending_.end() && it->first.first <= index) {
    // Applies are consecutive and a snapshot restore resolves what it covers, so a proposal
    // below `index` is left only by a planted apply-before-commit bug; it is lost.
    QUORUM_ASSERT(kMutationsCompiled || it->first.first == index,
                  "proposal at index {} skipped (applied {})", it->first.first, index);
    ClientReply reply;
    reply.index = it->first.first;
    if (it->first.first == index && it->first.second == term) {
      reply.code = ClientReply::Code::kOk;
      reply.result = result;
    } else {
      reply.code = ClientReply::Code::kLost;
      reply.reason =
          fmt::format("index {} was applied with term {}, not {}", index, term, it->first.second);
    }
    replies.emplace_back(std::move(reply), std::move(it->second));
    it = pending_.erase(it);
  }
  QUORUM_ASSERT(pending_.empty() || pending_.begin()->first.first > index);
  for (auto& [reply, done] : replies) done(reply);
}

void Proposals::on_truncated(LogIndex first_index) {
  QUORUM_ASSERT(first_index > 0);
  std::vector<std::pair<ClientReply, ReplyFn>> replies;
  auto it = pending_.lower_bound({first_index, 0});
  while (it != pending_.end()) {
    ClientReply reply;
    reply.code = ClientReply::Code::kLost;
    reply.index = it->first.first;
    reply.reason =
        fmt::format("the log was truncated from index {} by a newer leader", first_index);
    replies.emplace_back(std::move(reply), std::move(it->second));
    it = pending_.erase(it);
  }
  QUORUM_ASSERT(pending_.empty() || pending_.rbegin()->first.first < first_index);
  for (auto& [reply, done] : replies) done(reply);
}

void Proposals::on_snapshot_restored(LogIndex last_index) {
  std::vector<std::pair<ClientReply, ReplyFn>> replies;
  auto it = pending_.begin();
  while (it != pending_.end() && it->first.first <= last_index) {
    ClientReply reply;
    reply.code = ClientReply::Code::kUnknown;
    reply.index = it->first.first;
    reply.reason = fmt::format("a snapshot through index {} was installed", last_index);
    replies.emplace_back(std::move(reply), std::move(it->second));
    it = pending_.erase(it);
  }
  for (auto& [reply, done] : replies) done(reply);
}

void Proposals::fail_all(ClientReply::Code code, const std::string& reason) {
  QUORUM_ASSERT(code != ClientReply::Code::kOk);
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [key, done] : pending) {
    ClientReply reply;
    reply.code = code;
    reply.index = key.first;
    reply.reason = reason;
    done(reply);
  }
}

void PendingReads::add_requested(std::uint64_t request_id, ReplyFn done) {
  QUORUM_ASSERT(done != nullptr);
  const auto [it, inserted] = requested_.emplace(request_id, std::move(done));
  QUORUM_ASSERT(inserted, "read request id {} reused", request_id);
}

void PendingReads::confirm(std::uint64_t request_id, LogIndex index) {
  auto it = requested_.find(request_id);
  if (it == requested_.end()) return;  // failed when leadership was lost; the answer is moot
  confirmed_.emplace(index, std::move(it->second));
  requested_.erase(it);
}

void PendingReads::on_applied(LogIndex applied_index) {
  std::vector<std::pair<LogIndex, ReplyFn>> ready;
  auto it = confirmed_.begin();
  while (it != confirmed_.end() && it->first <= applied_index) {
    ready.emplace_back(it->first, std::move(it->second));
    it = confirmed_.erase(it);
  }
  for (auto& [index, done] : ready) {
    ClientReply reply;
    reply.code = ClientReply::Code::kOk;
    reply.index = index;
    done(reply);
  }
}

void PendingReads::fail_requested(NodeId leader_hint) {
  auto requested = std::move(requested_);
  requested_.clear();
  for (auto& [id, done] : requested) {
    ClientReply reply;
    reply.code = ClientReply::Code::kNotLeader;
    reply.leader_hint = leader_hint;
    reply.reason = "leadership lost before the read was confirmed";
    done(reply);
  }
}

void PendingReads::fail_all(ClientReply::Code code, const std::string& reason) {
  QUORUM_ASSERT(code != ClientReply::Code::kOk);
  auto requested = std::move(requested_);
  auto confirmed = std::move(confirmed_);
  requested_.clear();
  confirmed_.clear();
  ClientReply reply;
  reply.code = code;
  reply.reason = reason;
  for (auto& [id, done] : requested) done(reply);
  for (auto& [index, done] : confirmed) done(reply);
}

}  // namespace quorum::host
