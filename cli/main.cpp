#include <iostream>

#include "cli/command.hpp"

int main(int argc, char** argv) { return nlb::cli::run_cli(argc, argv, std::cout, std::cerr); }
