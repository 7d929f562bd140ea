#include "gui/app/node_inspector.hpp"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QScrollArea>
#include <QTableWidget>
#include <QVBoxLayout>

#include "gui/app/style.hpp"

namespace nlb::gui {

namespace {

constexpr int kMaxConnRows = 500;  // a big table shows its first rows and says how many

QString qs(const std::string& s) { return QString::fromStdString(s); }

QTableWidget* make_table(const QStringList& headers) {
  auto* t = new QTableWidget(0, static_cast<int>(headers.size()));
  t->setHorizontalHeaderLabels(headers);
  t->verticalHeader()->hide();
  t->verticalHeader()->setDefaultSectionSize(19);
  t->horizontalHeader()->setStretchLastSection(true);
  t->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft);
  t->setEditTriggers(QAbstractItemView::NoEditTriggers);
  t->setSelectionMode(QAbstractItemView::NoSelection);
  t->setWordWrap(false);
  t->setFocusPolicy(Qt::NoFocus);
  t->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  t->setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
  return t;
}

QLabel* section(const QString& text) {
  auto* l = new QLabel("<b>" + text + "</b>");
  l->setContentsMargins(0, 6, 0, 0);
  return l;
}

// Shows every row up to `max_rows` without a scroll bar of its own.
void fit_height(QTableWidget* t, int max_rows) {
  int rows = std::min(std::max(t->rowCount(), 1), max_rows);
  t->setFixedHeight(t->horizontalHeader()->height() + rows * t->verticalHeader()->defaultSectionSize() + 4);
}

void set_row(QTableWidget* t, int row, const QStringList& cells, const QColor& fg = QColor(),
             bool bold = false) {
  for (int c = 0; c < cells.size(); ++c) {
    auto* item = new QTableWidgetItem(cells[c]);
    if (fg.isValid()) item->setForeground(fg);
    if (bold) {
      QFont f = item->font();
      f.setBold(true);
      item->setFont(f);
    }
    t->setItem(row, c, item);
  }
}

QString since(std::int64_t t) { return qs(time_str(t)); }

}  // namespace

NodeInspector::NodeInspector(QWidget* parent) : QWidget(parent) {
  node_ = new QComboBox;
  status_ = new QLabel;
  status_->setWordWrap(true);
  ifaces_ = make_table({"if", "address", "", "LAN", "MAC"});
  arp_ = make_table({"if", "IP", "MAC", "state", "since"});
  routes_ = make_table({"destination", "via", "if", "kind"});
  states_ = make_table({"machine", "state", "since", "why"});
  conns_ = make_table({"client", "cluster", "server", "", "since"});
  conns_title_ = section("Connection table");

  auto* body = new QWidget;
  auto* v = new QVBoxLayout(body);
  v->setContentsMargins(4, 0, 4, 4);
  v->setSpacing(2);
  v->addWidget(status_);
  v->addWidget(section("Interfaces"));
  v->addWidget(ifaces_);
  v->addWidget(section("ARP table"));
  v->addWidget(arp_);
  v->addWidget(section("Routes"));
  v->addWidget(routes_);
  v->addWidget(section("VRRP / HA state"));
  v->addWidget(states_);
  v->addWidget(conns_title_);
  v->addWidget(conns_);
  v->addStretch(1);
  auto* scroll = new QScrollArea;
  scroll->setWidget(body);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);

  auto* top = new QHBoxLayout;
  top->addWidget(new QLabel("Node"));
  top->addWidget(node_, 1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addLayout(top);
  layout->addWidget(scroll);
  connect(node_, &QComboBox::currentIndexChanged, this, &NodeInspector::refresh);
}

void NodeInspector::set_run(const TraceModel* m) {
  m_ = m;
  QSignalBlocker block(node_);
  node_->clear();
  if (m)
    for (const Node& n : m->header().nodes) node_->addItem(qs(n.name) + "  (" + to_string(n.role) + ")");
  refresh();
}

void NodeInspector::select_node(int node) { node_->setCurrentIndex(node); }
int NodeInspector::node() const { return node_->currentIndex(); }

void NodeInspector::show_at(std::size_t pos, std::int64_t t) {
  pos_ = pos;
  t_ = t;
  refresh();
}

void NodeInspector::refresh() {
  if (!m_ || node() < 0) return;
  NodeTables t = fold_node(*m_, node(), pos_);
  QString state = "up";
  if (const char* badge = t.faults.badge())
    state = QString("<span style='color:#d62728'><b>%1</b> (%2)</span>").arg(badge, qs(t.faults.why));
  else if (!t.faults.links_down.empty())
    state = QString("up, <span style='color:#d62728'>a link down</span> (%1)").arg(qs(t.faults.why));
  status_->setText(QString("At %1 (after event %2): %3").arg(qs(time_str(t_))).arg(pos_).arg(state));
  fill_interfaces(t);
  fill_arp(t);
  fill_routes(t);
  fill_states(t);
  fill_conns(t);
}

