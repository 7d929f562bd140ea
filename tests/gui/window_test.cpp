// End to end: the window opens a real run, plays, steps, follows the event list, shows tables
// and frames; and, with the real nlbsim, the "done" walk: open Figure 3, follow the
// first request through the firewall's ARP request, the active balancer's single reply and
// the MAC-rewritten request reaching a server, crash the active balancer from the view (a
// re-run through nlbsim) and see the gratuitous ARP and the takeover.

#include <QtTest/QtTest>

#include <QFile>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <algorithm>

#include "gui/app/charts_panel.hpp"
#include "gui/app/event_list.hpp"
#include "gui/app/frame_inspector.hpp"
#include "gui/app/main_window.hpp"
#include "gui/app/node_inspector.hpp"
#include "gui/app/replay_bar.hpp"
#include "gui/app/run_controller.hpp"
#include "gui/app/topology_view.hpp"
#include "gui/model/node_tables.hpp"
#include "tests/gui/test_support.hpp"

using namespace nlb::gui;

namespace {

QString top_item(QStandardItemModel* m, int row, int column = 0) { return m->item(row, column)->text(); }

QString qs(const std::string& s) { return QString::fromStdString(s); }

// The frame inspector's summary of a layer ("ARP", "IPv4", ...), empty if absent.
QString layer_summary(FrameInspector* f, const QString& name) {
  QStandardItemModel* m = f->tree_model();
  for (int r = 0; r < m->rowCount(); ++r)
    if (m->item(r, 0)->text() == name) return m->item(r, 1)->text();
  return {};
}

bool has_row(NodeInspector* n, const QString& table, int column, const QString& text) {
  for (int r = 0; r < n->rows(table); ++r)
    if (n->cell(table, r, column) == text) return true;
  return false;
}

std::vector<std::size_t> trail_of(MainWindow& w) {
  std::vector<std::size_t> out;
  for (const Hop& h : w.topology()->flow().trail) out.push_back(h.tx);
  return out;
}

}  // namespace

class WindowTest : public QObject {
  Q_OBJECT

  const test::Loaded* l_ = nullptr;

  void open(MainWindow& w) {
    QString error;
    QVERIFY2(w.open_run(qs(l_->dir), &error), qPrintable(error));
  }

 private slots:
  void initTestCase() { l_ = &test::real_run(); }

  void opening_a_run_fills_every_view() {
    MainWindow w;
    open(w);
    QCOMPARE(w.model()->size(), l_->model.size());
    QCOMPARE(w.events()->table_model()->rowCount(), static_cast<int>(w.model()->size()));
    QCOMPARE(w.replay()->clock().position(), std::size_t{0});
    QVERIFY(w.charts()->series_count() > 6);  // lines, fault markers, cursors
    QCOMPARE(w.topology()->current_layout().layered, true);
    QVERIFY(w.report().flow.seen);
    // Positions are saved beside the run.
    QVERIFY(w.topology()->save_positions());
    QVERIFY(QFile::exists(QDir(qs(l_->dir)).filePath("nlbsim-gui-layout.json")));
  }

  void a_missing_run_is_an_error_that_names_the_file() {
    MainWindow w;
    QString error;
    QTemporaryDir empty;
    QVERIFY(!w.open_run(empty.filePath("nothing-here"), &error));
    QVERIFY(error.contains("trace.jsonl"));
    QVERIFY(w.model() == nullptr);
  }

