#pragma once
// Output files appear whole or not at all: content goes to a temporary file in the target's
// directory, which is renamed over the target only once everything is written and flushed
// (rename is atomic within a file system, POSIX rename(2)). A failed or interrupted write
// leaves the target as it was; the destructor removes the temporary.

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace nlb::runner {

class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path target);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // False (with error()) if the temporary could not be created.
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::ostream& stream() { return out_; }
  void write(std::string_view text) { out_ << text; }

  // Flushes, closes and renames over the target. Returns false (with error()) on failure,
  // in which case the target is untouched.
  bool commit();

  const std::filesystem::path& temp_path() const { return temp_; }

 private:
  std::filesystem::path target_, temp_;
  std::ofstream out_;
  std::string error_;
  bool done_ = false;
};

// One-shot form: "" on success, else what went wrong.
std::string write_file_atomically(const std::filesystem::path& target, std::string_view content);

}  // namespace nlb::runner
