// The ledger sequencer: gives an entry its leaf index inside the caller's
// SQLite transaction, so the index and the domain change it records commit
// together (STYLE.md "Ledger"; tessera's Add returning an index only once
// durably sequenced). Integration into the tree follows within the
// configured delay (registry/ledger/ledger.h).
//
// Thread-safety: runs on the connection the caller owns inside Db::Write.
#ifndef CERTLEDGER_REGISTRY_LEDGER_SEQUENCER_H_
#define CERTLEDGER_REGISTRY_LEDGER_SEQUENCER_H_

#include <cstdint>
#include <span>
#include <string>

#include "crypto/status.h"
#include "registry/ledger/entry.h"

namespace certledger::registry {
namespace internal {
class Conn;
}

// Appends `event` as the next ledger entry within the open transaction on
// `conn`; returns its index. Crash before COMMIT: neither the entry nor the
// domain change exists. Errors: the EncodeEntry errors; kUnavailable
// ("ledger.backlog", retry after a second) when more than `max_pending`
// entries wait for integration beyond `integrated_size` (backpressure; a stale,
// smaller integrated_size only makes the check stricter); database errors.
Result<int64_t> SequenceEntry(internal::Conn& conn, const LedgerEvent& event,
                              int64_t integrated_size, int64_t max_pending);

// Appends `events` as consecutive entries within the open transaction on
// `conn`; returns the index of the first (the others follow in order). One
// lookup of the next index for the whole batch, then one plain insert per
// entry. Validates every event before writing any. Errors as SequenceEntry;
// on error nothing of the batch is kept once the caller's savepoint rolls
// back (some rows may have been written inside it).
Result<int64_t> SequenceEntries(internal::Conn& conn, std::span<const LedgerEvent> events,
                                int64_t integrated_size, int64_t max_pending);

// SequenceEntries for entries already encoded (EncodeEntry), e.g. on the
// threads that signed what they record. REQUIRES: each body is the
// EncodeEntry output of a valid event.
Result<int64_t> SequenceEncodedEntries(internal::Conn& conn, std::span<const std::string> bodies,
                                       int64_t integrated_size, int64_t max_pending);

}  // namespace certledger::registry

#endif  // CERTLEDGER_REGISTRY_LEDGER_SEQUENCER_H_
