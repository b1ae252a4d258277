// The pcapng block reader over hand-built files: several interfaces with different link types
// and snap lengths, timestamp resolutions, simple packet blocks, both byte orders, and damage.
// Each is read from memory (blocks) and from a file on disk (a mapped window).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "captures/frame_builder.hpp"
#include "captures/pcap_reader.hpp"
#include "captures/segment_decoder.hpp"
#include "test_support.hpp"

namespace rsconform::captures {
namespace {

using Bytes = std::vector<std::uint8_t>;

// Writes pcapng blocks in little- or big-endian order.
class Pcapng {
 public:
  explicit Pcapng(bool big_endian = false) : big_(big_endian) {}

  Pcapng& section() {
    Bytes body;
    put32(body, 0x1a2b3c4d);
    put16(body, 1);
    put16(body, 0);
    put32(body, 0xffffffff);  // section length unknown
    put32(body, 0xffffffff);
    return block(0x0a0d0d0a, body);
  }
  // tsresol < 0: no option (microseconds).
  Pcapng& interface(std::uint16_t link, std::uint32_t snaplen, int tsresol = -1) {
    Bytes body;
    put16(body, link);
    put16(body, 0);
    put32(body, snaplen);
    if (tsresol >= 0) {
      put16(body, 9);
      put16(body, 1);
      body.push_back(static_cast<std::uint8_t>(tsresol));
      body.insert(body.end(), 3, 0);
      put16(body, 0);  // opt_endofopt
      put16(body, 0);
    }
    return block(1, body);
  }
  Pcapng& packet(std::uint32_t iface, std::uint64_t ts, const Bytes& data) {
    Bytes body;
    put32(body, iface);
    put32(body, static_cast<std::uint32_t>(ts >> 32));
    put32(body, static_cast<std::uint32_t>(ts));
    put32(body, static_cast<std::uint32_t>(data.size()));
    put32(body, static_cast<std::uint32_t>(data.size()));
    body.insert(body.end(), data.begin(), data.end());
    while (body.size() % 4)
      body.push_back(0);
    return block(6, body);
  }
  Pcapng& simple(const Bytes& data) {
    Bytes body;
    put32(body, static_cast<std::uint32_t>(data.size()));
    body.insert(body.end(), data.begin(), data.end());
    while (body.size() % 4)
      body.push_back(0);
    return block(3, body);
  }
  Pcapng& custom(const Bytes& body) { return block(0x00000BAD, body); }
  Pcapng& statistics() {
    Bytes body(12, 0);
    return block(5, body);
  }
  Bytes bytes() const { return out_; }

