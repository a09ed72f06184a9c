// API access: bearer tokens, applicants' one-time sign-in codes and stored
// responses of Idempotency-Keys (the Registry methods under "API access").
//
// Token format: "clt1.<id>.<secret>", id = 16 hex digits (public, the row's
// key), secret = base64url of 32 random bytes. Only SHA-256(secret) is stored;
// the secret has 256 bits of entropy, so a fast hash is the right one (as for
// GitHub's and step-ca's tokens). The comparison after the lookup by id is
// constant-time.
//
// A stored response is kept sealed (registry/internal/at_rest.h): it may be
// the answer that showed a new token's secret, which is stored nowhere else.
#include <algorithm>
#include <cstdio>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "crypto/secret_box.h"
#include "registry/internal/at_rest.h"
#include "registry/internal/db.h"
#include "registry/internal/outbox.h"
#include "registry/registry.h"

namespace certledger::registry {
namespace {

using internal::Conn;

constexpr std::string_view kTokenPrefix = "clt1.";
constexpr int64_t kLoginCodeTtlMs = 15 * 60 * 1000;
constexpr int kLoginCodeAttempts = 5;
// Authenticate's token cache: how stale another process's revocation may be
// seen (Db::WatchedVersion), and how many tokens are kept.
constexpr int64_t kTokenCacheMaxAgeMs = 100;
constexpr size_t kTokenCacheEntries = 4096;

constexpr const char* kRoleNames[] = {"none", "applicant", "provider", "operator"};

Status BadToken() {
  return Status::Unauthenticated("token.invalid",
                                 "the bearer token is unknown, expired or revoked; ask the "
                                 "operator for a new one (applicants: sign in again)");
}

std::string SecretHash(std::string_view secret) { return crypto::AsString(crypto::Sha256(secret)); }

TokenInfo ReadToken(SQLite::Statement& q) {
  TokenInfo t;
  t.id = q.getColumn(0).getString();
  t.role = ParseRole(q.getColumn(1).getString()).value_or(Role::kNone);
  t.scope = q.getColumn(2).getString();
  t.label = q.getColumn(3).getString();
  t.created_ms = q.getColumn(4).getInt64();
  if (!q.getColumn(5).isNull()) t.expires_ms = q.getColumn(5).getInt64();
  if (!q.getColumn(6).isNull()) t.revoked_ms = q.getColumn(6).getInt64();
  return t;
}

Status InsertToken(Conn& c, const TokenInfo& t, std::string_view secret_hash) {
  auto& ins = c.Prepare(
      "INSERT INTO api_tokens(id, secret_hash, role, scope, label, created_ms, expires_ms) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  ins.bind(1, t.id);
  ins.bind(2, secret_hash.data(), static_cast<int>(secret_hash.size()));
  ins.bind(3, std::string(RoleName(t.role)));
  ins.bind(4, t.scope);
  ins.bind(5, t.label);
  ins.bind(6, t.created_ms);
  if (t.expires_ms) {
    ins.bind(7, *t.expires_ms);
  } else {
    ins.bind(7);
  }
  ins.exec();
  return Status::Ok();
}

// A fresh token for `info` (id and secret filled in); the row is written by
// the caller's transaction.
NewToken MintToken(TokenInfo info, std::string* secret_hash) {
  std::string id_bytes = crypto::RandomBytes(8);
  info.id = crypto::HexEncode(id_bytes);
  std::string secret = crypto::Base64UrlEncode(crypto::RandomBytes(32));
  *secret_hash = SecretHash(secret);
  NewToken t;
  t.token = std::string(kTokenPrefix) + info.id + "." + secret;
  t.info = std::move(info);
  return t;
}

}  // namespace

std::string_view RoleName(Role role) { return kRoleNames[static_cast<int>(role)]; }

std::optional<Role> ParseRole(std::string_view name) {
  for (int i = 0; i < 4; ++i) {
    if (name == kRoleNames[i]) return static_cast<Role>(i);
  }
  return std::nullopt;
}

Result<NewToken> Registry::CreateToken(Role role, const std::string& scope,
                                       const std::string& label,
                                       std::optional<int64_t> expires_ms) {
  if (role == Role::kNone) {
    return Status::InvalidArgument("token.invalid-role", "a token needs a role").WithField("role");
  }
  if (role == Role::kOperator && !scope.empty()) {
    return Status::InvalidArgument("token.scope", "an operator token has no scope")
        .WithField("scope");
  }
  if (label.size() > 200) {
    return Status::InvalidArgument("token.label", "the label is longer than 200 bytes")
        .WithField("label");
  }
  if (role == Role::kProvider) {
    auto issuer = GetIssuer(scope);
    if (!issuer.ok()) {
      return Status::InvalidArgument(
                 "token.scope",
                 "a provider token is bound to a registered issuer; \"" + scope + "\" is not one")
          .WithField("scope");
    }
  }
  TokenInfo info;
  info.role = role;
  info.scope = scope;
  info.label = label;
  info.created_ms = clock_.NowMillis();
  info.expires_ms = expires_ms;
  std::string hash;
  NewToken t = MintToken(std::move(info), &hash);
  CERTLEDGER_RETURN_IF_ERROR(db_->Write([&](Conn& c) { return InsertToken(c, t.info, hash); }));
  return t;
}

Status Registry::RevokeToken(const std::string& token_id) {
  const int64_t now = clock_.NowMillis();
  return db_->Write([&](Conn& c) -> Status {
    auto& u = c.Prepare("UPDATE api_tokens SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL");
    u.bind(1, now);
    u.bind(2, token_id);
    if (u.exec() != 1) {
      return Status::NotFound("token.unknown", "no active token with id " + token_id);
    }
    return Status::Ok();
  });
}

Result<std::vector<TokenInfo>> Registry::ListTokens() {
  std::vector<TokenInfo> out;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](Conn& c) -> Status {
    auto& q = c.Prepare(
        "SELECT id, role, scope, label, created_ms, expires_ms, revoked_ms FROM api_tokens "
        "ORDER BY created_ms, id");
    while (q.executeStep()) out.push_back(ReadToken(q));
    return Status::Ok();
  }));
  return out;
}

