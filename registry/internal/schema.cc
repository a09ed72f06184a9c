#include "registry/internal/schema.h"

#include <string>
#include <vector>

#include "registry/internal/db.h"

namespace certledger::registry::internal {
namespace {

// Migration i brings user_version from i to i + 1. Do not edit a released
// entry: the schema is a persistent format.
const std::vector<std::string>& Migrations() {
  static const std::vector<std::string> kMigrations = {
      // 1: the ledger (registry/ledger/).
      R"sql(
CREATE TABLE meta(
  key TEXT PRIMARY KEY,
  value BLOB NOT NULL
) WITHOUT ROWID;

-- Sequenced entries: the leaf index is assigned in the same transaction as
-- the domain change the entry records (registry/ledger/sequencer.cc).
-- Entry bundles (tile/entries/...) are served from these rows: a bundle is a
-- deterministic function of the entries it covers, so storing it twice would
-- only double the write cost. Domain tables keep the index of their entries.
CREATE TABLE ledger_entries(
  idx INTEGER PRIMARY KEY,        -- 0-based leaf index
  body BLOB NOT NULL              -- RFC 8785 canonical JSON, the leaf data
);

-- C2SP tlog-tiles hash tiles, immutable once written; width is 1..256
-- (256 = full tile). A partial tile is deleted once its full tile exists.
CREATE TABLE ledger_tiles(
  level INTEGER NOT NULL,
  n INTEGER NOT NULL,
  width INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY(level, n, width)
) WITHOUT ROWID;

-- The integrated tree head; moved only by compare-and-swap.
CREATE TABLE ledger_head(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  size INTEGER NOT NULL,
  root BLOB NOT NULL
);
INSERT INTO ledger_head(id, size, root) VALUES (1, 0,
  X'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');

-- Every checkpoint ever published (signed note bytes), newest = largest size.
CREATE TABLE ledger_checkpoints(
  size INTEGER PRIMARY KEY,
  root BLOB NOT NULL,
  note BLOB NOT NULL,
  published_ms INTEGER NOT NULL
);
)sql",
      // 2: issuers and their keys (registry/registry.cc).
      R"sql(
CREATE TABLE issuers(
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('provider', 'university', 'operator')),
  name_ru TEXT NOT NULL,
  name_en TEXT NOT NULL,
  inn TEXT NOT NULL,
  licence_number TEXT NOT NULL DEFAULT '',
  licence_date TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  suspended_ms INTEGER,
  created_ms INTEGER NOT NULL
);
-- Private keys are sealed with the master key; the associated data is the key's DID URL.
CREATE TABLE issuer_keys(
  issuer_id INTEGER NOT NULL REFERENCES issuers(id),
  n INTEGER NOT NULL,
  public_key BLOB NOT NULL,
  sealed_seed BLOB NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('active', 'retired', 'revoked')),
  created_ms INTEGER NOT NULL,
  retired_ms INTEGER,
  revoked_ms INTEGER,
  PRIMARY KEY (issuer_id, n)
) WITHOUT ROWID;
)sql",
      // 3: programmes, status lists and certificates (registry/certificates.cc).
      R"sql(
