// The GUI's model layer: parsing trace.jsonl, folding node tables at a replay position,
// decoding frames, metrics and report, scenario edits. Qt-free code tested with QtTest.

#include <QtTest/QtTest>

#include "gui/model/flat_json.hpp"
#include "gui/model/frame_decode.hpp"
#include "gui/model/node_tables.hpp"
#include "gui/model/run_outputs.hpp"
#include "gui/model/scenario_edit.hpp"
#include "tests/gui/test_support.hpp"

#include <algorithm>

using namespace nlb::gui;

namespace {

std::uint32_t ip(const char* text) {
  std::uint32_t v = 0;
  parse_ip(text, v);
  return v;
}

const ArpRow* arp_entry(const NodeTables& t, const char* address) {
  for (const ArpRow& r : t.arp)
    if (r.ip == ip(address)) return &r;
  return nullptr;
}

const AddrRow* address(const NodeTables& t, const char* a) {
  for (const IfaceRow& i : t.interfaces)
    for (const AddrRow& r : i.addresses)
      if (r.ip == ip(a)) return &r;
  return nullptr;
}

const Layer* layer(const std::vector<Layer>& ls, const std::string& name) {
  for (const Layer& l : ls)
    if (l.name == name) return &l;
  return nullptr;
}

std::string field(const Layer& l, const std::string& name) {
  for (const Field& f : l.fields)
    if (f.name == name) return f.value;
  return "<none>";
}

}  // namespace

class TraceModelTest : public QObject {
  Q_OBJECT

 private slots:
  void the_header_gives_nodes_lans_interfaces_and_routes() {
    const test::Loaded& l = test::real_run();
    const Header& h = l.model.header();
    QCOMPARE(h.scenario, std::string("gui-test-failover"));
    QCOMPARE(h.nodes.size(), std::size_t{11});  // 3 clients, inet, 2 firewalls, 2 balancers, 3 servers
    QCOMPARE(h.lans.size(), std::size_t{4});
    QCOMPARE(h.lans[h.lan_by_name("ias")].subnet, std::string("192.168.10.0/24"));
    int fw1 = l.node("fw1");
    QCOMPARE(h.nodes[fw1].role, Role::Firewall);
    // Figure 3: the firewalls route the cluster address to the private NLBS address.
    auto route = std::find_if(h.nodes[fw1].routes.begin(), h.nodes[fw1].routes.end(),
                              [](const Route& r) { return r.dest == "203.0.113.10/32"; });
    QVERIFY(route != h.nodes[fw1].routes.end());
    QCOMPARE(route->via, std::string("192.168.10.10"));
    QCOMPARE(route->kind, std::string("static"));
    const Node& lb1 = h.nodes[l.node("lb1")];
    const Interface& lo = lb1.interfaces.back();
    QVERIFY(lo.loopback);
    QCOMPARE(lo.lan, -1);
    QCOMPARE(lo.mac, std::uint64_t{0});
    QCOMPARE(ip_str(lo.addresses.back().ip), std::string("203.0.113.10"));
    QCOMPARE(h.faults.size(), std::size_t{2});
    QCOMPARE(h.faults[0].target, std::string("lb1"));
    QCOMPARE(h.faults[0].name, std::string("crash-active-balancer"));
    QCOMPARE(h.faults[1].action, std::string("recover"));
    // Every line the runner wrote is understood.
    QCOMPARE(l.model.stats().skipped, std::size_t{0});
    QCOMPARE(l.model.size() + 1, l.model.stats().lines);
    QVERIFY(!l.model.stats().reordered);
  }

  void the_line_reader_handles_escapes_nesting_and_reports_where_it_fails() {
    FlatJson j;
    std::string error;
    // Plain literals here: moc misreads escapes inside raw strings.
    QVERIFY(
        j.parse(" {\"a\":\"x\\\"y\\\\z\\u00e9\\ud83d\\ude00\",\"n\":-12,\"f\":1.5,\"b\":true,"
                "\"z\":null,\"o\":{\"k\":[1,\"}\"]},\"e\":\"\"} ",
                error));
    QCOMPARE(std::string(j.str("a")), std::string("x\"y\\z\xc3\xa9\xf0\x9f\x98\x80"));
    std::int64_t n = 0;
    QVERIFY(j.integer("n", n));
    QCOMPARE(n, std::int64_t{-12});
    QVERIFY(!j.integer("f", n));  // not an integer
    QVERIFY(j.boolean("b"));
    QCOMPARE(j.find("z")->kind, FlatJson::Kind::Null);
    QCOMPARE(std::string(j.find("o")->text), std::string("{\"k\":[1,\"}\"]}"));
    QVERIFY(j.find("e") != nullptr && j.str("e").empty());
    QVERIFY(j.find("missing") == nullptr);
    QVERIFY(j.parse("{}", error));
    QVERIFY(!j.parse(R"({"a":1,})", error));
    QCOMPARE(error, std::string("byte 7: expected a key"));
    QVERIFY(!j.parse("{\"a\":\"open", error));
    QVERIFY(!j.parse(R"({"a":1} x)", error));
    QCOMPARE(error, std::string("byte 8: text after the object"));
    QVERIFY(!j.parse(R"({"a":{"b":1})", error));
    QVERIFY(!j.parse("{\"a\":\"\\q\"}", error));
    QVERIFY(!j.parse(R"([1])", error));
    QVERIFY(!j.parse(R"({"a" 1})", error));
  }

