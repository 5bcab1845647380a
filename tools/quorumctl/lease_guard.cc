#include "tools/quorumctl/lease_guard.h"

#include <algorithm>

namespace quorum::quorumctl {

namespace {

std::string refusal_text(const MayActAnswer& answer) {
  std::string text = "this controller may not act on cluster " +
                     (answer.cluster_id.empty() ? std::string("?") : answer.cluster_id);
  if (!answer.cluster_name.empty()) text += " (" + answer.cluster_name + ")";
  text += ": " + (answer.reason.empty() ? std::string("no reason given") : answer.reason);
  if (!answer.detail.empty()) text += ": " + answer.detail;
  return text;
}

}  // namespace

std::string permit_change(const MayActAnswer& permit, const MayActAnswer& answer) {
  auto change = [](const std::string& what, const std::string& from, const std::string& to) {
    return what + " " + from + " -> " + to;
  };
  if (answer.cluster_id != permit.cluster_id) return change("cluster", permit.cluster_id, answer.cluster_id);
  if (answer.controller != permit.controller) return change("controller", permit.controller, answer.controller);
  if (answer.epoch != permit.epoch) {
    return change("epoch", std::to_string(permit.epoch), std::to_string(answer.epoch));
  }
  return "";
}

std::int64_t answer_deadline_ms(std::int64_t sent_ms, const MayActAnswer& answer, GuardTiming timing) {
  const std::int64_t left_ms = timing.hold_ms > 0 ? std::min(answer.lease_left_ms, timing.hold_ms) : answer.lease_left_ms;
  return sent_ms + left_ms;
}

StartDecision decide_start(const MayActPoll& first, GuardTiming timing, std::int64_t now_ms) {
  StartDecision decision;
  if (!first.answer) {
    decision.kind = StartDecision::Kind::kNoAnswer;
    decision.message = "COMMAND not started: no answer from the controller: " + first.error;
    return decision;
  }
  const MayActAnswer& answer = *first.answer;
  if (!answer.may_act) {
    decision.kind = StartDecision::Kind::kRefused;
    decision.message = "COMMAND not started: " + refusal_text(answer);
    return decision;
  }
  // Starting is pointless (and SIGTERM would be due at once) unless the permission outlasts
  // the grace period and the margin.
  const std::int64_t deadline_ms = answer_deadline_ms(first.sent_ms, answer, timing);
  const std::int64_t terminate_at_ms = deadline_ms - timing.margin_ms - timing.grace_ms;
  if (terminate_at_ms <= now_ms) {
    decision.kind = StartDecision::Kind::kRefused;
    decision.message = "COMMAND not started: lease_too_short: the lease has " +
                       std::to_string(deadline_ms - now_ms) + " ms left" +
                       (deadline_ms < first.sent_ms + answer.lease_left_ms ? " (within --hold-ms)" : "") +
                       ", not more than --grace-ms " + std::to_string(timing.grace_ms) + " + --margin-ms " +
                       std::to_string(timing.margin_ms);
    return decision;
  }
  decision.kind = StartDecision::Kind::kRun;
  return decision;
}

LeaseGuard::LeaseGuard(const MayActPoll& first, GuardTiming timing)
    : timing_(timing), permit_(first.answer.value_or(MayActAnswer{})) {
  deadline_ms_ = answer_deadline_ms(first.sent_ms, permit_, timing_);
  last_answer_sent_ms_ = first.sent_ms;
  term_seen_ = permit_.term;
  schedule_from_deadline();
}

void LeaseGuard::schedule_from_deadline() {
  kill_at_ms_ = deadline_ms_ - timing_.margin_ms;
  terminate_at_ms_ = kill_at_ms_ - timing_.grace_ms;
}

void LeaseGuard::revoke_now(const std::string& why, std::int64_t now_ms) {
  if (!frozen_) {
    frozen_ = true;
    why_ = why;
  }
  terminate_at_ms_ = std::min(terminate_at_ms_, now_ms);
  kill_at_ms_ = std::min(kill_at_ms_, now_ms + timing_.grace_ms);
}

void LeaseGuard::observe(const MayActPoll& poll, std::int64_t now_ms) {
  if (!poll.answer) {
    last_error_ = poll.error;
    return;
  }
  last_error_.clear();
  // Answers are applied in the order sent; an older one can only say less.
  if (frozen_ || poll.sent_ms < last_answer_sent_ms_) return;
  last_answer_sent_ms_ = poll.sent_ms;
  const MayActAnswer& answer = *poll.answer;
  if (!answer.may_act) {
    revoked_ = lease_lost_ = true;
    revoke_now("the controller answered no: " + refusal_text(answer), now_ms);
    return;
  }
  if (std::string change = permit_change(permit_, answer); !change.empty()) {
    revoked_ = lease_lost_ = true;
    revoke_now("the permission changed (" + change + "): actions under the old one would be fenced", now_ms);
    return;
  }
  // The newest answer's statement replaces the older one, even when it says less: nothing is
  // trusted past what the node said most recently.
  deadline_ms_ = answer_deadline_ms(poll.sent_ms, answer, timing_);
  term_seen_ = answer.term;
  schedule_from_deadline();
}

void LeaseGuard::stop(const std::string& why, std::int64_t now_ms) { revoke_now(why, now_ms); }

GuardAction LeaseGuard::due(std::int64_t now_ms) {
  if (!term_sent_ && now_ms >= terminate_at_ms_) {
    term_sent_ = true;
    if (!frozen_) {
      // The deadline came close with no fresh answer: it stands, nothing extends it any more.
      frozen_ = lease_lost_ = true;
      why_ = "the lease can no longer be trusted: no fresh answer for " +
             std::to_string(now_ms - last_answer_sent_ms_) + " ms" +
             (last_error_.empty() ? std::string() : " (" + last_error_ + ")") + ", and it ends in " +
             std::to_string(deadline_ms_ - now_ms) + " ms";
    }
    return GuardAction::kTerminate;
  }
  if (term_sent_ && !kill_sent_ && now_ms >= kill_at_ms_) {
    kill_sent_ = true;
    return GuardAction::kKill;
  }
  return GuardAction::kNone;
}

std::int64_t LeaseGuard::wake_at_ms() const {
  if (!term_sent_) return terminate_at_ms_;
  if (!kill_sent_) return kill_at_ms_;
  return kNeverMs;
}

}  // namespace quorum::quorumctl
