// Message rules: scripted, per-message control of the simulated network (scenario steps RULE and
// UNRULE, sim/scenario/scenario.proto). A rule matches messages by sender, receiver, message
// class and a predicate over the entries an append carries, and then drops the message, delays
// it, or strips entries from it. Rules are how a scenario expresses schedules that link faults
// cannot, such as Raft's Figure 8 ("the new leader's old-term entry reaches S3, its no-op does
// not"), without naming terms or indexes.
//
// Rules apply when a message is sent (the World asks before it plans the packet's delivery), so
// a rule added while a message is in flight does not touch it. The first installed rule that
// matches decides; a rule with `limit` stops matching after that many messages. Every message a
// rule touched appears in the trace (kind "drop", with the rule id and its effect).
//
// Cost: the World checks empty() first, so a run without rules pays one branch per message.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/base/types.h"
#include "engine/core/raft/message.h"

namespace quorum::sim {

// What a message is, as far as rules are concerned. An append that carries no entries is a
// heartbeat (Figure 2); one that carries entries is an append.
enum class MessageClass : std::uint8_t {
  kPreVote, kVote, kPreVoteResponse, kVoteResponse, kAppend, kHeartbeat, kAppendResponse,
  kSnapshot, kTimeoutNow, kCount,
};
MessageClass classify(const raft::Message& message);
std::string_view message_class_name(MessageClass c);

// A condition on the entries of an append (other messages carry none).
enum class EntryFilter : std::uint8_t {
  kAny,            // no condition
  kWithEntries,    // carries at least one entry
  kCurrentTerm,    // carries an entry of the sender's current term (the message's term)
  kOnlyOlderTerms, // carries entries, none of the sender's current term
};
std::string_view entry_filter_name(EntryFilter f);

enum class RuleAction : std::uint8_t {
  kDrop,   // the message is lost
  kDelay,  // the message arrives delay_us later than the link would deliver it
  // Appends only: the entries from the first one the filter selects onwards are removed, and the
  // rest is delivered (an append stripped of all its entries is a heartbeat with the same prev).
  // Selected: current-term entries for kCurrentTerm, every entry otherwise. This is what the
  // follower would see had the leader sent the selected entries in a later message that was lost.
  kStrip,
};
std::string_view rule_action_name(RuleAction a);

struct MessageRule {
  std::uint32_t id = 0;         // assigned by MessageRules::add (1, 2, ...)
  std::string label;            // for UNRULE and the trace
  std::uint32_t from_mask = 0;  // bit n set: sender n matches; 0: any sender
  std::uint32_t to_mask = 0;    // bit n set: receiver n matches; 0: any receiver
  std::uint32_t class_mask = 0; // bit MessageClass set; 0: every class
  EntryFilter entries = EntryFilter::kAny;
  RuleAction action = RuleAction::kDrop;
  std::uint64_t delay_us = 0;   // kDelay
  std::uint64_t limit = 0;      // 0: unlimited; otherwise the rule stops after `limit` messages
  std::uint64_t matched = 0;    // messages this rule touched so far
};
std::string describe_rule(const MessageRule& rule);

// The effect of the rules on one message.
struct RuleVerdict {
  std::uint32_t rule_id = 0;  // 0: no rule matched, send as is
  RuleAction action = RuleAction::kDrop;
  std::uint64_t delay_us = 0;
  std::size_t entries_stripped = 0;
};

class MessageRules {
 public:
  bool empty() const { return rules_.empty(); }
  // Installs `rule` after the existing ones and returns its id.
  std::uint32_t add(MessageRule rule);
  // Removes the rules with this label (empty label: every rule); returns how many.
  std::size_t remove(std::string_view label);
  void clear() { rules_.clear(); }
  const std::vector<MessageRule>& rules() const { return rules_; }
  // Rules that were removed, with their final match counts (for reports and tests).
  const std::vector<MessageRule>& retired() const { return retired_; }
  // Decides what happens to `message` from `from`. On kStrip, `stripped` receives the edited
  // copy to send instead.
  RuleVerdict apply(NodeId from, const raft::Message& message, raft::Message& stripped);
  // The trace line for a message a rule touched.
  static std::string describe_verdict(const RuleVerdict& verdict, NodeId from,
                                      const raft::Message& message);

 private:
  std::vector<MessageRule> rules_;
  std::vector<MessageRule> retired_;
  std::uint32_t next_id_ = 1;
};

}  // namespace quorum::sim