  void trace_ids_are_mapped_to_positions() {
    TraceModel m;
    test::load_text(
        m, test::tiny_header() +
               R"({"t":10,"ev":"addr","node":12,"if":0,"op":"add","addr":"10.1.0.100/24","alias":true})"
               "\n");
    QCOMPARE(m.size(), std::size_t{1});
    QCOMPARE(m.event(0).node, 2);                        // id 12 is the third node
    QCOMPARE(m.header().nodes[0].interfaces[0].lan, 0);  // LAN id 7 is the first LAN
  }

  void a_missing_or_foreign_header_is_an_error_naming_line_1() {
    TraceModel m;
    std::string error;
    std::istringstream empty("");
    QVERIFY(!m.load(empty, error));
    QVERIFY(error.starts_with("line 1"));
    std::istringstream foreign(R"({"t":1,"ev":"frame"})"
                               "\n");
    QVERIFY(!m.load(foreign, error));
    QVERIFY(error.find("header") != std::string::npos);
    std::istringstream v2(R"({"type":"header","format":"nlbsim-trace","version":2,"topology":{}})"
                          "\n");
    QVERIFY(!m.load(v2, error));
    QVERIFY(error.find("version 2") != std::string::npos);
  }

  void malformed_event_lines_are_skipped_and_counted_with_their_line() {
    TraceModel m;
    test::load_text(m, test::tiny_header() + "not json\n" +
                           R"({"t":5,"ev":"frame","dir":"tx","node":10,"if":0,"lan":7,"id":1,"hex":"abc"})"
                           "\n" +
                           R"({"t":6,"ev":"addr","node":99,"if":0,"op":"add","addr":"10.1.0.9/24"})"
                           "\n" +
                           R"({"ev":"state"})"
                           "\n" +
                           R"({"t":7,"ev":"state","node":11,"machine":"ha","from":"initial","to":"active"})"
                           "\n");
    QCOMPARE(m.size(), std::size_t{1});
    QCOMPARE(m.stats().skipped, std::size_t{4});
    QVERIFY(m.stats().warnings[0].starts_with("line 2:"));
    QVERIFY(m.stats().warnings[1].find("hex") != std::string::npos);
    QVERIFY(m.stats().warnings[2].find("node 99") != std::string::npos);
  }

  void events_out_of_time_order_are_sorted_stably() {
    TraceModel m;
    test::load_text(m, test::tiny_header() +
                           R"({"t":30,"ev":"state","node":11,"machine":"ha","from":"a","to":"b"})"
                           "\n" +
                           R"({"t":10,"ev":"state","node":11,"machine":"ha","from":"b","to":"c"})"
                           "\n" +
                           R"({"t":10,"ev":"state","node":11,"machine":"ha","from":"c","to":"d"})"
                           "\n");
    QVERIFY(m.stats().reordered);
    QCOMPARE(m.event(0).t, std::int64_t{10});
    QCOMPARE(m.summary(0), std::string_view("ha: b -> c"));
    QCOMPARE(m.summary(1), std::string_view("ha: c -> d"));
    QCOMPARE(m.upper_bound(10), std::size_t{2});
    QCOMPARE(m.lower_bound(10), std::size_t{0});
    QCOMPARE(m.upper_bound(9), std::size_t{0});
  }

  void frame_bytes_come_back_exactly_from_hex() {
    TraceModel m;
    test::load_text(m, test::tiny_header() +
                           R"({"t":5,"ev":"frame","dir":"drop","node":11,"if":0,"lan":7,"id":42,"vlen":100,)"
                           R"("kind":"tcp","reason":"node-down","summary":"x","hex":"00ff10Ab"})"
                           "\n");
    const EventRecord& e = m.event(0);
    QCOMPARE(e.dir, Dir::Drop);
    QCOMPARE(e.kind, FrameKind::Tcp);
    auto b = m.frame_bytes(e);
    QCOMPARE(b.size(), std::size_t{4});
    QCOMPARE(int(b[0]), 0x00);
    QCOMPARE(int(b[1]), 0xff);
    QCOMPARE(int(b[3]), 0xab);
    QCOMPARE(m.frame(e).id, std::uint64_t{42});
    QCOMPARE(m.frame(e).vlen, std::uint32_t{100});
    QCOMPARE(m.text(m.frame(e).reason), std::string("node-down"));
  }

