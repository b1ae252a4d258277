// The corpus manifest's link types, checked against what the reader reports for each capture:
// every link type in the corpus is decoded (no "unsupported link type" notes). The same for the
// repository's recorded captures, whose manifest has the same schema. The public corpus's test
// skips without it.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "captures/pcap_reader.hpp"
#include "captures/segment_decoder.hpp"
#include "test_support.hpp"

namespace rsconform::captures {
namespace {

// "Ethernet (1)" -> 1
std::uint32_t number_in_parentheses(const std::string& text) {
  std::size_t open = text.rfind('(');
  return static_cast<std::uint32_t>(std::stoul(text.substr(open + 1)));
}

// libpcap hands back DLT_RAW (12) for LINKTYPE_RAW (101).
std::uint32_t as_linktype(std::uint32_t dlt) {
  return dlt == link_type::kDltRaw ? link_type::kRaw : dlt;
}

// Checks every capture `manifest_path` lists (paths relative to its directory); returns how many
// there are and the link types seen.
std::size_t check_manifest(const std::filesystem::path& manifest_path,
                           std::set<std::uint32_t>& seen) {
  std::ifstream in(manifest_path);
  EXPECT_TRUE(in) << "cannot read " << manifest_path;
  if (!in) return 0;
  nlohmann::json manifest = nlohmann::json::parse(in);
  std::size_t captures = 0;
  for (const nlohmann::json& entry : manifest.at("files")) {
    std::string format = entry.value("format", "");
    if (format != "pcap" && format != "pcapng") continue;
    std::string path = entry.at("path").get<std::string>();
    SCOPED_TRACE(path);
    std::set<std::uint32_t> declared;
    for (const nlohmann::json& lt : entry.at("link_type")) {
      declared.insert(number_in_parentheses(lt.get<std::string>()));
    }
    PcapReader reader = PcapReader::open((manifest_path.parent_path() / path).string());
    EXPECT_EQ(reader.pcapng(), format == "pcapng");
    EXPECT_TRUE(declared.count(as_linktype(reader.link_type())));
    RawPacket p;
    while (reader.next(p)) {
      EXPECT_TRUE(declared.count(as_linktype(p.link_type))) << "packet " << p.number;
      EXPECT_NE(decode_packet(p).status, DecodeStatus::unsupported_link_type)
          << "packet " << p.number;
      seen.insert(as_linktype(p.link_type));
    }
    ++captures;
  }
  return captures;
}

TEST(Manifest, LinkTypesMatchAndAreAllDecoded) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  std::set<std::uint32_t> seen;
  std::size_t captures = check_manifest(testing::corpus_dir() / "MANIFEST.json", seen);
  EXPECT_GE(captures, 90u);
  // Ethernet, NULL, PPP, raw IP, Cisco HDLC, Frame Relay, Linux SLL, Juniper Ethernet.
  EXPECT_EQ(seen, (std::set<std::uint32_t>{0, 1, 9, 101, 104, 107, 113, 178}));
}

// captures/recorded: its manifest lists every capture file there, each as it is.
TEST(Manifest, RecordedCapturesMatchTheirManifest) {
  std::set<std::uint32_t> seen;
  const std::filesystem::path dir = test_support::recorded_dir();
  std::size_t captures = check_manifest(dir / "MANIFEST.json", seen);
  EXPECT_EQ(captures, testing::captures_under(dir).size());
  EXPECT_GE(captures, 3u);
}

}  // namespace
}  // namespace rsconform::captures
