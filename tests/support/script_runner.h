// ScriptRunner: executes core-script commands (tests/core_scripts/**/*.txt, STYLE.md 6.7) against
// raft::Node instances directly, with a message queue the script drives, and renders every Ready
// and message as text. Test support.
//
// Commands (ids are node ids; `output=full|roles|events|none` where Readys are printed, default
// full; events = role changes and trace events, one line each):
//   cluster nodes=N [learners=4,5] [priorities=1:2,3:0] [election-timeout-ticks=T]
//           [heartbeat-interval-ticks=H] [pre-vote=on|off] [check-quorum=on|off] [seed=S]
//           [inflight=N] [message-bytes=N] [elect=ID]
//   tick ID|all|1,2 [count=N] [stabilize=on]  tick, then handle each ticked node's Readys;
//                                  stabilize=on: deliver until quiet after every tick (a network
//                                  much faster than a tick)
//   campaign ID [age=off]          bring every node past its start stickiness (T ticks since
//                                  start; not with age=off), then tick ID alone until it
//                                  campaigns
//   propose ID DATA                Node::propose; prints the result, then ID's Readys
//   read ID REQUEST-ID             Node::read_index
//   deliver [from=A] [to=B] [count=N]  step the first N queued messages that match, then
//                                  handle the receivers' Readys
//   stabilize                      handle Readys and deliver messages until quiet
//   drop [from=A] [to=B] [count=N] discard the first N queued messages that match
//   duplicate [from=A] [to=B] [count=N]  queue those messages twice (at the end of the queue)
//   hold [from=A] [to=B] [count=N] put those messages aside (stabilize does not see them)
//   release                        queue the held messages again, after the others
//   queue                          print the queued messages
//   partition (1) (2,3)            cut every link between groups (unlisted nodes: isolated)
//   cut A B                        cut one link in both directions
//   heal                           restore every link
//   crash ID / restart ID          power loss (unsynced writes lost) / new Node from storage
//   roles / status [ID] / log [ID] observers
//   transfer ID [to=B] / step-down ID / compact ID
//   add-learner ID NEW / add-voter ID NEW / promote ID NODE / remove ID NODE /
//   set-priority ID NODE P         membership changes proposed on ID
// A broken Ready contract or node invariant is printed as "VIOLATION: ..." so a transcript can
// never hide it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/support/script_format.h"

namespace quorum::testing {

class ScriptRunner {
 public:
  ScriptRunner();
  ~ScriptRunner();
  ScriptRunner(const ScriptRunner&) = delete;
  ScriptRunner& operator=(const ScriptRunner&) = delete;

  // Runs one command line and returns its output ("ok" if it printed nothing).
  std::string run(const std::string& command_line);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs every block of a script in a fresh runner; one output per block.
std::vector<std::string> run_script(const Script& script);

}  // namespace quorum::testing