  void only_the_active_balancer_holds_the_nlbs_alias_until_the_takeover() {
    const test::Loaded& l = test::real_run();
    int lb1 = l.node("lb1"), lb2 = l.node("lb2");
    std::string nlbs = ip_str(l.nlbs);
    NodeTables t1 = fold_node(l.model, lb1, l.marks.crash);
    NodeTables t2 = fold_node(l.model, lb2, l.marks.crash);
    const AddrRow* alias = address(t1, nlbs.c_str());
    QVERIFY(alias != nullptr);
    QVERIFY(alias->alias);
    QVERIFY(!alias->from_header);
    QVERIFY(address(t2, nlbs.c_str()) == nullptr);
    QCOMPARE(t2.state("ha")->state, std::string("standby"));
    QCOMPARE(t1.state("ha")->state, std::string("active"));
    // lb1 crashed before the takeover: powered off, its alias gone, its states with it.
    NodeTables crashed = fold_node(l.model, lb1, l.marks.takeover);
    QVERIFY(crashed.faults.down);
    QCOMPARE(crashed.faults.badge(), "DOWN");
    QVERIFY(address(crashed, nlbs.c_str()) == nullptr);
    QVERIFY(crashed.state("ha") == nullptr);
    NodeTables after = fold_node(l.model, lb2, l.marks.gratuitous_arp);
    QVERIFY(address(after, nlbs.c_str()) != nullptr);
    QCOMPARE(after.state("ha")->state, std::string("active"));
    QCOMPARE(after.state("ha")->why, std::string("peer heartbeat lost"));
    // The cluster address stays on the loopback, marked as such.
    QVERIFY(after.interfaces.back().loopback);
    QCOMPARE(after.interfaces.back().addresses.back().ip, ip("203.0.113.10"));
  }

  void the_firewall_arp_table_follows_request_reply_and_gratuitous_arp() {
    const test::Loaded& l = test::real_run();
    const auto& h = l.model.header();
    int fw1 = l.node("fw1");
    std::string nlbs = ip_str(l.nlbs);
    std::uint64_t lb1_mac = h.nodes[l.node("lb1")].interfaces[0].mac;
    std::uint64_t lb2_mac = h.nodes[l.node("lb2")].interfaces[0].mac;
    auto at = [&](std::size_t pos) { return fold_node(l.model, fw1, pos); };
    QVERIFY(arp_entry(at(l.marks.first_arp_request), nlbs.c_str()) == nullptr);
    // Asked, not answered yet.
    NodeTables asking = at(l.marks.first_arp_reply);
    const ArpRow* pending = arp_entry(asking, nlbs.c_str());
    QVERIFY(pending != nullptr);
    QCOMPARE(pending->state, std::string("incomplete"));
    QCOMPARE(pending->mac, std::uint64_t{0});
    QCOMPARE(arp_entry(at(l.marks.first_rewritten_syn), nlbs.c_str())->mac, lb1_mac);
    // lb2's gratuitous ARP moves the entry (RFC 826's merge rule).
    QCOMPARE(arp_entry(at(l.marks.fw_arp_update), nlbs.c_str())->mac, lb1_mac);
    QCOMPARE(arp_entry(at(l.marks.fw_arp_update + 1), nlbs.c_str())->mac, lb2_mac);
    QCOMPARE(arp_entry(at(l.marks.fw_arp_update + 1), nlbs.c_str())->since,
             l.model.event(l.marks.fw_arp_update).t);
    // fw2, the VRRP backup, never asked, and an announcement only updates an entry that exists.
    NodeTables fw2 = fold_node(l.model, l.node("fw2"), l.model.size());
    QVERIFY(arp_entry(fw2, nlbs.c_str()) == nullptr);
  }

