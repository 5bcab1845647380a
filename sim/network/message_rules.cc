#include "sim/network/message_rules.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/core/base/assert.h"

namespace quorum::sim {

MessageClass classify(const raft::Message& message) {
  struct Classifier {
    MessageClass operator()(const raft::VoteRequest& r) const {
      return r.pre_vote ? MessageClass::kPreVote : MessageClass::kVote;
    }
    MessageClass operator()(const raft::VoteResponse& r) const {
      return r.pre_vote ? MessageClass::kPreVoteResponse : MessageClass::kVoteResponse;
    }
    MessageClass operator()(const raft::AppendRequest& r) const {
      return r.entries.empty() ? MessageClass::kHeartbeat : MessageClass::kAppend;
    }
    MessageClass operator()(const raft::AppendResponse&) const {
      return MessageClass::kAppendResponse;
    }
    MessageClass operator()(const raft::SnapshotRequest&) const { return MessageClass::kSnapshot; }
    MessageClass operator()(const raft::TimeoutNow&) const { return MessageClass::kTimeoutNow; }
  };
  return std::visit(Classifier{}, message.body);
}

std::string_view message_class_name(MessageClass c) {
  switch (c) {
    case MessageClass::kPreVote: return "pre-vote";
    case MessageClass::kVote: return "vote";
    case MessageClass::kPreVoteResponse: return "pre-vote-response";
    case MessageClass::kVoteResponse: return "vote-response";
    case MessageClass::kAppend: return "append";
    case MessageClass::kHeartbeat: return "heartbeat";
    case MessageClass::kAppendResponse: return "append-response";
    case MessageClass::kSnapshot: return "snapshot";
    case MessageClass::kTimeoutNow: return "timeout-now";
    case MessageClass::kCount: break;
  }
  QUORUM_UNREACHABLE();
}

std::string_view entry_filter_name(EntryFilter f) {
  switch (f) {
    case EntryFilter::kAny: return "any";
    case EntryFilter::kWithEntries: return "with-entries";
    case EntryFilter::kCurrentTerm: return "current-term-entry";
    case EntryFilter::kOnlyOlderTerms: return "only-older-term-entries";
  }
  QUORUM_UNREACHABLE();
}

std::string_view rule_action_name(RuleAction a) {
  switch (a) {
    case RuleAction::kDrop: return "drop";
    case RuleAction::kDelay: return "delay";
    case RuleAction::kStrip: return "strip";
  }
  QUORUM_UNREACHABLE();
}

namespace {

std::string describe_mask(std::uint32_t mask) {
  if (mask == 0) return "*";
  std::string out;
  for (NodeId n = 1; n < 32; ++n) {
    if ((mask >> n) & 1U) out += fmt::format("{}n{}", out.empty() ? "" : ",", n);
  }
  return out;
}

// Position of the first entry the filter selects, or entries.size() if none.
std::size_t first_selected(const raft::AppendRequest& r, Term term, EntryFilter f) {
  if (f != EntryFilter::kCurrentTerm) return 0;
  for (std::size_t k = 0; k < r.entries.size(); ++k) {
    if (r.entries[k].term == term) return k;
  }
  return r.entries.size();
}

bool entries_match(const raft::Message& m, EntryFilter f) {
  if (f == EntryFilter::kAny) return true;
  const auto* r = std::get_if<raft::AppendRequest>(&m.body);
  if (r == nullptr || r->entries.empty()) return false;
  switch (f) {
    case EntryFilter::kAny:
    case EntryFilter::kWithEntries: return true;
    case EntryFilter::kCurrentTerm: return first_selected(*r, m.term, f) < r->entries.size();
    case EntryFilter::kOnlyOlderTerms: return first_selected(*r, m.term, EntryFilter::kCurrentTerm) == r->entries.size();
  }
  QUORUM_UNREACHABLE();
}

bool matches(const MessageRule& rule, NodeId from, const raft::Message& m, MessageClass c) {
  if (rule.from_mask != 0 && ((rule.from_mask >> from) & 1U) == 0) return false;
  if (rule.to_mask != 0 && ((rule.to_mask >> m.to) & 1U) == 0) return false;
  if (rule.class_mask != 0 && ((rule.class_mask >> static_cast<unsigned>(c)) & 1U) == 0) {
    return false;
  }
  if (rule.action == RuleAction::kStrip && c != MessageClass::kAppend) return false;
  return entries_match(m, rule.entries);
}

}  // namespace

std::string describe_rule(const MessageRule& rule) {
  std::string classes;
  for (std::size_t k = 0; k < static_cast<std::size_t>(MessageClass::kCount); ++k) {
    if ((rule.class_mask >> k) & 1U) {
      classes += fmt::format("{}{}", classes.empty() ? "" : ",",
                             message_class_name(static_cast<MessageClass>(k)));
    }
  }
  std::string action(rule_action_name(rule.action));
  if (rule.action == RuleAction::kDelay) action += fmt::format(" {}ms", rule.delay_us / 1000);
  return fmt::format("rule #{} '{}': {} {} -> {} [{}] entries={}{}", rule.id, rule.label, action,
                     describe_mask(rule.from_mask), describe_mask(rule.to_mask),
                     classes.empty() ? "*" : classes, entry_filter_name(rule.entries),
                     rule.limit != 0 ? fmt::format(" limit={}", rule.limit) : std::string());
}

std::uint32_t MessageRules::add(MessageRule rule) {
  rule.id = next_id_++;
  rule.matched = 0;
  rules_.push_back(std::move(rule));
  return rules_.back().id;
}

std::size_t MessageRules::remove(std::string_view label) {
  std::size_t removed = 0;
  for (auto it = rules_.begin(); it != rules_.end();) {
    if (label.empty() || it->label == label) {
      retired_.push_back(std::move(*it));
      it = rules_.erase(it);
      ++removed;
    } else {
      ++it;
    }
  }
  return removed;
}

RuleVerdict MessageRules::apply(NodeId from, const raft::Message& message,
                                raft::Message& stripped) {
  RuleVerdict v;
  const MessageClass c = classify(message);
  for (std::size_t k = 0; k < rules_.size(); ++k) {
    MessageRule& rule = rules_[k];
    if (!matches(rule, from, message, c)) continue;
    ++rule.matched;
    v.rule_id = rule.id;
    v.action = rule.action;
    v.delay_us = rule.action == RuleAction::kDelay ? rule.delay_us : 0;
    if (rule.action == RuleAction::kStrip) {
      stripped = message;
      auto& r = std::get<raft::AppendRequest>(stripped.body);
      const std::size_t keep = first_selected(r, message.term, rule.entries);
      v.entries_stripped = r.entries.size() - keep;
      r.entries.resize(keep);
    }
    if (rule.limit != 0 && rule.matched >= rule.limit) {
      retired_.push_back(std::move(rule));
      rules_.erase(rules_.begin() + static_cast<std::ptrdiff_t>(k));
    }
    return v;
  }
  return v;
}

std::string MessageRules::describe_verdict(const RuleVerdict& v, NodeId from,
                                           const raft::Message& m) {
  std::string what;
  switch (v.action) {
    case RuleAction::kDrop: what = "dropped"; break;
    case RuleAction::kDelay: what = fmt::format("delayed {} ms", v.delay_us / 1000); break;
    case RuleAction::kStrip: {
      const auto& r = std::get<raft::AppendRequest>(m.body);
      what = fmt::format("stripped of {} of its {} entries (indexes {}..{})", v.entries_stripped,
                         r.entries.size(), r.entries.back().index + 1 - v.entries_stripped,
                         r.entries.back().index);
      break;
    }
  }
  return fmt::format("{} n{} -> n{} t{} {} by rule #{}", raft::message_kind_name(m), from, m.to,
                     m.term, what, v.rule_id);
}

}  // namespace quorum::sim
