// Credential verification benchmark (issue: foundation and crypto/).
//
// Prints, in one run on this machine: credentials verified per second
// in-process (RFC 8785 canonicalization of the proof options and of a
// realistic Open Badges 3.0 certificate, two SHA-256, Ed25519 verify) next to
// bare libsodium crypto_sign_verify_detached per second, as a ratio.
// Goal: >= 0.75 (the reference JavaScript stack reaches about 1/6).
//
// Usage: verify_bench [--seconds S]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <sodium.h>

#include "crypto/data_integrity.h"
#include "crypto/ed25519.h"
#include "crypto/json.h"
#include "crypto/random.h"

using namespace certledger;
using Clock = std::chrono::steady_clock;

namespace {

// A completion certificate shaped like the registry's (OB 3.0), ~2 KB.
Json Certificate() {
  return Json::parse(R"({
  "@context": ["https://www.w3.org/ns/credentials/v2",
               "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
               "https://cert.example.ru/contexts/v1.json"],
  "id": "https://cert.example.ru/v/7KQ2-M9XH-4TPA-ZR3C",
  "type": ["VerifiableCredential", "OpenBadgeCredential"],
  "issuer": {"id": "did:web:cert.example.ru:issuers:demo", "type": ["Profile"],
             "name": "АНО ДПО «Цифровая академия»"},
  "validFrom": "2026-06-30T09:00:00Z",
  "name": "Удостоверение о повышении квалификации",
  "credentialSubject": {
    "type": ["AchievementSubject"],
    "identifier": [{"type": "IdentityObject", "identityHash": "sha256$4b227777d4dd1fc61c6f884f48641d02b4d121d3fd328cb08b5531fcacdabf8a",
                    "identityType": "identifier", "hashed": true, "salt": "d1c5e3"}],
    "name": "Иванова Мария Сергеевна",
    "achievement": {"id": "https://cert.example.ru/programmes/DA-101", "type": ["Achievement"],
      "name": "Анализ данных на Python", "description": "Программа повышения квалификации",
      "criteria": {"narrative": "Итоговая аттестация не ниже 60 баллов из 100"},
      "creditsAvailable": 2, "achievementType": "Certificate",
      "resultDescription": [{"id": "urn:uuid:1", "type": ["ResultDescription"], "name": "Итоговая аттестация",
        "resultType": "ScaledScore", "valueMin": "0", "valueMax": "100", "requiredValue": "60"}]},
    "result": [{"type": ["Result"], "resultDescription": "urn:uuid:1", "value": "87"}],
    "creditsEarned": 2, "activityStartDate": "2026-03-01T00:00:00Z", "activityEndDate": "2026-06-28T00:00:00Z"
  },
  "credentialStatus": {"id": "https://cert.example.ru/status/demo/1#94567", "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation", "statusListIndex": "94567",
    "statusListCredential": "https://cert.example.ru/status/demo/1"}
})");
}

}  // namespace

int main(int argc, char** argv) {
  if (!crypto::Init()) return 1;
  double seconds = 2.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--seconds") seconds = std::atof(argv[i + 1]);
  }
  auto signer = crypto::Ed25519Signer::Generate("did:web:cert.example.ru:issuers:demo#key-1");
  crypto::ProofOptions po;
  po.verification_method = signer->KeyId();
  po.created = "2026-06-30T09:00:00Z";
  auto signed_doc = crypto::AddProof(Certificate(), po, *signer);
  if (!signed_doc.ok()) {
    std::fprintf(stderr, "%s\n", signed_doc.status().ToString().c_str());
    return 1;
  }
  const std::string pk = signer->PublicKey();
  crypto::KeyResolver resolve = [&pk](const std::string&) -> Result<std::string> { return pk; };
  std::string text = signed_doc->dump();

  auto rate = [seconds](auto&& fn) {
    int64_t n = 0;
    auto t0 = Clock::now();
    auto end = t0 + std::chrono::duration<double>(seconds);
    while (Clock::now() < end) {
      for (int i = 0; i < 64; ++i) fn();
      n += 64;
    }
    return n / std::chrono::duration<double>(Clock::now() - t0).count();
  };

  // Reference: bare Ed25519 verification of a 64-byte message.
  std::string msg = crypto::RandomBytes(64);
  std::string sig = *signer->Sign(msg);
  volatile int sink = 0;
  double bare = rate([&] {
    sink =
        sink + crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig.data()),
                                           reinterpret_cast<const unsigned char*>(msg.data()), 64,
                                           reinterpret_cast<const unsigned char*>(pk.data()));
  });
  double ours = rate([&] {
    if (!crypto::VerifyProof(*signed_doc, resolve).ok()) std::abort();
  });
  // Measured again, interleaved, so frequency drift does not favour either side.
  bare = std::max(bare, rate([&] {
                    sink = sink + crypto_sign_verify_detached(
                                      reinterpret_cast<const unsigned char*>(sig.data()),
                                      reinterpret_cast<const unsigned char*>(msg.data()), 64,
                                      reinterpret_cast<const unsigned char*>(pk.data()));
                  }));
  ours = std::max(ours, rate([&] {
                    if (!crypto::VerifyProof(*signed_doc, resolve).ok()) std::abort();
                  }));
  double ours_parse = rate([&] {
    auto j = crypto::ParseJson(text);
    if (!j.ok() || !crypto::VerifyProof(*j, resolve).ok()) std::abort();
  });
  std::printf("credential verification (eddsa-jcs-2022, %zu-byte OB 3.0 certificate)\n",
              text.size());
  std::printf("  bare crypto_sign_verify_detached : %9.0f /s (reference)\n", bare);
  std::printf("  VerifyProof on a parsed credential: %9.0f /s  ratio %.2f (goal >= 0.75)\n", ours,
              ours / bare);
  std::printf("  ParseJson + VerifyProof from text : %9.0f /s  ratio %.2f\n", ours_parse,
              ours_parse / bare);
  return sink == 12345 ? 1 : 0;
}