  void the_connection_table_is_synced_to_the_standby_and_lost_in_a_crash() {
    const test::Loaded& l = test::real_run();
    int lb1 = l.node("lb1"), lb2 = l.node("lb2");
    const FlowWalk& flow = l.report.flow;
    NodeTables t1 = fold_node(l.model, lb1, l.marks.crash);
    NodeTables t2 = fold_node(l.model, lb2, l.marks.crash);
    auto first = [&](const NodeTables& t) {
      return std::find_if(t.conns.begin(), t.conns.end(),
                          [&](const ConnRow& c) { return c.client == flow.client_endpoint; });
    };
    QVERIFY(first(t1) != t1.conns.end());
    QCOMPARE(first(t1)->vip, flow.cluster_endpoint);
    QCOMPARE(first(t1)->server, flow.server);
    QVERIFY(!first(t1)->synced);
    // Per-connection sync: the standby holds every entry the active one made.
    QCOMPARE(t2.conns.size(), t1.conns.size());
    QVERIFY(first(t2)->synced);
    QCOMPARE(first(t2)->server, flow.server);
    // lb1 crashed with connections in its table: they went with it, and it rebooted empty.
    QVERIFY(fold_node(l.model, lb1, l.marks.takeover).conns.empty());
    NodeTables rebooted = fold_node(l.model, lb1, l.marks.recover + 1);
    QVERIFY(!rebooted.faults.down);
    QVERIFY(rebooted.conns.empty());
    QVERIFY(address(rebooted, ip_str(l.nlbs).c_str()) == nullptr);
    // The synced entries serve lb2 after the takeover.
    NodeTables serving = fold_node(l.model, lb2, l.marks.gratuitous_arp);
    QVERIFY(first(serving) != serving.conns.end());
    QVERIFY(fold_node(l.model, lb1, l.marks.crash, kFoldStatus | kFoldArp).conns.empty());
  }

  void status_shows_who_is_active_and_who_is_down() {
    const test::Loaded& l = test::real_run();
    int fw1 = l.node("fw1"), fw2 = l.node("fw2");
    int lb1 = l.node("lb1"), lb2 = l.node("lb2");
    auto s = fold_status(l.model, l.marks.first_arp_request);
    QVERIFY(s[fw1].active());
    QVERIFY(!s[fw2].active());
    QVERIFY(s[lb1].active());
    QVERIFY(!s[lb2].active());
    s = fold_status(l.model, l.marks.crash + 1);
    QVERIFY(s[lb1].faults.down);
    QVERIFY(!s[lb1].active());
    QVERIFY(!s[lb2].active());
    s = fold_status(l.model, l.marks.takeover + 1);
    QVERIFY(s[lb2].active());
    // lb1 recovers, comes back as standby, and takes back (the pair's Auto recovery).
    s = fold_status(l.model, l.model.size());
    QVERIFY(!s[lb1].faults.down);
    QCOMPARE(s[lb1].ha, std::string("active"));
    QCOMPARE(s[lb2].ha, std::string("standby"));
  }

  void lan_faults_take_a_lan_down_and_up() {
    TraceModel m;
    test::load_text(m, test::tiny_header() +
                           R"({"t":1,"ev":"fault","action":"link-down","name":"cut","lan":"srv"})"
                           "\n" +
                           R"({"t":2,"ev":"fault","action":"link-up","name":"mend","lan":"srv"})"
                           "\n");
    QCOMPARE(fold_lans_down(m, 0)[1], false);
    QCOMPARE(fold_lans_down(m, 1)[1], true);
    QCOMPARE(fold_lans_down(m, 2)[1], false);
    QCOMPARE(m.text(m.fault(m.event(0)).target), std::string("srv"));
    QCOMPARE(m.text(m.fault(m.event(0)).name), std::string("cut"));
    // A LAN's fault is no node's.
    QVERIFY(fold_status(m, 1)[0].faults.links_down.empty());
  }

  void a_nodes_link_fault_cuts_its_interfaces_not_the_node() {
    TraceModel m;
    test::load_text(m, test::tiny_header() +
                           R"({"t":1,"ev":"fault","action":"link-down","name":"a","node":"fw1","if":"eth1"})"
                           "\n" +
                           R"({"t":2,"ev":"fault","action":"link-down","name":"b","node":"lb2"})"
                           "\n" +
                           R"({"t":3,"ev":"fault","action":"link-up","name":"c","node":"fw1","if":"eth1"})"
                           "\n");
    QCOMPARE(m.event(0).iface, std::int16_t{1});  // the interface named in the line
    QCOMPARE(m.text(m.fault(m.event(0)).target), std::string("fw1/eth1"));
    auto s = fold_status(m, 2);
    QVERIFY(!s[0].faults.down);
    QVERIFY(s[0].faults.link_down(1));
    QVERIFY(!s[0].faults.link_down(0));
    QVERIFY(s[2].faults.link_down(0));  // every interface of lb2
    QVERIFY(!fold_lans_down(m, 2)[1]);
    QVERIFY(fold_status(m, 3)[0].faults.links_down.empty());
    QCOMPARE(fold_node(m, 0, 2).faults.why, "link-down at " + time_str(1));
  }