 private:
  Pcapng& block(std::uint32_t type, const Bytes& body) {
    auto total = static_cast<std::uint32_t>(12 + body.size());
    put32(out_, type);
    put32(out_, total);
    out_.insert(out_.end(), body.begin(), body.end());
    put32(out_, total);
    return *this;
  }
  void put16(Bytes& b, std::uint16_t v) {
    if (big_) {
      b.push_back(static_cast<std::uint8_t>(v >> 8));
      b.push_back(static_cast<std::uint8_t>(v));
    } else {
      b.push_back(static_cast<std::uint8_t>(v));
      b.push_back(static_cast<std::uint8_t>(v >> 8));
    }
  }
  void put32(Bytes& b, std::uint32_t v) {
    if (big_) {
      put16(b, static_cast<std::uint16_t>(v >> 16));
      put16(b, static_cast<std::uint16_t>(v));
    } else {
      put16(b, static_cast<std::uint16_t>(v));
      put16(b, static_cast<std::uint16_t>(v >> 16));
    }
  }
  bool big_;
  Bytes out_;
};

Bytes ip_packet() {
  FrameSpec spec;
  spec.link_type = link_type::kRaw;
  spec.src = Endpoint{IpAddress::v4(127, 0, 0, 1), 1000};
  spec.dst = Endpoint{IpAddress::v4(127, 0, 0, 2), 179};
  spec.flags = tcp_flag::kAck;
  Bytes out;
  build_tcp_frame(spec, out);
  return out;
}

Bytes ethernet_packet() {
  FrameSpec spec;
  spec.src = Endpoint{IpAddress::v4(127, 0, 0, 1), 1000};
  spec.dst = Endpoint{IpAddress::v4(127, 0, 0, 2), 179};
  spec.flags = tcp_flag::kAck;
  Bytes out;
  build_tcp_frame(spec, out);
  return out;
}

using testing::read_all;

// Opens `file` named `name` as a user would: from memory and from a file on disk (removed once
// open; the reader keeps it until done).
struct Opener {
  const char* how;
  std::function<PcapReader()> open;
};
std::vector<Opener> openers(const Bytes& file, const std::string& name) {
  auto from_disk = [&file, name] {
    auto dir =
        std::filesystem::temp_directory_path() / ("rsconform-pcapng-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto path = dir / name;
    {
      std::ofstream out(path, std::ios::binary);
      out.write(reinterpret_cast<const char*>(file.data()),
                static_cast<std::streamsize>(file.size()));
    }
    struct Remove {
      std::filesystem::path dir;
      ~Remove() { std::filesystem::remove_all(dir); }
    } remove{dir};
    return PcapReader::open(path.string());
  };
  return {{"from memory", [&file, name] { return PcapReader::open_memory(file, name); }},
          {"from a file", from_disk}};
}

TEST(Pcapng, InterfacesWithDifferentLinkTypesSnapLengthsAndResolutions) {
  for (bool big : {false, true}) {
    SCOPED_TRACE(big ? "big-endian" : "little-endian");
    Bytes file = Pcapng(big)
                     .section()
                     .interface(link_type::kEthernet, 65535)      // microseconds
                     .interface(link_type::kRaw, 262144, 9)       // nanoseconds
                     .interface(link_type::kRaw, 128, 0x80 | 20)  // 2^-20 s
                     .packet(0, 1'500'000'000'000'001ull, ethernet_packet())
                     .statistics()
                     .packet(1, 1'500'000'000'000'000'002ull, ip_packet())
                     .packet(2, (std::uint64_t{7} << 20) | (1u << 19), ip_packet())
                     .bytes();
    for (const Opener& opener : openers(file, "multi.pcapng")) {
      SCOPED_TRACE(opener.how);
      PcapReader reader = opener.open();
      EXPECT_TRUE(reader.pcapng());
      EXPECT_EQ(reader.link_type(), link_type::kEthernet);
      testing::ReadBack packets = read_all(reader);
      std::vector<DecodeStatus> statuses;
      for (const RawPacket& p : packets.packets)
        statuses.push_back(decode_packet(p).status);
      ASSERT_FALSE(reader.error().has_value()) << reader.error()->to_string();
      ASSERT_EQ(packets.size(), 3u);
      EXPECT_EQ(packets[0].link_type, link_type::kEthernet);
      EXPECT_EQ(packets[0].timestamp_ns, 1'500'000'000'000'001'000);
      EXPECT_EQ(packets[1].link_type, link_type::kRaw);
      EXPECT_EQ(packets[1].interface_id, 1u);
      EXPECT_EQ(packets[1].timestamp_ns, 1'500'000'000'000'000'002);
      EXPECT_EQ(packets[2].timestamp_ns, 7'500'000'000);
      EXPECT_EQ(statuses, std::vector<DecodeStatus>(3, DecodeStatus::tcp));
      EXPECT_EQ(packets[2].number, 3u);
    }
  }
}

TEST(Pcapng, SimplePacketBlockUsesTheFirstInterface) {
  Bytes file = Pcapng().section().interface(link_type::kRaw, 30).simple(ip_packet()).bytes();
  PcapReader reader = PcapReader::open_memory(file, "spb.pcapng");
  testing::ReadBack packets = read_all(reader);
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_EQ(packets[0].caplen, 30u);  // clipped to the snap length
  EXPECT_EQ(packets[0].len, ip_packet().size());
}

TEST(Pcapng, SeveralSectionsResetInterfaces) {
  Bytes file = Pcapng()
                   .section()
                   .interface(link_type::kEthernet, 0)
                   .packet(0, 1, ethernet_packet())
                   .section()
                   .interface(link_type::kRaw, 0)
                   .packet(0, 2, ip_packet())
                   .bytes();
  PcapReader reader = PcapReader::open_memory(file, "sections.pcapng");
  testing::ReadBack packets = read_all(reader);
  ASSERT_EQ(packets.size(), 2u);
  EXPECT_EQ(packets[1].link_type, link_type::kRaw);
}

TEST(Pcapng, DamageIsAPositionedErrorAfterTheGoodPackets) {
  Bytes good = Pcapng()
                   .section()
                   .interface(link_type::kRaw, 0)
                   .packet(0, 1, ip_packet())
                   .packet(0, 2, ip_packet())
                   .bytes();
  struct Case {
    std::string name;
    Bytes file;
    std::string message;
  };
  Bytes cut = good;
  cut.resize(cut.size() - 7);
  Bytes bad_length = good;
  std::size_t second = good.size() - (12 + 20 + ip_packet().size());
  bad_length[second + 4] = 0x05;  // total length not a multiple of 4
  Bytes bad_trailer = good;
  bad_trailer[bad_trailer.size() - 4] ^= 0x10;
  Bytes undeclared = Pcapng()
                         .section()
                         .interface(link_type::kRaw, 0)
                         .packet(0, 1, ip_packet())
                         .packet(3, 2, ip_packet())
                         .bytes();
  std::vector<Case> cases = {
      {"cut", cut, "file ends inside a block"},
      {"bad-length", bad_length, "invalid length"},
      {"bad-trailer", bad_trailer, "trailer length"},
      {"undeclared", undeclared, "undeclared interface 3"},
  };
  for (const Case& c : cases)
    for (const Opener& opener : openers(c.file, c.name)) {
      SCOPED_TRACE(c.name + " " + opener.how);
      PcapReader reader = opener.open();
      testing::ReadBack packets = read_all(reader);
      EXPECT_EQ(packets.size(), 1u);
      ASSERT_TRUE(reader.error().has_value());
      EXPECT_EQ(reader.error()->packet_number, 2u);
      EXPECT_NE(reader.error()->message.find(c.message), std::string::npos)
          << reader.error()->message;
      EXPECT_NE(reader.error()->message.find(" at byte "), std::string::npos);
    }
}

TEST(Pcapng, EveryPrefixOfAFileIsHandled) {
  Pcapng builder;
  std::vector<std::size_t> boundaries;
  builder.section();
  boundaries.push_back(builder.bytes().size());
  builder.interface(link_type::kRaw, 0, 9);
  boundaries.push_back(builder.bytes().size());
  builder.packet(0, 1, ip_packet());
  boundaries.push_back(builder.bytes().size());
  builder.packet(0, 2, ip_packet());
  Bytes file = builder.bytes();
  for (std::size_t n = 1; n < file.size(); ++n) {
    Bytes prefix(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(n));
    bool boundary = std::find(boundaries.begin(), boundaries.end(), n) != boundaries.end();
    for (const Opener& opener : openers(prefix, "prefix"))
      try {
        SCOPED_TRACE(std::to_string(n) + " " + opener.how);
        PcapReader reader = opener.open();
        testing::ReadBack packets = read_all(reader);
        EXPECT_EQ(packets.size(), n >= boundaries[2] ? 1u : 0u);
        EXPECT_EQ(reader.error().has_value(), !boundary);
      } catch (const CaptureOpenError& e) {
        EXPECT_LT(n, boundaries[1]);  // only a cut section or interface block fails to open
        EXPECT_TRUE(e.error().file.ends_with("prefix")) << e.error().file;
      }
  }
}

// Blocks at the edges of the 8 MiB window, and one larger than the window (which grows to hold
// it): every packet after them reads as written.
TEST(Pcapng, LargeFilesAndBlocksLargerThanTheWindow) {
  Pcapng builder;
  builder.section().interface(link_type::kRaw, 0, 9);
  std::size_t written = 0;
  for (std::uint64_t i = 0; builder.bytes().size() < (std::size_t{10} << 20); ++i) {
    Bytes data = ip_packet();
    data.resize(data.size() + (i * 7919) % 60000, static_cast<std::uint8_t>(i));
    builder.packet(0, i, data);
    ++written;
    if (i == 3) builder.custom(Bytes(std::size_t{9} << 20, 0xab));  // skipped, not a packet
  }
  Bytes file = builder.bytes();
  for (const Opener& opener : openers(file, "large.pcapng")) {
    SCOPED_TRACE(opener.how);
    PcapReader reader = opener.open();
    testing::ReadBack packets = read_all(reader);
    ASSERT_FALSE(reader.error().has_value()) << reader.error()->to_string();
    ASSERT_EQ(packets.size(), written);
    for (std::size_t i = 0; i < packets.size(); ++i) {
      ASSERT_EQ(packets[i].timestamp_ns, static_cast<wire::Nanos>(i)) << i;
      ASSERT_EQ(packets[i].caplen, ip_packet().size() + (i * 7919) % 60000) << i;
      if (packets[i].caplen > ip_packet().size()) {
        ASSERT_EQ(packets[i].data.back(), static_cast<std::uint8_t>(i)) << i;
      }
    }
  }
}

}  // namespace
}  // namespace rsconform::captures
