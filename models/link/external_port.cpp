#include "models/link/external_port.hpp"

// Linux only: AF_PACKET (packet(7)), eventfd(2), setns(2).
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <poll.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "models/wire/bytes.hpp"

namespace nlb::link {

namespace {

constexpr std::uint16_t kEtherIpv4 = 0x0800;
constexpr std::uint16_t kEtherArp = 0x0806;
constexpr std::size_t kEthHeader = 14;
// Frames taken per wake-up before poll() is asked again, so a stop request is seen in a flood.
constexpr int kReadBatch = 64;
// Room for bursts while the simulation is busy (a 1 GB/s veth fills Linux's default 208 KiB in
// about 0.2 ms).
constexpr int kReceiveBuffer = 4 << 20;

std::string errno_text(int err) { return std::error_code(err, std::system_category()).message(); }

struct Socket {
  int fd = -1;
  int ifindex = 0;
  wire::Mac mac;
};

std::string where(const ExternalPortConfig& cfg) {
  std::string s = "interface \"" + cfg.ifname + "\"";
  if (!cfg.netns.empty()) s += " in network namespace \"" + cfg.netns + "\"";
  return s;
}

// Opens and binds the packet socket in the calling thread's network namespace.
Socket open_socket(const ExternalPortConfig& cfg, std::string& error) {
  // Protocol 0: the socket receives nothing until bind() names the interface, so no frame
  // from another interface slips in between (packet(7)).
  Socket s;
  s.fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (s.fd < 0) {
    if (errno == EPERM || errno == EACCES) {
      error =
          "external port: opening a raw packet socket needs CAP_NET_RAW: run as root, or give the binary "
          "the capability (setcap cap_net_raw,cap_net_admin+ep <binary>)";
    } else {
      error = "external port: socket(AF_PACKET): " + errno_text(errno);
    }
    return s;
  }
  auto fail = [&](std::string what) {
    error = "external port: " + std::move(what);
    ::close(s.fd);
    s.fd = -1;
    return s;
  };

  ifreq ifr{};
  std::memcpy(ifr.ifr_name, cfg.ifname.data(), cfg.ifname.size());
  if (::ioctl(s.fd, SIOCGIFINDEX, &ifr) < 0) {
    if (errno == ENODEV) return fail("no " + where(cfg) + " (create it first, e.g. one end of a veth pair)");
    return fail(where(cfg) + ": " + errno_text(errno));
  }
  s.ifindex = ifr.ifr_ifindex;
  if (::ioctl(s.fd, SIOCGIFHWADDR, &ifr) < 0) return fail(where(cfg) + ": " + errno_text(errno));
  if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) return fail(where(cfg) + " is not an Ethernet interface");
  std::array<std::uint8_t, 6> mac{};
  std::memcpy(mac.data(), ifr.ifr_hwaddr.sa_data, mac.size());
  s.mac = wire::Mac(mac);
  if (::ioctl(s.fd, SIOCGIFFLAGS, &ifr) < 0) return fail(where(cfg) + ": " + errno_text(errno));
  if (!(ifr.ifr_flags & IFF_UP)) return fail(where(cfg) + " is down (ip link set " + cfg.ifname + " up)");

