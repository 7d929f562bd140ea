#include "gui/app/charts_panel.hpp"

#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLegendMarker>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>
#include <algorithm>

#include "gui/app/style.hpp"

namespace nlb::gui {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

QString ms(std::int64_t ns) {
  return ns < 0 ? QString("-") : QString::number(static_cast<double>(ns) / 1e6, 'f', 1) + " ms";
}

QTableWidget* small_table(const QStringList& headers) {
  auto* t = new QTableWidget(0, static_cast<int>(headers.size()));
  t->setHorizontalHeaderLabels(headers);
  t->verticalHeader()->hide();
  t->verticalHeader()->setDefaultSectionSize(19);
  t->horizontalHeader()->setStretchLastSection(true);
  t->setEditTriggers(QAbstractItemView::NoEditTriggers);
  t->setSelectionMode(QAbstractItemView::NoSelection);
  return t;
}

void hide_legend(QChart* c, QLineSeries* s) {
  for (QLegendMarker* m : c->legend()->markers(s)) m->setVisible(false);
}

}  // namespace

ChartsPanel::ChartsPanel(QWidget* parent) : QWidget(parent) {
  charts_ = new QWidget;
  auto* grid = new QGridLayout(charts_);
  grid->setContentsMargins(0, 0, 0, 0);
  audit_title_ = new QLabel;
  audit_ = small_table({"address", "held by", "where", "why"});
  timings_ = small_table({"fault", "at", "detection", "traffic again", "first response", "ARP update", "lost",
                          "survived", "back"});
  auto* side = new QWidget;
  auto* v = new QVBoxLayout(side);
  v->setContentsMargins(0, 0, 0, 0);
  v->addWidget(audit_title_);
  v->addWidget(audit_, 1);
  v->addWidget(new QLabel("<b>Fault timings</b> (report.json)"));
  v->addWidget(timings_, 1);
  grid->addWidget(side, 1, 1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addWidget(charts_);
}

QChartView* ChartsPanel::chart(const QString& title, const QString& unit, const std::vector<int>& columns,
                               const Metrics& m, const std::vector<FaultSpec>& faults) {
  auto* c = new QChart;
  c->setTitle(title);
  c->setMargins(QMargins(4, 4, 4, 4));
  c->legend()->setAlignment(Qt::AlignRight);
  QFont f = c->legend()->font();
  f.setPointSizeF(7.5);
  c->legend()->setFont(f);
  auto* x = new QValueAxis;
  x->setTitleText("time (s)");
  x->setLabelFormat("%.0f");
  auto* y = new QValueAxis;
  y->setTitleText(unit);
  c->addAxis(x, Qt::AlignBottom);
  c->addAxis(y, Qt::AlignLeft);
  double ymax = 1, tmax = 1;
  int time = m.column("time_s");
  for (int col : columns) {
    auto* s = new QLineSeries;
    s->setName(qs(m.names[static_cast<std::size_t>(col)]));
    for (std::size_t r = 0; r < m.rows(); ++r) {
      double v = m.columns[static_cast<std::size_t>(col)][r];
      s->append(m.columns[static_cast<std::size_t>(time)][r], v);
      ymax = std::max(ymax, v);
      tmax = std::max(tmax, m.columns[static_cast<std::size_t>(time)][r]);
    }
    c->addSeries(s);
    s->attachAxis(x);
    s->attachAxis(y);
  }
  y->setRange(0, ymax * 1.05);
  y->applyNiceNumbers();
  y->setLabelFormat("%g");
  ymax = y->max();
  for (const FaultSpec& fault : faults) {
    double t = static_cast<double>(fault.at_ns) / 1e9;
    auto* s = new QLineSeries;
    s->setName(qs(fault.action + " " + fault.target));
    s->setPen(QPen(drop_color(), 1.5, Qt::DashLine));
    s->append(t, 0);
    s->append(t, ymax);
    c->addSeries(s);
    s->attachAxis(x);
    s->attachAxis(y);
    hide_legend(c, s);
    tmax = std::max(tmax, t);
  }
  auto* cursor = new QLineSeries;
  cursor->setPen(QPen(QColor(0x44, 0x44, 0x44), 1.2, Qt::DotLine));
  cursor->append(0, 0);
  cursor->append(0, ymax);
  c->addSeries(cursor);
  cursor->attachAxis(x);
  cursor->attachAxis(y);
  hide_legend(c, cursor);
  x->setRange(0, tmax);
  if (columns.empty()) c->setTitle(title + " (no metrics.csv)");
  auto* view = new QChartView(c);
  view->setRenderHint(QPainter::Antialiasing);
  view->setMinimumHeight(150);
  cursors_.push_back(cursor);
  ymax_.push_back(ymax);
  return view;
}

void ChartsPanel::set_run(const Metrics& m, const Report& report, const std::vector<FaultSpec>& faults) {
  for (QChartView* v : views_) delete v;
  views_.clear();
  cursors_.clear();
  ymax_.clear();
  auto cols = [&](std::initializer_list<const char*> names) {
    std::vector<int> out;
    for (const char* n : names)
      if (int c = m.column(n); c >= 0) out.push_back(c);
    return out;
  };
  std::vector<int> active = m.active_per_server();
  if (int total = m.column("active_connections"); total >= 0) active.insert(active.begin(), total);
  auto* grid = static_cast<QGridLayout*>(charts_->layout());
  views_.push_back(chart("Active connections", "count", m.rows() ? active : std::vector<int>{}, m, faults));
  views_.push_back(
      chart("Throughput", "Mbit/s", m.rows() ? cols({"throughput_mbps"}) : std::vector<int>{}, m, faults));
  views_.push_back(chart("Request latency", "ms",
                         m.rows() ? cols({"latency_p50_ms", "latency_p99_ms"}) : std::vector<int>{}, m,
                         faults));
  grid->addWidget(views_[0], 0, 0);
  grid->addWidget(views_[1], 0, 1);
  grid->addWidget(views_[2], 1, 0);
  fill_audit(report);
}

void ChartsPanel::fill_audit(const Report& r) {
  audit_title_->setText(r.loaded ? QString("<b>Public address audit</b>: %1 public address%2 (report.json)")
                                       .arg(r.public_count)
                                       .arg(r.public_count == 1 ? "" : "es")
                                 : QString("<b>Public address audit</b>: no report.json"));
  std::vector<AuditGroup> groups = group_audit(r.addresses);
  audit_->setRowCount(static_cast<int>(groups.size()));
  for (int i = 0; i < audit_->rowCount(); ++i) {
    const AuditGroup& g = groups[static_cast<std::size_t>(i)];
    QStringList nodes;
    for (const std::string& n : g.nodes) nodes << qs(n);
    QStringList cells = {qs(g.address), nodes.join(", "), qs(g.where), qs(g.why)};
    for (int c = 0; c < cells.size(); ++c) audit_->setItem(i, c, new QTableWidgetItem(cells[c]));
  }
  audit_->resizeColumnsToContents();
  timings_->setRowCount(static_cast<int>(r.faults.size()));
  for (int i = 0; i < timings_->rowCount(); ++i) {
    const FaultTiming& f = r.faults[static_cast<std::size_t>(i)];
    QString survived = f.connections_open < 0
                           ? QString("-")
                           : QString("%1 of %2").arg(f.connections_completed).arg(f.connections_open);
    QStringList cells = {qs(f.action + " " + f.target),
                         qs(time_str(f.at_ns)),
                         ms(f.detection_ns),
                         ms(f.recovery_ns),
                         ms(f.first_response_ns),
                         ms(f.arp_update_ns),
                         f.datagrams_lost < 0 ? QString("-") : QString::number(f.datagrams_lost),
                         survived,
                         ms(f.back_ns)};
    for (int c = 0; c < cells.size(); ++c) timings_->setItem(i, c, new QTableWidgetItem(cells[c]));
    if (!f.name.empty()) timings_->item(i, 0)->setToolTip(qs(f.name));
  }
  timings_->resizeColumnsToContents();
}

void ChartsPanel::set_time(std::int64_t t) {
  double x = static_cast<double>(t) / 1e9;
  for (std::size_t i = 0; i < cursors_.size(); ++i)
    cursors_[i]->replace({QPointF(x, 0), QPointF(x, ymax_[i])});
}

int ChartsPanel::series_count() const {
  int n = 0;
  for (QChartView* v : views_) n += static_cast<int>(v->chart()->series().size());
  return n;
}

}  // namespace nlb::gui
