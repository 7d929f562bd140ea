#pragma once
// Two network namespaces made for one test and joined by a veth pair: "peer" (a real host:
// an address, ping, curl) and "sim" (holds the other veth end, which the simulation opens
// with an ExternalPort). Nothing else is touched: the root namespace gets no interface, and
// all traffic stays on this veth. The destructor removes both namespaces, which destroys the
// veth (once the simulation's socket on it is closed), also when a REQUIRE failed. Names carry
// the process id; namespaces left behind by a test process that died are removed first.
//
// Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and iproute2; otherwise ready() is false and
// skip_reason() says why, for a MESSAGE that skips the test.

#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

namespace nlb::test {

struct CommandResult {
  int status = -1;  // the shell's exit status; -1 if it could not run
  std::string output;
};

// Runs a shell command, capturing stdout and stderr together.
inline CommandResult run_command(const std::string& cmd) {
  CommandResult r;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) r.output.append(buf, n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// A command's output without its trailing newline, for one-line messages.
inline std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

class VethLab {
 public:
  static constexpr const char* kPrefix = "nlbt-";

  explicit VethLab(std::string peer_cidr) : peer_cidr_(std::move(peer_cidr)) {
    const std::string id = std::to_string(::getpid());
    peer_ns = kPrefix + id + "-peer";
    sim_ns = kPrefix + id + "-sim";
    peer_if = "nlbt" + id + "p";
    sim_if = "nlbt" + id + "s";
    if (::geteuid() != 0) {
      skip_ = "not root: network namespaces and veth pairs need CAP_SYS_ADMIN/CAP_NET_ADMIN";
      return;
    }
    if (run_command("command -v ip").status != 0) {
      skip_ = "iproute2 (the ip command) is not installed";
      return;
    }
    remove_stale();
    CommandResult r = run_command("ip netns add " + sim_ns);
    if (r.status != 0) {
      skip_ = "network namespaces unavailable (ip netns add: " + trim(r.output) + ")";
      return;
    }
    made_ = true;
    const std::vector<std::string> setup = {
        "ip netns add " + peer_ns,
        // IPv4 only: no IPv6 link-local chatter on the veth (ignored where IPv6 is absent).
        in(sim_ns,
           "sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; "
           "echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6' || true"),
        in(peer_ns,
           "sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; "
           "echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6' || true"),
        // Made inside the sim namespace with its peer end straight in the peer namespace.
        "ip -n " + sim_ns + " link add " + sim_if + " type veth peer name " + peer_if + " netns " + peer_ns,
        // The sim end carries no address; the kernel there must not answer ARP for anything.
        "ip -n " + sim_ns + " link set " + sim_if + " arp off up",
        "ip -n " + peer_ns + " link set lo up",
        "ip -n " + peer_ns + " addr add " + peer_cidr_ + " dev " + peer_if,
        "ip -n " + peer_ns + " link set " + peer_if + " up",
    };
    for (const std::string& cmd : setup) {
      r = run_command(cmd);
      if (r.status != 0) {
        skip_ = "setting up the veth pair failed (" + cmd + ": " + trim(r.output) + ")";
        return;
      }
    }
    peer_mac = trim(peer("cat /sys/class/net/" + peer_if + "/address").output);
    ready_ = true;
  }

  ~VethLab() {
    if (!made_) return;
    run_command("ip netns del " + peer_ns);
    run_command("ip netns del " + sim_ns);
  }
  VethLab(const VethLab&) = delete;
  VethLab& operator=(const VethLab&) = delete;

  bool ready() const { return ready_; }
  const std::string& skip_reason() const { return skip_; }

  // `cmd` run in the peer namespace.
  CommandResult peer(const std::string& cmd) const { return run_command(in(peer_ns, cmd)); }
  std::string peer_command(const std::string& cmd) const { return in(peer_ns, cmd); }

  std::string peer_ns, sim_ns, peer_if, sim_if, peer_mac;

 private:
  static std::string in(const std::string& ns, const std::string& cmd) {
    return "ip netns exec " + ns + " " + cmd;
  }
  // nlbt-<pid>-... namespaces whose process is gone.
  static void remove_stale() {
    std::istringstream list(run_command("ip netns list").output);
    std::string line;
    while (std::getline(list, line)) {
      std::string name = line.substr(0, line.find(' '));
      if (name.rfind(kPrefix, 0) != 0) continue;
      std::string rest = name.substr(std::string(kPrefix).size());
      pid_t pid = static_cast<pid_t>(std::atoi(rest.c_str()));
      if (pid > 0 && ::kill(pid, 0) != 0) run_command("ip netns del " + name);
    }
  }

  std::string peer_cidr_;
  std::string skip_;
  bool made_ = false;
  bool ready_ = false;
};

}  // namespace nlb::test
