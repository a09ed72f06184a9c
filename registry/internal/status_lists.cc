#include "registry/internal/status_lists.h"

#include <algorithm>
#include <utility>

#include "crypto/data_integrity.h"
#include "crypto/random.h"
#include "crypto/rfc3339.h"
#include "crypto/status_list.h"

namespace certledger::registry::internal {

std::string StatusListUrl(const std::string& base_url, const std::string& slug, int n) {
  return base_url + "/status/" + slug + "/" + std::to_string(n);
}

Result<std::string> SignStatusList(const StatusListOwner& owner, int n, const std::string& encoded,
                                   int64_t now_ms) {
  const std::string id = StatusListUrl(owner.base_url, owner.slug, n);
  const std::string now = crypto::FormatRfc3339(now_ms);
  Json list = crypto::MakeStatusListCredential(id, owner.did, now, encoded);
  crypto::ProofOptions po;
  po.created = now;
  CERTLEDGER_ASSIGN_OR_RETURN(Json signed_list, crypto::AddProof(list, po, *owner.signer));
  return signed_list.dump();
}

NewestList ReadNewestList(Conn& c, int64_t issuer_id) {
  auto& q = c.Prepare(
      "SELECT n, size, allocated FROM status_lists WHERE issuer_id = ? ORDER BY n DESC LIMIT 1");
  q.bind(1, issuer_id);
  NewestList l;
  if (q.executeStep()) {
    l = NewestList{q.getColumn(0).getInt(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64()};
  }
  q.reset();
  return l;
}

int64_t DrawFreeIndex(Conn& c, int64_t issuer_id, const NewestList& l) {
  auto& q = c.Prepare("SELECT 1 FROM status_allocations WHERE issuer_id = ? AND n = ? AND idx = ?");
  int64_t idx = 0;
  // Less than half full: each draw is free with probability over 1/2.
  for (int attempt = 0; attempt < 16; ++attempt) {
    idx = static_cast<int64_t>(crypto::RandomUniform(static_cast<uint32_t>(l.size)));
    q.bind(1, issuer_id);
    q.bind(2, l.n);
    q.bind(3, idx);
    const bool taken = q.executeStep();
    q.reset();
    if (!taken) break;
  }
  return idx;
}

bool ClaimStatusIndex(Conn& c, int64_t issuer_id, const StatusSlot& slot) {
  const NewestList l = ReadNewestList(c, issuer_id);
  if (l.n != slot.n || l.allocated >= l.size / 2 || slot.idx >= l.size) return false;
  auto& a =
      c.Prepare("INSERT OR IGNORE INTO status_allocations(issuer_id, n, idx) VALUES (?, ?, ?)");
  a.bind(1, issuer_id);
  a.bind(2, slot.n);
  a.bind(3, slot.idx);
  const bool claimed = a.exec() == 1;
  a.reset();
  if (!claimed) return false;
  auto& inc =
      c.Prepare("UPDATE status_lists SET allocated = allocated + ? WHERE issuer_id = ? AND n = ?");
  inc.bind(1, int64_t{1});
  inc.bind(2, issuer_id);
  inc.bind(3, slot.n);
  inc.exec();
  inc.reset();
  return true;
}

Result<StatusSlot> AllocateStatusIndex(Conn& c, const StatusListOwner& owner, int64_t now_ms) {
  CERTLEDGER_ASSIGN_OR_RETURN(std::vector<StatusSlot> slots,
                              AllocateStatusIndexes(c, owner, now_ms, 1));
  return std::move(slots.front());
}

Result<std::vector<StatusSlot>> AllocateStatusIndexes(Conn& c, const StatusListOwner& owner,
                                                      int64_t now_ms, size_t count) {
  std::vector<StatusSlot> out;
  out.reserve(count);
  while (out.size() < count) {
    auto [n, size, allocated] = ReadNewestList(c, owner.issuer_id);
    if (n == 0 || allocated >= size / 2) {
      ++n;
      CERTLEDGER_ASSIGN_OR_RETURN(auto bits, crypto::Bitstring::Create());
      CERTLEDGER_ASSIGN_OR_RETURN(std::string encoded, bits.Encode());
      CERTLEDGER_ASSIGN_OR_RETURN(std::string signed_list,
                                  SignStatusList(owner, n, encoded, now_ms));
      auto& ins = c.Prepare(
          "INSERT INTO status_lists(issuer_id, n, size, encoded_list, signed, updated_ms) VALUES "
          "(?, ?, ?, ?, ?, ?)");
      ins.bind(1, owner.issuer_id);
      ins.bind(2, n);
      ins.bind(3, static_cast<int64_t>(bits.size()));
      ins.bind(4, encoded);
      ins.bind(5, signed_list.data(), static_cast<int>(signed_list.size()));
      ins.bind(6, now_ms);
      ins.exec();
      size = static_cast<int64_t>(bits.size());
      allocated = 0;
    }
    // As many as this list takes before it is half full.
    const int64_t take =
        std::min<int64_t>(size / 2 - allocated, static_cast<int64_t>(count - out.size()));
    const std::string list_url = StatusListUrl(owner.base_url, owner.slug, n);
    auto& a =
        c.Prepare("INSERT OR IGNORE INTO status_allocations(issuer_id, n, idx) VALUES (?, ?, ?)");
    for (int64_t k = 0; k < take; ++k) {
      int64_t idx = 0;
      for (;;) {
        idx = crypto::RandomUniform(static_cast<uint32_t>(size));
        a.bind(1, owner.issuer_id);
        a.bind(2, n);
        a.bind(3, idx);
        const int inserted = a.exec();
        a.reset();
        if (inserted == 1) break;
      }
      out.push_back(StatusSlot{n, idx, list_url});
    }
    auto& inc = c.Prepare(
        "UPDATE status_lists SET allocated = allocated + ? WHERE issuer_id = ? AND n = ?");
    inc.bind(1, take);
    inc.bind(2, owner.issuer_id);
    inc.bind(3, n);
    inc.exec();
  }
  return out;
}

Result<std::string> SetStatusBit(Conn& c, const StatusListOwner& owner, int n, int64_t idx,
                                 int64_t now_ms) {
  auto& lq = c.Prepare("SELECT encoded_list FROM status_lists WHERE issuer_id = ? AND n = ?");
  lq.bind(1, owner.issuer_id);
  lq.bind(2, n);
  if (!lq.executeStep()) return Status::DataLoss("statuslist.missing", "status list missing");
  std::string current = lq.getColumn(0).getString();
  lq.reset();
  CERTLEDGER_ASSIGN_OR_RETURN(auto bits, crypto::Bitstring::Decode(current));
  CERTLEDGER_RETURN_IF_ERROR(bits.Set(static_cast<uint64_t>(idx), true));
  CERTLEDGER_ASSIGN_OR_RETURN(std::string encoded, bits.Encode());
  CERTLEDGER_ASSIGN_OR_RETURN(std::string signed_list, SignStatusList(owner, n, encoded, now_ms));
  auto& ul = c.Prepare(
      "UPDATE status_lists SET encoded_list = ?, signed = ?, updated_ms = ? WHERE issuer_id = ? "
      "AND n = ?");
  ul.bind(1, encoded);
  ul.bind(2, signed_list.data(), static_cast<int>(signed_list.size()));
  ul.bind(3, now_ms);
  ul.bind(4, owner.issuer_id);
  ul.bind(5, n);
  ul.exec();
  return signed_list;
}

}  // namespace certledger::registry::internal
