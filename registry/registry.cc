#include "registry/registry.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>

#include "crypto/hash.h"
#include "crypto/multikey.h"
#include "crypto/random.h"
#include "crypto/rfc3339.h"
#include "crypto/secret_box.h"
#include "registry/ids.h"
#include "registry/internal/at_rest.h"
#include "registry/internal/db.h"
#include "registry/internal/outbox.h"
#include "registry/ledger/entry.h"

namespace certledger::registry {
namespace {

namespace fs = std::filesystem;
using internal::Conn;

constexpr char kDbFile[] = "registry.db";
constexpr char kMasterKeyFile[] = "master.key";
constexpr char kSaltFile[] = "master.salt";
constexpr char kInitStaging[] = "init.partial";
// The registry's operator issuer: signs vouchers.

Status Invalid(const std::string& field, const std::string& msg) {
  return Status::InvalidArgument("issuer.invalid", msg).WithField(field);
}

Result<std::string> ReadSmallFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return Status::NotFound("file.missing", "cannot read " + p.string());
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Writes a new file that only the owner can read (O_EXCL: never overwrites).
Status WritePrivateFile(const fs::path& p, std::string_view data) {
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::AlreadyExists("registry.exists", p.string() + " already exists");
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  if (!ok) return Status::Unavailable("io.write", "cannot write " + p.string());
  return Status::Ok();
}

Status FsyncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  bool ok = fd >= 0 && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  if (!ok) return Status::Unavailable("io.fsync", "cannot sync " + dir.string());
  return Status::Ok();
}

Result<crypto::SecretBytes> LoadMasterKey(const fs::path& dir,
                                          const std::optional<crypto::SecretBytes>& pass) {
  if (pass) {
    CERTLEDGER_ASSIGN_OR_RETURN(std::string salt, ReadSmallFile(dir / kSaltFile));
    return crypto::DeriveKeyFromPassphrase(*pass, salt);
  }
  fs::path p = dir / kMasterKeyFile;
  struct stat st;
  if (::stat(p.c_str(), &st) != 0) {
    return Status::NotFound("masterkey.missing",
                            "no master key at " + p.string() +
                                " (set CERTLEDGER_PASSPHRASE if this registry uses one)");
  }
  if ((st.st_mode & 077) != 0) {
    return Status::FailedPrecondition(
        "masterkey.mode", p.string() + " is readable by others; run: chmod 600 " + p.string());
  }
  CERTLEDGER_ASSIGN_OR_RETURN(std::string raw, ReadSmallFile(p));
  if (raw.size() != crypto::kMasterKeySize) {
    return Status::DataLoss("masterkey.corrupt", p.string() + " is not a 32-byte master key");
  }
  crypto::SecretBytes key(raw, crypto::InsecureSecretAccess::Get());
  crypto::SecretBytes wipe(std::move(key));
  std::fill(raw.begin(), raw.end(), '\0');
  return wipe;
}

std::string GetMeta(Conn& c, const std::string& key) {
  auto& q = c.Prepare("SELECT value FROM meta WHERE key = ?");
  q.bind(1, key);
  return q.executeStep() ? internal::Blob(q.getColumn(0)) : std::string();
}

void PutMeta(Conn& c, const std::string& key, std::string_view value) {
  auto& q = c.Prepare("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)");
  q.bind(1, key);
  q.bind(2, value.data(), static_cast<int>(value.size()));
  q.exec();
}

model::IssuerView ReadIssuerRow(SQLite::Statement& q, const std::string& did) {
  model::IssuerView v;
  v.slug = q.getColumn("slug").getString();
  v.did = did;
  v.name.ru = q.getColumn("name_ru").getString();
  v.name.en = q.getColumn("name_en").getString();
  v.inn = q.getColumn("inn").getString();
  v.licence_number = q.getColumn("licence_number").getString();
  v.licence_date = q.getColumn("licence_date").getString();
  v.status = q.getColumn("status").getString();
  if (!q.getColumn("suspended_ms").isNull())
    v.suspended_at_ms = q.getColumn("suspended_ms").getInt64();
  return v;
}

constexpr char kIssuerSelect[] =
    "SELECT id, slug, kind, name_ru, name_en, inn, licence_number, licence_date, status, "
    "suspended_ms FROM issuers WHERE slug = ?";

}  // namespace

