#include "crypto/status_list.h"

#include <random>
#include <set>
#include <string>

#include <zlib.h>
#include <catch2/catch.hpp>

#include "crypto/encoding.h"
#include "crypto/json.h"
#include "tests/test_util.h"

namespace certledger::crypto {
namespace {

using testing::ReadFile;
using testing::SharedPath;

// gzip (windowBits 15 + 16) or zlib (15) compression of `data`.
std::string Compress(std::string_view data, bool gzip) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, gzip ? 31 : 15, 8,
                       Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, data.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string EncodeRaw(std::string_view bytes) {
  return MultibaseEncode(Multibase::kBase64Url, Compress(bytes, /*gzip=*/true));
}

std::string DecodeSlug(std::string_view encoded, std::size_t max = Bitstring::kDefaultMaxBytes) {
  auto r = Bitstring::Decode(encoded, max);
  return r.ok() ? std::string("ok") : r.status().slug();
}

Json J(std::string_view text) {
  auto j = ParseJson(text);
  REQUIRE(j.ok());
  return *j;
}

Bitstring NewList(std::size_t bits = Bitstring::kMinBits) {
  auto b = Bitstring::Create(bits);
  REQUIRE(b.ok());
  return std::move(b).value();
}

TEST_CASE("status list: 131,072 random bits survive encode and decode", "[crypto]") {
  Bitstring list = NewList();
  CHECK(list.size() == 131072);
  CHECK(list.CountSet() == 0);
  std::mt19937_64 rng(20250101);
  std::set<uint64_t> set;
  for (int i = 0; i < 2000; ++i) set.insert(rng() % list.size());
  set.insert(0);
  set.insert(list.size() - 1);
  for (uint64_t i : set) REQUIRE(list.Set(i, true).ok());
  CHECK(list.CountSet() == set.size());

  auto encoded = list.Encode();
  REQUIRE(encoded.ok());
  CHECK(encoded->rfind("uH4sI", 0) == 0);  // 'u' + base64url of 1f 8b 08
  auto decoded = Bitstring::Decode(*encoded);
  INFO(decoded.status().ToString());
  REQUIRE(decoded.ok());
  CHECK(decoded->bytes() == list.bytes());
  for (uint64_t i = 0; i < list.size(); ++i) {
    if (*decoded->Get(i) != (set.count(i) == 1)) FAIL("bit " << i);
  }
  // Encoding is deterministic.
  CHECK(*list.Encode() == *encoded);
  // Clearing works too.
  REQUIRE(list.Set(0, false).ok());
  CHECK_FALSE(*list.Get(0));
  CHECK(list.CountSet() == set.size() - 1);
}

TEST_CASE("status list: bit 0 is the most significant bit of the first byte", "[crypto]") {
  Bitstring list = NewList();
  REQUIRE(list.Set(0, true).ok());
  REQUIRE(list.Set(7, true).ok());
  REQUIRE(list.Set(9, true).ok());
  CHECK(static_cast<uint8_t>(list.bytes()[0]) == 0x81);
  CHECK(static_cast<uint8_t>(list.bytes()[1]) == 0x40);
  CHECK(list.CountSet() == 3);

  // And the other way: a raw list with byte 0 = 0x10 has only bit 3 set.
  std::string raw(16384, '\0');
  raw[0] = 0x10;
  auto decoded = Bitstring::Decode(EncodeRaw(raw));
  REQUIRE(decoded.ok());
  CHECK(*decoded->Get(3));
  CHECK(decoded->CountSet() == 1);
}

TEST_CASE("status list: the Digital Bazaar list has only bit 7 set", "[crypto]") {
  auto vc = ParseJson(ReadFile(SharedPath("vectors/vc/didweb/site/status/revocation-1.json")));
  REQUIRE(vc.ok());
  auto list = Bitstring::Decode((*vc)["credentialSubject"]["encodedList"].get<std::string>());
  REQUIRE(list.ok());
  CHECK(list->size() == 131072);
  CHECK(list->CountSet() == 1);
  CHECK(*list->Get(7));
  CHECK(static_cast<uint8_t>(list->bytes()[0]) == 0x01);
  // Our encoder writes the same bytes as theirs (zlib defaults, mtime 0).
  Bitstring ours = NewList();
  REQUIRE(ours.Set(7, true).ok());
  CHECK(ours.bytes() == list->bytes());
}

TEST_CASE("status list: multi-bit statuses read most significant bit first", "[crypto]") {
  Bitstring list = NewList();
  REQUIRE(list.SetStatus(5, 2, 0b10).ok());
  CHECK(*list.Get(10));
  CHECK_FALSE(*list.Get(11));
  CHECK(*list.GetStatus(5, 2) == 2);
  CHECK(*list.GetStatus(4, 2) == 0);
  REQUIRE(list.SetStatus(0, 32, 0xdeadbeef).ok());
  CHECK(*list.GetStatus(0, 32) == 0xdeadbeefu);
  CHECK(list.SetStatus(1, 2, 4).slug() == kStatusListBadSize);
  CHECK(list.GetStatus(1, 0).status().slug() == kStatusListBadSize);
  CHECK(list.GetStatus(1, 33).status().slug() == kStatusListBadSize);
  CHECK(list.GetStatus(65536, 2).status().slug() == kStatusListIndexOutOfRange);
  CHECK(list.GetStatus(65535, 2).ok());
}

TEST_CASE("status list: indexes past the end are refused", "[crypto]") {
  Bitstring list = NewList();
  CHECK(list.Get(131072).status().slug() == kStatusListIndexOutOfRange);
  CHECK(list.Set(131072, true).slug() == kStatusListIndexOutOfRange);
  CHECK(list.Get(~uint64_t{0}).status().slug() == kStatusListIndexOutOfRange);
  CHECK(list.Get(131071).ok());
}

TEST_CASE("status list: sizes under 16 KiB or not whole bytes cannot be created", "[crypto]") {
  CHECK(Bitstring::Create(131064).status().slug() == kStatusListBadSize);
  CHECK(Bitstring::Create(131073).status().slug() == kStatusListBadSize);
  CHECK(Bitstring::Create(0).status().slug() == kStatusListBadSize);
  CHECK(Bitstring::Create((Bitstring::kDefaultMaxBytes + 1) * 8).status().slug() ==
        kStatusListBadSize);
  auto big = Bitstring::Create(1 << 20);
  REQUIRE(big.ok());
  CHECK(big->size() == (1u << 20));
}

TEST_CASE("status list: non-gzip, short, trailing and oversized payloads are malformed",
          "[crypto]") {
  const std::string raw(16384, '\0');
  const std::string gz = Compress(raw, /*gzip=*/true);
  CHECK(DecodeSlug(EncodeRaw(raw)) == "ok");
  CHECK(DecodeSlug("") == kStatusListMalformed);
  // Wrong multibase: base58btc of the same gzip bytes; and padding.
  CHECK(DecodeSlug(MultibaseEncode(Multibase::kBase58Btc, gz)) == kStatusListMalformed);
  CHECK(DecodeSlug(MultibaseEncode(Multibase::kBase64Url, gz) + "=") == kStatusListMalformed);
  // zlib-wrapped (RFC 1950) and raw bytes are not GZIP.
  CHECK(DecodeSlug(MultibaseEncode(Multibase::kBase64Url, Compress(raw, false))) ==
        kStatusListMalformed);
  CHECK(DecodeSlug(MultibaseEncode(Multibase::kBase64Url, raw)) == kStatusListMalformed);
  // Truncated, corrupted, or followed by more data.
  CHECK(DecodeSlug(MultibaseEncode(Multibase::kBase64Url, gz.substr(0, gz.size() - 4))) ==
        kStatusListMalformed);
  std::string corrupt = gz;
  corrupt[corrupt.size() - 6] ^= 0x55;  // the CRC32
  CHECK(DecodeSlug(MultibaseEncode(Multibase::kBase64Url, corrupt)) == kStatusListMalformed);
  CHECK(DecodeSlug(MultibaseEncode(Multibase::kBase64Url, gz + gz)) == kStatusListMalformed);
  CHECK(DecodeSlug(MultibaseEncode(Multibase::kBase64Url, gz + "x")) == kStatusListMalformed);
  // Shorter than 16 KiB.
  CHECK(DecodeSlug(EncodeRaw(std::string(16383, '\0'))) == kStatusListMalformed);
  CHECK(DecodeSlug(EncodeRaw("")) == kStatusListMalformed);
  // A zip bomb: 64 MiB of zeros is ~64 KiB compressed; refused at the cap.
  const std::string bomb = EncodeRaw(std::string(std::size_t{64} << 20, '\0'));
  CHECK(bomb.size() < 200000);
  auto r = Bitstring::Decode(bomb);
  CHECK(r.status().slug() == kStatusListMalformed);
  CHECK(r.status().message().find("more than") != std::string::npos);
  // The cap is the caller's to lower.
  CHECK(DecodeSlug(EncodeRaw(std::string(32768, '\0')), 16384) == kStatusListMalformed);
  CHECK(DecodeSlug(EncodeRaw(std::string(32768, '\0')), 32768) == "ok");
}

Json Entry() {
  return J(R"({
    "id": "https://registry.example/status/revocation-1.json#7",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "7",
    "statusListCredential": "https://registry.example/status/revocation-1.json"
  })");
}

TEST_CASE("status entry: a BitstringStatusListEntry parses with its fields", "[crypto]") {
  auto e = ParseStatusListEntry(Entry());
  INFO(e.status().ToString());
  REQUIRE(e.ok());
  CHECK(e->id == "https://registry.example/status/revocation-1.json#7");
  CHECK(e->status_purpose == "revocation");
  CHECK(e->status_list_index == 7);
  CHECK(e->status_list_credential == "https://registry.example/status/revocation-1.json");
  CHECK(e->status_size == 1);
  CHECK(e->status_messages.empty());

  Json big = Entry();
  big["statusListIndex"] = "18446744073709551615";
  CHECK(ParseStatusListEntry(big)->status_list_index == ~uint64_t{0});
  Json no_id = Entry();
  no_id.erase("id");
  CHECK(ParseStatusListEntry(no_id).ok());

  Json multi = Entry();
  multi["statusPurpose"] = "message";
  multi["statusSize"] = 2;
  multi["statusMessage"] = J(R"([{"status":"0x0","message":"valid"},
    {"status":"0x1","message":"pending"},{"status":"0x2","message":"suspended"},
    {"status":"0X3","message":"revoked"}])");
  auto m = ParseStatusListEntry(multi);
  INFO(m.status().ToString());
  REQUIRE(m.ok());
  CHECK(m->status_size == 2);
  REQUIRE(m->status_messages.size() == 4);
  CHECK(m->status_messages[3].value == 3);
  CHECK(m->status_messages[2].message == "suspended");
}

