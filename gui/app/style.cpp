#include "gui/app/style.hpp"

namespace nlb::gui {

QColor kind_color(FrameKind k) {
  switch (k) {
    case FrameKind::Arp:
      return QColor(0x1f, 0x77, 0xb4);
    case FrameKind::Garp:
      return QColor(0xff, 0x7f, 0x0e);
    case FrameKind::Vrrp:
      return QColor(0x94, 0x67, 0xbd);
    case FrameKind::Heartbeat:
      return QColor(0xe3, 0x77, 0xc2);
    case FrameKind::Sync:
      return QColor(0x8c, 0x56, 0x4b);
    case FrameKind::Tcp:
      return QColor(0x2c, 0xa0, 0x2c);
    case FrameKind::HttpRequest:
      return QColor(0x17, 0xa2, 0xb8);
    case FrameKind::HttpResponse:
      return QColor(0x9a, 0x9b, 0x12);
    case FrameKind::Udp:
      return QColor(0x6c, 0x75, 0x7d);
    case FrameKind::Icmp:
      return QColor(0x39, 0x3b, 0x79);
    case FrameKind::Other:
      return QColor(0x99, 0x99, 0x99);
  }
  return Qt::gray;
}

QColor role_color(Role r) {
  switch (r) {
    case Role::Client:
      return QColor(0xd6, 0xe6, 0xf5);
    case Role::Internet:
      return QColor(0xe4, 0xe8, 0xee);
    case Role::Firewall:
      return QColor(0xf4, 0xb9, 0x9a);
    case Role::Balancer:
      return QColor(0xcd, 0xb8, 0xe6);
    case Role::Server:
      return QColor(0xbf, 0xe3, 0xbf);
    case Role::Router:
      return QColor(0xdd, 0xdd, 0xdd);
    case Role::Host:
      return QColor(0xee, 0xee, 0xee);
  }
  return Qt::lightGray;
}

QColor drop_color() { return QColor(0xd6, 0x27, 0x28); }
QColor active_color() { return QColor(0xf2, 0xb7, 0x05); }

QString kind_label(FrameKind k) { return QString::fromLatin1(to_string(k)); }

}  // namespace nlb::gui