  void stop_start_freeze_and_resume_are_shown_as_they_are() {
    TraceModel m;
    test::load_text(m, test::tiny_header() +
                           R"({"t":1,"ev":"state","node":11,"machine":"ha","from":"standby","to":"active"})"
                           "\n" +
                           R"({"t":2,"ev":"fault","action":"freeze","name":"f","node":"lb1","duration_ns":5})"
                           "\n" +
                           R"({"t":7,"ev":"fault","action":"resume","of":"f","node":"lb1"})"
                           "\n" +
                           R"({"t":8,"ev":"fault","action":"graceful-stop","name":"s","node":"lb1"})"
                           "\n" +
                           R"({"t":9,"ev":"fault","action":"start","name":"t","node":"lb1"})"
                           "\n" +
                           R"({"t":10,"ev":"fault","action":"heartbeat-loss","name":"h","pair":"nlb"})"
                           "\n");
    auto badge = [&](std::size_t pos) { return fold_status(m, pos)[1].faults.badge(); };
    QVERIFY(fold_status(m, 1)[1].active());
    QCOMPARE(badge(2), "FROZEN");
    QVERIFY(!fold_status(m, 2)[1].active());
    QCOMPARE(m.text(m.fault(m.event(2)).name), std::string("f"));  // `of` names the entry
    QVERIFY(m.summary(1).find("duration_ns=5") != std::string_view::npos);
    QVERIFY(badge(3) == nullptr);
    QCOMPARE(badge(4), "STOPPED");
    QVERIFY(badge(5) == nullptr);
    // Not a node's state: a mark on the timeline only.
    QVERIFY(badge(6) == nullptr);
    QCOMPARE(fault_effect("heartbeat-loss"), FaultEffect::None);
    QCOMPARE(m.text(m.fault(m.event(5)).target), std::string("nlb"));
    // A stopped or frozen node keeps its tables: it is up.
    QCOMPARE(fold_node(m, 1, 4).state("ha")->state, std::string("active"));
  }

  void the_runners_newer_lines_peer_split_brain_mac_and_end_are_read() {
    const test::Loaded& l = test::real_run();
    const TraceModel& m = l.model;
    QVERIFY(m.stats().ended);
    QCOMPARE(m.event(m.size() - 1).type, EventType::End);
    // lb2 stopped hearing lb1 before it took over; the fold shows it among its states.
    NodeTables lb2 = fold_node(m, l.node("lb2"), l.marks.takeover + 1);
    QVERIFY(lb2.state("ha peer") != nullptr);
    QCOMPARE(lb2.state("ha peer")->state, std::string("lost"));
    // A switch learned fw1's MAC on the port of fw1's cable, and the line says whose it is.
    std::uint64_t fw1_mac = m.header().nodes[l.node("fw1")].interfaces[1].mac;
    auto learn = test::first_event(
        m, 0,
        [&](const EventRecord& e, std::size_t) {
          return e.type == EventType::Mac && m.mac(e).mac == fw1_mac;
        },
        "MAC table line for fw1");
    const EventRecord& e = m.event(learn);
    QCOMPARE(m.text(m.mac(e).op), std::string("learn"));
    QCOMPARE(m.header().at_port(e.lan, m.mac(e).port), (std::pair<int, int>{l.node("fw1"), 1}));
    QVERIFY2(std::string(m.summary(learn)).ends_with("(fw1 eth1)"), std::string(m.summary(learn)).c_str());
    // Hand-written: a split brain, and a frame lost inside a LAN, on fw1's cable.
    TraceModel t;
    test::load_text(t, test::tiny_header() +
                           R"({"t":1,"ev":"split-brain","node":11,"won":false,"why":"peer has priority"})"
                           "\n" +
                           R"({"t":2,"ev":"frame","dir":"drop","port":0,"lan":9,"id":3,"len":1,"vlen":0,)"
                           R"("kind":"tcp","summary":"x","hex":"00","reason":"link-down"})"
                           "\n");
    QCOMPARE(fold_node(t, 1, 1).state("split-brain")->state, std::string("yielded"));
    QCOMPARE(t.event(1).node, -1);
    QCOMPARE(t.header().port_name(t.event(1).lan, t.event(1).iface), std::string("port 0 (fw1 eth1)"));
    QVERIFY(!t.stats().ended);
  }