CREATE TABLE programmes(
  id INTEGER PRIMARY KEY,
  issuer_id INTEGER NOT NULL REFERENCES issuers(id),
  code TEXT NOT NULL,
  title_ru TEXT NOT NULL,
  title_en TEXT NOT NULL,
  competence_area TEXT NOT NULL,
  hours INTEGER NOT NULL CHECK (hours > 0),
  pass_mark INTEGER NOT NULL,
  max_points INTEGER NOT NULL CHECK (max_points > 0),
  form TEXT NOT NULL,
  document_type TEXT NOT NULL,
  outcomes TEXT NOT NULL,       -- JSON array of strings
  competencies TEXT NOT NULL,   -- JSON array of strings
  UNIQUE (issuer_id, code)
);
-- Bitstring Status Lists: encoded_list is the W3C encodedList; signed is the
-- signed BitstringStatusListCredential, re-signed when a bit changes.
CREATE TABLE status_lists(
  issuer_id INTEGER NOT NULL REFERENCES issuers(id),
  n INTEGER NOT NULL,
  size INTEGER NOT NULL,
  allocated INTEGER NOT NULL DEFAULT 0,
  encoded_list TEXT NOT NULL,
  signed BLOB NOT NULL,
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY (issuer_id, n)
) WITHOUT ROWID;
CREATE TABLE status_allocations(
  issuer_id INTEGER NOT NULL,
  n INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  PRIMARY KEY (issuer_id, n, idx)
) WITHOUT ROWID;
CREATE TABLE certificates(
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  issuer_id INTEGER NOT NULL REFERENCES issuers(id),
  programme_id INTEGER NOT NULL REFERENCES programmes(id),
  state TEXT NOT NULL CHECK (state IN ('draft', 'issued', 'revoked', 'superseded')),
  learner_name TEXT NOT NULL,
  learner_key BLOB NOT NULL,           -- keyed hash of the learner identifier
  learner_salt TEXT NOT NULL,          -- salt of the credential's hashed identifier
  learner_hash TEXT NOT NULL,          -- sha256$hex(salt || identifier), printed in the credential
  period_start TEXT NOT NULL,
  period_end TEXT NOT NULL,
  points INTEGER NOT NULL,
  identity_share REAL NOT NULL,
  identity_method TEXT NOT NULL,
  voucher TEXT NOT NULL DEFAULT '',
  supersedes TEXT NOT NULL DEFAULT '',
  superseded_by TEXT NOT NULL DEFAULT '',
  name_confirmed INTEGER NOT NULL DEFAULT 0,
  credential BLOB,
  ledger_idx INTEGER,
  status_n INTEGER,
  status_idx INTEGER,
  revoked_ms INTEGER,
  revocation_reason TEXT NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL,
  issued_ms INTEGER,
  request_key TEXT UNIQUE              -- idempotency of batch rows and API requests
);
CREATE INDEX certificates_learner ON certificates(issuer_id, programme_id, learner_key);
)sql",
      // 4: the voucher programme and the notification outbox (registry/vouchers.cc,
      // registry/internal/outbox.cc). Personal data is sealed (crypto/secret_box.h)
      // under a key derived from the master key; SNILS is also kept as a keyed hash.
      R"sql(
-- One row per programme year. The counters are kept by the write closures
-- (one writer: a closure sees every earlier closure's effects).
CREATE TABLE voucher_years(
  year INTEGER PRIMARY KEY,
  quota INTEGER NOT NULL CHECK (quota > 0),
  opens_ms INTEGER NOT NULL,
  closes_ms INTEGER NOT NULL,           -- first instant of the next year in the time zone
  config TEXT NOT NULL,                 -- JSON of the configuration (docs/formats.md)
  next_seq INTEGER NOT NULL DEFAULT 1,  -- arrival sequence of the next eligible application
  holding INTEGER NOT NULL DEFAULT 0,   -- vouchers holding a slot: issued, enrolled, completed
  issued INTEGER NOT NULL DEFAULT 0,    -- vouchers ever issued in the year
  queued INTEGER NOT NULL DEFAULT 0,    -- applications waiting
  closed_ms INTEGER,                    -- when the year end was processed
  ledger_idx INTEGER,
  updated_ms INTEGER NOT NULL
);
CREATE TABLE applications(
  id TEXT PRIMARY KEY,                  -- random pseudonymous id (also in the ledger)
  year INTEGER NOT NULL,
  arrival_seq INTEGER NOT NULL,
  snils_hash BLOB NOT NULL,             -- keyed hash: one application per person and year
  state TEXT NOT NULL CHECK (state IN ('queued', 'voucher-issued', 'withdrawn', 'lapsed')),
  issuer TEXT NOT NULL,
  programme TEXT NOT NULL,
  personal BLOB NOT NULL,               -- sealed JSON of the applicant's data, AD "application|<id>"
  email BLOB NOT NULL,                  -- sealed e-mail, AD "email|<id>"
  queued_position INTEGER,              -- position on arrival, when queued
  voucher_code TEXT,
  reason TEXT NOT NULL DEFAULT '',
  request_key TEXT UNIQUE,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  UNIQUE (year, snils_hash),
  UNIQUE (year, arrival_seq)
);
CREATE INDEX applications_queue ON applications(year, state, arrival_seq);
CREATE TABLE vouchers(
  code TEXT PRIMARY KEY,
  application_id TEXT NOT NULL UNIQUE,
  year INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('issued', 'enrolled', 'completed', 'annulled', 'expired',
                                       'withdrawn')),
  issuer TEXT NOT NULL,
  programme TEXT NOT NULL,
  served_seq INTEGER,                   -- the arrival sequence served from the queue, if any
  credential BLOB NOT NULL,             -- sealed signed credential (holds the name), AD "voucher|<code>"
  status_n INTEGER NOT NULL,
  status_idx INTEGER NOT NULL,
  valid_until TEXT NOT NULL,
  valid_until_ms INTEGER NOT NULL,
  deadline_ms INTEGER NOT NULL,         -- documents due (issuance + document_deadline_days)
  valid_reason TEXT NOT NULL DEFAULT '',
  grp TEXT NOT NULL DEFAULT '',
  start_date TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  certificate TEXT NOT NULL DEFAULT '',
  expiring_notified INTEGER NOT NULL DEFAULT 0,
  issued_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
);
CREATE INDEX vouchers_issuer ON vouchers(issuer, state);
CREATE INDEX vouchers_year ON vouchers(year, state);
-- Messages to applicants; a sender delivers them and marks them sent. The
-- recipient is the application's sealed e-mail, opened when read.
CREATE TABLE outbox(
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  application_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  sent_ms INTEGER
);
CREATE INDEX outbox_unsent ON outbox(id) WHERE sent_ms IS NULL;
)sql",
      // 5: API access: bearer tokens (hashes only), applicants' one-time
      // sign-in codes (keyed hashes), stored responses of Idempotency-Keys.
      R"sql(
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,                 -- public part of the token
  secret_hash BLOB NOT NULL,           -- SHA-256 of the secret part
  role TEXT NOT NULL CHECK (role IN ('operator', 'provider', 'applicant')),
  scope TEXT NOT NULL DEFAULT '',      -- issuer slug / application id
  label TEXT NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER,
  revoked_ms INTEGER
);
CREATE TABLE login_codes (
  application_id TEXT PRIMARY KEY,
  code_hash BLOB NOT NULL,
  expires_ms INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE idempotency (
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  body BLOB NOT NULL,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (scope, key)
);
)sql",
      // 6: outbox messages sealed (registry/internal/outbox.cc): subject and
      // body are kept in `sealed` (PII key, AD "outbox|<id>|<application_id>|<kind>")
      // and the clear columns are ''. The key is not known here: rows written
      // in clear before are sealed by Registry::Open (SealClearOutbox), which
      // finds them through outbox_clear.
      R"sql(
