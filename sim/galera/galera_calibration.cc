// GaleraModel calibration: the fault script on the model, the real TSV, the comparison. Sim layer.
#include "sim/galera/galera_calibration.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>
#include <functional>

#include "sim/galera/galera_model.h"

namespace quorum::sim {

namespace {

constexpr std::string_view kFit = "Primary/Synced";

// Appends `state` to `seq` unless it equals the last one.
void push(std::vector<CalibrationState>& seq, CalibrationState state) {
  if (!seq.empty() && seq.back().state == state.state) return;
  seq.push_back(std::move(state));
}

struct ScriptStep {
  std::string name;
  std::function<void(GaleraModel&)> act;
};

std::vector<ScriptStep> script() {
  const auto kill = [](std::vector<NodeId> ids) {
    return [ids](GaleraModel& m) {
      for (NodeId id : ids) m.set_galera_down(id, true);
    };
  };
  // `up` of tools/galera-local: start what is down, heal isolations.
  const auto up = [](GaleraModel& m) {
    m.heal_galera();
    for (NodeId id = 1; id <= 3; ++id) m.set_galera_down(id, false);
  };
  return {
      {"kill-one", kill({1})},
      {"kill-two", kill({2})},
      {"recover", up},
      {"isolate-one", [](GaleraModel& m) { m.set_galera_isolated(3, true); }},
      {"heal", [](GaleraModel& m) { m.heal_galera(); }},
      {"full-outage", kill({1, 2, 3})},
      {"recover-full", up},
  };
}

std::vector<std::string> fitness(const std::vector<CalibrationState>& seq) {
  std::vector<std::string> out;
  for (const CalibrationState& s : seq) {
    std::string f = s.state == kFit ? "fit" : "unfit";
    if (out.empty() || out.back() != f) out.push_back(std::move(f));
  }
  return out;
}

// The steps where a real-only unfit episode between two fit states is known (see the header).
bool transient_allowed(std::string_view step) {
  return step == "recover" || step == "recover-full" || step == "heal";
}

// `seq` without its interior unfit episodes (an unfit between two fits); `removed` counts them.
std::vector<std::string> without_interior_unfit(const std::vector<std::string>& seq,
                                                std::size_t* removed) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < seq.size(); ++i) {
    const bool interior = seq[i] == "unfit" && i > 0 && i + 1 < seq.size() &&
                          seq[i - 1] == "fit" && seq[i + 1] == "fit";
    if (interior) {
      ++*removed;
      continue;
    }
    if (out.empty() || out.back() != seq[i]) out.push_back(seq[i]);
  }
  return out;
}

std::string sequence_text(const std::vector<CalibrationState>& seq, bool with_times) {
  std::string out;
  for (const CalibrationState& s : seq) {
    if (!out.empty()) out += " -> ";
    out += with_times ? fmt::format("{} @{:.1f}", s.state, s.at_s) : s.state;
  }
  return out;
}

}  // namespace

const std::vector<std::string>& calibration_step_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const ScriptStep& s : script()) out.push_back(s.name);
    return out;
  }();
  return names;
}

std::vector<CalibrationStep> model_fault_script() {
  GaleraModel model(3);
  const auto up = [](NodeId) { return true; };  // the hosts: Galera alone is faulted
  const auto linked = [](NodeId, NodeId) { return true; };
  model.update(up, linked);
  std::vector<CalibrationStep> out;
  for (const ScriptStep& step : script()) {
    CalibrationStep s{step.name, {}};
    const auto record = [&] {
      for (NodeId id = 1; id <= 3; ++id) {
        const std::string state(model.describe(id));
        push(s.nodes[id - 1], {0, state, state});
      }
    };
    record();
    step.act(model);
    for (int i = 0; i < 8 && model.update(up, linked); ++i) record();
    out.push_back(std::move(s));
  }
  return out;
}

std::string model_state_of_real(std::string_view raw) {
  if (raw == "stopped") return "down";
  if (raw == "running|unreachable") return "starting";
  if (raw.starts_with("running|Primary|Synced|")) return std::string(kFit);
  if (raw.starts_with("running|Primary|")) return "Primary/Joining";
  if (raw.starts_with("running|non-Primary|") || raw.starts_with("running|Disconnected|")) {
    return "non-Primary/Initialized";
  }
  return fmt::format("other: {}", raw);
}

