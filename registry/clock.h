// Clock: the only source of time in registry/ (STYLE.md: "Time comes only from
// the injected Clock"). Implementations are thread-safe.
#ifndef CERTLEDGER_REGISTRY_CLOCK_H_
#define CERTLEDGER_REGISTRY_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace certledger::registry {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch, UTC.
  virtual int64_t NowMillis() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowMillis() const override;
};

// A clock tests set by hand. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_ms) : now_ms_(now_ms) {}
  int64_t NowMillis() const override { return now_ms_.load(); }
  void Set(int64_t now_ms) { now_ms_.store(now_ms); }
  void Advance(int64_t ms) { now_ms_.fetch_add(ms); }

 private:
  std::atomic<int64_t> now_ms_;
};

}  // namespace certledger::registry

#endif  // CERTLEDGER_REGISTRY_CLOCK_H_
