// The routes one engine holds for one prefix, one per source (a peer or the
// VNet). A prefix nearly always has one or two, so they are kept inline and a
// table of a million prefixes makes no allocation per prefix.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>

#include "speakers/routeserver/attributes.hpp"

namespace rsconform::routeserver {

struct Candidate {
  std::uint16_t source = 0;  // PeerId, or the engine's VNet source
  // False for a received route the decision must not use (R7, R17, R18):
  // it stays in the peer's Adj-RIB-In.
  bool eligible = true;
  AttrId attr = kNoAttr;
};

class CandidateList {
 public:
  CandidateList() = default;
  CandidateList(const CandidateList&) = delete;
  CandidateList& operator=(const CandidateList&) = delete;
  CandidateList(CandidateList&& other) noexcept { take(other); }
  CandidateList& operator=(CandidateList&& other) noexcept {
    if (this != &other) {
      release();
      take(other);
    }
    return *this;
  }
  ~CandidateList() { release(); }

  const Candidate* begin() const { return data(); }
  const Candidate* end() const { return data() + size_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  const Candidate* find(std::uint16_t source) const {
    auto it =
        std::find_if(begin(), end(), [source](const Candidate& c) { return c.source == source; });
    return it == end() ? nullptr : it;
  }
  // Adds or replaces the route of `c.source`.
  void set(const Candidate& c) {
    if (auto* held = const_cast<Candidate*>(find(c.source))) {
      *held = c;
      return;
    }
    if (size_ == capacity_) grow();
    data()[size_++] = c;
  }
  // Removes the route of `source`; false if there was none.
  bool erase(std::uint16_t source) {
    auto* held = const_cast<Candidate*>(find(source));
    if (!held) return false;
    *held = data()[--size_];  // order carries no meaning
    return true;
  }

 private:
  static constexpr std::uint32_t kInline = 2;

  Candidate* data() { return capacity_ > kInline ? heap_ : inline_; }
  const Candidate* data() const { return capacity_ > kInline ? heap_ : inline_; }
  void grow() {
    std::uint32_t capacity = capacity_ * 2;
    auto* bigger = new Candidate[capacity];
    std::copy(begin(), end(), bigger);
    release();
    heap_ = bigger;
    capacity_ = capacity;
  }
  void release() {
    if (capacity_ > kInline) delete[] heap_;
    capacity_ = kInline;
  }
  void take(CandidateList& other) {
    size_ = other.size_;
    capacity_ = other.capacity_;
    if (capacity_ > kInline)
      heap_ = other.heap_;
    else
      std::copy(other.inline_, other.inline_ + size_, inline_);
    other.size_ = 0;
    other.capacity_ = kInline;
  }

  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = kInline;
  union {
    Candidate inline_[kInline]{};
    Candidate* heap_;
  };
};

}  // namespace rsconform::routeserver