  void weights_keep_the_balancers_server_order() {
    TraceModel m;
    test::load_text(
        m,
        test::tiny_header() +
            R"({"t":1,"ev":"weights","node":11,"cluster":"203.0.113.10","weights":{"srv2":10,"srv10":3,"srv1":0}})"
            "\n");
    QCOMPARE(m.summary(0), std::string_view("cluster 203.0.113.10: srv2=10 srv10=3 srv1=0"));
  }

  void a_broadcast_is_delivered_to_every_station_on_its_lan() {
    const test::Loaded& l = test::real_run();
    auto rx = l.model.deliveries(l.marks.first_arp_request);
    QCOMPARE(rx.size(), std::size_t{3});  // fw2, lb1, lb2 on the Internet Access Subnet
    for (auto i : rx) QCOMPARE(l.model.event(i).dir, Dir::Rx);
    QCOMPARE(*l.model.sender_of(rx[1]), l.marks.first_arp_request);
    // The send knows when its last copy arrived (the switch delivers them in turn).
    const EventRecord& tx = l.model.event(l.marks.first_arp_request);
    QCOMPARE(static_cast<std::int64_t>(l.model.frame(tx).delay_ns), l.model.event(rx.back()).t - tx.t);
    QVERIFY(l.model.frame(tx).delay_ns > 0);
    // And each copy how long ago it was sent.
    QCOMPARE(static_cast<std::int64_t>(l.model.frame(l.model.event(rx[0])).delay_ns),
             l.model.event(rx[0]).t - tx.t);
    QVERIFY(l.model.deliveries(rx[0]).empty());  // not a tx
  }

  void the_rewritten_syn_decodes_with_only_its_mac_header_changed() {
    const test::Loaded& l = test::real_run();
    const auto& m = l.model;
    const auto& h = m.header();
    const EventRecord& rewritten = m.event(l.marks.first_rewritten_syn);
    auto layers = decode_frame(m.frame_bytes(rewritten), m.frame(rewritten).vlen);
    QCOMPARE(layers.size(), std::size_t{3});
    QCOMPARE(field(layers[0], "dst"),
             mac_str(h.nodes[l.node(l.report.flow.server.c_str())].interfaces[0].mac));
    QCOMPARE(field(*layer(layers, "IPv4"), "dst"), std::string("203.0.113.10"));
    QVERIFY(field(*layer(layers, "IPv4"), "checksum").ends_with("(correct)"));
    QCOMPARE(field(*layer(layers, "TCP"), "flags"), std::string("0x02 [S]"));
    std::string port = l.report.flow.client_endpoint.substr(l.report.flow.client_endpoint.find(':') + 1);
    QVERIFY2(layer(layers, "TCP")->summary.starts_with(port + " > 80 [S] seq "),
             layer(layers, "TCP")->summary.c_str());
    QCOMPARE(layers[0].offset, std::uint32_t{0});
    QCOMPARE(layers[0].length, std::uint32_t{14});  // padding is not the header
    // The SYN as fw1 sent it to lb1: the same IP datagram byte for byte (TTL included), only
    // the Ethernet header differs.
    std::size_t i = l.marks.first_rewritten_syn;
    while (!(m.event(i).type == EventType::Frame && m.event(i).dir == Dir::Tx &&
             m.event(i).node == l.node("fw1") && m.event(i).kind == FrameKind::Tcp))
      --i;
    auto a = m.frame_bytes(m.event(i)), b = m.frame_bytes(rewritten);
    QVERIFY(a.substr(14) == b.substr(14));
    QVERIFY(a.substr(0, 6) != b.substr(0, 6));
    QCOMPARE(field(decode_frame(a, 0)[0], "dst"), mac_str(h.nodes[l.node("lb1")].interfaces[0].mac));
  }

  void arp_frames_decode_to_who_has_and_gratuitous() {
    const test::Loaded& l = test::real_run();
    const auto& m = l.model;
    const EventRecord& req = m.event(l.marks.first_arp_request);
    auto layers = decode_frame(m.frame_bytes(req), 0);
    QCOMPARE(layers[1].name, std::string("ARP"));
    QCOMPARE(layers[1].summary, "Who has " + ip_str(l.nlbs) + "? Tell 192.168.10.2");  // fw1's address
    QCOMPARE(field(layers[1], "op"), std::string("1 (request)"));
    auto reply = decode_frame(m.frame_bytes(m.event(l.marks.first_arp_reply)), 0);
    QCOMPARE(reply[1].summary, ip_str(l.nlbs) + " is at " + l.report.flow.arp_reply_mac);
    const EventRecord& garp = m.event(l.marks.gratuitous_arp);
    QCOMPARE(garp.kind, FrameKind::Garp);
    auto g = decode_frame(m.frame_bytes(garp), 0);
    QVERIFY(g[1].summary.starts_with("Gratuitous ARP: " + ip_str(l.nlbs) + " is at"));
    // Field ranges point into the frame: the target IP is bytes 38..41.
    auto tpa =
        std::find_if(g[1].fields.begin(), g[1].fields.end(), [](const Field& f) { return f.name == "tpa"; });
    QVERIFY(tpa != g[1].fields.end());
    QCOMPARE(tpa->offset, std::uint32_t{38});
    QCOMPARE(tpa->length, std::uint32_t{4});
  }

