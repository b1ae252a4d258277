// RFC 6793: the true AS path and aggregator of a route received from (or
// through) a speaker that only handles 2-octet AS numbers.
#pragma once

#include <optional>

#include "wire/codec.hpp"
#include "wire/message.hpp"

namespace rsconform::wire {

// RFC 6793 section 4.2.3: merges AS_PATH (2-octet, AS_TRANS in place of large
// ASNs) with AS4_PATH. AS4_PATH is ignored when it is longer than AS_PATH
// (counted as for selection, confederation segments excluded); otherwise the
// result is the leading AS_PATH part that AS4_PATH does not cover, then AS4_PATH.
AsPath reconstruct_as_path(const AsPath& as_path, const AsPath* as4_path);

// The aggregator to use (RFC 6793 section 4.2.3): when AGGREGATOR carries
// AS_TRANS and AS4_AGGREGATOR is present, AS4_AGGREGATOR's value; when
// AGGREGATOR carries another ASN, AS4_AGGREGATOR and AS4_PATH are ignored.
std::optional<AggregatorAttr> effective_aggregator(const Update& update);

// The AS path a receiver acts on. With 4-octet ASNs negotiated it is AS_PATH
// (AS4_PATH is ignored). Otherwise AS_PATH merged with AS4_PATH, unless the
// AGGREGATOR holds a non-AS_TRANS ASN alongside an AS4_AGGREGATOR, in which
// case AS4_PATH is ignored too. Empty when the UPDATE has no AS_PATH.
AsPath effective_as_path(const Update& update, const DecodeContext& context);

}  // namespace rsconform::wire