Result<std::vector<CalibrationStep>> parse_real_calibration(std::string_view tsv) {
  std::vector<CalibrationStep> out;
  std::size_t line_no = 0;
  while (!tsv.empty()) {
    const std::size_t eol = tsv.find('\n');
    std::string_view line = tsv.substr(0, eol);
    tsv = eol == std::string_view::npos ? std::string_view{} : tsv.substr(eol + 1);
    ++line_no;
    if (line.empty()) continue;
    std::array<std::string_view, 4> field;
    for (std::size_t k = 0; k < 4; ++k) {
      const std::size_t tab = k < 3 ? line.find('\t') : std::string_view::npos;
      if (k < 3 && tab == std::string_view::npos) {
        return Status::invalid_argument(fmt::format("line {}: expected 4 tab-separated fields", line_no));
      }
      field[k] = line.substr(0, tab);
      line = tab == std::string_view::npos ? std::string_view{} : line.substr(tab + 1);
    }
    int node = 0;
    std::from_chars(field[1].data(), field[1].data() + field[1].size(), node);
    if (node < 1 || node > 3) {
      return Status::invalid_argument(fmt::format("line {}: node '{}' is not 1, 2 or 3", line_no, field[1]));
    }
    const double at_s = std::strtod(std::string(field[2]).c_str(), nullptr);
    if (out.empty() || out.back().name != field[0]) out.push_back({std::string(field[0]), {}});
    push(out.back().nodes[node - 1], {at_s, model_state_of_real(field[3]), std::string(field[3])});
  }
  return out;
}

std::vector<std::string> compare_calibration(const std::vector<CalibrationStep>& real,
                                             const std::vector<CalibrationStep>& model,
                                             std::vector<std::string>* notes) {
  std::vector<std::string> out;
  if (real.size() != model.size()) {
    out.push_back(fmt::format("{} steps recorded, the model ran {}", real.size(), model.size()));
  }
  for (std::size_t i = 0; i < real.size() && i < model.size(); ++i) {
    const CalibrationStep& r = real[i];
    const CalibrationStep& m = model[i];
    if (r.name != m.name) {
      out.push_back(fmt::format("step {}: recorded '{}', the model's is '{}'", i, r.name, m.name));
      continue;
    }
    for (std::size_t n = 0; n < 3; ++n) {
      if (r.nodes[n].empty() || m.nodes[n].empty()) {
        out.push_back(fmt::format("{} node {}: no states", r.name, n + 1));
        continue;
      }
      if (r.nodes[n].back().state != m.nodes[n].back().state) {
        out.push_back(fmt::format("{} node {}: settles in {}, the model in {}", r.name, n + 1,
                                  r.nodes[n].back().state, m.nodes[n].back().state));
      }
      const std::vector<std::string> real_fitness = fitness(r.nodes[n]);
      const std::vector<std::string> model_fitness = fitness(m.nodes[n]);
      if (real_fitness == model_fitness) continue;
      std::size_t removed = 0;
      if (transient_allowed(r.name) &&
          without_interior_unfit(real_fitness, &removed) == model_fitness) {
        if (notes != nullptr) {
          notes->push_back(fmt::format("{} node {}: {} real-only unfit episode(s) ({}), not in the "
                                       "model", r.name, n + 1, removed,
                                       sequence_text(r.nodes[n], true)));
        }
        continue;
      }
      out.push_back(fmt::format("{} node {}: fitness {} vs the model's {}", r.name, n + 1,
                                fmt::join(real_fitness, "->"), fmt::join(model_fitness, "->")));
    }
  }
  return out;
}

std::string calibration_table(const std::vector<CalibrationStep>& real,
                              const std::vector<CalibrationStep>& model) {
  std::string out;
  for (std::size_t i = 0; i < real.size() && i < model.size(); ++i) {
    for (std::size_t n = 0; n < 3; ++n) {
      const auto& r = real[i].nodes[n];
      out += fmt::format("{:<12} node {}  real: {}  (settled {:.1f} s)\n{:<20}model: {}\n",
                         real[i].name, n + 1, sequence_text(r, true), r.empty() ? 0.0 : r.back().at_s,
                         "", sequence_text(model[i].nodes[n], false));
    }
  }
  return out;
}

}  // namespace quorum::sim