  void the_balancers_messages_and_http_get_their_own_layers() {
    const test::Loaded& l = test::real_run();
    const auto& m = l.model;
    bool sync = false, heartbeat = false, http = false;
    for (std::size_t i = 0; i < m.size() && !(sync && heartbeat && http); ++i) {
      const EventRecord& e = m.event(i);
      if (e.type != EventType::Frame || e.dir != Dir::Tx) continue;
      auto layers = decode_frame(m.frame_bytes(e), m.frame(e).vlen);
      if (e.kind == FrameKind::Sync && !sync) {
        const Layer* ha = layer(layers, "NLB connection sync");
        QVERIFY(ha != nullptr);
        QVERIFY(ha->error.empty());
        if (field(*ha, "count") == "0") continue;  // the empty one sent at boot
        // Per-connection sync: the first entry sent is the first connection.
        QCOMPARE(field(*ha, "count"), std::string("1"));
        QVERIFY2(field(*ha, "entry 1")
                     .starts_with(l.report.flow.client_endpoint + " -> " + l.report.flow.cluster_endpoint),
                 field(*ha, "entry 1").c_str());
        sync = true;
      }
      if (e.kind == FrameKind::Heartbeat && !heartbeat) {
        const Layer* ha = layer(layers, "NLB heartbeat");
        QVERIFY(ha != nullptr);
        QVERIFY(ha->error.empty());
        heartbeat = true;
      }
      if (e.kind == FrameKind::HttpRequest && !http) {
        QCOMPARE(layers.back().name, std::string("HTTP"));
        QVERIFY2(layers.back().summary.starts_with("GET /") &&
                     layers.back().summary.find(" HTTP/1.") != std::string::npos,
                 layers.back().summary.c_str());
        http = true;
      }
    }
    QVERIFY(sync && heartbeat && http);
  }

  void truncated_or_foreign_frames_decode_with_an_error_not_a_crash() {
    std::vector<std::uint8_t> b = {0xff, 0xff, 0xff};
    auto l = decode_frame(FrameBytes(b.data(), b.size()), 0);
    QCOMPARE(l.size(), std::size_t{1});
    QVERIFY(!l[0].error.empty());
    // Ethernet + the first 10 bytes of an IPv4 header.
    std::vector<std::uint8_t> ipv4(24, 0);
    ipv4[12] = 0x08;
    ipv4[14] = 0x45;
    l = decode_frame(FrameBytes(ipv4.data(), ipv4.size()), 0);
    QCOMPARE(l.size(), std::size_t{2});
    QVERIFY(l[1].error.find("truncated") != std::string::npos);
    // A TCP header cut short after a valid IPv4 header.
    std::vector<std::uint8_t> tcp(14 + 20 + 6, 0);
    tcp[12] = 0x08;
    tcp[14] = 0x45;
    tcp[17] = 26;  // total length 26
    tcp[22] = 64;
    tcp[23] = 6;
    auto l2 = decode_frame(FrameBytes(tcp.data(), tcp.size()), 0);
    QCOMPARE(l2.back().name, std::string("TCP"));
    QVERIFY(!l2.back().error.empty());
    QVERIFY(!frame_endpoints(FrameBytes(b.data(), b.size())).ok);
  }

