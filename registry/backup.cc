// Registry::Backup and Registry::Restore (registry/registry.h).
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "registry/internal/db.h"
#include "registry/registry.h"

namespace certledger::registry {
namespace {

namespace fs = std::filesystem;

Status FsyncPath(const fs::path& p) {
  FILE* f = std::fopen(p.c_str(), "rb");
  if (!f) return Status::Unavailable("io.open", "cannot open " + p.string());
  int rc = ::fsync(fileno(f));
  std::fclose(f);
  return rc == 0 ? Status::Ok() : Status::Unavailable("io.fsync", "cannot sync " + p.string());
}

}  // namespace

void Registry::WaitDurable() { db_->WaitDurable(); }

bool Registry::IsDurable() const { return db_->IsDurable(); }

void Registry::BeginAnswer() { db_->BeginAnswer(); }

void Registry::WaitAnswerable() { db_->WaitAnswerable(); }

Status Registry::SyncStorage() {
  db_->WaitDurable();
  return db_->SyncLog();
}

Status Registry::Backup(const std::string& dest) {
  std::error_code ec;
  if (fs::exists(dest, ec)) {
    return Status::AlreadyExists("backup.exists", dest + " already exists; choose a new file name");
  }
  const std::string tmp = dest + ".partial";
  fs::remove(tmp, ec);
  CERTLEDGER_RETURN_IF_ERROR(db_->Backup(tmp));
  CERTLEDGER_RETURN_IF_ERROR(FsyncPath(tmp));
  fs::rename(tmp, dest, ec);
  if (ec) return Status::Unavailable("io.rename", "cannot rename " + tmp + ": " + ec.message());
  ::chmod(dest.c_str(), 0600);
  return Status::Ok();
}

Status Registry::Restore(const std::string& data_dir, const std::string& backup_file, bool replace,
                         const std::optional<crypto::SecretBytes>& passphrase, const Clock& clock) {
  std::error_code ec;
  const fs::path dir(data_dir);
  const fs::path db = dir / "registry.db";
  if (!fs::exists(backup_file, ec)) {
    return Status::NotFound("restore.missing", "no backup file at " + backup_file);
  }
  if (!fs::is_directory(dir, ec)) {
    return Status::NotFound("restore.data",
                            data_dir +
                                " is not a directory; create it and put the registry's "
                                "master.key (or master.salt) in it first");
  }
  // 1. The file is an intact SQLite database of a registry.
  {
    internal::DbOptions o;
    auto check = internal::Db::Open(backup_file, o);
    if (!check.ok()) return Status(check.status()).Annotate("restore");
    Status st = (*check)->Read([](internal::Conn& c) -> Status {
      std::string r = c.db().execAndGet("PRAGMA integrity_check").getString();
      if (r != "ok") return Status::DataLoss("restore.corrupt", "integrity check: " + r);
      return Status::Ok();
    });
    CERTLEDGER_RETURN_IF_ERROR(st);
  }
  // 2. Copy beside the live database, then swap it in.
  const fs::path staged = dir / "registry.db.restoring";
  fs::remove(staged, ec);
  fs::copy_file(backup_file, staged, ec);
  if (ec) return Status::Unavailable("io.copy", "cannot copy the backup: " + ec.message());
  ::chmod(staged.c_str(), 0600);
  CERTLEDGER_RETURN_IF_ERROR(FsyncPath(staged));
  fs::path kept;
  if (fs::exists(db, ec)) {
    if (!replace) {
      fs::remove(staged, ec);
      return Status::AlreadyExists("restore.exists",
                                   db.string() +
                                       " exists; stop the server and pass --replace "
                                       "to keep it aside and restore over it");
    }
    kept = dir / ("registry.db.before-restore-" + std::to_string(clock.NowMillis()));
    fs::rename(db, kept, ec);
    for (const char* side : {"-wal", "-shm"}) {
      fs::path p = db.string() + side;
      if (fs::exists(p)) fs::rename(p, kept.string() + side, ec);
    }
  }
  fs::rename(staged, db, ec);
  if (ec) return Status::Unavailable("io.rename", "cannot move the restored database in place");
  // 3. The master key opens it and the ledger recovers; otherwise undo.
  RegistryOptions ro;
  ro.data_dir = data_dir;
  ro.passphrase = passphrase;
  ro.ledger.background = false;
  auto reg = Registry::Open(ro, clock);
  if (!reg.ok()) {
    fs::remove(db, ec);
    if (!kept.empty()) fs::rename(kept, db, ec);
    return Status(reg.status()).Annotate("the restored database does not open; nothing changed");
  }
  return (*reg)->ledger().IntegrateNow().status();
}

}  // namespace certledger::registry
