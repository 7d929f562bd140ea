#pragma once
// nlbsim-gui's main window: open a run (or run a scenario), then replay it: topology with the
// frames moving, event list with a frame inspector, node tables at the replay time, charts
// and the address audit. It observes and replays; the only way it changes anything is by
// writing a new scenario and running `nlbsim run` on it.

#include <QMainWindow>
#include <QTemporaryDir>
#include <memory>
#include <vector>

#include "gui/model/flow.hpp"
#include "gui/model/run_outputs.hpp"
#include "gui/model/trace_model.hpp"

class QProgressDialog;
class QLabel;
class QTabWidget;
class QAction;

namespace nlb::gui {

class TopologyView;
class EventListPanel;
class FrameInspector;
class NodeInspector;
class ChartsPanel;
class ReplayBar;
class ReplayController;
class RunController;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Opens DIR/trace.jsonl (+ metrics.csv and report.json when present).
  bool open_run(const QString& dir, QString* error);
  // Runs the scenario with nlbsim and opens the result (asynchronously).
  void run_scenario(const QString& path);
  // The scenario the open run came from: enables fault injection.
  void set_scenario(const QString& path);
  QString scenario() const { return scenario_; }

  void seek_event(std::size_t i);
  void seek_time(std::int64_t t);
  void select_node(int node);
  // The seed's Figure 4 walk of the first request (report.json's flow): filters the event
  // list to the client's connection and the NLBS address, slows the replay to LAN speed and
  // goes to just before the firewall's ARP request, so that play shows the walk hop by hop;
  // `to_end` goes to the request reaching the server instead. False (with a status message)
  // when the report has no flow.
  bool follow_first_request(bool to_end = false);
  bool save_screenshot(const QString& file, QString* error);
  // Draw frames in flight as while playing, though paused (for screenshots).
  void set_show_in_flight(bool on);

  // For tests and the command line.
  const TraceModel* model() const { return model_.get(); }
  const Report& report() const { return report_; }
  ReplayController* replay() { return replay_; }
  TopologyView* topology() { return topology_; }
  EventListPanel* events() { return events_; }
  FrameInspector* frame_inspector() { return frame_; }
  NodeInspector* node_inspector() { return nodes_; }
  ChartsPanel* charts() { return charts_; }
  RunController* runner() { return runner_; }
  QTabWidget* bottom_tabs() { return bottom_; }
  FlowOptions flow_options() const;

 signals:
  void run_opened(const QString& dir);
  void run_failed(const QString& message);

 private:
  void build_menus();
  void build_layout();
  void moved();
  void event_activated(std::size_t event);
  void show_frame_near(std::size_t pos);
  void open_dialog();
  void open_scenario_dialog();
  void inject_fault(int node, int lan, const QString& action);
  void run_finished(bool ok, const QString& dir, const QString& message);
  void update_injection();
  QString positions_file() const;

  std::unique_ptr<TraceModel> model_;
  Metrics metrics_;
  Report report_;
  QString dir_, scenario_;
  QString origin_scenario_;  // the user's scenario file, where positions are saved
  std::unique_ptr<QTemporaryDir> run_dir_;
  std::vector<std::unique_ptr<QTemporaryDir>> scenario_copies_;  // scenarios with injected faults
  std::int64_t pending_seek_ = -1;                               // after a re-run: where to go

  TopologyView* topology_ = nullptr;
  EventListPanel* events_ = nullptr;
  FrameInspector* frame_ = nullptr;
  NodeInspector* nodes_ = nullptr;
  ChartsPanel* charts_ = nullptr;
  ReplayBar* bar_ = nullptr;
  ReplayController* replay_ = nullptr;
  RunController* runner_ = nullptr;
  QTabWidget* bottom_ = nullptr;
  QProgressDialog* progress_ = nullptr;
  QLabel* status_ = nullptr;
  QAction* background_ = nullptr;
  bool show_in_flight_ = false;
  std::size_t last_pos_ = static_cast<std::size_t>(-1);
  std::size_t last_frame_event_ = static_cast<std::size_t>(-1);
};

}  // namespace nlb::gui
