#include "sim/trace/html_timeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "engine/core/base/assert.h"

namespace quorum::sim {

std::string_view timeline_role_name(TimelineRole role) {
  switch (role) {
    case TimelineRole::kFollower: return "follower";
    case TimelineRole::kPreCandidate: return "pre-candidate";
    case TimelineRole::kCandidate: return "candidate";
    case TimelineRole::kLeader: return "leader";
    case TimelineRole::kDown: return "down";
  }
  QUORUM_UNREACHABLE();
}

static_assert(static_cast<int>(TimelineRole::kFollower) == static_cast<int>(raft::Role::kFollower));
static_assert(static_cast<int>(TimelineRole::kPreCandidate) ==
              static_cast<int>(raft::Role::kPreCandidate));
static_assert(static_cast<int>(TimelineRole::kCandidate) == static_cast<int>(raft::Role::kCandidate));
static_assert(static_cast<int>(TimelineRole::kLeader) == static_cast<int>(raft::Role::kLeader));

TimelineRole timeline_role(raft::Role role) {
  switch (role) {
    case raft::Role::kFollower: return TimelineRole::kFollower;
    case raft::Role::kPreCandidate: return TimelineRole::kPreCandidate;
    case raft::Role::kCandidate: return TimelineRole::kCandidate;
    case raft::Role::kLeader: return TimelineRole::kLeader;
  }
  QUORUM_UNREACHABLE();
}

std::string_view marker_kind_name(MarkerKind kind) {
  switch (kind) {
    case MarkerKind::kCrash: return "crash";
    case MarkerKind::kRestart: return "restart";
    case MarkerKind::kCommit: return "commit";
    case MarkerKind::kStepDown: return "step-down";
    case MarkerKind::kTransfer: return "transfer";
    case MarkerKind::kPause: return "pause";
    case MarkerKind::kResume: return "resume";
    case MarkerKind::kViolation: return "violation";
    case MarkerKind::kNote: return "note";
  }
  QUORUM_UNREACHABLE();
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

// The page's fixed parts. Colours: roles on a blue (follower) to green (leader) scale, faults
// in red. Lanes are positioned in percent of the canvas, so zooming only widens the canvas.
constexpr std::string_view kStyle = R"(
body{font:13px/1.35 sans-serif;margin:12px;color:#222;background:#fff}
h1{font-size:16px;margin:0 0 4px}
pre.summary{margin:0 0 8px;color:#444;white-space:pre-wrap;overflow-wrap:anywhere}
.controls{margin:6px 0;display:flex;gap:14px;align-items:center;flex-wrap:wrap}
.legend span{display:inline-block;padding:1px 6px;margin-right:4px;border-radius:3px}
.tl{display:flex;border:1px solid #ccc}
.labels{flex:0 0 140px;border-right:1px solid #ccc;background:#fafafa}
.lab{box-sizing:border-box;padding:0 6px;border-bottom:1px solid #eee;white-space:nowrap;
overflow:hidden;text-overflow:ellipsis;display:flex;align-items:center}
.scroll{flex:1;overflow-x:auto;overflow-y:hidden}
.canvas{position:relative;width:100%;min-width:100%}
.axis{position:relative;height:22px;border-bottom:1px solid #ccc;background:#fafafa;overflow:hidden}
.tick{position:absolute;top:0;height:100%;border-left:1px solid #bbb;padding-left:2px;
font-size:11px;color:#555;white-space:nowrap}
.lane{position:relative;border-bottom:1px solid #eee;overflow:hidden}
.node{height:34px}
.span{position:absolute;top:4px;height:20px;box-sizing:border-box;border-right:1px solid #fff;
font-size:11px;line-height:20px;padding-left:3px;white-space:nowrap;overflow:hidden;color:#123}
.r-follower{background:#c6dbef}.r-pre-candidate{background:#fdd49e}
.r-candidate{background:#fc8d59}.r-leader{background:#31a354;color:#fff;font-weight:bold}
.r-down{background:repeating-linear-gradient(45deg,#ddd 0 4px,#bbb 4px 8px);color:#555}
.shade{position:absolute;top:0;height:100%;background:rgba(215,48,39,.10);pointer-events:none}
.cutbar{position:absolute;top:0;height:4px;background:repeating-linear-gradient(90deg,#d73027 0 6px,
transparent 6px 9px)}
.part{position:absolute;height:13px;box-sizing:border-box;background:rgba(215,48,39,.25);
border:1px solid #d73027;font-size:10px;line-height:11px;padding-left:2px;white-space:nowrap;
overflow:hidden}
.commit{position:absolute;bottom:1px;height:7px;width:0;border-left:1px solid #333}
.mk{position:absolute;top:1px;transform:translateX(-50%);font-size:13px;line-height:13px;
cursor:default}
.m-crash{color:#d73027;font-weight:bold}.m-restart{color:#1a9850}.m-step-down{color:#e66101}
.m-transfer{color:#5e3c99}.m-pause,.m-resume{color:#666}.m-note{color:#2166ac}
.m-violation{color:#fff;background:#d73027;padding:0 2px;font-weight:bold}
)";

// Zoom: widen the canvas, keep the centre of the view, redraw the axis with a finer step.
constexpr std::string_view kScript = R"(
(function(){
var c=document.getElementById('canvas'),s=document.getElementById('scroll'),
a=document.getElementById('axis'),z=document.getElementById('zoom'),
zv=document.getElementById('zoomv'),d=+c.getAttribute('data-duration-us');
function step(us){var p=Math.pow(10,Math.floor(Math.log10(us))),m=us/p;
return (m<=1?1:m<=2?2:m<=5?5:10)*p;}
function lbl(us,st){var ms=us/1000;return st>=1000?String(Math.round(ms)):ms.toFixed(3);}
function axis(f){var st=step(Math.max(1,d/(10*f))),h='';
for(var t=0;t<=d;t+=st){h+='<div class="tick" style="left:'+(t/d*100).toFixed(4)+
'%">'+lbl(t,st)+'</div>';}a.innerHTML=h;}
function zoom(){var f=+z.value,mid=(s.scrollLeft+s.clientWidth/2)/c.clientWidth;
c.style.width=(f*100)+'%';zv.textContent=f+'\u00d7';axis(f);
s.scrollLeft=mid*c.clientWidth-s.clientWidth/2;}
z.addEventListener('input',zoom);
})();
)";

constexpr int kNodeLaneHeightPx = 34;
constexpr int kNetworkRowHeightPx = 15;

struct Clip {
  std::uint64_t duration_us;
  std::uint64_t at(std::uint64_t time_us) const { return std::min(time_us, duration_us); }
  std::string percent(std::uint64_t time_us) const {
    return fmt::format("{:.4f}%", 100.0 * static_cast<double>(at(time_us)) /
                                      static_cast<double>(duration_us));
  }
};

std::string ms_text(std::uint64_t time_us) {
  return fmt::format("{}.{:03} ms", time_us / 1000, time_us % 1000);
}

// A 1-2-5 step close to span_us / 10; the script uses the same rule.
std::uint64_t axis_step_us(std::uint64_t duration_us) {
  const std::uint64_t target_us = std::max<std::uint64_t>(1, duration_us / 10);
  std::uint64_t power = 1;
  while (power * 10 <= target_us) power *= 10;
  for (std::uint64_t m : {1, 2, 5}) {
    if (target_us <= m * power) return m * power;
  }
  return 10 * power;
}

std::string axis_html(const Clip& clip) {
  const std::uint64_t step_us = axis_step_us(clip.duration_us);
  std::string out;
  for (std::uint64_t t = 0; t <= clip.duration_us; t += step_us) {
    const std::string label = step_us >= 1000 ? fmt::format("{}", (t + 500) / 1000)
                                              : fmt::format("{}.{:03}", t / 1000, t % 1000);
    out += fmt::format("<div class=\"tick\" style=\"left:{}\">{}</div>", clip.percent(t), label);
  }
  return out;
}

std::string_view role_letter(TimelineRole role) {
  switch (role) {
    case TimelineRole::kFollower: return "F";
    case TimelineRole::kPreCandidate: return "P";
    case TimelineRole::kCandidate: return "C";
    case TimelineRole::kLeader: return "L";
    case TimelineRole::kDown: return "down";
  }
  QUORUM_UNREACHABLE();
}

std::string_view marker_glyph(MarkerKind kind) {
  switch (kind) {
    case MarkerKind::kCrash: return "\u2715";     // multiplication x
    case MarkerKind::kRestart: return "\u25b2";   // up triangle
    case MarkerKind::kStepDown: return "\u25bc";  // down triangle
    case MarkerKind::kTransfer: return "\u21c4";  // arrows
    case MarkerKind::kPause: return "\u2016";     // double bar
    case MarkerKind::kResume: return "\u25b6";
    case MarkerKind::kViolation: return "!";
    case MarkerKind::kNote: return "\u2022";
    case MarkerKind::kCommit: return "";
  }
  QUORUM_UNREACHABLE();
}

std::string marker_html(const Marker& m, const Clip& clip, std::string_view where) {
  const std::string title = html_escape(
      fmt::format("{} {} at {}: {}", where, marker_kind_name(m.kind), ms_text(m.at_us), m.text));
  if (m.kind == MarkerKind::kCommit) {
    return fmt::format("<div class=\"commit\" style=\"left:{}\" title=\"{}\"></div>",
                       clip.percent(m.at_us), title);
  }
  return fmt::format("<div class=\"mk m-{}\" style=\"left:{}\" title=\"{}\">{}</div>",
                     marker_kind_name(m.kind), clip.percent(m.at_us), title,
                     marker_glyph(m.kind));
}

// Rows for overlapping partitions on the network lane: first row free at the start time.
std::vector<std::size_t> partition_rows(const std::vector<Partition>& partitions,
                                        std::size_t* rows_count) {
  std::vector<std::size_t> order(partitions.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return partitions[a].from_us < partitions[b].from_us;
  });
  std::vector<std::uint64_t> row_free_us;
  std::vector<std::size_t> row(partitions.size(), 0);
  for (std::size_t i : order) {
    std::size_t r = 0;
    while (r < row_free_us.size() && row_free_us[r] > partitions[i].from_us) ++r;
    if (r == row_free_us.size()) row_free_us.push_back(0);
    row_free_us[r] = std::max(partitions[i].to_us, partitions[i].from_us + 1);
    row[i] = r;
  }
  *rows_count = std::max<std::size_t>(1, row_free_us.size());
  return row;
}

std::string network_lane(const TimelineInput& in, const Clip& clip, int* height_px) {
  std::size_t rows = 1;
  const std::vector<std::size_t> row = partition_rows(in.partitions, &rows);
  *height_px = static_cast<int>(rows) * kNetworkRowHeightPx + 4;
  std::string out = fmt::format("<div class=\"lane\" style=\"height:{}px\">", *height_px);
  for (std::size_t i = 0; i < in.partitions.size(); ++i) {
    const Partition& p = in.partitions[i];
    const std::string title = html_escape(fmt::format(
        "{}\n{} - {} ({} affected)", p.description, ms_text(p.from_us), ms_text(p.to_us),
        p.affected.size()));
    out += fmt::format(
        "<div class=\"part\" style=\"left:{};width:calc({} - {});top:{}px\" title=\"{}\">{}</div>",
        clip.percent(p.from_us), clip.percent(p.to_us), clip.percent(p.from_us),
        2 + static_cast<int>(row[i]) * kNetworkRowHeightPx, title, html_escape(p.description));
  }
  for (const Marker& m : in.markers) {
    if (m.node == kNoNode) out += marker_html(m, clip, "cluster");
  }
  out += "</div>\n";
  return out;
}

std::string node_lane(const TimelineInput& in, const TimelineNode& node, const Clip& clip) {
  std::string out = fmt::format("<div class=\"lane node\" data-node=\"{}\">", node.id);
  const std::string where = html_escape(node.label);
  for (const RoleSpan& s : in.spans) {
    if (s.node != node.id || clip.at(s.from_us) >= clip.at(s.to_us)) continue;
    std::string title = fmt::format("{} {} term {}\n{} - {} ({})", node.label,
                                    timeline_role_name(s.role), s.term, ms_text(s.from_us),
                                    ms_text(s.to_us), ms_text(s.to_us - s.from_us));
    if (!s.detail.empty()) title += "\n" + s.detail;
    const std::string text = s.role == TimelineRole::kDown
                                 ? std::string("down")
                                 : fmt::format("{} t{}", role_letter(s.role), s.term);
    out += fmt::format(
        "<div class=\"span r-{}\" style=\"left:{};width:calc({} - {})\" title=\"{}\">{}</div>",
        timeline_role_name(s.role), clip.percent(s.from_us), clip.percent(s.to_us),
        clip.percent(s.from_us), html_escape(title), html_escape(text));
  }
  for (const Partition& p : in.partitions) {
    if (std::find(p.affected.begin(), p.affected.end(), node.id) == p.affected.end()) continue;
    const std::string style = fmt::format("left:{};width:calc({} - {})", clip.percent(p.from_us),
                                          clip.percent(p.to_us), clip.percent(p.from_us));
    out += fmt::format("<div class=\"shade\" style=\"{}\"></div>", style);
    out += fmt::format("<div class=\"cutbar\" style=\"{}\" title=\"{}\"></div>", style,
                       html_escape(fmt::format("{}\n{} - {}", p.description, ms_text(p.from_us),
                                               ms_text(p.to_us))));
  }
  for (const Marker& m : in.markers) {
    if (m.node == node.id) out += marker_html(m, clip, where);
  }
  out += "</div>\n";
  return out;
}

void check_input(const TimelineInput& in) {
  QUORUM_ASSERT(in.duration_us > 0, "a timeline needs a duration");
  auto known = [&](NodeId id) {
    return std::any_of(in.nodes.begin(), in.nodes.end(),
                       [&](const TimelineNode& n) { return n.id == id; });
  };
  for (const RoleSpan& s : in.spans) {
    QUORUM_ASSERT(s.from_us <= s.to_us, "span of n{} ends before it starts", s.node);
    QUORUM_ASSERT(known(s.node), "span of unknown node n{}", s.node);
  }
  for (const Partition& p : in.partitions) {
    QUORUM_ASSERT(p.from_us <= p.to_us, "partition {:?} ends before it starts", p.description);
  }
  for (const Marker& m : in.markers) {
    QUORUM_ASSERT(m.node == kNoNode || known(m.node), "marker on unknown node n{}", m.node);
  }
}

}  // namespace

std::string render_html_timeline(const TimelineInput& in) {
  check_input(in);
  const Clip clip{in.duration_us};
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  out += fmt::format("<title>{}</title>\n<style>{}</style></head>\n<body>\n",
                     html_escape(in.title), kStyle);
  out += fmt::format("<h1>{}</h1>\n", html_escape(in.title));
  if (!in.summary.empty()) {
    out += "<pre class=\"summary\">";
    for (const std::string& line : in.summary) out += html_escape(line) + "\n";
    out += "</pre>\n";
  }
  out += "<div class=\"controls\"><label>zoom <input type=\"range\" id=\"zoom\" min=\"1\" "
         "max=\"64\" value=\"1\"></label><span id=\"zoomv\">1\u00d7</span>"
         "<span class=\"legend\">";
  for (TimelineRole r : {TimelineRole::kFollower, TimelineRole::kPreCandidate,
                         TimelineRole::kCandidate, TimelineRole::kLeader, TimelineRole::kDown}) {
    out += fmt::format("<span class=\"r-{0}\">{0}</span>", timeline_role_name(r));
  }
  out += "</span><span class=\"legend\">";
  for (MarkerKind k : {MarkerKind::kCrash, MarkerKind::kRestart, MarkerKind::kStepDown,
                       MarkerKind::kTransfer, MarkerKind::kPause, MarkerKind::kViolation}) {
    out += fmt::format("<span class=\"m-{0}\">{1} {0}</span>", marker_kind_name(k),
                       marker_glyph(k));
  }
  out += "<span>| commit</span><span class=\"part\" style=\"position:static\">partition / "
         "link fault</span></span></div>\n";

  int network_height_px = 0;
  const std::string network = network_lane(in, clip, &network_height_px);
  out += "<div class=\"tl\"><div class=\"labels\">";
  out += "<div class=\"lab\" style=\"height:23px\">time (ms)</div>";
  out += fmt::format("<div class=\"lab\" style=\"height:{}px\">network</div>", network_height_px + 1);
  for (const TimelineNode& n : in.nodes) {
    out += fmt::format("<div class=\"lab\" style=\"height:{}px\" title=\"{}\">{}</div>",
                       kNodeLaneHeightPx + 1, html_escape(n.label), html_escape(n.label));
  }
  out += "</div>\n<div class=\"scroll\" id=\"scroll\">";
  out += fmt::format("<div class=\"canvas\" id=\"canvas\" data-duration-us=\"{}\">\n",
                     in.duration_us);
  out += fmt::format("<div class=\"axis\" id=\"axis\">{}</div>\n", axis_html(clip));
  out += network;
  for (const TimelineNode& n : in.nodes) out += node_lane(in, n, clip);
  out += "</div></div></div>\n";
  out += fmt::format("<script>{}</script>\n</body></html>\n", kScript);
  return out;
}

// ---------------------------------------------------------------------------------------------

TimelineBuilder::TimelineBuilder(std::string title, std::vector<TimelineNode> nodes) {
  input_.title = std::move(title);
  input_.nodes = std::move(nodes);
  for (const TimelineNode& n : input_.nodes) {
    QUORUM_ASSERT(n.id != kNoNode);
    open_[n.id] = Open{};
  }
}

void TimelineBuilder::close(NodeId node, std::uint64_t at_us) {
  auto it = open_.find(node);
  QUORUM_ASSERT(it != open_.end(), "unknown node n{}", node);
  Open& o = it->second;
  if (!o.is_open) return;
  QUORUM_ASSERT(at_us >= o.span.from_us, "n{}: time goes backwards", node);
  o.span.to_us = at_us;
  if (o.span.to_us > o.span.from_us) input_.spans.push_back(o.span);
  o.is_open = false;
}

void TimelineBuilder::open(NodeId node, std::uint64_t at_us, TimelineRole role, Term term,
                           std::string detail) {
  Open& o = open_.at(node);
  QUORUM_ASSERT(!o.is_open);
  o.is_open = true;
  o.span = RoleSpan{node, at_us, at_us, role, term, std::move(detail)};
}

void TimelineBuilder::role(NodeId node, std::uint64_t at_us, TimelineRole role, Term term,
                           std::string detail) {
  auto it = open_.find(node);
  QUORUM_ASSERT(it != open_.end(), "unknown node n{}", node);
  const Open& o = it->second;
  if (o.is_open && o.span.role == role && o.span.term == term) return;
  close(node, at_us);
  open(node, at_us, role, term, std::move(detail));
}

void TimelineBuilder::crash(NodeId node, std::uint64_t at_us, std::string text) {
  close(node, at_us);
  open(node, at_us, TimelineRole::kDown, 0, "");
  mark(node, at_us, MarkerKind::kCrash, std::move(text));
}

void TimelineBuilder::restart(NodeId node, std::uint64_t at_us, Term term, std::string text) {
  close(node, at_us);
  open(node, at_us, TimelineRole::kFollower, term, "");
  mark(node, at_us, MarkerKind::kRestart, std::move(text));
}

void TimelineBuilder::commit(NodeId node, std::uint64_t at_us, LogIndex index) {
  mark(node, at_us, MarkerKind::kCommit, fmt::format("commit index {}", index));
}

void TimelineBuilder::mark(NodeId node, std::uint64_t at_us, MarkerKind kind, std::string text) {
  QUORUM_ASSERT(node == kNoNode || open_.count(node) == 1, "unknown node n{}", node);
  input_.markers.push_back(Marker{node, at_us, kind, std::move(text)});
}

std::size_t TimelineBuilder::partition_begin(std::uint64_t at_us, std::string description,
                                             std::vector<NodeId> affected) {
  input_.partitions.push_back(Partition{at_us, at_us, std::move(description), std::move(affected)});
  partition_open_.push_back(true);
  return input_.partitions.size() - 1;
}

void TimelineBuilder::partition_end(std::size_t id, std::uint64_t at_us) {
  QUORUM_ASSERT(id < input_.partitions.size() && partition_open_[id], "partition {} not open", id);
  QUORUM_ASSERT(at_us >= input_.partitions[id].from_us);
  input_.partitions[id].to_us = at_us;
  partition_open_[id] = false;
}

void TimelineBuilder::add_summary(std::string line) { input_.summary.push_back(std::move(line)); }

TimelineInput TimelineBuilder::finish(std::uint64_t duration_us) {
  for (auto& [node, o] : open_) {
    if (o.is_open) close(node, std::max(duration_us, o.span.from_us));
  }
  for (std::size_t i = 0; i < input_.partitions.size(); ++i) {
    if (partition_open_[i]) partition_end(i, std::max(duration_us, input_.partitions[i].from_us));
  }
  input_.duration_us = duration_us;
  // Spans were closed in event order; lanes read better (and diff better) in time order.
  std::stable_sort(input_.spans.begin(), input_.spans.end(),
                   [](const RoleSpan& a, const RoleSpan& b) {
                     return std::pair(a.node, a.from_us) < std::pair(b.node, b.from_us);
                   });
  TimelineInput out = std::move(input_);
  input_ = TimelineInput{};
  return out;
}

}  // namespace quorum::sim
