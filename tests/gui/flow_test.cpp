// What the topology draws at a position: the trail of recent hops, frames in flight, drops.

#include <QtTest/QtTest>
#include <algorithm>

#include "gui/model/event_filter.hpp"
#include "gui/model/flow.hpp"
#include "tests/gui/test_support.hpp"

using namespace nlb::gui;

class FlowTest : public QObject {
  Q_OBJECT

  const test::Loaded* l_ = nullptr;

  std::string sender(const Hop& h) const { return l_->model.header().nodes[l_->model.event(h.tx).node].name; }
  std::vector<std::size_t> senders_tx(const FlowSnapshot& s) const {
    std::vector<std::size_t> out;
    for (const Hop& h : s.trail) out.push_back(h.tx);
    return out;
  }

 private slots:
  void initTestCase() { l_ = &test::real_run(); }

  void the_trail_at_the_rewritten_syn_is_the_figure_4_flow_newest_first() {
    const test::Loaded& l = *l_;
    std::size_t pos = l.marks.first_rewritten_syn + 1;
    FlowSnapshot s = flow_at(l.model, pos, l.model.event(pos - 1).t, FlowOptions{});
    QVERIFY(s.current_hop);
    QCOMPARE(s.current_hop->tx, l.marks.first_rewritten_syn);
    QCOMPARE(s.trail.size(), std::size_t{6});
    QCOMPARE(s.trail[0].tx, l.marks.first_rewritten_syn);
    // lb1 -> server, fw1 -> lb1 (the SYN the ARP reply released), lb1's reply, fw1's request.
    QCOMPARE(sender(s.trail[1]), std::string("fw1"));
    QCOMPARE(l.model.event(s.trail[1].tx).kind, FrameKind::Tcp);
    auto tx = senders_tx(s);
    auto reply = std::find(tx.begin(), tx.end(), l.marks.first_arp_reply);
    auto request = std::find(tx.begin(), tx.end(), l.marks.first_arp_request);
    QVERIFY(reply != tx.end() && request == reply + 1);
    QCOMPARE(s.trail[static_cast<std::size_t>(request - tx.begin())].rx.size(),
             std::size_t{3});  // fw2, lb1, lb2
    for (const Hop& h : s.trail) QVERIFY(!is_background(l.model.event(h.tx).kind));
  }

  void the_trail_follows_the_event_lists_filter() {
    const test::Loaded& l = *l_;
    EventFilter f;
    f.connection = l.report.flow.client_endpoint + ", " + ip_str(l.nlbs);
    std::vector<std::uint32_t> visible = apply_filter(l.model, f);
    FlowOptions o;
    o.visible = &visible;
    std::size_t pos = l.marks.server_rx + 1;
    FlowSnapshot s = flow_at(l.model, pos, l.model.event(pos - 1).t, o);
    // The walk alone: client -> Internet -> fw1, ARP request, ARP reply, fw1 -> lb1, lb1 -> server.
    auto tx = senders_tx(s);
    std::vector<std::string> who;
    for (const Hop& h : s.trail) who.push_back(sender(h));
    QCOMPARE(who, (std::vector<std::string>{"lb1", "fw1", "lb1", "fw1", "inet", l.report.flow.client}));
    QCOMPARE(tx[0], l.marks.first_rewritten_syn);
    QCOMPARE(tx[2], l.marks.first_arp_reply);
    QCOMPARE(tx[3], l.marks.first_arp_request);
    for (std::size_t t : tx) QVERIFY(std::binary_search(visible.begin(), visible.end(), t));
  }

  void background_traffic_joins_the_trail_when_asked() {
    const test::Loaded& l = *l_;
    std::size_t pos = l.marks.first_rewritten_syn + 1;
    FlowOptions o;
    o.background = true;
    o.trail_length = 200;
    FlowSnapshot s = flow_at(l.model, pos, l.model.event(pos - 1).t, o);
    bool background = false;
    for (const Hop& h : s.trail) background = background || is_background(l.model.event(h.tx).kind);
    QVERIFY(background);
  }

  void a_received_copy_belongs_to_its_senders_hop() {
    const test::Loaded& l = *l_;
    std::size_t rx = l.model.deliveries(l.marks.first_arp_request)[1];
    QCOMPARE(l.model.event(rx).dir, Dir::Rx);
    FlowSnapshot s = flow_at(l.model, rx + 1, l.model.event(rx).t, FlowOptions{});
    QCOMPARE(s.current_hop->tx, l.marks.first_arp_request);
  }

  void frames_stay_in_flight_for_the_minimum_display_time() {
    const test::Loaded& l = *l_;
    std::size_t tx = l.marks.first_arp_request;
    std::int64_t sent = l.model.event(tx).t;
    FlowOptions o;
    o.min_flight_ns = 1'000'000;  // 1 ms, far more than the LAN's microseconds
    auto has = [&](std::int64_t t) {
      FlowSnapshot s = flow_at(l.model, l.model.upper_bound(t), t, o);
      return std::any_of(s.in_flight.begin(), s.in_flight.end(), [&](const Hop& h) { return h.tx == tx; });
    };
    QVERIFY(has(sent));
    QVERIFY(has(sent + 900'000));
    QVERIFY(!has(sent + 1'100'000));
  }

  void drops_at_the_crashed_balancer_are_reported_newest_first() {
    const test::Loaded& l = *l_;
    std::size_t pos = l.marks.takeover;
    std::int64_t t = l.model.event(pos).t;
    FlowSnapshot s = flow_at(l.model, pos, t, FlowOptions{});
    QVERIFY(!s.drops.empty());
    for (std::size_t i = 0; i < s.drops.size(); ++i) {
      const EventRecord& e = l.model.event(s.drops[i]);
      QCOMPARE(e.dir, Dir::Drop);
      QCOMPARE(e.node, l.node("lb1"));
      QCOMPARE(l.model.text(l.model.frame(e).reason), std::string("node-down"));
      QVERIFY(t - e.t <= FlowOptions{}.window_ns);
      if (i) QVERIFY(s.drops[i] < s.drops[i - 1]);
    }
    // Before the crash nothing was lost but VRRP advertisements at hosts that run no VRRP,
    // which are background and shown only on request.
    FlowOptions all;
    all.background = true;
    QVERIFY(flow_at(l.model, l.marks.crash, l.model.event(l.marks.crash).t, FlowOptions{}).drops.empty());
    QVERIFY(!flow_at(l.model, l.marks.crash, l.model.event(l.marks.crash).t, all).drops.empty());
  }

  void position_zero_shows_nothing() {
    FlowSnapshot s = flow_at(l_->model, 0, 0, FlowOptions{});
    QVERIFY(!s.current);
    QVERIFY(s.trail.empty());
  }
};

QTEST_GUILESS_MAIN(FlowTest)
#include "flow_test.moc"
