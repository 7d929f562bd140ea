#pragma once
// The frame inspector: the selected event's frame layer by layer (Ethernet, ARP/IPv4,
// TCP/UDP/VRRP/ICMP, payload) with every field, and its bytes in hex; selecting a field
// highlights its bytes.

#include <QWidget>

#include "gui/model/frame_decode.hpp"
#include "gui/model/trace_model.hpp"

class QTreeView;
class QStandardItemModel;
class QPlainTextEdit;
class QLabel;

namespace nlb::gui {

class FrameInspector : public QWidget {
  Q_OBJECT

 public:
  explicit FrameInspector(QWidget* parent = nullptr);
  void show_event(const TraceModel& m, std::size_t event);
  void clear();
  QStandardItemModel* tree_model() { return model_; }
  QString hex_text() const;

 private:
  void highlight(std::uint32_t offset, std::uint32_t length);
  QLabel* title_ = nullptr;
  QTreeView* tree_ = nullptr;
  QStandardItemModel* model_ = nullptr;
  QPlainTextEdit* hex_ = nullptr;
};

}  // namespace nlb::gui
