#include "speakers/routeserver/control.hpp"

#include "speakers/routeserver/config_json.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <cstring>
#include <deque>
#include <istream>
#include <optional>
#include <stdexcept>
#include <vector>

namespace rsconform::routeserver {

using nlohmann::json;

namespace {

using jsonio::Value;

bool parse_flag(const Value& value) {
  const json& j = value.json();
  if (j.is_boolean()) return j.get<bool>();
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (s == "on") return true;
    if (s == "off") return false;
  }
  value.fail("expected true, false, \"on\" or \"off\"");
}

std::vector<wire::Prefix> parse_prefixes(const Value& value) {
  if (!value.json().is_array()) value.fail("expected an array of prefixes");
  std::vector<wire::Prefix> out;
  for (const Value& item : value.array()) {
    std::optional<wire::Prefix> p;
    if (item.json().is_string()) p = wire::Prefix::parse(item.json().get_ref<const std::string&>());
    if (!p) item.fail("expected a prefix like \"10.1.0.0/16\"");
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

json apply(RouteServer& server, const Value& request) {
  if (!request.json().is_object()) request.fail("expected a JSON object");
  // Other members are ignored (the reply echoes "id").
  const json& j = request.json();
  if (j.contains("get")) {
    const Value what = request.child("get");
    if (what.json() == "status") return status_json(server);
    what.fail("expected \"status\"");
  }
  if (!j.contains("set")) request.fail("expected a \"set\" or \"get\" member");
  const Value what = request.child("set");
  if (!j.contains("value")) request.document().fail(request.pointer() + "/value", "missing");
  const Value value = request.child("value");
  if (what.json() == "flag") {
    server.set_flag(parse_flag(value));
    return {{"flag", server.flag()}};
  }
  if (what.json() == "preference") {
    server.set_preference(read_preference(value));
    return {{"preference", to_string(server.preference())}};
  }
  if (what.json() == "vnet_prefixes") {
    try {
      server.set_vnet_prefixes(parse_prefixes(value));
    } catch (const ConfigError& e) {  // IPv6 (R8): "/vnet_prefixes/1" is "/value/1" here
      const std::string_view config_key = "/vnet_prefixes";
      std::string at = value.pointer();
      if (e.path.rfind(config_key, 0) == 0) at += e.path.substr(config_key.size());
      value.document().fail(at, e.detail);
    }
    return {{"vnet_prefixes", prefixes_json(server.config().vnet_prefixes)}};
  }
  what.fail("expected \"flag\", \"preference\" or \"vnet_prefixes\"");
}

// Replies are dumped with invalid UTF-8 replaced: an error message may quote
// the raw bytes of a request that did not parse.
std::string dump_reply(const json& reply) {
  return reply.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string error_reply(const std::string& message) {
  return dump_reply(json{{"ok", false}, {"error", message}});
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

json handle_control(RouteServer& server, const Value& request) {
  json reply;
  try {
    reply = apply(server, request);
    reply["ok"] = true;
  } catch (const std::exception& e) {  // jsonio::InputError, ConfigError
    reply = {{"ok", false}, {"error", e.what()}};
  }
  if (request.json().is_object() && request.json().contains("id"))
    reply["id"] = request.json()["id"];
  return reply;
}

std::string handle_control_line(RouteServer& server, std::string_view line,
                                const std::string& name) {
  try {
    auto doc = jsonio::Document::parse(std::string(line), name, kControlLineLimits);
    return dump_reply(handle_control(server, doc->root()));
  } catch (const std::exception& e) {  // jsonio::InputError: not JSON, too deep, too long
    return error_reply(e.what());
  } catch (...) {
    return error_reply("internal error");
  }
}

// ===== the Unix-domain socket =====

namespace local = boost::asio::local;

struct ControlClient : std::enable_shared_from_this<ControlClient> {
  // The buffer holds at most one line of kMaxControlLine bytes, its "\r\n",
  // and nothing more: read_until stops with not_found when it is full.
  ControlClient(local::stream_protocol::socket s, RouteServer& rs)
      : socket(std::move(s)), server(rs), input(kMaxControlLine + 2) {}

  void read() {
    boost::asio::async_read_until(
        socket, input, '\n',
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          self->on_line(ec, n);
        });
  }

  std::string next_name() { return "control line " + std::to_string(++lines); }

  void on_line(boost::system::error_code ec, std::size_t n) {
    if (ec == boost::asio::error::not_found) {  // the line outgrew kMaxControlLine
      const std::string name = next_name();
      send(error_reply(name + ": request line longer than " + std::to_string(kMaxControlLine) +
                       " bytes; discarded"));
      input.consume(input.size());
      discard();
      return;
    }
    if (ec) return;  // closed
    std::string line(n, '\0');
    input.sgetn(line.data(), static_cast<std::streamsize>(n));
    line.pop_back();  // '\n'
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string name = next_name();
    if (!line.empty()) send(handle_control_line(server, line, name));
    read();
  }

  // Drops the rest of an overlong line, a chunk at a time, up to its newline;
  // what follows the newline is kept for the next request.
  void discard() {
    socket.async_read_some(
        boost::asio::buffer(chunk),
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          if (ec) return;  // closed
          const char* begin = self->chunk.data();
          const char* end = begin + n;
          const char* newline = std::find(begin, end, '\n');
          if (newline == end) {
            self->discard();
            return;
          }
          const auto rest = static_cast<std::size_t>(end - (newline + 1));
          auto space = self->input.prepare(rest);
          std::memcpy(space.data(), newline + 1, rest);
          self->input.commit(rest);
          self->read();
        });
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
  std::array<char, 4096> chunk{};
  std::size_t lines = 0;  // request lines read, for error messages
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