TEST_CASE("status entry: malformed entries are statuslist.bad-entry with the field", "[crypto]") {
  auto field = [](const Json& j) {
    auto r = ParseStatusListEntry(j);
    if (r.ok()) return std::string("ok");
    CHECK(r.status().slug() == kStatusListBadEntry);
    return r.status().field();
  };
  auto with = [](const char* key, Json value) {
    Json j = Entry();
    j[key] = std::move(value);
    return j;
  };
  auto without = [](const char* key) {
    Json j = Entry();
    j.erase(key);
    return j;
  };
  CHECK(field(Json::array()) == "/credentialStatus/");
  CHECK(field(with("type", "StatusList2021Entry")) == "/credentialStatus/type");
  CHECK(field(without("statusPurpose")) == "/credentialStatus/statusPurpose");
  CHECK(field(with("statusPurpose", "")) == "/credentialStatus/statusPurpose");
  for (Json bad : {Json(7), Json(""), Json("-1"), Json("07"), Json("1.0"), Json(" 7"), Json("0x7"),
                   Json("18446744073709551616"), Json("99999999999999999999")}) {
    INFO(bad.dump());
    CHECK(field(with("statusListIndex", bad)) == "/credentialStatus/statusListIndex");
  }
  CHECK(field(with("statusListIndex", "0")) == "ok");
  CHECK(field(without("statusListCredential")) == "/credentialStatus/statusListCredential");
  CHECK(field(with("statusListCredential", "revocation-1.json")) ==
        "/credentialStatus/statusListCredential");
  CHECK(field(with("statusListCredential", "https://a.example/x y")) ==
        "/credentialStatus/statusListCredential");
  CHECK(field(with("id", 5)) == "/credentialStatus/id");
  for (Json bad : {Json(0), Json(33), Json(1.5), Json("1"), Json(-1)}) {
    INFO(bad.dump());
    CHECK(field(with("statusSize", bad)) == "/credentialStatus/statusSize");
  }
  CHECK(field(with("statusSize", 1)) == "ok");
  // statusSize > 1 needs 2^statusSize messages.
  CHECK(field(with("statusSize", 2)) == "/credentialStatus/statusMessage");
  Json two = with("statusSize", 1);
  two["statusMessage"] = J(R"([{"status":"0x0","message":"valid"}])");
  CHECK(field(two) == "/credentialStatus/statusMessage");
  two["statusMessage"].push_back(J(R"({"status":"1","message":"revoked"})"));
  CHECK(field(two) == "/credentialStatus/statusMessage/1");
  two["statusMessage"][1]["status"] = "0x1";
  CHECK(field(two) == "ok");
}

