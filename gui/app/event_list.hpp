#pragma once
// The event list: a table model over the filtered event indices (4 bytes per row, text made
// only for the rows on screen, so a million events scroll as fast as a hundred), and the
// panel with its filters.

#include <QAbstractTableModel>
#include <QWidget>
#include <vector>

#include "gui/model/event_filter.hpp"
#include "gui/model/trace_model.hpp"

class QComboBox;
class QCheckBox;
class QLineEdit;
class QTableView;
class QLabel;

namespace nlb::gui {

class EventTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { Time, Node, LanCol, Kind, Summary, ColumnCount };
  explicit EventTableModel(QObject* parent = nullptr) : QAbstractTableModel(parent) {}

  void set_run(const TraceModel* m);
  void set_filter(const EventFilter& f);
  const EventFilter& filter() const { return filter_; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;

  std::size_t event_at(int row) const { return rows_[static_cast<std::size_t>(row)]; }
  // The events shown, in time order; filtered() when that is not every event.
  const std::vector<std::uint32_t>& rows() const { return rows_; }
  bool filtered() const { return m_ && rows_.size() != m_->size(); }
  // The row showing `event`, or the last row before it when it is filtered out; -1 if none.
  int row_at_or_before(std::size_t event) const;

 private:
  QString text(std::size_t event, int column) const;
  const TraceModel* m_ = nullptr;
  EventFilter filter_;
  std::vector<std::uint32_t> rows_;
};

class EventListPanel : public QWidget {
  Q_OBJECT

 public:
  explicit EventListPanel(QWidget* parent = nullptr);
  void set_run(const TraceModel* m);
  // Selects the row of the current event without emitting event_activated.
  void follow(std::size_t pos);
  EventTableModel* table_model() { return &model_; }
  QTableView* table() { return table_; }
  // Filter controls, for tests and the command line.
  void set_node_filter(int node);
  void set_kind_filter(int combo_index);
  void set_connection_filter(const QString& text);

 signals:
  void event_activated(std::size_t event);
  void filter_changed();

 private:
  void apply();
  void fill_combos();
  EventTableModel model_;
  const TraceModel* m_ = nullptr;
  QComboBox* node_ = nullptr;
  QComboBox* kind_ = nullptr;
  QCheckBox* hide_rx_ = nullptr;
  QLineEdit* conn_ = nullptr;
  QLineEdit* text_ = nullptr;
  QLabel* count_ = nullptr;
  QTableView* table_ = nullptr;
  bool following_ = false;
};

}  // namespace nlb::gui
