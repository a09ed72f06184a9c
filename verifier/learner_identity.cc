#include "verifier/learner_identity.h"

#include "crypto/learner_identity.h"

namespace certledger::verifier {

Status ValidateLearnerClaim(const LearnerClaim& claim) {
  if (crypto::NormalizeLearnerId(claim.learner_id).empty() || claim.learner_id.size() > 100) {
    return Status::InvalidArgument("identity.invalid",
                                   "укажите СНИЛС обучающегося / give the learner's SNILS")
        .WithField("learner_id");
  }
  if (!crypto::ParseIdentityCode(claim.identity_code)) {
    return Status::InvalidArgument(
               "identity.invalid",
               "код проверки личности — 32 шестнадцатеричные цифры (0-9, a-f), дефисы и пробелы "
               "допускаются / the identity check code is 32 hexadecimal digits (0-9, a-f); "
               "hyphens and spaces are allowed")
        .WithField("identity_code");
  }
  return Status::Ok();
}

IdentityCheck CheckLearnerIdentity(const Json& credential, const LearnerClaim& claim) {
  IdentityCheck out;
  const auto code = crypto::ParseIdentityCode(claim.identity_code);
  const bool can_match = code && !crypto::NormalizeLearnerId(claim.learner_id).empty();
  bool any_hash = false;
  const Json* ids = nullptr;
  if (credential.is_object() && credential.contains("credentialSubject") &&
      credential["credentialSubject"].is_object() &&
      credential["credentialSubject"].contains("identifier") &&
      credential["credentialSubject"]["identifier"].is_array()) {
    ids = &credential["credentialSubject"]["identifier"];
  }
  if (ids) {
    for (const Json& id : *ids) {
      if (!id.is_object() || !id.contains("hashed") || id["hashed"] != true ||
          !id.contains("identityHash") || !id["identityHash"].is_string()) {
        continue;
      }
      const std::string hash = id["identityHash"].get<std::string>();
      if (hash.size() < 7 ||
          (hash.compare(0, 7, "sha256$") != 0 && hash.compare(0, 7, "SHA256$") != 0)) {
        continue;
      }
      any_hash = true;
      if (can_match && crypto::LearnerIdentityMatches(hash, *code, claim.learner_id)) {
        out.result = IdentityResult::kMatches;
        out.slug = "identity.match";
        out.reason = {
            "the SNILS and the identity check code match the certificate's hashed "
            "learner identifier: the certificate is this person's",
            "СНИЛС и код проверки личности соответствуют хешу идентификатора "
            "обучающегося в документе: документ выдан этому человеку"};
        return out;
      }
    }
  }
  if (!any_hash) {
    out.result = IdentityResult::kNoHash;
    out.slug = "identity.no-hash";
    out.reason = {"the certificate carries no hashed learner identifier (sha256) to check",
                  "в документе нет хешированного идентификатора обучающегося (sha256) для "
                  "проверки"};
    return out;
  }
  out.result = IdentityResult::kDoesNotMatch;
  out.slug = "identity.mismatch";
  out.reason = {
      "the SNILS and the identity check code do NOT match the certificate's hashed "
      "learner identifier (a wrong SNILS, a wrong code, or another person's "
      "certificate)",
      "СНИЛС и код проверки личности НЕ соответствуют хешу идентификатора обучающегося "
      "в документе (неверный СНИЛС, неверный код или документ другого человека)"};
  return out;
}

std::string_view IdentityResultName(IdentityResult r) {
  switch (r) {
    case IdentityResult::kMatches:
      return "passed";
    case IdentityResult::kDoesNotMatch:
      return "failed";
    case IdentityResult::kNoHash:
      return "missing";
  }
  return "missing";
}

Json IdentityCheckToJson(const IdentityCheck& check) {
  return {{"status", IdentityResultName(check.result)},
          {"slug", check.slug},
          {"reason", {{"en", check.reason.en}, {"ru", check.reason.ru}}}};
}

std::string IdentityCheckToText(const IdentityCheck& check, Lang lang) {
  const bool ru = lang == Lang::kRu;
  std::string head;
  switch (check.result) {
    case IdentityResult::kMatches:
      head = ru ? "ЛИЧНОСТЬ ПОДТВЕРЖДЕНА" : "LEARNER IDENTITY CONFIRMED";
      break;
    case IdentityResult::kDoesNotMatch:
      head = ru ? "ЛИЧНОСТЬ НЕ ПОДТВЕРЖДЕНА" : "LEARNER IDENTITY NOT CONFIRMED";
      break;
    case IdentityResult::kNoHash:
      head = ru ? "ЛИЧНОСТЬ ПРОВЕРИТЬ НЕЛЬЗЯ" : "LEARNER IDENTITY CANNOT BE CHECKED";
      break;
  }
  return head + ": " + check.reason.In(lang) + "\n";
}

}  // namespace certledger::verifier