  void the_hex_dump_puts_each_byte_where_hex_dump_column_says() {
    std::vector<std::uint8_t> b(40);
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i * 7);
    std::string dump = hex_dump(FrameBytes(b.data(), b.size()));
    QCOMPARE(dump.size(), 3 * kHexDumpLineLen);
    for (std::size_t i : {0, 7, 8, 15, 16, 39}) {
      char hex[3];
      std::snprintf(hex, sizeof hex, "%02x", b[i]);
      QCOMPARE(dump.substr(hex_dump_column(i), 2), std::string(hex));
    }
  }

  void metrics_csv_reads_columns_and_rejects_ragged_rows() {
    std::istringstream ok("time_s,active_connections,active:srv1,active:srv2\n0.1,2,1,1\n0.2,3,2,1\n");
    Metrics m;
    std::string error;
    QVERIFY(parse_metrics(ok, m, error));
    QCOMPARE(m.rows(), std::size_t{2});
    QCOMPARE(m.columns[m.column("active_connections")][1], 3.0);
    QCOMPARE(m.active_per_server().size(), std::size_t{2});
    std::istringstream ragged("time_s,a\n0.1,2,3\n");
    QVERIFY(!parse_metrics(ragged, m, error));
    QVERIFY(error.starts_with("line 2"));
    std::istringstream text("time_s,a\n0.1,x\n");
    QVERIFY(!parse_metrics(text, m, error));
    QVERIFY(error.find("not a number") != std::string::npos);
  }

  void the_report_gives_the_address_audit_fault_timings_and_the_flow() {
    const test::Loaded& l = test::real_run();
    const Report& r = l.report;
    QVERIFY(r.loaded);
    QCOMPARE(r.public_count, 1);
    QCOMPARE(r.addresses[0].address, std::string("203.0.113.10"));
    // One row: the cluster address on the loopback of both balancers and the three servers.
    auto groups = group_audit(r.addresses);
    QCOMPARE(groups.size(), std::size_t{1});
    QCOMPARE(groups[0].where, std::string("lo"));
    QCOMPARE(groups[0].nodes, (std::vector<std::string>{"lb1", "lb2", "srv1", "srv2", "srv3"}));
    QCOMPARE(r.faults.size(), std::size_t{2});
    QCOMPARE(r.faults[0].name, std::string("crash-active-balancer"));
    QCOMPARE(r.faults[0].target, std::string("lb1"));
    // Detection is the takeover, as the trace shows it.
    QCOMPARE(r.faults[0].at_ns + r.faults[0].detection_ns, l.model.event(l.marks.takeover).t);
    QVERIFY(r.faults[0].back_ns < 0);
    QVERIFY(r.faults[1].back_ns > 0);
    QVERIFY(r.flow.seen);
    QCOMPARE(r.flow.arp_request_by, std::string("fw1"));
    QCOMPARE(r.flow.arp_reply_by, std::string("lb1"));
    std::istringstream bad(R"({"ok":"yes","addresses":{"public_count":"one"},"flow":[]})");
    Report b;
    std::string error;
    QVERIFY(parse_report(bad, b, error));  // wrong types read as absent, never throw
    QVERIFY(!b.ok);
    QCOMPARE(b.public_count, -1);
    QVERIFY(!b.flow.seen);
  }

  void the_metrics_have_a_column_per_server() {
    const test::Loaded& l = test::real_run();
    Metrics m;
    std::string error;
    QVERIFY2(load_metrics(l.dir + "/metrics.csv", m, error), error.c_str());
    QCOMPARE(m.active_per_server().size(), std::size_t{3});
    QCOMPARE(m.names[static_cast<std::size_t>(m.active_per_server()[0])], std::string("active:srv1"));
    QCOMPARE(m.rows(), std::size_t{90});  // 9 s in 100 ms samples
  }

  void a_fault_is_appended_to_the_scenario_timeline_keeping_its_keys() {
    std::string out, error;
    InjectedFault f{12'500'000'000, "crash", "lb1", ""};
    QVERIFY(add_fault(
        R"({"name":"x","extends":"base.json","timeline":[{"at":"1s","action":"stop","node":"fw1"}]})", "/s",
        f, out, error));
    QVERIFY(out.find(R"("at": "12.5s")") != std::string::npos);
    QVERIFY(out.find(R"("node": "lb1")") != std::string::npos);
    QVERIFY(out.find("/s/base.json") != std::string::npos);
    QVERIFY(out.find("\"name\"") < out.find("\"extends\""));  // key order kept
    // Named, so that it joins a timeline the scenario extends instead of replacing it.
    QVERIFY(out.find(R"x("name": "crash lb1 at 12.5s (nlbsim-gui)")x") != std::string::npos);
    QVERIFY(add_fault(R"({"nodes":[{"include":"parts/srv.json","name":"a"}]})", "/s", f, out, error));
    QVERIFY(out.find("/s/parts/srv.json") != std::string::npos);
    QVERIFY(add_fault(R"({"name":"x"})", "", {3'000'000'000, "link-down", "", "ia"}, out, error));
    QVERIFY(out.find(R"("lan": "ia")") != std::string::npos);
    QVERIFY(!add_fault(R"({"timeline":{}})", "", f, out, error));
    QCOMPARE(error, std::string("/timeline: expected an array"));
    QVERIFY(!add_fault("[1]", "", f, out, error));
  }
};

QTEST_GUILESS_MAIN(TraceModelTest)
#include "trace_model_test.moc"
