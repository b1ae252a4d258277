// TEMPORARY link stubs for the UPDATE half of the codec. The engineer
// implementing update.cpp / attributes / prefixes / communities deletes this file.
#include <stdexcept>

#include "wire/detail.hpp"

namespace rsconform::wire {
[[noreturn]] static void todo(const char* what) {
  throw std::logic_error(what);
}
std::size_t AsPath::selection_length() const {
  todo("AsPath::selection_length");
}
bool AsPath::contains(std::uint32_t) const {
  todo("AsPath::contains");
}
std::string AsPath::to_string() const {
  todo("AsPath::to_string");
}
AsPath AsPath::sequence(std::vector<std::uint32_t>) {
  todo("AsPath::sequence");
}
std::string community::to_string(std::uint32_t) {
  todo("community::to_string");
}
std::optional<std::uint32_t> community::parse(std::string_view) {
  todo("community::parse");
}
const PathAttribute* Update::find(AttrType) const {
  todo("Update::find");
}
std::optional<AfiSafi> Update::end_of_rib() const {
  todo("Update::end_of_rib");
}
ErrorAction decode_update_body(ByteView, const DecodeContext&, Update&, std::vector<DecodeError>&,
                               std::size_t) {
  todo("decode_update_body");
}
std::vector<FamilyPrefix> withdrawn_by_error(const Update&) {
  todo("withdrawn_by_error");
}
namespace detail {
void decode_prefixes(ByteReader&, IpAddress::Family, bool, std::vector<Prefix>&) {
  todo("decode_prefixes");
}
void encode_prefix(ByteWriter&, const Prefix&) {
  todo("encode_prefix");
}
void encode_update_body(ByteWriter&, const Update&, const DecodeContext&, const EncodeOptions&) {
  todo("encode_update_body");
}
std::string update_to_text(const Update&) {
  todo("update_to_text");
}
}  // namespace detail
}  // namespace rsconform::wire
