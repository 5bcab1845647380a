// The core-script text format (STYLE.md 6.7): a leading `#` paragraph (goal and method), then
// blocks of
//
//   command args
//   ----
//   expected output (one or more lines, no blank line)
//
// separated by blank lines; `#` lines between blocks are comments. Test support.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace quorum::testing {

struct ScriptBlock {
  std::string preamble;  // comment and blank lines before the command, verbatim
  std::string command;
  std::string expected;  // without the trailing newline
  int line = 0;          // 1-based line of the command
};

struct Script {
  std::vector<ScriptBlock> blocks;
  std::string trailer;  // comments after the last block, verbatim
};

// Parses `text`; on a malformed file returns false and sets *error ("line 7: expected ----").
bool parse_script(std::string_view text, Script* script, std::string* error);
// The file text with every expected block replaced by outputs[i] (QUORUM_REWRITE=1).
std::string render_script(const Script& script, const std::vector<std::string>& outputs);

}  // namespace quorum::testing
