// print_tables writes each attribute set's text once and reuses it for the routes sharing it:
// its output must stay byte-identical to formatting every route anew, on every recorded capture
// at the moment `decode --tables` shows (before the sessions shut down).
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "analysis/capture_analysis.hpp"
#include "analysis/moment.hpp"
#include "analysis/observation_report.hpp"
#include "support/corpus.hpp"
#include "support/tshark_oracle.hpp"

namespace rsconform::analysis {
namespace {

// The tables as printed before the cache: every route formatted on its own.
std::string tables_formatted_per_route(const Observation& observation) {
  std::ostringstream out;
  for (const auto& [key, s] : observation.sessions())
    for (const auto& d : s.directions) {
      if (d.total_messages() == 0) continue;
      out << "table " << d.from.to_string() << " -> " << d.to.to_string() << " (" << d.table.size()
          << " routes" << (d.uncertain() ? ", uncertain" : "") << ")\n";
      for (const rib::Route& r : d.table.sorted())
        out << "  " << wire::to_string(r.key.family) << " " << r.key.prefix.to_string() << " "
            << rib::to_text(*r.attributes) << "\n";
    }
  return out.str();
}

TEST(TablesText, SameAsFormattingEveryRouteOnEveryRecordedCapture) {
  const auto dir = test_support::recorded_dir();
  std::size_t captures = 0, routes = 0;
  for (const auto& capture : test_support::well_formed_captures(dir.string())) {
    SCOPED_TRACE(capture.path);
    const std::string path = (dir / capture.path).string();
    AnalysisOptions options;
    options.ports = {capture.bgp_ports.begin(), capture.bgp_ports.end()};
    const Moment moment =
        resolve_moment(parse_moment("before-shutdown"), survey_capture(path, options.ports));
    if (!moment.whole_capture()) options.last_packet = moment.last_packet;
    options.observation.keep_tables = true;
    Observer observer(options.observation);
    analyse_capture(path, options, observer);
    std::ostringstream printed;
    print_tables(printed, observer.observation());
    EXPECT_EQ(printed.str(), tables_formatted_per_route(observer.observation()));
    ++captures;
    for (const auto& [key, s] : observer.observation().sessions())
      for (const auto& d : s.directions)
        routes += d.table.size();
  }
  EXPECT_GE(captures, 3u);
  EXPECT_GT(routes, 100u);  // the comparison saw shared attribute sets, not only empty tables
}

}  // namespace
}  // namespace rsconform::analysis
