// End to end: the window opens a run, plays, steps, follows the event list, shows tables and
// frames; runs a scenario through a stand-in nlbsim and re-runs it with an injected fault.

#include <QtTest/QtTest>

#include <QFile>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>

#include "gui/app/charts_panel.hpp"
#include "gui/app/event_list.hpp"
#include "gui/app/frame_inspector.hpp"
#include "gui/app/main_window.hpp"
#include "gui/app/node_inspector.hpp"
#include "gui/app/replay_bar.hpp"
#include "gui/app/run_controller.hpp"
#include "gui/app/topology_view.hpp"
#include "tests/gui/test_support.hpp"

using namespace nlb::gui;

namespace {

QString top_item(QStandardItemModel* m, int row, int column = 0) { return m->item(row, column)->text(); }

// A stand-in for `nlbsim run SCENARIO --trace --out DIR`: copies a prepared run and the
// scenario it was given into DIR.
QString fake_nlbsim(const QTemporaryDir& tmp, const QString& run) {
  QString path = tmp.filePath("nlbsim");
  QFile f(path);
  f.open(QIODevice::WriteOnly);
  f.write(QString("#!/bin/sh\n[ \"$1\" = run ] || exit 2\nmkdir -p \"$5\" && cp %1/* \"$5\"/ && cp \"$2\" "
                  "\"$5\"/scenario-used.json\necho done\n")
              .arg(run)
              .toUtf8());
  f.close();
  f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
  return path;
}

}  // namespace

