// nlbsim-plot RUN_DIR [-o FILE.png] [--title TEXT] [--from S] [--to S] [--size WxH]: a run's
// timeline as a PNG, drawn offscreen with Qt Charts (docs/failure-modes.md has the figures):
//   top     requests that completed ok and that failed, per metrics interval
//   bottom  open connections per server (and the clients' total)
// with the timeline's faults (red), the takeovers (blue: from the trace when there is one, else
// the report's detection times), the restores (green) and, with a trace, the outages nlbsim
// explain finds (shaded).
#include <QApplication>
#include <QGraphicsSimpleTextItem>
#include <QLabel>
#include <QLegendMarker>
#include <QPixmap>
#include <QVBoxLayout>
#include <QtCharts/QAreaSeries>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>
#include <algorithm>
#include <iostream>

#include <CLI/CLI.hpp>

#include "plot/plot_data.hpp"

namespace {

using nlb::plot::Marker;
using nlb::plot::PlotData;

struct Window {
  double from = 0, to = 0;
};

QColor marker_color(Marker::Kind k) {
  switch (k) {
    case Marker::Fault:
      return QColor(190, 30, 30);
    case Marker::Takeover:
      return QColor(30, 80, 200);
    case Marker::Restore:
      return QColor(20, 140, 60);
  }
  return Qt::black;
}

void hide_legend(QChart* c, QAbstractSeries* s) {
  for (QLegendMarker* m : c->legend()->markers(s)) m->setVisible(false);
}

QLineSeries* line(QChart* c, const QString& name, const std::vector<double>& t, const std::vector<double>& v,
                  const Window& w, QPen pen, QValueAxis* x, QValueAxis* y, double& ymax) {
  auto* s = new QLineSeries;
  s->setName(name);
  for (std::size_t k = 0; k < t.size() && k < v.size(); ++k) {
    if (t[k] < w.from || t[k] > w.to) continue;
    s->append(t[k], v[k]);
    ymax = std::max(ymax, v[k]);
  }
  s->setPen(pen);
  c->addSeries(s);
  s->attachAxis(x);
  s->attachAxis(y);
  return s;
}

struct Chart {
  QChart* chart = nullptr;
  QValueAxis* x = nullptr;
  QValueAxis* y = nullptr;
  double ymax = 1;
};

Chart make_chart(const QString& title, const QString& unit, const Window& w) {
  Chart c;
  c.chart = new QChart;
  c.chart->setTitle(title);
  c.chart->setMargins(QMargins(6, 6, 6, 6));
  c.chart->legend()->setAlignment(Qt::AlignRight);
  c.x = new QValueAxis;
  c.x->setTitleText("simulated time (s)");
  c.x->setRange(w.from, w.to);
  c.x->setLabelFormat("%.0f");
  c.x->setTickCount(std::clamp(static_cast<int>(w.to - w.from) / 5 + 1, 3, 13));
  c.y = new QValueAxis;
  c.y->setTitleText(unit);
  c.y->setLabelFormat("%.0f");
  c.chart->addAxis(c.x, Qt::AlignBottom);
  c.chart->addAxis(c.y, Qt::AlignLeft);
  return c;
}

// Outage spans under the data, marker lines over it; both span the chart's height.
void decorate(Chart& c, const PlotData& d, const Window& w) {
  c.y->setRange(0, c.ymax * 1.15);
  c.y->applyNiceNumbers();
  const double top = c.y->max();
  for (const auto& o : d.outages) {
    const double from = std::max(o.from, w.from), to = std::min(o.to, w.to);
    if (to <= from) continue;
    auto* lo = new QLineSeries;
    auto* hi = new QLineSeries;
    lo->append(from, 0);
    lo->append(to, 0);
    hi->append(from, top);
    hi->append(to, top);
    auto* area = new QAreaSeries(hi, lo);
    area->setColor(QColor(230, 60, 60, o.open ? 40 : 55));
    area->setBorderColor(QColor(230, 60, 60, 90));
    c.chart->addSeries(area);
    area->attachAxis(c.x);
    area->attachAxis(c.y);
    hide_legend(c.chart, area);
  }
  for (const Marker& m : d.markers) {
    if (m.t < w.from || m.t > w.to) continue;
    auto* s = new QLineSeries;
    s->append(m.t, 0);
    s->append(m.t, top);
    QPen pen(marker_color(m.kind));
    pen.setWidthF(1.4);
    if (m.kind != Marker::Fault) pen.setStyle(Qt::DashLine);
    s->setPen(pen);
    c.chart->addSeries(s);
    s->attachAxis(c.x);
    s->attachAxis(c.y);
    hide_legend(c.chart, s);
  }
}

// Labels go on once the charts have their geometry: beside each marker line, at the top.
void label(Chart& c, const PlotData& d, const Window& w) {
  QFont f = c.chart->font();
  f.setPointSizeF(7.5);
  const double top = c.y->max();
  std::vector<QRectF> placed;
  auto put = [&](double t, const QString& text, QColor color, double y_frac) {
    QPointF p = c.chart->mapToPosition(QPointF(t, top * y_frac));
    auto* item = new QGraphicsSimpleTextItem(text, c.chart);
    item->setFont(f);
    item->setBrush(color);
    QRectF r(p + QPointF(3, 0), item->boundingRect().size());
    // Step down past labels already placed, so close markers stay readable.
    for (bool moved = true; moved;) {
      moved = false;
      for (const QRectF& o : placed)
        if (o.intersects(r)) {
          r.moveTop(o.bottom() + 1);
          moved = true;
        }
    }
    item->setPos(r.topLeft());
    placed.push_back(r);
  };
  for (const auto& o : d.outages)
    if (o.to > w.from && o.from < w.to)
      put(std::max(o.from, w.from), QString::fromStdString(o.label + (o.open ? " (open)" : "")),
          QColor(170, 30, 30), 0.99);
  for (const Marker& m : d.markers)
    if (m.t >= w.from && m.t <= w.to) put(m.t, QString::fromStdString(m.label), marker_color(m.kind), 0.93);
}

int render(const PlotData& d, const std::string& out, const std::string& title, Window w, int width,
           int height) {
  const auto& m = d.metrics;
  const double step = m.time_s.size() > 1 ? m.time_s[1] - m.time_s[0] : 0.1;
  Chart req = make_chart(QString("Requests completed per %1 ms").arg(step * 1000, 0, 'f', 0), "requests", w);
  if (const auto* ok = m.column("requests_ok"))
    line(req.chart, "ok", m.time_s, ok->values, w, QPen(QColor(40, 150, 60), 1.6), req.x, req.y, req.ymax);
  if (const auto* failed = m.column("requests_failed"))
    line(req.chart, "failed", m.time_s, failed->values, w, QPen(QColor(210, 40, 40), 2.0), req.x, req.y,
         req.ymax);
  Chart conns = make_chart("Open connections", "connections", w);
  static const QColor palette[] = {QColor(31, 119, 180),  QColor(255, 127, 14), QColor(44, 160, 44),
                                   QColor(148, 103, 189), QColor(140, 86, 75),  QColor(227, 119, 194),
                                   QColor(127, 127, 127), QColor(188, 189, 34), QColor(23, 190, 207)};
  std::size_t k = 0;
  for (const auto* s : m.servers()) {
    line(conns.chart, QString::fromStdString(s->name.substr(7)), m.time_s, s->values, w,
         QPen(palette[k++ % std::size(palette)], 1.3), conns.x, conns.y, conns.ymax);
  }
  if (const auto* all = m.column("active_connections")) {
    QPen pen(QColor(60, 60, 60), 1.0, Qt::DotLine);
    line(conns.chart, "clients' total", m.time_s, all->values, w, pen, conns.x, conns.y, conns.ymax);
  }
  decorate(req, d, w);
  decorate(conns, d, w);

  QWidget page;
  page.setStyleSheet("background: white;");
  auto* layout = new QVBoxLayout(&page);
  layout->setContentsMargins(6, 6, 6, 6);
  auto* heading = new QLabel(QString::fromStdString(title));
  QFont hf = heading->font();
  hf.setPointSizeF(11);
  hf.setBold(true);
  heading->setFont(hf);
  layout->addWidget(heading);
  for (Chart* c : {&req, &conns}) {
    auto* view = new QChartView(c->chart);
    view->setRenderHint(QPainter::Antialiasing);
    layout->addWidget(view, 1);
  }
  page.resize(width, height);
  page.show();
  QApplication::processEvents();
  // One time axis for both charts: the same plot area left and right, whatever the labels' widths.
  QRectF a = req.chart->plotArea(), b = conns.chart->plotArea();
  const double left = std::max(a.left(), b.left()), right = std::min(a.right(), b.right());
  req.chart->setPlotArea(QRectF(left, a.top(), right - left, a.height()));
  conns.chart->setPlotArea(QRectF(left, b.top(), right - left, b.height()));
  // A fixed plot area takes effect on the next layout: give the page one.
  page.resize(width, height + 1);
  QApplication::processEvents();
  page.resize(width, height);
  QApplication::processEvents();
  label(req, d, w);
  label(conns, d, w);
  QApplication::processEvents();
  if (!page.grab().save(QString::fromStdString(out), "PNG")) {
    std::cerr << out << ": cannot write the PNG\n";
    return 2;
  }
  return 0;
}

}  // namespace

