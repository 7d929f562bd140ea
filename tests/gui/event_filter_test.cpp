// The event list's filter: by node, kind, drops, connection endpoint and text.

#include <QtTest/QtTest>

#include "gui/model/event_filter.hpp"
#include "tests/gui/test_support.hpp"

using namespace nlb::gui;

class EventFilterTest : public QObject {
  Q_OBJECT

  test::Loaded l_;

 private slots:
  void initTestCase() { test::load_synthetic(l_); }

  void no_filter_keeps_every_event_in_time_order() {
    auto rows = apply_filter(l_.model, EventFilter{});
    QCOMPARE(rows.size(), l_.model.size());
    QVERIFY(std::is_sorted(rows.begin(), rows.end()));
  }

  void a_node_filter_keeps_only_that_nodes_events() {
    EventFilter f;
    f.node = l_.model.header().node_by_name("lb2");
    auto rows = apply_filter(l_.model, f);
    QVERIFY(!rows.empty());
    for (auto i : rows) QCOMPARE(l_.model.event(i).node, f.node);
  }

  void a_kind_filter_keeps_gratuitous_arp_only() {
    EventFilter f;
    f.categories = bit(FrameKind::Garp);
    auto rows = apply_filter(l_.model, f);
    QVERIFY(!rows.empty());
    bool takeover_garp = false;
    for (auto i : rows) {
      QCOMPARE(l_.model.event(i).kind, FrameKind::Garp);
      takeover_garp = takeover_garp || i == static_cast<std::uint32_t>(l_.run.marks.gratuitous_arp);
    }
    QVERIFY(takeover_garp);
  }

  void table_event_categories_are_separate_from_arp_frames() {
    EventFilter f;
    f.categories = bit(Category::ArpTable);
    for (auto i : apply_filter(l_.model, f)) QCOMPARE(l_.model.event(i).type, EventType::Arp);
    f.categories = bit(Category::State) | bit(Category::Fault);
    auto rows = apply_filter(l_.model, f);
    QVERIFY(std::find(rows.begin(), rows.end(), static_cast<std::uint32_t>(l_.run.marks.crash)) !=
            rows.end());
    QVERIFY(std::find(rows.begin(), rows.end(), static_cast<std::uint32_t>(l_.run.marks.takeover)) !=
            rows.end());
  }

  void drops_only_shows_frames_lost_at_the_crashed_balancer() {
    EventFilter f;
    f.drops_only = true;
    auto rows = apply_filter(l_.model, f);
    QVERIFY(!rows.empty());
    int lb1 = l_.model.header().node_by_name("lb1");
    for (auto i : rows) {
      const EventRecord& e = l_.model.event(i);
      QCOMPARE(e.dir, Dir::Drop);
      QCOMPARE(e.node, lb1);
      QCOMPARE(l_.model.text(l_.model.frame(e).reason), std::string("node-down"));
      QVERIFY(e.t > l_.run.marks.crash);
    }
  }

  void hide_rx_keeps_sends_and_drops() {
    EventFilter f;
    f.hide_rx = true;
    f.categories = kAllFrames;
    for (auto i : apply_filter(l_.model, f)) QVERIFY(l_.model.event(i).dir != Dir::Rx);
  }

  void a_connection_filter_follows_one_tcp_connection_and_its_table_entries() {
    EventFilter f;
    f.connection = "198.51.100.10:40000";
    auto rows = apply_filter(l_.model, f);
    bool saw_conn = false, saw_rewritten = false, saw_other = false;
    for (auto i : rows) {
      const EventRecord& e = l_.model.event(i);
      saw_conn = saw_conn || e.type == EventType::Conn;
      saw_rewritten = saw_rewritten || i == static_cast<std::uint32_t>(l_.run.marks.first_rewritten_syn);
      saw_other = saw_other || std::string(l_.model.summary(i)).find("40001") != std::string::npos;
    }
    QVERIFY(saw_conn);
    QVERIFY(saw_rewritten);
    QVERIFY(!saw_other);
    // An address alone matches ARP for it too.
    f.connection = "10.1.0.100";
    rows = apply_filter(l_.model, f);
    QVERIFY(std::find(rows.begin(), rows.end(), static_cast<std::uint32_t>(l_.run.marks.first_arp_request)) !=
            rows.end());
  }

  void an_unreadable_connection_matches_nothing() {
    EventFilter f;
    f.connection = "10.1.0:99999";
    QVERIFY(apply_filter(l_.model, f).empty());
    QVERIFY(!parse_endpoint("300.1.1.1").valid);
    QVERIFY(parse_endpoint(":80").valid);
    QCOMPARE(parse_endpoint(" 10.0.0.1:80 ").port, std::uint16_t{80});
  }

  void text_matches_summaries_without_case() {
    EventFilter f;
    f.text = "who-HAS 10.1.0.100";
    auto rows = apply_filter(l_.model, f);
    QVERIFY(!rows.empty());
    for (auto i : rows)
      QVERIFY(std::string(l_.model.summary(i)).find("who-has 10.1.0.100") != std::string::npos);
    QVERIFY(f.matches(l_.model, rows[0]));
  }

  void filters_combine() {
    EventFilter f;
    f.node = l_.model.header().node_by_name("fw1");
    f.categories = bit(FrameKind::Arp);
    f.hide_rx = true;
    auto rows = apply_filter(l_.model, f);
    QCOMPARE(rows.size(), std::size_t{1});  // fw1 asked once
    QCOMPARE(rows[0], static_cast<std::uint32_t>(l_.run.marks.first_arp_request));
  }
};

QTEST_GUILESS_MAIN(EventFilterTest)
#include "event_filter_test.moc"
