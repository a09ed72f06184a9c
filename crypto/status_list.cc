#include "crypto/status_list.h"

#include <bit>
#include <limits>
#include <utility>

#include <zlib.h>

#include "crypto/encoding.h"

namespace certledger::crypto {
namespace {

constexpr std::size_t kMinBytes = Bitstring::kMinBits / 8;
constexpr std::size_t kInflateChunk = 64 * 1024;
constexpr unsigned kMaxStatusSize = 32;

Status ListMalformed(std::string message) {
  return Status::InvalidArgument(kStatusListMalformed, std::move(message));
}

Status OutOfRange(uint64_t index, std::size_t bits) {
  return Status::InvalidArgument(kStatusListIndexOutOfRange,
                                 "status list index " + std::to_string(index) +
                                     " is outside a list of " + std::to_string(bits) + " bits");
}

// Owns a z_stream for inflate or deflate and ends it exactly once.
class ZStream {
 public:
  explicit ZStream(bool inflate) : inflate_(inflate) {}
  ~ZStream() {
    if (!ready_) return;
    if (inflate_) {
      inflateEnd(&zs_);
    } else {
      deflateEnd(&zs_);
    }
  }
  ZStream(const ZStream&) = delete;
  ZStream& operator=(const ZStream&) = delete;

  // windowBits 15 + 16: a gzip wrapper (RFC 1952), not zlib and not
  // auto-detected (zlib manual, deflateInit2 / inflateInit2).
  bool Init() {
    int rc = inflate_ ? inflateInit2(&zs_, 15 + 16)
                      : deflateInit2(&zs_, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                                     Z_DEFAULT_STRATEGY);
    ready_ = rc == Z_OK;
    return ready_;
  }
  z_stream* get() { return &zs_; }

 private:
  const bool inflate_;
  bool ready_ = false;
  z_stream zs_{};
};

// An absolute URL: RFC 3986 scheme ":" and something after it.
bool IsAbsoluteUrl(std::string_view s) {
  std::size_t colon = s.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 == s.size()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(s[0])) return false;
  for (std::size_t i = 1; i < colon; ++i) {
    char c = s[i];
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return false;
  }
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= 0x20) return false;
  }
  return true;
}

Status BadEntry(std::string message, std::string field) {
  return Status::InvalidArgument(kStatusListBadEntry, std::move(message))
      .WithField("/credentialStatus/" + field);
}

Status BadCredential(std::string message, std::string field) {
  return Status::InvalidArgument(kStatusListBadCredential, std::move(message))
      .WithField(std::move(field));
}

const std::string* StringMember(const Json& obj, const char* key) {
  const Json* v = FindMember(obj, key);
  return v != nullptr ? v->get_ptr<const std::string*>() : nullptr;
}

// True if `type` is `name` or an array containing it.
bool HasType(const Json* type, std::string_view name) {
  if (type == nullptr) return false;
  if (const auto* s = type->get_ptr<const std::string*>()) return *s == name;
  if (!type->is_array()) return false;
  for (const Json& t : *type) {
    if (const auto* s = t.get_ptr<const std::string*>(); s != nullptr && *s == name) return true;
  }
  return false;
}

// statusMessage.status: "0x" + lowercase or uppercase hex digits.
bool ParseHexStatus(std::string_view s, uint32_t* out) {
  if (s.size() < 3 || s.size() > 10 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return false;
  uint32_t v = 0;
  for (std::size_t i = 2; i < s.size(); ++i) {
    char c = s[i];
    int d = (c >= '0' && c <= '9')   ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : -1;
    if (d < 0) return false;
    v = (v << 4) | uint32_t(d);
  }
  *out = v;
  return true;
}

}  // namespace

Result<Bitstring> Bitstring::Create(std::size_t num_bits) {
  if (num_bits % 8 != 0 || num_bits < kMinBits || num_bits / 8 > kDefaultMaxBytes) {
    return Status::InvalidArgument(
        kStatusListBadSize, "a status list has a multiple of 8 bits, from 131,072 (16 KiB) to " +
                                std::to_string(kDefaultMaxBytes * 8) + "; got " +
                                std::to_string(num_bits));
  }
  return Bitstring(std::string(num_bits / 8, '\0'));
}

