#include "captures/pcap_reader.hpp"

#include "captures/pcap_record_source.hpp"
#include "captures/pcapng_source.hpp"

#include <pcap/pcap.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include <zlib.h>

namespace rsconform::captures {
namespace {

pcap_t* as_pcap(void* handle) {
  return static_cast<pcap_t*>(handle);
}

[[noreturn]] void open_failed(const std::string& file, std::string message) {
  throw CaptureOpenError(CaptureError{file, 0, std::move(message), "packet"});
}

// A stdio stream over a gzip file, so that libpcap reads it like any other FILE*. stdio
// carries no reason for a failed read: zlib's is kept here.
struct GzipStream {
  gzFile gz = nullptr;
  std::string path;
  std::string error;  // "gzip: invalid block type at decompressed byte 40 (compressed byte 52)"
};
ssize_t gz_read(void* cookie, char* buf, std::size_t size) {
  auto* stream = static_cast<GzipStream*>(cookie);
  unsigned chunk = size > (1u << 30) ? (1u << 30) : static_cast<unsigned>(size);
  int n = gzread(stream->gz, buf, chunk);
  int code = Z_OK;
  std::string message = gzerror(stream->gz, &code);
  // A cut file ends the data with Z_BUF_ERROR, which gzread itself does not report.
  if (n > 0 || code == Z_OK) return n;
  // zlib's message starts with the file's name, which the reader's errors already give.
  if (message.rfind(stream->path + ": ", 0) == 0) message.erase(0, stream->path.size() + 2);
  stream->error = "gzip: " + message + " at decompressed byte " +
                  std::to_string(gztell(stream->gz)) + " (compressed byte " +
                  std::to_string(gzoffset(stream->gz)) + ")";
  if (n == 0) return 0;  // the end, cut short: the reader sees a truncated capture
  errno = EIO;
  return -1;
}
int gz_close(void* cookie) {
  auto* stream = static_cast<GzipStream*>(cookie);
  const int rc = gzclose(stream->gz);
  delete stream;
  return rc == Z_OK ? 0 : EOF;
}

// `error` is set to where the stream keeps zlib's reason for a failed read.
std::FILE* open_gzip(const std::string& path, const std::string*& error) {
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) open_failed(path, std::string("cannot open: ") + std::strerror(errno));
  gzbuffer(gz, 1u << 17);
  auto* stream = new GzipStream{gz, path, {}};
  cookie_io_functions_t io{};
  io.read = gz_read;
  io.close = gz_close;
  std::FILE* f = fopencookie(stream, "rb", io);
  if (f == nullptr) {
    gzclose(gz);
    delete stream;
    open_failed(path, "cannot create a stream over the gzip file");
  }
  error = &stream->error;
  return f;
}

std::FILE* open_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) open_failed(path, std::string("cannot open: ") + std::strerror(errno));
  return f;
}

// A stream that gives back bytes already read from `rest`, then the rest of it: how input that
// cannot seek (a pipe) is read from its start once its magic number has been looked at.
struct Replay {
  std::array<unsigned char, 4> head{};
  std::size_t size = 0;
  std::size_t at = 0;
  std::FILE* rest = nullptr;
};
ssize_t replay_read(void* cookie, char* buf, std::size_t n) {
  auto* r = static_cast<Replay*>(cookie);
  std::size_t done = 0;
  for (; r->at < r->size && done < n; ++done)
    buf[done] = static_cast<char>(r->head[r->at++]);
  if (done < n) done += std::fread(buf + done, 1, n - done, r->rest);
  if (done == 0 && std::ferror(r->rest)) return -1;
  return static_cast<ssize_t>(done);
}
int replay_close(void* cookie) {
  auto* r = static_cast<Replay*>(cookie);
  int rc = std::fclose(r->rest);
  delete r;
  return rc;
}

