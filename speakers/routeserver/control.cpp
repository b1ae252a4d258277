#include "speakers/routeserver/control.hpp"

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <deque>
#include <istream>
#include <optional>
#include <stdexcept>
#include <vector>

namespace rsconform::routeserver {

using nlohmann::json;

namespace {

struct BadRequest : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::optional<topology::HubRoutingPreference> parse_preference(std::string_view text) {
  for (auto p :
       {topology::HubRoutingPreference::expressroute, topology::HubRoutingPreference::vpngateway,
        topology::HubRoutingPreference::aspath}) {
    std::string_view name = to_string(p);
    if (name.size() != text.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < name.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(name[i])) !=
          std::tolower(static_cast<unsigned char>(text[i])))
        same = false;
    if (same) return p;
  }
  return std::nullopt;
}

bool parse_flag(const json& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if (s == "on") return true;
    if (s == "off") return false;
  }
  throw BadRequest("/value: expected true, false, \"on\" or \"off\"");
}

std::vector<wire::Prefix> parse_prefixes(const json& value) {
  if (!value.is_array()) throw BadRequest("/value: expected an array of prefixes");
  std::vector<wire::Prefix> out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const json& item = value[i];
    std::optional<wire::Prefix> p;
    if (item.is_string()) p = wire::Prefix::parse(item.get_ref<const std::string&>());
    if (!p)
      throw BadRequest("/value/" + std::to_string(i) + ": expected a prefix like \"10.1.0.0/16\"");
    out.push_back(*p);
  }
  return out;
}

json prefixes_json(const std::vector<wire::Prefix>& prefixes) {
  json out = json::array();
  for (const auto& p : prefixes)
    out.push_back(p.to_string());
  return out;
}

json apply(RouteServer& server, const json& request) {
  if (!request.is_object()) throw BadRequest("expected a JSON object");
  if (request.contains("get")) {
    const json& what = request["get"];
    if (what == "status") return status_json(server);
    throw BadRequest("/get: expected \"status\"");
  }
  if (!request.contains("set")) throw BadRequest("expected a \"set\" or \"get\" member");
  const json& what = request["set"];
  if (!request.contains("value")) throw BadRequest("/value: missing");
  const json& value = request["value"];
  if (what == "flag") {
    server.set_flag(parse_flag(value));
    return {{"flag", server.flag()}};
  }
  if (what == "preference") {
    std::optional<topology::HubRoutingPreference> p;
    if (value.is_string()) p = parse_preference(value.get_ref<const std::string&>());
    if (!p) throw BadRequest("/value: expected \"ExpressRoute\", \"VpnGateway\" or \"ASPath\"");
    server.set_preference(*p);
    return {{"preference", to_string(server.preference())}};
  }
  if (what == "vnet_prefixes") {
    server.set_vnet_prefixes(parse_prefixes(value));  // ConfigError for IPv6 (R8)
    return {{"vnet_prefixes", prefixes_json(server.config().vnet_prefixes)}};
  }
  throw BadRequest("/set: expected \"flag\", \"preference\" or \"vnet_prefixes\"");
}

}  // namespace

json status_json(const RouteServer& server) {
  json instances = json::array();
  for (std::size_t i = 0; i < server.instance_count(); ++i) {
    const InstanceConfig& ic = server.engine(i).instance();
    json inst = {{"name", ic.name}, {"address", ic.address.to_string()}, {"listen", nullptr}};
    if (auto ep = server.listen_endpoint(i)) inst["listen"] = ep->to_string();
    inst["refused_connections"] = server.refused(i);
    instances.push_back(std::move(inst));
  }
  json peers = json::array();
  for (const PeerStatus& s : server.status())
    peers.push_back({{"instance", s.instance},
                     {"peer", s.peer},
                     {"role", to_string(s.role)},
                     {"address", s.address.to_string()},
                     {"state", session::to_string(s.state)},
                     {"held_down", s.held_down},
                     {"routes_in", s.routes_in},
                     {"routes_out", s.routes_out},
                     {"established_count", s.established}});
  return {{"running", server.running()},
          {"flag", server.flag()},
          {"preference", to_string(server.preference())},
          {"vnet_prefixes", prefixes_json(server.config().vnet_prefixes)},
          {"instances", std::move(instances)},
          {"peers", std::move(peers)}};
}