Result<Principal> Registry::Authenticate(std::string_view token) {
  if (token.size() > 200 || token.substr(0, kTokenPrefix.size()) != kTokenPrefix) {
    return BadToken();
  }
  token.remove_prefix(kTokenPrefix.size());
  size_t dot = token.find('.');
  if (dot != 16) return BadToken();
  const std::string id(token.substr(0, dot));
  const std::string_view secret = token.substr(dot + 1);
  std::string stored;
  TokenInfo info;
  bool found = false;
  // Tokens change seldom and are read on every authenticated request: kept
  // while no api_tokens row may have changed since they were read (a token
  // revoked through this server stops working at once, one revoked by
  // `certledger admin` in another process within kTokenCacheMaxAgeMs).
  const std::optional<uint64_t> version = db_->WatchedVersion(kTokenCacheMaxAgeMs);
  if (version) {
    std::lock_guard<std::mutex> lk(token_cache_mu_);
    auto it = token_cache_.find(id);
    if (it != token_cache_.end() && it->second.version == *version) {
      found = true;
      info = it->second.info;
      stored = it->second.secret_hash;
    }
  }
  if (!found) {
    CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](Conn& c) -> Status {
      auto& q = c.Prepare(
          "SELECT id, role, scope, label, created_ms, expires_ms, revoked_ms, secret_hash FROM "
          "api_tokens WHERE id = ?");
      q.bind(1, id);
      if (q.executeStep()) {
        found = true;
        info = ReadToken(q);
        auto col = q.getColumn(7);
        stored.assign(static_cast<const char*>(col.getBlob()), static_cast<size_t>(col.getBytes()));
      }
      return Status::Ok();
    }));
    // Unknown ids are not kept (anyone can send any number of them).
    if (found && version) {
      std::lock_guard<std::mutex> lk(token_cache_mu_);
      if (token_cache_.size() >= kTokenCacheEntries) token_cache_.clear();
      token_cache_[id] = CachedToken{info, stored, *version};
    }
  }
  // Hash even when not found, so timing does not tell ids apart.
  const std::string presented = SecretHash(secret);
  if (!found || !crypto::ConstantTimeEquals(presented, stored)) return BadToken();
  const int64_t now = clock_.NowMillis();
  if (info.revoked_ms || (info.expires_ms && *info.expires_ms <= now)) return BadToken();
  return Principal{info.role, info.scope, info.id};
}

Registry::LoginCode Registry::NewLoginCode(const std::string& application_id) const {
  // 6 decimal digits, uniform.
  char code[8];
  std::snprintf(code, sizeof code, "%06u", crypto::RandomUniform(1'000'000));
  return LoginCode{code, crypto::KeyedHash(master_key_, "login-code|" + application_id + "|" +
                                                            std::string(code))};
}

Status Registry::StoreLoginCodeIn(Conn& c, const std::string& application_id, const LoginCode& code,
                                  int64_t now_ms) {
  auto& up = c.Prepare(
      "INSERT INTO login_codes(application_id, code_hash, expires_ms, attempts) VALUES (?, ?, ?, "
      "0) ON CONFLICT(application_id) DO UPDATE SET code_hash = excluded.code_hash, "
      "expires_ms = excluded.expires_ms, attempts = 0");
  up.bind(1, application_id);
  up.bind(2, code.hash.data(), static_cast<int>(code.hash.size()));
  up.bind(3, now_ms + kLoginCodeTtlMs);
  up.exec();
  return internal::EnqueueOutbox(c, VoucherKey("pii"), "login-code", application_id,
                                 Json{{"code", code.code}}, now_ms);
}

Status Registry::SendLoginCode(const std::string& application_id) {
  // EnqueueOutbox fails with "application.unknown" (rolling back) when there
  // is no such application: no separate lookup.
  if (application_id.empty() || application_id.size() > 64) {
    return Status::NotFound("application.unknown", "no such application");
  }
  const LoginCode code = NewLoginCode(application_id);
  const int64_t now = clock_.NowMillis();
  return db_->Write(
      [&](Conn& c) -> Status { return StoreLoginCodeIn(c, application_id, code, now); });
}

