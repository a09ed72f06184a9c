// The registry database schema and its migrations (PRAGMA user_version).
// Persistent format: never edit a released migration; append a new one.
#ifndef CERTLEDGER_REGISTRY_INTERNAL_SCHEMA_H_
#define CERTLEDGER_REGISTRY_INTERNAL_SCHEMA_H_

#include "crypto/status.h"

namespace certledger::registry::internal {

class Conn;

// Brings the schema up to date in one transaction. kFailedPrecondition
// ("db.too-new") when the file was written by a newer certledger.
Status Migrate(Conn& conn);

}  // namespace certledger::registry::internal

#endif  // CERTLEDGER_REGISTRY_INTERNAL_SCHEMA_H_