Result<std::string> DidHostFromBaseUrl(const std::string& base_url) {
  static const std::regex re(R"(^https?://([a-z0-9.-]+)(?::([0-9]{1,5}))?$)");
  std::smatch m;
  if (!std::regex_match(base_url, m, re)) {
    return Status::InvalidArgument(
        "config.base-url",
        "the base URL must look like https://cert.example.ru or http://127.0.0.1:8080 (lower-case "
        "host, no path, no trailing slash); got \"" +
            base_url + "\"");
  }
  std::string host = m[1].str();
  if (m[2].matched) host += "%3A" + m[2].str();
  return host;
}

std::string Registry::IssuerDid(const std::string& slug) const {
  return "did:web:" + did_host_ + ":issuers:" + slug;
}

Status Registry::Init(const InitOptions& o, const Clock& clock) {
  CERTLEDGER_RETURN_IF_ERROR(DidHostFromBaseUrl(o.base_url).status());
  fs::path dir(o.data_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (fs::exists(dir / kDbFile)) {
    return Status::AlreadyExists("registry.exists", "a registry already exists in " + dir.string());
  }
  const char* key_file = o.passphrase ? kSaltFile : kMasterKeyFile;
  if (fs::exists(dir / kMasterKeyFile) || fs::exists(dir / kSaltFile)) {
    return Status::AlreadyExists(
        "registry.key-without-database",
        dir.string() +
            " holds a master key (or passphrase salt) but no registry: restore a "
            "backup into it (certledger restore), or remove the key if it is "
            "left from an init that did not finish");
  }
  // Everything is made in DIR/init.partial and moved into DIR at the end, the
  // database last: its presence means the init finished. An interrupted init
  // leaves only init.partial, which the next one replaces.
  const fs::path stage = dir / kInitStaging;
  fs::remove_all(stage, ec);
  fs::create_directory(stage, ec);
  if (ec) return Status::Unavailable("io.write", "cannot create " + stage.string());
  ::chmod(stage.c_str(), 0700);
  crypto::SecretBytes master;
  if (o.passphrase) {
    std::string salt = crypto::RandomBytes(crypto::kPassphraseSaltSize);
    CERTLEDGER_RETURN_IF_ERROR(WritePrivateFile(stage / kSaltFile, salt));
    CERTLEDGER_ASSIGN_OR_RETURN(master, crypto::DeriveKeyFromPassphrase(*o.passphrase, salt));
  } else {
    master = crypto::SecretBytes::Random(crypto::kMasterKeySize);
    CERTLEDGER_RETURN_IF_ERROR(WritePrivateFile(
        stage / kMasterKeyFile, master.GetSecret(crypto::InsecureSecretAccess::Get())));
  }
  {
    internal::DbOptions dbo;
    dbo.create = true;
    CERTLEDGER_ASSIGN_OR_RETURN(auto db, internal::Db::Open((stage / kDbFile).string(), dbo));
    auto ledger_key = crypto::Ed25519Signer::Generate();
    CERTLEDGER_ASSIGN_OR_RETURN(std::string sealed,
                                crypto::Seal(master, ledger_key->Seed(), "ledger-key"));
    // A check value proves at Open that the master key (or passphrase) is right.
    CERTLEDGER_ASSIGN_OR_RETURN(std::string check,
                                crypto::SealBytes(master, "certledger", "master-key-check"));
    CERTLEDGER_RETURN_IF_ERROR(db->Write([&](Conn& c) -> Status {
      PutMeta(c, "base_url", o.base_url);
      PutMeta(c, "ledger_key", sealed);
      PutMeta(c, "ledger_public_key", ledger_key->PublicKey());
      PutMeta(c, "master_check", check);
      PutMeta(c, "created_ms", std::to_string(clock.NowMillis()));
      return Status::Ok();
    }));
  }
  {
    RegistryOptions ro;
    ro.data_dir = stage.string();
    ro.passphrase = o.passphrase;
    ro.ledger.background = false;
    CERTLEDGER_ASSIGN_OR_RETURN(auto reg, Open(ro, clock));
    IssuerInput op;
    op.slug = kOperatorSlug;
    op.kind = "operator";
    op.name_ru = o.operator_name_ru;
    op.name_en = o.operator_name_en;
    op.inn = o.operator_inn;
    CERTLEDGER_RETURN_IF_ERROR(reg->RegisterIssuer(op).status());
    CERTLEDGER_RETURN_IF_ERROR(reg->ledger().IntegrateNow().status());
  }  // closed: SQLite copies its log into the database file and removes it
  // The key first, then the log if SQLite kept one, then the database.
  for (const char* f : {key_file, "registry.db-wal", kDbFile}) {
    if (!fs::exists(stage / f)) continue;
    fs::rename(stage / f, dir / f, ec);
    if (ec) return Status::Unavailable("io.rename", "cannot move " + (stage / f).string());
    CERTLEDGER_RETURN_IF_ERROR(FsyncDir(dir));
  }
  fs::remove_all(stage, ec);
  return Status::Ok();
}

Result<std::unique_ptr<Registry>> Registry::Open(const RegistryOptions& options,
                                                 const Clock& clock) {
  std::unique_ptr<Registry> r(new Registry(options.data_dir, clock));
  CERTLEDGER_RETURN_IF_ERROR(r->Load(options));
  return r;
}

Status Registry::Load(const RegistryOptions& options) {
  fs::path dir(data_dir_);
  internal::DbOptions dbo;
  dbo.watched_tables = {"api_tokens"};  // Authenticate's token cache
  CERTLEDGER_ASSIGN_OR_RETURN(db_, internal::Db::Open((dir / kDbFile).string(), dbo));
  CERTLEDGER_ASSIGN_OR_RETURN(master_key_, LoadMasterKey(dir, options.passphrase));
  batch_rows_per_transaction_ = std::max<size_t>(1, options.batch_rows_per_transaction);
  std::string sealed_ledger, check;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](Conn& c) -> Status {
    base_url_ = GetMeta(c, "base_url");
    sealed_ledger = GetMeta(c, "ledger_key");
    check = GetMeta(c, "master_check");
    return Status::Ok();
  }));
  if (!crypto::Open(master_key_, check, "master-key-check").ok()) {
    return Status::FailedPrecondition("masterkey.wrong",
                                      "the master key or passphrase does not open this registry");
  }
  CERTLEDGER_ASSIGN_OR_RETURN(did_host_, DidHostFromBaseUrl(base_url_));
  // The subkeys used per request, derived once.
  for (const char* purpose : {"idempotency", "identity-code"}) {
    subkeys_.emplace(std::string("s|") + purpose, SealingKey(purpose));
  }
  for (const char* purpose : {"pii", "snils"}) {
    subkeys_.emplace(std::string("v|") + purpose, VoucherKey(purpose));
  }
  // A database of schema 5 or older has outbox messages in clear: sealed now.
  CERTLEDGER_RETURN_IF_ERROR(internal::SealClearOutbox(*db_, VoucherKey("pii")));
  // Schema 6 or older: stored responses and identity check codes in clear.
  CERTLEDGER_RETURN_IF_ERROR(
      internal::SealClearSecrets(*db_, SealingKey("idempotency"), SealingKey("identity-code")));
  CERTLEDGER_ASSIGN_OR_RETURN(crypto::SecretBytes seed,
                              crypto::Open(master_key_, sealed_ledger, "ledger-key"));
  CERTLEDGER_ASSIGN_OR_RETURN(auto signer, crypto::Ed25519Signer::Create(seed));
  LedgerOptions lo = options.ledger;
  // The did:web host uses %3A for a port; the ledger origin keeps ':' out too.
  std::string host = base_url_.substr(base_url_.find("://") + 3);
  lo.origin = host + "/ledger";
  CERTLEDGER_ASSIGN_OR_RETURN(ledger_, Ledger::Open(db_.get(), std::move(signer), lo, clock_));
  return Status::Ok();
}