  sockaddr_ll addr{};
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons(ETH_P_ALL);
  addr.sll_ifindex = s.ifindex;
  if (::bind(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
    return fail("bind to " + where(cfg) + ": " + errno_text(errno));
  }
  int one = 1;
  // Linux 4.20+: our own transmissions are not looped back to us. Older kernels: the reader
  // skips PACKET_OUTGOING frames instead.
  (void)::setsockopt(s.fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
  // tpacket_auxdata with each frame: the checksum status and VLAN tag the kernel took off.
  if (::setsockopt(s.fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one) < 0) {
    return fail("PACKET_AUXDATA: " + errno_text(errno));
  }
  if (cfg.promiscuous) {
    packet_mreq mr{};
    mr.mr_ifindex = s.ifindex;
    mr.mr_type = PACKET_MR_PROMISC;  // dropped by the kernel when the socket closes
    if (::setsockopt(s.fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) < 0) {
      return fail("promiscuous mode on " + where(cfg) + ": " + errno_text(errno));
    }
  }
  int rcvbuf = kReceiveBuffer;
  if (::setsockopt(s.fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0) {
    (void)::setsockopt(s.fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  }
  return s;
}

// Runs open_socket inside a named network namespace. setns() moves only the calling thread,
// so a short-lived thread does it and the caller's namespace is never touched; the socket
// stays in the namespace it was made in.
Socket open_socket_in(const ExternalPortConfig& cfg, std::string& error) {
  if (cfg.netns.find('/') != std::string::npos || cfg.netns == "." || cfg.netns == "..") {
    error = "external port: \"" + cfg.netns + "\" is not a network namespace name";
    return {};
  }
  const std::string path = "/run/netns/" + cfg.netns;
  int ns = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (ns < 0) {
    error = "external port: no network namespace \"" + cfg.netns + "\" (" + path + ": " + errno_text(errno) +
            "; create it with ip netns add " + cfg.netns + ")";
    return {};
  }
  Socket s;
  try {
    std::thread t([&] {
      if (::setns(ns, CLONE_NEWNET) != 0) {
        error = "external port: entering network namespace \"" + cfg.netns + "\" needs CAP_SYS_ADMIN (" +
                errno_text(errno) + ")";
        return;
      }
      s = open_socket(cfg, error);
    });
    t.join();
  } catch (const std::system_error& e) {
    error = std::string("external port: cannot start a thread: ") + e.what();
  }
  ::close(ns);
  return s;
}

}  // namespace

bool complete_partial_checksum(std::span<std::byte> frame) {
  if (frame.size() < kEthHeader + 20 || wire::get16(frame, 12) != kEtherIpv4) return false;
  auto ip = frame.subspan(kEthHeader);
  const std::size_t ihl = (wire::get8(ip, 0) & 0x0f) * 4u;
  const std::size_t total = wire::get16(ip, 2);
  if ((wire::get8(ip, 0) >> 4) != 4 || ihl < 20 || total < ihl || total > ip.size()) return false;
  if ((wire::get16(ip, 6) & 0x3fff) != 0) return false;  // a fragment: never offloaded
  const std::uint8_t proto = wire::get8(ip, 9);
  auto l4 = ip.subspan(ihl, total - ihl);
  std::size_t at;
  if (proto == 6 && l4.size() >= 20) {
    at = 16;  // RFC 9293 3.1
  } else if (proto == 17 && l4.size() >= 8) {
    at = 6;  // RFC 768
  } else {
    return false;
  }
  // The field holds the pseudo-header sum, not complemented; summing the segment with it in
  // place and complementing gives the checksum (Linux skb_checksum_help, which also sends 0
  // as 0xffff: CSUM_MANGLED_0, the same value in one's complement and required for UDP).
  std::uint16_t sum = wire::fold(wire::ones_sum(l4));
  wire::put16(l4, at, sum == 0 ? 0xffff : sum);
  return true;
}

ExternalPort::Opened ExternalPort::open(sim::Simulation& sim, sim::RealtimePacer& pacer, FramePool& pool,
                                        const ExternalPortConfig& cfg) {
  Opened r;
  if (cfg.ifname.empty() || cfg.ifname.size() >= IFNAMSIZ) {
    r.error = "external port: interface name \"" + cfg.ifname + "\" must have 1 to " +
              std::to_string(IFNAMSIZ - 1) + " characters";
    return r;
  }
  Socket s = cfg.netns.empty() ? open_socket(cfg, r.error) : open_socket_in(cfg, r.error);
  if (s.fd < 0) return r;
  r.port.reset(new ExternalPort(sim, pacer, pool, cfg, s.fd, s.ifindex, s.mac));
  if (r.port->stop_fd_ < 0) {
    r.error = "external port: eventfd: " + errno_text(errno);
    r.port.reset();
  }
  return r;
}

ExternalPort::ExternalPort(sim::Simulation& sim, sim::RealtimePacer& pacer, FramePool& pool,
                           const ExternalPortConfig& cfg, int fd, int ifindex, wire::Mac mac)
    : sim_(sim),
      pacer_(pacer),
      pool_(pool),
      cfg_(cfg),
      fd_(fd),
      stop_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      ifindex_(ifindex),
      device_(sim, mac) {
  // A switch port's cable: whatever the LAN sends this way goes out, whatever its MAC.
  device_.set_promiscuous(true);
  device_.set_receiver([this](const FrameRef& f) { write_out(*f); });
}

ExternalPort::~ExternalPort() {
  stop();
  pacer_.forget(*this);
  if (fd_ >= 0) ::close(fd_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

bool ExternalPort::start() {
  if (reader_.joinable()) return true;
  try {
    reader_ = std::thread([this] { read_loop(); });
  } catch (const std::system_error&) {
    return false;
  }
  return true;
}

void ExternalPort::stop() {
  if (!reader_.joinable()) return;
  std::uint64_t one = 1;
  (void)!::write(stop_fd_, &one, sizeof one);
  reader_.join();
  std::uint64_t drain;
  (void)!::read(stop_fd_, &drain, sizeof drain);  // ready for another start()
}

ExternalPortCounters ExternalPort::counters() const {
  ExternalPortCounters c;
  c.tx_frames = tx_frames_;
  c.tx_bytes = tx_bytes_;
  c.tx_errors = tx_errors_;
  c.rx_frames = rx_frames_.load(std::memory_order_relaxed);
  c.rx_bytes = rx_bytes_.load(std::memory_order_relaxed);
  c.rx_filtered = rx_filtered_.load(std::memory_order_relaxed);
  c.rx_oversize = rx_oversize_.load(std::memory_order_relaxed);
  c.rx_inbox_full = rx_inbox_full_.load(std::memory_order_relaxed);
  c.rx_errors = rx_errors_.load(std::memory_order_relaxed);
  c.checksums_completed = checksums_completed_.load(std::memory_order_relaxed);
  return c;
}

void ExternalPort::write_out(const Frame& frame) {
  const std::size_t n = frame.wire_len();
  if (n > tx_buf_.size()) {
    ++tx_errors_;
    return;
  }
  // The virtual payload becomes real zero bytes: what the checksums were computed over.
  std::memcpy(tx_buf_.data(), frame.data, frame.len);
  std::memset(tx_buf_.data() + frame.len, 0, frame.virtual_len);
  ssize_t sent = ::send(fd_, tx_buf_.data(), n, MSG_DONTWAIT);
  if (sent != static_cast<ssize_t>(n)) {
    ++tx_errors_;
    return;
  }
  ++tx_frames_;
  tx_bytes_ += n;
}

void ExternalPort::on_inbox(std::span<const std::byte> bytes) {
  FrameRef f = pool_.make(bytes.size());
  std::memcpy(f.mut().data, bytes.data(), bytes.size());
  device_.send(std::move(f));
}

void ExternalPort::read_loop() {
  pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  for (;;) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      rx_errors_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (fds[1].revents != 0) return;
    if (fds[0].revents != 0) read_ready();
  }
}

void ExternalPort::read_ready() {
  alignas(8) std::array<std::byte, Frame::kMaxBytes> buf;
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(tpacket_auxdata))> control;
  for (int i = 0; i < kReadBatch; ++i) {
    sockaddr_ll from{};
    iovec iov{buf.data(), buf.size()};
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    // MSG_TRUNC: the return value is the frame's real length even when it did not fit.
    ssize_t n = ::recvmsg(fd_, &msg, MSG_DONTWAIT | MSG_TRUNC);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        rx_errors_.fetch_add(1, std::memory_order_relaxed);
      }
      return;
    }
    if (from.sll_pkttype == PACKET_OUTGOING) continue;
    if (static_cast<std::size_t>(n) > buf.size()) {
      rx_oversize_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    const tpacket_auxdata* aux = nullptr;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA) {
        aux = reinterpret_cast<const tpacket_auxdata*>(CMSG_DATA(c));
      }
    }
    std::span<std::byte> frame(buf.data(), static_cast<std::size_t>(n));
    // The kernel strips an 802.1Q tag into the auxdata; the simulation has no VLANs.
    const bool tagged = aux && (aux->tp_status & TP_STATUS_VLAN_VALID);
    const std::uint16_t type = frame.size() >= kEthHeader ? wire::get16(frame, 12) : 0;
    if (tagged || frame.size() < kEthHeader || (cfg_.ipv4_only && type != kEtherIpv4 && type != kEtherArp)) {
      rx_filtered_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    if (cfg_.complete_checksums && aux && (aux->tp_status & TP_STATUS_CSUMNOTREADY) &&
        complete_partial_checksum(frame)) {
      checksums_completed_.fetch_add(1, std::memory_order_relaxed);
    }
    if (!pacer_.post(*this, frame)) {
      rx_inbox_full_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    rx_frames_.fetch_add(1, std::memory_order_relaxed);
    rx_bytes_.fetch_add(static_cast<std::uint64_t>(n), std::memory_order_relaxed);
  }
}

}  // namespace nlb::link
