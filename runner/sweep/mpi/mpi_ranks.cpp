#include "runner/sweep/mpi/mpi_ranks.hpp"

#include <mpi.h>

#include <climits>
#include <cstdlib>

namespace nlb::sweep {

namespace {

// A launcher leaves one of these in each process's environment: OpenMPI's mpirun
// (OMPI_COMM_WORLD_SIZE), PMIx launchers such as srun --mpi=pmix (PMIX_RANK), MPICH's hydra
// and PMI-2 (PMI_RANK). Without a launcher MPI_Init would still work (a singleton of one
// rank), but it costs about 1.5 s here and gains nothing over the local path.
bool launched_by_mpi() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"})
    if (std::getenv(var) != nullptr) return true;
  return false;
}

class MpiRanks final : public Ranks {
 public:
  MpiRanks() {
    // Threads run variants, but only this (main) thread calls MPI: FUNNELED is enough.
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiRanks() override { MPI_Finalize(); }
  MpiRanks(const MpiRanks&) = delete;
  MpiRanks& operator=(const MpiRanks&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  std::vector<std::string> gather(const std::string& mine) override {
    // Lengths first, then the bytes. A rank's rows are far below 2 GiB (MPI counts are int);
    // a larger share is cut rather than overflow, and rank 0 then reports malformed results.
    int len = mine.size() > static_cast<std::size_t>(INT_MAX) ? 0 : static_cast<int>(mine.size());
    std::vector<int> lens(rank_ == 0 ? static_cast<std::size_t>(size_) : 0);
    MPI_Gather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    std::vector<int> displs(lens.size());
    long long total = 0;
    for (std::size_t r = 0; r < lens.size(); ++r) {
      displs[r] = static_cast<int>(total);
      total += lens[r];
    }
    std::string all(rank_ == 0 ? static_cast<std::size_t>(total) : 0, '\0');
    MPI_Gatherv(mine.data(), len, MPI_CHAR, all.data(), lens.data(), displs.data(), MPI_CHAR, 0,
                MPI_COMM_WORLD);
    std::vector<std::string> out;
    for (std::size_t r = 0; r < lens.size(); ++r)
      out.push_back(all.substr(static_cast<std::size_t>(displs[r]), static_cast<std::size_t>(lens[r])));
    return out;
  }

  int max(int value) override {
    int out = value;
    MPI_Allreduce(&value, &out, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return out;
  }

 private:
  int rank_ = 0, size_ = 1;
};

}  // namespace

std::unique_ptr<Ranks> mpi_ranks_if_launched() {
  if (!launched_by_mpi()) return nullptr;
  return std::make_unique<MpiRanks>();
}

}  // namespace nlb::sweep
