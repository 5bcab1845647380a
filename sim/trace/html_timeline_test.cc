// Tests of the HTML timeline: lanes, spans, partitions and markers appear where the input puts
// them, text is escaped, nothing external is referenced, and output is deterministic. A sample
// run (leader isolated, re-election, crash and restart) is rendered by sample(); set
// QUORUM_TIMELINE_SAMPLE=/path/file.html to write it out and look at it in a browser.
#include "sim/trace/html_timeline.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace quorum::sim {
namespace {

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

std::vector<TimelineNode> nodes(std::size_t n) {
  std::vector<TimelineNode> out;
  for (NodeId id = 1; id <= n; ++id) out.push_back({id, "n" + std::to_string(id)});
  return out;
}

// Five controllers: n1 leads term 2, is isolated at 2 s and steps down by CheckQuorum; n2
// pre-votes, campaigns and leads term 3; the partition heals at 4 s and n1 follows; n3 crashes
// at 5 s and restarts at 6.2 s. Commits every 100 ms on the leader and every live follower.
TimelineInput sample() {
  std::vector<TimelineNode> lanes = nodes(5);
  lanes[0].label = "n1 (site a)";
  lanes[1].label = "n2 (site a)";
  lanes[2].label = "n3 (site b)";
  lanes[3].label = "n4 (site b)";
  lanes[4].label = "n5 (site c)";
  TimelineBuilder b("quorum-sim run --seed 42 --nodes 5", lanes);
  b.add_summary("result: ok   events: 183204   trace-hash: 9f3a61c2d4e5b7a8");
  for (NodeId n = 1; n <= 5; ++n) b.role(n, 0, TimelineRole::kFollower, 1);
  b.role(1, 180'000, TimelineRole::kPreCandidate, 1);
  b.role(1, 190'000, TimelineRole::kCandidate, 2);
  for (NodeId n = 2; n <= 5; ++n) b.role(n, 195'000, TimelineRole::kFollower, 2, "leader n1");
  b.role(1, 205'000, TimelineRole::kLeader, 2, "votes n1 n2 n4");
  const std::size_t cut = b.partition_begin(2'000'000, "isolate n1 (leader)", {1});
  std::uint64_t leader_change_us = 2'520'000;
  for (std::uint64_t t = 300'000; t < 8'000'000; t += 100'000) {
    if (t >= 2'000'000 && t < leader_change_us) continue;  // no quorum: nothing commits
    const NodeId leader = t < 2'000'000 ? 1 : 2;
    for (NodeId n = 1; n <= 5; ++n) {
      const bool isolated = n == 1 && t < 4'000'000;
      const bool down = n == 3 && t >= 5'000'000 && t < 6'200'000;
      if ((n == leader || !(isolated && leader != 1)) && !down) {
        b.commit(n, t + (n == leader ? 0 : 900), t / 100'000);
      }
    }
  }
  b.role(1, 2'300'000, TimelineRole::kFollower, 2, "no majority heard for one election timeout");
  b.mark(1, 2'300'000, MarkerKind::kStepDown, "CheckQuorum: leader steps down");
  b.role(2, 2'480'000, TimelineRole::kPreCandidate, 2);
  b.role(2, 2'495'000, TimelineRole::kCandidate, 3);
  for (NodeId n = 3; n <= 5; ++n) b.role(n, 2'505'000, TimelineRole::kFollower, 3, "leader n2");
  b.role(2, 2'510'000, TimelineRole::kLeader, 3, "votes n2 n3 n5");
  b.role(1, 2'700'000, TimelineRole::kPreCandidate, 2, "pre-vote refused: n2 is leading");
  b.role(1, 2'900'000, TimelineRole::kFollower, 2);
  b.partition_end(cut, 4'000'000);
  b.role(1, 4'010'000, TimelineRole::kFollower, 3, "leader n2");
  b.crash(3, 5'000'000, "crash: lost 3 unsynced entries");
  b.restart(3, 6'200'000, 3);
  const std::size_t loss = b.partition_begin(6'500'000, "n4 -x-> n5 one way, 30% loss", {4, 5});
  b.partition_end(loss, 7'400'000);
  b.mark(2, 7'000'000, MarkerKind::kTransfer, "transfer to n4 started");
  b.mark(kNoNode, 3'000'000, MarkerKind::kNote, "client c2 redirected to n2");
  return b.finish(8'000'000);
}

TEST(HtmlTimeline, DrawsOneLanePerNodeAndANetworkLane) {
  const std::string html = render_html_timeline(sample());
  EXPECT_EQ(count(html, "class=\"lane node\""), 5u);
  for (int n = 1; n <= 5; ++n) {
    EXPECT_NE(html.find("data-node=\"" + std::to_string(n) + "\""), std::string::npos) << n;
  }
  EXPECT_NE(html.find(">network</div>"), std::string::npos);
  EXPECT_NE(html.find("n3 (site b)"), std::string::npos);
}

TEST(HtmlTimeline, DrawsRoleSpansWithTheirTerms) {
  TimelineBuilder b("t", nodes(2));
  b.role(1, 0, TimelineRole::kFollower, 1);
  b.role(1, 1000, TimelineRole::kCandidate, 2);
  b.role(1, 2000, TimelineRole::kLeader, 2);
  b.role(1, 2500, TimelineRole::kLeader, 2);  // no change: no new span
  b.role(2, 0, TimelineRole::kFollower, 1);
  const TimelineInput in = b.finish(10'000);
  ASSERT_EQ(in.spans.size(), 4u);
  EXPECT_EQ(in.spans[2].role, TimelineRole::kLeader);
  EXPECT_EQ(in.spans[2].from_us, 2000u);
  EXPECT_EQ(in.spans[2].to_us, 10'000u);  // closed at finish
  const std::string html = render_html_timeline(in);
  EXPECT_EQ(count(html, "class=\"span r-"), 4u);
  EXPECT_NE(html.find("class=\"span r-leader\" style=\"left:20.0000%;width:calc(100.0000% - "
                      "20.0000%)\""),
            std::string::npos);
  EXPECT_NE(html.find(">L t2</div>"), std::string::npos);
  EXPECT_NE(html.find(">C t2</div>"), std::string::npos);
  EXPECT_NE(html.find("leader term 2"), std::string::npos);  // hover title
}

TEST(HtmlTimeline, MarksCrashesRestartsCommitsAndShadesPartitions) {
  TimelineBuilder b("t", nodes(3));
  for (NodeId n = 1; n <= 3; ++n) b.role(n, 0, TimelineRole::kFollower, 1);
  b.crash(2, 4000);
  b.restart(2, 6000, 1);
  b.commit(1, 5000, 7);
  b.partition_begin(1000, "isolate n3", {3});
  const TimelineInput in = b.finish(10'000);
  const std::string html = render_html_timeline(in);
  EXPECT_EQ(count(html, "class=\"span r-down\""), 1u);
  EXPECT_EQ(count(html, "class=\"mk m-crash\""), 1u);
  EXPECT_EQ(count(html, "class=\"mk m-restart\""), 1u);
  EXPECT_EQ(count(html, "class=\"commit\""), 1u);
  EXPECT_NE(html.find("commit index 7"), std::string::npos);
  EXPECT_EQ(count(html, "class=\"shade\""), 1u);  // only n3's lane
  EXPECT_EQ(count(html, "class=\"part\" style=\"left"), 1u);
  EXPECT_NE(html.find(">isolate n3</div>"), std::string::npos);
}

TEST(HtmlTimeline, MapsRaftRoles) {
  EXPECT_EQ(timeline_role(raft::Role::kFollower), TimelineRole::kFollower);
  EXPECT_EQ(timeline_role(raft::Role::kPreCandidate), TimelineRole::kPreCandidate);
  EXPECT_EQ(timeline_role(raft::Role::kCandidate), TimelineRole::kCandidate);
  EXPECT_EQ(timeline_role(raft::Role::kLeader), TimelineRole::kLeader);
}

TEST(HtmlTimeline, EscapesAllText) {
  TimelineInput in;
  in.title = "<b>seed</b> & 'x'";
  in.summary = {"a < b"};
  in.duration_us = 1000;
  in.nodes = {{1, "<script>alert(1)</script>"}};
  in.spans = {{1, 0, 1000, TimelineRole::kLeader, 2, "\"quoted\" <i>"}};
  in.partitions = {{0, 500, "<img src=x>", {1}}};
  in.markers = {{1, 10, MarkerKind::kNote, "</div><div>"}};
  const std::string html = render_html_timeline(in);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>seed"), std::string::npos);
  EXPECT_EQ(html.find("</div><div>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;seed&lt;/b&gt; &amp; &#39;x&#39;"), std::string::npos);
  EXPECT_NE(html.find("&quot;quoted&quot; &lt;i&gt;"), std::string::npos);
  EXPECT_EQ(html_escape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
}

TEST(HtmlTimeline, ReferencesNothingExternal) {
  const std::string html = render_html_timeline(sample());
  for (const char* banned : {"http://", "https://", "src=", "<link", "@import", "url(", "@font"}) {
    EXPECT_EQ(html.find(banned), std::string::npos) << banned;
  }
  EXPECT_EQ(count(html, "<script>"), 1u);
  EXPECT_EQ(count(html, "<style>"), 1u);
}

TEST(HtmlTimeline, LabelsTheTimeAxisInMilliseconds) {
  TimelineInput in;
  in.duration_us = 60'000'000;
  in.nodes = nodes(1);
  const std::string html = render_html_timeline(in);
  for (int ms = 0; ms <= 60'000; ms += 10'000) {  // a tick every 10 s, labelled in ms
    EXPECT_EQ(count(html, "\">" + std::to_string(ms) + "</div>"), 1u) << ms;
  }
  EXPECT_EQ(html.find(">70000</div>"), std::string::npos);
  EXPECT_NE(html.find("left:50.0000%\">30000</div>"), std::string::npos);
  in.duration_us = 2'500;
  const std::string fine = render_html_timeline(in);
  EXPECT_NE(fine.find(">0.500</div>"), std::string::npos);
}

TEST(HtmlTimeline, IsDeterministic) {
  const std::string a = render_html_timeline(sample());
  const std::string b = render_html_timeline(sample());
  EXPECT_EQ(a, b);
  EXPECT_GT(a.size(), 10'000u);
  if (const char* path = std::getenv("QUORUM_TIMELINE_SAMPLE")) {
    std::ofstream(path) << a;
  }
}

}  // namespace
}  // namespace quorum::sim
