// The event list's table model: rows are filtered event indices, text is made on demand.

#include <QtTest/QtTest>

#include "gui/app/event_list.hpp"
#include "gui/app/replay_bar.hpp"
#include "tests/gui/test_support.hpp"

using namespace nlb::gui;

class EventTableTest : public QObject {
  Q_OBJECT

  const test::Loaded* l_ = nullptr;

 private slots:
  void initTestCase() { l_ = &test::real_run(); }

  void every_event_is_a_row_with_time_node_lan_kind_and_summary() {
    EventTableModel m;
    m.set_run(&l_->model);
    QCOMPARE(m.rowCount(), static_cast<int>(l_->model.size()));
    QCOMPARE(m.columnCount(), 5);
    int row = static_cast<int>(l_->marks.first_arp_request);
    QCOMPARE(m.data(m.index(row, EventTableModel::Time), Qt::DisplayRole).toString(),
             QString::fromStdString(time_str(l_->model.event(l_->marks.first_arp_request).t)));
    QCOMPARE(m.data(m.index(row, EventTableModel::Node), Qt::DisplayRole).toString(), QString("fw1"));
    QCOMPARE(m.data(m.index(row, EventTableModel::LanCol), Qt::DisplayRole).toString(), QString("ias"));
    QCOMPARE(m.data(m.index(row, EventTableModel::Kind), Qt::DisplayRole).toString(), QString("arp tx"));
    // The runner's summary (models/wire's describe_frame), as written in the trace.
    QCOMPARE(m.data(m.index(row, EventTableModel::Summary), Qt::DisplayRole).toString(),
             QString::fromStdString("ARP who-has " + ip_str(l_->nlbs) + " tell 192.168.10.2"));
    QCOMPARE(m.headerData(EventTableModel::Summary, Qt::Horizontal, Qt::DisplayRole).toString(),
             QString("summary"));
  }

  void drops_say_why_in_the_summary() {
    EventTableModel m;
    m.set_run(&l_->model);
    EventFilter f;
    f.drops_only = true;
    f.categories = bit(FrameKind::Tcp);
    m.set_filter(f);
    QVERIFY(m.rowCount() > 0);
    QVERIFY(m.data(m.index(0, EventTableModel::Summary), Qt::DisplayRole)
                .toString()
                .startsWith("DROPPED (node-down)"));
    QCOMPARE(m.data(m.index(0, EventTableModel::Node), Qt::DisplayRole).toString(), QString("lb1"));
  }

  void a_filtered_table_maps_events_to_the_nearest_row_before() {
    EventTableModel m;
    m.set_run(&l_->model);
    EventFilter f;
    f.categories = bit(FrameKind::Garp);
    f.hide_rx = true;
    m.set_filter(f);
    QVERIFY(m.rowCount() >= 5);  // VRRP masters' and balancers' announcements
    std::size_t garp = l_->marks.gratuitous_arp;
    int row = m.row_at_or_before(garp);
    QCOMPARE(m.event_at(row), garp);
    QCOMPARE(m.row_at_or_before(garp + 1), row);  // its copies received are hidden
    QCOMPARE(m.row_at_or_before(0), -1);
  }

  void speed_text_reads_like_the_slider() {
    QCOMPARE(speed_text(1.0), QString("1x"));
    QCOMPARE(speed_text(0.001), QString("1/1000x"));
    QCOMPARE(speed_text(2e-6), QString("1/500000x"));
    QCOMPARE(speed_text(100.0), QString("100x"));
    QCOMPARE(speed_text(2.5), QString("2.5x"));
  }
};

QTEST_MAIN(EventTableTest)
#include "event_table_test.moc"