Result<NewToken> Registry::RedeemLoginCode(const std::string& application_id,
                                           const std::string& code) {
  const bool well_formed = code.size() == 6 && std::all_of(code.begin(), code.end(), [](char ch) {
                             return ch >= '0' && ch <= '9';
                           });
  const std::string presented =
      crypto::KeyedHash(master_key_, "login-code|" + application_id + "|" + code);
  const int64_t now = clock_.NowMillis();
  TokenInfo info;
  info.role = Role::kApplicant;
  info.scope = application_id;
  info.label = "sign-in";
  info.created_ms = now;
  std::string secret_hash;
  NewToken t = MintToken(info, &secret_hash);
  Status wrong = Status::PermissionDenied(
      "login.code",
      "the code is wrong or has expired; request a new code (Код неверен или устарел; "
      "запросите новый код)");
  bool burn_attempt = false;
  Status st = db_->Write([&](Conn& c) -> Status {
    auto& q = c.Prepare(
        "SELECT code_hash, expires_ms, attempts FROM login_codes WHERE application_id = ?");
    q.bind(1, application_id);
    if (!q.executeStep()) return wrong;
    auto col = q.getColumn(0);
    std::string stored(static_cast<const char*>(col.getBlob()),
                       static_cast<size_t>(col.getBytes()));
    const int64_t expires = q.getColumn(1).getInt64();
    const int attempts = q.getColumn(2).getInt();
    q.reset();
    if (expires <= now || attempts >= kLoginCodeAttempts) return wrong;
    if (!well_formed || !crypto::ConstantTimeEquals(presented, stored)) {
      burn_attempt = true;
      return wrong;
    }
    auto& del = c.Prepare("DELETE FROM login_codes WHERE application_id = ?");
    del.bind(1, application_id);
    del.exec();
    return InsertToken(c, t.info, secret_hash);
  });
  if (burn_attempt) {
    // Counted in its own transaction: the failed one was rolled back.
    CERTLEDGER_RETURN_IF_ERROR(db_->Write([&](Conn& c) -> Status {
      auto& u =
          c.Prepare("UPDATE login_codes SET attempts = attempts + 1 WHERE application_id = ?");
      u.bind(1, application_id);
      u.exec();
      return Status::Ok();
    }));
  }
  CERTLEDGER_RETURN_IF_ERROR(st);
  return t;
}

Result<std::optional<StoredResponse>> Registry::FindResponse(const std::string& scope,
                                                             const std::string& key,
                                                             const std::string& request_hash) {
  std::optional<StoredResponse> out;
  std::optional<std::string> sealed;  // nullopt: a row from before schema 7, in clear
  std::string stored_hash;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](Conn& c) -> Status {
    auto& q = c.Prepare(
        "SELECT request_hash, status, content_type, body, sealed FROM idempotency WHERE scope = ? "
        "AND key = ?");
    q.bind(1, scope);
    q.bind(2, key);
    if (q.executeStep()) {
      stored_hash = q.getColumn(0).getString();
      out = StoredResponse{q.getColumn(1).getInt(), q.getColumn(2).getString(),
                           internal::Blob(q.getColumn(3))};
      if (!q.getColumn(4).isNull()) sealed = internal::Blob(q.getColumn(4));
    }
    return Status::Ok();
  }));
  if (out && stored_hash != request_hash) {
    return Status::AlreadyExists("idempotency.conflict",
                                 "this Idempotency-Key was already used for a different request; "
                                 "use a new key for a new request");
  }
  if (out && sealed) {
    CERTLEDGER_ASSIGN_OR_RETURN(
        out->body, internal::OpenStoredResponse(SealingKey("idempotency"), *sealed, scope, key));
  }
  return out;
}

Status Registry::StoreResponse(const std::string& scope, const std::string& key,
                               const std::string& request_hash, const StoredResponse& response) {
  const int64_t now = clock_.NowMillis();
  // The body may hold a secret shown once (a new bearer token, identity
  // check codes, voucher codes): sealed, never in clear (internal/at_rest.h).
  CERTLEDGER_ASSIGN_OR_RETURN(
      const std::string sealed,
      internal::SealStoredResponse(SealingKey("idempotency"), response.body, scope, key));
  return db_->Write([&](Conn& c) -> Status {
    auto& ins = c.Prepare(
        "INSERT OR IGNORE INTO idempotency(scope, key, request_hash, status, content_type, body, "
        "sealed, created_ms) VALUES (?, ?, ?, ?, ?, X'', ?, ?)");
    ins.bind(1, scope);
    ins.bind(2, key);
    ins.bind(3, request_hash);
    ins.bind(4, response.status);
    ins.bind(5, response.content_type);
    ins.bind(6, sealed.data(), static_cast<int>(sealed.size()));
    ins.bind(7, now);
    ins.exec();
    return Status::Ok();
  });
}

}  // namespace certledger::registry
