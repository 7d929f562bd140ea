# Runs the engine benchmark with tiny sizes and checks that it exits 0 and prints every line
# a reader of docs/performance.md expects. Not a timed test: no rate is checked.
# Usage: cmake -DBENCH=<path to nlbsim-engine-bench> -P smoke.cmake
execute_process(
  COMMAND ${BENCH} --events 200000 --pending 100 --timers 1000 --churn-ops 100000
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nlbsim-engine-bench exited with ${rc}")
endif()
foreach(line
    "hold bare POD heap +[0-9.]+ M events/s"
    "hold std::function heap +[0-9.]+ M events/s"
    "hold engine schedule_in +[0-9.]+ M events/s"
    "hold engine Timer +[0-9.]+ M events/s"
    "ratio engine Timer / bare POD +[0-9.]+"
    "ratio engine schedule_in / bare POD +[0-9.]+"
    "timer churn +[0-9.]+ M ops/s"
    "hold checksums match")
  if(NOT out MATCHES "${line}")
    message(FATAL_ERROR "missing line matching: ${line}")
  endif()
endforeach()