  void step_by_step_through_the_figure_4_flow() {
    MainWindow w;
    open(w);
    auto& clock = w.replay()->clock();
    // From just before fw1's ARP request, one event at a time.
    w.seek_event(l_->marks.first_arp_request - 1);
    w.replay()->step_forward();
    QCOMPARE(*clock.current_event(), l_->marks.first_arp_request);
    // The event list follows, the frame inspector shows the who-has.
    auto* table = w.events()->table();
    QCOMPARE(w.events()->table_model()->event_at(table->currentIndex().row()), l_->marks.first_arp_request);
    QCOMPARE(top_item(w.frame_inspector()->tree_model(), 1), QString("ARP"));
    QCOMPARE(top_item(w.frame_inspector()->tree_model(), 1, 1),
             qs("Who has " + ip_str(l_->nlbs) + "? Tell 192.168.10.2"));
    // Steps on to the rewritten SYN; back one and forward again lands on it again.
    while (clock.position() <= l_->marks.first_rewritten_syn) w.replay()->step_forward();
    w.replay()->step_back();
    w.replay()->step_forward();
    QCOMPARE(*clock.current_event(), l_->marks.first_rewritten_syn);
    const Header& h = w.model()->header();
    QString server_mac = qs(mac_str(h.nodes[l_->node(l_->report.flow.server.c_str())].interfaces[0].mac));
    QVERIFY2(w.frame_inspector()->hex_text().startsWith("0000  " + server_mac.replace(':', ' ')),
             qPrintable(w.frame_inspector()->hex_text()));
    QCOMPARE(w.topology()->flow().current_hop->tx, l_->marks.first_rewritten_syn);
  }

  void selecting_a_row_moves_the_replay_and_shows_that_nodes_tables() {
    MainWindow w;
    open(w);
    auto* model = w.events()->table_model();
    int row = model->row_at_or_before(l_->marks.fw_arp_update);
    w.events()->table()->setCurrentIndex(model->index(row, 0));
    QCOMPARE(*w.replay()->clock().current_event(), l_->marks.fw_arp_update);
    NodeInspector* n = w.node_inspector();
    QCOMPARE(n->node(), l_->node("fw1"));
    QString lb2_mac = qs(mac_str(w.model()->header().nodes[l_->node("lb2")].interfaces[0].mac));
    bool found = false;
    for (int r = 0; r < n->rows("arp"); ++r)
      if (n->cell("arp", r, 1) == qs(ip_str(l_->nlbs))) found = n->cell("arp", r, 2) == lb2_mac;
    QVERIFY(found);
    // The frame behind the update: lb2's gratuitous ARP as fw1 received it.
    QVERIFY(layer_summary(w.frame_inspector(), "ARP").startsWith("Gratuitous ARP: " + qs(ip_str(l_->nlbs))));
  }

  void the_node_inspector_marks_aliases_the_loopback_and_a_crash() {
    MainWindow w;
    open(w);
    w.seek_event(l_->marks.server_rx);
    w.select_node(l_->node("lb1"));
    NodeInspector* n = w.node_inspector();
    bool alias = false, loopback = false;
    for (int r = 0; r < n->rows("interfaces"); ++r) {
      alias = alias || (n->cell("interfaces", r, 1) == qs(ip_str(l_->nlbs) + "/24") &&
                        n->cell("interfaces", r, 2).startsWith("alias"));
      loopback = loopback || (n->cell("interfaces", r, 1) == "203.0.113.10/32" &&
                              n->cell("interfaces", r, 2) == "loopback");
    }
    QVERIFY(alias);
    QVERIFY(loopback);
    QVERIFY(has_row(n, "conns", 0, qs(l_->report.flow.client_endpoint)));
    QVERIFY(has_row(n, "states", 1, "active"));
    // The topology shows the same: lb1 active with the alias; 127.0.0.1 is left out.
    QCOMPARE(w.topology()->node_badge(l_->node("lb1")), QString("ACTIVE"));
    QVERIFY(w.topology()
                ->node_addresses(l_->node("lb1"))
                .contains(qs("eth0 " + ip_str(l_->nlbs) + "/24 (alias)")));
    QVERIFY(!w.topology()->node_addresses(l_->node("lb1")).join(" ").contains("127.0.0.1"));
    // After the crash: down, its connection table gone with it.
    w.seek_event(l_->marks.takeover);
    w.select_node(l_->node("lb1"));
    QCOMPARE(w.topology()->node_badge(l_->node("lb1")), QString("DOWN"));
    QCOMPARE(w.topology()->node_badge(l_->node("lb2")), QString("ACTIVE"));
    QCOMPARE(n->rows("conns"), 0);
  }

