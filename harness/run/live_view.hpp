// What the runner polls while a phase converges: the sessions seen so far and the capture time
// of the last UPDATE. Two sources implement it: TapObserver (the bytes of the harness's own
// sessions) and CaptureObserver (the live capture: also the sessions of real peers, which
// never pass through the harness).
#pragma once

#include "analysis/observation.hpp"
#include "wire/types.hpp"

namespace rsconform::run {

class LiveView {
 public:
  virtual ~LiveView() = default;
  virtual const analysis::Observation& observation() const = 0;
  // Capture time of the last UPDATE seen (0: none).
  virtual wire::Nanos last_update() const = 0;
};

}  // namespace rsconform::run
