#pragma once
// Hand-written traces for nlbsim explain's tests: a small Figure 3 site (a client, two
// firewalls, two balancers, two servers) and builders for the lines a run writes, frames with
// real header bytes. Each test writes the story it wants to see explained.

#include <doctest/doctest.h>

#include <cstdio>
#include <sstream>
#include <string>

#include "runner/explain/explain.hpp"

namespace nlb::explain::test {

// Node ids of the header below.
enum : int { kClient = 0, kFw1 = 1, kFw2 = 2, kLb1 = 3, kLb2 = 4, kSrv1 = 5, kSrv2 = 6 };
// LANs: 0 outside (client, firewalls), 1 front (firewalls, balancers), 2 back (all but the client).
inline const char* kClientMac = "02:00:00:00:01:01";
inline const char* kFw1Out = "02:00:00:00:16:01";
inline const char* kFw1Front = "02:00:00:00:16:02";
inline const char* kFw2Front = "02:00:00:00:17:02";
inline const char* kLb1Front = "02:00:00:00:18:01";
inline const char* kLb1Back = "02:00:00:00:18:02";
inline const char* kLb2Front = "02:00:00:00:19:01";
inline const char* kLb2Back = "02:00:00:00:19:02";
inline const char* kSrv1Mac = "02:00:00:00:1a:01";
inline const char* kSrv2Mac = "02:00:00:00:1b:01";
inline const char* kVmacBack = "00:00:5e:00:01:02";  // VRID 2, the servers' gateway 10.0.2.1
inline const char* kNlbs = "192.168.10.10";
inline const char* kCluster = "203.0.113.10";
inline const char* kClientIp = "198.51.100.11";

inline std::string header(long long duration_ns = 40'000'000'000) {
  return std::string(
             R"({"type":"header","format":"nlbsim-trace","version":1,"scenario":"synthetic","seed":7,)") +
         R"("duration_ns":)" + std::to_string(duration_ns) + R"(,"topology":{"lans":[)" +
         R"({"id":0,"name":"outside","subnet":null},{"id":1,"name":"front","subnet":null},)" +
         R"({"id":2,"name":"back","subnet":null}],"nodes":[)" +
         R"({"id":0,"name":"client1","role":"client","interfaces":[{"index":0,"name":"eth0","lan":0,"port":0,)"
         R"("mac":"02:00:00:00:01:01","addresses":["198.51.100.11/24"],"loopback":false}],)"
         R"("routes":[{"dest":"0.0.0.0/0","via":"198.51.100.1","iface":0,"kind":"default"}]},)"
         R"({"id":1,"name":"fw1","role":"firewall","interfaces":[)"
         R"({"index":0,"name":"eth0","lan":0,"port":1,"mac":"02:00:00:00:16:01","addresses":["198.51.100.2/24"],"loopback":false},)"
         R"({"index":1,"name":"eth1","lan":1,"port":0,"mac":"02:00:00:00:16:02","addresses":["192.168.10.2/24"],"loopback":false},)"
         R"({"index":2,"name":"eth2","lan":2,"port":0,"mac":"02:00:00:00:16:03","addresses":["10.0.2.2/24"],"loopback":false}],)"
         R"("routes":[{"dest":"203.0.113.10/32","via":"192.168.10.10","iface":1,"kind":"static"},)"
         R"({"dest":"198.51.100.0/24","via":null,"iface":0,"kind":"direct"}]},)"
         R"({"id":2,"name":"fw2","role":"firewall","interfaces":[)"
         R"({"index":0,"name":"eth0","lan":0,"port":2,"mac":"02:00:00:00:17:01","addresses":["198.51.100.3/24"],"loopback":false},)"
         R"({"index":1,"name":"eth1","lan":1,"port":1,"mac":"02:00:00:00:17:02","addresses":["192.168.10.3/24"],"loopback":false},)"
         R"({"index":2,"name":"eth2","lan":2,"port":1,"mac":"02:00:00:00:17:03","addresses":["10.0.2.3/24"],"loopback":false}],)"
         R"("routes":[{"dest":"203.0.113.10/32","via":"192.168.10.10","iface":1,"kind":"static"},)"
         R"({"dest":"198.51.100.0/24","via":null,"iface":0,"kind":"direct"}]},)"
         R"({"id":3,"name":"lb1","role":"balancer","interfaces":[)"
         R"({"index":0,"name":"eth0","lan":1,"port":2,"mac":"02:00:00:00:18:01","addresses":["192.168.10.4/24"],"loopback":false},)"
         R"({"index":1,"name":"eth1","lan":2,"port":2,"mac":"02:00:00:00:18:02","addresses":["10.0.2.4/24"],"loopback":false},)"
         R"({"index":2,"name":"lo","lan":null,"mac":null,"addresses":["127.0.0.1/8","203.0.113.10/32"],"loopback":true}],"routes":[]},)"
         R"({"id":4,"name":"lb2","role":"balancer","interfaces":[)"
         R"({"index":0,"name":"eth0","lan":1,"port":3,"mac":"02:00:00:00:19:01","addresses":["192.168.10.5/24"],"loopback":false},)"
         R"({"index":1,"name":"eth1","lan":2,"port":3,"mac":"02:00:00:00:19:02","addresses":["10.0.2.5/24"],"loopback":false},)"
         R"({"index":2,"name":"lo","lan":null,"mac":null,"addresses":["127.0.0.1/8","203.0.113.10/32"],"loopback":true}],"routes":[]},)"
         R"({"id":5,"name":"srv1","role":"server","interfaces":[)"
         R"({"index":0,"name":"eth0","lan":2,"port":4,"mac":"02:00:00:00:1a:01","addresses":["10.0.2.11/24"],"loopback":false},)"
         R"({"index":1,"name":"lo","lan":null,"mac":null,"addresses":["127.0.0.1/8","203.0.113.10/32"],"loopback":true}],)"
         R"("routes":[{"dest":"0.0.0.0/0","via":"10.0.2.1","iface":0,"kind":"default"}]},)"
         R"({"id":6,"name":"srv2","role":"server","interfaces":[)"
         R"({"index":0,"name":"eth0","lan":2,"port":5,"mac":"02:00:00:00:1b:01","addresses":["10.0.2.12/24"],"loopback":false},)"
         R"({"index":1,"name":"lo","lan":null,"mac":null,"addresses":["127.0.0.1/8","203.0.113.10/32"],"loopback":true}],)"
         R"("routes":[{"dest":"0.0.0.0/0","via":"10.0.2.1","iface":0,"kind":"default"}]}]},"faults":[]})" +
         "\n";
}

inline std::string hex_mac(const std::string& mac) {
  std::string out;
  for (char c : mac)
    if (c != ':') out += c;
  return out;
}

inline std::string hex_ip(const std::string& ip) {
  unsigned a, b, c, d;
  std::sscanf(ip.c_str(), "%u.%u.%u.%u", &a, &b, &c, &d);
  char buf[9];
  std::snprintf(buf, sizeof buf, "%02x%02x%02x%02x", a, b, c, d);
  return buf;
}

inline std::string hex16(unsigned v) {
  char buf[5];
  std::snprintf(buf, sizeof buf, "%04x", v & 0xffff);
  return buf;
}

// Ethernet + IPv4 (20 bytes) + TCP (20 bytes, flags ACK): real headers, no payload.
inline std::string tcp_hex(const std::string& src_mac, const std::string& dst_mac, const std::string& src_ip,
                           const std::string& dst_ip, unsigned sport, unsigned dport) {
  return hex_mac(dst_mac) + hex_mac(src_mac) + "0800" + "45000028" + "00004000" + "40060000" +
         hex_ip(src_ip) + hex_ip(dst_ip) + hex16(sport) + hex16(dport) + "00000001" + "00000001" +
         "50100400" + "00000000";
}

// Ethernet + ARP; a gratuitous request has spa = tpa.
inline std::string arp_hex(const std::string& src_mac, const std::string& dst_mac, int op,
                           const std::string& sha, const std::string& spa, const std::string& tha,
                           const std::string& tpa) {
  return hex_mac(dst_mac) + hex_mac(src_mac) + "0806" + "000108000604" + hex16(static_cast<unsigned>(op)) +
         hex_mac(sha) + hex_ip(spa) + hex_mac(tha) + hex_ip(tpa);
}

// A trace under construction: lines in time order, then end().
class Trace {
 public:
  explicit Trace(long long duration_ns = 40'000'000'000) : duration_(duration_ns) {
    text_ = header(duration_ns);
  }