crypto::SecretBytes Registry::SealingKey(std::string_view purpose) const {
  if (auto it = subkeys_.find("s|" + std::string(purpose)); it != subkeys_.end()) {
    return it->second;
  }
  return internal::DeriveSubkey(master_key_, "certledger sealing subkey", purpose);
}

Registry::Registry(std::string data_dir, const Clock& clock)
    : data_dir_(std::move(data_dir)), clock_(clock) {}

Registry::~Registry() {
  ledger_.reset();  // stops the integrator before the database closes
}

Result<model::IssuerView> Registry::RegisterIssuer(const IssuerInput& in) {
  static const std::regex slug_re("^[a-z0-9][a-z0-9-]{1,31}$");
  if (!std::regex_match(in.slug, slug_re)) {
    return Invalid("slug", "slug must be 2-32 characters a-z, 0-9 and '-'");
  }
  if (std::find(std::begin(kIssuerKinds), std::end(kIssuerKinds), in.kind) ==
      std::end(kIssuerKinds)) {
    return Invalid("kind", "kind must be provider, university or operator");
  }
  if (in.name_ru.empty() || in.name_en.empty() || in.name_ru.size() > 500 ||
      in.name_en.size() > 500) {
    return Invalid("name", "the name in Russian and in English is required (up to 500 bytes)");
  }
  auto inn = ValidateInn(in.inn);
  if (!inn.ok()) return Status(inn.status()).WithField("inn");
  if (!in.licence_number.empty() || !in.licence_date.empty()) {
    if (in.licence_number.empty() || in.licence_number.size() > 100) {
      return Invalid("licence_number", "the licence number is required with its date");
    }
    if (!crypto::ParseDate(in.licence_date).ok()) {
      return Invalid("licence_date", "the licence date must be YYYY-MM-DD");
    }
  }
  const int64_t now = clock_.NowMillis();
  const std::string did = IssuerDid(in.slug);
  auto key = crypto::Ed25519Signer::Generate();
  const std::string kid = did + "#key-1";
  CERTLEDGER_ASSIGN_OR_RETURN(std::string sealed, crypto::Seal(master_key_, key->Seed(), kid));
  Json record = {
      {"id", did},       {"slug", in.slug},
      {"kind", in.kind}, {"name", {{"ru", in.name_ru}, {"en", in.name_en}}},
      {"inn", *inn},     {"licence", {{"number", in.licence_number}, {"date", in.licence_date}}}};
  CERTLEDGER_ASSIGN_OR_RETURN(std::string canon, crypto::Canonicalize(record));
  CERTLEDGER_ASSIGN_OR_RETURN(std::string mk, crypto::EncodeEd25519Multikey(key->PublicKey()));
  Status st = db_->Write([&](Conn& c) -> Status {
    auto& q = c.Prepare(
        "INSERT INTO issuers(slug, kind, name_ru, name_en, inn, licence_number, licence_date, "
        "created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, in.slug);
    q.bind(2, in.kind);
    q.bind(3, in.name_ru);
    q.bind(4, in.name_en);
    q.bind(5, *inn);
    q.bind(6, in.licence_number);
    q.bind(7, in.licence_date);
    q.bind(8, static_cast<int64_t>(now));
    try {
      q.exec();
    } catch (const SQLite::Exception& e) {
      if ((e.getErrorCode() & 0xff) == SQLITE_CONSTRAINT) {
        return Status::AlreadyExists("issuer.exists",
                                     "an issuer \"" + in.slug + "\" already exists")
            .WithField("slug");
      }
      throw;
    }
    int64_t issuer_id = c.db().getLastInsertRowid();
    auto& k = c.Prepare(
        "INSERT INTO issuer_keys(issuer_id, n, public_key, sealed_seed, state, created_ms) "
        "VALUES (?, 1, ?, ?, 'active', ?)");
    k.bind(1, static_cast<int64_t>(issuer_id));
    k.bind(2, key->PublicKey().data(), static_cast<int>(key->PublicKey().size()));
    k.bind(3, sealed.data(), static_cast<int>(sealed.size()));
    k.bind(4, static_cast<int64_t>(now));
    k.exec();
    LedgerEvent reg{
        std::string(event::kIssuerRegistered), did, RegistryDid(),
        crypto::Sha256Tagged(canon),           now, Json{{"kind", in.kind}, {"slug", in.slug}}};
    CERTLEDGER_RETURN_IF_ERROR(ledger_->Append(c, reg).status());
    LedgerEvent added{std::string(event::kKeyAdded), kid, did,
                      crypto::Sha256Tagged(mk),      now, Json{{"keyId", kid}}};
    return ledger_->Append(c, added).status();
  });
  CERTLEDGER_RETURN_IF_ERROR(st);
  ledger_->Notify();
  return GetIssuer(in.slug);
}

Result<model::IssuerView> Registry::IssuerViewIn(Conn& c, const std::string& slug) {
  auto& q = c.Prepare(kIssuerSelect);
  q.bind(1, slug);
  if (!q.executeStep()) {
    return Status::NotFound("issuer.unknown", "no issuer \"" + slug + "\" is registered");
  }
  return ReadIssuerRow(q, IssuerDid(slug));
}

Result<model::IssuerView> Registry::GetIssuer(const std::string& slug) {
  std::optional<model::IssuerView> v;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](Conn& c) -> Status {
    CERTLEDGER_ASSIGN_OR_RETURN(v, IssuerViewIn(c, slug));
    return Status::Ok();
  }));
  return *v;
}

