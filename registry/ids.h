// Identifiers with check digits: INN (taxpayer number of an organisation or
// person), SNILS (personal insurance account number), and the registry's
// human-typable registration codes. Pure functions; thread-safe.
#ifndef CERTLEDGER_REGISTRY_IDS_H_
#define CERTLEDGER_REGISTRY_IDS_H_

#include <string>
#include <string_view>

#include "crypto/status.h"

namespace certledger::registry {

// INN: 10 digits (organisation) or 12 digits (individual), with the Federal
// Tax Service's weighted mod-11 check digits. Returns the digits, or
// kInvalidArgument "inn.invalid" saying whether the length or the check failed.
Result<std::string> ValidateInn(std::string_view text);

// SNILS "NNN-NNN-NNN CC" (separators optional): 11 digits, the control number
// per the Pension Fund's algorithm (checked above 001-001-998). Returns the 11
// digits, or kInvalidArgument "snils.invalid" (ru/en message).
Result<std::string> ValidateSnils(std::string_view text);

// Registration codes: 16 Crockford base32 symbols (80 random bits) and one
// check symbol (Luhn mod 32 over the symbols), grouped XXXX-XXXX-XXXX-XXXX-C.
std::string NewRegistrationCode();
// Normalizes typed input (any case, hyphens/spaces optional, O->0, I/L->1)
// and checks the check symbol. kInvalidArgument "code.invalid".
Result<std::string> NormalizeRegistrationCode(std::string_view typed);

}  // namespace certledger::registry

#endif  // CERTLEDGER_REGISTRY_IDS_H_