// Bitstring Expansion Algorithm.
Result<Bitstring> Bitstring::Decode(std::string_view encoded_list, std::size_t max_bytes) {
  if (encoded_list.empty() || encoded_list[0] != 'u') {
    return ListMalformed("encodedList must be multibase base64url (prefix 'u')");
  }
  auto compressed = Base64UrlDecode(encoded_list.substr(1));
  if (!compressed.ok()) {
    return ListMalformed("encodedList is not base64url: " + compressed.status().message());
  }
  // RFC 1952 section 2.3.1: ID1 = 31, ID2 = 139, CM = 8 (deflate).
  if (compressed->size() < 18 || static_cast<uint8_t>((*compressed)[0]) != 0x1f ||
      static_cast<uint8_t>((*compressed)[1]) != 0x8b || (*compressed)[2] != 8) {
    return ListMalformed("encodedList is not GZIP data");
  }
  ZStream zs(/*inflate=*/true);
  if (!zs.Init()) return Status::Internal("statuslist.zlib", "inflateInit2 failed");
  z_stream* s = zs.get();
  s->next_in = reinterpret_cast<Bytef*>(compressed->data());
  s->avail_in = static_cast<uInt>(compressed->size());
  std::string out;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (out.size() > max_bytes) {
      return ListMalformed("encodedList inflates to more than " + std::to_string(max_bytes) +
                           " bytes");
    }
    std::size_t have = out.size();
    out.resize(have + kInflateChunk);
    s->next_out = reinterpret_cast<Bytef*>(out.data() + have);
    s->avail_out = static_cast<uInt>(kInflateChunk);
    rc = inflate(s, Z_NO_FLUSH);
    out.resize(have + (kInflateChunk - s->avail_out));
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK) {
      // Z_BUF_ERROR here means the input ended before the gzip trailer.
      return ListMalformed(std::string("encodedList is not valid GZIP data (") +
                           (s->msg != nullptr ? s->msg : "truncated") + ")");
    }
  }
  if (out.size() > max_bytes) {
    return ListMalformed("encodedList inflates to more than " + std::to_string(max_bytes) +
                         " bytes");
  }
  if (s->avail_in != 0) return ListMalformed("encodedList has data after the GZIP member");
  if (out.size() < kMinBytes) {
    return ListMalformed("the status list is " + std::to_string(out.size()) +
                         " bytes; the minimum is 16 KiB (131,072 entries)");
  }
  return Bitstring(std::move(out));
}

// Bitstring Generation Algorithm (section 3.1).
Result<std::string> Bitstring::Encode() const {
  ZStream zs(/*inflate=*/false);
  if (!zs.Init()) return Status::Internal("statuslist.zlib", "deflateInit2 failed");
  z_stream* s = zs.get();
  std::string out(deflateBound(s, static_cast<uLong>(bytes_.size())), '\0');
  s->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes_.data()));
  s->avail_in = static_cast<uInt>(bytes_.size());
  s->next_out = reinterpret_cast<Bytef*>(out.data());
  s->avail_out = static_cast<uInt>(out.size());
  if (deflate(s, Z_FINISH) != Z_STREAM_END) {
    return Status::Internal("statuslist.zlib", "deflate did not finish");
  }
  out.resize(s->total_out);
  return MultibaseEncode(Multibase::kBase64Url, out);
}

Result<bool> Bitstring::Get(uint64_t index) const {
  if (index >= size()) return OutOfRange(index, size());
  return ((static_cast<uint8_t>(bytes_[index / 8]) >> (7 - index % 8)) & 1) != 0;
}

Status Bitstring::Set(uint64_t index, bool value) {
  if (index >= size()) return OutOfRange(index, size());
  const auto mask = static_cast<uint8_t>(0x80u >> (index % 8));
  auto& byte = reinterpret_cast<uint8_t&>(bytes_[index / 8]);
  byte = value ? (byte | mask) : (byte & ~mask);
  return Status::Ok();
}

Result<uint32_t> Bitstring::GetStatus(uint64_t index, unsigned status_size) const {
  if (status_size == 0 || status_size > kMaxStatusSize) {
    return Status::InvalidArgument(kStatusListBadSize, "statusSize must be in [1, 32]");
  }
  if (index >= size() / status_size) return OutOfRange(index, size());
  uint32_t v = 0;
  for (unsigned i = 0; i < status_size; ++i) {
    CERTLEDGER_ASSIGN_OR_RETURN(bool bit, Get(index * status_size + i));
    v = (v << 1) | uint32_t(bit);
  }
  return v;
}

