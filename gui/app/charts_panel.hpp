#pragma once
// Charts from metrics.csv (active connections per server, throughput, request latency) with
// the fault times as vertical lines and the replay time as a cursor, and the report's public
// address audit and fault timings as small tables.

#include <QWidget>
#include <vector>

#include "gui/model/run_outputs.hpp"
#include "gui/model/trace_model.hpp"

class QChart;
class QChartView;
class QLineSeries;
class QTableWidget;
class QLabel;

namespace nlb::gui {

class ChartsPanel : public QWidget {
  Q_OBJECT

 public:
  explicit ChartsPanel(QWidget* parent = nullptr);
  // Any of them may be empty (a missing file): its chart says so.
  void set_run(const Metrics& metrics, const Report& report, const std::vector<FaultSpec>& faults);
  void set_time(std::int64_t t);
  int series_count() const;  // for tests

 private:
  QChartView* chart(const QString& title, const QString& unit, const std::vector<int>& columns,
                    const Metrics& m, const std::vector<FaultSpec>& faults);
  void fill_audit(const Report& r);
  QWidget* charts_ = nullptr;
  std::vector<QChartView*> views_;
  std::vector<QLineSeries*> cursors_;
  std::vector<double> ymax_;
  QLabel* audit_title_ = nullptr;
  QTableWidget* audit_ = nullptr;
  QTableWidget* timings_ = nullptr;
};

}  // namespace nlb::gui