// Reads the first 4 bytes (fewer in a shorter file) and leaves `f` at the start again: rewound
// when it can seek, otherwise replaced by a stream that replays them.
std::array<unsigned char, 4> peek_magic(std::FILE*& f, const std::string& name) {
  std::array<unsigned char, 4> magic{};
  std::size_t n = std::fread(magic.data(), 1, 4, f);
  if (std::fseek(f, 0, SEEK_SET) == 0) return magic;
  auto* replay = new Replay{magic, n, 0, f};
  cookie_io_functions_t io{};
  io.read = replay_read;
  io.close = replay_close;
  std::FILE* again = fopencookie(replay, "rb", io);
  if (again == nullptr) {
    std::fclose(f);
    delete replay;
    open_failed(name, "cannot create a stream over the input");
  }
  f = again;
  return magic;
}

constexpr unsigned char kPcapngMagic[4] = {0x0a, 0x0d, 0x0d, 0x0a};

// The classic pcap magic numbers whose records have the plain 16-byte header; `nanosecond`
// tells the timestamp unit. Other variants (e.g. Kuznetzov's) stay with libpcap.
bool plain_pcap_magic(const std::array<unsigned char, 4>& magic, bool& nanosecond) {
  std::uint32_t big = (std::uint32_t{magic[0]} << 24) | (std::uint32_t{magic[1]} << 16) |
                      (std::uint32_t{magic[2]} << 8) | magic[3];
  std::uint32_t little = __builtin_bswap32(big);
  for (std::uint32_t m : {big, little}) {
    if (m == 0xa1b2c3d4) nanosecond = false;
    if (m == 0xa1b23c4d) nanosecond = true;
    if (m == 0xa1b2c3d4 || m == 0xa1b23c4d) return true;
  }
  return false;
}

}  // namespace

std::string CaptureError::to_string() const {
  std::string s = file + ": ";
  if (packet_number != 0) s += std::string(unit) + " " + std::to_string(packet_number) + ": ";
  return s + message;
}

CaptureOpenError::CaptureOpenError(CaptureError error)
    : std::runtime_error(error.to_string()), error_(std::move(error)) {}

PcapReader PcapReader::open(const std::string& path) {
  std::FILE* f = open_file(path);
  std::FILE* opened = f;
  std::array<unsigned char, 4> magic = peek_magic(f, path);
  bool gzip = magic[0] == 0x1f && magic[1] == 0x8b;
  if (!gzip) return PcapReader(f, path, false);
  // zlib reads the file itself, by name: input that could not be rewound cannot be read twice.
  bool seekable = f == opened;
  std::fclose(f);
  if (!seekable)
    open_failed(path,
                "gzip-compressed input that cannot be read twice (a pipe?): decompress it first, "
                "e.g. zcat FILE | rsconform decode /dev/stdin");
  const std::string* stream_error = nullptr;
  std::FILE* gz = open_gzip(path, stream_error);
  return PcapReader(gz, path, true, stream_error);
}

PcapReader PcapReader::open_memory(ByteView bytes, const std::string& name) {
  if (bytes.empty()) open_failed(name, "empty capture");
  // fmemopen wants a mutable pointer; in "rb" mode it never writes.
  std::FILE* f = fmemopen(const_cast<std::uint8_t*>(bytes.data()), bytes.size(), "rb");
  if (f == nullptr) open_failed(name, std::string("fmemopen: ") + std::strerror(errno));
  return PcapReader(f, name, false);
}

