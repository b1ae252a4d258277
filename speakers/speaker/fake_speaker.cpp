#include "speakers/speaker/fake_speaker.hpp"

#include <stdexcept>

namespace rsconform::speakers {

PeerSession::PeerSession(FakeSpeaker& owner, const PeerDef& def, session::Transport& transport,
                         session::TimeSource& time, session::SessionConfig config,
                         session::WireTap* tap)
    : owner_(owner), name_(def.name), session_(transport, time, std::move(config), this, tap) {}

void PeerSession::bulk(BulkSpec spec, std::function<void()> done) {
  bulk_ = std::make_unique<BulkSender>(session_, std::move(spec), std::move(done));
  bulk_->pump();
}

void PeerSession::on_state(session::State, session::State) {
  if (owner_.on_event) owner_.on_event();
}

void PeerSession::on_established(const session::NegotiatedSession&) {
  if (bulk_) bulk_->pump();
  if (owner_.on_event) owner_.on_event();
}

void PeerSession::on_down(const session::SessionDownInfo& info) {
  downs_.push_back(info);
  if (info.was_established) rib_.flush(0);
  if (owner_.on_event) owner_.on_event();
}

void PeerSession::on_message(const session::ReceivedMessage& m) {
  RecordedMessage r;
  r.at = m.at;
  r.action = m.action;
  r.type = m.bytes.size() > 18 ? static_cast<wire::MessageType>(m.bytes[18])
                               : wire::MessageType::keepalive;
  if (r.type != wire::MessageType::update || record_update_bytes_)
    r.bytes.assign(m.bytes.begin(), m.bytes.end());
  received_.push_back(std::move(r));
  if (m.deliver) {
    const auto& update = std::get<wire::Update>(*m.decoded->message);
    if (update_sink_)
      update_sink_(update, m.action);
    else
      rib_.apply(update, m.action, *m.context, m.at);
  }
  if (owner_.on_event) owner_.on_event();
}

void PeerSession::on_writable() {
  if (bulk_) bulk_->pump();
}

FakeSpeaker::FakeSpeaker(session::Transport& transport, session::TimeSource& time, SpeakerDef def,
                         session::WireTap* tap)
    : def_(std::move(def)) {
  bool any_passive = false;
  for (const PeerDef& p : def_.peers)
    any_passive |= p.passive;
  if (any_passive && def_.listen)
    listener_ = std::make_unique<session::BgpListener>(
        transport, session::Endpoint{def_.address, def_.listen_port});
  for (const PeerDef& p : def_.peers) {
    session::SessionConfig c;
    c.name = def_.name + "->" + p.name;
    c.speaker = def_.config;
    if (p.peer_as) c.speaker.peer_as = p.peer_as;
    c.local = session::Endpoint{def_.address, 0};
    c.peer = p.address;
    c.active = p.active;
    c.passive = p.passive && listener_ != nullptr;
    c.restart_delay = def_.restart_delay;
    sessions_.push_back(std::make_unique<PeerSession>(*this, p, transport, time, c, tap));
    if (listener_) listener_->add(sessions_.back()->session());
  }
}

std::optional<session::Endpoint> FakeSpeaker::listen_endpoint() const {
  if (!listener_) return std::nullopt;
  return listener_->local();
}

PeerSession* FakeSpeaker::find(const std::string& peer_name) {
  for (auto& s : sessions_)
    if (s->name() == peer_name) return s.get();
  return nullptr;
}

void FakeSpeaker::start_all() {
  for (auto& s : sessions_)
    s->session().start();
}

void FakeSpeaker::stop_all() {
  for (auto& s : sessions_)
    s->session().stop();
}

}  // namespace rsconform::speakers
