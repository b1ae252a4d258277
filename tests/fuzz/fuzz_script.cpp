// libFuzzer target: any bytes as a fake-speaker script (speakers::parse_script),
// then the UPDATE every announce step would send.
#include "fuzz_input.hpp"
#include "speakers/script/script.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rsconform;
  auto script = fuzz::read("fuzz_script", fuzz::as_text(data, size), [](std::string_view text) {
    return speakers::parse_script(text, fuzz::kFile);
  });
  if (!script) return 0;
  const wire::IpAddress own = *wire::IpAddress::parse("127.0.0.1");
  for (const auto& step : script->steps)
    if (step.kind == speakers::StepKind::announce)
      speakers::build_announce(step.prefixes, step.attributes, 65001, false, own);
  return 0;
}
