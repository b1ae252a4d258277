// The shared rule of the text-input targets: any bytes as a named input file,
// read by `parse`. A refusal must be a jsonio::InputError whose what() names
// the file and the line:column; anything else escaping (another exception, a
// crash, a sanitizer report, a hang) is a finding.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "json/document.hpp"

namespace rsconform::fuzz {

[[noreturn]] inline void fail(const char* target, const char* what) {
  std::fprintf(stderr, "%s: %s\n", target, what);
  std::abort();
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The name every target gives its input.
inline constexpr const char* kFile = "fuzz.json";

// parse(text), or nullopt when it refused the text the one allowed way.
template <typename Parse>
auto read(const char* target, std::string_view text, Parse parse)
    -> std::optional<decltype(parse(text))> {
  try {
    return parse(text);
  } catch (const jsonio::InputError& e) {
    if (std::string_view(e.what()).rfind(std::string(kFile) + ":", 0) != 0)
      fail(target, "an InputError that does not name the file");
    return std::nullopt;
  }
}

}  // namespace rsconform::fuzz
