#pragma once
// Broken scenarios and where each must be reported. One case = one file in tests/runner/bad/
// plus one line here. `where` is the JSON pointer of the error ("" = the whole file) or
// "LINE:COLUMN" for errors found before there is a document; `in_file` names the file the
// error must point into when it is not the case's own file (an error in what a base provides).
// Shared by tests/runner (the loader) and tests/cli (exit code 2, no output file left).

#include <string>
#include <vector>

namespace nlb::test {

struct BadCase {
  std::string file;
  std::string where;
  std::string fragment;
  std::string in_file = {};
};

inline std::string deep_pointer() {
  std::string p = "/description";
  for (int i = 0; i < 63; ++i) p += "/0";
  return p;
}

inline const std::vector<BadCase>& bad_cases() {
  static const std::vector<BadCase> cases = {
      // Reading and JSON.
      {"empty.json", "", "empty file"},
      {"whitespace-only.json", "", "empty file"},
      {"binary.json", "", "binary data"},
      {"invalid-utf8.json", "2:15", "invalid UTF-8"},
      {"syntax-missing-colon.json", "3:10", "expected ':'"},
      {"syntax-trailing-comma.json", "4:3", "JSON syntax error"},
      {"truncated.json", "4:1", "unexpected end of input"},
      {"duplicate-key.json", "/nodes/0/name", "duplicate key \"name\""},
      {"not-an-object.json", "", "expected a JSON object"},
      {"too-deep.json", deep_pointer(), "nested more than 64"},
      {"number-overflow.json", "", "number overflow"},
      // Form: keys, types, ranges.
      {"unknown-key-typo.json", "/nodes/0/interfaces/0/adress", "did you mean \"address\""},
      {"unknown-top-level-key.json", "/node", "did you mean \"nodes\""},
      {"missing-role.json", "/nodes/0", "missing \"role\""},
      {"missing-nodes.json", "", "missing \"nodes\""},
      {"seed-wrong-type.json", "/seed", "expected a whole number"},
      {"seed-huge.json", "/seed", "expected a whole number"},
      {"duration-negative.json", "/duration", "cannot be negative"},
      {"duration-no-unit-number.json", "/duration", "expected a time with a unit"},
      {"duration-bad-unit.json", "/duration", "expected a time with a unit"},
      {"duration-too-long.json", "/duration", "at most 8760h"},
      {"time-finer-than-ns.json", "/duration", "expected a time"},
      {"lan-queue-too-large.json", "/lans/0/queue", "from 0 to 1000000"},
      {"lan-loss-above-one.json", "/lans/0/loss", "from 0 to 1,"},
      {"lan-bandwidth-bad.json", "/lans/0/bandwidth", "expected a bandwidth"},
      {"lan-subnet-host-bits.json", "/lans/0/subnet", "did you mean \"10.0.0.0/24\""},
      {"name-with-space.json", "/lans/0/name", "expected a name"},
      {"address-bad-octet.json", "/nodes/0/interfaces/0/address", "expected an address"},
      {"address-without-prefix.json", "/nodes/0/interfaces/0/address", "prefix length"},
      {"role-typo.json", "/nodes/0/role", "did you mean \"server\""},
      {"mac-bad.json", "/nodes/0/interfaces/0/mac", "expected a MAC address"},
      {"mac-multicast.json", "/nodes/0/interfaces/0/mac", "not a unicast MAC"},
      {"route-needs-via.json", "/nodes/0/routes/0", "needs \"via\""},
      {"interfaces-not-array.json", "/nodes/0/interfaces", "expected an array"},
      {"proportions-not-100.json", "/balancer_pairs/0/clusters/0/manager/proportions", "add up to 90"},
      {"heartbeat-timeout-below-interval.json", "/balancer_pairs/0/heartbeat/timeout",
       "must exceed the interval"},
      {"vrrp-v2-fractional-interval.json", "/vrrp_groups/0/advert_interval", "whole seconds"},
      {"vrrp-rfc-down-timer.json", "/vrrp_groups/0/down_timer_adverts", "\"mode\": \"keepalived\""},
      {"vrrp-priority-zero.json", "/vrrp_groups/0/members/0/priority", "from 1 to 255"},
      {"uniform-without-max.json", "/nodes/0/http_server/service_time", "needs \"min\" and \"max\""},
      {"fault-crash-without-node.json", "/timeline/0", "needs \"node\"", "../good/minimal.json"},
      {"fault-crash-with-lan.json", "/timeline/0/lan", "does not use \"lan\""},
      {"fault-link-down-without-target.json", "/timeline/0", "needs \"node\" and \"interface\""},
      {"fault-set-loss-probability.json", "/timeline/0/probability", "from 0 to 1,"},
      {"expectation-without-bound.json", "/expectations/0", "needs a bound"},
      {"expectation-time-as-number.json", "/expectations/0/max", "expected a time"},
      {"expectation-min-above-max.json", "/expectations/0/max", "below min"},
      {"keep-alive-needed.json", "/traffic/0/requests_per_connection", "\"keep_alive\": true"},
      {"traffic-target-bad-port.json", "/traffic/0/target", "address:port"},
      {"traffic-rate-zero.json", "/traffic/0/rate", "above 0"},
      // Composition: generators, parameters, extends, include.
      {"generator-negative-count.json", "/nodes/0/count", "from 0 to 100000"},
      {"generator-count-huge.json", "/nodes/0/count", "from 0 to 100000"},
      {"generator-bad-expression.json", "/nodes/0/interfaces/0/address", "ends too early"},
      {"generator-address-overflow.json", "/nodes/0/interfaces/0/address", "i=2"},
      {"generator-outside-array.json", "/balancer_pairs/0/heartbeat/count", "array elements only"},
      {"parameter-unknown.json", "/vrrp_groups/0/virtual_addresses/0", "did you mean \"ias\""},
      {"parameter-cycle.json", "/parameters/b", "refers to itself"},
      {"parameter-explosion.json", "/parameters/p6", "past 64 MiB"},
      {"generator-explosion.json", "/nodes/0", "past 64 MiB"},
      {"cycle-a.json", "/extends", "include cycle: cycle-a.json -> cycle-b.json -> cycle-a.json",
       "cycle-b.json"},
      {"extends-missing-file.json", "/extends", "cannot read"},
      {"extends-not-string.json", "/extends", "expected a file name"},
      {"include-not-object-with-keys.json", "/traffic/0/include", "expected an object"},
      // Meaning: addresses, names, references, the seed's rules, topology.
      {"address-outside-subnet.json", "/nodes/0/interfaces/0/address",
       "outside LAN servers's subnet 10.0.2.0/24"},
      {"address-duplicate.json", "/nodes/0/interfaces/0/address", "already configured on srv1/eth0"},
      {"address-network.json", "/nodes/0/interfaces/0/address", "network address"},
      {"mac-duplicate.json", "/nodes/1/interfaces/0/mac", "already the MAC"},
      {"node-name-duplicate.json", "/nodes/1/name", "already used"},
      {"lan-name-duplicate.json", "/lans/1/name", "already used"},
      {"lan-unattached.json", "/lans/0", "no interface attaches"},
      {"interface-missing-lan.json", "/nodes/0/interfaces/0/lan", "did you mean \"servers\""},
      {"interface-named-lo.json", "/nodes/0/interfaces/0/name", "loopback"},
      {"route-via-unconnected.json", "/nodes/0/routes/0/via", "not on a subnet directly connected"},
      {"route-via-own-address.json", "/nodes/0/routes/0/via", "own address"},
      {"fault-missing-node.json", "/timeline/0/node", "no node named \"lb3\""},
      {"fault-missing-pair.json", "/timeline/0/pair", "no balancer pair named \"nbl\""},
      {"fault-after-end.json", "/timeline/0/at", "after the end of the run"},
      {"fault-missing-interface.json", "/timeline/0/interface", "no interface \"eth9\""},
      {"traffic-missing-client.json", "/traffic/0/clients/0", "did you mean \"client\""},
      {"traffic-glob-no-match.json", "/traffic/0/clients/0", "no node name matches"},
      {"vrrp-member-missing-node.json", "/vrrp_groups/0/members/1/node", "no node named \"fw3\""},
      {"vrrp-vrid-duplicate.json", "/vrrp_groups/0/vrid", "already used on LAN ias"},
      {"vrrp-owner-priority.json", "/vrrp_groups/2/members/0/priority", "must be 255",
       "../good/minimal.json"},
      {"vrrp-address-outside-lan.json", "/vrrp_groups/0/virtual_addresses/0",
       "outside the subnet of LAN ias"},
      {"cluster-server-missing.json", "/balancer_pairs/0/clusters/0/servers/1/node",
       "no node named \"srv3\""},
      {"cluster-not-on-loopback.json", "/balancer_pairs/0/clusters/0/address",
       "loopback of every server and balancer", "../good/minimal.json"},
      {"pair-wrong-role.json", "/balancer_pairs/0/backup", "needs nodes with role balancer"},
      {"pair-nlbs-outside-subnet.json", "/balancer_pairs/0/nlbs_address", "outside the access LAN"},
      {"server-not-on-server-lan.json", "/balancer_pairs/0/clusters/0/servers/1/node", "must share that LAN",
       "../good/minimal.json"},
      {"expectation-missing-fault.json", "/expectations/0/fault", "did you mean \"crash-lb1\""},
      {"expectation-server-not-in-cluster.json", "/expectations/0/server", "not a server of any cluster"},
      {"client-cannot-reach-cluster.json", "/traffic/0/clients", "cannot reach 203.0.113.10",
       "../good/minimal.json"},
      // External nodes (real hosts behind a Linux interface) and real time.
      {"external-interface-unbound.json", "/nodes/0/interfaces/0", "missing \"external\""},
      {"external-with-routes.json", "/nodes/0/routes", "does not apply to an external node"},
      {"external-on-simulated-node.json", "/nodes/1/interfaces/0/external",
       "only interfaces of nodes with role external"},
      {"external-ifname-too-long.json", "/nodes/0/interfaces/0/external", "not a Linux interface name"},
      {"external-wrong-type.json", "/nodes/0/interfaces/0/external", "expected a Linux interface name"},
      {"external-with-mac.json", "/nodes/0/interfaces/0/mac", "the real host has its own MAC"},
      {"external-netns-dotdot.json", "/nodes/0/interfaces/0/external/netns", "not a network namespace name"},
      {"external-bound-twice.json", "/nodes/2/interfaces/0/external",
       "already bound by /nodes/0/interfaces/0/external"},
      {"external-without-interface.json", "/nodes/0", "needs an interface bound to a Linux interface"},
      {"external-as-traffic-client.json", "/traffic/0/clients", "nlbsim runs no traffic on it"},
      {"external-crash.json", "/timeline/0/node", "a real host that nlbsim cannot crash"},
      {"realtime-slow-with-external.json", "/realtime/speed", "needs speed \"1/1\", not \"1/10\""},
      {"realtime-speed-bad.json", "/realtime/speed", "expected a speed \"N/M\""},
      {"realtime-max-lag-zero.json", "/realtime/max_lag", "expected at least 1us"},
  };
  return cases;
}

}  // namespace nlb::test
