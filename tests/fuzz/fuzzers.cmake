# Every libFuzzer target of the project: its sources, its seed corpus and the
# libraries it needs. The fuzz targets live beside their parsers (*_fuzz.cc);
# this is the one list of them.
#
# Two builds read this list (tests/fuzz/CMakeLists.txt):
#   - the fuzz build (clang, WATTLINE_BUILD_FUZZERS=ON) compiles each target
#     with -fsanitize=fuzzer,address,undefined;
#   - the normal build registers one ctest per target, fuzz.<name>, that runs
#     the fuzz build's binary for WATTLINE_FUZZ_SECONDS on a copy of its corpus.
#
# wattline_fuzzer(NAME <name> CORPUS <dir> SOURCES <files...> [PKG <pkg-config modules...>])
# Paths are relative to the repository root.

wattline_fuzzer(NAME shelly_gen2_parser_fuzz
  CORPUS agent/shelly/fuzz_corpus/shelly_gen2
  SOURCES agent/shelly/shelly_gen2_parser_fuzz.cc agent/shelly/shelly_gen2_parser.cc
          common/labels.cc common/status.cc)

wattline_fuzzer(NAME promql_parser_fuzz
  CORPUS aggregator/query/fuzz_corpus/promql
  SOURCES aggregator/query/parser_fuzz.cc aggregator/query/lexer.cc aggregator/query/parser.cc
          aggregator/query/quote.cc aggregator/query/number.cc aggregator/query/time_param.cc
          aggregator/storage/label_matcher.cc common/duration.cc common/labels.cc common/status.cc
  PKG re2)