Result<std::vector<model::IssuerView>> Registry::ListIssuers() {
  std::vector<model::IssuerView> out;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](Conn& c) -> Status {
    auto& q = c.Prepare(
        "SELECT id, slug, kind, name_ru, name_en, inn, licence_number, licence_date, status, "
        "suspended_ms FROM issuers ORDER BY slug");
    while (q.executeStep()) out.push_back(ReadIssuerRow(q, IssuerDid(q.getColumn(1).getString())));
    return Status::Ok();
  }));
  return out;
}

namespace {

Status SetIssuerStatus(internal::Db& db, Ledger& ledger, const std::string& slug,
                       const std::string& did, const std::string& registry_did, bool suspend,
                       int64_t now) {
  Status st = db.Write([&](Conn& c) -> Status {
    auto& q = c.Prepare("SELECT status FROM issuers WHERE slug = ?");
    q.bind(1, slug);
    if (!q.executeStep()) {
      return Status::NotFound("issuer.unknown", "no issuer \"" + slug + "\" is registered");
    }
    std::string status = q.getColumn(0).getString();
    if ((status == "suspended") == suspend) {
      return Status::FailedPrecondition("issuer.state", "the issuer is already " + status);
    }
    auto& u = c.Prepare("UPDATE issuers SET status = ?, suspended_ms = ? WHERE slug = ?");
    u.bind(1, suspend ? "suspended" : "active");
    if (suspend) {
      u.bind(2, static_cast<int64_t>(now));
    } else {
      u.bind(2);
    }
    u.bind(3, slug);
    u.exec();
    Json rec = {{"id", did}, {"status", suspend ? "suspended" : "active"}, {"time", now}};
    LedgerEvent e{std::string(suspend ? event::kIssuerSuspended : event::kIssuerReactivated),
                  did,
                  registry_did,
                  crypto::Sha256Tagged(rec.dump()),
                  now,
                  Json{{"slug", slug}}};
    return ledger.Append(c, e).status();
  });
  if (st.ok()) ledger.Notify();
  return st;
}

}  // namespace

