// RFC 3339 / XML Schema dateTime timestamps, as used by VC 2.0 (`validFrom`,
// `validUntil`, proof `created`) and ledger entries. Pure; thread-safe.
#ifndef CERTLEDGER_CRYPTO_RFC3339_H_
#define CERTLEDGER_CRYPTO_RFC3339_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/status.h"

namespace certledger::crypto {

// "2026-11-22T10:15:30Z", or with milliseconds "2026-11-22T10:15:30.123Z".
std::string FormatRfc3339(int64_t unix_ms, bool with_millis = false);

// Parses RFC 3339 section 5.6 `date-time` (a 'T' or 't' separator, optional
// fraction, 'Z' or +hh:mm / -hh:mm offset) into Unix milliseconds (fraction
// truncated to ms). kInvalidArgument ("time.malformed") otherwise, including
// impossible dates such as 2026-02-30.
Result<int64_t> ParseRfc3339(std::string_view text);

// "YYYY-MM-DD" -> days since 1970-01-01. kInvalidArgument ("time.malformed").
Result<int64_t> ParseDate(std::string_view text);
std::string FormatDate(int64_t days_since_epoch);

// Proleptic Gregorian helpers (Howard Hinnant's civil algorithms).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d);

}  // namespace certledger::crypto

#endif  // CERTLEDGER_CRYPTO_RFC3339_H_
