#include "crypto/receipt.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "crypto/encoding.h"

namespace certledger::crypto {
namespace {

Status ReceiptMalformed(const std::string& what) {
  return Status::InvalidArgument("receipt.malformed", "ledger receipt: " + what);
}

constexpr std::array<int8_t, 256> MakeBase64Values() {
  constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr std::array<int8_t, 256> kBase64Values = MakeBase64Values();

// Decodes the one spelling Base64Decode accepts for 32 bytes: 43 characters
// of RFC 4648 section 4 base64 whose last leaves two zero bits, then "=".
// False for anything else (Base64Decode then decides).
bool DecodeHash(std::string_view text, Hash* out) {
  if (text.size() != 44 || text[43] != '=') return false;
  uint32_t acc = 0;
  int bits = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < 43; ++i) {
    const int8_t v = kBase64Values[static_cast<uint8_t>(text[i])];
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      (*out)[n++] = static_cast<uint8_t>(acc >> bits);
    }
  }
  return (acc & 3) == 0;  // bits == 2 here: RFC 4648 section 3.5
}

}  // namespace

Json ReceiptToJson(const Receipt& r) {
  Json proof = Json::array();
  for (const Hash& h : r.inclusion_proof) proof.push_back(Base64Encode(AsStringView(h)));
  return Json{{"type", "LedgerReceipt"},
              {"origin", r.origin},
              {"index", r.index},
              {"entry", r.entry},
              {"inclusionProof", std::move(proof)},
              {"checkpoint", r.checkpoint}};
}

Result<Receipt> ReceiptFromJson(const Json& j) {
  if (!j.is_object()) return ReceiptMalformed("not a JSON object");
  // One lookup per member, strings read in place (this runs per verified
  // credential).
  const Json* type = FindMember(j, "type");
  if (type == nullptr || !type->is_string() ||
      type->get_ref<const std::string&>() != "LedgerReceipt") {
    return ReceiptMalformed("\"type\" must be \"LedgerReceipt\"");
  }
  Receipt r;
  const Json* origin = FindMember(j, "origin");
  const Json* entry = FindMember(j, "entry");
  const Json* checkpoint = FindMember(j, "checkpoint");
  for (auto [k, v] : {std::pair{"origin", origin}, std::pair{"entry", entry},
                      std::pair{"checkpoint", checkpoint}}) {
    if (v == nullptr || !v->is_string())
      return ReceiptMalformed(std::string("\"") + k + "\" missing");
  }
  r.origin = origin->get_ref<const std::string&>();
  r.entry = entry->get_ref<const std::string&>();
  r.checkpoint = checkpoint->get_ref<const std::string&>();
  const Json* index = FindMember(j, "index");
  if (index == nullptr || !index->is_number_integer() || index->get<int64_t>() < 0) {
    return ReceiptMalformed("\"index\" must be a non-negative integer");
  }
  r.index = index->get<int64_t>();
  const Json* proof = FindMember(j, "inclusionProof");
  if (proof == nullptr || !proof->is_array() || proof->size() > 64) {
    return ReceiptMalformed("\"inclusionProof\" must be an array of at most 64 hashes");
  }
  r.inclusion_proof.reserve(proof->size());
  for (const Json& h : *proof) {
    if (!h.is_string()) return ReceiptMalformed("proof hashes must be base64 strings");
    const std::string& text = h.get_ref<const std::string&>();
    Hash hash;
    if (!DecodeHash(text, &hash)) {
      auto raw = Base64Decode(text);
      if (!raw.ok() || raw->size() != kHashSize)
        return ReceiptMalformed("a proof hash is not 32 bytes");
      std::copy(raw->begin(), raw->end(), hash.begin());
    }
    r.inclusion_proof.push_back(hash);
  }
  return r;
}
Result<Receipt> ParseReceipt(std::string_view text) {
  auto j = ParseJson(text);
  if (!j.ok()) return ReceiptMalformed(j.status().message());
  return ReceiptFromJson(*j);
}

Result<VerifiedReceipt> VerifyReceipt(const Receipt& r, std::span<const NoteVerifier> ledger_keys) {
  CERTLEDGER_ASSIGN_OR_RETURN(Note note, OpenNote(r.checkpoint, ledger_keys));
  CERTLEDGER_ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpoint(note.text));
  if (cp.origin != r.origin) {
    return Status::InvalidArgument("receipt.origin-mismatch",
                                   "the receipt names ledger \"" + r.origin +
                                       "\" but its checkpoint is from \"" + cp.origin + "\"");
  }
  if (r.index < 0 || r.index >= cp.size) {
    return Status::InvalidArgument("merkle.bad-proof",
                                   "entry index " + std::to_string(r.index) +
                                       " is outside the checkpoint's tree of size " +
                                       std::to_string(cp.size));
  }
  CERTLEDGER_RETURN_IF_ERROR(
      CheckRecord(r.inclusion_proof, cp.size, cp.root, r.index, LeafHash(r.entry)));
  return VerifiedReceipt{std::move(cp), r.index, r.entry};
}

}  // namespace certledger::crypto
