#include "gui/app/topology_view.hpp"

#include <QContextMenuEvent>
#include <QFile>
#include <QFontMetricsF>
#include <QGraphicsEllipseItem>
#include <QGraphicsItem>
#include <QGraphicsLineItem>
#include <QMenu>
#include <QPainter>
#include <QPainterPath>
#include <QSaveFile>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <map>

#include "gui/app/style.hpp"
#include "gui/model/node_tables.hpp"

namespace nlb::gui {

namespace {

constexpr double kW = kNodeWidth, kH = kNodeHeight;

QPointF qp(Point p) { return {p.x, p.y}; }

// Position in Node::interfaces of the interface with trace index `index`.
int iface_pos(const Node& n, int index) {
  for (std::size_t i = 0; i < n.interfaces.size(); ++i)
    if (n.interfaces[i].index == index) return static_cast<int>(i);
  return -1;
}

QFont small_font(double pt, bool bold = false) {
  QFont f;
  f.setPointSizeF(pt);
  f.setBold(bold);
  return f;
}

// ---- shapes by role ----

QPainterPath cloud() {
  QPainterPath p;
  p.addEllipse(QRectF(-kW / 2, -kH / 4, kW * 0.55, kH * 0.6));
  p.addEllipse(QRectF(-kW / 4, -kH / 2, kW * 0.55, kH * 0.7));
  p.addEllipse(QRectF(kW * 0.05, -kH / 3, kW * 0.45, kH * 0.65));
  p.addEllipse(QRectF(-kW / 3, 0, kW * 0.7, kH * 0.45));
  return p.simplified();
}

QPainterPath hexagon() {
  QPainterPath p;
  double w = kW / 2, h = kH / 2, c = 14;
  p.moveTo(-w, 0);
  p.lineTo(-w + c, -h);
  p.lineTo(w - c, -h);
  p.lineTo(w, 0);
  p.lineTo(w - c, h);
  p.lineTo(-w + c, h);
  p.closeSubpath();
  return p;
}

QPainterPath shape_of(Role r) {
  QPainterPath p;
  switch (r) {
    case Role::Internet:
      return cloud();
    case Role::Balancer:
      return hexagon();
    case Role::Server:
      p.addRoundedRect(QRectF(-kW * 0.32, -kH / 2, kW * 0.64, kH), 4, 4);
      return p;
    case Role::Client:
      p.addRoundedRect(QRectF(-kW / 2, -kH / 2, kW, kH * 0.78), 6, 6);
      return p;
    case Role::Router:
      p.addEllipse(QRectF(-kH / 2, -kH / 2, kH, kH));
      return p;
    default:
      p.addRect(QRectF(-kW / 2, -kH / 2, kW, kH));
      return p;
  }
}

// Role details drawn over the shape: bricks, server slots, a screen stand.
void decorate(QPainter* p, Role r) {
  p->setPen(QPen(QColor(0, 0, 0, 70), 1));
  if (r == Role::Firewall) {
    for (int row = 1; row < 4; ++row)
      p->drawLine(QPointF(-kW / 2, -kH / 2 + row * kH / 4), QPointF(kW / 2, -kH / 2 + row * kH / 4));
    for (int row = 0; row < 4; ++row)
      for (double x = -kW / 2 + (row % 2 ? 10 : 21); x < kW / 2; x += 21)
        p->drawLine(QPointF(x, -kH / 2 + row * kH / 4), QPointF(x, -kH / 2 + (row + 1) * kH / 4));
  } else if (r == Role::Server) {
    for (int k = 0; k < 3; ++k)
      p->drawLine(QPointF(-kW * 0.24, -kH / 2 + 10 + k * 9), QPointF(kW * 0.24, -kH / 2 + 10 + k * 9));
  } else if (r == Role::Client) {
    p->drawLine(QPointF(0, kH * 0.28), QPointF(0, kH / 2));
    p->drawLine(QPointF(-14, kH / 2), QPointF(14, kH / 2));
  }
}

}  // namespace

// ---- a node ----

struct AddrLine {
  QString text;
  bool alias = false;
  bool loopback = false;
};

class NodeItem : public QGraphicsItem {
 public:
  NodeItem(int node, const Node& n, std::function<void()> moved)
      : node_(node), role_(n.role), name_(QString::fromStdString(n.name)), moved_(std::move(moved)) {
    setFlags(ItemIsMovable | ItemSendsGeometryChanges | ItemIsSelectable);
    setZValue(2);
    setCursor(Qt::OpenHandCursor);
  }
  int node() const { return node_; }
  const QString& badge() const { return badge_; }
  QStringList address_texts() const {
    QStringList out;
    for (const AddrLine& l : lines_) out << l.text;
    return out;
  }

  void set_state(const QString& badge, bool active, bool down, const QString& tip) {
    prepareGeometryChange();
    badge_ = badge;
    active_ = active;
    down_ = down;
    setToolTip(tip);
    update();
  }
  void set_addresses(std::vector<AddrLine> lines) {
    prepareGeometryChange();
    lines_ = std::move(lines);
    update();
  }

