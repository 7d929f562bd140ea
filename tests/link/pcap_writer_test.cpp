#include <doctest/doctest.h>
#include <pcap/pcap.h>

#include <filesystem>
#include <string>
#include <vector>

#include "models/link/pcap_writer.hpp"
#include "tests/link/link_helpers.hpp"

using namespace nlb;
using namespace nlb::link;
using nlb::link::test::make_frame;
using nlb::link::test::RecordingNic;
using sim::Time;
namespace fs = std::filesystem;

namespace {
const wire::Mac kA = wire::Mac::local(1);
const wire::Mac kB = wire::Mac::local(2);
const wire::Mac kC = wire::Mac::local(3);

struct Record {
  std::int64_t ns;
  std::uint32_t caplen;
  std::uint32_t len;
  std::vector<std::uint8_t> bytes;
};

std::vector<Record> read_pcap(const std::string& path) {
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
  REQUIRE_MESSAGE(p != nullptr, err);
  CHECK(pcap_datalink(p) == DLT_EN10MB);
  std::vector<Record> out;
  pcap_pkthdr* h;
  const u_char* data;
  while (pcap_next_ex(p, &h, &data) == 1) {
    out.push_back({std::int64_t{h->ts.tv_sec} * 1'000'000'000 + h->ts.tv_usec, h->caplen, h->len,
                   std::vector<std::uint8_t>(data, data + h->caplen)});
  }
  pcap_close(p);
  return out;
}

fs::path out_dir() {
  fs::path d = fs::path(NLBSIM_BINARY_DIR) / "test-out" / "link";
  fs::create_directories(d);
  return d;
}

struct Net {
  Net() : lan(sim, 5, "lan5"), a(sim, kA), b(sim, kB), c(sim, kC) {
    a.dev.set_identity(0, 0);
    b.dev.set_identity(1, 2);
    c.dev.set_identity(2, 0);
    lan.attach(a.dev);
    lan.attach(b.dev);
    lan.attach(c.dev);
  }
  sim::Simulation sim;
  FramePool pool;
  Lan lan;
  RecordingNic a, b, c;
};
}  // namespace

TEST_CASE("a LAN capture holds each frame once, stamped to the nanosecond, and appears only on close") {
  Net n;
  std::string path = (out_dir() / "lan5.pcap").string();
  fs::remove(path);
  std::string error;
  auto w = PcapWriter::for_lan(n.sim, 5, path, error);
  REQUIRE_MESSAGE(w, error);
  CHECK(fs::exists(path + ".tmp"));
  n.a.dev.send(make_frame(n.pool, wire::Mac::broadcast(), kA, 60, 1));  // flooded to two ports
  n.sim.schedule_at(Time::s(3) + Time::ns(7), [&n] { n.b.dev.send(make_frame(n.pool, kA, kB, 60, 2)); });
  n.sim.run();
  CHECK(w->frames_written() == 2);
  CHECK_FALSE(fs::exists(path));
  REQUIRE(w->close(error));
  CHECK_FALSE(fs::exists(path + ".tmp"));
  auto recs = read_pcap(path);
  REQUIRE(recs.size() == 2);
  CHECK(recs[0].ns == 0);
  CHECK(recs[0].bytes[14] == 1);
  CHECK(recs[1].ns == 3'000'000'007);
  CHECK(recs[1].len == 60);
  CHECK(recs[1].bytes[14] == 2);
  CHECK_FALSE(w->close(error));  // twice is a mistake, reported
}

TEST_CASE("an interface capture holds what the NIC sent and accepted, virtual payload as zeros") {
  Net n;
  std::string path = (out_dir() / "node1-if2.pcap").string();
  std::string error;
  auto w = PcapWriter::for_interface(n.sim, 1, 2, path, error);
  REQUIRE_MESSAGE(w, error);
  FrameRef big = make_frame(n.pool, kB, kA, 20, 3);
  big.mut().virtual_len = 100;
  n.a.dev.send(std::move(big));
  n.sim.run();
  n.c.dev.send(make_frame(n.pool, kA, kC, 60, 4));  // A unknown yet: flooded, B filters it
  n.sim.run();
  n.b.dev.send(make_frame(n.pool, kC, kB, 60, 5));
  n.sim.run();
  REQUIRE(w->close(error));
  auto recs = read_pcap(path);
  REQUIRE(recs.size() == 2);
  CHECK(recs[0].len == 120);
  CHECK(recs[0].caplen == 120);
  CHECK(recs[0].bytes[14] == 3);
  bool zeros = true;
  for (std::size_t i = 20; i < 120; ++i) zeros = zeros && recs[0].bytes[i] == 0;
  CHECK(zeros);
  CHECK(recs[0].ns == 2 * (Lan::serialization(n.lan.config().link, 120) + Time::us(1)).nanos());
  CHECK(recs[1].bytes[14] == 5);
}

TEST_CASE("a capture destroyed without close leaves no file behind") {
  Net n;
  std::string path = (out_dir() / "abandoned.pcap").string();
  std::string error;
  {
    auto w = PcapWriter::for_lan(n.sim, 5, path, error);
    REQUIRE(w);
    n.a.dev.send(make_frame(n.pool, kB, kA));
    n.sim.run();
  }
  CHECK_FALSE(fs::exists(path));
  CHECK_FALSE(fs::exists(path + ".tmp"));
  // The subscription outlives the writer harmlessly.
  n.a.dev.send(make_frame(n.pool, kB, kA));
  n.sim.run();
}

TEST_CASE("a capture that cannot be created says where and why") {
  sim::Simulation sim;
  std::string error;
  auto w = PcapWriter::for_lan(sim, 0, "/nonexistent-dir/x.pcap", error);
  CHECK_FALSE(w);
  CHECK(error.find("/nonexistent-dir/x.pcap.tmp") != std::string::npos);
}