  void play_moves_time_forward_and_pause_stops_it() {
    MainWindow w;
    w.show();
    open(w);
    w.replay()->set_speed(1.0);
    w.replay()->play();
    QTRY_VERIFY_WITH_TIMEOUT(w.replay()->clock().position() > 0, 5000);
    w.replay()->pause();
    std::int64_t t = w.replay()->clock().time();
    QTest::qWait(100);
    QCOMPARE(w.replay()->clock().time(), t);
    QVERIFY(t > 0);
  }

  void the_event_filter_panel_narrows_the_list_and_the_trail() {
    MainWindow w;
    open(w);
    EventListPanel* p = w.events();
    p->set_connection_filter(qs(l_->report.flow.client_endpoint));
    int rows = p->table_model()->rowCount();
    QVERIFY(rows > 10 && rows < 500);
    // The trail draws what the list shows.
    w.seek_event(l_->marks.server_rx);
    auto trail = trail_of(w);
    QVERIFY(!trail.empty());
    for (std::size_t tx : trail)
      QCOMPARE(w.events()->table_model()->event_at(w.events()->table_model()->row_at_or_before(tx)), tx);
    QVERIFY(std::find(trail.begin(), trail.end(), l_->marks.first_arp_request) == trail.end());
    p->set_connection_filter("not an endpoint");
    QCOMPARE(p->table_model()->rowCount(), 0);
  }

  void following_the_first_request_filters_slows_and_goes_before_the_arp_request() {
    MainWindow w;
    open(w);
    QVERIFY(w.follow_first_request());
    QVERIFY(w.events()->table_model()->filtered());
    QVERIFY(w.replay()->clock().position() <= l_->marks.first_arp_request);
    QVERIFY(w.replay()->clock().time() < w.model()->event(l_->marks.first_arp_request).t);
    QVERIFY(w.replay()->clock().speed() < 1e-5);
    QVERIFY(w.follow_first_request(true));
    QCOMPARE(*w.replay()->clock().current_event(), l_->marks.server_rx);
    auto trail = trail_of(w);
    QVERIFY(std::find(trail.begin(), trail.end(), l_->marks.first_arp_request) != trail.end());
    QVERIFY(std::find(trail.begin(), trail.end(), l_->marks.first_arp_reply) != trail.end());
  }

  void without_a_scenario_fault_injection_is_off() {
    MainWindow w;
    open(w);
    QVERIFY(w.scenario().isEmpty());
  }

  void nlbsims_progress_lines_become_a_fraction() {
    QCOMPARE(
        RunController::progress_fraction("  12.3s / 60.0s simulated   5 events   0.01M events/s   0.4s wall"),
        12.3 / 60.0);
    QCOMPARE(RunController::progress_fraction("  60.0s / 60.0s simulated   9 events"), 1.0);
    QCOMPARE(RunController::progress_fraction("  FAIL  failover within 5 s"), -1.0);
    QCOMPARE(RunController::progress_fraction("  0.0s / 0.0s simulated"), -1.0);
  }

  void a_missing_nlbsim_is_reported_clearly() {
    QByteArray path = qgetenv("PATH"), nlbsim = qgetenv("NLBSIM");
    qputenv("NLBSIM", "/nonexistent/nlbsim");
    qputenv("PATH", "/nonexistent");
    MainWindow w;
    QSignalSpy failed(&w, &MainWindow::run_failed);
    w.run_scenario(qs(test::kFixture));
    qputenv("PATH", path);
    if (nlbsim.isEmpty())
      qunsetenv("NLBSIM");
    else
      qputenv("NLBSIM", nlbsim);
    QCOMPARE(failed.count(), 1);
    QVERIFY(failed.at(0).at(0).toString().contains("nlbsim command was not found"));
  }

