// libFuzzer target: any bytes as a run.json (run::load_run_record_text). An
// accepted record must round-trip through to_json().
#include <nlohmann/json.hpp>

#include "fuzz_input.hpp"
#include "run/run_record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rsconform;
  constexpr const char* kTarget = "fuzz_run_record";
  auto load = [](std::string_view text) { return run::load_run_record_text(text, fuzz::kFile); };
  auto record = fuzz::read(kTarget, fuzz::as_text(data, size), load);
  if (!record) return 0;
  const std::string written = run::to_json(*record).dump();
  auto again = fuzz::read(kTarget, written, load);
  if (!again) fuzz::fail(kTarget, "to_json() of an accepted record is refused");
  if (run::to_json(*again).dump() != written) fuzz::fail(kTarget, "to_json() does not round-trip");
  return 0;
}
