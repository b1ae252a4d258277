#include "daemon_exchange.hpp"

#include "tests/support/io_wait.hpp"

#include <cstdio>
#include <stdexcept>

namespace rsconform::testing {

wire::IpAddress ip(const char* text) {
  auto a = wire::IpAddress::parse(text);
  if (!a) throw std::invalid_argument(std::string("not an address: ") + text);
  return *a;
}

wire::Prefix pfx(const char* text) {
  auto p = wire::Prefix::parse(text);
  if (!p) throw std::invalid_argument(std::string("not a prefix: ") + text);
  return *p;
}

std::string fill(const std::string& text, const std::map<std::string, std::string>& vars) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t open = text.find("${", pos);
    if (open == std::string::npos) break;
    const std::size_t close = text.find('}', open);
    if (close == std::string::npos) throw std::invalid_argument("unterminated ${ in a script");
    const std::string name = text.substr(open + 2, close - open - 2);
    auto it = vars.find(name);
    if (it == vars.end()) throw std::invalid_argument("no value for ${" + name + "} in a script");
    out.append(text, pos, open - pos);
    out += it->second;
    pos = close + 1;
  }
  out.append(text, pos, std::string::npos);
  return out;
}

std::string nva_clients_script(std::size_t count, const std::string& steps) {
  std::string speakers;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string name(1, static_cast<char>('a' + i));
    speakers += std::string(i ? ",\n" : "") + R"(    {"role": "nva", "instance": )" +
                std::to_string(i + 1) + R"(, "name": ")" + name + R"(", "address": "${)" + name +
                R"(}", "attribute_address": "${)" + name + R"(}", "restart_ms": 600000,
     "peers": [{"name": "rs", "address": "${rs}", "port": ${port}, "as": 65515, "mode": "active"}]})";
  }
  return "{\n  \"speakers\": [\n" + speakers + "\n  ],\n  \"steps\": [" + steps + "]}";
}

std::unique_ptr<captures::LiveCapture> start_live_capture(
    const captures::LiveCaptureOptions& options) {
  try {
    return captures::LiveCapture::start(options);
  } catch (const captures::LiveCaptureError& e) {
    if (e.kind() == captures::LiveCaptureError::Kind::permission) return nullptr;
    throw;
  }
}

std::string hex_of(const wire::IpAddress& address) {
  if (!address.is_v4()) throw std::invalid_argument("hex_of: IPv4 only");
  std::string out;
  char byte[3];
  for (std::size_t i = 0; i < 4; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", static_cast<unsigned>(address.bytes[i]));
    out += byte;
  }
  return out;
}

namespace {

std::string shown(const rib::Route* route) {
  return route == nullptr ? "(absent)" : rib::to_text(*route->attributes);
}

}  // namespace

std::string first_difference(const rib::AdjRibIn& expected, const rib::AdjRibIn& seen) {
  const std::vector<rib::Route> want = expected.sorted();
  const std::vector<rib::Route> got = seen.sorted();
  std::string sizes;
  if (want.size() != seen.size())
    sizes = " (" + std::to_string(want.size()) + " routes expected, " + std::to_string(got.size()) +
            " seen)";
  // Walk both sorted tables together; the first key missing on one side or carrying other
  // attributes is the difference to show.
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < want.size() || j < got.size()) {
    const rib::Route* w = i < want.size() ? &want[i] : nullptr;
    const rib::Route* g = j < got.size() ? &got[j] : nullptr;
    if (w != nullptr && g != nullptr && w->key == g->key) {
      if (!(*w->attributes == *g->attributes))
        return w->key.prefix.to_string() + ": expected " + shown(w) + ", seen " + shown(g) + sizes;
      ++i;
      ++j;
    } else if (g == nullptr || (w != nullptr && w->key < g->key)) {
      return w->key.prefix.to_string() + ": expected " + shown(w) + ", seen (absent)" + sizes;
    } else {
      return g->key.prefix.to_string() + ": expected (absent), seen " + shown(g) + sizes;
    }
  }
  return sizes;
}

DaemonExchange::DaemonExchange(daemons::DaemonKind kind, ExchangeTopology topology)
    : net_(io_), time_(io_) {
  config_.router_id = ip(topology.rs);
  config_.listen_address = ip(topology.rs);
  config_.listen_port = daemons::pick_free_port(config_.listen_address);
  vars_["rs"] = topology.rs;
  vars_["port"] = std::to_string(config_.listen_port);
  for (std::size_t i = 0; i < topology.clients.size(); ++i) {
    const ClientDef& c = topology.clients[i];
    config_.neighbors.push_back({ip(c.address), c.asn, 179, true});
    const std::string name(1, static_cast<char>('a' + i));
    names_.push_back(name);
    vars_[name] = c.address;
    vars_[name + "_as"] = std::to_string(c.asn);
    vars_[name + "_hex"] = hex_of(ip(c.address));
  }
  daemon_ = daemons::RouteServerDaemon::start(kind, config_);
}

DaemonExchange::~DaemonExchange() {
  if (runner_) {
    // Cease on every session, and let it go out before the sockets close.
    for (const std::string& name : names_)
      if (speakers::FakeSpeaker* s = runner_->speaker(name)) s->stop_all();
    io_.restart();
    io_.poll();
    // No io_context run after this: completions still queued for the destroyed sessions must
    // not be invoked (they are dropped with io_).
    runner_.reset();
  }
  if (daemon_) daemon_->stop();
}

speakers::ScriptResult DaemonExchange::run(const std::string& script_template,
                                           const std::map<std::string, std::string>& extra,
                                           session::WireTap* tap,
                                           std::chrono::milliseconds deadline) {
  if (runner_) throw std::logic_error("DaemonExchange: one script per exchange");
  std::map<std::string, std::string> vars = vars_;
  for (const auto& [name, value] : extra)
    vars[name] = value;
  speakers::Script script = speakers::parse_script(fill(script_template, vars));
  runner_ = std::make_unique<speakers::ScriptRunner>(io_, net_, time_, std::move(script), tap);
  return runner_->run(deadline);
}

bool DaemonExchange::run_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  return rsconform::test_support::run_io_until(io_, done, limit);
}

speakers::FakeSpeaker& DaemonExchange::speaker(const std::string& name) {
  speakers::FakeSpeaker* s = runner_ ? runner_->speaker(name) : nullptr;
  if (s == nullptr) throw std::logic_error("no speaker " + name);
  return *s;
}

speakers::PeerSession& DaemonExchange::to_rs(const std::string& name) {
  speakers::PeerSession* s = speaker(name).find("rs");
  if (s == nullptr) throw std::logic_error("speaker " + name + " has no session \"rs\"");
  return *s;
}

}  // namespace rsconform::testing
