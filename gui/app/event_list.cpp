#include "gui/app/event_list.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>

#include "gui/app/style.hpp"

namespace nlb::gui {

void EventTableModel::set_run(const TraceModel* m) {
  beginResetModel();
  m_ = m;
  rows_ = m ? apply_filter(*m, filter_) : std::vector<std::uint32_t>{};
  endResetModel();
}

void EventTableModel::set_filter(const EventFilter& f) {
  beginResetModel();
  filter_ = f;
  rows_ = m_ ? apply_filter(*m_, filter_) : std::vector<std::uint32_t>{};
  endResetModel();
}

int EventTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int EventTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

int EventTableModel::row_at_or_before(std::size_t event) const {
  auto it = std::upper_bound(rows_.begin(), rows_.end(), static_cast<std::uint32_t>(event));
  if (it == rows_.begin()) return -1;
  return static_cast<int>(it - rows_.begin()) - 1;
}

QString EventTableModel::text(std::size_t i, int column) const {
  const EventRecord& e = m_->event(i);
  const Header& h = m_->header();
  switch (column) {
    case Time:
      return QString::fromStdString(time_str(e.t));
    case Node:
      return e.node >= 0 ? QString::fromStdString(h.nodes[e.node].name) : QString();
    case LanCol:
      return e.lan >= 0 ? QString::fromStdString(h.lans[e.lan].name) : QString();
    case Kind:
      if (e.type == EventType::Frame) return QString("%1 %2").arg(to_string(e.kind), to_string(e.dir));
      if (e.type == EventType::Arp) return "ARP table";
      if (e.type == EventType::Conn) return "conn table";
      if (e.type == EventType::Mac) return "MAC table";
      return QString::fromLatin1(to_string(e.type));
    case Summary: {
      auto s = m_->summary(i);
      QString text = QString::fromUtf8(s.data(), static_cast<int>(s.size()));
      if (e.type == EventType::Frame && e.dir == Dir::Drop) {
        // A drop inside a LAN (a switch queue, a lossy or down cable) says which cable.
        QString where = e.node < 0 && e.lan >= 0 && e.iface >= 0
                            ? " at " + QString::fromStdString(h.port_name(e.lan, e.iface))
                            : QString();
        text = "DROPPED (" + QString::fromStdString(m_->text(m_->frame(e).reason)) + where + "): " + text;
      }
      return text;
    }
    default:
      return {};
  }
}

QVariant EventTableModel::data(const QModelIndex& index, int role) const {
  if (!m_ || !index.isValid()) return {};
  std::size_t i = rows_[static_cast<std::size_t>(index.row())];
  const EventRecord& e = m_->event(i);
  switch (role) {
    case Qt::DisplayRole:
      return text(i, index.column());
    case Qt::ToolTipRole:
      return index.column() == Summary ? text(i, Summary) : QVariant();
    case Qt::ForegroundRole:
      if (e.type == EventType::Frame && e.dir == Dir::Drop) return drop_color();
      if (e.type == EventType::Frame && index.column() == Kind) return kind_color(e.kind).darker(130);
      return {};
    case Qt::BackgroundRole:
      if (e.type == EventType::Fault) return QColor(0xfd, 0xe2, 0xe2);
      if (e.type == EventType::State || e.type == EventType::Peer || e.type == EventType::SplitBrain)
        return QColor(0xfd, 0xf3, 0xd0);
      if (e.type == EventType::Addr || e.type == EventType::Arp) return QColor(0xe8, 0xf0, 0xfb);
      return {};
    case Qt::UserRole:
      return QVariant::fromValue<qulonglong>(i);
    default:
      return {};
  }
}

QVariant EventTableModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* kNames[] = {"time", "node", "LAN", "kind", "summary"};
  return QString(kNames[section]);
}

// ---- the panel ----

namespace {

// The kind combo: label and the categories it keeps.
struct KindChoice {
  const char* label;
  CategoryMask mask;
  bool drops;
};

const std::vector<KindChoice>& kind_choices() {
  static const std::vector<KindChoice> kChoices = [] {
    std::vector<KindChoice> c = {
        {"all kinds", kAllCategories, false}, {"all frames", kAllFrames, false}, {"drops", kAllFrames, true}};
    for (int k = 0; k < kFrameKindCount; ++k) c.push_back({to_string(FrameKind(k)), 1u << k, false});
    c.push_back({"state changes", bit(Category::State), false});
    c.push_back({"address changes", bit(Category::Addr), false});
    c.push_back({"ARP table", bit(Category::ArpTable), false});
    c.push_back({"connection table", bit(Category::Conn), false});
    c.push_back({"faults", bit(Category::Fault), false});
    c.push_back({"requests", bit(Category::Request), false});
    c.push_back({"weights", bit(Category::Weights), false});
    c.push_back({"balancer peer, split brain", bit(Category::Peer), false});
    c.push_back({"switch MAC tables", bit(Category::MacTable), false});
    c.push_back({"tables and states",
                 bit(Category::State) | bit(Category::Peer) | bit(Category::Addr) | bit(Category::ArpTable) |
                     bit(Category::Conn) | bit(Category::Fault) | bit(Category::MacTable),
                 false});
    return c;
  }();
  return kChoices;
}

}  // namespace

