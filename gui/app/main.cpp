// nlbsim-gui [DIR | SCENARIO.json] [--scenario FILE] [--until TIME] [--connection ENDPOINTS]
//            [--follow-flow] [--screenshot FILE [--at TIME] [--select-event N | --find TEXT]
//             [--node NAME] [--size WxH]
//             [--tab events|charts] [--in-flight] [--speed X]]
//
// DIR holds what `nlbsim run --trace --out DIR` wrote; a .json argument is a scenario, run
// with nlbsim first (--until is passed on, to that run and to the re-runs of fault injection).
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
  QCommandLineOption until("until", "Run scenarios only up to TIME (nlbsim run --until), re-runs too.",
                           "TIME");
  QCommandLineOption conn("connection",
                          "Filter the event list (and the trail) to these endpoints, e.g. "
                          "\"198.51.100.14:32768, 192.168.10.10\".",
                          "ENDPOINTS");
  cli.addOptions({scenario, shot, at, select, node, size, tab, flight, speed, until, conn, follow, find});
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
  if (!path.isEmpty() && QFileInfo(path).isFile()) {
    if (cli.isSet(shot)) return fail("--screenshot needs a run directory, not a scenario");
    w.run_scenario(path);
  } else if (!path.isEmpty()) {
    if (cli.isSet(scenario)) w.set_scenario(cli.value(scenario));
    QString error;
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
  QString error;
  if (!w.save_screenshot(cli.value(shot), &error)) return fail(error);
  return 0;
}
