#pragma once
// The processes a sweep is split across. Locally there is one; under `mpirun -np K` there are
// K MPI ranks (runner/sweep/mpi, linked only into the nlbsim executable, so that MPI stays out
// of the simulation libraries and the tests). The sweep needs two collectives only.

#include <memory>
#include <string>
#include <vector>

namespace nlb::sweep {

class Ranks {
 public:
  virtual ~Ranks() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Every rank's `mine`, in rank order, at rank 0; an empty vector elsewhere.
  virtual std::vector<std::string> gather(const std::string& mine) = 0;
  // The largest `value` over all ranks, on every rank.
  virtual int max(int value) = 0;
};

// The one process of a local sweep.
class LocalRanks final : public Ranks {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::vector<std::string> gather(const std::string& mine) override { return {mine}; }
  int max(int value) override { return value; }
};

}  // namespace nlb::sweep