class WindowTest : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  QString run_;
  synth::Landmarks marks_;

 private slots:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    run_ = tmp_.filePath("run");
    std::string error;
    QVERIFY2(synth::write_run(run_.toStdString(), {}, error, &marks_), error.c_str());
  }

  void opening_a_run_fills_every_view() {
    MainWindow w;
    QString error;
    QVERIFY2(w.open_run(run_, &error), qPrintable(error));
    QVERIFY(w.model()->size() > 1000);
    QCOMPARE(w.events()->table_model()->rowCount(), static_cast<int>(w.model()->size()));
    QCOMPARE(w.replay()->clock().position(), std::size_t{0});
    QVERIFY(w.charts()->series_count() > 6);  // lines, fault markers, cursors
    QCOMPARE(w.topology()->current_layout().layered, true);
    // Positions are saved beside the run.
    QVERIFY(w.topology()->save_positions());
    QVERIFY(QFile::exists(QDir(run_).filePath("nlbsim-gui-layout.json")));
  }

  void a_missing_run_is_an_error_that_names_the_file() {
    MainWindow w;
    QString error;
    QVERIFY(!w.open_run(tmp_.filePath("nothing-here"), &error));
    QVERIFY(error.contains("trace.jsonl"));
    QVERIFY(w.model() == nullptr);
  }

  void step_by_step_through_the_figure_4_flow() {
    MainWindow w;
    QString error;
    QVERIFY(w.open_run(run_, &error));
    auto& clock = w.replay()->clock();
    // Step to fw1's ARP request, one event at a time.
    while (clock.position() <= static_cast<std::size_t>(marks_.first_arp_request)) w.replay()->step_forward();
    QCOMPARE(*clock.current_event(), static_cast<std::size_t>(marks_.first_arp_request));
    // The event list follows, the frame inspector shows the who-has.
    auto* table = w.events()->table();
    QCOMPARE(w.events()->table_model()->event_at(table->currentIndex().row()),
             static_cast<std::size_t>(marks_.first_arp_request));
    QCOMPARE(top_item(w.frame_inspector()->tree_model(), 1), QString("ARP"));
    QCOMPARE(top_item(w.frame_inspector()->tree_model(), 1, 1), QString("Who has 10.1.0.100? Tell 10.1.0.1"));
    // Steps on to the rewritten SYN; back one and forward again lands on it again.
    while (clock.position() <= static_cast<std::size_t>(marks_.first_rewritten_syn))
      w.replay()->step_forward();
    w.replay()->step_back();
    w.replay()->step_forward();
    QCOMPARE(*clock.current_event(), static_cast<std::size_t>(marks_.first_rewritten_syn));
    QVERIFY(w.frame_inspector()->hex_text().startsWith("0000  02 00 00 00 09 01"));  // srv2's MAC
  }

  void selecting_a_row_moves_the_replay_and_shows_that_nodes_tables() {
    MainWindow w;
    QString error;
    QVERIFY(w.open_run(run_, &error));
    auto* model = w.events()->table_model();
    int row = model->row_at_or_before(static_cast<std::size_t>(marks_.fw_arp_update));
    w.events()->table()->setCurrentIndex(model->index(row, 0));
    QCOMPARE(*w.replay()->clock().current_event(), static_cast<std::size_t>(marks_.fw_arp_update));
    NodeInspector* n = w.node_inspector();
    QCOMPARE(n->node(), w.model()->header().node_by_name("fw1"));
    bool found = false;
    for (int r = 0; r < n->rows("arp"); ++r)
      if (n->cell("arp", r, 1) == "10.1.0.100") found = n->cell("arp", r, 2) == "02:00:00:00:07:01";  // lb2
    QVERIFY(found);
  }

  void the_node_inspector_marks_aliases_and_the_loopback() {
    MainWindow w;
    QString error;
    QVERIFY(w.open_run(run_, &error));
    w.seek_event(static_cast<std::size_t>(marks_.first_syn_ack));
    w.select_node(w.model()->header().node_by_name("lb1"));
    NodeInspector* n = w.node_inspector();
    bool alias = false, loopback = false;
    for (int r = 0; r < n->rows("interfaces"); ++r) {
      alias = alias || (n->cell("interfaces", r, 1) == "10.1.0.100/24" &&
                        n->cell("interfaces", r, 2).startsWith("alias"));
      loopback = loopback || (n->cell("interfaces", r, 1) == "203.0.113.10/32" &&
                              n->cell("interfaces", r, 2) == "loopback");
    }
    QVERIFY(alias);
    QVERIFY(loopback);
    QCOMPARE(n->rows("conns"), 1);
    QCOMPARE(n->cell("conns", 0, 2), QString("srv2"));
  }

  void play_moves_time_forward_and_pause_stops_it() {
    MainWindow w;
    w.show();
    QString error;
    QVERIFY(w.open_run(run_, &error));
    w.replay()->set_speed(1.0);
    w.replay()->play();
    QTRY_VERIFY_WITH_TIMEOUT(w.replay()->clock().position() > 0, 5000);
    w.replay()->pause();
    std::int64_t t = w.replay()->clock().time();
    QTest::qWait(100);
    QCOMPARE(w.replay()->clock().time(), t);
    QVERIFY(t > 0);
  }

  void the_event_filter_panel_narrows_the_list() {
    MainWindow w;
    QString error;
    QVERIFY(w.open_run(run_, &error));
    EventListPanel* p = w.events();
    p->set_connection_filter("198.51.100.10:40000");
    int rows = p->table_model()->rowCount();
    QVERIFY(rows > 10 && rows < 200);
    p->set_connection_filter("not an endpoint");
    QCOMPARE(p->table_model()->rowCount(), 0);
  }

  void without_a_scenario_fault_injection_is_off_and_says_why() {
    MainWindow w;
    QString error;
    QVERIFY(w.open_run(run_, &error));
    QVERIFY(w.scenario().isEmpty());
  }

  void a_missing_nlbsim_is_reported_clearly() {
    QByteArray path = qgetenv("PATH");
    qputenv("NLBSIM", "/nonexistent/nlbsim");
    qputenv("PATH", "/nonexistent");
    MainWindow w;
    QSignalSpy failed(&w, &MainWindow::run_failed);
    w.run_scenario(tmp_.filePath("scenario.json"));
    qputenv("PATH", path);
    QCOMPARE(failed.count(), 1);
    QVERIFY(failed.at(0).at(0).toString().contains("nlbsim command was not found"));
  }

  void a_scenario_runs_through_nlbsim_and_a_fault_reruns_it() {
    QString scenario = tmp_.filePath("scenario.json");
    QFile s(scenario);
    QVERIFY(s.open(QIODevice::WriteOnly));
    s.write(R"({"name":"fake","timeline":[]})");
    s.close();
    qputenv("NLBSIM", fake_nlbsim(tmp_, run_).toUtf8());
    MainWindow w;
    QSignalSpy opened(&w, &MainWindow::run_opened);
    w.run_scenario(scenario);
    QVERIFY(opened.wait(10000));
    QCOMPARE(w.scenario(), scenario);
    QVERIFY(w.model()->size() > 1000);
    // Crash lb2 at the takeover time, from the topology's context menu.
    w.seek_event(static_cast<std::size_t>(marks_.takeover));
    emit w.topology()->fault_requested(w.model()->header().node_by_name("lb2"), -1, "crash");
    QVERIFY(opened.wait(10000));
    QFile used(QDir(opened.last().at(0).toString()).filePath("scenario-used.json"));
    QVERIFY(used.open(QIODevice::ReadOnly));
    QString text = used.readAll();
    QVERIFY2(text.contains("\"action\": \"crash\"") && text.contains("\"node\": \"lb2\""), qPrintable(text));
    QVERIFY(text.contains("\"at\": \"12.00002s\""));
    QVERIFY(w.scenario().endsWith("scenario-crash.json"));
    // The replay goes back to where the fault was injected.
    QCOMPARE(w.replay()->clock().time(), std::int64_t{12'000'020'000});
  }
};

QTEST_MAIN(WindowTest)
#include "window_test.moc"
