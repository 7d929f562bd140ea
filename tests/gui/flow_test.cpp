// What the topology draws at a position: the trail of recent hops, frames in flight, drops.

#include <QtTest/QtTest>

#include "gui/model/flow.hpp"
#include "tests/gui/test_support.hpp"

using namespace nlb::gui;

class FlowTest : public QObject {
  Q_OBJECT

  test::Loaded l_;

  std::string sender(const Hop& h) const { return l_.model.header().nodes[l_.model.event(h.tx).node].name; }

 private slots:
  void initTestCase() { test::load_synthetic(l_); }

  void the_trail_at_the_rewritten_syn_is_the_figure_4_flow_newest_first() {
    auto pos = static_cast<std::size_t>(l_.run.marks.first_rewritten_syn) + 1;
    FlowSnapshot s = flow_at(l_.model, pos, l_.model.event(pos - 1).t, FlowOptions{});
    QVERIFY(s.current_hop);
    QCOMPARE(s.current_hop->tx, pos - 1);
    QCOMPARE(s.trail.size(), std::size_t{6});
    std::vector<std::string> senders;
    for (const Hop& h : s.trail) senders.push_back(sender(h));
    // lb1 -> srv2, fw1 -> lb1, lb1's ARP reply, fw1's ARP request, Internet -> fw1, client1.
    QCOMPARE(senders, (std::vector<std::string>{"lb1", "fw1", "lb1", "fw1", "internet", "client1"}));
    QCOMPARE(s.trail[2].tx, static_cast<std::size_t>(l_.run.marks.first_arp_reply));
    QCOMPARE(s.trail[3].rx.size(), std::size_t{3});  // the broadcast reached fw2, lb1, lb2
    for (const Hop& h : s.trail) QVERIFY(!is_background(l_.model.event(h.tx).kind));
  }

  void background_traffic_joins_the_trail_when_asked() {
    auto pos = static_cast<std::size_t>(l_.run.marks.first_rewritten_syn) + 1;
    FlowOptions o;
    o.background = true;
    o.trail_length = 50;
    FlowSnapshot s = flow_at(l_.model, pos, l_.model.event(pos - 1).t, o);
    bool vrrp = false;
    for (const Hop& h : s.trail) vrrp = vrrp || l_.model.event(h.tx).kind == FrameKind::Vrrp;
    QVERIFY(vrrp);
  }

  void a_received_copy_belongs_to_its_senders_hop() {
    auto rx = static_cast<std::size_t>(l_.run.marks.first_arp_request) + 2;  // lb1 receives the who-has
    QCOMPARE(l_.model.event(rx).dir, Dir::Rx);
    FlowSnapshot s = flow_at(l_.model, rx + 1, l_.model.event(rx).t, FlowOptions{});
    QCOMPARE(s.current_hop->tx, static_cast<std::size_t>(l_.run.marks.first_arp_request));
  }

  void frames_stay_in_flight_for_the_minimum_display_time() {
    auto tx = static_cast<std::size_t>(l_.run.marks.first_arp_request);
    std::int64_t sent = l_.model.event(tx).t;
    FlowOptions o;
    o.min_flight_ns = 1'000'000;  // 1 ms
    auto has = [&](std::int64_t t) {
      FlowSnapshot s = flow_at(l_.model, l_.model.upper_bound(t), t, o);
      for (const Hop& h : s.in_flight)
        if (h.tx == tx) return true;
      return false;
    };
    QVERIFY(has(sent));
    QVERIFY(has(sent + 900'000));
    QVERIFY(!has(sent + 1'100'000));
  }

  void drops_near_the_position_are_reported_newest_first() {
    auto pos = static_cast<std::size_t>(l_.run.marks.takeover);
    std::int64_t t = l_.model.event(pos).t;
    FlowSnapshot s = flow_at(l_.model, pos, t, FlowOptions{});
    QVERIFY(!s.drops.empty());
    for (std::size_t i = 0; i < s.drops.size(); ++i) {
      QCOMPARE(l_.model.event(s.drops[i]).dir, Dir::Drop);
      QVERIFY(t - l_.model.event(s.drops[i]).t <= FlowOptions{}.window_ns);
      if (i) QVERIFY(s.drops[i] < s.drops[i - 1]);
    }
    FlowSnapshot before = flow_at(l_.model, static_cast<std::size_t>(l_.run.marks.crash), t, FlowOptions{});
    QVERIFY(before.drops.empty());
  }

  void position_zero_shows_nothing() {
    FlowSnapshot s = flow_at(l_.model, 0, 0, FlowOptions{});
    QVERIFY(!s.current);
    QVERIFY(s.trail.empty());
  }
};

QTEST_GUILESS_MAIN(FlowTest)
#include "flow_test.moc"