Status Registry::SuspendIssuer(const std::string& slug) {
  return SetIssuerStatus(*db_, *ledger_, slug, IssuerDid(slug), RegistryDid(), true,
                         clock_.NowMillis());
}

Status Registry::ReactivateIssuer(const std::string& slug) {
  return SetIssuerStatus(*db_, *ledger_, slug, IssuerDid(slug), RegistryDid(), false,
                         clock_.NowMillis());
}

Result<std::vector<KeyInfo>> Registry::Keys(const std::string& slug) {
  std::vector<KeyInfo> out;
  bool found = false;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](Conn& c) -> Status {
    auto& q = c.Prepare(
        "SELECT k.n, k.public_key, k.state, k.created_ms, k.revoked_ms FROM issuers i "
        "LEFT JOIN issuer_keys k ON k.issuer_id = i.id WHERE i.slug = ? ORDER BY k.n");
    q.bind(1, slug);
    while (q.executeStep()) {
      found = true;
      if (q.getColumn(0).isNull()) continue;
      KeyInfo k;
      k.n = q.getColumn(0).getInt();
      k.id = IssuerDid(slug) + "#key-" + std::to_string(k.n);
      k.public_key = internal::Blob(q.getColumn(1));
      k.state = q.getColumn(2).getString();
      k.created_ms = q.getColumn(3).getInt64();
      if (!q.getColumn(4).isNull()) k.revoked_ms = q.getColumn(4).getInt64();
      out.push_back(std::move(k));
    }
    return Status::Ok();
  }));
  if (!found) return Status::NotFound("issuer.unknown", "no issuer \"" + slug + "\" is registered");
  return out;
}

