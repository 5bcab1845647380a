// The timing rule of `quorumctl run` (docs/operations.md, "Guarding a recovery script"): when
// the guarded COMMAND gets SIGTERM and SIGKILL, as a pure function of the local controller's
// answers and of readings of this host's monotonic clock, given as milliseconds. No clock, no
// process, no I/O here, so every case is a table test with a fake clock.
//
// The rule, with D the lease deadline, g the grace period (--grace-ms) and m the margin
// (--margin-ms), all on this host's monotonic clock:
//
//   D = s + min(leaseLeftMs, X) of the newest "yes" with the permit of the first one, where s
//       is the clock reading just BEFORE that question was sent and X the hold the question
//       asked for (GuardTiming::hold_ms; no X without a hold). The node computed leaseLeftMs
//       when it answered, at some time a >= s, so s + leaseLeftMs <= its own end of permission:
//       an answer that arrives late extends nothing past what the node said. And s + X <= a + X,
//       where the node's hold on the cluster ends at the earliest (engine/host/guard_holds.h):
//       COMMAND is dead before the node may acknowledge a hand-over of the cluster.
//   The permit is (cluster, controller, epoch). The term is not part of it: fencing is by
//   epoch, which changes at every change of owner and at every re-grant after a lapsed
//   session; a yes with the same epoch in a later term is the same permission, renewed by the
//   new leader (docs/ownership.md, "The guard around a script").
//   SIGKILL at   k = D - m            (m covers signal delivery and our own wake-up latency:
//                                      the process group is dead by D)
//   SIGTERM at   t = k - g = D - g - m
//   On a "no", or a "yes" with another epoch, controller or cluster, at time n:
//                t = n,  k = min(D - m, n + g), and D is frozen (nothing extends it again).
//
// Once SIGTERM is due nothing undoes it: a later "yes" does not resurrect the permission.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace quorum::quorumctl {

// One 200 answer of GET /v1/ownership/may-act?cluster=C (answered by that node, never
// redirected).
struct MayActAnswer {
  bool may_act = false;
  std::string cluster_id;
  std::string cluster_name;
  std::string controller;
  std::uint64_t epoch = 0;
  std::uint64_t term = 0;
  std::int64_t lease_left_ms = 0;
  std::string reason;  // snake_case, when !may_act
  std::string detail;  // one sentence, when !may_act
  // How long the node keeps this guard's hold (asked with holder and hold_ms); nullopt: no hold
  // recorded (a question without one, or a quorumd that does not keep holds).
  std::optional<std::int64_t> hold_left_ms;
};

// The outcome of one question.
struct MayActPoll {
  std::int64_t sent_ms = 0;            // monotonic clock reading just before the request went out
  std::optional<MayActAnswer> answer;  // nullopt: no usable answer (see error)
  std::string error;                   // why there is no answer
};

struct GuardTiming {
  std::int64_t grace_ms = 1000;  // SIGTERM -> SIGKILL
  std::int64_t margin_ms = 100;  // SIGKILL goes out this long before the deadline
  // X, the hold each question asks the node to keep (--hold-ms); 0: no hold, D = s + leaseLeftMs.
  std::int64_t hold_ms = 0;
};

inline constexpr std::int64_t kNeverMs = std::numeric_limits<std::int64_t>::max();

// Whether COMMAND may start, from the first question's outcome at clock reading now_ms.
struct StartDecision {
  enum class Kind : std::uint8_t {
    kRun,       // start it: the permission lasts past now + grace + margin
    kRefused,   // the controller said no, or the permission ends too soon to start
    kNoAnswer,  // no usable answer
  };
  Kind kind = Kind::kNoAnswer;
  std::string message;  // one line for stderr when not kRun
};
StartDecision decide_start(const MayActPoll& first, GuardTiming timing, std::int64_t now_ms);

enum class GuardAction : std::uint8_t { kNone, kTerminate, kKill };

class LeaseGuard {
 public:
  // `first` must have been decided kRun.
  LeaseGuard(const MayActPoll& first, GuardTiming timing);

  // Applies the outcome of one question, in the order they were sent; now_ms is when it is
  // applied (>= poll.sent_ms). A failed question changes nothing: the deadline stands.
  void observe(const MayActPoll& poll, std::int64_t now_ms);
  // Stops COMMAND for a reason outside the lease (the guard itself got a signal, COMMAND exited
  // and left processes behind): SIGTERM now, SIGKILL after the grace period or at D - m.
  void stop(const std::string& why, std::int64_t now_ms);

  // The action due at now_ms, each returned once: kTerminate, later kKill.
  GuardAction due(std::int64_t now_ms);
  // When due() next returns something other than kNone (kNeverMs after the kill).
  std::int64_t wake_at_ms() const;

  bool revoked() const { return revoked_; }  // the lease itself was withdrawn or changed
  // SIGTERM is (or was) due because of the lease: revoked, or its deadline came close.
  bool lease_lost() const { return lease_lost_; }
  bool terminated() const { return term_sent_; }
  bool killed() const { return kill_sent_; }
  std::int64_t deadline_ms() const { return deadline_ms_; }
  std::int64_t terminate_at_ms() const { return terminate_at_ms_; }
  std::int64_t kill_at_ms() const { return kill_at_ms_; }
  const MayActAnswer& permit() const { return permit_; }
  // The term of the newest matching yes (the permit's own at first): a new term with the same
  // epoch extends D like any renewal.
  std::uint64_t term_seen() const { return term_seen_; }
  // Why SIGTERM went out (or is scheduled): one line for stderr.
  const std::string& why() const { return why_; }
  // The newest failed question's error, "" if the newest one succeeded.
  const std::string& last_error() const { return last_error_; }
  std::int64_t last_answer_sent_ms() const { return last_answer_sent_ms_; }

 private:
  void schedule_from_deadline();
  void revoke_now(const std::string& why, std::int64_t now_ms);

  GuardTiming timing_;
  MayActAnswer permit_;
  std::int64_t deadline_ms_ = 0;
  std::int64_t terminate_at_ms_ = 0;
  std::int64_t kill_at_ms_ = 0;
  std::int64_t last_answer_sent_ms_ = 0;
  std::uint64_t term_seen_ = 0;
  bool frozen_ = false;   // the deadline no longer moves
  bool revoked_ = false;  // a "no" or a changed permit
  bool lease_lost_ = false;
  bool term_sent_ = false;
  bool kill_sent_ = false;
  std::string why_;
  std::string last_error_;
};

// "epoch 17 -> 23", "controller ctl1 -> ctl2", ... or "" when `answer` carries the same permit
// (cluster, controller, epoch): a changed term alone is not a change of permit.
// The deadline an answer given to a question sent at `sent_ms` supports: sent_ms + min(lease
// left, hold) (lease_left_ms alone without a hold).
std::int64_t answer_deadline_ms(std::int64_t sent_ms, const MayActAnswer& answer, GuardTiming timing);
std::string permit_change(const MayActAnswer& permit, const MayActAnswer& answer);

}  // namespace quorum::quorumctl
