// The GUI's model layer: parsing trace.jsonl, folding node tables at a replay position,
// decoding frames, metrics and report, scenario edits. Qt-free code tested with QtTest.

#include <QtTest/QtTest>

#include "gui/model/flat_json.hpp"
#include "gui/model/frame_decode.hpp"
#include "gui/model/node_tables.hpp"
#include "gui/model/run_outputs.hpp"
#include "gui/model/scenario_edit.hpp"
#include "tests/gui/test_support.hpp"

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
    test::Loaded l;
    test::load_synthetic(l);
    const Header& h = l.model.header();
    QCOMPARE(h.nodes.size(), std::size_t{10});
    QCOMPARE(h.lans.size(), std::size_t{4});
    int fw1 = h.node_by_name("fw1");
    QVERIFY(fw1 >= 0);
    QCOMPARE(h.nodes[fw1].role, Role::Firewall);
    QCOMPARE(h.nodes[fw1].routes[0].dest, std::string("203.0.113.10/32"));
    QCOMPARE(h.nodes[fw1].routes[0].via, std::string("10.1.0.100"));
    const Node& lb1 = h.nodes[h.node_by_name("lb1")];
    QVERIFY(lb1.interfaces[2].loopback);
    QCOMPARE(lb1.interfaces[2].lan, -1);
    QCOMPARE(ip_str(lb1.interfaces[2].addresses[0].ip), std::string("203.0.113.10"));
    QCOMPARE(h.faults.size(), std::size_t{2});
    QCOMPARE(h.faults[0].target, std::string("lb1"));
    QCOMPARE(l.model.stats().skipped, std::size_t{0});
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
    test::Loaded l;
    test::load_synthetic(l);
    const auto& h = l.model.header();
    int lb1 = h.node_by_name("lb1"), lb2 = h.node_by_name("lb2");
    auto before = static_cast<std::size_t>(l.run.marks.takeover);
    NodeTables t1 = fold_node(l.model, lb1, before);
    NodeTables t2 = fold_node(l.model, lb2, before);
    const AddrRow* alias = address(t1, "10.1.0.100");
    QVERIFY(alias != nullptr);
    QVERIFY(alias->alias);
    QVERIFY(!alias->from_header);
    QVERIFY(address(t2, "10.1.0.100") == nullptr);
    QCOMPARE(t2.state("ha")->state, std::string("standby"));
    QVERIFY(t1.down);  // crashed before the takeover
    NodeTables after = fold_node(l.model, lb2, static_cast<std::size_t>(l.run.marks.gratuitous_arp));
    QVERIFY(address(after, "10.1.0.100") != nullptr);
    QCOMPARE(after.state("ha")->state, std::string("active"));
    // The cluster address stays on the loopback, marked as such.
    QVERIFY(after.interfaces[2].loopback);
    QCOMPARE(after.interfaces[2].addresses[0].ip, ip("203.0.113.10"));
  }

  void the_firewall_arp_table_follows_request_reply_and_gratuitous_arp() {
    test::Loaded l;
    test::load_synthetic(l);
    const auto& h = l.model.header();
    int fw1 = h.node_by_name("fw1");
    std::uint64_t lb1_mac = h.nodes[h.node_by_name("lb1")].interfaces[0].mac;
    std::uint64_t lb2_mac = h.nodes[h.node_by_name("lb2")].interfaces[0].mac;
    auto at = [&](std::int64_t mark) { return fold_node(l.model, fw1, static_cast<std::size_t>(mark)); };
    QVERIFY(arp_entry(at(l.run.marks.first_arp_request - 1), "10.1.0.100") == nullptr);
    NodeTables asking = at(l.run.marks.first_arp_request);
    const ArpRow* pending = arp_entry(asking, "10.1.0.100");
    QVERIFY(pending != nullptr);
    QCOMPARE(pending->state, std::string("incomplete"));
    NodeTables learned = at(l.run.marks.first_rewritten_syn);
    QCOMPARE(arp_entry(learned, "10.1.0.100")->mac, lb1_mac);
    NodeTables moved = at(l.run.marks.fw_arp_update + 1);
    QCOMPARE(arp_entry(moved, "10.1.0.100")->mac, lb2_mac);
    // fw2 never asked, and an announcement only updates an entry that exists (RFC 826).
    NodeTables fw2 = fold_node(l.model, h.node_by_name("fw2"), l.model.size());
    QVERIFY(arp_entry(fw2, "10.1.0.100") == nullptr);
  }

  void the_connection_table_is_synced_to_the_standby_and_expires() {
    test::Loaded l;
    test::load_synthetic(l);
    const auto& h = l.model.header();
    int lb1 = h.node_by_name("lb1"), lb2 = h.node_by_name("lb2");
    std::size_t pos = static_cast<std::size_t>(l.run.marks.first_syn_ack);
    NodeTables t1 = fold_node(l.model, lb1, pos);
    NodeTables t2 = fold_node(l.model, lb2, pos);
    QCOMPARE(t1.conns.size(), std::size_t{1});
    QCOMPARE(t1.conns[0].client, std::string("198.51.100.10:40000"));
    QCOMPARE(t1.conns[0].server, std::string("srv2"));
    QVERIFY(!t1.conns[0].synced);
    QCOMPARE(t2.conns.size(), std::size_t{1});
    QVERIFY(t2.conns[0].synced);
    // lb1 crashed with connections in its table and rebooted empty.
    NodeTables crashed = fold_node(l.model, lb1, static_cast<std::size_t>(l.run.marks.takeover));
    QVERIFY(crashed.down);
    QVERIFY(!crashed.conns.empty());
    NodeTables end = fold_node(l.model, lb1, l.model.size());
    QVERIFY(!end.down);
    QVERIFY(end.conns.empty());
    QVERIFY(address(end, "10.1.0.100") == nullptr);
    QCOMPARE(end.state("ha")->state, std::string("standby"));
    QVERIFY(fold_node(l.model, lb2, l.model.size()).conns.empty());  // every connection ended
    NodeTables no_conns = fold_node(l.model, lb1, pos, kFoldStatus | kFoldArp);
    QVERIFY(no_conns.conns.empty());
  }

  void status_shows_who_is_active_and_who_is_down() {
    test::Loaded l;
    test::load_synthetic(l);
    const auto& h = l.model.header();
    int fw1 = h.node_by_name("fw1"), fw2 = h.node_by_name("fw2");
    int lb1 = h.node_by_name("lb1"), lb2 = h.node_by_name("lb2");
    auto s = fold_status(l.model, static_cast<std::size_t>(l.run.marks.first_arp_request));
    QVERIFY(s[fw1].active());
    QVERIFY(!s[fw2].active());
    QVERIFY(s[lb1].active());
    QVERIFY(!s[lb2].active());
    s = fold_status(l.model, static_cast<std::size_t>(l.run.marks.crash) + 1);
    QVERIFY(s[lb1].down);
    QVERIFY(!s[lb1].active());
    QVERIFY(!s[lb2].active());
    s = fold_status(l.model, static_cast<std::size_t>(l.run.marks.takeover) + 1);
    QVERIFY(s[lb2].active());
    s = fold_status(l.model, l.model.size());
    QVERIFY(!s[lb1].down);  // recovered
    QCOMPARE(s[lb1].ha, std::string("standby"));
  }

  void lan_faults_take_a_lan_down_and_up() {
    TraceModel m;
    test::load_text(m, test::tiny_header() +
                           R"({"t":1,"ev":"fault","action":"link-down","lan":9})"
                           "\n" +
                           R"({"t":2,"ev":"fault","action":"link-up","lan":"srv"})"
                           "\n");
    QCOMPARE(fold_lans_down(m, 0)[1], false);
    QCOMPARE(fold_lans_down(m, 1)[1], true);
    QCOMPARE(fold_lans_down(m, 2)[1], false);
  }

  void a_broadcast_is_delivered_to_every_station_on_its_lan() {
    test::Loaded l;
    test::load_synthetic(l);
    auto req = static_cast<std::size_t>(l.run.marks.first_arp_request);
    auto rx = l.model.deliveries(req);
    QCOMPARE(rx.size(), std::size_t{3});  // fw2, lb1, lb2
    for (auto i : rx) QCOMPARE(l.model.event(i).dir, Dir::Rx);
    QVERIFY(l.model.deliveries(req + 1).empty());  // not a tx
  }

  void the_rewritten_syn_decodes_with_only_its_mac_header_changed() {
    test::Loaded l;
    test::load_synthetic(l);
    const auto& m = l.model;
    const auto& h = m.header();
    const EventRecord& rewritten = m.event(static_cast<std::size_t>(l.run.marks.first_rewritten_syn));
    QCOMPARE(h.nodes[rewritten.node].name, std::string("lb1"));
    auto layers = decode_frame(m.frame_bytes(rewritten), m.frame(rewritten).vlen);
    QCOMPARE(layers.size(), std::size_t{3});
    QCOMPARE(field(layers[0], "dst"), mac_str(h.nodes[h.node_by_name("srv2")].interfaces[0].mac));
    QCOMPARE(field(*layer(layers, "IPv4"), "dst"), std::string("203.0.113.10"));
    QVERIFY(field(*layer(layers, "IPv4"), "checksum").ends_with("(correct)"));
    QCOMPARE(field(*layer(layers, "TCP"), "flags"), std::string("0x02 [S]"));
    QCOMPARE(layer(layers, "TCP")->summary, std::string("40000 > 80 [S] seq 1000"));
    QCOMPARE(layers[0].offset, std::uint32_t{0});
    QCOMPARE(layers[0].length, std::uint32_t{14});  // padding is not the header
    // The SYN as fw1 sent it to lb1: the same IP datagram byte for byte.
    std::size_t i = static_cast<std::size_t>(l.run.marks.first_rewritten_syn);
    while (!(m.event(i).type == EventType::Frame && m.event(i).dir == Dir::Tx &&
             h.nodes[m.event(i).node].name == "fw1"))
      --i;
    auto a = m.frame_bytes(m.event(i)), b = m.frame_bytes(rewritten);
    QVERIFY(a.substr(14) == b.substr(14));
    QVERIFY(a.substr(0, 6) != b.substr(0, 6));
  }

  void arp_frames_decode_to_who_has_and_gratuitous() {
    test::Loaded l;
    test::load_synthetic(l);
    const auto& m = l.model;
    const EventRecord& req = m.event(static_cast<std::size_t>(l.run.marks.first_arp_request));
    auto layers = decode_frame(m.frame_bytes(req), 0);
    QCOMPARE(layers[1].name, std::string("ARP"));
    QCOMPARE(layers[1].summary, std::string("Who has 10.1.0.100? Tell 10.1.0.1"));
    QCOMPARE(field(layers[1], "op"), std::string("1 (request)"));
    const EventRecord& garp = m.event(static_cast<std::size_t>(l.run.marks.gratuitous_arp));
    QCOMPARE(garp.kind, FrameKind::Garp);
    auto g = decode_frame(m.frame_bytes(garp), 0);
    QVERIFY(g[1].summary.starts_with("Gratuitous ARP: 10.1.0.100 is at"));
    // Field ranges point into the frame: the target IP is bytes 38..41.
    auto tpa =
        std::find_if(g[1].fields.begin(), g[1].fields.end(), [](const Field& f) { return f.name == "tpa"; });
    QVERIFY(tpa != g[1].fields.end());
    QCOMPARE(tpa->offset, std::uint32_t{38});
    QCOMPARE(tpa->length, std::uint32_t{4});
  }

  void the_balancers_messages_and_http_get_their_own_layers() {
    test::Loaded l;
    test::load_synthetic(l);
    const auto& m = l.model;
    bool sync = false, heartbeat = false, http = false;
    for (std::size_t i = 0; i < m.size() && !(sync && heartbeat && http); ++i) {
      const EventRecord& e = m.event(i);
      if (e.type != EventType::Frame || e.dir != Dir::Tx) continue;
      auto layers = decode_frame(m.frame_bytes(e), m.frame(e).vlen);
      if (e.kind == FrameKind::Sync && !sync) {
        const Layer* ha = layer(layers, "NLB connection sync");
        QVERIFY(ha != nullptr);
        QCOMPARE(field(*ha, "count"), std::string("1"));
        QVERIFY(field(*ha, "entry 1").starts_with("198.51.100.10:40000 -> 203.0.113.10:80 => 10.2.0.22"));
        sync = true;
      }
      if (e.kind == FrameKind::Heartbeat && !heartbeat) {
        const Layer* ha = layer(layers, "NLB heartbeat");
        QVERIFY(ha != nullptr);
        QVERIFY(ha->error.empty());
        QCOMPARE(ha->length, std::uint32_t{20});
        heartbeat = true;
      }
      if (e.kind == FrameKind::HttpRequest && !http) {
        QCOMPARE(layers.back().name, std::string("HTTP"));
        QCOMPARE(layers.back().summary, std::string("GET /index.html HTTP/1.1"));
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

  void the_report_gives_the_address_audit_and_fault_timings() {
    test::Loaded l;
    test::load_synthetic(l);
    std::istringstream in(l.run.report);
    Report r;
    std::string error;
    QVERIFY2(parse_report(in, r, error), error.c_str());
    QCOMPARE(r.public_count, 1);
    QCOMPARE(r.addresses[0].address, std::string("203.0.113.10"));
    QCOMPARE(r.faults.size(), std::size_t{1});
    QVERIFY(r.faults[0].detection_ns > 0);
    std::istringstream bad(R"({"ok":"yes","addresses":{"public_count":"one"}})");
    QVERIFY(parse_report(bad, r, error));  // wrong types read as absent, never throw
    QVERIFY(!r.ok);
    QCOMPARE(r.public_count, -1);
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
    QVERIFY(add_fault(R"({"name":"x"})", "", {3'000'000'000, "link-down", "", "ia"}, out, error));
    QVERIFY(out.find(R"("lan": "ia")") != std::string::npos);
    QVERIFY(!add_fault(R"({"timeline":{}})", "", f, out, error));
    QCOMPARE(error, std::string("/timeline: expected an array"));
    QVERIFY(!add_fault("[1]", "", f, out, error));
  }
};

QTEST_GUILESS_MAIN(TraceModelTest)
#include "trace_model_test.moc"
