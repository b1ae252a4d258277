// Daemon launchers, the pure parts: rendered configs, argv, the /proc listener parser, and
// process control on a harmless child.
#include <gtest/gtest.h>
#include <pthread.h>

#include <chrono>
#include <csignal>

#include <filesystem>

#include "speakers/daemons/route_server_daemon.hpp"

namespace rsconform::daemons {
namespace {

wire::IpAddress ip(const char* text) {
  return *wire::IpAddress::parse(text);
}

RouteServerConfig two_clients() {
  RouteServerConfig c;
  c.router_id = ip("127.65.9.1");
  c.listen_address = ip("127.65.9.1");
  c.listen_port = 17999;
  c.neighbors.push_back({ip("127.65.9.2"), 65001, 179, true});
  c.neighbors.push_back({ip("127.65.9.3"), 65002, 17902, false});
  return c;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(BirdConfig, RouteServerClientsWithoutFiltering) {
  std::string conf = render_bird_config(two_clients(), "/run/x");
  EXPECT_TRUE(contains(conf, "router id 127.65.9.1;"));
  EXPECT_TRUE(contains(conf, "log \"/run/x/bird.log\" all;"));
  EXPECT_TRUE(contains(conf, "local 127.65.9.1 port 17999 as 65515;"));
  EXPECT_TRUE(contains(conf, "strict bind on;"));
  EXPECT_TRUE(contains(conf, "rs client;"));
  EXPECT_TRUE(contains(conf, "import all;"));
  EXPECT_TRUE(contains(conf, "export all;"));
  EXPECT_TRUE(contains(conf, "next hop keep on;"));
  EXPECT_TRUE(contains(conf, "neighbor 127.65.9.2 port 179 as 65001;\n  passive on;"));
  EXPECT_TRUE(contains(conf, "neighbor 127.65.9.3 port 17902 as 65002;\n  passive off;"));
}

TEST(FrrConfig, RouteServerClientsWithoutFiltering) {
  std::string conf = render_frr_config(two_clients(), "/run/x");
  EXPECT_TRUE(contains(conf, "router bgp 65515\n"));
  EXPECT_TRUE(contains(conf, " bgp router-id 127.65.9.1\n"));
  EXPECT_TRUE(contains(conf, " no bgp ebgp-requires-policy\n"));
  EXPECT_TRUE(contains(conf, "log file /run/x/bgpd.log"));
  EXPECT_TRUE(contains(conf, " neighbor 127.65.9.2 remote-as 65001\n"));
  EXPECT_TRUE(contains(conf, " neighbor 127.65.9.2 passive\n"));
  EXPECT_FALSE(contains(conf, " neighbor 127.65.9.3 passive\n"));
  EXPECT_TRUE(contains(conf, " neighbor 127.65.9.3 port 17902\n"));
  EXPECT_TRUE(contains(conf, "  neighbor 127.65.9.3 route-server-client\n"));
  EXPECT_TRUE(contains(conf, "  neighbor 127.65.9.2 activate\n"));
}

TEST(RouteServerConfigValidation, RejectsNonLoopbackEmptyAndMixedFamilies) {
  RouteServerConfig c = two_clients();
  c.listen_address = ip("10.0.0.1");
  EXPECT_THROW(render_bird_config(c, "/x"), std::invalid_argument);
  c = two_clients();
  c.neighbors.clear();
  EXPECT_THROW(render_frr_config(c, "/x"), std::invalid_argument);
  c = two_clients();
  c.neighbors[1].address = ip("::1");
  try {
    validate(c);
    FAIL() << "expected invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_TRUE(contains(e.what(), "neighbor 1 (::1)"));
  }
}

TEST(DaemonArgv, ArgvOnlyWithEverythingInTheRunDirectory) {
  LaunchOptions options;
  auto bird = daemon_argv(DaemonKind::bird, two_clients(), "/run/x", options);
  EXPECT_EQ(bird, (std::vector<std::string>{"/usr/sbin/bird", "-f", "-c", "/run/x/bird.conf", "-s",
                                            "/run/x/bird.ctl", "-P", "/run/x/bird.pid"}));
  auto frr = daemon_argv(DaemonKind::frr, two_clients(), "/run/x", options);
  ASSERT_GE(frr.size(), 3u);
  EXPECT_EQ(frr[0], "/usr/lib/frr/bgpd");
  EXPECT_EQ(frr[2], "/run/x/bgpd.conf");
  EXPECT_EQ(frr[frr.size() - 3], "17999");
  EXPECT_EQ(frr.back(), "127.65.9.1");
}

TEST(ProcNetTcp, FindsListenersByAddressAndPort) {
  // 127.65.9.1:17999 (0x464F) listening; 127.0.0.1:53 established; 0.0.0.0:22 listening.
  const std::string table =
      "  sl  local_address rem_address   st tx_queue rx_queue\n"
      "   0: 0109417F:464F 00000000:0000 0A 00000000:00000000\n"
      "   1: 0100007F:0035 0100007F:9C40 01 00000000:00000000\n"
      "   2: 00000000:0016 00000000:0000 0A 00000000:00000000\n";
  EXPECT_TRUE(table_lists_listener(table, ip("127.65.9.1"), 17999));
  EXPECT_FALSE(table_lists_listener(table, ip("127.65.9.2"), 17999));
  EXPECT_FALSE(table_lists_listener(table, ip("127.0.0.1"), 53));  // not LISTEN
  EXPECT_TRUE(table_lists_listener(table, ip("127.9.9.9"), 22));   // wildcard
  const std::string table6 =
      "  sl  local_address                         remote_address                        st\n"
      "   0: 00000000000000000000000001000000:464F 00000000000000000000000000000000:0000 0A\n";
  EXPECT_TRUE(table_lists_listener(table6, ip("::1"), 17999));
  EXPECT_FALSE(table_lists_listener(table6, ip("::1"), 179));
  EXPECT_FALSE(table_lists_listener("garbage\nnot a table at all\n", ip("::1"), 179));
}

TEST(ChildProcess, StopsByPidAndReportsTheSignal) {
  RunDirectory dir = RunDirectory::create("rsconform-child-test");
  std::string path = dir.path();
  ASSERT_TRUE(std::filesystem::is_directory(path));
  {
    ChildProcess child = ChildProcess::start({"/bin/sleep", "600"}, path, dir.file("out"));
    EXPECT_GT(child.pid(), 0);
    EXPECT_FALSE(child.poll().has_value());
    ExitStatus status = child.stop();
    EXPECT_FALSE(status.exited);
    EXPECT_EQ(status.signal, SIGTERM);
    EXPECT_EQ(child.stop().signal, SIGTERM);  // idempotent
  }
  RunDirectory moved = std::move(dir);
  EXPECT_EQ(moved.path(), path);
  moved = RunDirectory::create("rsconform-child-test");
  EXPECT_FALSE(std::filesystem::exists(path));  // the old directory went with the assignment
}

// `run` blocks SIGINT/SIGTERM in every thread (its signal watch) and a child inherits the
// mask: the child must get default signal handling back, or SIGTERM waits out the grace time.
TEST(ChildProcess, SigtermReachesAChildOfAParentThatBlocksIt) {
  RunDirectory dir = RunDirectory::create("rsconform-child-test");
  sigset_t term, old;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &term, &old), 0);
  ChildProcess child = ChildProcess::start({"/bin/sleep", "600"}, dir.path(), dir.file("out"));
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  const ExitStatus status = child.stop(std::chrono::milliseconds(10000));
  EXPECT_EQ(status.signal, SIGTERM) << status.to_string();  // SIGKILL: SIGTERM was blocked
}

TEST(ChildProcess, ExecFailureIsReportedNotHidden) {
  RunDirectory dir = RunDirectory::create("rsconform-child-test");
  try {
    ChildProcess::start({"/nonexistent/daemon"}, dir.path(), dir.file("out"));
    FAIL() << "expected runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(contains(e.what(), "cannot start /nonexistent/daemon"));
  }
  EXPECT_THROW(ChildProcess::start({"relative"}, dir.path(), dir.file("out")), std::runtime_error);
}

TEST(ChildProcess, ExitCodeOfAFinishedChild) {
  RunDirectory dir = RunDirectory::create("rsconform-child-test");
  ChildProcess child = ChildProcess::start({"/bin/sh", "-c", "exit 3"}, dir.path(), dir.file("o"));
  std::optional<ExitStatus> status = child.wait(std::chrono::seconds(30));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->exited);
  EXPECT_EQ(status->code, 3);
  EXPECT_EQ(child.stop().code, 3);  // stopping an ended child changes nothing
}

}  // namespace
}  // namespace rsconform::daemons
