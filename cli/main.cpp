#include <iostream>

#include "cli/command.hpp"
#ifdef NLBSIM_MPI
#include "runner/sweep/mpi/mpi_ranks.hpp"
#endif

int main(int argc, char** argv) {
  nlb::cli::Environment env;
#ifdef NLBSIM_MPI
  env.mpi_ranks = nlb::sweep::mpi_ranks_if_launched;
#endif
  return nlb::cli::run_cli(argc, argv, std::cout, std::cerr, env);
}
