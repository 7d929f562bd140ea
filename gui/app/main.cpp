// nlbsim-gui [DIR | SCENARIO.json] [--scenario FILE] [--screenshot FILE [--at TIME]
//            [--select-event N] [--node NAME] [--size WxH] [--tab events|charts] [--in-flight]]
//
// DIR holds what `nlbsim run --trace --out DIR` wrote; a .json argument is a scenario, run
// with nlbsim first. --screenshot renders the window offscreen to a PNG and exits (keeps
// docs/images/ up to date; use QT_QPA_PLATFORM=offscreen on a machine without a display).

#include <QApplication>
#include <QCommandLineParser>
#include <QEventLoop>
#include <QFileInfo>
#include <QTabWidget>
#include <QTimer>
#include <cstdio>

#include "gui/app/main_window.hpp"
#include "gui/app/topology_view.hpp"
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
  cli.addOptions({scenario, shot, at, select, node, size, tab, flight});
  cli.process(app);

  nlb::gui::MainWindow w;
  QStringList wh = cli.value(size).split('x');
  if (wh.size() == 2) w.resize(wh[0].toInt(), wh[1].toInt());
  w.show();
  settle();

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
  if (cli.isSet(select)) w.seek_event(cli.value(select).toULongLong());
  if (cli.isSet(node) && w.model())
    w.select_node(w.model()->header().node_by_name(cli.value(node).toStdString()));
  if (cli.value(tab) == "charts") w.bottom_tabs()->setCurrentIndex(1);
  if (cli.isSet(flight)) w.set_show_in_flight(true);
  if (!cli.isSet(shot)) return app.exec();

  settle();
  w.topology()->fit_all();
  settle();
  QString error;
  if (!w.save_screenshot(cli.value(shot), &error)) return fail(error);
  return 0;
}
