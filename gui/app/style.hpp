#pragma once
// Colours and names shared by the views: one colour per frame kind (topology, event list,
// legend), one per node role.

#include <QColor>
#include <QString>

#include "gui/model/trace_model.hpp"

namespace nlb::gui {

QColor kind_color(FrameKind k);
QColor role_color(Role r);
QColor drop_color();
QColor active_color();  // the active balancer / VRRP master highlight
QString kind_label(FrameKind k);

}  // namespace nlb::gui
