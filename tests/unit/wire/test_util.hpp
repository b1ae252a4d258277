// Helpers shared by the codec tests.
#pragma once

#include <string>
#include <string_view>

#include "wire/bytes.hpp"

namespace rsconform::wire::test {

// "ffff 00:1a" -> bytes; ignores spaces, ':' and '-'. Throws on odd digits.
Bytes from_hex(std::string_view hex);
std::string to_hex(ByteView bytes);
// 16 x 0xFF, the length and the type, then `body`.
Bytes with_header(std::uint8_t type, const Bytes& body);
// A file under ../shared (RSCONFORM_SHARED_DIR), e.g. "corpus/public/exabgp".
std::string shared_path(std::string_view relative);

}  // namespace rsconform::wire::test