Status Bitstring::SetStatus(uint64_t index, unsigned status_size, uint32_t value) {
  if (status_size == 0 || status_size > kMaxStatusSize ||
      (status_size < 32 && (value >> status_size) != 0)) {
    return Status::InvalidArgument(kStatusListBadSize,
                                   "statusSize must be in [1, 32] and hold the value");
  }
  if (index >= size() / status_size) return OutOfRange(index, size());
  for (unsigned i = 0; i < status_size; ++i) {
    CERTLEDGER_RETURN_IF_ERROR(
        Set(index * status_size + i, ((value >> (status_size - 1 - i)) & 1) != 0));
  }
  return Status::Ok();
}

std::size_t Bitstring::CountSet() const {
  std::size_t n = 0;
  for (char c : bytes_) n += std::popcount(static_cast<uint8_t>(c));
  return n;
}

// Section 2.1 BitstringStatusListEntry.
Result<StatusListEntry> ParseStatusListEntry(const Json& cs) {
  if (!cs.is_object()) return BadEntry("credentialStatus must be an object", "");
  StatusListEntry e;
  if (const Json* id = FindMember(cs, "id")) {
    const auto* s = id->get_ptr<const std::string*>();
    if (s == nullptr || !IsAbsoluteUrl(*s)) return BadEntry("id must be a URL", "id");
    e.id = *s;
  }
  const auto* type = StringMember(cs, "type");
  if (type == nullptr || *type != "BitstringStatusListEntry") {
    return BadEntry("type must be \"BitstringStatusListEntry\"", "type");
  }
  const auto* purpose = StringMember(cs, "statusPurpose");
  if (purpose == nullptr || purpose->empty()) {
    return BadEntry("statusPurpose must be a non-empty string", "statusPurpose");
  }
  e.status_purpose = *purpose;
  // "an arbitrary size integer greater than or equal to 0, expressed as a
  // string in base 10"; we take the canonical spelling that fits in 64 bits.
  const auto* index = StringMember(cs, "statusListIndex");
  if (index == nullptr || index->empty() || index->size() > 20 ||
      (index->size() > 1 && (*index)[0] == '0')) {
    return BadEntry("statusListIndex must be a base-10 string without leading zeros",
                    "statusListIndex");
  }
  uint64_t v = 0;
  for (char c : *index) {
    if (c < '0' || c > '9') {
      return BadEntry("statusListIndex must contain only digits", "statusListIndex");
    }
    auto d = uint64_t(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) {
      return BadEntry("statusListIndex is too large", "statusListIndex");
    }
    v = v * 10 + d;
  }
  e.status_list_index = v;
  const auto* url = StringMember(cs, "statusListCredential");
  if (url == nullptr || !IsAbsoluteUrl(*url)) {
    return BadEntry("statusListCredential must be a URL", "statusListCredential");
  }
  e.status_list_credential = *url;
  if (const Json* size = FindMember(cs, "statusSize")) {
    if (!size->is_number_integer() || size->get<int64_t>() < 1 ||
        size->get<int64_t>() > int64_t{kMaxStatusSize}) {
      return BadEntry("statusSize must be an integer from 1 to 32", "statusSize");
    }
    e.status_size = static_cast<unsigned>(size->get<int64_t>());
  }
  const Json* messages = FindMember(cs, "statusMessage");
  if (messages == nullptr) {
    if (e.status_size > 1) {
      return BadEntry("statusMessage must be present when statusSize > 1", "statusMessage");
    }
    return e;
  }
  if (!messages->is_array() || e.status_size >= 31 ||
      messages->size() != (std::size_t{1} << e.status_size)) {
    return BadEntry("statusMessage must be an array of 2^statusSize entries", "statusMessage");
  }
  for (std::size_t i = 0; i < messages->size(); ++i) {
    const Json& m = (*messages)[i];
    const auto* status = StringMember(m, "status");
    const auto* message = StringMember(m, "message");
    StatusMessage sm;
    if (status == nullptr || message == nullptr || !ParseHexStatus(*status, &sm.value)) {
      return BadEntry("each statusMessage needs a hex \"status\" (\"0x1\") and a \"message\"",
                      "statusMessage/" + std::to_string(i));
    }
    sm.status = *status;
    sm.message = *message;
    e.status_messages.push_back(std::move(sm));
  }
  return e;
}

