// How rsconform starts Chromium to open a report: headless, with an empty profile of its own and
// none of the background services that would reach for the network (a closed network refuses
// them, many at a time). `rsconform bench report` and the browser tests share it.
#pragma once

#include <string>
#include <vector>

namespace rsconform::report_html {

inline constexpr const char* kChromium = "/usr/bin/chromium";

// `chromium` and its flags, up to (not including) what to do and the URL.
inline std::vector<std::string> headless_chromium_args(const std::string& chromium,
                                                       const std::string& profile_dir) {
  return {chromium,
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--user-data-dir=" + profile_dir};
}

}  // namespace rsconform::report_html
