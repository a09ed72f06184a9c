#include "registry/ledger/sequencer.h"

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

}  // namespace certledger::registry
