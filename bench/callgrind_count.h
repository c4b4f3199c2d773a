// Instruction counts of chosen calls only, through callgrind's client
// requests (valgrind/callgrind.h). The program runs under
//   valgrind --tool=callgrind --collect-atstart=no
// so that nothing is counted but what CountRounds() switches on; each call of
// CountRounds() ends in one dump whose description names it, which
// bench/source_instructions.sh reads. Outside valgrind the requests do
// nothing and the program only prints what it would measure.
#ifndef WATTLINE_BENCH_CALLGRIND_COUNT_H_
#define WATTLINE_BENCH_CALLGRIND_COUNT_H_

#include <cstddef>
#include <functional>
#include <string>

namespace wattline::bench {

// True when running under valgrind.
bool UnderValgrind();

// Calls `measured` then `between` `rounds` times, counting the instructions
// of `measured` only, and dumps the count as "<name>".
void CountRounds(const std::string& name, size_t rounds, const std::function<void()>& measured,
                 const std::function<void()>& between);

}  // namespace wattline::bench

#endif  // WATTLINE_BENCH_CALLGRIND_COUNT_H_
