// Topology layouts: the seed's layered picture and the force-directed fallback.

#include <QtTest/QtTest>
#include <cmath>

#include "gui/model/layout.hpp"
#include "tests/gui/test_support.hpp"

using namespace nlb::gui;

namespace {

// A ring of routers: nothing the layered layout knows.
std::string ring() {
  std::string nodes, lans;
  for (int i = 0; i < 5; ++i) {
    lans += std::string(i ? "," : "") + R"({"id":)" + std::to_string(i) + R"(,"name":"l)" +
            std::to_string(i) + R"(","subnet":"10.0.)" + std::to_string(i) + R"(.0/24"})";
    nodes += std::string(i ? "," : "") + R"({"id":)" + std::to_string(i) + R"(,"name":"r)" +
             std::to_string(i) + R"(","role":"router","interfaces":[{"index":0,"name":"a","lan":)" +
             std::to_string(i) +
             R"(,"mac":"02:00:00:00:00:01","addresses":[],"loopback":false},{"index":1,"name":"b","lan":)" +
             std::to_string((i + 1) % 5) +
             R"(,"mac":"02:00:00:00:00:02","addresses":[],"loopback":false}],"routes":[]})";
  }
  return R"({"type":"header","format":"nlbsim-trace","version":1,"topology":{"lans":[)" + lans +
         R"(],"nodes":[)" + nodes + "]}}\n";
}

}  // namespace

class LayoutTest : public QObject {
  Q_OBJECT

 private slots:
  void the_seeds_topology_is_laid_out_in_request_order() {
    test::Loaded l;
    test::load_synthetic(l);
    const Header& h = l.model.header();
    QVERIFY(seed_like(h));
    TopologyLayout t = compute_layout(h);
    QVERIFY(t.layered);
    auto x = [&](const char* n) { return t.nodes[h.node_by_name(n)].x; };
    auto lan_x = [&](const char* n) { return t.lans[h.lan_by_name(n)].x; };
    QVERIFY(x("client1") < x("internet"));
    QVERIFY(x("internet") < x("fw1"));
    QVERIFY(x("fw1") < lan_x("internet-access"));
    QVERIFY(lan_x("internet-access") < x("lb1"));
    QVERIFY(x("lb1") < lan_x("server-access"));
    QVERIFY(lan_x("server-access") < x("srv1"));
    QCOMPARE(x("fw1"), x("fw2"));
    QVERIFY(t.nodes[h.node_by_name("fw1")].y != t.nodes[h.node_by_name("fw2")].y);
  }

  void stubs_of_one_node_never_overlap_and_buses_reach_every_stub() {
    test::Loaded l;
    test::load_synthetic(l);
    const Header& h = l.model.header();
    TopologyLayout t = compute_layout(h);
    int fw1 = h.node_by_name("fw1");
    Segment a = stub(h, t, fw1, 1), b = stub(h, t, fw1, 2);
    QVERIFY(a.a.y != b.a.y);
    QCOMPARE(a.b.x, t.lans[h.lan_by_name("internet-access")].x);
    // Loopback: no stub.
    int lb1 = h.node_by_name("lb1");
    Segment lo = stub(h, t, lb1, 2);
    QCOMPARE(lo.a.x, lo.b.x);
    QCOMPARE(lo.a.y, lo.b.y);
    Segment sb = bus(h, t, h.lan_by_name("server-access"));
    for (const char* n : {"fw1", "fw2", "lb1", "srv1", "srv3"}) {
      int node = h.node_by_name(n);
      for (std::size_t i = 0; i < h.nodes[node].interfaces.size(); ++i) {
        if (h.nodes[node].interfaces[i].lan != h.lan_by_name("server-access")) continue;
        double y = stub(h, t, node, static_cast<int>(i)).b.y;
        QVERIFY(y > sb.a.y && y < sb.b.y);
      }
    }
    // fw1's stub to the server LAN passes outside the balancers' boxes.
    double y = b.a.y;
    for (const char* n : {"lb1", "lb2"})
      QVERIFY(std::abs(y - t.nodes[h.node_by_name(n)].y) > kNodeHeight / 2);
  }

  void other_topologies_get_a_deterministic_force_directed_layout() {
    TraceModel m;
    test::load_text(m, ring());
    QVERIFY(!seed_like(m.header()));
    TopologyLayout a = compute_layout(m.header()), b = compute_layout(m.header());
    QVERIFY(!a.layered);
    QCOMPARE(a.axis, BusAxis::Horizontal);
    for (std::size_t i = 0; i < a.nodes.size(); ++i) {
      QVERIFY(std::isfinite(a.nodes[i].x) && std::isfinite(a.nodes[i].y));
      QCOMPARE(a.nodes[i].x, b.nodes[i].x);
      QCOMPARE(a.nodes[i].y, b.nodes[i].y);
    }
    // Nodes are spread out, not piled up.
    for (std::size_t i = 0; i < a.nodes.size(); ++i)
      for (std::size_t j = i + 1; j < a.nodes.size(); ++j)
        QVERIFY(std::hypot(a.nodes[i].x - a.nodes[j].x, a.nodes[i].y - a.nodes[j].y) > 20);
  }

  void saved_positions_round_trip_and_restore_by_name() {
    test::Loaded l;
    test::load_synthetic(l);
    const Header& h = l.model.header();
    TopologyLayout t = compute_layout(h);
    t.nodes[h.node_by_name("lb2")] = {1234.5, -6.25};
    std::string text = positions_json(positions_of(h, t));
    SavedPositions p;
    std::string error;
    QVERIFY(parse_positions(text, p, error));
    TopologyLayout fresh = compute_layout(h);
    apply_positions(h, p, fresh);
    QCOMPARE(fresh.nodes[h.node_by_name("lb2")].x, 1234.5);
    QCOMPARE(fresh.nodes[h.node_by_name("lb2")].y, -6.25);
    QVERIFY(!parse_positions(R"({"nodes":{"lb2":[1]}})", p, error));
    QCOMPARE(error, std::string("/nodes/lb2: expected [x, y]"));
    QVERIFY(!parse_positions("nope", p, error));
  }
};

QTEST_GUILESS_MAIN(LayoutTest)
#include "layout_test.moc"
