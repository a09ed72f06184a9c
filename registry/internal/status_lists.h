// Status list storage shared by certificates and vouchers: allocation of a
// random free index in an issuer's current BitstringStatusListCredential, and
// setting a bit with the list re-signed (W3C Bitstring Status List v1.0).
// Internal to registry/; every function runs inside a Db::Write closure.
#ifndef CERTLEDGER_REGISTRY_INTERNAL_STATUS_LISTS_H_
#define CERTLEDGER_REGISTRY_INTERNAL_STATUS_LISTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "crypto/ed25519.h"
#include "crypto/status.h"
#include "registry/internal/db.h"

namespace certledger::registry::internal {

// Who signs an issuer's status lists and where they are served.
struct StatusListOwner {
  int64_t issuer_id = 0;
  std::string base_url;  // "https://cert.example.ru"
  std::string slug;      // lists are served at <base>/status/<slug>/<n>
  std::string did;       // the issuer's did:web
  const crypto::Signer* signer = nullptr;
};

struct StatusSlot {
  int n = 0;        // list number
  int64_t idx = 0;  // bit index within the list
  std::string list_url;
  // "<list_url>#<idx>", the credentialStatus id.
  std::string EntryId() const { return list_url + "#" + std::to_string(idx); }
};

std::string StatusListUrl(const std::string& base_url, const std::string& slug, int n);

// The signed BitstringStatusListCredential (section 2.2) for list `n`.
Result<std::string> SignStatusList(const StatusListOwner& owner, int n, const std::string& encoded,
                                   int64_t now_ms);

// A random free index in the owner's newest list; a new signed list is created
// when there is none or the newest is half full (random probing stays cheap).
Result<StatusSlot> AllocateStatusIndex(Conn& c, const StatusListOwner& owner, int64_t now_ms);

// `count` calls of AllocateStatusIndex in one (batch issuance): the same
// slots in the same order, with one read of the newest list and one update
// of its counter per list instead of one per entry.
Result<std::vector<StatusSlot>> AllocateStatusIndexes(Conn& c, const StatusListOwner& owner,
                                                      int64_t now_ms, size_t count);

// The newest status list of issuer `issuer_id`: its number (0: none), size
// and how many indexes are allocated.
struct NewestList {
  int n = 0;
  int64_t size = 0, allocated = 0;
};
NewestList ReadNewestList(Conn& c, int64_t issuer_id);

// An index of list `l` of issuer `issuer_id` drawn uniformly at random among
// those free in `c`'s snapshot (redrawn while taken, a few times at most),
// for ClaimStatusIndex in a later transaction. Drawn among all indexes, half
// of a list's life would see a quarter of the claims fail (each then
// allocated and signed again in the single writer).
int64_t DrawFreeIndex(Conn& c, int64_t issuer_id, const NewestList& l);

// Claims index `slot.idx` of list `slot.n` as AllocateStatusIndex would have
// allocated it: only in the newest list, while it is less than half full, and
// only a free index (an index drawn uniformly at random before the
// transaction, if free, is uniform among the free ones). False, changing
// nothing, when any of that fails (the caller then allocates as usual).
bool ClaimStatusIndex(Conn& c, int64_t issuer_id, const StatusSlot& slot);

// Sets bit `idx` of list `n` and stores the re-signed list. Returns the signed
// list (its digest goes into the status-list-updated ledger entry).
Result<std::string> SetStatusBit(Conn& c, const StatusListOwner& owner, int n, int64_t idx,
                                 int64_t now_ms);

}  // namespace certledger::registry::internal

#endif  // CERTLEDGER_REGISTRY_INTERNAL_STATUS_LISTS_H_
