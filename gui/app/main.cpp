// nlbsim-gui [DIR | SCENARIO.json] [--scenario FILE] [--until TIME] [--connection ENDPOINTS]
//            [--follow-flow | --follow-flow-start] [--inject ACTION:NODE] [--screenshot FILE [--at TIME]
//             [--select-event N | --find TEXT] [--node NAME] [--size WxH]
//             [--tab events|charts] [--in-flight] [--speed X]]
//
// DIR holds what `nlbsim run --trace --out DIR` wrote; a .json argument is a scenario, run
// with nlbsim first (--until is passed on, to that run and to the re-runs of fault injection).
// --inject does what the topology's context menu does at the replay time reached by --at or
// --follow-flow (crash:lb1 = right-click lb1 > Crash): writes the scenario copy with that
// fault, re-runs it and opens the result at the fault's time; --find and the rest apply then.
// --screenshot renders the window offscreen to a PNG and exits (keeps docs/images/ up to
// date; use QT_QPA_PLATFORM=offscreen on a machine without a display).

#include <QApplication>
#include <QCommandLineParser>
#include <QEventLoop>
#include <QFileInfo>
#include <QTabWidget>
#include <QTimer>
#include <cstdio>

#include "gui/app/event_list.hpp"
#include "gui/app/main_window.hpp"
#include "gui/app/replay_bar.hpp"
#include "gui/app/run_controller.hpp"
#include "gui/app/topology_view.hpp"
#include "gui/model/event_filter.hpp"
#include "sim/time.hpp"

