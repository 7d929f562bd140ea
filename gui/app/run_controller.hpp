#pragma once
// Runs `nlbsim run SCENARIO --trace --out DIR` as a child process, reports its output as
// progress, and can cancel it. The GUI never simulates: it opens what the command wrote.

#include <QObject>
#include <QProcess>
#include <QString>

namespace nlb::gui {

class RunController : public QObject {
  Q_OBJECT

 public:
  explicit RunController(QObject* parent = nullptr);
  // The nlbsim binary: $NLBSIM, next to nlbsim-gui, ../cli/nlbsim (a build tree), then PATH.
  static QString find_nlbsim();
  bool start(const QString& scenario, const QString& out_dir, QString* error);
  // Options added to every run, e.g. {"--until", "6s"} (nlbsim run's options, docs/run.md).
  void set_extra_args(const QStringList& args) { extra_args_ = args; }
  const QStringList& extra_args() const { return extra_args_; }
  void cancel();
  bool running() const { return proc_.state() != QProcess::NotRunning; }
  // "  12.3s / 60.0s simulated ..." (nlbsim run --progress) -> 0.205; -1 for any other line.
  static double progress_fraction(const QString& line);

 signals:
  // The last line nlbsim printed; fraction is the simulated time done (0..1), -1 when the
  // line is not a progress line.
  void progress(const QString& line, double fraction);
  // ok: the outputs are there to open (exit 0, or 1 = an expectation failed).
  void finished(bool ok, const QString& out_dir, const QString& message);

 private:
  void read_output();
  void done(int code, QProcess::ExitStatus status);
  QProcess proc_;
  QString out_dir_;
  QStringList tail_;      // the last lines nlbsim printed, for an error message
  QStringList failures_;  // the summary's "  FAIL  ..." lines (expectations that do not hold)
  QStringList extra_args_;
  bool cancelled_ = false;
};

}  // namespace nlb::gui