// Section 2.2 BitstringStatusListCredential.
Result<StatusListCredential> ParseStatusListCredential(const Json& credential,
                                                       std::size_t max_bytes) {
  if (!credential.is_object()) return BadCredential("a credential must be an object", "");
  if (!HasType(FindMember(credential, "type"), "BitstringStatusListCredential")) {
    return BadCredential("type must include \"BitstringStatusListCredential\"", "/type");
  }
  std::string id;
  if (const auto* s = StringMember(credential, "id")) id = *s;
  const Json* subject = FindMember(credential, "credentialSubject");
  if (subject == nullptr || !subject->is_object()) {
    return BadCredential("credentialSubject must be an object", "/credentialSubject");
  }
  if (!HasType(FindMember(*subject, "type"), "BitstringStatusList")) {
    return BadCredential("credentialSubject.type must be \"BitstringStatusList\"",
                         "/credentialSubject/type");
  }
  std::vector<std::string> purposes;
  const Json* purpose = FindMember(*subject, "statusPurpose");
  if (purpose != nullptr && purpose->is_string()) {
    purposes.push_back(purpose->get<std::string>());
  } else if (purpose != nullptr && purpose->is_array()) {
    for (const Json& p : *purpose) {
      if (!p.is_string()) break;
      purposes.push_back(p.get<std::string>());
    }
    if (purposes.size() != purpose->size()) purposes.clear();
  }
  if (purposes.empty()) {
    return BadCredential("credentialSubject.statusPurpose must be a string or strings",
                         "/credentialSubject/statusPurpose");
  }
  std::optional<uint64_t> ttl;
  if (const Json* t = FindMember(*subject, "ttl")) {
    if (!t->is_number_integer() || (!t->is_number_unsigned() && t->get<int64_t>() < 0)) {
      return BadCredential("credentialSubject.ttl must be a non-negative integer",
                           "/credentialSubject/ttl");
    }
    ttl = t->get<uint64_t>();
  }
  const auto* encoded = StringMember(*subject, "encodedList");
  if (encoded == nullptr) {
    return BadCredential("credentialSubject.encodedList must be a string",
                         "/credentialSubject/encodedList");
  }
  auto list = Bitstring::Decode(*encoded, max_bytes);
  if (!list.ok()) return list.status().WithField("/credentialSubject/encodedList");
  return StatusListCredential{std::move(id), std::move(purposes), std::move(list).value(), ttl};
}

// Validate Algorithm: match the entry to the list, then read its bits.
Result<uint32_t> LookupStatus(const StatusListEntry& entry, const StatusListCredential& list) {
  if (entry.status_list_credential != list.id) {
    return Status::InvalidArgument(kStatusListMismatch,
                                   "the entry points at \"" + entry.status_list_credential +
                                       "\", not at this list (\"" + list.id + "\")");
  }
  bool purpose_ok = false;
  for (const auto& p : list.status_purposes) purpose_ok |= p == entry.status_purpose;
  if (!purpose_ok) {
    return Status::InvalidArgument(
        kStatusListMismatch, "the list has no statusPurpose \"" + entry.status_purpose + "\"");
  }
  return list.list.GetStatus(entry.status_list_index, entry.status_size);
}

Json MakeStatusListCredential(const std::string& id, const std::string& issuer,
                              const std::string& valid_from, const std::string& encoded_list) {
  return Json{{"@context", Json::array({"https://www.w3.org/ns/credentials/v2"})},
              {"id", id},
              {"type", Json::array({"VerifiableCredential", "BitstringStatusListCredential"})},
              {"issuer", issuer},
              {"validFrom", valid_from},
              {"credentialSubject",
               {{"id", id + "#list"},
                {"type", "BitstringStatusList"},
                {"statusPurpose", "revocation"},
                {"encodedList", encoded_list}}}};
}

}  // namespace certledger::crypto