  // The done criterion, with the real nlbsim (NLBSIM, or the build tree's cli/nlbsim).
  void a_new_user_watches_figure_4_then_crashes_the_active_balancer() {
    QVERIFY2(!RunController::find_nlbsim().isEmpty(), "nlbsim not found: build it, or set NLBSIM");
    MainWindow w;
    w.show();
    // Short runs, for ASan's sake: the first request completes by 3.4 s (VRRP's masters at
    // 3.22 s; 4,925 trace events instead of 726,088 for the whole scenario).
    w.runner()->set_extra_args({"--until", "3.4s"});
    QSignalSpy opened(&w, &MainWindow::run_opened);
    QSignalSpy progress(w.runner(), &RunController::progress);
    QString scenario = qs(test::kSourceDir + "/scenarios/figure3-single-public-ip.json");
    w.run_scenario(scenario);
    QVERIFY(opened.wait(120'000));
    // nlbsim's progress reached the dialog as a fraction up to the end time (its summary
    // lines, on the same channel, are not progress).
    double done = -1;
    for (const QList<QVariant>& p : progress) done = std::max(done, p.at(1).toDouble());
    QCOMPARE(done, 1.0);
    const TraceModel& m = *w.model();
    const Header& h = m.header();
    QCOMPARE(h.scenario, std::string("figure3-single-public-ip"));
    int fw1 = h.node_by_name("fw1"), lb1 = h.node_by_name("lb1"), lb2 = h.node_by_name("lb2");
    std::uint32_t nlbs = 0;
    QVERIFY(parse_ip(w.report().flow.arp_for, nlbs));
    int server = h.node_by_name(w.report().flow.server);

    // Follow the first request and press play.
    QVERIFY(w.follow_first_request());
    w.replay()->set_speed(1e-4);  // faster than the menu's pace, to keep the test short
    w.replay()->play();
    std::size_t request = 0, reached = 0;
    for (std::uint32_t i : w.events()->table_model()->rows()) {
      const EventRecord& e = m.event(i);
      if (e.type != EventType::Frame || e.t < w.report().flow.start_ns) continue;
      if (!request && e.dir == Dir::Tx && e.kind == FrameKind::Arp && e.node == fw1) request = i;
      if (request && e.dir == Dir::Rx && e.node == server) {
        reached = i;
        break;
      }
    }
    QVERIFY(request && reached);
    QTRY_VERIFY_WITH_TIMEOUT(w.replay()->clock().position() > reached, 20'000);
    w.replay()->pause();

    // Watch it again, hop by hop: fw1's ARP request for the NLBS address...
    w.seek_event(request);
    QCOMPARE(layer_summary(w.frame_inspector(), "ARP"),
             qs("Who has " + ip_str(nlbs) + "? Tell 192.168.10.2"));
    QCOMPARE(w.topology()->flow().current_hop->rx.size(), std::size_t{3});  // fw2, lb1, lb2 hear it
    // ...the single reply, from the active balancer...
    std::vector<std::size_t> replies;
    std::size_t rewritten = 0;
    while (w.replay()->clock().position() <= reached) {
      w.replay()->step_forward();
      std::size_t i = *w.replay()->clock().current_event();
      const EventRecord& e = m.event(i);
      if (e.type == EventType::Frame && e.dir == Dir::Tx && e.kind == FrameKind::Arp &&
          frame_endpoints(m.frame_bytes(e)).src == nlbs) {
        replies.push_back(i);
        QCOMPARE(e.node, lb1);
        QCOMPARE(w.topology()->node_badge(lb1), QString("ACTIVE"));
        QCOMPARE(w.topology()->node_badge(lb2), QString("STANDBY"));
      }
      if (!rewritten && e.type == EventType::Frame && e.dir == Dir::Tx && e.node == lb1 &&
          e.kind == FrameKind::Tcp) {
        rewritten = i;
        // ...and the request sent on to the server with only its destination MAC rewritten.
        QVERIFY(layer_summary(w.frame_inspector(), "IPv4").contains("> 203.0.113.10"));
        QVERIFY(w.frame_inspector()->hex_text().startsWith(
            "0000  " + qs(mac_str(h.nodes[server].interfaces[0].mac)).replace(':', ' ')));
        // The IP datagram is byte for byte the one fw1 sent to lb1's MAC.
        bool same = false;
        for (std::size_t k = request; k < i && !same; ++k) {
          const EventRecord& f = m.event(k);
          same = f.type == EventType::Frame && f.dir == Dir::Tx && f.node == fw1 &&
                 f.kind == FrameKind::Tcp && m.frame_bytes(f).substr(14) == m.frame_bytes(e).substr(14);
        }
        QVERIFY(same);
      }
    }
    QCOMPARE(replies.size(), std::size_t{1});
    QVERIFY(rewritten > replies[0]);
    QCOMPARE(*w.replay()->clock().current_event(), reached);
    auto trail = trail_of(w);
    for (std::size_t hop : {request, replies[0], rewritten})
      QVERIFY(std::find(trail.begin(), trail.end(), hop) != trail.end());

    // Crash the active balancer from the view, at the replay time: nlbsim runs again.
    std::int64_t at = w.replay()->clock().time();
    QCOMPARE(fold_status(m, w.replay()->clock().position())[lb1].ha, std::string("active"));
    // The re-run up to 5.3 s: lb2 takes over 2 s after the crash (its heartbeat timeout).
    w.runner()->set_extra_args({"--until", "5.3s"});
    emit w.topology()->fault_requested(lb1, -1, "crash");
    QVERIFY(opened.wait(120'000));
    QVERIFY(w.scenario().endsWith("figure3-single-public-ip-crash.json"));
    QFile copy(w.scenario());
    QVERIFY(copy.open(QIODevice::ReadOnly));
    QString text = copy.readAll();
    QVERIFY2(text.contains("\"action\": \"crash\"") && text.contains("\"node\": \"lb1\""), qPrintable(text));
    QVERIFY(text.contains(qs("\"at\": \"" + time_str(at) + "\"")));
    QCOMPARE(w.replay()->clock().time(), at);  // back where the fault was injected

    // The takeover and lb2's gratuitous ARP, in the new run (the first run's model is gone).
    const TraceModel& after = *w.model();
    QVERIFY(&after != &m);
    std::size_t takeover = 0, garp = 0;
    for (std::size_t i = after.upper_bound(at); i < after.size() && !garp; ++i) {
      const EventRecord& e = after.event(i);
      if (e.type == EventType::State && e.node == lb2 && after.text(after.state(e).to) == "active")
        takeover = i;
      if (takeover && e.type == EventType::Frame && e.dir == Dir::Tx && e.kind == FrameKind::Garp &&
          e.node == lb2)
        garp = i;
    }
    QVERIFY2(takeover && garp, "no takeover by lb2 in the re-run");
    w.seek_event(garp);
    QCOMPARE(w.topology()->node_badge(lb1), QString("DOWN"));
    QCOMPARE(w.topology()->node_badge(lb2), QString("ACTIVE"));
    QVERIFY(w.topology()->node_addresses(lb2).contains(qs("eth0 " + ip_str(nlbs) + "/24 (alias)")));
    QCOMPARE(layer_summary(w.frame_inspector(), "ARP"),
             "Gratuitous ARP: " + qs(ip_str(nlbs)) + " is at " +
                 qs(mac_str(after.header().nodes[lb2].interfaces[0].mac)));
    QCOMPARE(w.topology()->flow().current_hop->tx, garp);
    QVERIFY(has_row(w.node_inspector(), "states", 1, "active"));
    // The report measured it; the charts panel lists it.
    QCOMPARE(w.report().faults.back().action, std::string("crash"));
    QVERIFY(w.report().faults.back().detection_ns > 0);
  }
};

QTEST_MAIN(WindowTest)
#include "window_test.moc"
