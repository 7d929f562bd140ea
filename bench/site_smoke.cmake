# Runs the scenario benchmark tiny (4 clients, 2 servers, 1 s of traffic) and checks that it
# exits 0, prints every line docs/performance.md quotes, and that traffic went through the
# balancers (requests completed, datagrams delivered). Not a timed test: no rate is checked.
# Usage: cmake -DBENCH=<nlbsim-site-bench> -DTRAFFIC=udp|tcp -P site_smoke.cmake
execute_process(
  COMMAND ${BENCH} --traffic ${TRAFFIC} --clients 4 --servers 2 --seconds 1s --start 4s
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nlbsim-site-bench exited with ${rc}")
endif()
foreach(line
    "requests completed +[1-9][0-9]*\n"
    "datagrams delivered +[1-9][0-9]*\n"
    "events +[1-9][0-9]*\n"
    "wall seconds +[0-9.]+\n"
    "datagrams per wall-second +[0-9]+\n"
    "events per wall-second +[0-9]+\n"
    "events per datagram +[0-9.]+\n"
    "peak RSS MiB +[0-9.]+\n"
    "allocations per datagram +[0-9.]+\n")
  if(NOT out MATCHES "${line}")
    message(FATAL_ERROR "missing line matching: ${line}")
  endif()
endforeach()
