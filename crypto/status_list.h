// W3C Bitstring Status List v1.0: the bitstring codec and the JSON shapes
// that point into it.
//
// Specs (W3C Bitstring Status List v1.0, Recommendation 2025):
// - section 2.1 BitstringStatusListEntry (the `credentialStatus` of a
//   credential): ParseStatusListEntry;
// - section 2.2 BitstringStatusListCredential (the signed list):
//   ParseStatusListCredential;
// - section 3.1 Bitstring Generation Algorithm and the Bitstring Expansion
//   Algorithm: Bitstring::Encode / Bitstring::Decode. Bit index 0 is the most
//   significant bit of the first byte ("the left-most bit"); encodedList is
//   multibase base64url ('u', no padding) of the GZIP (RFC 1952) bytes;
//   the uncompressed bitstring is at least 16 KiB (131,072 bits);
// - the Validate Algorithm: LookupStatus.
//
// Bitstring is a plain value: copyable, not thread-safe for mutation, const
// methods may be shared. The free functions are pure and thread-safe.
#ifndef CERTLEDGER_CRYPTO_STATUS_LIST_H_
#define CERTLEDGER_CRYPTO_STATUS_LIST_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/json.h"
#include "crypto/status.h"

namespace certledger::crypto {

// Stable slugs (public API: do not rename). All kInvalidArgument.
inline constexpr char kStatusListMalformed[] = "statuslist.malformed";
inline constexpr char kStatusListBadSize[] = "statuslist.bad-size";
inline constexpr char kStatusListIndexOutOfRange[] = "statuslist.index-out-of-range";
inline constexpr char kStatusListBadEntry[] = "statuslist.bad-entry";
inline constexpr char kStatusListBadCredential[] = "statuslist.bad-credential";
inline constexpr char kStatusListMismatch[] = "statuslist.mismatch";

class Bitstring {
 public:
  // The spec's minimum: 16 KiB uncompressed (section 3.1).
  static constexpr std::size_t kMinBits = 131072;
  // Decode's default cap on the decompressed size (a zip-bomb guard).
  static constexpr std::size_t kDefaultMaxBytes = std::size_t{16} << 20;

  // All bits clear. kInvalidArgument (kStatusListBadSize) unless `num_bits`
  // is a multiple of 8 in [kMinBits, 8 * kDefaultMaxBytes].
  static Result<Bitstring> Create(std::size_t num_bits = kMinBits);

  // The Bitstring Expansion Algorithm: 'u' + base64url (no padding) of GZIP
  // data that inflates to at least 16 KiB and at most `max_bytes`, as one
  // gzip member with nothing after it. kInvalidArgument (kStatusListMalformed)
  // otherwise, without inflating more than max_bytes + one 64 KiB chunk.
  static Result<Bitstring> Decode(std::string_view encoded_list,
                                  std::size_t max_bytes = kDefaultMaxBytes);

  // The Bitstring Generation Algorithm: 'u' + base64url(gzip(bytes)).
  // Deterministic (gzip header with mtime 0). kInternal if zlib fails.
  Result<std::string> Encode() const;

  std::size_t size() const { return bytes_.size() * 8; }  // in bits
  // Bit `index` (0 = most significant bit of byte 0). kInvalidArgument
  // (kStatusListIndexOutOfRange) if index >= size().
  Result<bool> Get(uint64_t index) const;
  Status Set(uint64_t index, bool value);

  // The `status_size`-bit status of entry `index`: bits [index * status_size,
  // (index + 1) * status_size), the first of them the most significant bit of
  // the value (spec 2.1 statusSize). REQUIRES nothing: kInvalidArgument
  // (kStatusListIndexOutOfRange) if out of range, (kStatusListBadSize) unless
  // 1 <= status_size <= 32 or if `value` does not fit.
  Result<uint32_t> GetStatus(uint64_t index, unsigned status_size) const;
  Status SetStatus(uint64_t index, unsigned status_size, uint32_t value);

  // How many bits are set.
  std::size_t CountSet() const;
  // The raw bitstring (size() / 8 bytes).
  const std::string& bytes() const { return bytes_; }

 private:
  explicit Bitstring(std::string bytes) : bytes_(std::move(bytes)) {}
  std::string bytes_;
};

// One element of statusMessage (section 2.1): `status` is the value as
// written ("0x2") and `value` its number.
struct StatusMessage {
  std::string status;
  uint32_t value = 0;
  std::string message;
};

// A validated BitstringStatusListEntry (section 2.1).
struct StatusListEntry {
  std::string id;  // optional in the spec; empty when absent
  std::string status_purpose;
  uint64_t status_list_index = 0;
  std::string status_list_credential;
  unsigned status_size = 1;
  std::vector<StatusMessage> status_messages;
};

// Parses a `credentialStatus` object of type BitstringStatusListEntry.
// Strict: statusListIndex is a base-10 string of digits without leading zeros
// that fits in 64 bits; statusListCredential is an absolute URL; statusSize,
// when present, an integer in [1, 32]; statusMessage is required when
// statusSize > 1 and then has exactly 2^statusSize {status, message} entries.
// kInvalidArgument (kStatusListBadEntry, with the failing field) otherwise.
Result<StatusListEntry> ParseStatusListEntry(const Json& credential_status);

// The parts of a BitstringStatusListCredential (section 2.2) that status
// checks need. Its proof, validity period and issuer are the caller's to
// check (VerifyProof, etc.) before trusting it.
struct StatusListCredential {
  std::string id;
  std::vector<std::string> status_purposes;
  Bitstring list;
  std::optional<uint64_t> ttl_ms;  // credentialSubject.ttl, milliseconds
};

// The unsigned BitstringStatusListCredential (section 2.2) for list URL `id`,
// purpose "revocation", to be signed by `issuer` with crypto::AddProof.
Json MakeStatusListCredential(const std::string& id, const std::string& issuer,
                              const std::string& valid_from, const std::string& encoded_list);

// Parses a BitstringStatusListCredential: `type` includes
// "BitstringStatusListCredential", credentialSubject.type is
// "BitstringStatusList", statusPurpose is a string or array of strings, and
// encodedList decodes (Bitstring::Decode with `max_bytes`).
// kInvalidArgument: kStatusListBadCredential, or kStatusListMalformed for the
// encodedList.
Result<StatusListCredential> ParseStatusListCredential(
    const Json& credential, std::size_t max_bytes = Bitstring::kDefaultMaxBytes);

// The Validate Algorithm's lookup: the status value of `entry` in `list`.
// kInvalidArgument: kStatusListMismatch if entry.statusListCredential is not
// list.id or entry.statusPurpose is not one of list's purposes;
// kStatusListIndexOutOfRange if the index is past the end of the list.
// For statusSize 1, a result of 1 means the purpose applies (e.g. revoked).
Result<uint32_t> LookupStatus(const StatusListEntry& entry, const StatusListCredential& list);

}  // namespace certledger::crypto

#endif  // CERTLEDGER_CRYPTO_STATUS_LIST_H_
