#include "gui/app/run_controller.hpp"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTimer>
#include <algorithm>

namespace nlb::gui {

RunController::RunController(QObject* parent) : QObject(parent) {
  proc_.setProcessChannelMode(QProcess::MergedChannels);
  connect(&proc_, &QProcess::readyRead, this, &RunController::read_output);
  connect(&proc_, &QProcess::finished, this, &RunController::done);
  connect(&proc_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
    if (e == QProcess::FailedToStart)
      emit finished(false, out_dir_, "could not start nlbsim: " + proc_.errorString());
  });
}

QString RunController::find_nlbsim() {
  // An explicit NLBSIM wins; when it names nothing runnable, say so rather than pick another binary.
  QString env = qEnvironmentVariable("NLBSIM");
  if (!env.isEmpty()) return QFileInfo(env).isExecutable() ? env : QString();
  QDir here(QCoreApplication::applicationDirPath());
  for (const QString& rel : {QString("nlbsim"), QString("../cli/nlbsim"), QString("../bin/nlbsim")}) {
    QFileInfo f(here.filePath(rel));
    if (f.isExecutable() && f.isFile()) return f.canonicalFilePath();
  }
  return QStandardPaths::findExecutable("nlbsim");
}

bool RunController::start(const QString& scenario, const QString& out_dir, QString* error) {
  QString exe = find_nlbsim();
  if (exe.isEmpty()) {
    if (error) {
      QString env = qEnvironmentVariable("NLBSIM");
      *error = env.isEmpty()
                   ? "The nlbsim command was not found (looked next to nlbsim-gui, in ../cli and on "
                     "PATH; set NLBSIM to its path)."
                   : "The nlbsim command was not found: NLBSIM=" + env + " is not an executable file.";
      *error +=
          " Build it with cmake --build build --target nlbsim, or open a run directory written by "
          "nlbsim run --trace.";
    }
    return false;
  }
  if (running()) {
    if (error) *error = "a run is already going on";
    return false;
  }
  out_dir_ = out_dir;
  cancelled_ = false;
  tail_.clear();
  failures_.clear();
  // --progress: nlbsim prints "  1.2s / 60.0s simulated ..." lines, though its stderr is a pipe.
  proc_.start(exe, QStringList{"run", scenario, "--trace", "--progress", "--out", out_dir} + extra_args_);
  return true;
}

void RunController::cancel() {
  if (!running()) return;
  cancelled_ = true;
  // SIGTERM: nlbsim stops between two slices and removes its temporary outputs (docs/run.md);
  // killed if it has not gone a second later.
  proc_.terminate();
  QTimer::singleShot(1000, this, [this] {
    if (running()) proc_.kill();
  });
}

double RunController::progress_fraction(const QString& line) {
  QRegularExpressionMatch m = QRegularExpression(R"(^\s*([0-9.]+)s / ([0-9.]+)s simulated)").match(line);
  if (!m.hasMatch()) return -1;
  double now = m.captured(1).toDouble(), end = m.captured(2).toDouble();
  return end > 0 ? std::clamp(now / end, 0.0, 1.0) : -1;
}

void RunController::read_output() {
  // The runner rewrites its progress line with '\r' on a terminal and prints lines otherwise.
  QString text = QString::fromLocal8Bit(proc_.readAll());
  for (const QString& line : text.split(QRegularExpression("[\r\n]"), Qt::SkipEmptyParts)) {
    if (line.startsWith("  FAIL")) failures_ << line.trimmed();
    tail_ << line.trimmed();
    if (tail_.size() > 3) tail_.removeFirst();
    emit progress(tail_.back(), progress_fraction(line));
  }
}

void RunController::done(int code, QProcess::ExitStatus status) {
  read_output();
  if (cancelled_) {
    emit finished(false, out_dir_, "cancelled");
    return;
  }
  bool have = QFileInfo(QDir(out_dir_).filePath("trace.jsonl")).exists();
  if (status != QProcess::NormalExit) {
    emit finished(false, out_dir_, "nlbsim crashed");
  } else if ((code == 0 || code == 1) && have) {
    emit finished(true, out_dir_,
                  code == 0 ? "every expectation holds" : "an expectation failed: " + failures_.join("; "));
  } else if (code == 0 || code == 1) {
    emit finished(false, out_dir_, "nlbsim wrote no trace.jsonl (is --trace supported?)");
  } else {
    emit finished(false, out_dir_, QString("nlbsim exited with %1:\n%2").arg(code).arg(tail_.join("\n")));
  }
}

}  // namespace nlb::gui
