// The replay clock, driven by a hand-moved wall clock so every answer is exact.

#include <QtTest/QtTest>

#include "gui/model/replay_clock.hpp"
#include "tests/gui/test_support.hpp"

using namespace nlb::gui;

namespace {

// Events at t = 100, 200, 200, 500; duration 1000.
std::string four_events() {
  std::string s = test::tiny_header();
  for (int t : {100, 200, 200, 500})
    s += R"({"t":)" + std::to_string(t) +
         R"(,"ev":"state","node":11,"machine":"ha","from":"a","to":"b"})"
         "\n";
  return s;
}

}  // namespace

class ReplayClockTest : public QObject {
  Q_OBJECT

  TraceModel m_;
  std::int64_t wall_ = 0;

  ReplayClock clock() {
    return ReplayClock(m_, [this] { return wall_; });
  }

 private slots:
  void initTestCase() { test::load_text(m_, four_events()); }
  void init() { wall_ = 1'000'000; }

  void starts_before_every_event() {
    ReplayClock c = clock();
    QCOMPARE(c.time(), std::int64_t{0});
    QCOMPARE(c.position(), std::size_t{0});
    QVERIFY(!c.current_event());
    QVERIFY(!c.playing());
  }

  void playing_maps_wall_time_through_the_speed() {
    ReplayClock c = clock();
    c.set_speed(0.001);  // 1 simulated ns per wall microsecond
    c.play();
    wall_ += 150'000;  // 150 us of wall time = 150 ns simulated
    QVERIFY(c.tick());
    QCOMPARE(c.time(), std::int64_t{150});
    QCOMPARE(c.position(), std::size_t{1});
    QVERIFY(!c.tick());  // no wall time passed
    wall_ += 60'000;
    c.tick();
    QCOMPARE(c.time(), std::int64_t{210});
    QCOMPARE(c.position(), std::size_t{3});
  }

  void pause_stops_time_and_play_resumes_from_there() {
    ReplayClock c = clock();
    c.set_speed(0.001);
    c.play();
    wall_ += 100'000;
    c.pause();
    QCOMPARE(c.time(), std::int64_t{100});
    wall_ += 1'000'000;
    QVERIFY(!c.tick());
    QCOMPARE(c.time(), std::int64_t{100});
    c.play();
    wall_ += 50'000;
    c.tick();
    QCOMPARE(c.time(), std::int64_t{150});
  }

  void changing_speed_while_playing_keeps_the_time_reached() {
    ReplayClock c = clock();
    c.set_speed(0.001);
    c.play();
    wall_ += 100'000;
    c.set_speed(0.002);
    QCOMPARE(c.time(), std::int64_t{100});
    wall_ += 100'000;
    c.tick();
    QCOMPARE(c.time(), std::int64_t{300});
  }

  void speed_is_clamped_to_its_range() {
    ReplayClock c = clock();
    c.set_speed(1e-9);
    QCOMPARE(c.speed(), ReplayClock::kMinSpeed);
    QCOMPARE(ReplayClock::kMinSpeed, 1e-6);
    c.set_speed(1e9);
    QCOMPARE(c.speed(), ReplayClock::kMaxSpeed);
  }

  void play_stops_at_the_end_and_restarts_from_zero() {
    ReplayClock c = clock();
    c.set_speed(1.0);
    c.play();
    wall_ += 1'000'000;
    c.tick();
    QCOMPARE(c.time(), c.end_time());
    QVERIFY(!c.playing());
    QCOMPARE(c.position(), std::size_t{4});
    c.play();
    QCOMPARE(c.time(), std::int64_t{0});
    QVERIFY(c.playing());
  }

  void steps_visit_every_event_even_two_at_the_same_time() {
    ReplayClock c = clock();
    std::vector<std::int64_t> times;
    for (int i = 0; i < 4; ++i) {
      c.step_forward();
      times.push_back(c.time());
      QCOMPARE(*c.current_event(), std::size_t(i));
    }
    QCOMPARE(times, (std::vector<std::int64_t>{100, 200, 200, 500}));
    c.step_forward();  // at the end: stays
    QCOMPARE(c.position(), std::size_t{4});
    c.step_back();
    QCOMPARE(c.position(), std::size_t{3});
    QCOMPARE(c.time(), std::int64_t{200});
    c.step_back();
    c.step_back();
    QCOMPARE(c.time(), std::int64_t{100});
    c.step_back();
    QCOMPARE(c.time(), std::int64_t{0});
    QVERIFY(!c.current_event());
    c.step_back();  // at the start: stays
    QCOMPARE(c.position(), std::size_t{0});
  }

  void a_step_pauses_playback() {
    ReplayClock c = clock();
    c.play();
    c.step_forward();
    QVERIFY(!c.playing());
  }

  void seeks_land_on_a_time_or_just_after_an_event() {
    ReplayClock c = clock();
    c.seek_time(250);
    QCOMPARE(c.position(), std::size_t{3});
    c.seek_time(-5);
    QCOMPARE(c.time(), std::int64_t{0});
    c.seek_time(1'000'000);
    QCOMPARE(c.time(), c.end_time());
    c.seek_event(1);
    QCOMPARE(c.position(), std::size_t{2});
    QCOMPARE(c.time(), std::int64_t{200});
    QCOMPARE(*c.current_event(), std::size_t{1});
    c.seek_event(99);
    QCOMPARE(*c.current_event(), std::size_t{3});
  }

  void a_long_quiet_stretch_is_skipped_to_just_before_the_next_event() {
    // Events at 100 ns and 10 ms: at a millionth of real time the gap would last 10,000 s.
    TraceModel m;
    test::load_text(m, test::tiny_header() +
                           R"({"t":100,"ev":"state","node":11,"machine":"ha","from":"a","to":"b"})"
                           "\n" +
                           R"({"t":10000000,"ev":"state","node":11,"machine":"ha","from":"b","to":"c"})"
                           "\n");
    std::int64_t wall = 0;
    ReplayClock c(m, [&] { return wall; });
    c.set_speed(1e-6);  // 1 simulated ns per wall millisecond
    c.seek_event(0);
    c.play();
    wall += 10'000'000;  // 10 ms of wall time
    QVERIFY(c.tick());
    // Lead of a quarter of a wall second before the next event: 250 ns.
    QCOMPARE(c.time(), std::int64_t{10'000'000 - 250});
    QCOMPARE(c.position(), std::size_t{1});
    wall += 250'000'000;
    c.tick();
    QCOMPARE(c.position(), std::size_t{2});  // and then at the speed asked for
    // Off: the time runs at the speed through the gap.
    ReplayClock slow(m, [&] { return wall; });
    slow.set_skip_idle(false);
    slow.set_speed(1e-6);
    slow.seek_event(0);
    slow.play();
    wall += 10'000'000;
    slow.tick();
    QCOMPARE(slow.time(), std::int64_t{110});
  }

  void the_speed_slider_is_logarithmic_from_a_millionth_up() {
    QCOMPARE(speed_from_slider(kSpeedSliderMin), 1e-6);
    QCOMPARE(speed_from_slider(0), 1.0);
    QCOMPARE(speed_from_slider(200), 100.0);
    QCOMPARE(slider_from_speed(0.01), -200);
    QCOMPARE(slider_from_speed(speed_from_slider(137)), 137);
  }
};

QTEST_GUILESS_MAIN(ReplayClockTest)
#include "replay_clock_test.moc"
