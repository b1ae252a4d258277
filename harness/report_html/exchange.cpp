#include "report_html/exchange.hpp"

#include <cstdio>

#include "analysis/capture_analysis.hpp"
#include "captures/pcap_reader.hpp"
#include "wire/json.hpp"

namespace rsconform::report_html {
namespace {

MessageKind kind_of(std::uint8_t type) {
  switch (type) {
    case 1:
      return MessageKind::open;
    case 2:
      return MessageKind::update;
    case 3:
      return MessageKind::notification;
    case 4:
      return MessageKind::keepalive;
    case 5:
      return MessageKind::route_refresh;
    default:
      return MessageKind::other;
  }
}

// The one-line label of a message (also for one that could not be decoded).
std::string label_of(const captures::BgpMessageEvent& event, std::uint64_t& announced,
                     std::uint64_t& withdrawn) {
  const wire::Message* m = event.message;
  if (m == nullptr) return "type " + std::to_string(event.type) + " (not decoded)";
  if (const auto* open = std::get_if<wire::Open>(m))
    return "OPEN AS" + std::to_string(open->effective_as()) + " hold " +
           std::to_string(open->hold_time) + " id " + open->bgp_id.to_string();
  if (const auto* update = std::get_if<wire::Update>(m)) {
    announced = update->nlri.size();
    withdrawn = update->withdrawn.size();
    if (update->end_of_rib()) return "UPDATE End-of-RIB";
    std::string text = "UPDATE +" + std::to_string(announced) + " -" + std::to_string(withdrawn);
    if (announced == 1) text += " " + update->nlri.front().to_string();
    if (announced == 0 && withdrawn == 1) text += " " + update->withdrawn.front().to_string();
    return text;
  }
  if (const auto* n = std::get_if<wire::Notification>(m))
    return "NOTIFICATION " + std::to_string(n->code) + "/" + std::to_string(n->subcode) + " " +
           n->code_name() + " / " + n->subcode_name();
  if (std::holds_alternative<wire::Keepalive>(*m)) return "KEEPALIVE";
  return "ROUTE-REFRESH";
}

}  // namespace

const char* to_string(MessageKind kind) {
  switch (kind) {
    case MessageKind::open:
      return "open";
    case MessageKind::update:
      return "update";
    case MessageKind::notification:
      return "notification";
    case MessageKind::keepalive:
      return "keepalive";
    case MessageKind::route_refresh:
      return "route-refresh";
    case MessageKind::other:
      break;
  }
  return "other";
}

std::string Lane::title() const {
  return name.empty() ? address : name + " (" + address + ")";
}

Ladder ladder(const std::vector<MessageRecord>& messages, const LadderLimits& limits) {
  // Pass 1: the run of consecutive UPDATEs each UPDATE belongs to, per direction.
  constexpr std::size_t kNoRun = static_cast<std::size_t>(-1);
  std::vector<std::size_t> run_of(messages.size(), kNoRun);
  std::vector<std::size_t> run_size;
  std::map<std::pair<std::size_t, std::size_t>, std::size_t> open_run;  // direction -> run
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto& m = messages[i];
    const auto direction = std::make_pair(m.from, m.to);
    if (m.kind != MessageKind::update) {
      open_run.erase(direction);
      continue;
    }
    auto it = open_run.find(direction);
    if (it == open_run.end()) {
      it = open_run.emplace(direction, run_size.size()).first;
      run_size.push_back(0);
    }
    run_of[i] = it->second;
    ++run_size[it->second];
  }
  // Pass 2: runs long enough become one band, placed at their first message.
  Ladder out;
  std::map<std::size_t, std::size_t> band_arrow;  // run -> index into out.arrows
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto& m = messages[i];
    const bool banded = run_of[i] != kNoRun && run_size[run_of[i]] >= limits.band_from;
    if (banded) {
      if (auto b = band_arrow.find(run_of[i]); b != band_arrow.end()) {
        if (b->second == kNoRun) continue;  // its band was left out
        Arrow& a = out.arrows[b->second];
        ++a.count;
        a.last_t = m.t;
        a.last_packet = m.packet;
        a.announced += m.announced;
        a.withdrawn += m.withdrawn;
        a.label = "UPDATE x " + std::to_string(a.count);
        continue;
      }
    }
    if (out.arrows.size() >= limits.max_arrows) {
      ++out.arrows_left_out;
      if (banded) band_arrow[run_of[i]] = kNoRun;
      continue;
    }
    if (banded) band_arrow[run_of[i]] = out.arrows.size();
    Arrow a;
    a.from = m.from;
    a.to = m.to;
    a.kind = m.kind;
    a.first_t = a.last_t = m.t;
    a.first_packet = a.last_packet = m.packet;
    a.announced = m.announced;
    a.withdrawn = m.withdrawn;
    a.label = m.label;
    a.first_message = i;
    out.arrows.push_back(std::move(a));
  }
  return out;
}