namespace {

void settle() {
  for (int i = 0; i < 5; ++i) QApplication::processEvents(QEventLoop::AllEvents, 50);
}

int fail(const QString& message) {
  std::fprintf(stderr, "nlbsim-gui: %s\n", message.toLocal8Bit().constData());
  return 2;
}

// Waits for the run the window started (a scenario, or a re-run with an injected fault).
bool wait_for_run(nlb::gui::MainWindow& w, QString* error) {
  QEventLoop loop;
  bool ok = false;
  QObject::connect(&w, &nlb::gui::MainWindow::run_opened, &loop, [&] {
    ok = true;
    loop.quit();
  });
  QObject::connect(&w, &nlb::gui::MainWindow::run_failed, &loop, [&](const QString& message) {
    *error = message;
    loop.quit();
  });
  if (!w.runner()->running()) {
    *error = "nlbsim did not start";
    return false;
  }
  loop.exec();
  return ok;
}

// "crash:lb1" -> the node's position and the action, as the topology's menu sends them.
bool parse_injection(const nlb::gui::MainWindow& w, const QString& text, int& node, QString& action) {
  QStringList parts = text.split(':');
  if (parts.size() != 2 || !w.model()) return false;
  action = parts[0];
  node = w.model()->header().node_by_name(parts[1].toStdString());
  const QStringList actions{"crash", "recover", "graceful-stop", "start"};
  return node >= 0 && actions.contains(action);
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName("nlbsim-gui");
  QCommandLineParser cli;
  cli.setApplicationDescription("Replays an nlbsim run: topology, frames, tables, charts.");
  cli.addHelpOption();
  cli.addPositionalArgument("path",
                            "A run directory (trace.jsonl, metrics.csv, report.json) or a scenario .json");
  QCommandLineOption scenario("scenario", "The scenario the run came from (enables fault injection).",
                              "FILE");
  QCommandLineOption shot("screenshot", "Render the window to a PNG and exit.", "FILE");
  QCommandLineOption at("at", "Replay time for the screenshot (e.g. 12.5s).", "TIME");
  QCommandLineOption select("select-event", "Select event N (0-based) as if clicked in the list.", "N");
  QCommandLineOption node("node", "Show this node in the node inspector.", "NAME");
  QCommandLineOption size("size", "Window size for the screenshot.", "WxH", "1680x1050");
  QCommandLineOption tab("tab", "Bottom tab to show: events or charts.", "NAME", "events");
  QCommandLineOption flight("in-flight", "Draw the frames in flight as while playing.");
  QCommandLineOption speed("speed", "Replay speed, simulated seconds per wall second (e.g. 2e-6).", "X");
  QCommandLineOption find("find",
                          "Select the first event from the replay time (--at) on whose \"node: summary\" "
                          "contains TEXT.",
                          "TEXT");
  QCommandLineOption follow("follow-flow",
                            "Follow the first request (the seed's Figure 4) to where it reaches the server.");
  QCommandLineOption inject("inject",
                            "Inject a fault at the replay time and re-run, as the topology's menu does: "
                            "crash, recover, graceful-stop or start, e.g. crash:lb1.",
                            "ACTION:NODE");
  QCommandLineOption follow_start("follow-flow-start",
                                  "As --follow-flow, but stop just before the firewall's ARP request "
                                  "(--find then picks a hop of the walk).");
  QCommandLineOption until("until", "Run scenarios only up to TIME (nlbsim run --until), re-runs too.",
                           "TIME");
  QCommandLineOption conn("connection",
                          "Filter the event list (and the trail) to these endpoints, e.g. "
                          "\"198.51.100.14:32768, 192.168.10.10\".",
                          "ENDPOINTS");
  cli.addOptions({scenario, shot, at, select, node, size, tab, flight, speed, until, conn, follow,
                  follow_start, find, inject});
  cli.process(app);

  nlb::gui::MainWindow w;
  QStringList wh = cli.value(size).split('x');
  if (wh.size() == 2) w.resize(wh[0].toInt(), wh[1].toInt());
  w.show();
  settle();

  if (cli.isSet(until)) {
    nlb::sim::Time t;
    if (!nlb::sim::parse_time(cli.value(until).toStdString(), t))
      return fail("--until: not a time: " + cli.value(until));
    w.runner()->set_extra_args({"--until", cli.value(until)});
  }
  QString path = cli.positionalArguments().value(0);
  QString error;
  if (!path.isEmpty() && QFileInfo(path).isFile()) {
    w.run_scenario(path);
    // Without --screenshot or --inject, the window opens the run when it is done.
    if ((cli.isSet(shot) || cli.isSet(inject)) && !wait_for_run(w, &error)) return fail(error);
  } else if (!path.isEmpty()) {
    if (cli.isSet(scenario)) w.set_scenario(cli.value(scenario));
    if (!w.open_run(path, &error)) return fail(error);
  }
  if (cli.isSet(at)) {
    nlb::sim::Time t;
    if (!nlb::sim::parse_time(cli.value(at).toStdString(), t))
      return fail("--at: not a time: " + cli.value(at));
    w.seek_time(t.nanos());
  }
  if (cli.isSet(follow) && !w.follow_first_request(true))
    return fail("--follow-flow: no first request in the run");
  if (cli.isSet(follow_start) && !w.follow_first_request(false))
    return fail("--follow-flow-start: no first request in the run");
  if (cli.isSet(inject)) {
    int target = -1;
    QString action;
    if (!parse_injection(w, cli.value(inject), target, action))
      return fail("--inject: not ACTION:NODE with a node of the run: " + cli.value(inject));
    if (w.scenario().isEmpty())
      return fail("--inject: the run's scenario is not known (give --scenario FILE)");
    emit w.topology()->fault_requested(target, -1, action);
    if (!wait_for_run(w, &error)) return fail("--inject: " + error);
  }
  if (cli.isSet(conn)) w.events()->set_connection_filter(cli.value(conn));
  if (cli.isSet(select)) w.seek_event(cli.value(select).toULongLong());
  if (cli.isSet(find) && w.model()) {
    auto e = nlb::gui::find_event(*w.model(), w.replay()->clock().position(), cli.value(find).toStdString());
    if (!e) return fail("--find: no event matches " + cli.value(find));
    w.seek_event(*e);
  }
  if (cli.isSet(node) && w.model())
    w.select_node(w.model()->header().node_by_name(cli.value(node).toStdString()));
  if (cli.value(tab) == "charts") w.bottom_tabs()->setCurrentIndex(1);
  if (cli.isSet(speed) && w.replay()) w.replay()->set_speed(cli.value(speed).toDouble());
  if (cli.isSet(flight)) w.set_show_in_flight(true);
  if (!cli.isSet(shot)) return app.exec();

  settle();
  w.topology()->fit_all();
  settle();
  if (!w.save_screenshot(cli.value(shot), &error)) return fail(error);
  return 0;
}