Json ListCredential(const std::string& encoded) {
  Json j = J(R"({
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "id": "https://registry.example/status/revocation-1.json",
    "type": ["VerifiableCredential", "BitstringStatusListCredential"],
    "issuer": "did:web:registry.example",
    "credentialSubject": {
      "id": "https://registry.example/status/revocation-1.json#list",
      "type": "BitstringStatusList",
      "statusPurpose": "revocation"
    }
  })");
  j["credentialSubject"]["encodedList"] = encoded;
  return j;
}

TEST_CASE("status list credential: lookups check the list URL, purpose and range", "[crypto]") {
  Bitstring bits = NewList();
  REQUIRE(bits.Set(7, true).ok());
  const std::string encoded = *bits.Encode();
  auto list = ParseStatusListCredential(ListCredential(encoded));
  INFO(list.status().ToString());
  REQUIRE(list.ok());
  CHECK(list->status_purposes == std::vector<std::string>{"revocation"});
  CHECK_FALSE(list->ttl_ms.has_value());

  auto entry = ParseStatusListEntry(Entry());
  REQUIRE(entry.ok());
  CHECK(*LookupStatus(*entry, *list) == 1);
  entry->status_list_index = 3;
  CHECK(*LookupStatus(*entry, *list) == 0);
  entry->status_list_index = 131072;
  CHECK(LookupStatus(*entry, *list).status().slug() == kStatusListIndexOutOfRange);
  entry->status_list_index = 3;
  entry->status_purpose = "suspension";
  CHECK(LookupStatus(*entry, *list).status().slug() == kStatusListMismatch);
  entry->status_purpose = "revocation";
  entry->status_list_credential = "https://registry.example/status/revocation-2.json";
  CHECK(LookupStatus(*entry, *list).status().slug() == kStatusListMismatch);

  Json both = ListCredential(encoded);
  both["credentialSubject"]["statusPurpose"] = Json::array({"revocation", "suspension"});
  both["credentialSubject"]["ttl"] = 300000;
  auto multi = ParseStatusListCredential(both);
  REQUIRE(multi.ok());
  CHECK(multi->status_purposes.size() == 2);
  CHECK(multi->ttl_ms == 300000u);
}

