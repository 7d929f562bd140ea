// Topology layouts: the seed's layered picture and the force-directed fallback.

#include <QtTest/QtTest>
#include <cmath>
#include <set>

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

// The seed's site with `clients` clients and `servers` servers (the header alone).
std::string seed_site(int clients, int servers) {
  std::string nodes;
  int id = 0;
  auto node = [&](const std::string& name, const char* role, std::initializer_list<int> lans) {
    nodes += std::string(id ? "," : "") + R"({"id":)" + std::to_string(id) + R"(,"name":")" + name +
             R"(","role":")" + role + R"(","interfaces":[)";
    int k = 0;
    for (int lan : lans) {
      nodes += std::string(k ? "," : "") + R"({"index":)" + std::to_string(k) + R"(,"name":"eth)" +
               std::to_string(k) + R"(","lan":)" + std::to_string(lan) +
               R"(,"mac":"02:00:00:00:00:01","addresses":[],"loopback":false})";
      ++k;
    }
    nodes += R"(],"routes":[]})";
    ++id;
  };
  for (int i = 1; i <= clients; ++i) node("client" + std::to_string(i), "client", {0});
  node("inet", "internet", {0, 1});
  for (int i = 1; i <= 2; ++i) node("fw" + std::to_string(i), "firewall", {1, 2, 3});
  for (int i = 1; i <= 2; ++i) node("lb" + std::to_string(i), "balancer", {2, 3});
  for (int i = 1; i <= servers; ++i) node("srv" + std::to_string(i), "server", {3});
  return R"({"type":"header","format":"nlbsim-trace","version":1,"topology":{"lans":[)"
         R"({"id":0,"name":"internet"},{"id":1,"name":"wan"},{"id":2,"name":"ias"},{"id":3,"name":"servers"}],)"
         R"("nodes":[)" +
         nodes + "]}}\n";
}

}  // namespace

class LayoutTest : public QObject {
  Q_OBJECT

 private slots:
  void the_seeds_topology_is_laid_out_in_request_order() {
    const Header& h = test::real_run().model.header();
    QVERIFY(seed_like(h));
    TopologyLayout t = compute_layout(h);
    QVERIFY(t.layered);
    auto x = [&](const char* n) { return t.nodes[h.node_by_name(n)].x; };
    auto lan_x = [&](const char* n) { return t.lans[h.lan_by_name(n)].x; };
    QVERIFY(x("client1") < lan_x("internet"));
    QVERIFY(lan_x("internet") < x("inet"));
    QVERIFY(x("inet") < lan_x("wan"));
    QVERIFY(lan_x("wan") < x("fw1"));
    QVERIFY(x("fw1") < lan_x("ias"));
    QVERIFY(lan_x("ias") < x("lb1"));
    QVERIFY(x("lb1") < lan_x("servers"));
    QVERIFY(lan_x("servers") < x("srv1"));
    QCOMPARE(x("client1"), x("client3"));  // three clients: one column
    QCOMPARE(x("fw1"), x("fw2"));
    QVERIFY(t.nodes[h.node_by_name("fw1")].y != t.nodes[h.node_by_name("fw2")].y);
  }

  void stubs_of_one_node_never_overlap_and_buses_reach_every_stub() {
    const Header& h = test::real_run().model.header();
    TopologyLayout t = compute_layout(h);
    int fw1 = h.node_by_name("fw1");
    Segment a = stub(h, t, fw1, 1), b = stub(h, t, fw1, 2);
    QVERIFY(a.a.y != b.a.y);
    QCOMPARE(a.b.x, t.lans[h.lan_by_name("ias")].x);
    // Loopback: no stub.
    int lb1 = h.node_by_name("lb1");
    Segment lo = stub(h, t, lb1, 2);
    QCOMPARE(lo.a.x, lo.b.x);
    QCOMPARE(lo.a.y, lo.b.y);
    Segment sb = bus(h, t, h.lan_by_name("servers"));
    for (const char* n : {"fw1", "fw2", "lb1", "srv1", "srv3"}) {
      int node = h.node_by_name(n);
      for (std::size_t i = 0; i < h.nodes[node].interfaces.size(); ++i) {
        if (h.nodes[node].interfaces[i].lan != h.lan_by_name("servers")) continue;
        double y = stub(h, t, node, static_cast<int>(i)).b.y;
        QVERIFY(y > sb.a.y && y < sb.b.y);
      }
    }
    // fw1's stub to the server LAN passes outside the balancers' boxes.
    double y = b.a.y;
    for (const char* n : {"lb1", "lb2"})
      QVERIFY(std::abs(y - t.nodes[h.node_by_name(n)].y) > kNodeHeight / 2);
  }

  void a_tall_column_folds_into_staggered_sub_columns_away_from_its_bus() {
    TraceModel m;
    test::load_text(m, seed_site(20, 4));
    const Header& h = m.header();
    TopologyLayout t = compute_layout(h);
    QVERIFY(t.layered);
    double lan = t.lans[h.lan_by_name("internet")].x, top = 1e9, bottom = -1e9;
    std::set<double> columns;
    for (int i = 1; i <= 20; ++i) {
      Point p = t.nodes[h.node_by_name("client" + std::to_string(i))];
      QVERIFY(p.x < lan);  // every client left of its bus
      columns.insert(p.x);
      top = std::min(top, p.y);
      bottom = std::max(bottom, p.y);
    }
    QVERIFY(columns.size() > 1);
    // No taller than the firewalls' column (two firewalls, each with the room between their
    // centres): the picture stays wide, as the window is.
    double fw = std::abs(t.nodes[h.node_by_name("fw1")].y - t.nodes[h.node_by_name("fw2")].y);
    QVERIFY2(bottom - top <= 2 * fw, qPrintable(QString::number(bottom - top)));
    // No two clients overlap.
    for (int i = 1; i <= 20; ++i)
      for (int j = i + 1; j <= 20; ++j) {
        Point a = t.nodes[h.node_by_name("client" + std::to_string(i))];
        Point b = t.nodes[h.node_by_name("client" + std::to_string(j))];
        QVERIFY(std::abs(a.x - b.x) >= kNodeWidth || std::abs(a.y - b.y) >= kNodeHeight);
      }
    // Two thousand clients and two hundred servers: blocks about as wide as tall, servers
    // growing right of their bus.
    TraceModel big;
    test::load_text(big, seed_site(2000, 200));
    TopologyLayout b = compute_layout(big.header());
    double min_x = 1e9, max_x = -1e9, min_y = 1e9, max_y = -1e9;
    for (std::size_t n = 0; n < 2000; ++n) {
      min_x = std::min(min_x, b.nodes[n].x);
      max_x = std::max(max_x, b.nodes[n].x);
      min_y = std::min(min_y, b.nodes[n].y);
      max_y = std::max(max_y, b.nodes[n].y);
    }
    QVERIFY((max_x - min_x) < 3 * (max_y - min_y) && (max_y - min_y) < 3 * (max_x - min_x));
    double servers = b.lans[big.header().lan_by_name("servers")].x;
    for (std::size_t n = 2005; n < big.header().nodes.size(); ++n) QVERIFY(b.nodes[n].x > servers);
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
    const Header& h = test::real_run().model.header();
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
