#include "gui/app/frame_inspector.hpp"

#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTextBlock>
#include <QTreeView>
#include <QVBoxLayout>

#include "gui/app/style.hpp"

namespace nlb::gui {

namespace {
constexpr int kOffsetRole = Qt::UserRole + 1;
constexpr int kLengthRole = Qt::UserRole + 2;

QString qs(const std::string& s) { return QString::fromStdString(s); }
}  // namespace

FrameInspector::FrameInspector(QWidget* parent) : QWidget(parent) {
  title_ = new QLabel("Select a frame event to see its layers.");
  title_->setWordWrap(true);
  model_ = new QStandardItemModel(this);
  tree_ = new QTreeView;
  tree_->setModel(model_);
  tree_->setUniformRowHeights(true);
  tree_->setAlternatingRowColors(true);
  hex_ = new QPlainTextEdit;
  hex_->setReadOnly(true);
  hex_->setLineWrapMode(QPlainTextEdit::NoWrap);
  QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
  mono.setPointSizeF(8.5);
  hex_->setFont(mono);
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(tree_);
  split->addWidget(hex_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addWidget(title_);
  layout->addWidget(split);
  connect(tree_->selectionModel(), &QItemSelectionModel::currentChanged, this, [this](const QModelIndex& i) {
    QModelIndex first = i.siblingAtColumn(0);
    highlight(first.data(kOffsetRole).toUInt(), first.data(kLengthRole).toUInt());
  });
  clear();
}

void FrameInspector::clear() {
  model_->clear();
  model_->setHorizontalHeaderLabels({"field", "value", "bytes"});
  hex_->clear();
}

QString FrameInspector::hex_text() const { return hex_->toPlainText(); }

void FrameInspector::show_event(const TraceModel& m, std::size_t event) {
  clear();
  const EventRecord& e = m.event(event);
  auto summary = m.summary(event);
  QString where = e.node >= 0 ? qs(m.header().nodes[e.node].name) : QString("LAN");
  if (e.type != EventType::Frame) {
    title_->setText(QString("%1  %2 %3: %4")
                        .arg(qs(time_str(e.t)), where, to_string(e.type),
                             QString::fromUtf8(summary.data(), static_cast<int>(summary.size()))));
    return;
  }
  const FrameInfo& f = m.frame(e);
  QString dir = e.dir == Dir::Tx ? "sent by" : e.dir == Dir::Rx ? "received by" : "DROPPED at";
  QString reason = e.dir == Dir::Drop ? " (" + qs(m.text(f.reason)) + ")" : QString();
  title_->setText(QString("<b>Frame %1</b> %2 <b>%3</b>%4 on %5 at %6: %7 bytes%8")
                      .arg(f.id)
                      .arg(dir, where, reason, e.lan >= 0 ? qs(m.header().lans[e.lan].name) : QString("?"),
                           qs(time_str(e.t)))
                      .arg(f.len)
                      .arg(f.vlen ? QString(" + %1 virtual").arg(f.vlen) : QString()));
  FrameBytes bytes = m.frame_bytes(e);
  for (const Layer& l : decode_frame(bytes, f.vlen)) {
    auto* name = new QStandardItem(qs(l.name));
    QFont bold = name->font();
    bold.setBold(true);
    name->setFont(bold);
    name->setData(l.offset, kOffsetRole);
    name->setData(l.length, kLengthRole);
    auto* value = new QStandardItem(qs(l.error.empty() ? l.summary : "error: " + l.error));
    if (!l.error.empty()) value->setForeground(drop_color());
    auto* range =
        new QStandardItem(QString("%1-%2").arg(l.offset).arg(l.offset + l.length - (l.length ? 1 : 0)));
    for (const Field& fd : l.fields) {
      auto* fn = new QStandardItem(qs(fd.name));
      fn->setData(fd.offset, kOffsetRole);
      fn->setData(fd.length, kLengthRole);
      auto* fr = new QStandardItem(fd.length ? QString("%1-%2").arg(fd.offset).arg(fd.offset + fd.length - 1)
                                             : QString());
      name->appendRow({fn, new QStandardItem(qs(fd.value)), fr});
    }
    model_->appendRow({name, value, range});
  }
  tree_->expandAll();
  tree_->resizeColumnToContents(0);
  tree_->resizeColumnToContents(1);
  hex_->setPlainText(qs(hex_dump(bytes)));
}

void FrameInspector::highlight(std::uint32_t offset, std::uint32_t length) {
  QList<QTextEdit::ExtraSelection> marks;
  QTextCharFormat fmt;
  fmt.setBackground(QColor(0xff, 0xe0, 0x80));
  for (std::uint32_t i = offset; i < offset + length; ++i) {
    std::size_t col = hex_dump_column(i);
    QTextCursor c(hex_->document());
    c.setPosition(static_cast<int>(col));
    c.setPosition(static_cast<int>(col + 2), QTextCursor::KeepAnchor);
    if (c.selectedText().size() != 2) break;
    marks.push_back({c, fmt});
  }
  hex_->setExtraSelections(marks);
}

}  // namespace nlb::gui