Result<KeyInfo> Registry::RotateKey(const std::string& slug) {
  const int64_t now = clock_.NowMillis();
  auto key = crypto::Ed25519Signer::Generate();
  KeyInfo info;
  Status st = db_->Write([&](Conn& c) -> Status {
    auto& q = c.Prepare(
        "SELECT i.id, COALESCE(MAX(k.n), 0) FROM issuers i LEFT JOIN issuer_keys k ON "
        "k.issuer_id = i.id WHERE i.slug = ? GROUP BY i.id");
    q.bind(1, slug);
    if (!q.executeStep()) {
      return Status::NotFound("issuer.unknown", "no issuer \"" + slug + "\" is registered");
    }
    int64_t issuer_id = q.getColumn(0).getInt64();
    int n = q.getColumn(1).getInt() + 1;
    info.n = n;
    info.id = IssuerDid(slug) + "#key-" + std::to_string(n);
    info.public_key = key->PublicKey();
    info.state = "active";
    info.created_ms = now;
    CERTLEDGER_ASSIGN_OR_RETURN(std::string sealed,
                                crypto::Seal(master_key_, key->Seed(), info.id));
    auto& retire = c.Prepare(
        "UPDATE issuer_keys SET state = 'retired', retired_ms = ? WHERE issuer_id = ? AND state "
        "= 'active'");
    retire.bind(1, static_cast<int64_t>(now));
    retire.bind(2, static_cast<int64_t>(issuer_id));
    retire.exec();
    auto& ins = c.Prepare(
        "INSERT INTO issuer_keys(issuer_id, n, public_key, sealed_seed, state, created_ms) "
        "VALUES (?, ?, ?, ?, 'active', ?)");
    ins.bind(1, static_cast<int64_t>(issuer_id));
    ins.bind(2, n);
    ins.bind(3, info.public_key.data(), static_cast<int>(info.public_key.size()));
    ins.bind(4, sealed.data(), static_cast<int>(sealed.size()));
    ins.bind(5, static_cast<int64_t>(now));
    ins.exec();
    CERTLEDGER_ASSIGN_OR_RETURN(std::string mk, crypto::EncodeEd25519Multikey(info.public_key));
    LedgerEvent e{std::string(event::kKeyAdded), info.id, IssuerDid(slug),
                  crypto::Sha256Tagged(mk),      now,     Json{{"keyId", info.id}}};
    return ledger_->Append(c, e).status();
  });
  CERTLEDGER_RETURN_IF_ERROR(st);
  ledger_->Notify();
  return info;
}

Status Registry::RevokeKey(const std::string& slug, int n, int64_t effective_ms) {
  const int64_t now = clock_.NowMillis();
  const std::string kid = IssuerDid(slug) + "#key-" + std::to_string(n);
  Status st = db_->Write([&](Conn& c) -> Status {
    auto& q = c.Prepare(
        "SELECT k.state, i.id FROM issuer_keys k JOIN issuers i ON k.issuer_id = i.id WHERE "
        "i.slug = ? AND k.n = ?");
    q.bind(1, slug);
    q.bind(2, n);
    if (!q.executeStep()) {
      return Status::NotFound("key.unknown", "no key " + kid);
    }
    if (q.getColumn(0).getString() == "revoked") {
      return Status::FailedPrecondition("key.state", kid + " is already revoked");
    }
    int64_t issuer_id = q.getColumn(1).getInt64();
    auto& u = c.Prepare(
        "UPDATE issuer_keys SET state = 'revoked', revoked_ms = ? WHERE issuer_id = ? AND n = ?");
    u.bind(1, static_cast<int64_t>(effective_ms));
    u.bind(2, static_cast<int64_t>(issuer_id));
    u.bind(3, n);
    u.exec();
    // An issuer whose active key is revoked cannot sign until it rotates.
    LedgerEvent e{std::string(event::kKeyRevoked),
                  kid,
                  IssuerDid(slug),
                  crypto::Sha256Tagged(kid + " revoked " + std::to_string(effective_ms)),
                  now,
                  Json{{"keyId", kid}, {"effectiveAt", crypto::FormatRfc3339(effective_ms, true)}}};
    return ledger_->Append(c, e).status();
  });
  if (st.ok()) ledger_->Notify();
  return st;
}

Result<std::shared_ptr<const crypto::Signer>> Registry::ActiveSigner(const std::string& slug) {
  return SignerFor(slug, false);
}

