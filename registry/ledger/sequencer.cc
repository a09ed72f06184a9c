#include "registry/ledger/sequencer.h"

#include <string>
#include <vector>

#include "registry/internal/db.h"

namespace certledger::registry {

Result<int64_t> SequenceEntry(internal::Conn& conn, const LedgerEvent& event,
                              int64_t integrated_size, int64_t max_pending) {
  CERTLEDGER_ASSIGN_OR_RETURN(std::string body, EncodeEntry(event));
  // One statement per entry: the index is the next after the largest, inside
  // the caller's write transaction (SQLite has a single writer, so it is unique).
  auto& ins = conn.Prepare(
      "INSERT INTO ledger_entries(idx, body) "
      "VALUES ((SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_entries), ?)");
  ins.bindNoCopy(1, body.data(), static_cast<int>(body.size()));
  ins.exec();
  int64_t idx = conn.db().getLastInsertRowid();
  if (idx - integrated_size >= max_pending) {
    // The statement's change is rolled back with the caller's savepoint.
    return Status::Unavailable("ledger.backlog", "the public ledger is catching up (" +
                                                     std::to_string(idx - integrated_size) +
                                                     " entries waiting); retry in a second");
  }
  return idx;
}

Result<int64_t> SequenceEntries(internal::Conn& conn, std::span<const LedgerEvent> events,
                                int64_t integrated_size, int64_t max_pending) {
  std::vector<std::string> bodies;
  bodies.reserve(events.size());
  for (const LedgerEvent& e : events) {
    CERTLEDGER_ASSIGN_OR_RETURN(std::string body, EncodeEntry(e));
    bodies.push_back(std::move(body));
  }
  return SequenceEncodedEntries(conn, bodies, integrated_size, max_pending);
}

Result<int64_t> SequenceEncodedEntries(internal::Conn& conn, std::span<const std::string> bodies,
                                       int64_t integrated_size, int64_t max_pending) {
  auto& next = conn.Prepare("SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_entries");
  next.executeStep();
  const int64_t first = next.getColumn(0).getInt64();
  next.tryReset();
  const int64_t last = first + static_cast<int64_t>(bodies.size()) - 1;
  if (!bodies.empty() && last - integrated_size >= max_pending) {
    return Status::Unavailable("ledger.backlog", "the public ledger is catching up (" +
                                                     std::to_string(last - integrated_size) +
                                                     " entries waiting); retry in a second");
  }
  // The caller's write transaction holds SQLite's single write lock, so the
  // indexes first..last stay free until COMMIT.
  auto& ins = conn.Prepare("INSERT INTO ledger_entries(idx, body) VALUES (?, ?)");
  for (size_t i = 0; i < bodies.size(); ++i) {
    ins.bind(1, first + static_cast<int64_t>(i));
    ins.bindNoCopy(2, bodies[i].data(), static_cast<int>(bodies[i].size()));
    ins.exec();
    ins.reset();
  }
  return first;
}

}  // namespace certledger::registry