// Takes ownership of `stream` (closed on failure too).
PcapReader::PcapReader(std::FILE* stream, std::string name, bool gzip,
                       const std::string* stream_error)
    : name_(std::move(name)), gzip_(gzip), stream_error_(stream_error) {
  std::array<unsigned char, 4> magic = peek_magic(stream, name_);
  if (std::memcmp(magic.data(), kPcapngMagic, 4) == 0) {
    ng_ = std::make_unique<detail::PcapngSource>(stream);
    std::string error;
    if (!ng_->read_header(error)) open_failed(name_, explained(error));
    link_type_ = ng_->first_link_type();
    snaplen_ = ng_->first_snaplen();
    return;
  }
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_fopen_offline_with_tstamp_precision(stream, PCAP_TSTAMP_PRECISION_NANO, err);
  if (p == nullptr) {
    std::string message = explained(err);
    std::fclose(stream);
    open_failed(name_, message);
  }
  handle_ = p;
  link_type_ = static_cast<std::uint32_t>(pcap_datalink(p));
  snaplen_ = static_cast<std::uint32_t>(pcap_snapshot(p));
  bool nanosecond = false;
  bool swapped = pcap_is_swapped(p) == 1;
  if (plain_pcap_magic(magic, nanosecond) && detail::record_source_handles(link_type_, swapped)) {
    detail::PcapRecordSource::Format format;
    format.swapped = swapped;
    format.nanosecond = nanosecond;
    format.snaplen = snaplen_;
    format.link_type = link_type_;
    records_ = std::make_unique<detail::PcapRecordSource>(pcap_file(p), format);
  }
}

PcapReader::PcapReader(PcapReader&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)),
      records_(std::move(other.records_)),
      ng_(std::move(other.ng_)),
      name_(std::move(other.name_)),
      gzip_(other.gzip_),
      stream_error_(other.stream_error_),
      link_type_(other.link_type_),
      snaplen_(other.snaplen_),
      packets_read_(other.packets_read_),
      error_(std::move(other.error_)) {}

PcapReader& PcapReader::operator=(PcapReader&& other) noexcept {
  if (this != &other) {
    records_.reset();
    if (handle_ != nullptr) pcap_close(as_pcap(handle_));
    handle_ = std::exchange(other.handle_, nullptr);
    records_ = std::move(other.records_);
    ng_ = std::move(other.ng_);
    name_ = std::move(other.name_);
    gzip_ = other.gzip_;
    stream_error_ = other.stream_error_;
    link_type_ = other.link_type_;
    snaplen_ = other.snaplen_;
    packets_read_ = other.packets_read_;
    error_ = std::move(other.error_);
  }
  return *this;
}

PcapReader::~PcapReader() {
  records_.reset();  // before the stream it reads is closed
  if (handle_ != nullptr) pcap_close(as_pcap(handle_));
}

template <class Source>
bool PcapReader::next_from(Source& source, RawPacket& out) {
  std::string message;
  switch (source.next(out, packets_read_ + 1, message)) {
    case Source::Result::packet:
      ++packets_read_;
      return true;
    case Source::Result::end:
      return at_end();
    case Source::Result::error:
      error_ = CaptureError{name_, packets_read_ + 1, explained(message), "packet"};
      return false;
  }
  return false;
}

bool PcapReader::next(RawPacket& out) {
  if (error_) return false;
  if (ng_ != nullptr) return next_from(*ng_, out);
  if (handle_ == nullptr) return false;
  if (records_ != nullptr) return next_from(*records_, out);
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int rc = pcap_next_ex(as_pcap(handle_), &header, &data);
  if (rc == 1) {
    ++packets_read_;
    out.number = packets_read_;
    // Opened with nanosecond precision: tv_usec holds nanoseconds.
    out.timestamp_ns = static_cast<wire::Nanos>(header->ts.tv_sec) * 1'000'000'000 +
                       static_cast<wire::Nanos>(header->ts.tv_usec);
    out.caplen = header->caplen;
    out.len = header->len;
    out.link_type = link_type_;
    out.interface_id = 0;
    out.data = ByteView(data, header->caplen);
    return true;
  }
  if (rc == PCAP_ERROR_BREAK) return at_end();  // clean end of file
  error_ =
      CaptureError{name_, packets_read_ + 1, explained(pcap_geterr(as_pcap(handle_))), "packet"};
  return false;
}

bool PcapReader::at_end() {
  // A gzip file cut between two records ends cleanly for the record reader.
  if (stream_error_ != nullptr && !stream_error_->empty())
    error_ = CaptureError{name_, packets_read_ + 1, *stream_error_, "packet"};
  return false;
}

std::string PcapReader::explained(std::string message) const {
  if (stream_error_ != nullptr && !stream_error_->empty()) return *stream_error_;
  return message;
}

}  // namespace rsconform::captures