Result<std::shared_ptr<const crypto::Signer>> Registry::SignerFor(const std::string& slug,
                                                                  bool allow_suspended) {
  std::string sealed, status;
  int n = 0;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](Conn& c) -> Status {
    auto& q = c.Prepare(
        "SELECT i.status, k.n, k.sealed_seed FROM issuers i LEFT JOIN issuer_keys k ON "
        "k.issuer_id = i.id AND k.state = 'active' WHERE i.slug = ?");
    q.bind(1, slug);
    if (!q.executeStep()) {
      return Status::NotFound("issuer.unknown", "no issuer \"" + slug + "\" is registered");
    }
    status = q.getColumn(0).getString();
    if (!q.getColumn(1).isNull()) {
      n = q.getColumn(1).getInt();
      sealed = internal::Blob(q.getColumn(2));
    }
    return Status::Ok();
  }));
  if (status == "suspended" && !allow_suspended) {
    return Status::FailedPrecondition("issuer.suspended",
                                      "the issuer \"" + slug + "\" is suspended and cannot issue");
  }
  if (n == 0) {
    return Status::FailedPrecondition("key.none-active",
                                      "the issuer has no active key; rotate to a new key first");
  }
  return CachedSigner(slug, n, sealed);
}

std::optional<Registry::SealedKey> Registry::ActiveKeyIn(Conn& c, int64_t issuer_id) {
  auto& k =
      c.Prepare("SELECT n, sealed_seed FROM issuer_keys WHERE issuer_id = ? AND state = 'active'");
  k.bind(1, issuer_id);
  std::optional<SealedKey> key;
  if (k.executeStep()) key = SealedKey{k.getColumn(0).getInt(), internal::Blob(k.getColumn(1))};
  k.reset();
  return key;
}

Result<std::shared_ptr<const crypto::Signer>> Registry::CachedSigner(const std::string& slug, int n,
                                                                     const std::string& sealed) {
  std::lock_guard<std::mutex> lock(signer_mu_);
  OpenSigner& open = signers_[slug];
  if (!open.signer || open.sealed != sealed) {
    const std::string kid = IssuerDid(slug) + "#key-" + std::to_string(n);
    CERTLEDGER_ASSIGN_OR_RETURN(crypto::SecretBytes seed, crypto::Open(master_key_, sealed, kid));
    CERTLEDGER_ASSIGN_OR_RETURN(auto created, crypto::Ed25519Signer::Create(seed, kid));
    open.signer = std::move(created);
    open.sealed = sealed;
  }
  return open.signer;
}

Result<Json> Registry::IssuerDidDocument(const std::string& slug) {
  CERTLEDGER_ASSIGN_OR_RETURN(model::IssuerView issuer, GetIssuer(slug));
  CERTLEDGER_ASSIGN_OR_RETURN(std::vector<KeyInfo> keys, Keys(slug));
  const std::string did = IssuerDid(slug);
  Json vms = Json::array(), assertion = Json::array();
  // Newest first, so verifiers try the current key first.
  for (auto it = keys.rbegin(); it != keys.rend(); ++it) {
    CERTLEDGER_ASSIGN_OR_RETURN(std::string mk, crypto::EncodeEd25519Multikey(it->public_key));
    Json vm = {
        {"id", it->id}, {"type", "Multikey"}, {"controller", did}, {"publicKeyMultibase", mk}};
    if (it->revoked_ms) vm["revoked"] = crypto::FormatRfc3339(*it->revoked_ms, true);
    vms.push_back(std::move(vm));
    assertion.push_back(it->id);
  }
  Json meta = {{"name", {{"ru", issuer.name.ru}, {"en", issuer.name.en}}},
               {"inn", issuer.inn},
               {"kind", nullptr},
               {"status", issuer.status},
               {"suspendedAt", issuer.suspended_at_ms
                                   ? Json(crypto::FormatRfc3339(*issuer.suspended_at_ms, true))
                                   : Json(nullptr)}};
  if (!issuer.licence_number.empty()) {
    meta["licence"] = {{"number", issuer.licence_number}, {"date", issuer.licence_date}};
  }
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](Conn& c) -> Status {
    auto& q = c.Prepare("SELECT kind FROM issuers WHERE slug = ?");
    q.bind(1, slug);
    if (q.executeStep()) meta["kind"] = q.getColumn(0).getString();
    return Status::Ok();
  }));
  return Json{
      {"@context", {"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"}},
      {"id", did},
      {"verificationMethod", std::move(vms)},
      {"assertionMethod", std::move(assertion)},
      {"service",
       {{{"id", did + "#registry"},
         {"type", "CertledgerIssuer"},
         {"serviceEndpoint", base_url_ + "/issuers/" + slug}}}},
      {"certledger:issuer", std::move(meta)}};
}

