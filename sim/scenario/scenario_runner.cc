#include "sim/scenario/scenario_runner.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "sim/ownership_access.h"
#include "sim/scenario/scenario.pb.h"

namespace quorum::sim {

namespace {

namespace pb = quorum::sim::scenario;

RunConfig config_of(const pb::Scenario& sc, std::uint64_t seed_override, Mutation mutation) {
  RunConfig c;
  c.seed = seed_override != 0 ? seed_override : (sc.seed() != 0 ? sc.seed() : 1);
  c.node_count = sc.nodes() != 0 ? sc.nodes() : 3;
  c.profile = sc.profile() == "wan" ? Profile::kWan : Profile::kLan;
  c.duration_us = (sc.duration_ms() != 0 ? sc.duration_ms() : 60'000) * 1000;
  c.quiet_us = (sc.quiet_ms() != 0 ? sc.quiet_ms() : 15'000) * 1000;
  c.tick_interval_ms = 10;
  c.election_timeout_ticks = sc.election_timeout_ticks() != 0 ? sc.election_timeout_ticks() : 100;
  c.heartbeat_interval_ticks = sc.heartbeat_interval_ticks() != 0 ? sc.heartbeat_interval_ticks() : 10;
  c.workload = !sc.no_workload();
  c.ops_per_second = sc.ops_per_second() != 0 ? sc.ops_per_second() : 50;
  c.message_bytes_max = sc.message_bytes_max();
  c.inflight_messages_max = sc.inflight_messages_max();
  c.faults = false;  // the script is the only nemesis
  c.mutation = mutation;
  c.pool = sc.pool();
  c.galera = sc.galera();
  c.judge_disruptions = sc.judge_disruptions();
  if (c.pool) {
    PoolOptions pool;
    pool.clusters = sc.clusters() != 0 ? sc.clusters() : 12;
    pool.controllers = sc.controllers();
    pool.standbys = sc.standbys();
    pool.event_mean_gap_us = 0;
    c.pool_options = pool;
    if (sc.lease_drift_ppm() != 0) c.lease_drift_ppm_max = sc.lease_drift_ppm();
    c.clock_drift_ppm.assign(sc.clock_drift_ppm().begin(), sc.clock_drift_ppm().end());
  }
  return c;
}

// What a labelled MARK recorded: expectations name entries and terms relative to it.
struct Mark {
  NodeId node = kNoNode;
  Term term = 0;
  LogIndex last_index = 0;
  std::uint64_t acked_writes = 0;  // client writes acknowledged so far (no_acked_writes_since)
};

MessageClass message_class_of(pb::MessageKind kind) {
  switch (kind) {
    case pb::PRE_VOTE: return MessageClass::kPreVote;
    case pb::VOTE: return MessageClass::kVote;
    case pb::PRE_VOTE_RESPONSE: return MessageClass::kPreVoteResponse;
    case pb::VOTE_RESPONSE: return MessageClass::kVoteResponse;
    case pb::APPEND: return MessageClass::kAppend;
    case pb::HEARTBEAT: return MessageClass::kHeartbeat;
    case pb::APPEND_RESPONSE: return MessageClass::kAppendResponse;
    case pb::SNAPSHOT: return MessageClass::kSnapshot;
    case pb::TIMEOUT_NOW: return MessageClass::kTimeoutNow;
    default: return MessageClass::kCount;
  }
}

struct Runner {
  World& world;
  ScenarioResult& result;
  NodeId marked = kNoNode;
  Term marked_term = 0;
  std::map<std::string, Mark> marks{};
  std::uint64_t step_ms = 0;  // the current step's time (for messages)
  std::string note{};         // detail appended to the step's log line

  void fail(const pb::Step&, std::size_t i, const std::string& what) {
    result.failed_expectations.push_back(fmt::format("step {} (t={} ms): {}", i, step_ms, what));
  }

  const Mark* mark_of(const std::string& label, std::vector<std::string>& problems) const {
    const auto it = marks.find(label);
    if (it == marks.end()) {
      problems.push_back(fmt::format("no MARK labelled '{}'", label));
      return nullptr;
    }
    return &it->second;
  }

  void record_mark(const pb::Step& step, std::size_t i, NodeId node) {
    if (step.label().empty() || node == kNoNode) return;
    if (!world.node_up(node)) {
      fail(step, i, fmt::format("MARK '{}': n{} is down", step.label(), node));
      return;
    }
    marks[step.label()] = Mark{node, world.host(node)->node().term(),
                               world.logs().last_index(node), world.acked_writes()};
  }

  NodeId follower() const {
    const NodeId leader = world.current_leader();
    for (NodeId n = 1; n <= world.node_count(); ++n) {
      if (n != leader && world.node_up(n)) return n;
    }
    return kNoNode;
  }

  NodeId target(const pb::Step& step, std::size_t i) {
    if (step.follower()) return follower();
    if (!step.leader()) return step.node();
    const NodeId leader = world.current_leader();
    if (leader == kNoNode) {
      fail(step, i, "no leader to target");
      return kNoNode;
    }
    marked = leader;
    marked_term = world.host(leader)->node().term();
    return leader;
  }

  void evaluate_pool(const pb::Expect& e, NodeId leader, std::vector<std::string>& problems) const {
    if (leader == kNoNode) {
      problems.push_back("pool: no leader");
      return;
    }
    const ownership::StateMachine& state = pool_state(*world.host(leader));
    std::size_t owned = 0;
    std::size_t marked_owned = 0;
    std::size_t unsettled = 0;
    std::string first;
    for (const auto& [id, c] : state.clusters()) {
      if (c.owner == e.owner_node()) ++owned;
      if (marked != kNoNode && (c.owner == marked || c.handover_to == marked)) ++marked_owned;
      if (!e.pool_settled()) continue;
      const ownership::MayAct m = c.owner == kNoNode || !world.node_up(c.owner)
                                      ? ownership::MayAct{}
                                      : pool_may_act(*world.host(c.owner), id);
      if (m.ok()) continue;
      if (unsettled++ == 0) {
        first = fmt::format("cluster {} (owner n{}: {})", id, c.owner,
                            ownership::may_act_reason_name(m.reason));
      }
    }
    if (e.pool_settled() && (unsettled > 0 || state.clusters().empty())) {
      problems.push_back(fmt::format("pool: {} of {} clusters without an acting live owner, first {}",
                                     unsettled, state.clusters().size(), first));
    }
    if (e.marked_owns_none() && marked_owned > 0) {
      problems.push_back(fmt::format("pool: the marked node n{} owns (or receives) {} clusters, "
                                     "expected none", marked, marked_owned));
    }
    if (e.owner_node() != 0 && (owned < e.owned_min() || owned > e.owned_max())) {
      problems.push_back(fmt::format("pool: n{} owns {} clusters, expected {}..{}", e.owner_node(),
                                     owned, e.owned_min(), e.owned_max()));
    }
    const auto check_role = [&](std::uint32_t n, ownership::ControllerRole role) {
      const ownership::Controller* c = state.find_controller(n);
      if (c == nullptr || c->role != role) {
        problems.push_back(fmt::format("pool: expected n{} {}, it is {}", n,
                                       ownership::role_name(role),
                                       c == nullptr ? std::string_view("not registered")
                                                    : ownership::role_name(c->role)));
      }
    };
    for (const std::uint32_t n : e.pool_standby()) check_role(n, ownership::ControllerRole::kStandby);
    for (const std::uint32_t n : e.pool_active_role()) {
      check_role(n, ownership::ControllerRole::kActive);
    }
  }

  bool wants_pool(const pb::Expect& e) const {
    return e.pool_settled() || e.owner_node() != 0 || e.marked_owns_none() ||
           e.pool_standby_size() > 0 || e.pool_active_role_size() > 0;
  }

  // The pool operator's side: what the leader's rules answered it.
  void evaluate_operator(const pb::Expect& e, std::vector<std::string>& problems) const {
    if (e.pool_refusal_contains().empty() && !e.pool_idle()) return;
    const PoolWorkload* pool = world.pool();
    if (pool == nullptr) {
      problems.push_back("pool expectations in a scenario without `pool`");
      return;
    }
    if (e.pool_idle() && !pool->idle()) problems.push_back("pool: the operator is still busy");
    if (!e.pool_refusal_contains().empty() &&
        pool->last_refusal().find(e.pool_refusal_contains()) == std::string::npos) {
      problems.push_back(fmt::format("pool: expected a refusal containing '{}', the newest is '{}'",
                                     e.pool_refusal_contains(), pool->last_refusal()));
    }
  }

  void pool_command(const pb::Step& step, std::size_t i, NodeId node) {
    if (world.pool() == nullptr) {
      fail(step, i, "a pool step in a scenario without `pool`");
      return;
    }
    if (node == kNoNode) return;
    switch (step.action()) {
      case pb::DRAIN: world.pool()->submit(ownership::Drain{node}); break;
      case pb::UNDRAIN: world.pool()->submit(ownership::Activate{node}); break;
      case pb::PROMOTE: world.pool()->submit(ownership::Promote{node, step.force()}); break;
      default: {
        ownership::RegisterController r;
        r.id = node;
        r.name = fmt::format("ctl{}", node);
        r.address = fmt::format("n{}", node);
        world.pool()->submit(std::move(r));
      }
    }
    note = fmt::format("n{}", node);
  }

  void galera_command(const pb::Step& step, std::size_t i) {
    if (world.galera() == nullptr) {
      fail(step, i, "a GALERA step in a scenario without `galera`");
      return;
    }
    const auto each = [&](auto fn) {
      for (NodeId k = 1; k <= world.node_count(); ++k) fn(k);
    };
    switch (step.action()) {
      case pb::GALERA_SPLIT: {
        std::vector<NodeId> side(step.side().begin(), step.side().end());
        if (step.leader()) {
          const NodeId t = target(step, i);
          if (t == kNoNode) return;
          if (std::find(side.begin(), side.end(), t) == side.end()) side.push_back(t);
        }
        world.galera_split(side);
        note = fmt::format("galera side {{{}}}", fmt::join(side, ","));
        return;
      }
      case pb::GALERA_HEAL: world.galera_heal(); return;
      case pb::GALERA_KILL_ALL: each([&](NodeId k) { world.galera_kill(k); }); return;
      case pb::GALERA_START_ALL: each([&](NodeId k) { world.galera_start(k); }); return;
      default: break;
    }
    const NodeId t = target(step, i);
    if (t == kNoNode) return;
    if (step.action() == pb::GALERA_ISOLATE) world.galera_isolate(t);
    if (step.action() == pb::GALERA_KILL) world.galera_kill(t);
    if (step.action() == pb::GALERA_START) world.galera_start(t);
    note = fmt::format("galera n{}", t);
  }

  void evaluate_galera(const pb::Expect& e, NodeId leader, int leaders,
                       std::vector<std::string>& problems) const {
    if (e.leader_backend_fit() &&
        (leaders != 1 || !world.host(leader)->node().backend_healthy())) {
      problems.push_back(fmt::format("expected one live leader with a fit backend, found n{} ({} "
                                     "leaders){}", leader, leaders,
                                     leaders == 1 ? " whose backend is unfit" : ""));
    }
    if (e.no_leader() && leaders != 0) {
      problems.push_back(fmt::format("expected no live leader, found {} (n{})", leaders, leader));
    }
    if (e.marked_backend_unfit() &&
        (marked == kNoNode || !world.node_up(marked) ||
         world.host(marked)->node().backend_healthy())) {
      problems.push_back(fmt::format("expected the marked node n{}'s backend unfit", marked));
    }
    for (const std::uint32_t n : e.backend_unfit()) {
      if (n < 1 || n > world.node_count() || !world.node_up(n)) {
        problems.push_back(fmt::format("backend_unfit: n{} is not a live node", n));
      } else if (world.host(n)->node().backend_healthy()) {
        problems.push_back(fmt::format("expected n{}'s backend unfit, its core sees it fit", n));
      }
    }
  }

  // The expectations of `e` that do not hold right now (empty: all hold).
  std::vector<std::string> evaluate(const pb::Expect& e) const {
    std::vector<std::string> problems;
    const NodeId leader = world.current_leader();
    const Term term = leader == kNoNode ? 0 : world.host(leader)->node().term();
    int leaders = 0;
    for (NodeId n = 1; n <= world.node_count(); ++n) {
      if (world.node_up(n) && world.host(n)->node().role() == raft::Role::kLeader) ++leaders;
    }
    if ((e.one_leader() || e.leader_is_marked()) && leaders != 1) {
      problems.push_back(fmt::format("expected exactly one live leader, found {}", leaders));
    }
    if (e.leader_is_marked() && (leader != marked || term != marked_term)) {
      problems.push_back(fmt::format("expected leader n{} in term {}, found n{} in term {}", marked,
                                marked_term, leader, term));
    }
    if (e.leader_not_marked() && (leader == marked || leader == kNoNode)) {
      problems.push_back(fmt::format("expected a leader other than n{}", marked));
    }
    if (e.marked_not_leader() && marked != kNoNode && world.node_up(marked) &&
        world.host(marked)->node().role() == raft::Role::kLeader) {
      problems.push_back(fmt::format("n{} still believes it leads (term {})", marked,
                                world.host(marked)->node().term()));
    }
    if (e.converged() && !world.converged()) problems.push_back("live nodes have not converged");
    if (wants_pool(e)) evaluate_pool(e, leader, problems);
    evaluate_operator(e, problems);
    evaluate_galera(e, leader, leaders, problems);
    if (world.acked_writes() < e.min_acked_writes()) {
      problems.push_back(fmt::format("only {} writes acknowledged, expected >= {}",
                                world.acked_writes(), e.min_acked_writes()));
    }
    if (e.leader_node() != 0 && (leaders != 1 || leader != e.leader_node())) {
      problems.push_back(fmt::format("expected n{} as the only live leader, found n{} ({} leaders)",
                                     e.leader_node(), leader, leaders));
    }
    if (!e.leader_term_above().empty()) {
      if (const Mark* m = mark_of(e.leader_term_above(), problems)) {
        if (leaders != 1 || term <= m->term) {
          problems.push_back(fmt::format("expected one live leader in a term above {} ('{}'), "
                                         "found n{} in term {} ({} leaders)",
                                         m->term, e.leader_term_above(), leader, term, leaders));
        }
      }
    }
    if (!e.no_acked_writes_since().empty()) {
      if (const Mark* m = mark_of(e.no_acked_writes_since(), problems)) {
        if (world.acked_writes() != m->acked_writes) {
          problems.push_back(fmt::format("{} writes acknowledged since MARK '{}', expected none",
                                         world.acked_writes() - m->acked_writes,
                                         e.no_acked_writes_since()));
        }
      }
    }
    if (!e.acked_writes_since().empty()) {
      if (const Mark* m = mark_of(e.acked_writes_since(), problems)) {
        if (world.acked_writes() == m->acked_writes) {
          problems.push_back(fmt::format("no write acknowledged since MARK '{}'",
                                         e.acked_writes_since()));
        }
      }
    }
    for (const pb::EntryExpect& x : e.entries()) check_entry(x, problems);
    return problems;
  }

  void check_entry(const pb::EntryExpect& x, std::vector<std::string>& problems) const {
    const Mark* at = mark_of(x.index_of(), problems);
    const Mark* of = mark_of(x.term_of().empty() ? x.index_of() : x.term_of(), problems);
    if (at == nullptr || of == nullptr) return;
    const LogIndex index = at->last_index + x.offset();
    const Term term = of->term;
    for (const std::uint32_t node : x.nodes()) {
      if (node < 1 || node > world.node_count()) {
        problems.push_back(fmt::format("entries: no node {}", node));
        continue;
      }
      const Term found = world.logs().term_at(node, index);
      const bool holds = found == term;
      if (holds == x.absent()) {
        problems.push_back(fmt::format("expected n{} {} entry ({}, term {}); its term there: {}",
                                       node, x.absent() ? "not to hold" : "to hold", index, term,
                                       found == 0 ? std::string("none") : fmt::format("{}", found)));
      }
      if (!x.committed() && !x.uncommitted()) continue;
      if (!world.node_up(node)) {
        problems.push_back(fmt::format("n{} is down: its commit index is unknown", node));
        continue;
      }
      const LogIndex commit = world.host(node)->node().commit_index();
      if (x.committed() && commit < index) {
        problems.push_back(fmt::format("expected n{} to have committed index {}, its commit index "
                                       "is {}", node, index, commit));
      }
      if (x.uncommitted() && commit >= index) {
        problems.push_back(fmt::format("expected n{} not to have committed index {}, its commit "
                                       "index is {}", node, index, commit));
      }
    }
  }

  void check(const pb::Step& step, std::size_t i) {
    for (const std::string& p : evaluate(step.expect())) fail(step, i, p);
  }

  // Runs the world until `expect` holds, at most duration_ms; returns the time it stopped at.
  std::uint64_t await(const pb::Step& step, std::size_t i, std::uint64_t from_us) {
    const std::uint64_t limit_us = (step.duration_ms() != 0 ? step.duration_ms() : 10'000) * 1000;
    std::uint64_t t = from_us;
    for (;;) {
      std::vector<std::string> problems = evaluate(step.expect());
      if (problems.empty()) return t;
      if (t >= from_us + limit_us || world.findings().any_safety()) {
        for (const std::string& p : problems) {
          fail(step, i, fmt::format("not within {} ms: {}", limit_us / 1000, p));
        }
        return t;
      }
      t += 1000;
      world.run_until(t);
    }
  }

  MessageRule rule_of(const pb::Step& step, std::size_t i) {
    const pb::MessageRule& r = step.rule();
    MessageRule rule;
    rule.label = step.label();
    const auto bit = [&](std::uint32_t node) -> std::uint32_t {
      if (node < 1 || node > world.node_count()) {
        fail(step, i, fmt::format("rule names no node {}", node));
        return 0;
      }
      return std::uint32_t{1} << node;
    };
    for (const std::uint32_t n : r.from()) rule.from_mask |= bit(n);
    for (const std::uint32_t n : r.to()) rule.to_mask |= bit(n);
    if (r.from_leader()) {
      const NodeId leader = world.current_leader();
      if (leader == kNoNode) fail(step, i, "rule from_leader: no leader");
      else rule.from_mask |= bit(leader);
    }
    std::vector<std::string> problems;
    if (!r.from_mark().empty()) {
      if (const Mark* m = mark_of(r.from_mark(), problems)) rule.from_mask |= bit(m->node);
    }
    if (!r.to_mark().empty()) {
      if (const Mark* m = mark_of(r.to_mark(), problems)) rule.to_mask |= bit(m->node);
    }
    for (const std::string& p : problems) fail(step, i, p);
    for (const int k : r.kinds()) {
      const MessageClass c = message_class_of(static_cast<pb::MessageKind>(k));
      if (c == MessageClass::kCount) fail(step, i, "rule: unknown message kind");
      else rule.class_mask |= std::uint32_t{1} << static_cast<unsigned>(c);
    }
    switch (r.entries()) {
      case pb::WITH_ENTRIES: rule.entries = EntryFilter::kWithEntries; break;
      case pb::CURRENT_TERM_ENTRY: rule.entries = EntryFilter::kCurrentTerm; break;
      case pb::ONLY_OLDER_TERM_ENTRIES: rule.entries = EntryFilter::kOnlyOlderTerms; break;
      default: rule.entries = EntryFilter::kAny; break;
    }
    switch (r.action()) {
      case pb::DELAY: rule.action = RuleAction::kDelay; break;
      case pb::STRIP: rule.action = RuleAction::kStrip; break;
      default: rule.action = RuleAction::kDrop; break;
    }
    rule.delay_us = r.delay_ms() * 1000;
    rule.limit = r.limit();
    return rule;
  }


  void execute(const pb::Step& step, std::size_t i) {
    const std::size_t n = world.node_count();
    switch (step.action()) {
      case pb::MARK: {
        const NodeId t = target(step, i);
        // A MARK of a follower or a named node marks it too (the leader's is marked by target):
        // marked_* expectations then refer to it.
        if (!step.leader() && t != kNoNode && world.node_up(t)) {
          marked = t;
          marked_term = world.host(t)->node().term();
        }
        record_mark(step, i, t);
        break;
      }
      case pb::CRASH: {
        const NodeId t = target(step, i);
        if (t != kNoNode) world.crash(t);
        break;
      }
      case pb::RESTART: {
        const NodeId t = step.leader() ? marked : step.node();
        if (t != kNoNode) world.restart(t);
        break;
      }
      case pb::ISOLATE: {
        const NodeId t = target(step, i);
        if (t != kNoNode) world.isolate(t);
        break;
      }
      case pb::SPLIT: {
        std::vector<NodeId> side(step.side().begin(), step.side().end());
        world.split(side);
        break;
      }
      case pb::ONE_WAY: {
        const NodeId t = target(step, i);
        NodeId peer = step.peer();
        if (peer == kNoNode) {
          for (NodeId k = 1; k <= n; ++k) {
            if (k != t && world.node_up(k)) {
              peer = k;
              break;
            }
          }
        }
        if (t != kNoNode && peer != kNoNode) world.one_way(t, peer);
        break;
      }
      case pb::ISOLATE_SITE: world.isolate_site(step.site()); break;
      case pb::HEAL: world.heal_network(); break;
      case pb::PAUSE: {
        const NodeId t = target(step, i);
        if (t != kNoNode) world.pause(t, step.duration_ms() * 1000);
        break;
      }
      case pb::TRANSFER_LEADER: world.transfer_leader(step.peer()); break;
      case pb::CRASH_ALL:
        for (NodeId k = 1; k <= n; ++k) world.crash(k);
        break;
      case pb::RESTART_ALL:
        for (NodeId k = 1; k <= n; ++k) {
          if (!(step.except_marked() && k == marked)) world.restart(k);
        }
        break;
      case pb::SLOW_DISK:
        if (step.follower()) {
          const NodeId leader = world.current_leader();
          for (NodeId k = 1; k <= n; ++k) {
            if (k != leader) world.slow_disk(k, step.duration_ms() * 1000);
          }
        } else {
          world.slow_disk(step.node(), step.duration_ms() * 1000);
        }
        break;
      case pb::CHECK: check(step, i); break;
      case pb::RULE: {
        const MessageRule rule = rule_of(step, i);
        world.add_message_rule(rule);
        note = describe_rule(world.message_rules().rules().back());
        break;
      }
      case pb::UNRULE:
        if (world.remove_message_rules(step.label()) == 0) {
          fail(step, i, fmt::format("UNRULE: no rule labelled '{}'", step.label()));
        }
        break;
      case pb::PROPOSE: {
        const NodeId t = target(step, i);
        if (t == kNoNode || !world.propose(t, config_sync::Put{step.path(), step.content()},
                                           [](const host::ClientReply&) {})) {
          fail(step, i, fmt::format("PROPOSE: n{} is down", t));
        }
        break;
      }
      case pb::AWAIT: break;  // run by the step loop (it advances time)
      case pb::DRAIN:
      case pb::UNDRAIN:
      case pb::REGISTER:
      case pb::PROMOTE: pool_command(step, i, target(step, i)); break;
      case pb::GALERA_ISOLATE:
      case pb::GALERA_SPLIT:
      case pb::GALERA_HEAL:
      case pb::GALERA_KILL:
      case pb::GALERA_START:
      case pb::GALERA_KILL_ALL:
      case pb::GALERA_START_ALL: galera_command(step, i); break;
      default: fail(step, i, "unknown action"); break;
    }
    result.log.push_back(fmt::format("t={:>6} ms  {}{}{}{}", step_ms, pb::Action_Name(step.action()),
                                     step.leader() ? fmt::format(" leader(n{})", marked)
                                     : step.follower() ? std::string(" follower")
                                     : step.node() != 0 ? fmt::format(" n{}", step.node())
                                                        : std::string(),
                                     step.label().empty() ? std::string() : " '" + step.label() + "'",
                                     step.action() == pb::CHECK || step.action() == pb::AWAIT
                                         ? " " + step.expect().ShortDebugString()
                                         : std::string()));
    if (!note.empty()) result.log.push_back("              " + note);
    note.clear();
  }
};

}  // namespace

// The measurements a pool scenario exists for: the gaps (no controller able to act on a
// cluster), longest first, and the settle time after the heal.
static void log_ownership(const OwnershipChecker& own, ScenarioResult& result) {
  std::vector<OwnershipChecker::Gap> gaps = own.gaps();
  std::stable_sort(gaps.begin(), gaps.end(), [](const auto& a, const auto& b) {
    return a.to_us - a.from_us > b.to_us - b.from_us;
  });
  result.log.push_back(fmt::format("ownership: {} gaps, longest {} ms; settled {} ms after the heal "
                                   "(bound {} ms); {} may_act checks",
                                   gaps.size(), own.longest_gap_us() / 1000,
                                   own.settled() ? own.settle_us() / 1000 : 0,
                                   own.settle_us_max() / 1000, own.checks()));
  for (std::size_t k = 0; k < gaps.size() && k < 5; ++k) {
    const auto& g = gaps[k];
    result.log.push_back(fmt::format("  gap {} ms: cluster {} n{} -> n{} ({} .. {} ms)",
                                     (g.to_us - g.from_us) / 1000, g.cluster, g.before, g.after,
                                     g.from_us / 1000, g.to_us / 1000));
  }
  result.log.push_back(fmt::format("ownership-gap-max-us: {}", own.longest_gap_us()));
}

ScenarioResult run_scenario_text(const std::string& text, std::uint64_t seed_override,
                                 Mutation mutation, bool record_trace, std::string* trace_text) {
  ScenarioResult result;
  pb::Scenario sc;
  if (!google::protobuf::TextFormat::ParseFromString(text, &sc)) {
    result.failed_expectations.push_back("cannot parse the scenario (Protobuf text format)");
    return result;
  }
  if (sc.nodes() > Network::kNodesMax) {
    result.failed_expectations.push_back(
        fmt::format("nodes: {} (the simulated network has 1..{})", sc.nodes(), Network::kNodesMax));
    return result;
  }
  // A step that cannot act is refused when the scenario is loaded, not skipped silently: a MARK
  // with a label needs a node to record (node, leader or follower).
  for (int i = 0; i < sc.steps_size(); ++i) {
    const pb::Step& step = sc.steps(i);
    if (step.action() == pb::MARK && !step.label().empty() && step.node() == 0 && !step.leader() &&
        !step.follower()) {
      result.failed_expectations.push_back(fmt::format(
          "step {}: MARK '{}' names no node: set node, leader or follower", i, step.label()));
      return result;
    }
  }
  if (sc.clock_drift_ppm_size() > 0) {
    if (!sc.pool() || sc.lease_drift_ppm() == 0 ||
        sc.clock_drift_ppm_size() != static_cast<int>(sc.nodes() != 0 ? sc.nodes() : 3)) {
      result.failed_expectations.push_back(
          "clock_drift_ppm needs `pool`, lease_drift_ppm and one value per node");
      return result;
    }
    // The core's rho bounds the ratio of any two clock rates: fast / slow <= 1 + rho.
    const auto [slow, fast] =
        std::minmax_element(sc.clock_drift_ppm().begin(), sc.clock_drift_ppm().end());
    constexpr std::int64_t kPpm = 1'000'000;
    if (*slow <= -kPpm || (kPpm + *fast) * kPpm > (kPpm + sc.lease_drift_ppm()) * (kPpm + *slow)) {
      result.failed_expectations.push_back(fmt::format(
          "clock_drift_ppm {} and {}: the fast clock's rate over the slow one's exceeds 1 + "
          "lease_drift_ppm ({} ppm), the bound the core is told",
          *fast, *slow, sc.lease_drift_ppm()));
      return result;
    }
  }
  result.parsed = true;
  result.name = sc.name();
  RunConfig config = config_of(sc, seed_override, mutation);
  config.record_trace = record_trace;
  World world(config);
  world.begin();
  Runner runner{world, result};
  std::uint64_t cursor_us = 0;  // where the previous step left the world
  for (int i = 0; i < sc.steps_size(); ++i) {
    const pb::Step& step = sc.steps(i);
    const std::uint64_t at_us =
        step.has_after_ms() ? cursor_us + step.after_ms() * 1000 : step.at_ms() * 1000;
    if (at_us < cursor_us) {
      result.failed_expectations.push_back(fmt::format(
          "step {} (at {} ms) goes back in time (the previous step ended at {} ms)", i,
          at_us / 1000, cursor_us / 1000));
      break;
    }
    if (at_us >= config.duration_us) {
      result.failed_expectations.push_back(fmt::format("step {} (at {} ms) is after the end", i,
                                                       at_us / 1000));
      break;
    }
    cursor_us = at_us;
    world.run_until(cursor_us);
    if (world.findings().any_safety()) break;
    runner.step_ms = cursor_us / 1000;
    if (step.action() == pb::AWAIT) {
      cursor_us = runner.await(step, static_cast<std::size_t>(i), cursor_us);
      if (world.findings().any_safety()) break;
    }
    runner.execute(step, static_cast<std::size_t>(i));
  }
  world.run_until(config.duration_us);
  result.run = world.finish();
  if (const OwnershipChecker* own = world.ownership(); own != nullptr) log_ownership(*own, result);
  if (trace_text != nullptr) *trace_text = world.trace().text();
  return result;
}

ScenarioResult run_scenario_file(const std::string& path, std::uint64_t seed_override,
                                 Mutation mutation) {
  std::ifstream in(path);
  if (!in) {
    ScenarioResult r;
    r.failed_expectations.push_back("cannot open " + path);
    return r;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return run_scenario_text(ss.str(), seed_override, mutation);
}

}  // namespace quorum::sim