ALTER TABLE outbox ADD COLUMN sealed BLOB;
CREATE INDEX outbox_clear ON outbox(id) WHERE sealed IS NULL;
)sql",
      // 7: the other secrets sealed (registry/internal/at_rest.h): stored
      // responses of Idempotency-Keys (they hold new bearer tokens, identity
      // check codes, voucher codes) in idempotency.sealed, key "idempotency",
      // AD "idempotency|<scope>|<key>", with body X''; learners' identity
      // check codes in certificates.identity_code, key "identity-code", AD
      // "identity-code|<code>", with learner_salt ''. Rows written in clear
      // before are sealed by Registry::Open (SealClearSecrets), which finds
      // them through idempotency_clear and certificates_clear.
      R"sql(
ALTER TABLE idempotency ADD COLUMN sealed BLOB;
CREATE INDEX idempotency_clear ON idempotency(scope, key) WHERE sealed IS NULL;
ALTER TABLE certificates ADD COLUMN identity_code BLOB;
CREATE INDEX certificates_clear ON certificates(id) WHERE learner_salt != '';
)sql",
  };
  return kMigrations;
}

}  // namespace

Status Migrate(Conn& conn) {
  const auto& migrations = Migrations();
  int version = conn.db().execAndGet("PRAGMA user_version").getInt();
  if (version > static_cast<int>(migrations.size())) {
    return Status::FailedPrecondition(
        "db.too-new", "the registry database was written by a newer certledger (schema " +
                          std::to_string(version) + "); upgrade certledger");
  }
  if (version == static_cast<int>(migrations.size())) return Status::Ok();
  conn.Exec("BEGIN IMMEDIATE");
  try {
    for (size_t v = static_cast<size_t>(version); v < migrations.size(); ++v) {
      conn.Exec(migrations[v]);
    }
    conn.Exec("PRAGMA user_version = " + std::to_string(migrations.size()));
    conn.Exec("COMMIT");
  } catch (const std::exception& e) {
    conn.Exec("ROLLBACK");
    return Db::FromException(e).Annotate("schema migration");
  }
  return Status::Ok();
}

}  // namespace certledger::registry::internal