EventListPanel::EventListPanel(QWidget* parent) : QWidget(parent) {
  node_ = new QComboBox;
  kind_ = new QComboBox;
  for (const KindChoice& c : kind_choices()) kind_->addItem(c.label);
  hide_rx_ = new QCheckBox("hide rx");
  hide_rx_->setToolTip("Show where frames are sent and dropped, not every copy received");
  conn_ = new QLineEdit;
  conn_->setPlaceholderText("connection: 198.51.100.14:32768, 192.168.10.10");
  conn_->setClearButtonEnabled(true);
  text_ = new QLineEdit;
  text_->setPlaceholderText("text in summary");
  text_->setClearButtonEnabled(true);
  count_ = new QLabel;
  auto* filters = new QHBoxLayout;
  filters->addWidget(new QLabel("Node"));
  filters->addWidget(node_);
  filters->addWidget(new QLabel("Kind"));
  filters->addWidget(kind_);
  filters->addWidget(hide_rx_);
  filters->addWidget(conn_, 1);
  filters->addWidget(text_, 1);
  filters->addWidget(count_);

  table_ = new QTableView;
  table_->setModel(&model_);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setWordWrap(false);
  table_->setAlternatingRowColors(true);
  table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  table_->verticalHeader()->setDefaultSectionSize(20);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setColumnWidth(EventTableModel::Time, 110);
  table_->setColumnWidth(EventTableModel::Node, 70);
  table_->setColumnWidth(EventTableModel::LanCol, 110);
  table_->setColumnWidth(EventTableModel::Kind, 120);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addLayout(filters);
  layout->addWidget(table_);

  connect(node_, &QComboBox::currentIndexChanged, this, &EventListPanel::apply);
  connect(kind_, &QComboBox::currentIndexChanged, this, &EventListPanel::apply);
  connect(hide_rx_, &QCheckBox::toggled, this, &EventListPanel::apply);
  connect(conn_, &QLineEdit::editingFinished, this, &EventListPanel::apply);
  connect(text_, &QLineEdit::editingFinished, this, &EventListPanel::apply);
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) {
            if (!following_ && current.isValid()) emit event_activated(model_.event_at(current.row()));
          });
}

void EventListPanel::fill_combos() {
  QSignalBlocker block(node_);
  node_->clear();
  node_->addItem("all nodes", -1);
  if (!m_) return;
  const Header& h = m_->header();
  for (std::size_t n = 0; n < h.nodes.size(); ++n)
    node_->addItem(QString::fromStdString(h.nodes[n].name), int(n));
}

void EventListPanel::set_run(const TraceModel* m) {
  m_ = m;
  fill_combos();
  model_.set_run(m);
  apply();
}

void EventListPanel::apply() {
  EventFilter f;
  f.node = node_->currentData().isValid() ? node_->currentData().toInt() : -1;
  const KindChoice& k = kind_choices()[static_cast<std::size_t>(std::max(0, kind_->currentIndex()))];
  f.categories = k.mask;
  f.drops_only = k.drops;
  f.hide_rx = hide_rx_->isChecked();
  f.connection = conn_->text().toStdString();
  f.text = text_->text().toStdString();
  bool bad_conn =
      parse_endpoints(f.connection).empty() && f.connection.find_first_not_of(", ") != std::string::npos;
  conn_->setStyleSheet(bad_conn ? "QLineEdit { background: #fde2e2; }" : "");
  conn_->setToolTip(bad_conn
                        ? "Not an endpoint: write a.b.c.d, a.b.c.d:port or :port (several: separate "
                          "them with commas)"
                        : "Frames to or from any of these endpoints; the topology's trail follows the list");
  model_.set_filter(f);
  count_->setText(QString("%1 of %2").arg(model_.rowCount()).arg(m_ ? qulonglong(m_->size()) : 0));
  emit filter_changed();
}

void EventListPanel::follow(std::size_t pos) {
  following_ = true;
  int row = pos == 0 ? -1 : model_.row_at_or_before(pos - 1);
  if (row < 0) {
    table_->clearSelection();
  } else {
    QModelIndex index = model_.index(row, 0);
    table_->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    table_->scrollTo(index, QAbstractItemView::PositionAtCenter);
  }
  following_ = false;
}

void EventListPanel::set_node_filter(int node) {
  int i = node_->findData(node);
  node_->setCurrentIndex(std::max(0, i));
}

void EventListPanel::set_kind_filter(int combo_index) { kind_->setCurrentIndex(combo_index); }

void EventListPanel::set_connection_filter(const QString& text) {
  conn_->setText(text);
  apply();
}

}  // namespace nlb::gui