ExchangeRecorder::ExchangeRecorder(ExchangeOptions options) : options_(std::move(options)) {
  for (const auto& [address, name] : options_.names)
    if (!lane_of_.contains(address)) {
      lane_of_[address] = exchange_.lanes.size();
      exchange_.lanes.push_back({address, name});
    }
  std::map<std::string, std::string> address_of;
  for (const auto& [address, name] : options_.names)
    address_of[name] = address;
  for (const auto& [from, to, prefix] : options_.expected) {
    if (!address_of.contains(from) || !address_of.contains(to)) {
      ++exchange_.arrivals_unplaced;  // no address for a name: its arrival cannot be timed
      continue;
    }
    const auto key = std::make_tuple(address_of[from], address_of[to], prefix);
    if (wanted_.contains(key)) continue;
    wanted_[key] = exchange_.arrivals.size();
    exchange_.arrivals.push_back({from, to, prefix, std::nullopt});
  }
}

std::size_t ExchangeRecorder::lane(const wire::IpAddress& address) {
  const std::string text = address.to_string();
  auto [it, added] = lane_of_.emplace(text, exchange_.lanes.size());
  if (added) exchange_.lanes.push_back({text, ""});
  return it->second;
}

void ExchangeRecorder::on_message(const captures::BgpMessageEvent& event) {
  if (!origin_) origin_ = event.packet.timestamp_ns;
  MessageRecord m;
  m.t = static_cast<double>(event.packet.timestamp_ns - *origin_) / 1e9;
  m.packet = event.packet.number;
  const auto& from = captures::sender(*event.connection, event.direction).address;
  const auto& to = captures::receiver(*event.connection, event.direction).address;
  m.from = lane(from);
  m.to = lane(to);
  m.kind = kind_of(event.type);
  m.label = label_of(event, m.announced, m.withdrawn);
  if (exchange_.messages.size() < options_.max_details && event.message != nullptr) {
    std::string detail = wire::to_json(*event.message).dump(1);
    if (detail.size() > options_.max_detail_chars) {
      detail.resize(options_.max_detail_chars);
      detail += "\n... (cut; rsconform decode --format json shows it whole)";
    }
    m.detail = std::move(detail);
  } else {
    ++exchange_.details_left_out;
  }
  if (!wanted_.empty())
    if (const auto* update = event.message ? std::get_if<wire::Update>(event.message) : nullptr) {
      const std::string from_text = exchange_.lanes[m.from].address;
      const std::string to_text = exchange_.lanes[m.to].address;
      for (const auto& prefix : update->nlri) {
        auto it = wanted_.find(std::make_tuple(from_text, to_text, prefix.to_string()));
        if (it != wanted_.end() && !exchange_.arrivals[it->second].t)
          exchange_.arrivals[it->second].t = m.t;
      }
    }
  exchange_.duration = m.t;
  exchange_.messages.push_back(std::move(m));
}

Exchange ExchangeRecorder::finish() {
  return std::move(exchange_);
}

Exchange read_exchange(const std::string& path, const std::set<std::uint16_t>& ports,
                       const ExchangeOptions& options) {
  ExchangeRecorder recorder(options);
  analysis::AnalysisOptions read;
  read.ports = ports;
  bool first = true;
  read.on_packet = [&](const captures::RawPacket& p) {
    if (first) recorder.set_origin(p.timestamp_ns);
    first = false;
  };
  std::optional<std::string> problem;
  try {
    auto result = analysis::analyse_capture(path, read, recorder);
    if (result.read_error) problem = result.read_error->to_string();
  } catch (const captures::CaptureOpenError& e) {
    problem = e.what();
  }
  Exchange exchange = recorder.finish();
  exchange.capture = path;
  exchange.problem = problem;
  return exchange;
}

}  // namespace rsconform::report_html
