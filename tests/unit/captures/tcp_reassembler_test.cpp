// Reassembly torture tests: each named case builds segments by hand (pure core, no I/O).
#include "captures/tcp_reassembler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace rsconform::captures {
namespace {

using testing::RecordingSink;
using testing::SegmentFactory;

constexpr Direction kFwd = Direction::forward;
constexpr Direction kRev = Direction::reverse;

const std::string kPayload = "The quick brown fox jumps over the lazy dog; BGP rides on TCP!";

// Splits the payload into chunks of `size` bytes, as segments at their stream offsets.
std::vector<TcpSegment> split(SegmentFactory& f, const std::string& text, std::size_t size,
                              Direction dir = kFwd) {
  std::vector<TcpSegment> out;
  for (std::size_t at = 0; at < text.size(); at += size) {
    out.push_back(f.seg(dir, at, text.substr(at, size)));
  }
  return out;
}

struct Reassembly : ::testing::Test {
  RecordingSink sink;
  SegmentFactory f;

  void handshake(TcpReassembler& r) {
    r.add(f.syn(kFwd));
    r.add(f.syn(kRev));
    r.add(f.seg(kFwd, 0, ""));
  }
};

TEST_F(Reassembly, InOrderBaseline) {
  TcpReassembler r(sink);
  handshake(r);
  for (const TcpSegment& s : split(f, kPayload, 7))
    r.add(s);
  r.add(f.seg(kRev, 0, "ok"));
  r.add(f.seg(kFwd, kPayload.size(), "", tcp_flag::kFin | tcp_flag::kAck));
  r.finish();

  ASSERT_EQ(sink.opened.size(), 1u);
  EXPECT_TRUE(sink.opened[0].initiator_known);
  EXPECT_EQ(sink.opened[0].endpoints[0].port, 40000);
  EXPECT_EQ(sender(sink.opened[0], kFwd).port, 40000);
  EXPECT_EQ(receiver(sink.opened[0], kFwd).port, 179);
  EXPECT_EQ(sender(sink.opened[0], kRev).port, 179);
  ASSERT_EQ(sink.starts.size(), 2u);
  EXPECT_EQ(sink.starts[0].how, StreamStart::syn);
  EXPECT_EQ(sink.starts[0].seq, f.client_isn);
  EXPECT_EQ(sink.stream(1, kFwd), kPayload);
  EXPECT_EQ(sink.stream(1, kRev), "ok");
  EXPECT_TRUE(sink.gaps.empty());
  EXPECT_TRUE(sink.conflicts.empty());
  ASSERT_EQ(sink.closes.size(), 2u);
  EXPECT_EQ(sink.closes[0].why, CloseReason::fin);
  EXPECT_EQ(sink.closes[0].length, kPayload.size());
  EXPECT_EQ(sink.closes[1].why, CloseReason::end_of_capture);
  EXPECT_TRUE(sink.expected_offset_ok);
  EXPECT_EQ(r.stats().bytes_delivered, kPayload.size() + 2);
}

TEST_F(Reassembly, Reordered) {
  TcpReassembler r(sink);
  handshake(r);
  std::vector<TcpSegment> segs = split(f, kPayload, 5);
  // A fixed permutation: swap neighbours, then move the first to the end.
  for (std::size_t i = 0; i + 1 < segs.size(); i += 2)
    std::swap(segs[i], segs[i + 1]);
  std::rotate(segs.begin(), segs.begin() + 1, segs.end());
  for (const TcpSegment& s : segs)
    r.add(s);
  r.finish();
  EXPECT_EQ(sink.stream(1, kFwd), kPayload);
  EXPECT_TRUE(sink.gaps.empty());
  EXPECT_TRUE(sink.conflicts.empty());
  EXPECT_TRUE(sink.expected_offset_ok);
}

TEST_F(Reassembly, Reversed) {
  TcpReassembler r(sink);
  handshake(r);
  std::vector<TcpSegment> segs = split(f, kPayload, 5);
  std::reverse(segs.begin(), segs.end());
  for (const TcpSegment& s : segs)
    r.add(s);
  // Nothing can be delivered before the first chunk arrives, last.
  EXPECT_EQ(sink.stream(1, kFwd), kPayload);
  r.finish();
  EXPECT_TRUE(sink.gaps.empty());
  // The buffered chunks are delivered with the packet that carried them.
  const auto& chunks = sink.chunks.at({1, kFwd});
  ASSERT_EQ(chunks.size(), segs.size());
  EXPECT_EQ(chunks[0].packet, segs.back().packet.number);
  EXPECT_EQ(chunks[1].packet, segs[segs.size() - 2].packet.number);
}

TEST_F(Reassembly, Duplicated) {
  TcpReassembler r(sink);
  handshake(r);
  for (const TcpSegment& s : split(f, kPayload, 6)) {
    r.add(s);
    r.add(s);
  }
  r.finish();
  EXPECT_EQ(sink.stream(1, kFwd), kPayload);
  EXPECT_TRUE(sink.conflicts.empty());
  EXPECT_EQ(r.stats().retransmitted_bytes, kPayload.size());
  EXPECT_EQ(r.stats().bytes_delivered, kPayload.size());
}

TEST_F(Reassembly, Overlapping) {
  TcpReassembler r(sink);
  handshake(r);
  // 10-byte segments every 4 bytes, sent back to front: every byte arrives two or three times.
  std::vector<TcpSegment> segs;
  for (std::size_t at = 0; at < kPayload.size(); at += 4) {
    segs.push_back(f.seg(kFwd, at, kPayload.substr(at, 10)));
  }
  std::reverse(segs.begin(), segs.end());
  for (const TcpSegment& s : segs)
    r.add(s);
  r.finish();
  EXPECT_EQ(sink.stream(1, kFwd), kPayload);
  EXPECT_TRUE(sink.conflicts.empty());
  EXPECT_TRUE(sink.gaps.empty());
  EXPECT_TRUE(sink.expected_offset_ok);
}

TEST_F(Reassembly, RetransmittedWithDifferentBytes) {
  TcpReassembler r(sink);
  handshake(r);
  r.add(f.seg(kFwd, 0, "hello world"));
  TcpSegment again = f.seg(kFwd, 4, "o WORLD");  // differs at offsets 6..10
  r.add(again);
  r.finish();
  EXPECT_EQ(sink.stream(1, kFwd), "hello world");  // the first copy wins
  ASSERT_EQ(sink.conflicts.size(), 1u);
  EXPECT_EQ(sink.conflicts[0].offset, 6u);
  EXPECT_EQ(sink.conflicts[0].length, 5u);
  EXPECT_EQ(sink.conflicts[0].packet, again.packet.number);
  EXPECT_EQ(r.stats().conflicts, 1u);
}

TEST_F(Reassembly, RetransmittedWithDifferentBytesWhileBuffered) {
  TcpReassembler r(sink);
  handshake(r);
  r.add(f.seg(kFwd, 10, "KLMNO"));         // arrives first, out of order
  r.add(f.seg(kFwd, 0, "abcdefghijklm"));  // covers 10..12 with different bytes
  r.add(f.seg(kFwd, 15, "p"));
  r.finish();
  EXPECT_EQ(sink.stream(1, kFwd), "abcdefghijKLMNOp");
  ASSERT_EQ(sink.conflicts.size(), 1u);
  EXPECT_EQ(sink.conflicts[0].offset, 10u);
  EXPECT_EQ(sink.conflicts[0].length, 3u);
  EXPECT_TRUE(sink.gaps.empty());
}

TEST_F(Reassembly, OneSegmentLost) {
  TcpReassembler r(sink);
  handshake(r);
  std::vector<TcpSegment> segs = split(f, kPayload, 5);
  segs.erase(segs.begin() + 3);  // bytes 15..19 never arrive
  for (const TcpSegment& s : segs)
    r.add(s);
  EXPECT_EQ(sink.stream(1, kFwd), kPayload.substr(0, 15));  // waiting for the hole
  r.finish();
  ASSERT_EQ(sink.gaps.size(), 1u);
  EXPECT_EQ(sink.gaps[0].offset, 15u);
  EXPECT_EQ(sink.gaps[0].length, 5u);
  EXPECT_EQ(sink.gaps[0].why, GapReason::end_of_capture);
  std::string expected = kPayload;
  expected.replace(15, 5, "?????");
  EXPECT_EQ(sink.stream(1, kFwd), expected);
  EXPECT_EQ(r.stats().gap_bytes, 5u);
  EXPECT_TRUE(sink.expected_offset_ok);
}

TEST_F(Reassembly, LostSegmentBeforeFinIsAGapAtFin) {
  TcpReassembler r(sink);
  handshake(r);
  r.add(f.seg(kFwd, 0, "0123"));
  r.add(f.seg(kFwd, 8, "89", tcp_flag::kAck | tcp_flag::kFin));  // 4..7 lost
  ASSERT_EQ(sink.gaps.size(), 1u);
  EXPECT_EQ(sink.gaps[0].offset, 4u);
  EXPECT_EQ(sink.gaps[0].length, 4u);
  EXPECT_EQ(sink.gaps[0].why, GapReason::fin);
  EXPECT_EQ(sink.stream(1, kFwd), "0123????89");
  ASSERT_EQ(sink.closes.size(), 1u);
  EXPECT_EQ(sink.closes[0].length, 10u);
}

TEST_F(Reassembly, BufferLimitSkipsTheHole) {
  ReassemblerConfig config;
  config.max_buffered_bytes = 8;
  TcpReassembler r(sink, config);
  handshake(r);
  r.add(f.seg(kFwd, 0, "aa"));
  r.add(f.seg(kFwd, 4, "eeee"));  // 2..3 missing; 4 bytes buffered
  EXPECT_TRUE(sink.gaps.empty());
  r.add(f.seg(kFwd, 8, "iiiii"));  // 9 buffered > 8: give up on the hole
  ASSERT_EQ(sink.gaps.size(), 1u);
  EXPECT_EQ(sink.gaps[0].offset, 2u);
  EXPECT_EQ(sink.gaps[0].length, 2u);
  EXPECT_EQ(sink.gaps[0].why, GapReason::buffer_limit);
  EXPECT_EQ(sink.stream(1, kFwd), "aa??eeeeiiiii");
  r.add(f.seg(kFwd, 2, "cc"));  // the late copy is a retransmission now, not data
  EXPECT_EQ(sink.stream(1, kFwd), "aa??eeeeiiiii");
  EXPECT_TRUE(sink.conflicts.empty());  // bytes inside a gap cannot be compared
}

TEST_F(Reassembly, StartsMidStream) {
  TcpReassembler r(sink);
  TcpSegment first = f.seg(kRev, 100, "world");  // the server's side, seen first
  r.add(first);
  r.add(f.seg(kFwd, 50, "hello"));
  r.add(f.seg(kRev, 95, "xxxxxworld!"));  // starts before the stream's start: head dropped
  r.finish();
  ASSERT_EQ(sink.opened.size(), 1u);
  EXPECT_FALSE(sink.opened[0].initiator_known);
  // The first sender seen becomes endpoints[0] (forward).
  EXPECT_EQ(sink.opened[0].endpoints[0].port, 179);
  ASSERT_EQ(sink.starts.size(), 2u);
  EXPECT_EQ(sink.starts[0].how, StreamStart::mid_stream);
  EXPECT_EQ(sink.starts[0].seq, first.seq);
  EXPECT_EQ(sink.stream(1, kFwd), "world!");
  EXPECT_EQ(sink.stream(1, kRev), "hello");
  EXPECT_TRUE(sink.conflicts.empty());
}

TEST_F(Reassembly, SynWithData) {
  TcpReassembler r(sink);
  TcpSegment syn = f.syn(kFwd);
  syn = f.seg(kFwd, 0, "early", tcp_flag::kSyn);
  syn.seq = f.client_isn;  // data after the SYN's own sequence number
  r.add(syn);
  r.add(f.syn(kRev));
  r.add(f.seg(kFwd, 5, " bird"));
  r.add(syn);  // retransmitted SYN with the same data: not a new connection
  r.finish();
  EXPECT_EQ(sink.opened.size(), 1u);
  EXPECT_EQ(sink.stream(1, kFwd), "early bird");
  EXPECT_TRUE(sink.conflicts.empty());
  EXPECT_EQ(sink.starts[0].how, StreamStart::syn);
}

TEST_F(Reassembly, SynDataThatIgnoresTheSynSequenceNumberIsRebased) {
  // Crafted captures (pmacct, traffic-reproducer) put SYN data at the SYN's own number and
  // continue at isn + length, one byte earlier than RFC 9293 says.
  TcpReassembler r(sink);
  TcpSegment syn = f.seg(kFwd, 0, "OPEN!", tcp_flag::kSyn);
  syn.seq = f.client_isn;
  r.add(syn);
  r.add(f.seg(kFwd, 4, "KEEP"));  // seq isn + 5: RFC would want isn + 6
  r.add(f.seg(kFwd, 8, "MORE"));
  r.finish();
  EXPECT_EQ(sink.stream(1, kFwd), "OPEN!KEEPMORE");
  EXPECT_TRUE(sink.conflicts.empty());
  EXPECT_EQ(r.stats().syn_data_rebased, 1u);
}

TEST_F(Reassembly, SynDataFollowedByAGenuineSegmentIsNotRebased) {
  TcpReassembler r(sink);
  TcpSegment syn = f.seg(kFwd, 0, "OPEN!", tcp_flag::kSyn);
  syn.seq = f.client_isn;
  r.add(syn);
  r.add(f.seg(kFwd, 5, "KEEP"));
  r.finish();
  EXPECT_EQ(sink.stream(1, kFwd), "OPEN!KEEP");
  EXPECT_EQ(r.stats().syn_data_rebased, 0u);
}

TEST_F(Reassembly, KeepaliveProbesAreNotConflicts) {
  TcpReassembler r(sink);
  handshake(r);
  r.add(f.seg(kFwd, 0, "abcd"));
  r.add(f.seg(kFwd, 3, std::string(1, '\0')));  // probe: one garbage byte at next - 1
  r.add(f.seg(kFwd, 3, std::string(1, '\0')));
  r.add(f.seg(kFwd, 4, "ef"));
  r.add(f.seg(kFwd, 4, "EF"));  // a real conflict is still caught
  r.finish();
  EXPECT_EQ(sink.stream(1, kFwd), "abcdef");
  EXPECT_EQ(r.stats().keepalive_probes, 2u);
  ASSERT_EQ(sink.conflicts.size(), 1u);
  EXPECT_EQ(sink.conflicts[0].offset, 4u);
}

TEST_F(Reassembly, SequenceWrap) {
  f.client_isn = 0xfffffff0u;  // offsets 15.. wrap past 2^32
  TcpReassembler r(sink);
  handshake(r);
  std::vector<TcpSegment> segs = split(f, kPayload, 4);
  std::swap(segs[3], segs[5]);  // reordered right across the wrap
  for (const TcpSegment& s : segs)
    r.add(s);
  r.add(segs[4]);  // and a retransmission across it
  r.add(f.seg(kFwd, kPayload.size(), "", tcp_flag::kFin | tcp_flag::kAck));
  EXPECT_EQ(sink.stream(1, kFwd), kPayload);
  EXPECT_TRUE(sink.gaps.empty());
  EXPECT_TRUE(sink.conflicts.empty());
  ASSERT_FALSE(sink.closes.empty());
  EXPECT_EQ(sink.closes[0].length, kPayload.size());
}

TEST_F(Reassembly, FinAndRst) {
  TcpReassembler r(sink);
  handshake(r);
  r.add(f.seg(kFwd, 0, "bye", tcp_flag::kAck | tcp_flag::kFin));
  ASSERT_EQ(sink.closes.size(), 1u);
  EXPECT_EQ(sink.closes[0].dir, kFwd);
  EXPECT_EQ(sink.closes[0].why, CloseReason::fin);
  EXPECT_EQ(sink.closes[0].length, 3u);
  r.add(f.seg(kFwd, 4, "late"));  // after FIN: ignored
  EXPECT_EQ(r.stats().after_close, 1u);
  r.add(f.seg(kRev, 0, "partial"));
  r.add(f.seg(kRev, 10, "buffered"));  // 7..9 missing
  r.add(f.seg(kRev, 18, "", tcp_flag::kRst));
  ASSERT_EQ(sink.closes.size(), 2u);
  EXPECT_EQ(sink.closes[1].dir, kRev);
  EXPECT_EQ(sink.closes[1].why, CloseReason::rst);
  ASSERT_EQ(sink.gaps.size(), 1u);
  EXPECT_EQ(sink.gaps[0].why, GapReason::rst);
  EXPECT_EQ(sink.gaps[0].offset, 7u);
  EXPECT_EQ(sink.gaps[0].length, 3u);
  EXPECT_EQ(sink.stream(1, kRev), "partial???buffered");
  r.finish();
  EXPECT_EQ(sink.closes.size(), 2u);  // nothing left to close
}

// A RST closes both directions; the reason says which side sent it.
TEST_F(Reassembly, RstNamesTheSideThatSentIt) {
  TcpReassembler r(sink);
  handshake(r);
  r.add(f.seg(kFwd, 0, "hello"));
  r.add(f.seg(kRev, 0, "partial"));
  r.add(f.seg(kRev, 7, "", tcp_flag::kRst));
  ASSERT_EQ(sink.closes.size(), 2u);
  EXPECT_EQ(sink.closes[0].dir, kRev);
  EXPECT_EQ(sink.closes[0].why, CloseReason::rst);
  EXPECT_EQ(sink.closes[1].dir, kFwd);
  EXPECT_EQ(sink.closes[1].why, CloseReason::peer_rst);
}

TEST_F(Reassembly, PortReuse) {
  TcpReassembler r(sink);
  handshake(r);
  r.add(f.seg(kFwd, 0, "first"));
  r.add(f.seg(kFwd, 5, "", tcp_flag::kAck | tcp_flag::kFin));
  r.add(f.seg(kRev, 0, "", tcp_flag::kAck | tcp_flag::kFin));
  // Same 4-tuple, new ISNs: a new connection.
  f.client_isn = 77777;
  f.server_isn = 88888;
  handshake(r);
  r.add(f.seg(kFwd, 0, "second"));
  r.finish();
  ASSERT_EQ(sink.opened.size(), 2u);
  EXPECT_EQ(sink.opened[1].id, 2u);
  EXPECT_EQ(sink.stream(1, kFwd), "first");
  EXPECT_EQ(sink.stream(2, kFwd), "second");
  EXPECT_EQ(r.stats().connections, 2u);
}

TEST_F(Reassembly, NewSynWhileOpenSupersedes) {
  TcpReassembler r(sink);
  handshake(r);
  r.add(f.seg(kFwd, 0, "ab"));
  r.add(f.seg(kFwd, 4, "ef"));  // hole at 2..3
  f.client_isn = 5;
  r.add(f.syn(kFwd));
  ASSERT_EQ(sink.opened.size(), 2u);
  ASSERT_EQ(sink.gaps.size(), 1u);
  EXPECT_EQ(sink.gaps[0].why, GapReason::superseded);
  EXPECT_EQ(sink.stream(1, kFwd), "ab??ef");
  EXPECT_EQ(sink.closes[0].why, CloseReason::superseded);
}

TEST_F(Reassembly, SnapLengthCutPayloadIsAGap) {
  TcpReassembler r(sink);
  handshake(r);
  TcpSegment cut = f.seg(kFwd, 0, "abc");
  cut.payload_wire_length = 10;  // 7 bytes not captured
  r.add(cut);
  r.add(f.seg(kFwd, 10, "kl"));
  ASSERT_EQ(sink.gaps.size(), 1u);
  EXPECT_EQ(sink.gaps[0].offset, 3u);
  EXPECT_EQ(sink.gaps[0].length, 7u);
  EXPECT_EQ(sink.gaps[0].why, GapReason::snap_length);
  EXPECT_EQ(sink.stream(1, kFwd), "abc???????kl");
}

TEST_F(Reassembly, AbsurdJumpIsOutOfWindow) {
  ReassemblerConfig config;
  config.max_jump = 1000;
  TcpReassembler r(sink, config);
  handshake(r);
  r.add(f.seg(kFwd, 5000, "far"));
  r.add(f.seg(kFwd, 0, "near"));
  r.finish();
  EXPECT_EQ(r.stats().out_of_window, 1u);
  EXPECT_EQ(sink.stream(1, kFwd), "near");
  EXPECT_TRUE(sink.gaps.empty());
}

TEST_F(Reassembly, ConflictCheckedOnlyWithinHistory) {
  ReassemblerConfig config;
  config.history_bytes = 8;
  TcpReassembler r(sink, config);
  handshake(r);
  r.add(f.seg(kFwd, 0, "0123456789abcdef"));  // only the last 8 bytes ("89abcdef") kept
  r.add(f.seg(kFwd, 0, "XXXXXXXXXXabcdeY"));  // differs at 0..9 (too old) and at 15
  r.finish();
  ASSERT_EQ(sink.conflicts.size(), 1u);
  EXPECT_EQ(sink.conflicts[0].offset, 8u);
  EXPECT_EQ(sink.conflicts[0].length, 8u);
}

TEST_F(Reassembly, ConflictAcrossTheHistoryRingWrap) {
  ReassemblerConfig config;
  config.history_bytes = 8;
  TcpReassembler r(sink, config);
  handshake(r);
  r.add(f.seg(kFwd, 0, "012345"));
  r.add(f.seg(kFwd, 6, "6789"));  // the ring wraps between offsets 7 and 8
  r.add(f.seg(kFwd, 5, "5678Z"));
  r.finish();
  ASSERT_EQ(sink.conflicts.size(), 1u);
  EXPECT_EQ(sink.conflicts[0].offset, 9u);
  EXPECT_EQ(sink.conflicts[0].length, 1u);
}

TEST_F(Reassembly, LoneRstForUnknownConnectionIsIgnored) {
  TcpReassembler r(sink);
  r.add(f.seg(kFwd, 0, "", tcp_flag::kRst));
  r.finish();
  EXPECT_TRUE(sink.opened.empty());
  EXPECT_EQ(r.stats().ignored, 1u);
}

}  // namespace
}  // namespace rsconform::captures
