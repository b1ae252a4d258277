// A fake BGP speaker: one local address and AS, one BgpSession per peer,
// each with its own Adj-RIB-In and a log of every received message (with its
// timestamp). Passive sessions share one BgpListener on the local address.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rib/adj_rib_in.hpp"
#include "session/bgp_session.hpp"
#include "speakers/speaker/bulk.hpp"

namespace rsconform::speakers {

struct PeerDef {
  std::string name;                      // e.g. "rs0"
  session::Endpoint address;             // the peer's address and port
  std::optional<std::uint32_t> peer_as;  // expected AS (nullopt: any)
  bool active = true;
  bool passive = true;
};

struct SpeakerDef {
  std::string name;         // e.g. "nva1"
  wire::IpAddress address;  // session address: bound for every session
  // Attribute address (topology/roles.hpp): the NEXT_HOP an announce carries
  // unless it names one; unset: `address`. Whoever builds the definition sets
  // config.bgp_id to it too.
  std::optional<wire::IpAddress> attribute_address;
  std::uint16_t listen_port = 0;  // for passive sessions (0: any, see listen_endpoint())
  bool listen = true;             // open a listener when a peer is passive
  session::SpeakerConfig config;  // AS, BGP ID, hold time, capabilities
  std::vector<PeerDef> peers;
  std::chrono::milliseconds restart_delay{1000};

  const wire::IpAddress& own_next_hop() const {
    return attribute_address ? *attribute_address : address;
  }
};

struct RecordedMessage {
  wire::Nanos at = 0;
  wire::MessageType type = wire::MessageType::keepalive;
  wire::Bytes bytes;
  wire::ErrorAction action = wire::ErrorAction::none;
};

class FakeSpeaker;

// One session of a fake speaker with what it received.
class PeerSession final : public session::SessionListener {
 public:
  PeerSession(FakeSpeaker& owner, const PeerDef& def, session::Transport& transport,
              session::TimeSource& time, session::SessionConfig config, session::WireTap* tap);

  const std::string& name() const { return name_; }
  session::BgpSession& session() { return session_; }
  const session::BgpSession& session() const { return session_; }
  const rib::AdjRibIn& rib_in() const { return rib_; }
  const std::vector<RecordedMessage>& received() const { return received_; }
  // Keep the bytes of received UPDATEs in received() (off for bulk receivers).
  void set_record_update_bytes(bool on) { record_update_bytes_ = on; }
  // Hands every delivered UPDATE to `sink` instead of keeping the Adj-RIB-In
  // (rib_in() stays empty): for benchmark receivers that only count routes.
  using UpdateSink = std::function<void(const wire::Update&, wire::ErrorAction)>;
  void divert_updates(UpdateSink sink) { update_sink_ = std::move(sink); }
  const std::vector<session::SessionDownInfo>& downs() const { return downs_; }

  // Starts streaming; replaces a previous bulk. `done` when all is queued.
  void bulk(BulkSpec spec, std::function<void()> done = {});
  const BulkSender* bulk_sender() const { return bulk_.get(); }

  void on_state(session::State from, session::State to) override;
  void on_established(const session::NegotiatedSession& negotiated) override;
  void on_down(const session::SessionDownInfo& info) override;
  void on_message(const session::ReceivedMessage& message) override;
  void on_writable() override;

 private:
  FakeSpeaker& owner_;
  std::string name_;
  session::BgpSession session_;
  rib::AdjRibIn rib_;
  std::vector<RecordedMessage> received_;
  std::vector<session::SessionDownInfo> downs_;
  std::unique_ptr<BulkSender> bulk_;
  bool record_update_bytes_ = true;
  UpdateSink update_sink_;
};

class FakeSpeaker {
 public:
  // Throws std::invalid_argument / std::runtime_error (bind) on a bad definition.
  FakeSpeaker(session::Transport& transport, session::TimeSource& time, SpeakerDef def,
              session::WireTap* tap = nullptr);
  FakeSpeaker(const FakeSpeaker&) = delete;
  FakeSpeaker& operator=(const FakeSpeaker&) = delete;

  const SpeakerDef& def() const { return def_; }
  const std::string& name() const { return def_.name; }
  // Where peers connect to us (the listener's bound port), if listening.
  std::optional<session::Endpoint> listen_endpoint() const;

  std::vector<std::unique_ptr<PeerSession>>& sessions() { return sessions_; }
  // nullptr when there is no such session.
  PeerSession* find(const std::string& peer_name);

  void start_all();
  void stop_all();

  // Called on every session event (state, message, down); the script runner
  // re-checks its wait condition here.
  std::function<void()> on_event;

 private:
  SpeakerDef def_;
  std::unique_ptr<session::BgpListener> listener_;
  std::vector<std::unique_ptr<PeerSession>> sessions_;
};

}  // namespace rsconform::speakers
