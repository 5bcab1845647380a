// Parsing and rendering the core-script format. Test support.
#include "tests/support/script_format.h"

#include <fmt/format.h>

namespace quorum::testing {
namespace {

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

bool is_blank(const std::string& line) {
  return line.find_first_not_of(" \t\r") == std::string::npos;
}

}  // namespace

bool parse_script(std::string_view text, Script* script, std::string* error) {
  const std::vector<std::string> lines = split_lines(text);
  std::string preamble;
  std::size_t i = 0;
  while (i < lines.size()) {
    const std::string& line = lines[i];
    if (is_blank(line) || line[0] == '#') {
      preamble += line + "\n";
      ++i;
      continue;
    }
    ScriptBlock block;
    block.preamble = std::move(preamble);
    preamble.clear();
    block.command = line;
    block.line = static_cast<int>(i + 1);
    ++i;
    if (i >= lines.size() || lines[i] != "----") {
      *error = fmt::format("line {}: expected ---- after the command", i + 1);
      return false;
    }
    ++i;
    std::string expected;
    while (i < lines.size() && !is_blank(lines[i])) {
      if (!expected.empty()) expected += "\n";
      expected += lines[i];
      ++i;
    }
    block.expected = std::move(expected);
    script->blocks.push_back(std::move(block));
  }
  script->trailer = std::move(preamble);
  return true;
}

std::string render_script(const Script& script, const std::vector<std::string>& outputs) {
  std::string text;
  for (std::size_t b = 0; b < script.blocks.size(); ++b) {
    const ScriptBlock& block = script.blocks[b];
    std::string preamble = block.preamble;
    // Exactly one blank line between blocks, whatever the file had.
    if (b > 0 && (preamble.empty() || preamble[0] != '\n')) preamble = "\n" + preamble;
    text += preamble;
    text += block.command + "\n----\n";
    text += (b < outputs.size() ? outputs[b] : block.expected) + "\n";
  }
  text += script.trailer;
  return text;
}

}  // namespace quorum::testing