json handle_control(RouteServer& server, const json& request) {
  json reply;
  try {
    reply = apply(server, request);
    reply["ok"] = true;
  } catch (const std::exception& e) {  // BadRequest, ConfigError
    reply = {{"ok", false}, {"error", e.what()}};
  }
  if (request.is_object() && request.contains("id")) reply["id"] = request["id"];
  return reply;
}

std::string handle_control_line(RouteServer& server, std::string_view line) {
  json request;
  try {
    request = json::parse(line);
  } catch (const json::parse_error& e) {
    return json{{"ok", false},
                {"error", "not JSON at byte " + std::to_string(e.byte) + ": " + e.what()}}
        .dump();
  }
  return handle_control(server, request).dump();
}

// ===== the Unix-domain socket =====

namespace local = boost::asio::local;

struct ControlClient : std::enable_shared_from_this<ControlClient> {
  ControlClient(local::stream_protocol::socket s, RouteServer& rs)
      : socket(std::move(s)), server(rs), input(kMaxControlLine) {}

  void read() {
    boost::asio::async_read_until(
        socket, input, '\n',
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          self->on_line(ec, n);
        });
  }

  void on_line(boost::system::error_code ec, std::size_t n) {
    if (ec == boost::asio::error::not_found) {  // the line outgrew kMaxControlLine
      send(json{{"ok", false},
                {"error", "request line longer than " + std::to_string(kMaxControlLine) + " bytes"}}
               .dump());
      closing = true;
      return;
    }
    if (ec) return;  // closed
    std::string line(n, '\0');
    input.sgetn(line.data(), static_cast<std::streamsize>(n));
    line.pop_back();  // '\n'
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) send(handle_control_line(server, line));
    read();
  }

  void send(std::string reply) {
    out.push_back(std::move(reply) + "\n");
    if (out.size() == 1) write_front();
  }

  void write_front() {
    boost::asio::async_write(
        socket, boost::asio::buffer(out.front()),
        [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
          if (ec) return;
          self->out.pop_front();
          if (!self->out.empty()) {
            self->write_front();
          } else if (self->closing) {
            boost::system::error_code ignored;
            self->socket.close(ignored);
          }
        });
  }

  local::stream_protocol::socket socket;
  RouteServer& server;
  boost::asio::streambuf input;
  std::deque<std::string> out;
  bool closing = false;
};

struct ControlServer::Impl : std::enable_shared_from_this<ControlServer::Impl> {
  Impl(boost::asio::io_context& io, RouteServer& rs) : acceptor(io), server(rs) {}

  void accept() {
    acceptor.async_accept([self = shared_from_this()](boost::system::error_code ec,
                                                      local::stream_protocol::socket socket) {
      if (ec) return;  // closed
      auto client = std::make_shared<ControlClient>(std::move(socket), self->server);
      self->clients.push_back(client);
      std::erase_if(self->clients,
                    [](const std::weak_ptr<ControlClient>& w) { return w.expired(); });
      client->read();
      self->accept();
    });
  }

  local::stream_protocol::acceptor acceptor;
  RouteServer& server;
  std::vector<std::weak_ptr<ControlClient>> clients;
};

ControlServer::ControlServer(boost::asio::io_context& io, RouteServer& server, std::string path)
    : path_(std::move(path)), impl_(std::make_shared<Impl>(io, server)) {
  if (path_.empty() || path_.size() >= 108)
    throw std::runtime_error("control socket path must have 1 to 107 characters: " + path_);
  std::remove(path_.c_str());  // a stale socket from an earlier run
  boost::system::error_code ec;
  const local::stream_protocol::endpoint endpoint(path_);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("control socket " + path_ + ": " + ec.message());
  impl_->accept();
}

ControlServer::~ControlServer() {
  close();
}

void ControlServer::close() {
  if (!impl_->acceptor.is_open()) return;
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
  for (auto& w : impl_->clients)
    if (auto c = w.lock()) c->socket.close(ignored);
  impl_->clients.clear();
  std::remove(path_.c_str());
}

}  // namespace rsconform::routeserver