// Qt's notes to developers (no XDG_RUNTIME_DIR, the offscreen plugin's limits) are noise for a
// command that writes a file; its errors still go to stderr.
void quiet_qt(QtMsgType type, const QMessageLogContext&, const QString& msg) {
  if (type == QtCriticalMsg || type == QtFatalMsg) std::cerr << msg.toStdString() << "\n";
}

int main(int argc, char** argv) {
  CLI::App app{
      "nlbsim-plot: a run's metrics.csv as a PNG timeline (requests, connections per server, faults, "
      "takeovers and outages)",
      "nlbsim-plot"};
  std::string dir, out, title, size = "1200x720";
  double from = -1, to = -1;
  app.add_option("RUN_DIR", dir, "the run's output directory (metrics.csv, report.json, trace.jsonl if any)")
      ->required();
  app.add_option("-o,--out", out, "the PNG to write (default RUN_DIR/timeline.png)");
  app.add_option("--title", title, "the figure's title (default: the scenario's name)");
  app.add_option("--from", from, "first second shown (default 0)");
  app.add_option("--to", to, "last second shown (default: the run's end)");
  app.add_option("--size", size, "image size in pixels, WxH")->type_name("WxH");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return e.get_exit_code() == 0 ? code : 2;
  }
  int width = 0, height = 0;
  if (std::sscanf(size.c_str(), "%dx%d", &width, &height) != 2 || width < 200 || height < 150 ||
      width > 8000 || height > 8000) {
    std::cerr << "--size " << size << ": expected WxH between 200x150 and 8000x8000\n";
    return 2;
  }
  std::string error;
  auto data = nlb::plot::load_run(dir, error);
  if (!data) {
    std::cerr << error << "\n";
    return 2;
  }
  Window w{from < 0 ? 0 : from, to < 0 ? data->end_s : to};
  if (w.to <= w.from) {
    std::cerr << "--from/--to: an empty window [" << w.from << ", " << w.to << "]\n";
    return 2;
  }
  if (out.empty()) out = (std::filesystem::path(dir) / "timeline.png").string();
  if (title.empty()) title = data->scenario;
  // Offscreen unless told otherwise: a figure needs no display.
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  qInstallMessageHandler(quiet_qt);
  QApplication qt(argc, argv);
  return render(*data, out, title, w, width, height);
}