TEST_CASE("status list credential: wrong types and bad lists are refused", "[crypto]") {
  const std::string encoded = *NewList().Encode();
  auto slug = [](const Json& j) {
    auto r = ParseStatusListCredential(j);
    return r.ok() ? std::string("ok") : r.status().slug();
  };
  CHECK(slug(ListCredential(encoded)) == "ok");
  Json j = ListCredential(encoded);
  j["type"] = "VerifiableCredential";
  CHECK(slug(j) == kStatusListBadCredential);
  j = ListCredential(encoded);
  j["credentialSubject"]["type"] = "StatusList2021";
  CHECK(slug(j) == kStatusListBadCredential);
  j = ListCredential(encoded);
  j["credentialSubject"]["statusPurpose"] = Json::array({"revocation", 3});
  CHECK(slug(j) == kStatusListBadCredential);
  j = ListCredential(encoded);
  j["credentialSubject"]["ttl"] = -5;
  CHECK(slug(j) == kStatusListBadCredential);
  j = ListCredential(encoded);
  j["credentialSubject"].erase("encodedList");
  CHECK(slug(j) == kStatusListBadCredential);
  CHECK(slug(ListCredential("uH4sI")) == kStatusListMalformed);
  CHECK(slug(Json::array()) == kStatusListBadCredential);
}

}  // namespace
}  // namespace certledger::crypto
