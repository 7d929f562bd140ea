#pragma once
// The real side of scenarios/emulation-balancer-crash.json for one test, as scripts/emulate-demo
// builds it: namespaces P-sim (the simulation's veth ends), P-client (a real client) and
// P-srv1, P-srv2 (real servers: python3 -m http.server, the cluster address on the loopback,
// arp_ignore=1 and arp_announce=2, default route via the firewalls' VRRP address). P is "ne"
// and the process id, so parallel runs never meet. The destructor kills every process in those
// namespaces and deletes them (which destroys the veths), also after a failed REQUIRE; those
// left by a test process that died are removed first.
//
// Needs root, iproute2, python3 and curl; otherwise ready() is false and skip_reason() says why.

#include <signal.h>
#include <unistd.h>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/emulation/veth_lab.hpp"

namespace nlb::test {

class ClusterLab {
 public:
  static constexpr int kServers = 2;
  static constexpr const char* kCluster = "203.0.113.10";

  ClusterLab() : prefix("ne" + std::to_string(::getpid())) {
    if (::geteuid() != 0) {
      skip_ = "not root: network namespaces and veth pairs need CAP_SYS_ADMIN/CAP_NET_ADMIN";
      return;
    }
    for (const char* tool : {"ip", "python3", "curl"})
      if (run_command(std::string("command -v ") + tool).status != 0) {
        skip_ = std::string(tool) + " is not installed";
        return;
      }
    remove_stale();
    CommandResult r = run_command("ip netns add " + ns("sim"));
    if (r.status != 0) {
      skip_ = "network namespaces unavailable (ip netns add: " + trim(r.output) + ")";
      return;
    }
    made_.push_back(ns("sim"));
    if (!set_up()) return;
    ready_ = true;
  }

  ~ClusterLab() {
    for (const std::string& n : made_) remove_namespace(n);
  }
  ClusterLab(const ClusterLab&) = delete;
  ClusterLab& operator=(const ClusterLab&) = delete;

  bool ready() const { return ready_; }
  const std::string& skip_reason() const { return skip_; }
  std::string ns(const std::string& what) const { return prefix + "-" + what; }

  // One request from the real client: the server's page ("srv1") or empty when it failed.
  std::string request(int timeout_s = 1) const {
    CommandResult r = run_command("ip netns exec " + ns("client") + " curl -s --max-time " +
                                  std::to_string(timeout_s) + " http://" + kCluster + "/");
    return r.status == 0 ? r.output : std::string();
  }

  const std::string prefix;

 private:
  bool step(const std::string& cmd) {
    CommandResult r = run_command(cmd);
    if (r.status == 0) return true;
    skip_ = "setting up the lab failed (" + cmd + ": " + trim(r.output) + ")";
    return false;
  }
  std::string in(const std::string& n, const std::string& cmd) const {
    return "ip netns exec " + n + " " + cmd;
  }

  // A namespace with a veth to the simulation's namespace: `ifname` in it, `ifname`s there.
  bool host(const std::string& what, const std::string& ifname, const std::string& cidr,
            const std::string& gw) {
    const std::string n = ns(what);
    if (!step("ip netns add " + n)) return false;
    made_.push_back(n);
    return step(in(n,
                   "sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; "
                   "echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6' || true")) &&
           step("ip -n " + ns("sim") + " link add " + ifname + "s type veth peer name " + ifname + " netns " +
                n) &&
           step("ip -n " + ns("sim") + " link set " + ifname + "s arp off up") &&
           step("ip -n " + n + " link set lo up") &&
           step("ip -n " + n + " addr add " + cidr + " dev " + ifname) &&
           step("ip -n " + n + " link set " + ifname + " up") &&
           step("ip -n " + n + " route add default via " + gw) &&
           // Frames no larger than the MTU (docs/emulation.md, "Offloads"); without ethtool the
           // small pages of this test still cross.
           (run_command(in(n, "ethtool -K " + ifname + " tx off")), true);
  }

  bool set_up() {
    if (!step(in(ns("sim"), "sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6' || true")))
      return false;
    if (!host("client", prefix + "-cli", "198.51.100.10/24", "198.51.100.1")) return false;
    for (int i = 1; i <= kServers; ++i) {
      const std::string n = ns("srv" + std::to_string(i)), ifname = prefix + "-srv" + std::to_string(i);
      const std::string dir = "/tmp/" + n;
      if (!host("srv" + std::to_string(i), ifname, "10.0.2." + std::to_string(10 + i) + "/24", "10.0.2.1") ||
          !step("ip -n " + n + " addr add " + kCluster + "/32 dev lo") ||
          !step(in(n, "sh -c 'for k in all " + ifname +
                          "; do echo 1 > /proc/sys/net/ipv4/conf/$k/arp_ignore; "
                          "echo 2 > /proc/sys/net/ipv4/conf/$k/arp_announce; done'")) ||
          !step("mkdir -p " + dir + " && echo srv" + std::to_string(i) + " > " + dir + "/index.html") ||
          // Killed with every other process of the namespace by the destructor.
          !step(in(n, "sh -c 'python3 -m http.server 80 --bind 0.0.0.0 --directory " + dir +
                          " > /dev/null 2>&1 &'")))
        return false;
    }
    for (int i = 1; i <= kServers; ++i) {
      bool up = false;
      for (int k = 0; k < 100 && !up; ++k) {
        up = run_command(
                 in(ns("srv" + std::to_string(i)), "curl -s -o /dev/null --max-time 1 http://127.0.0.1/"))
                 .status == 0;
        if (!up) ::usleep(100'000);
      }
      if (!up) {
        skip_ = "python3 -m http.server did not start in " + ns("srv" + std::to_string(i));
        return false;
      }
    }
    return true;
  }

  static void remove_namespace(const std::string& n) {
    run_command("ip netns pids " + n + " | xargs -r kill -9");
    run_command("ip netns del " + n);
    run_command("rm -rf /tmp/" + n);
  }

  // ne<pid>-... namespaces whose process is gone.
  static void remove_stale() {
    static const std::regex ours("^ne([0-9]+)-(sim|client|srv[0-9]+)$");
    std::istringstream list(run_command("ip netns list").output);
    std::string line;
    while (std::getline(list, line)) {
      const std::string name = line.substr(0, line.find(' '));
      std::smatch m;
      if (!std::regex_match(name, m, ours)) continue;
      const pid_t pid = static_cast<pid_t>(std::stol(m[1].str()));
      if (::kill(pid, 0) != 0) remove_namespace(name);
    }
  }

  std::vector<std::string> made_;
  std::string skip_;
  bool ready_ = false;
};

}  // namespace nlb::test
