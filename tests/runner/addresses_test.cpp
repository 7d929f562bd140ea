// The public address audit: the seed's Figure 2 needs 6 public addresses, Figure 3 one.
#include <doctest/doctest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "runner/addresses.hpp"
#include "runner/load.hpp"

namespace fs = std::filesystem;
using namespace nlb::runner;
using nlb::wire::Ipv4;

namespace {

const fs::path kSource(NLBSIM_SOURCE_DIR);

Scenario load_ok(const fs::path& p) {
  LoadResult r = load_scenario(p);
  REQUIRE(r.ok());
  return std::move(*r.scenario);
}

Ipv4 ip(const char* s) { return *Ipv4::parse(s); }

}  // namespace

TEST_CASE(
    "Figure 2 (prior art) needs six public addresses: two firewalls, VRRP, two balancers, the cluster") {
  Scenario s = load_ok(kSource / "scenarios/figure2-prior-art.json");
  AddressAudit a = audit_public_addresses(s);
  REQUIRE(a.count() == 6);
  CHECK(a.addresses[0].address == ip("203.0.113.1"));
  CHECK(a.addresses[0].use == AddressUse::Vrrp);
  CHECK(a.addresses[1].use == AddressUse::Interface);  // fw1
  CHECK(a.addresses[1].placements[0].node == "fw1");
  CHECK(a.addresses[3].placements[0].node == "lb1");
  CHECK(a.addresses[5].address == ip("203.0.113.10"));
  CHECK(a.addresses[5].use == AddressUse::Cluster);
}

TEST_CASE("Figure 3 needs one public address: the cluster address, counted once wherever it is configured") {
  Scenario s = load_ok(kSource / "scenarios/figure3-single-public-ip.json");
  AddressAudit a = audit_public_addresses(s);
  REQUIRE(a.count() == 1);
  const PublicAddress& c = a.addresses[0];
  CHECK(c.address == ip("203.0.113.10"));
  CHECK(c.use == AddressUse::Cluster);
  CHECK(c.why.find("cluster address of pair nlb") != std::string::npos);
  // The pair's cluster entry plus the loopback of 2 balancers and 4 servers.
  CHECK(c.placements.size() == 7);
  std::size_t loopbacks = 0;
  for (const auto& p : c.placements) loopbacks += p.use == AddressUse::Loopback;
  CHECK(loopbacks == 6);
}

TEST_CASE("the shipped figures' public_addresses expectations match the audit") {
  for (const char* f : {"scenarios/figure2-prior-art.json", "scenarios/figure3-single-public-ip.json"}) {
    Scenario s = load_ok(kSource / f);
    std::size_t count = audit_public_addresses(s).count();
    bool checked = false;
    for (const auto& e : s.expectations)
      if (e.measure == Measure::PublicAddresses) {
        CHECK(e.min == static_cast<double>(count));
        CHECK(e.max == static_cast<double>(count));
        checked = true;
      }
    CHECK(checked);
  }
}

TEST_CASE("client and internet nodes are not the site's, and private or special addresses are not public") {
  LoadResult r = load_scenario_text(R"({
    "lans": [{"name": "net", "subnet": "198.51.100.0/24"}, {"name": "in", "subnet": "100.64.0.0/24"}],
    "nodes": [
      {"name": "c", "role": "client", "interfaces": [{"name": "eth0", "lan": "net", "address": "198.51.100.10/24"}]},
      {"name": "i", "role": "internet", "interfaces": [{"name": "eth0", "lan": "net", "address": "198.51.100.1/24"}]},
      {"name": "r", "role": "router", "interfaces": [{"name": "eth0", "lan": "net", "address": "198.51.100.2/24"},
                                                      {"name": "eth1", "lan": "in", "address": "100.64.0.1/24"}],
       "loopback": ["127.0.0.2", "10.1.1.1", "192.0.2.5"]},
      {"name": "h", "role": "host", "interfaces": [{"name": "eth0", "lan": "in", "address": "100.64.0.2/24",
                                                    "aliases": ["100.64.0.3"]}]}
    ]
  })",
                                    "mix.json");
  REQUIRE(r.ok());
  AddressAudit a = audit_public_addresses(*r.scenario);
  std::vector<std::string> got;
  for (const auto& pa : a.addresses) got.push_back(pa.address.str() + " " + std::string(to_string(pa.use)));
  CHECK(got == std::vector<std::string>{"100.64.0.1 interface", "100.64.0.2 interface", "100.64.0.3 alias",
                                        "192.0.2.5 loopback", "198.51.100.2 interface"});
  CHECK_FALSE(is_public(ip("10.0.0.1")));
  CHECK_FALSE(is_public(ip("172.16.5.4")));
  CHECK_FALSE(is_public(ip("192.168.1.1")));
  CHECK_FALSE(is_public(ip("127.0.0.1")));
  CHECK_FALSE(is_public(ip("169.254.1.1")));
  CHECK_FALSE(is_public(ip("224.0.0.18")));
  CHECK(is_public(ip("172.32.0.1")));
  CHECK(is_public(ip("203.0.113.10")));
}

TEST_CASE("the audit prints as a table and as JSON") {
  Scenario s = load_ok(kSource / "scenarios/figure3-single-public-ip.json");
  AddressAudit a = audit_public_addresses(s);
  std::string table = audit_table(s, a);
  CHECK(table.starts_with("figure3-single-public-ip: 1 public address the site must own\n"));
  CHECK(table.find("203.0.113.10  cluster address of pair nlb") != std::string::npos);
  CHECK(table.find("srv4 loopback") != std::string::npos);
  nlohmann::json j = nlohmann::json::parse(audit_json(s, a));
  CHECK(j["public_addresses"] == 1);
  CHECK(j["addresses"][0]["address"] == "203.0.113.10");
  CHECK(j["addresses"][0]["use"] == "cluster");
  CHECK(j["addresses"][0]["placements"].size() == 7);
}

TEST_CASE("the emulation scenario owns one public address: its real client's is not the site's") {
  // real-client has 198.51.100.10 (public) but serves no cluster; real-srv1/2 hold the cluster
  // address on their loopback like the balancers.
  Scenario s = load_ok(kSource / "scenarios/emulation-balancer-crash.json");
  AddressAudit a = audit_public_addresses(s);
  REQUIRE(a.count() == 1);
  CHECK(a.addresses[0].address == ip("203.0.113.10"));
  bool on_real_server = false;
  for (const auto& p : a.addresses[0].placements) on_real_server = on_real_server || p.node == "real-srv1";
  CHECK(on_real_server);
}
