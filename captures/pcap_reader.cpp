#include "captures/pcap_reader.hpp"

#include "captures/pcap_record_source.hpp"
#include "captures/pcapng_source.hpp"

#include <pcap/pcap.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#ifdef RSCONFORM_CAPTURES_HAVE_ZLIB
#include <zlib.h>
#endif

namespace rsconform::captures {
namespace {

pcap_t* as_pcap(void* handle) {
  return static_cast<pcap_t*>(handle);
}

[[noreturn]] void open_failed(const std::string& file, std::string message) {
  throw CaptureOpenError(CaptureError{file, 0, std::move(message)});
}

#ifdef RSCONFORM_CAPTURES_HAVE_ZLIB
// A stdio stream over a gzip file, so that libpcap reads it like any other FILE*.
ssize_t gz_read(void* cookie, char* buf, std::size_t size) {
  unsigned chunk = size > (1u << 30) ? (1u << 30) : static_cast<unsigned>(size);
  int n = gzread(static_cast<gzFile>(cookie), buf, chunk);
  return n < 0 ? -1 : n;
}
int gz_close(void* cookie) {
  return gzclose(static_cast<gzFile>(cookie)) == Z_OK ? 0 : EOF;
}

std::FILE* open_gzip(const std::string& path) {
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) open_failed(path, std::string("cannot open: ") + std::strerror(errno));
  gzbuffer(gz, 1u << 17);
  cookie_io_functions_t io{};
  io.read = gz_read;
  io.close = gz_close;
  std::FILE* f = fopencookie(gz, "rb", io);
  if (f == nullptr) {
    gzclose(gz);
    open_failed(path, "cannot create a stream over the gzip file");
  }
  return f;
}
#endif

bool starts_with_gzip_magic(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) open_failed(path, std::string("cannot open: ") + std::strerror(errno));
  unsigned char magic[2] = {};
  std::size_t n = std::fread(magic, 1, 2, f);
  std::fclose(f);
  return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

std::FILE* open_stream(const std::string& path, bool gzip) {
#ifdef RSCONFORM_CAPTURES_HAVE_ZLIB
  if (gzip) return open_gzip(path);
#else
  if (gzip) open_failed(path, "gzip-compressed capture, but this build has no zlib");
#endif
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) open_failed(path, std::string("cannot open: ") + std::strerror(errno));
  return f;
}

constexpr unsigned char kPcapngMagic[4] = {0x0a, 0x0d, 0x0d, 0x0a};

// Reads the first 4 bytes and rewinds (reopening streams that cannot seek, such as gzip).
std::array<unsigned char, 4> read_magic(std::FILE*& f, const std::string& path, bool gzip) {
  std::array<unsigned char, 4> magic{};
  std::size_t n = std::fread(magic.data(), 1, 4, f);
  if (n != 4) magic = {};
  if (std::fseek(f, 0, SEEK_SET) != 0) {
    std::fclose(f);
    f = open_stream(path, gzip);
  }
  return magic;
}

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
  if (packet_number != 0) s += "packet " + std::to_string(packet_number) + ": ";
  return s + message;
}

CaptureOpenError::CaptureOpenError(CaptureError error)
    : std::runtime_error(error.to_string()), error_(std::move(error)) {}

bool gzip_supported() {
#ifdef RSCONFORM_CAPTURES_HAVE_ZLIB
  return true;
#else
  return false;
#endif
}

PcapReader PcapReader::open(const std::string& path) {
  bool gzip = starts_with_gzip_magic(path);
  std::FILE* f = open_stream(path, gzip);
  return PcapReader(f, path, gzip);
}

PcapReader PcapReader::open_memory(ByteView bytes, const std::string& name) {
  if (bytes.empty()) open_failed(name, "empty capture");
  // fmemopen wants a mutable pointer; in "rb" mode it never writes.
  std::FILE* f = fmemopen(const_cast<std::uint8_t*>(bytes.data()), bytes.size(), "rb");
  if (f == nullptr) open_failed(name, std::string("fmemopen: ") + std::strerror(errno));
  return PcapReader(f, name, false);
}

// Takes ownership of `stream` (closed on failure too).
PcapReader::PcapReader(std::FILE* stream, std::string name, bool gzip)
    : name_(std::move(name)), gzip_(gzip) {
  std::array<unsigned char, 4> magic = read_magic(stream, name_, gzip);
  if (std::memcmp(magic.data(), kPcapngMagic, 4) == 0) {
    ng_ = std::make_unique<detail::PcapngSource>(stream);
    std::string error;
    if (!ng_->read_header(error)) open_failed(name_, error);
    link_type_ = ng_->first_link_type();
    snaplen_ = ng_->first_snaplen();
    return;
  }
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_fopen_offline_with_tstamp_precision(stream, PCAP_TSTAMP_PRECISION_NANO, err);
  if (p == nullptr) {
    std::fclose(stream);
    open_failed(name_, err);
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
      return false;
    case Source::Result::error:
      error_ = CaptureError{name_, packets_read_ + 1, message};
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
    out.timestamp_ns = static_cast<TimestampNs>(header->ts.tv_sec) * 1'000'000'000 +
                       static_cast<TimestampNs>(header->ts.tv_usec);
    out.caplen = header->caplen;
    out.len = header->len;
    out.link_type = link_type_;
    out.interface_id = 0;
    out.data = ByteView(data, header->caplen);
    return true;
  }
  if (rc == PCAP_ERROR_BREAK) return false;  // clean end of file
  error_ = CaptureError{name_, packets_read_ + 1, pcap_geterr(as_pcap(handle_))};
  return false;
}

}  // namespace rsconform::captures
