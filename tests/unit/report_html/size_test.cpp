// The report of a 100k-prefix run stays under 5 MB: a synthetic capture of four
// sessions announcing 25,000 prefixes each, read by read_exchange as `run` reads
// a cell's capture, with an expectation per prefix, rendered whole.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "captures/bgp/synthetic.hpp"
#include "captures/pcap_writer.hpp"
#include "report_html/html_report.hpp"

namespace rsconform::report_html {
namespace {

namespace fs = std::filesystem;

TEST(ReportSize, HundredThousandPrefixRunUnderFiveMegabytes) {
  const fs::path file =
      fs::temp_directory_path() / ("rsconform-html-size-" + std::to_string(::getpid()) + ".pcap");
  captures::SyntheticSpec spec;
  spec.sessions = 4;
  spec.prefixes_per_session = 25000;
  spec.withdraw_every = 0;
  auto pcap = captures::PcapWriter::create(file.string(), captures::link_type::kEthernet);
  const captures::SyntheticCapture truth = captures::write_synthetic_capture(pcap, spec);
  pcap.close();
  ASSERT_EQ(truth.prefixes, 100000u);

  check::CellResult cell;
  cell.suite = "bulk-100k";
  cell.cell.name = "flag=off";
  cell.target = "builtin";
  ExchangeOptions options;
  for (std::size_t s = 0; s < truth.directions.size(); ++s) {
    const auto& d = truth.directions[s];
    const std::string from = "rs" + std::to_string(s), to = "nva" + std::to_string(s);
    options.names.emplace_back(d.from.to_string(), from);
    options.names.emplace_back(d.to.to_string(), to);
    for (const auto& [prefix, route] : d.routes) {
      check::ExpectationResult r;
      r.case_name = "bulk";
      r.kind = check::ResultKind::present;
      r.from = from;
      r.to = to;
      r.prefix = prefix.to_string();
      r.expected = "present";
      r.seen = prefix.to_string() + " via " + route.next_hop.to_string();
      cell.results.push_back(std::move(r));
      options.expected.emplace_back(from, to, prefix.to_string());
    }
  }
  // One failure among them, which must be listed.
  cell.results[77777].verdict = check::Verdict::failed;
  cell.results[77777].seen = "absent";
  cell.verdict = check::Verdict::failed;
  Exchange exchange = read_exchange(file.string(), {179}, options);
  fs::remove(file);
  ASSERT_FALSE(exchange.problem) << *exchange.problem;
  std::size_t arrived = 0;
  for (const auto& a : exchange.arrivals)
    arrived += a.t.has_value();
  EXPECT_EQ(arrived, 100000u);
  EXPECT_GT(exchange.details_left_out, 0u);

  const std::vector<check::CellResult> cells{cell};
  ReportModel model;
  model.title = "rsconform run";
  model.cells = cells;
  model.exchanges.emplace_back(std::move(exchange));
  const std::string page = render_html(model);
  std::cout << "report.html of a 100k-prefix cell: " << page.size() << " bytes\n";
  EXPECT_LT(page.size(), 5u * 1000 * 1000);
  EXPECT_NE(page.find("data-verdict=\"failed\""), std::string::npos);
  EXPECT_NE(page.find("passing expectation(s)"), std::string::npos) << "the cut is said";
  EXPECT_NE(page.find("band(s)"), std::string::npos);
}

}  // namespace
}  // namespace rsconform::report_html
