#include "tools/quorumd/peer_acks.h"

#include <fmt/format.h>

#include <algorithm>
#include <variant>

namespace quorum::quorumd {

void PeerAcks::on_leader(Term term, Time now) {
  term_ = term;
  leader_since_ = now;
  acks_.clear();
}

void PeerAcks::on_message(const raft::Message& message, Term current_term, Time now) {
  if (std::holds_alternative<raft::AppendRequest>(message.body) ||
      std::holds_alternative<raft::SnapshotRequest>(message.body)) {
    last_leader_contact_ = now;
  }
  const auto* response = std::get_if<raft::AppendResponse>(&message.body);
  // Only answers to this leadership count: an older term's answer says nothing about now.
  if (response == nullptr || message.term != current_term || current_term != term_) return;
  Ack& ack = acks_[message.from];
  ack.at = now;
  if (response->success) ack.match_index = std::max(ack.match_index, response->match_index);
}

std::optional<std::chrono::milliseconds> PeerAcks::since_leader_contact(Time now) const {
  if (!last_leader_contact_) return std::nullopt;
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(now - *last_leader_contact_));
}

PeerAcks::View PeerAcks::view(NodeId peer, Time now) const {
  View out;
  auto it = acks_.find(peer);
  const Time since = it != acks_.end() ? it->second.at : leader_since_;
  out.acked = it != acks_.end();
  out.silent_for = std::max(std::chrono::milliseconds(0),
                            std::chrono::duration_cast<std::chrono::milliseconds>(now - since));
  out.match_index = it != acks_.end() ? it->second.match_index : 0;
  return out;
}

FollowerRow follower_row(const PeerAcks::View& view, LogIndex leader_last_index,
                         std::chrono::milliseconds election_timeout, bool connected) {
  FollowerRow row;
  const bool recent = view.silent_for < election_timeout;
  std::string lag;
  if (view.acked && view.match_index < leader_last_index) {
    const LogIndex behind = leader_last_index - view.match_index;
    lag = fmt::format(" {} {} behind.", behind, behind == 1 ? "entry" : "entries");
  }
  if (recent && view.acked) {
    row.online = true;
    row.comment = "Responding to heartbeats." + lag;
  } else if (recent) {
    // Just elected: no verdict yet, but without a connection it cannot be counted as a follower.
    row.online = connected;
    row.comment = connected ? "Waiting for a first acknowledgement." : "Connecting.";
  } else {
    row.online = false;
    row.comment = fmt::format("Not responding for {} ms.{}{}", view.silent_for.count(),
                              connected ? "" : " No connection.", lag);
  }
  return row;
}

}  // namespace quorum::quorumd
