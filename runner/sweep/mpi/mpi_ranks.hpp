#pragma once
// Sweep ranks over MPI (runner/sweep/ranks.hpp), for `mpirun -np K nlbsim sweep GRID`.

#include <memory>

#include "runner/sweep/ranks.hpp"

namespace nlb::sweep {

// MPI's ranks when an MPI launcher started this process (mpirun/mpiexec, srun), else nullptr:
// a sweep run from a shell stays a plain local process. MPI_Init is called here and
// MPI_Finalize when the object goes, so no other subcommand ever initialises MPI.
std::unique_ptr<Ranks> mpi_ranks_if_launched();

}  // namespace nlb::sweep
