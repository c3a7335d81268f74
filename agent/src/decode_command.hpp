#pragma once
#include <istream>
#include <ostream>
#include <string>
#include <vector>

namespace edgestock::agent {

// `edgestock decode`: what each scan means, field by field, or why it is
// refused; records nothing. Scans come from `texts`, else one per line of
// `in`. Returns 0 when every scan decoded, 1 otherwise.
int run_decode(const std::vector<std::string>& texts, bool json, std::istream& in, std::ostream& out);

}  // namespace edgestock::agent