  Trace& line(long long t, const std::string& body) {
    text_ += "{\"t\":" + std::to_string(t) + "," + body + "}\n";
    ++lines_;
    return *this;
  }
  Trace& frame(long long t, const char* dir, int node, int iface, int lan, long long id, const char* kind,
               const std::string& hex, const char* reason = nullptr) {
    std::string b = std::string("\"ev\":\"frame\",\"dir\":\"") + dir + "\",\"node\":" + std::to_string(node) +
                    ",\"if\":" + std::to_string(iface) + ",\"lan\":" + std::to_string(lan) +
                    ",\"id\":" + std::to_string(id) + ",\"len\":60,\"vlen\":0,\"kind\":\"" + kind +
                    "\",\"summary\":\"\",\"hex\":\"" + hex + "\"";
    if (reason) b += std::string(",\"reason\":\"") + reason + "\"";
    return line(t, b);
  }
  Trace& fault(long long t, const std::string& fields) { return line(t, "\"ev\":\"fault\"," + fields); }
  Trace& state(long long t, int node, const char* machine, const char* from, const char* to,
               const char* why) {
    return line(t, "\"ev\":\"state\",\"node\":" + std::to_string(node) + ",\"machine\":\"" + machine +
                       "\",\"from\":\"" + from + "\",\"to\":\"" + to + "\",\"why\":\"" + why + "\"");
  }
  Trace& addr(long long t, int node, int iface, const char* op, const std::string& addr) {
    return line(t, "\"ev\":\"addr\",\"node\":" + std::to_string(node) + ",\"if\":" + std::to_string(iface) +
                       ",\"op\":\"" + op + "\",\"addr\":\"" + addr + "\",\"alias\":true");
  }
  Trace& arp(long long t, int node, int iface, const std::string& ip, const char* op, const std::string& mac,
             const std::string& old_mac = "", const char* state = "reachable") {
    std::string b = "\"ev\":\"arp\",\"node\":" + std::to_string(node) + ",\"if\":" + std::to_string(iface) +
                    ",\"ip\":\"" + ip + "\",\"op\":\"" + op + "\"";
    if (!mac.empty()) b += ",\"mac\":\"" + mac + "\"";
    if (!old_mac.empty()) b += ",\"old_mac\":\"" + old_mac + "\"";
    return line(t, b + ",\"state\":\"" + state + "\"");
  }
  Trace& mac(long long t, int lan, const std::string& mac, const char* op, int port, int old_port = -1) {
    std::string b =
        "\"ev\":\"mac\",\"lan\":" + std::to_string(lan) + ",\"mac\":\"" + mac + "\",\"op\":\"" + op + "\"";
    if (port >= 0) b += ",\"port\":" + std::to_string(port);
    if (old_port >= 0) b += ",\"old_port\":" + std::to_string(old_port);
    return line(t, b);
  }
  Trace& conn(long long t, int node, const char* op, unsigned client_port, const char* server,
              const char* outcome = nullptr) {
    std::string b = "\"ev\":\"conn\",\"node\":" + std::to_string(node) + ",\"op\":\"" + op +
                    "\",\"proto\":\"tcp\",\"client\":\"" + kClientIp + ":" + std::to_string(client_port) +
                    "\",\"vip\":\"" + kCluster + ":80\",\"server\":\"" + server + "\"";
    if (outcome) b += std::string(",\"outcome\":\"") + outcome + "\"";
    return line(t, b);
  }
  Trace& request(long long t, const char* outcome, long long latency_ns) {
    return line(t, std::string("\"ev\":\"request\",\"node\":0,\"outcome\":\"") + outcome +
                       "\",\"latency_ns\":" + std::to_string(latency_ns));
  }
  // A client's datagram to the cluster, forwarded by fw1 to `dst_mac` on the front LAN and
  // dropped there for `reason` at node `at`.
  Trace& lost_at(long long t, int at, const std::string& dst_mac, const char* reason, unsigned port = 40000) {
    return frame(t, "drop", at, 0, 1, next_id_++, "tcp",
                 tcp_hex(kFw1Front, dst_mac, kClientIp, kCluster, port, 80), reason);
  }
  // A balancer's gratuitous ARP for the NLBS address, sent and received by both firewalls.
  Trace& garp(long long t, int from, const std::string& mac) {
    const long long id = next_id_++;
    const std::string hex = arp_hex(mac, "ff:ff:ff:ff:ff:ff", 1, mac, kNlbs, "00:00:00:00:00:00", kNlbs);
    frame(t, "tx", from, 0, 1, id, "garp", hex);
    return frame(t + 3000, "rx", kFw1, 1, 1, id, "garp", hex);
  }

  std::string text(bool with_end = true) const {
    if (!with_end) return text_;
    return text_ + "{\"t\":" + std::to_string(duration_) +
           ",\"ev\":\"end\",\"lines\":" + std::to_string(lines_ + 1) + "}\n";
  }

 private:
  long long duration_;
  std::string text_;
  long long lines_ = 0;
  long long next_id_ = 1000;
};

inline constexpr long long s(double v) { return static_cast<long long>(v * 1e9); }

inline Explanation explain_text(const std::string& text) {
  std::istringstream in(text);
  std::string error;
  auto index = read_trace(in, "trace.jsonl", error);
  INFO(error);
  REQUIRE(index);
  return explain(*index);
}

inline std::string chain_text(const Outage& o) {
  std::string out;
  for (const Step& st : o.chain) out += st.node + ": " + st.text + "\n";
  return out;
}

}  // namespace nlb::explain::test
