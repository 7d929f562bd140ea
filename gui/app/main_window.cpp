#include "gui/app/main_window.hpp"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QImage>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressDialog>
#include <QSignalBlocker>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <functional>
#include <map>
#include <optional>

#include "gui/app/charts_panel.hpp"
#include "gui/app/event_list.hpp"
#include "gui/app/frame_inspector.hpp"
#include "gui/app/node_inspector.hpp"
#include "gui/app/replay_bar.hpp"
#include "gui/app/run_controller.hpp"
#include "gui/app/topology_view.hpp"
#include "gui/model/scenario_edit.hpp"

namespace nlb::gui {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

// A window picture in 256 colours, its most frequent ones (flat widget colours, text, node
// fills), every other pixel mapped to the nearest without dithering: a third of the bytes
// of a full-colour PNG, with only the anti-aliased edges a shade off.
QImage with_palette(const QImage& full) {
  QImage rgb = full.convertToFormat(QImage::Format_RGB32);
  std::map<QRgb, std::size_t> counts;
  for (int y = 0; y < rgb.height(); ++y) {
    const auto* line = reinterpret_cast<const QRgb*>(rgb.constScanLine(y));
    for (int x = 0; x < rgb.width(); ++x) ++counts[line[x]];
  }
  std::vector<std::pair<std::size_t, QRgb>> by_count;
  for (auto [c, n] : counts) by_count.push_back({n, c});
  std::sort(by_count.begin(), by_count.end(), std::greater<>());
  QList<QRgb> table;
  for (std::size_t i = 0; i < by_count.size() && i < 256; ++i) table.push_back(by_count[i].second);
  return rgb.convertToFormat(QImage::Format_Indexed8, table, Qt::ThresholdDither | Qt::AvoidDither);
}

// The faults to mark: the header's list, or the fault events when the header has none.
// A warning that does not block: the window stays live (a replay may be playing) and nothing
// waits on the user. Shown only when the window is, else the status bar says it.
void warn(QWidget* parent, const QString& text) {
  if (!parent->isVisible()) return;
  auto* box = new QMessageBox(QMessageBox::Warning, "nlbsim-gui", text, QMessageBox::Ok, parent);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
}

std::vector<FaultSpec> faults_of(const TraceModel& m) {
  if (!m.header().faults.empty()) return m.header().faults;
  std::vector<FaultSpec> out;
  for (std::uint32_t i : m.fault_events()) {
    const EventRecord& e = m.event(i);
    out.push_back({e.t, m.text(m.fault(e).action), m.text(m.fault(e).target), m.text(m.fault(e).name)});
  }
  return out;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle("nlbsim-gui");
  runner_ = new RunController(this);
  connect(runner_, &RunController::finished, this, &MainWindow::run_finished);
  build_layout();
  build_menus();
  status_ = new QLabel("Open a run directory (File > Open run) or a scenario (File > Open scenario).");
  statusBar()->addWidget(status_, 1);
  update_injection();
}

MainWindow::~MainWindow() = default;

void MainWindow::build_layout() {
  topology_ = new TopologyView;
  events_ = new EventListPanel;
  frame_ = new FrameInspector;
  nodes_ = new NodeInspector;
  charts_ = new ChartsPanel;
  bar_ = new ReplayBar;

  auto* top = new QSplitter(Qt::Horizontal);
  top->addWidget(topology_);
  top->addWidget(nodes_);
  top->setStretchFactor(0, 3);
  top->setStretchFactor(1, 1);
  top->setSizes({1140, 540});
  // Like a packet analyser: the list and the selected frame's layers side by side.
  auto* list_and_frame = new QSplitter(Qt::Horizontal);
  list_and_frame->addWidget(events_);
  list_and_frame->addWidget(frame_);
  list_and_frame->setStretchFactor(0, 3);
  list_and_frame->setStretchFactor(1, 2);
  list_and_frame->setSizes({1000, 680});
  bottom_ = new QTabWidget;
  bottom_->addTab(list_and_frame, "Events and frame");
  bottom_->addTab(charts_, "Charts and audit");
  auto* main = new QSplitter(Qt::Vertical);
  main->addWidget(top);
  main->addWidget(bottom_);
  main->setStretchFactor(0, 3);
  main->setStretchFactor(1, 2);
  main->setSizes({600, 380});

  auto* central = new QWidget;
  auto* v = new QVBoxLayout(central);
  v->setContentsMargins(0, 0, 0, 0);
  v->setSpacing(0);
  v->addWidget(bar_);
  v->addWidget(main, 1);
  setCentralWidget(central);

  connect(events_, &EventListPanel::event_activated, this, &MainWindow::event_activated);
  connect(events_, &EventListPanel::filter_changed, this, [this] {
    last_pos_ = static_cast<std::size_t>(-1);  // the list's rows changed: select the current one again
    moved();
  });
  connect(topology_, &TopologyView::node_clicked, this, &MainWindow::select_node);
  connect(topology_, &TopologyView::fault_requested, this, &MainWindow::inject_fault);
  connect(bar_, &ReplayBar::play_toggled, this, [this] {
    if (replay_) replay_->toggle();
  });
  connect(bar_, &ReplayBar::step_forward, this, [this] {
    if (replay_) replay_->step_forward();
  });
  connect(bar_, &ReplayBar::step_back, this, [this] {
    if (replay_) replay_->step_back();
  });
  connect(bar_, &ReplayBar::seek, this, [this](std::int64_t t) {
    if (replay_) replay_->seek_time(t);
  });
  connect(bar_, &ReplayBar::speed_changed, this, [this](double s) {
    if (replay_) replay_->set_speed(s);
  });
}

void MainWindow::build_menus() {
  QMenu* file = menuBar()->addMenu("&File");
  file->addAction("&Open run directory...", QKeySequence::Open, this, &MainWindow::open_dialog);
  file->addAction("Open &scenario and run it...", QKeySequence("Ctrl+R"), this,
                  &MainWindow::open_scenario_dialog);
  file->addSeparator();
  file->addAction("&Quit", QKeySequence::Quit, this, &QWidget::close);
  QMenu* replay = menuBar()->addMenu("&Replay");
  replay->addAction("Play / pause", QKeySequence(Qt::Key_Space), this, [this] {
    if (replay_) replay_->toggle();
  });
  replay->addAction("Step forward", QKeySequence("Ctrl+Right"), this, [this] {
    if (replay_) replay_->step_forward();
  });
  replay->addAction("Step back", QKeySequence("Ctrl+Left"), this, [this] {
    if (replay_) replay_->step_back();
  });
  replay->addAction("Go to start", QKeySequence("Ctrl+Home"), this, [this] {
    if (replay_) replay_->seek_time(0);
  });
  replay->addSeparator();
  replay->addAction("Follow the first request (the seed's Figure 4)", QKeySequence("Ctrl+F"), this,
                    [this] { follow_first_request(); });
  QMenu* view = menuBar()->addMenu("&View");
  view->addAction("Fit topology to window", this, [this] { topology_->fit_all(); });
  view->addAction("Reset topology layout", this, [this] { topology_->reset_layout(); });
  background_ = view->addAction("Show VRRP, heartbeat, sync and ICMP hops in the trail");
  background_->setCheckable(true);
  connect(background_, &QAction::toggled, this, &MainWindow::moved);
}

FlowOptions MainWindow::flow_options() const {
  FlowOptions o;
  double speed = replay_ ? replay_->clock().speed() : 1.0;
  // The trail covers ~2 s of wall time at the current speed, and at least 100 us (a walk
  // through the LANs, such as the Figure 4 flow, at the slowest speeds); a frame takes at
  // least half a wall second to cross, so LAN microseconds stay visible at any speed.
  o.window_ns = std::max<std::int64_t>(100'000, static_cast<std::int64_t>(speed * 2e9));
  o.min_flight_ns = static_cast<std::int64_t>(speed * 0.5e9);
  o.background = background_ && background_->isChecked();
  if (events_->table_model()->filtered()) o.visible = &events_->table_model()->rows();
  return o;
}

QString MainWindow::positions_file() const {
  if (!origin_scenario_.isEmpty()) {
    QFileInfo f(origin_scenario_);
    return f.dir().filePath(f.completeBaseName() + ".layout.json");
  }
  return dir_.isEmpty() ? QString() : QDir(dir_).filePath("nlbsim-gui-layout.json");
}

bool MainWindow::open_run(const QString& dir, QString* error) {
  auto model = std::make_unique<TraceModel>();
  std::string err;
  QString trace = QDir(dir).filePath("trace.jsonl");
  if (!model->load_file(trace.toStdString(), err)) {
    if (error) *error = qs(err);
    return false;
  }
  std::string merr, rerr;
  Metrics metrics;
  Report report;
  bool have_metrics = load_metrics(QDir(dir).filePath("metrics.csv").toStdString(), metrics, merr);
  bool have_report = load_report(QDir(dir).filePath("report.json").toStdString(), report, rerr);

  // Everything that refers to the old model goes before it does.
  delete replay_;
  replay_ = nullptr;
  model_ = std::move(model);
  metrics_ = std::move(metrics);
  report_ = std::move(report);
  dir_ = QFileInfo(dir).absoluteFilePath();
  last_pos_ = last_frame_event_ = static_cast<std::size_t>(-1);
  if (QFile::exists(QDir(dir).filePath("scenario.json")) && scenario_.isEmpty())
    set_scenario(QDir(dir).filePath("scenario.json"));

  replay_ = new ReplayController(*model_, {}, this);
  connect(replay_, &ReplayController::moved, this, &MainWindow::moved);
  topology_->set_run(model_.get(), positions_file());
  {
    QSignalBlocker quiet(events_);  // the other views still hold the old model: moved() comes last
    events_->set_run(model_.get());
  }
  nodes_->set_run(model_.get());
  std::vector<FaultSpec> applied = faults_of(*model_);
  charts_->set_run(metrics_, report_, applied);
  std::vector<std::pair<std::int64_t, QString>> faults;
  for (const FaultSpec& f : applied) faults.push_back({f.at_ns, qs(f.action + " " + f.target)});
  bar_->set_run(model_->end_time(), faults);
  frame_->clear();

  const Header& h = model_->header();
  setWindowTitle(QString("nlbsim-gui - %1 (%2)").arg(qs(h.scenario), dir_));
  QString note =
      QString("%1 events, %2 nodes, %3 LANs").arg(model_->size()).arg(h.nodes.size()).arg(h.lans.size());
  if (model_->stats().skipped)
    note += QString("; %1 bad lines skipped (%2)")
                .arg(model_->stats().skipped)
                .arg(qs(model_->stats().warnings[0]));
  if (!model_->stats().ended)
    note += "; the trace has no end line: cut short, or written before nlbsim wrote one";
  if (!have_metrics) note += "; no metrics: " + qs(merr);
  if (!have_report) note += "; no report: " + qs(rerr);
  status_->setText(note);
  update_injection();
  topology_->fit_all();
  moved();
  emit run_opened(dir_);
  return true;
}

void MainWindow::set_scenario(const QString& path) {
  scenario_ = path;
  if (origin_scenario_.isEmpty()) origin_scenario_ = path;
  update_injection();
}

void MainWindow::update_injection() {
  QString why;
  if (!model_)
    why = "Open a run first.";
  else if (scenario_.isEmpty())
    why =
        "This run was opened without its scenario: open the scenario (File > Open scenario) or start "
        "nlbsim-gui with --scenario FILE to inject faults.";
  else if (RunController::find_nlbsim().isEmpty())
    why =
        "The nlbsim command was not found (next to nlbsim-gui, ../cli or PATH): faults are injected by "
        "re-running it.";
  topology_->set_fault_injection(why.isEmpty(), why);
}

void MainWindow::moved() {
  if (!replay_) return;
  ReplayClock& c = replay_->clock();
  std::size_t pos = c.position();
  std::int64_t t = c.time();
  topology_->show_at(pos, t, flow_options(), c.playing() || show_in_flight_);
  bar_->show_state(t, pos, model_->size(), c.playing(), c.speed());
  charts_->set_time(t);
  if (pos == last_pos_) return;
  last_pos_ = pos;
  nodes_->show_at(pos, t);
  events_->follow(pos);
  show_frame_near(pos);
}

void MainWindow::show_frame_near(std::size_t pos) {
  // The current event's frame; for a table or state change, the frame that node handled
  // just before (the gratuitous ARP behind an ARP update), else the last frame.
  if (pos == 0) {
    frame_->clear();
    last_frame_event_ = static_cast<std::size_t>(-1);
    return;
  }
  int node = model_->event(pos - 1).node;
  std::size_t stop = pos > 2000 ? pos - 2000 : 0, any = static_cast<std::size_t>(-1), chosen = any;
  for (std::size_t i = pos; i-- > stop;) {
    const EventRecord& e = model_->event(i);
    if (e.type != EventType::Frame) continue;
    if (any == static_cast<std::size_t>(-1)) any = i;
    if (e.node == node || pos - i > 50) {
      chosen = e.node == node ? i : any;
      break;
    }
  }
  if (chosen == static_cast<std::size_t>(-1)) chosen = any;
  if (chosen == static_cast<std::size_t>(-1)) {
    frame_->clear();
  } else if (chosen != last_frame_event_) {
    frame_->show_event(*model_, chosen);
  }
  last_frame_event_ = chosen;
}

void MainWindow::event_activated(std::size_t event) {
  if (!replay_) return;
  replay_->pause();
  replay_->seek_event(event);
  const EventRecord& e = model_->event(event);
  if (e.node >= 0) nodes_->select_node(e.node);
}

void MainWindow::seek_event(std::size_t i) {
  if (!replay_ || model_->size() == 0) return;
  event_activated(std::min(i, model_->size() - 1));
}

void MainWindow::seek_time(std::int64_t t) {
  if (replay_) replay_->seek_time(t);
}

void MainWindow::select_node(int node) { nodes_->select_node(node); }

bool MainWindow::follow_first_request(bool to_end) {
  if (!model_) return false;
  const FlowWalk& f = report_.flow;
  if (!f.seen || f.client_endpoint.empty() || f.arp_for.empty()) {
    status_->setText("No first request to follow: report.json has no Figure 4 flow.");
    return false;
  }
  events_->set_connection_filter(qs(f.client_endpoint + ", " + f.arp_for));
  const Header& h = model_->header();
  int asker = h.node_by_name(f.arp_request_by), server = h.node_by_name(f.server);
  std::optional<std::size_t> request, reached;
  for (std::uint32_t i : events_->table_model()->rows()) {
    const EventRecord& e = model_->event(i);
    if (e.type != EventType::Frame || e.t < f.start_ns) continue;
    if (!request && e.dir == Dir::Tx && e.kind == FrameKind::Arp && e.node == asker) request = i;
    if (request && e.dir == Dir::Rx && e.node == server) {
      reached = i;
      break;
    }
  }
  if (!request || !reached) {
    status_->setText("The first request's ARP request or its arrival at the server is not in the trace.");
    return false;
  }
  replay_->pause();
  // 2 us of simulated time per wall second: a LAN crossing of a few microseconds takes a
  // second or two, the walk about ten.
  replay_->set_speed(2e-6);
  if (to_end) {
    event_activated(*reached);
  } else {
    replay_->seek_time(model_->event(*request).t - 1);
    nodes_->select_node(asker);
  }
  status_->setText(QString("Following %1's first request %2 -> %3: press play (Space) or step (Ctrl+Right).")
                       .arg(qs(f.client), qs(f.client_endpoint), qs(f.cluster_endpoint)));
  return true;
}

void MainWindow::open_dialog() {
  QString dir =
      QFileDialog::getExistingDirectory(this, "Open a run directory (trace.jsonl, metrics.csv, report.json)");
  if (dir.isEmpty()) return;
  QString error;
  scenario_.clear();
  origin_scenario_.clear();
  if (!open_run(dir, &error)) warn(this, "Cannot open the run:\n" + error);
}

void MainWindow::open_scenario_dialog() {
  QString file = QFileDialog::getOpenFileName(this, "Open a scenario", QString(), "Scenarios (*.json)");
  if (file.isEmpty()) return;
  origin_scenario_.clear();
  run_scenario(file);
}

void MainWindow::run_scenario(const QString& path) {
  run_dir_ = std::make_unique<QTemporaryDir>();
  QString out = run_dir_->filePath("run");
  QString error;
  if (!runner_->start(path, out, &error)) {
    status_->setText(error);
    emit run_failed(error);
    warn(this, error);
    return;
  }
  scenario_ = path;
  if (origin_scenario_.isEmpty()) origin_scenario_ = path;
  progress_ =
      new QProgressDialog("Running nlbsim on " + QFileInfo(path).fileName() + "...", "Cancel", 0, 0, this);
  progress_->setWindowModality(Qt::WindowModal);
  progress_->setMinimumDuration(300);
  connect(progress_, &QProgressDialog::canceled, runner_, &RunController::cancel);
  connect(runner_, &RunController::progress, progress_, [this](const QString& line, double fraction) {
    if (!progress_) return;
    progress_->setLabelText(line);
    if (fraction < 0) return;
    progress_->setMaximum(1000);  // from a busy bar to a fraction once nlbsim says how far it is
    progress_->setValue(static_cast<int>(fraction * 1000));
  });
}

void MainWindow::run_finished(bool ok, const QString& dir, const QString& message) {
  if (progress_) {
    progress_->deleteLater();
    progress_ = nullptr;
  }
  QString error;
  if (!ok || !open_run(dir, &error)) {
    QString text = ok ? error : message;
    status_->setText("Run failed: " + text);
    emit run_failed(text);
    if (isVisible() && message != "cancelled") warn(this, "The run failed:\n" + text);
    return;
  }
  set_scenario(scenario_);
  status_->setText(status_->text() + "; " + message);
  if (pending_seek_ >= 0) {
    seek_time(pending_seek_);
    pending_seek_ = -1;
  }
}

void MainWindow::inject_fault(int node, int lan, const QString& action) {
  if (!model_ || scenario_.isEmpty()) return;
  QFile f(scenario_);
  if (!f.open(QIODevice::ReadOnly)) {
    warn(this, scenario_ + ": " + f.errorString());
    return;
  }
  InjectedFault fault;
  fault.at_ns = replay_->clock().time();
  fault.action = action.toStdString();
  if (node >= 0) fault.node = model_->header().nodes[node].name;
  if (lan >= 0) fault.lan = model_->header().lans[lan].name;
  std::string text, error;
  if (!add_fault(f.readAll().toStdString(), QFileInfo(scenario_).absolutePath().toStdString(), fault, text,
                 error)) {
    warn(this, "Cannot add the fault to " + scenario_ + ":\n" + qs(error));
    return;
  }
  // The copy lives beside the run's outputs, in a directory that stays until the next run.
  auto keep = std::make_unique<QTemporaryDir>();
  QString copy = keep->filePath(QFileInfo(scenario_).completeBaseName() + "-" + action + ".json");
  QFile out(copy);
  if (!out.open(QIODevice::WriteOnly) || out.write(QByteArray::fromStdString(text)) < 0) {
    warn(this, copy + ": " + out.errorString());
    return;
  }
  out.close();
  scenario_copies_.push_back(std::move(keep));
  pending_seek_ = fault.at_ns;
  status_->setText("Re-running with " + qs(timeline_entry_json(fault)));
  run_scenario(copy);
}

void MainWindow::set_show_in_flight(bool on) {
  show_in_flight_ = on;
  moved();
}

bool MainWindow::save_screenshot(const QString& file, QString* error) {
  QPixmap pm = grab();
  // Quality 0 is PNG's strongest compression: the pictures in docs/ stay small.
  if (pm.isNull() || !with_palette(pm.toImage()).save(file, nullptr, 0)) {
    if (error) *error = "cannot write " + file;
    return false;
  }
  return true;
}

}  // namespace nlb::gui