Result<Json> Registry::RegistryDidDocument() {
  const std::string did = RegistryDid();
  std::string ledger_pub;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](Conn& c) -> Status {
    ledger_pub = GetMeta(c, "ledger_public_key");
    return Status::Ok();
  }));
  CERTLEDGER_ASSIGN_OR_RETURN(std::string mk, crypto::EncodeEd25519Multikey(ledger_pub));
  return Json{
      {"@context", {"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"}},
      {"id", did},
      {"verificationMethod",
       {{{"id", did + "#ledger"},
         {"type", "Multikey"},
         {"controller", did},
         {"publicKeyMultibase", mk}}}},
      {"service",
       {{{"id", did + "#ledger"},
         {"type", "CertledgerLedger"},
         {"serviceEndpoint", base_url_ + "/ledger/"},
         {"verifierKey", ledger_->VerifierKey()}}}}};
}

Json Registry::Context() const {
  const std::string v = base_url_ + "/contexts/v1#";
  auto term = [&v](const char* name) { return Json{{"@id", v + name}}; };
  Json ctx = {{"@version", 1.1}, {"@protected", true}};
  for (const char* t :
       {"documentType", "licence", "workloadHours", "competenceArea", "learningForm",
        "learningOutcomes", "competencies", "identityVerification", "share", "method", "voucher",
        "supersedes", "programme", "holderName", "year"}) {
    ctx[t] = term(t);
  }
  ctx["voucher"]["@type"] = "@id";
  ctx["supersedes"]["@type"] = "@id";
  ctx["programme"]["@type"] = "@id";
  ctx["learningOutcomes"]["@container"] = "@list";
  ctx["competencies"]["@container"] = "@set";
  ctx["TrainingVoucherCredential"] = term("TrainingVoucherCredential");
  ctx["TrainingVoucher"] = term("TrainingVoucher");
  return Json{{"@context", std::move(ctx)}};
}

Result<int64_t> Registry::ExportTrustBundle(const std::string& dir) {
  fs::path out(dir);
  auto write = [](const fs::path& p, const std::string& data) -> Status {
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    fs::path tmp = p;
    tmp += ".tmp";
    {
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      f << data;
      if (!f) return Status::Unavailable("io.write", "cannot write " + tmp.string());
    }
    fs::rename(tmp, p, ec);
    if (ec) return Status::Unavailable("io.write", "cannot write " + p.string());
    return Status::Ok();
  };
  auto did_file = [](std::string did) {
    std::replace(did.begin(), did.end(), ':', '_');
    return did + ".json";
  };
  // The ledger first (checkpoint + tiles), so every list below is no newer
  // than what a later refresh can prove.
  CERTLEDGER_ASSIGN_OR_RETURN(int64_t size, ledger_->Export(dir));
  CERTLEDGER_ASSIGN_OR_RETURN(Json reg_doc, RegistryDidDocument());
  CERTLEDGER_RETURN_IF_ERROR(write(out / "did" / did_file(RegistryDid()), reg_doc.dump(2)));
  CERTLEDGER_ASSIGN_OR_RETURN(auto issuers, ListIssuers());
  for (const auto& issuer : issuers) {
    CERTLEDGER_ASSIGN_OR_RETURN(Json doc, IssuerDidDocument(issuer.slug));
    CERTLEDGER_RETURN_IF_ERROR(write(out / "did" / did_file(issuer.did), doc.dump(2)));
  }
  std::vector<std::pair<std::string, std::string>> lists;  // slug/n, signed
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](Conn& c) -> Status {
    auto& q = c.Prepare(
        "SELECT i.slug, s.n, s.signed FROM status_lists s JOIN issuers i ON s.issuer_id = i.id");
    while (q.executeStep()) {
      lists.emplace_back(q.getColumn(0).getString() + "/" + q.getColumn(1).getString(),
                         internal::Blob(q.getColumn(2)));
    }
    return Status::Ok();
  }));
  for (const auto& [name, data] : lists) {
    CERTLEDGER_RETURN_IF_ERROR(write(out / "status" / (name + ".json"), data));
  }
  Json bundle = {
      {"type", "CertledgerTrustBundle"},
      {"baseUrl", base_url_},
      {"created", crypto::FormatRfc3339(clock_.NowMillis())},
      {"ledger", {{"origin", ledger_->origin()}, {"verifierKey", ledger_->VerifierKey()}}}};
  CERTLEDGER_RETURN_IF_ERROR(write(out / "bundle.json", bundle.dump(2)));
  return size;
}

}  // namespace certledger::registry
