#include "runner/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <system_error>

#include <unistd.h>

namespace nlb::runner {

namespace fs = std::filesystem;

AtomicFile::AtomicFile(fs::path target) : target_(std::move(target)) {
  // Same directory as the target, so the rename never crosses file systems; hidden, and named
  // after the process so two runs writing the same target do not share a temporary.
  fs::path dir = target_.parent_path();
  // Built piecewise: `"." + string` makes GCC 12 at -O3 report a false -Werror=restrict (GCC PR
  // 105329).
  std::string name = ".";
  name += target_.filename().string();
  name += ".tmp-";
  name += std::to_string(::getpid());
  temp_ = dir / name;
  if (target_.filename().empty()) {
    error_ = "no file name in " + target_.string();
    return;
  }
  std::error_code ec;
  if (fs::is_directory(target_, ec)) {
    error_ = target_.string() + " is a directory";
    return;
  }
  out_.open(temp_, std::ios::binary | std::ios::trunc);
  if (!out_)
    error_ =
        "cannot write in " + (dir.empty() ? std::string(".") : dir.string()) + ": " + std::strerror(errno);
}

AtomicFile::~AtomicFile() {
  if (done_) return;
  out_.close();
  std::error_code ec;
  fs::remove(temp_, ec);
}

bool AtomicFile::commit() {
  if (!ok() || done_) return false;
  out_.flush();
  bool good = out_.good();
  out_.close();
  std::error_code ec;
  if (!good || out_.fail()) {
    error_ = "cannot write " + temp_.string();
    fs::remove(temp_, ec);
    done_ = true;
    return false;
  }
  fs::rename(temp_, target_, ec);
  done_ = true;
  if (ec) {
    error_ = "cannot create " + target_.string() + ": " + ec.message();
    fs::remove(temp_, ec);
    return false;
  }
  return true;
}

std::string write_file_atomically(const fs::path& target, std::string_view content) {
  AtomicFile f(target);
  if (!f.ok()) return f.error();
  f.write(content);
  if (!f.commit()) return f.error();
  return {};
}

}  // namespace nlb::runner
