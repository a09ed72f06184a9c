#include "registry/ledger/sequencer.h"

#include "registry/internal/db.h"

namespace certledger::registry {

Result<int64_t> SequenceEntry(internal::Conn& conn, const LedgerEvent& event, int64_t max_pending) {
  CERTLEDGER_ASSIGN_OR_RETURN(std::string body, EncodeEntry(event));
  auto& next_q = conn.Prepare("SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_entries");
  next_q.executeStep();
  int64_t next = next_q.getColumn(0).getInt64();
  auto& head_q = conn.Prepare("SELECT size FROM ledger_head WHERE id = 1");
  head_q.executeStep();
  int64_t integrated = head_q.getColumn(0).getInt64();
  if (next - integrated >= max_pending) {
    return Status::Unavailable("ledger.backlog", "the public ledger is catching up (" +
                                                     std::to_string(next - integrated) +
                                                     " entries waiting); retry in a second");
  }
  auto& ins = conn.Prepare(
      "INSERT INTO ledger_entries(idx, body, type, subject, created_ms) VALUES (?, ?, ?, ?, ?)");
  ins.bind(1, static_cast<int64_t>(next));
  ins.bindNoCopy(2, body.data(), static_cast<int>(body.size()));
  ins.bindNoCopy(3, event.type);
  ins.bindNoCopy(4, event.id);
  ins.bind(5, static_cast<int64_t>(event.time_ms));
  ins.exec();
  return next;
}

}  // namespace certledger::registry
