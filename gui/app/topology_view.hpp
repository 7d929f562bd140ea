#pragma once
// The topology view: nodes drawn by role, LANs as bus lines, and the frames of the replay
// moving along them (the trail of recent hops, frames in flight, drops where they happened).
// Zoom with the wheel, pan by dragging the background, drag nodes and LANs; positions are
// saved to a JSON file beside the trace or scenario.

#include <QGraphicsScene>
#include <QGraphicsView>
#include <QString>
#include <functional>
#include <vector>

#include "gui/model/flow.hpp"
#include "gui/model/layout.hpp"
#include "gui/model/trace_model.hpp"

class QGraphicsLineItem;

namespace nlb::gui {

class NodeItem;
class LanItem;
class FlowLayer;

class TopologyView : public QGraphicsView {
  Q_OBJECT

 public:
  explicit TopologyView(QWidget* parent = nullptr);
  ~TopologyView() override;

  // Builds the scene for a run. Positions come from `positions_file` when it exists.
  void set_run(const TraceModel* model, const QString& positions_file);
  // Redraws node states, addresses and frames for replay position pos / time t.
  void show_at(std::size_t pos, std::int64_t t, const FlowOptions& o, bool animate);
  void set_fault_injection(bool enabled, const QString& why_not);
  void fit_all();
  void reset_layout();
  bool save_positions(QString* error = nullptr) const;
  const TopologyLayout& current_layout() const { return layout_; }
  // What is drawn, for tests: the trail, frames in flight and drops; a node's badge
  // ("ACTIVE", "MASTER", "DOWN", ...) and address labels.
  FlowSnapshot flow() const;
  QString node_badge(int node) const;
  QStringList node_addresses(int node) const;

 signals:
  void node_clicked(int node);
  // action: "crash", "recover", "graceful-stop", "start" (node >= 0) or "link-down",
  // "link-up" (lan >= 0): the scenario format's timeline actions.
  void fault_requested(int node, int lan, const QString& action);

 protected:
  void wheelEvent(QWheelEvent* e) override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseReleaseEvent(QMouseEvent* e) override;
  void contextMenuEvent(QContextMenuEvent* e) override;
  void drawForeground(QPainter* p, const QRectF& rect) override;

 private:
  void build_scene();
  void place_items();
  void sync_from_items();  // a node or LAN was dragged
  void update_wires();
  void update_nodes(std::size_t pos);
  void update_drops(const FlowSnapshot& s);
  void clear_scene();
  void draw_trail_caption(QPainter* p);
  QString hop_text(const Hop& h) const;

  const TraceModel* model_ = nullptr;
  QGraphicsScene scene_;
  TopologyLayout layout_;
  std::vector<NodeItem*> nodes_;
  std::vector<LanItem*> lans_;
  std::vector<std::vector<QGraphicsLineItem*>> stubs_;  // [node][interface position]
  FlowLayer* flow_ = nullptr;
  std::vector<QGraphicsItem*> drop_marks_;
  QString positions_file_;
  bool inject_enabled_ = false;
  QString inject_why_not_;
  std::int64_t time_ = 0;
  std::size_t shown_pos_ = static_cast<std::size_t>(-1);
  bool moved_ = false;
};

}  // namespace nlb::gui