  QRectF boundingRect() const override {
    QFontMetricsF fm(small_font(7.5));
    double w = kW + 30;
    for (const AddrLine& l : lines_) w = std::max(w, fm.horizontalAdvance(l.text) + 8);
    double below = kH / 2 + 6 + static_cast<double>(lines_.size()) * 12;
    return QRectF(-w / 2, -kH / 2 - 34, w, kH / 2 + 34 + below);
  }

  void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override {
    p->setRenderHint(QPainter::Antialiasing);
    QPainterPath shape = shape_of(role_);
    if (active_) {
      p->setPen(QPen(active_color(), 9, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
      p->drawPath(shape);
    }
    QColor fill = down_ ? QColor(0xcc, 0xcc, 0xcc) : role_color(role_);
    p->setPen(
        QPen(isSelected() ? QColor(0x20, 0x60, 0xc0) : QColor(0x44, 0x44, 0x44), isSelected() ? 2.5 : 1.4));
    p->setBrush(fill);
    p->drawPath(shape);
    if (!down_) decorate(p, role_);
    if (down_) {
      p->setPen(QPen(drop_color(), 4, Qt::SolidLine, Qt::RoundCap));
      p->drawLine(QPointF(-kW / 3, -kH / 3), QPointF(kW / 3, kH / 3));
      p->drawLine(QPointF(-kW / 3, kH / 3), QPointF(kW / 3, -kH / 3));
    }
    paint_name(p);
    paint_addresses(p);
  }

 protected:
  QVariant itemChange(GraphicsItemChange change, const QVariant& value) override {
    if (change == ItemPositionHasChanged && moved_) moved_();
    return QGraphicsItem::itemChange(change, value);
  }

 private:
  // The canvas colour behind a label, so that a stub passing behind the node (a large column
  // folded into sub-columns) does not cross the text.
  static void text_backdrop(QPainter* p, const QFont& f, const QString& text, double y, double height) {
    double w = QFontMetricsF(f).horizontalAdvance(text) + 4;
    p->save();
    p->setPen(Qt::NoPen);
    p->setBrush(QColor(0xfb, 0xfb, 0xf8, 235));
    p->drawRect(QRectF(-w / 2, y, w, height));
    p->restore();
  }

  void paint_name(QPainter* p) {
    p->setFont(small_font(9, true));
    text_backdrop(p, small_font(9, true), name_, -kH / 2 - 17, 15);
    p->setPen(Qt::black);
    QRectF name_rect(-kW, -kH / 2 - 18, 2 * kW, 16);
    p->drawText(name_rect, Qt::AlignCenter, name_);
    if (badge_.isEmpty()) return;
    QFont f = small_font(7, true);
    p->setFont(f);
    QFontMetricsF fm(f);
    QRectF b(-fm.horizontalAdvance(badge_) / 2 - 5, -kH / 2 - 33, fm.horizontalAdvance(badge_) + 10, 14);
    p->setPen(Qt::NoPen);
    p->setBrush(down_ ? drop_color() : active_ ? active_color() : QColor(0xe0, 0xe0, 0xe0));
    p->drawRoundedRect(b, 4, 4);
    p->setPen(down_ ? Qt::white : Qt::black);
    p->drawText(b, Qt::AlignCenter, badge_);
  }

  void paint_addresses(QPainter* p) {
    double y = kH / 2 + 4;
    for (const AddrLine& l : lines_) {
      QFont f = small_font(7.5, l.alias && !down_);
      f.setItalic(l.loopback);
      // A crashed node holds nothing any more: its addresses are greyed, its aliases struck.
      f.setStrikeOut(down_ && l.alias);
      p->setFont(f);
      text_backdrop(p, f, l.text, y, 12);
      p->setPen(down_     ? QColor(0x99, 0x99, 0x99)
                : l.alias ? QColor(0xa0, 0x30, 0x00)
                          : QColor(0x30, 0x30, 0x30));
      p->drawText(QRectF(-kW * 1.2, y, kW * 2.4, 12), Qt::AlignHCenter | Qt::AlignTop, l.text);
      y += 12;
    }
  }

  int node_;
  Role role_;
  QString name_;
  std::function<void()> moved_;
  QString badge_;
  bool active_ = false, down_ = false;
  std::vector<AddrLine> lines_;
};

// ---- a LAN: a bus line with its name and subnet ----

class LanItem : public QGraphicsItem {
 public:
  LanItem(int lan, const Lan& l, BusAxis axis, std::function<void()> moved)
      : lan_(lan),
        axis_(axis),
        name_(QString::fromStdString(l.name)),
        subnet_(QString::fromStdString(l.subnet)),
        moved_(std::move(moved)) {
    setFlags(ItemIsMovable | ItemSendsGeometryChanges);
    setZValue(1);
    setCursor(axis == BusAxis::Vertical ? Qt::SizeHorCursor : Qt::SizeVerCursor);
    setToolTip(name_ + "  " + subnet_);
  }
  int lan() const { return lan_; }
  void set_segment(QPointF a, QPointF b) {
    prepareGeometryChange();
    a_ = a - pos();
    b_ = b - pos();
    update();
  }
  void set_down(bool down) {
    if (down == down_) return;
    down_ = down;
    update();
  }
  QRectF boundingRect() const override { return QRectF(a_, b_).normalized().adjusted(-60, -40, 60, 12); }
  QPainterPath shape() const override {
    QPainterPath p;
    p.addRect(QRectF(a_, b_).normalized().adjusted(-7, -7, 7, 7));
    return p;
  }
  void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override {
    p->setRenderHint(QPainter::Antialiasing);
    QPen pen(down_ ? drop_color() : QColor(0x4a, 0x5a, 0x70), 6, down_ ? Qt::DashLine : Qt::SolidLine,
             Qt::RoundCap);
    p->setPen(pen);
    p->drawLine(a_, b_);
    QPointF top = a_.y() < b_.y() || axis_ == BusAxis::Horizontal ? a_ : b_;
    p->setPen(down_ ? drop_color() : QColor(0x2a, 0x3a, 0x50));
    p->setFont(small_font(8, true));
    QRectF r(top.x() - 70, top.y() - 34, 140, 14);
    if (axis_ == BusAxis::Horizontal) r = QRectF(top.x() - 150, top.y() - 22, 140, 14);
    int align = axis_ == BusAxis::Horizontal ? Qt::AlignRight | Qt::AlignVCenter : Qt::AlignCenter;
    p->drawText(r, align, name_ + (down_ ? " (down)" : ""));
    p->setFont(small_font(7.5));
    p->drawText(r.translated(0, 13), align, subnet_);
  }

 protected:
  QVariant itemChange(GraphicsItemChange change, const QVariant& value) override {
    // A bus moves only across its own direction: along it, its length follows the stubs.
    if (change == ItemPositionChange) {
      QPointF p = value.toPointF();
      if (axis_ == BusAxis::Vertical) p.setY(pos().y());
      if (axis_ == BusAxis::Horizontal) p.setX(pos().x());
      return p;
    }
    if (change == ItemPositionHasChanged && moved_) moved_();
    return QGraphicsItem::itemChange(change, value);
  }

 private:
  int lan_;
  BusAxis axis_;
  QString name_, subnet_;
  std::function<void()> moved_;
  QPointF a_, b_;
  bool down_ = false;
};

// ---- frames: the trail, the frames in flight, the current hop's label ----

class FlowLayer : public QGraphicsItem {
 public:
  FlowLayer(const TraceModel* m, const TopologyLayout* l) : m_(m), l_(l) {
    setZValue(3);
    setAcceptedMouseButtons(Qt::NoButton);
  }
  void set(FlowSnapshot s, std::int64_t t, std::int64_t min_flight, bool animate) {
    prepareGeometryChange();
    s_ = std::move(s);
    t_ = t;
    min_flight_ = min_flight;
    animate_ = animate;
    update();
  }
  void set_bounds(QRectF r) {
    prepareGeometryChange();
    bounds_ = r;
  }
  QRectF boundingRect() const override { return bounds_; }
  void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override {
    p->setRenderHint(QPainter::Antialiasing);
    int n = static_cast<int>(s_.trail.size());
    for (int k = n - 1; k >= 0; --k) paint_hop(p, s_.trail[k], k, n);
    if (animate_)
      for (const Hop& h : s_.in_flight) paint_dots(p, h);
  }
  const FlowSnapshot& snapshot() const { return s_; }

 private:
  QPointF stub_end(int node, int iface, bool at_node) const {
    const Node& n = m_->header().nodes[node];
    int i = iface_pos(n, iface);
    if (i < 0) return qp(l_->nodes[node]);
    Segment s = stub(m_->header(), *l_, node, i);
    return qp(at_node ? s.a : s.b);
  }

  // Sender edge -> bus -> receiver edge, for each copy; offset so parallel hops stay apart.
  std::vector<QPolygonF> paths(const Hop& h, QPointF offset) const {
    const EventRecord& tx = m_->event(h.tx);
    QPointF a = stub_end(tx.node, tx.iface, true) + offset, b = stub_end(tx.node, tx.iface, false) + offset;
    std::vector<QPolygonF> out;
    for (auto r : h.rx) {
      const EventRecord& e = m_->event(r);
      if (e.node < 0) continue;
      QPolygonF poly;
      poly << a << b << stub_end(e.node, e.iface, false) + offset << stub_end(e.node, e.iface, true) + offset;
      out.push_back(poly);
    }
    if (out.empty()) out.push_back(QPolygonF() << a << b);
    return out;
  }

  static void arrow_head(QPainter* p, QPointF from, QPointF to, QColor c, double size) {
    QLineF line(to, from);
    if (line.length() < 1) return;
    line.setLength(size);
    QLineF l1 = line, l2 = line;
    l1.setAngle(line.angle() + 28);
    l2.setAngle(line.angle() - 28);
    QPolygonF head;
    head << to << l1.p2() << l2.p2();
    p->setPen(Qt::NoPen);
    p->setBrush(c);
    p->drawPolygon(head);
  }

  void paint_hop(QPainter* p, const Hop& h, int rank, int count) {
    const EventRecord& tx = m_->event(h.tx);
    bool current = s_.current_hop && s_.current_hop->tx == h.tx;
    QColor c = kind_color(tx.kind);
    c.setAlpha(current ? 255 : std::max(90, 230 - rank * 30));
    double k = rank - (count - 1) / 2.0;
    QPointF off(k * 6, k * 6);
    for (const QPolygonF& poly : paths(h, off)) {
      p->setPen(QPen(c, current ? 4.5 : 2.5, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
      p->setBrush(Qt::NoBrush);
      p->drawPolyline(poly);
      const EventRecord& last = m_->event(h.rx.empty() ? h.tx : h.rx.front());
      bool dropped = last.dir == Dir::Drop;
      if (poly.size() >= 2 && !dropped)
        arrow_head(p, poly[poly.size() - 2], poly.back(), c, current ? 14 : 10);
    }
    // The hop's number in the sequence, oldest = 1, at the sender's stub.
    QPolygonF first = paths(h, off).front();
    QPointF at = (first[0] + first[1]) / 2;
    p->setPen(QPen(Qt::white, 1.5));
    p->setBrush(c);
    p->drawEllipse(at, 9, 9);
    p->setFont(small_font(7.5, true));
    p->drawText(QRectF(at.x() - 9, at.y() - 9, 18, 18), Qt::AlignCenter, QString::number(count - rank));
  }

  void paint_dots(QPainter* p, const Hop& h) {
    double span = static_cast<double>(std::max(h.arrived - h.sent, min_flight_));
    double f = span <= 0 ? 1.0 : std::clamp(static_cast<double>(t_ - h.sent) / span, 0.0, 1.0);
    QColor c = kind_color(m_->event(h.tx).kind);
    for (const QPolygonF& poly : paths(h, {})) {
      QPointF at = along(poly, f);
      p->setPen(QPen(QColor(0x20, 0x20, 0x20), 1.5));
      p->setBrush(c);
      p->drawEllipse(at, 10, 10);
    }
  }

  static QPointF along(const QPolygonF& poly, double f) {
    double total = 0;
    for (int i = 1; i < poly.size(); ++i) total += QLineF(poly[i - 1], poly[i]).length();
    double want = f * total;
    for (int i = 1; i < poly.size(); ++i) {
      double len = QLineF(poly[i - 1], poly[i]).length();
      if (want <= len && len > 0) return poly[i - 1] + (poly[i] - poly[i - 1]) * (want / len);
      want -= len;
    }
    return poly.back();
  }

  const TraceModel* m_;
  const TopologyLayout* l_;
  FlowSnapshot s_;
  std::int64_t t_ = 0, min_flight_ = 0;
  bool animate_ = false;
  QRectF bounds_;
};

// A red mark where frames were dropped; the tooltip says how many, why, and when.
class DropMark : public QGraphicsEllipseItem {
 public:
  DropMark(QPointF at, int count, const QString& tip) : QGraphicsEllipseItem(-9, -9, 18, 18), count_(count) {
    setPos(at);
    setZValue(4);
    setPen(QPen(Qt::white, 1.5));
    setBrush(drop_color());
    setToolTip(tip);
  }
  void paint(QPainter* p, const QStyleOptionGraphicsItem* o, QWidget* w) override {
    p->setRenderHint(QPainter::Antialiasing);
    QGraphicsEllipseItem::paint(p, o, w);
    p->setPen(QPen(Qt::white, 2.2, Qt::SolidLine, Qt::RoundCap));
    p->drawLine(QPointF(-4, -4), QPointF(4, 4));
    p->drawLine(QPointF(-4, 4), QPointF(4, -4));
    if (count_ > 1) {
      p->setPen(drop_color());
      p->setFont(small_font(7.5, true));
      p->drawText(QRectF(10, -8, 40, 16), Qt::AlignLeft | Qt::AlignVCenter, QString("x%1").arg(count_));
    }
  }

 private:
  int count_;
};

// ---- the view ----

TopologyView::TopologyView(QWidget* parent) : QGraphicsView(parent) {
  setScene(&scene_);
  setRenderHint(QPainter::Antialiasing);
  setDragMode(QGraphicsView::ScrollHandDrag);
  setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
  setViewportUpdateMode(QGraphicsView::FullViewportUpdate);
  setBackgroundBrush(QColor(0xfb, 0xfb, 0xf8));
  // Pan by dragging the background, zoom with the wheel: no scroll bars on the canvas.
  setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
}

TopologyView::~TopologyView() { clear_scene(); }

void TopologyView::clear_scene() {
  // Items hold callbacks into this view: remove them first, then forget them.
  for (NodeItem* n : nodes_) n->setFlag(QGraphicsItem::ItemSendsGeometryChanges, false);
  for (LanItem* l : lans_) l->setFlag(QGraphicsItem::ItemSendsGeometryChanges, false);
  scene_.clear();
  nodes_.clear();
  lans_.clear();
  stubs_.clear();
  drop_marks_.clear();
  flow_ = nullptr;
}

void TopologyView::set_run(const TraceModel* model, const QString& positions_file) {
  model_ = model;
  positions_file_ = positions_file;
  shown_pos_ = static_cast<std::size_t>(-1);
  layout_ = compute_layout(model->header());
  QFile f(positions_file);
  if (!positions_file.isEmpty() && f.open(QIODevice::ReadOnly)) {
    SavedPositions saved;
    std::string error;
    if (parse_positions(f.readAll().toStdString(), saved, error))
      apply_positions(model->header(), saved, layout_);
  }
  build_scene();
}

void TopologyView::build_scene() {
  clear_scene();
  const Header& h = model_->header();
  auto moved = [this] { sync_from_items(); };
  for (std::size_t i = 0; i < h.lans.size(); ++i) {
    auto* item = new LanItem(static_cast<int>(i), h.lans[i], layout_.axis, moved);
    scene_.addItem(item);
    lans_.push_back(item);
  }
  stubs_.resize(h.nodes.size());
  for (std::size_t n = 0; n < h.nodes.size(); ++n) {
    for (std::size_t i = 0; i < h.nodes[n].interfaces.size(); ++i) {
      auto* line = scene_.addLine(QLineF(), QPen(QColor(0x55, 0x60, 0x70), 2));
      line->setZValue(0.5);
      stubs_[n].push_back(line);
    }
    auto* item = new NodeItem(static_cast<int>(n), h.nodes[n], moved);
    scene_.addItem(item);
    nodes_.push_back(item);
  }
  flow_ = new FlowLayer(model_, &layout_);
  scene_.addItem(flow_);
  place_items();
}

void TopologyView::place_items() {
  // Moving items fires their callbacks; ignore those while placing.
  auto* keep = model_;
  model_ = nullptr;
  for (std::size_t n = 0; n < nodes_.size(); ++n) nodes_[n]->setPos(qp(layout_.nodes[n]));
  for (std::size_t l = 0; l < lans_.size(); ++l) lans_[l]->setPos(qp(layout_.lans[l]));
  model_ = keep;
  update_wires();
}

void TopologyView::sync_from_items() {
  if (!model_) return;
  for (std::size_t n = 0; n < nodes_.size(); ++n)
    layout_.nodes[n] = {nodes_[n]->pos().x(), nodes_[n]->pos().y()};
  for (std::size_t l = 0; l < lans_.size(); ++l) layout_.lans[l] = {lans_[l]->pos().x(), lans_[l]->pos().y()};
  moved_ = true;
  update_wires();
}

void TopologyView::update_wires() {
  const Header& h = model_->header();
  for (std::size_t n = 0; n < stubs_.size(); ++n)
    for (std::size_t i = 0; i < stubs_[n].size(); ++i) {
      Segment s = stub(h, layout_, static_cast<int>(n), static_cast<int>(i));
      stubs_[n][i]->setLine(QLineF(qp(s.a), qp(s.b)));
      stubs_[n][i]->setVisible(!h.nodes[n].interfaces[i].loopback && h.nodes[n].interfaces[i].lan >= 0);
    }
  for (std::size_t l = 0; l < lans_.size(); ++l) {
    Segment b = bus(h, layout_, static_cast<int>(l));
    lans_[l]->set_segment(qp(b.a), qp(b.b));
  }
  // The topology's extent: nodes and LANs only (the frame layer and marks follow it).
  QRectF r;
  for (NodeItem* n : nodes_) r |= n->sceneBoundingRect();
  for (LanItem* l : lans_) r |= l->sceneBoundingRect();
  if (flow_) flow_->set_bounds(r.adjusted(-300, -300, 300, 300));
  scene_.setSceneRect(r.adjusted(-40, -40, 40, 40));
}

namespace {

std::vector<AddrLine> address_lines(const NodeTables& t) {
  std::vector<AddrLine> out;
  for (const IfaceRow& i : t.interfaces) {
    for (const AddrRow& a : i.addresses) {
      // Every node has 127.0.0.1/8; only the loopback's other addresses (the cluster
      // address on the balancers and servers) say something.
      if (i.loopback && (a.ip >> 24) == 127) continue;
      QString text = QString::fromStdString(i.name + " " + ip_str(a.ip) +
                                            (a.len == 32 ? "" : "/" + std::to_string(a.len)));
      if (a.alias) text += " (alias)";
      out.push_back({text, a.alias, i.loopback});
    }
  }
  return out;
}

// "ACTIVE" for the active balancer, "MASTER" for a VRRP master, else the state, if any.
QString badge_of(const NodeStatus& s, Role r) {
  if (const char* b = s.faults.badge()) return b;
  if (!s.ha.empty()) return QString::fromStdString(s.ha).toUpper();
  if (r == Role::Firewall || r == Role::Router) {
    bool master = false, backup = false;
    for (const StateRow& m : s.machines) {
      if (!m.machine.starts_with("vrrp")) continue;
      master = master || m.state == "master";
      backup = backup || m.state == "backup";
    }
    if (master) return "MASTER";
    if (backup) return "BACKUP";
  }
  return {};
}

QString status_tip(const NodeStatus& s) {
  QString tip;
  for (const StateRow& m : s.machines)
    tip +=
        QString::fromStdString(m.machine + ": " + m.state + (m.why.empty() ? "" : " (" + m.why + ")")) + "\n";
  return tip.trimmed();
}

}  // namespace

void TopologyView::update_nodes(std::size_t pos) {
  const Header& h = model_->header();
  auto status = fold_status(*model_, pos);
  for (std::size_t n = 0; n < nodes_.size(); ++n) {
    NodeTables t = fold_node(*model_, static_cast<int>(n), pos, kFoldStatus);
    nodes_[n]->set_addresses(address_lines(t));
    const NodeFaults& f = status[n].faults;
    nodes_[n]->set_state(badge_of(status[n], h.nodes[n].role), status[n].active(),
                         f.down || f.stopped || f.frozen, status_tip(status[n]));
    for (std::size_t i = 0; i < stubs_[n].size(); ++i) {
      bool cut = f.link_down(h.nodes[n].interfaces[i].index);
      stubs_[n][i]->setPen(cut ? QPen(drop_color(), 2, Qt::DashLine) : QPen(QColor(0x55, 0x60, 0x70), 2));
    }
  }
  auto down = fold_lans_down(*model_, pos);
  for (std::size_t l = 0; l < lans_.size(); ++l) lans_[l]->set_down(down[l]);
}

void TopologyView::update_drops(const FlowSnapshot& s) {
  for (QGraphicsItem* i : drop_marks_) {
    scene_.removeItem(i);
    delete i;
  }
  drop_marks_.clear();
  // One mark per place (node and LAN) and reason.
  struct Group {
    int count = 0;
    std::int64_t last = 0;
    int node = -1, iface = -1, lan = -1;
    std::string reason;
  };
  std::map<std::tuple<int, int, int, std::string>, Group> groups;
  for (auto i : s.drops) {
    const EventRecord& e = model_->event(i);
    std::string reason = model_->text(model_->frame(e).reason);
    // A drop inside a LAN names the port: shown on the cable of the node on that port.
    Group& g = groups[{e.node, e.lan, e.node < 0 ? e.iface : -1, reason}];
    if (g.count++ == 0) g = {1, e.t, e.node, e.iface, e.lan, reason};
  }
  const Header& h = model_->header();
  for (auto& [key, g] : groups) {
    QPointF at;
    QString where;
    int pos = g.node >= 0 ? iface_pos(h.nodes[g.node], g.iface) : -1;
    auto [owner, owner_if] = g.node < 0 && g.lan >= 0 ? h.at_port(g.lan, g.iface) : std::pair{-1, -1};
    int owner_pos = owner >= 0 ? iface_pos(h.nodes[owner], owner_if) : -1;
    if (pos >= 0) {
      Segment st = stub(h, layout_, g.node, pos);
      at = qp(st.a) + (qp(st.b) - qp(st.a)) * 0.35;
      where = QString::fromStdString(h.nodes[g.node].name);
    } else if (owner_pos >= 0) {
      Segment st = stub(h, layout_, owner, owner_pos);
      at = qp(st.a) + (qp(st.b) - qp(st.a)) * 0.8;
      where = QString::fromStdString(h.lans[g.lan].name + " " + h.port_name(g.lan, g.iface));
    } else if (g.lan >= 0) {
      Segment b = bus(h, layout_, g.lan);
      at = (qp(b.a) + qp(b.b)) / 2;
      where = QString::fromStdString(h.lans[g.lan].name);
    } else {
      continue;
    }
    QString tip = QString("%1 frame(s) dropped at %2: %3\nlast at %4")
                      .arg(g.count)
                      .arg(where, QString::fromStdString(g.reason), QString::fromStdString(time_str(g.last)));
    auto* mark = new DropMark(at, g.count, tip);
    scene_.addItem(mark);
    drop_marks_.push_back(mark);
  }
}

void TopologyView::show_at(std::size_t pos, std::int64_t t, const FlowOptions& o, bool animate) {
  if (!model_) return;
  time_ = t;
  if (pos != shown_pos_) {
    update_nodes(pos);
    shown_pos_ = pos;
  }
  FlowSnapshot s = flow_at(*model_, pos, t, o);
  update_drops(s);
  flow_->set(std::move(s), t, o.min_flight_ns, animate);
}

FlowSnapshot TopologyView::flow() const { return flow_ ? flow_->snapshot() : FlowSnapshot{}; }

QString TopologyView::node_badge(int node) const {
  return node >= 0 && static_cast<std::size_t>(node) < nodes_.size() ? nodes_[node]->badge() : QString();
}

QStringList TopologyView::node_addresses(int node) const {
  return node >= 0 && static_cast<std::size_t>(node) < nodes_.size() ? nodes_[node]->address_texts()
                                                                     : QStringList();
}

void TopologyView::set_fault_injection(bool enabled, const QString& why_not) {
  inject_enabled_ = enabled;
  inject_why_not_ = why_not;
}

void TopologyView::fit_all() {
  if (scene_.items().isEmpty()) return;
  // The topology goes between the legend (top) and the trail caption (bottom-left).
  constexpr double kLegend = 26, kCaption = 6 * 16 + 26;
  QRectF r = scene_.sceneRect();
  double w = viewport()->width(), h = viewport()->height() - kLegend - kCaption;
  if (w <= 0 || h <= 0 || r.isEmpty()) return;
  double s = std::min(w / r.width(), h / r.height());
  // A canvas larger than the topology, so it can be placed anywhere in the view and panned.
  setSceneRect(r.adjusted(-r.width(), -r.height(), r.width(), r.height()));
  setTransform(QTransform::fromScale(s, s));
  centerOn(r.center().x(), r.center().y() + (kCaption - kLegend) / 2 / s);
}

void TopologyView::reset_layout() {
  if (!model_) return;
  layout_ = compute_layout(model_->header());
  place_items();
  shown_pos_ = static_cast<std::size_t>(-1);
  fit_all();
}

bool TopologyView::save_positions(QString* error) const {
  if (!model_ || positions_file_.isEmpty()) return false;
  QSaveFile f(positions_file_);
  if (!f.open(QIODevice::WriteOnly)) {
    if (error) *error = positions_file_ + ": " + f.errorString();
    return false;
  }
  f.write(QByteArray::fromStdString(positions_json(positions_of(model_->header(), layout_))));
  return f.commit();
}

void TopologyView::wheelEvent(QWheelEvent* e) {
  double factor = std::pow(1.15, e->angleDelta().y() / 120.0);
  scale(factor, factor);
}

void TopologyView::mousePressEvent(QMouseEvent* e) {
  if (auto* n = dynamic_cast<NodeItem*>(itemAt(e->pos()))) emit node_clicked(n->node());
  QGraphicsView::mousePressEvent(e);
}

void TopologyView::mouseReleaseEvent(QMouseEvent* e) {
  QGraphicsView::mouseReleaseEvent(e);
  if (moved_) {
    moved_ = false;
    save_positions();
  }
}

void TopologyView::contextMenuEvent(QContextMenuEvent* e) {
  if (!model_) return;
  QMenu menu(this);
  menu.setToolTipsVisible(true);
  QString at = QString::fromStdString(time_str(time_));
  auto add_fault = [&](const QString& text, int node, int lan, const QString& action) {
    QAction* a = menu.addAction(text);
    a->setEnabled(inject_enabled_);
    a->setToolTip(inject_enabled_ ? "Write a copy of the scenario with this fault in its timeline and run it"
                                  : inject_why_not_);
    connect(a, &QAction::triggered, this,
            [this, node, lan, action] { emit fault_requested(node, lan, action); });
  };
  QGraphicsItem* item = itemAt(e->pos());
  if (auto* n = dynamic_cast<NodeItem*>(item)) {
    QString name = QString::fromStdString(model_->header().nodes[n->node()].name);
    menu.addAction("Show " + name + "'s tables", this, [this, n] { emit node_clicked(n->node()); });
    menu.addSeparator();
    add_fault("Crash " + name + " at " + at + " and re-run", n->node(), -1, "crash");
    add_fault("Recover " + name + " at " + at + " and re-run", n->node(), -1, "recover");
    add_fault("Stop " + name + " gracefully at " + at + " and re-run", n->node(), -1, "graceful-stop");
    add_fault("Start " + name + " at " + at + " and re-run", n->node(), -1, "start");
  } else if (auto* l = dynamic_cast<LanItem*>(item)) {
    QString name = QString::fromStdString(model_->header().lans[l->lan()].name);
    add_fault("Take " + name + " down at " + at + " and re-run", -1, l->lan(), "link-down");
    add_fault("Bring " + name + " up at " + at + " and re-run", -1, l->lan(), "link-up");
  }
  if (!menu.isEmpty()) menu.addSeparator();
  menu.addAction("Fit to window", this, &TopologyView::fit_all);
  menu.addAction("Reset layout", this, &TopologyView::reset_layout);
  menu.exec(e->globalPos());
}

void TopologyView::drawForeground(QPainter* p, const QRectF&) {
  // The legend, fixed in the view's top-left corner whatever the zoom.
  p->save();
  p->resetTransform();
  p->setRenderHint(QPainter::Antialiasing);
  QFont f = small_font(7.5);
  p->setFont(f);
  QFontMetricsF fm(f);
  const FrameKind kinds[] = {
      FrameKind::Arp, FrameKind::Garp,        FrameKind::Vrrp,         FrameKind::Heartbeat, FrameKind::Sync,
      FrameKind::Tcp, FrameKind::HttpRequest, FrameKind::HttpResponse, FrameKind::Udp,       FrameKind::Icmp};
  double x = 8, y = 8;
  for (FrameKind k : kinds) {
    QString label = kind_label(k);
    double w = fm.horizontalAdvance(label) + 22;
    p->setPen(Qt::NoPen);
    p->setBrush(QColor(255, 255, 255, 220));
    p->drawRect(QRectF(x - 2, y - 2, w, 16));
    p->setBrush(kind_color(k));
    p->drawEllipse(QRectF(x + 1, y + 2, 9, 9));
    p->setPen(QColor(0x33, 0x33, 0x33));
    p->drawText(QRectF(x + 13, y - 1, w, 15), Qt::AlignLeft | Qt::AlignVCenter, label);
    x += w + 4;
  }
  p->setPen(Qt::NoPen);
  p->setBrush(drop_color());
  p->drawEllipse(QRectF(x + 1, y + 2, 9, 9));
  p->setPen(QColor(0x33, 0x33, 0x33));
  p->drawText(QRectF(x + 13, y - 1, 60, 15), Qt::AlignLeft | Qt::AlignVCenter, "drop");
  draw_trail_caption(p);
  p->restore();
}

QString TopologyView::hop_text(const Hop& h) const {
  const Header& hd = model_->header();
  const EventRecord& tx = model_->event(h.tx);
  QStringList to;
  for (auto i : h.rx) {
    const EventRecord& e = model_->event(i);
    if (e.node < 0) continue;
    QString name = QString::fromStdString(hd.nodes[e.node].name);
    if (e.dir == Dir::Drop)
      name += QString(" (DROPPED: %1)").arg(QString::fromStdString(model_->text(model_->frame(e).reason)));
    if (!to.contains(name)) to << name;
  }
  auto s = model_->summary(h.tx);
  // The Ethernet destination shows what the seed is about: who resolved whom, and the
  // balancer rewriting only that address.
  auto b = model_->frame_bytes(tx);
  QString dst;
  if (b.size() >= 6) {
    std::uint64_t mac = 0;
    for (int i = 0; i < 6; ++i) mac = (mac << 8) | b[static_cast<std::size_t>(i)];
    dst = mac == 0xffffffffffffULL ? " [to broadcast]"
                                   : QString(" [to %1]").arg(QString::fromStdString(mac_str(mac)));
  }
  return QString("%1 -> %2: %3%4")
      .arg(QString::fromStdString(hd.nodes[tx.node].name),
           to.isEmpty() ? QString("(no receiver)") : to.join(", "),
           QString::fromUtf8(s.data(), static_cast<int>(s.size())), dst);
}

void TopologyView::draw_trail_caption(QPainter* p) {
  if (!model_ || !flow_) return;
  const FlowSnapshot& s = flow_->snapshot();
  if (s.trail.empty()) return;
  QFont f = small_font(8);
  QFont bold = small_font(8, true);
  QFontMetricsF fm(bold);
  int n = static_cast<int>(s.trail.size());
  double line = 16, w = 0;
  std::vector<QString> texts;
  for (int k = n - 1; k >= 0; --k) {
    texts.push_back(hop_text(s.trail[static_cast<std::size_t>(k)]));
    w = std::max(w, fm.horizontalAdvance(texts.back()));
  }
  w = std::min(w + 34, viewport()->width() - 16.0);
  QRectF box(8, viewport()->height() - 10 - n * line - 6, w, n * line + 6);
  p->setPen(QPen(QColor(0xcc, 0xcc, 0xcc)));
  p->setBrush(QColor(255, 255, 255, 230));
  p->drawRoundedRect(box, 4, 4);
  for (int i = 0; i < n; ++i) {
    const Hop& h = s.trail[static_cast<std::size_t>(n - 1 - i)];
    bool current = s.current_hop && s.current_hop->tx == h.tx;
    QPointF c(box.left() + 12, box.top() + 3 + i * line + line / 2);
    p->setPen(Qt::NoPen);
    p->setBrush(kind_color(model_->event(h.tx).kind));
    p->drawEllipse(c, 7, 7);
    p->setPen(Qt::white);
    p->setFont(small_font(7, true));
    p->drawText(QRectF(c.x() - 7, c.y() - 7, 14, 14), Qt::AlignCenter, QString::number(i + 1));
    p->setPen(Qt::black);
    p->setFont(current ? bold : f);
    QString text = fm.elidedText(texts[static_cast<std::size_t>(i)], Qt::ElideRight, box.width() - 30);
    p->drawText(QRectF(c.x() + 12, c.y() - line / 2, box.width() - 30, line),
                Qt::AlignLeft | Qt::AlignVCenter, text);
  }
}

}  // namespace nlb::gui
