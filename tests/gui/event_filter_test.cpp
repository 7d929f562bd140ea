// The event list's filter: by node, kind, drops, connection endpoints and text.

#include <QtTest/QtTest>
#include <algorithm>

#include "gui/model/event_filter.hpp"
#include "tests/gui/test_support.hpp"

using namespace nlb::gui;

class EventFilterTest : public QObject {
  Q_OBJECT

  const test::Loaded* l_ = nullptr;
  const TraceModel& m() const { return l_->model; }
  bool has(const std::vector<std::uint32_t>& rows, std::size_t event) const {
    return std::binary_search(rows.begin(), rows.end(), static_cast<std::uint32_t>(event));
  }

 private slots:
  void initTestCase() { l_ = &test::real_run(); }

  void no_filter_keeps_every_event_in_time_order() {
    auto rows = apply_filter(m(), EventFilter{});
    QCOMPARE(rows.size(), m().size());
    QVERIFY(std::is_sorted(rows.begin(), rows.end()));
  }

  void a_node_filter_keeps_only_that_nodes_events() {
    EventFilter f;
    f.node = l_->node("lb2");
    auto rows = apply_filter(m(), f);
    QVERIFY(!rows.empty());
    for (auto i : rows) QCOMPARE(m().event(i).node, f.node);
    QVERIFY(has(rows, l_->marks.takeover));
  }

  void a_kind_filter_keeps_gratuitous_arp_only() {
    EventFilter f;
    f.categories = bit(FrameKind::Garp);
    auto rows = apply_filter(m(), f);
    for (auto i : rows) QCOMPARE(m().event(i).kind, FrameKind::Garp);
    QVERIFY(has(rows, l_->marks.gratuitous_arp));
  }

  void table_event_categories_are_separate_from_arp_frames() {
    EventFilter f;
    f.categories = bit(Category::ArpTable);
    auto rows = apply_filter(m(), f);
    QVERIFY(has(rows, l_->marks.fw_arp_update));
    for (auto i : rows) QCOMPARE(m().event(i).type, EventType::Arp);
    f.categories = bit(Category::State) | bit(Category::Fault);
    rows = apply_filter(m(), f);
    QVERIFY(has(rows, l_->marks.crash));
    QVERIFY(has(rows, l_->marks.takeover));
    QVERIFY(!has(rows, l_->marks.gratuitous_arp));
  }

  void drops_only_shows_drops_and_the_tcp_ones_are_at_the_crashed_balancer() {
    EventFilter f;
    f.drops_only = true;
    auto rows = apply_filter(m(), f);
    QVERIFY(!rows.empty());
    int tcp = 0;
    for (auto i : rows) {
      const EventRecord& e = m().event(i);
      QCOMPARE(e.dir, Dir::Drop);
      QVERIFY(!m().text(m().frame(e).reason).empty());
      if (e.kind != FrameKind::Tcp) continue;
      ++tcp;
      QCOMPARE(e.node, l_->node("lb1"));
      QCOMPARE(m().text(m().frame(e).reason), std::string("node-down"));
      QVERIFY(i > l_->marks.crash && i < l_->marks.recover);
    }
    QVERIFY(tcp > 0);
  }

  void hide_rx_keeps_sends_and_drops() {
    EventFilter f;
    f.hide_rx = true;
    f.categories = kAllFrames;
    auto rows = apply_filter(m(), f);
    QVERIFY(has(rows, l_->marks.first_arp_request));
    for (auto i : rows) QVERIFY(m().event(i).dir != Dir::Rx);
  }

  void a_connection_filter_follows_one_tcp_connection_and_its_table_entries() {
    const FlowWalk& flow = l_->report.flow;
    EventFilter f;
    f.connection = flow.client_endpoint;
    auto rows = apply_filter(m(), f);
    Endpoint client = parse_endpoint(flow.client_endpoint);
    bool saw_conn = false;
    for (auto i : rows) {
      const EventRecord& e = m().event(i);
      saw_conn = saw_conn || e.type == EventType::Conn;
      if (e.type != EventType::Frame) continue;
      FrameEndpoints p = frame_endpoints(m().frame_bytes(e));
      QVERIFY((p.src == client.ip && p.sport == client.port) ||
              (p.dst == client.ip && p.dport == client.port));
    }
    QVERIFY(saw_conn);
    QVERIFY(has(rows, l_->marks.first_rewritten_syn));
    QVERIFY(!has(rows, l_->marks.first_arp_request));
    // An address alone matches the ARP for it too; several endpoints match any of them.
    f.connection = ip_str(l_->nlbs);
    QVERIFY(has(apply_filter(m(), f), l_->marks.first_arp_request));
    f.connection = flow.client_endpoint + ", " + ip_str(l_->nlbs);
    rows = apply_filter(m(), f);
    QVERIFY(has(rows, l_->marks.first_arp_request) && has(rows, l_->marks.first_rewritten_syn));
    QVERIFY(has(rows, l_->marks.gratuitous_arp));
  }

  void an_unreadable_connection_matches_nothing() {
    EventFilter f;
    f.connection = "10.1.0:99999";
    QVERIFY(apply_filter(m(), f).empty());
    f.connection = "10.0.2.11, nonsense";  // one bad piece spoils the list
    QVERIFY(apply_filter(m(), f).empty());
    QVERIFY(!parse_endpoint("300.1.1.1").valid);
    QVERIFY(parse_endpoint(":80").valid);
    QCOMPARE(parse_endpoint(" 10.0.0.1:80 ").port, std::uint16_t{80});
    QCOMPARE(parse_endpoints("10.0.0.1:80,10.0.0.2  :443").size(), std::size_t{3});
    QVERIFY(parse_endpoints(" , ").empty());
  }

  void text_matches_summaries_without_case() {
    EventFilter f;
    f.text = "who-HAS " + ip_str(l_->nlbs);
    auto rows = apply_filter(m(), f);
    QVERIFY(has(rows, l_->marks.first_arp_request));
    for (auto i : rows)
      QVERIFY(std::string(m().summary(i)).find("who-has " + ip_str(l_->nlbs)) != std::string::npos);
    QVERIFY(f.matches(m(), rows[0]));
  }

  void filters_combine() {
    EventFilter f;
    f.node = l_->node("fw1");
    f.categories = bit(FrameKind::Arp);
    f.hide_rx = true;
    f.text = "who-has " + ip_str(l_->nlbs);
    auto rows = apply_filter(m(), f);
    QVERIFY(!rows.empty());
    QCOMPARE(rows[0], static_cast<std::uint32_t>(l_->marks.first_arp_request));
  }

  void find_event_searches_node_and_summary_from_a_position() {
    std::string what = "fw1: update " + ip_str(l_->nlbs);
    QCOMPARE(*find_event(m(), l_->marks.crash, what), l_->marks.fw_arp_update);
    QCOMPARE(*find_event(m(), 0, "LB2: HA: STANDBY -> ACTIVE"), l_->marks.takeover);
    QVERIFY(!find_event(m(), l_->marks.takeover + 1, "lb2: ha: standby -> active"));
  }
};

QTEST_GUILESS_MAIN(EventFilterTest)
#include "event_filter_test.moc"