void NodeInspector::fill_interfaces(const NodeTables& t) {
  int rows = 0;
  for (const IfaceRow& i : t.interfaces) rows += std::max<int>(1, static_cast<int>(i.addresses.size()));
  ifaces_->setRowCount(rows);
  int r = 0;
  for (const IfaceRow& i : t.interfaces) {
    QString lan = i.lan >= 0 ? qs(m_->header().lans[i.lan].name) : QString();
    if (t.faults.link_down(i.index)) lan += " (link down)";
    QString mac = i.loopback ? QString() : qs(mac_str(i.mac));
    if (i.addresses.empty()) set_row(ifaces_, r++, {qs(i.name), "", "", lan, mac});
    for (const AddrRow& a : i.addresses) {
      QString mark = i.loopback ? "loopback" : a.alias ? "alias since " + since(a.since) : "";
      if (i.loopback && a.alias) mark = "loopback alias";
      QColor fg = a.alias ? QColor(0xa0, 0x30, 0x00) : QColor();
      set_row(ifaces_, r++, {qs(i.name), qs(ip_str(a.ip) + "/" + std::to_string(a.len)), mark, lan, mac}, fg,
              a.alias);
    }
  }
  ifaces_->resizeColumnsToContents();
  fit_height(ifaces_, 8);
}

void NodeInspector::fill_arp(const NodeTables& t) {
  arp_->setRowCount(static_cast<int>(t.arp.size()));
  int r = 0;
  const Node& n = m_->header().nodes[t.node];
  for (const ArpRow& a : t.arp) {
    const Interface* i = n.interface(a.iface);
    bool fresh = t_ - a.since < 100'000'000;  // changed in the last 100 ms: worth a look
    set_row(arp_, r++,
            {i ? qs(i->name) : QString::number(a.iface), qs(ip_str(a.ip)),
             a.mac ? qs(mac_str(a.mac)) : "(none)", qs(a.state), since(a.since)},
            fresh ? QColor(0x1f, 0x77, 0xb4) : QColor(), fresh);
  }
  arp_->resizeColumnsToContents();
  fit_height(arp_, 10);
}

void NodeInspector::fill_routes(const NodeTables& t) {
  routes_->setRowCount(static_cast<int>(t.routes.size()));
  const Node& n = m_->header().nodes[t.node];
  int r = 0;
  for (const Route& rt : t.routes) {
    const Interface* i = n.interface(rt.iface);
    set_row(routes_, r++,
            {qs(rt.dest), rt.via.empty() ? "direct" : qs(rt.via), i ? qs(i->name) : "", qs(rt.kind)});
  }
  routes_->resizeColumnsToContents();
  fit_height(routes_, 6);
}

void NodeInspector::fill_states(const NodeTables& t) {
  states_->setRowCount(static_cast<int>(t.states.size()));
  int r = 0;
  for (const StateRow& s : t.states) {
    bool hot = s.state == "active" || s.state == "master";
    set_row(states_, r++, {qs(s.machine), qs(s.state), since(s.since), qs(s.why)},
            hot ? QColor(0x9a, 0x6a, 0x00) : QColor(), hot);
  }
  states_->resizeColumnsToContents();
  fit_height(states_, 8);
}

void NodeInspector::fill_conns(const NodeTables& t) {
  bool balancer = m_->header().nodes[t.node].role == Role::Balancer;
  conns_title_->setVisible(balancer || !t.conns.empty());
  conns_->setVisible(balancer || !t.conns.empty());
  int shown = std::min<int>(static_cast<int>(t.conns.size()), kMaxConnRows);
  conns_title_->setText(QString("<b>Connection table</b> (%1%2)")
                            .arg(t.conns.size())
                            .arg(t.faults.down ? ", lost in the crash" : ""));
  conns_->setRowCount(shown);
  for (int r = 0; r < shown; ++r) {
    const ConnRow& c = t.conns[static_cast<std::size_t>(r)];
    set_row(conns_, r, {qs(c.client), qs(c.vip), qs(c.server), c.synced ? "synced" : "", since(c.since)});
  }
  conns_->resizeColumnsToContents();
  fit_height(conns_, 8);
}

QTableWidget* NodeInspector::table(const QString& name) const {
  if (name == "interfaces") return ifaces_;
  if (name == "arp") return arp_;
  if (name == "routes") return routes_;
  if (name == "states") return states_;
  return conns_;
}

QString NodeInspector::cell(const QString& name, int row, int column) const {
  QTableWidgetItem* item = table(name)->item(row, column);
  return item ? item->text() : QString();
}

int NodeInspector::rows(const QString& name) const { return table(name)->rowCount(); }

}  // namespace nlb::gui
