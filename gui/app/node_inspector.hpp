#pragma once
// The node inspector: one node's tables at the replay position, folded from the trace
// (interfaces with aliases and loopback marked, ARP table, routes, VRRP/HA states, the
// balancer's connection table).

#include <QWidget>

#include "gui/model/node_tables.hpp"
#include "gui/model/trace_model.hpp"

class QComboBox;
class QLabel;
class QTableWidget;

namespace nlb::gui {

class NodeInspector : public QWidget {
  Q_OBJECT

 public:
  explicit NodeInspector(QWidget* parent = nullptr);
  void set_run(const TraceModel* m);
  void select_node(int node);
  int node() const;
  void show_at(std::size_t pos, std::int64_t t);
  // For tests: the text of a table cell ("interfaces", "arp", "routes", "states", "conns").
  QString cell(const QString& table, int row, int column) const;
  int rows(const QString& table) const;

 private:
  void refresh();
  void fill_interfaces(const NodeTables& t);
  void fill_arp(const NodeTables& t);
  void fill_routes(const NodeTables& t);
  void fill_states(const NodeTables& t);
  void fill_conns(const NodeTables& t);
  QTableWidget* table(const QString& name) const;

  const TraceModel* m_ = nullptr;
  std::size_t pos_ = 0;
  std::int64_t t_ = 0;
  QComboBox* node_ = nullptr;
  QLabel* status_ = nullptr;
  QTableWidget *ifaces_ = nullptr, *arp_ = nullptr, *routes_ = nullptr, *states_ = nullptr, *conns_ = nullptr;
  QLabel* conns_title_ = nullptr;
};

}  // namespace nlb::gui
