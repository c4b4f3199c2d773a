// Every query of corpus.txt, asked of a real Prometheus (the reference) and
// of the aggregator, both holding the same six hours of home_energy_data.h:
// the answers must agree (answer_compare.h), unless the query's line is in
// known_differences.txt. Prints one line per differing query ("known" or
// "DIFFERS", the corpus line, "=>" and the first difference) and a summary;
// the listed queries that agree now are printed too, so the list shrinks as
// the engine grows.
//
// WATTLINE_PROMQL_DIFFERENCES_OUT=<file> writes every differing corpus line
// there, the contents known_differences.txt would need.
#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "aggregator/aggregator.h"
#include "aggregator/ingest/write_handler.h"
#include "common/clock.h"
#include "common/testing/temp_dir.h"
#include "tests/promql/answer_compare.h"
#include "tests/promql/home_energy_data.h"
#include "tests/promql/prometheus_server.h"
#include "tests/promql/query_corpus.h"
#include "tests/support/aggregator_test_files.h"
#include "tests/support/child_process.h"

namespace wattline::testing {
namespace {

constexpr const char* kToken = "promql-compatibility-token";
// Below the aggregator's default api.max_write_bytes (32 MiB).
constexpr size_t kImportChunkBytes = 4 << 20;

std::string SourceFile(const std::string& name) {
  return std::string(WATTLINE_PROMQL_SOURCE_DIR) + "/" + name;
}

// Milliseconds since the epoch as the API's decimal seconds.
std::string ApiTime(int64_t ms) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%lld.%03lld", static_cast<long long>(ms / 1000),
                static_cast<long long>(ms % 1000));
  return buffer;
}

ApiAnswer Ask(int port, const CorpusQuery& query) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(std::chrono::seconds(30));
  httplib::Params params{{"query", query.query}};
  std::string path;
  if (query.range) {
    path = "/api/v1/query_range";
    params.emplace("start", ApiTime(kDataStartMs + query.start_ms));
    params.emplace("end", ApiTime(kDataStartMs + query.end_ms));
    params.emplace("step", ApiTime(query.step_ms));
  } else {
    path = "/api/v1/query";
    params.emplace("time", ApiTime(kDataStartMs + query.time_ms));
  }
  auto result = client.Get(path, params, httplib::Headers{});
  if (!result) return {};
  return {result->status, result->body};
}

// Splits `text` at line ends into pieces of about `bytes`.
std::vector<std::string> Chunks(const std::string& text, size_t bytes) {
  std::vector<std::string> out;
  size_t from = 0;
  while (from < text.size()) {
    size_t to = std::min(text.size(), from + bytes);
    if (to < text.size()) to = text.find('\n', to) + 1;
    out.push_back(text.substr(from, to - from));
    from = to;
  }
  return out;
}

class PromqlCompatibility : public ::testing::Test {
 protected:
  // Starts the aggregator on run-time ports with a write token, its clock an
  // hour after the data ends, every sample kept raw for ever; again on the
  // same files after a stop.
  Result<std::unique_ptr<aggregator::Aggregator>> StartAggregator() {
    if (!std::filesystem::exists(dir_.File("write-token"))) {
      WATTLINE_RETURN_IF_ERROR(MakeAggregatorFiles(dir_, kToken));
    }
    Result<aggregator::AggregatorConfig> config = aggregator::ParseAggregatorConfig(
        LoopbackAggregatorConfig(dir_, dir_.File("data")) + "storage:\n  raw_retention: 0s\n",
        "promql-compatibility");
    if (!config.ok()) return config.status();
    return aggregator::Aggregator::Start(*config, &clock_);
  }

  TempDir dir_;
  FakeClock clock_{kDataStartMs + kDataDurationMs + 3600 * 1000};
};

TEST_F(PromqlCompatibility, CorpusAgreesWithPrometheusOrIsAKnownDifference) {
  const std::string missing = PrometheusServer::Missing();
  if (!missing.empty()) GTEST_SKIP() << missing;
  Result<std::vector<CorpusQuery>> corpus = ParseCorpus(ReadFileOrEmpty(SourceFile("corpus.txt")));
  ASSERT_TRUE(corpus.ok()) << "corpus.txt: " << corpus.status().ToString();
  ASSERT_FALSE(corpus->empty()) << "corpus.txt is empty or missing";
  const std::set<std::string> known =
      ParseKnownDifferences(ReadFileOrEmpty(SourceFile("known_differences.txt")));

  const std::vector<GeneratedSeries> data = GenerateHomeEnergyData();
  PrometheusServer prometheus;
  Status started = prometheus.Start(ToOpenMetrics(data));
  ASSERT_TRUE(started.ok()) << started.ToString();

  // Every generated series exists at 3h (the late one has started, the
  // early one not yet ended): the backfill took everything.
  CorpusQuery count_all{"", false, 3 * 3600 * 1000, 0, 0, 0, "count({__name__!=\"\"})"};
  const ApiAnswer counted = Ask(prometheus.port(), count_all);
  ASSERT_NE(counted.body.find("\"" + std::to_string(data.size()) + "\"]"), std::string::npos)
      << counted.body << "\n"
      << prometheus.Log();

  auto aggregator = StartAggregator();
  ASSERT_TRUE(aggregator.ok()) << aggregator.status().ToString();
  httplib::Client writer("127.0.0.1", (*aggregator)->api_port());
  writer.set_bearer_token_auth(kToken);
  writer.set_read_timeout(std::chrono::seconds(60));
  for (const std::string& chunk : Chunks(ToPrometheusText(data), kImportChunkBytes)) {
    auto imported = writer.Post(aggregator::kTextImportPath, chunk, "text/plain");
    ASSERT_TRUE(imported) << httplib::to_string(imported.error());
    ASSERT_EQ(imported->status, 204) << imported->body;
  }

  int agreeing = 0;
  std::vector<std::string> differing;
  std::vector<std::string> unexpected;
  std::vector<std::string> now_agreeing;
  std::set<std::string> seen;
  std::vector<ApiAnswer> references;
  for (const CorpusQuery& query : *corpus) {
    seen.insert(query.line);
    const ApiAnswer& reference = references.emplace_back(Ask(prometheus.port(), query));
    const ApiAnswer ours = Ask((*aggregator)->api_port(), query);
    const std::string difference =
        CompareAnswers(reference, ours, !query.range && OutermostIsSort(query.query));
    const bool listed = known.contains(query.line);
    if (difference.empty()) {
      ++agreeing;
      if (listed) now_agreeing.push_back(query.line);
      continue;
    }
    differing.push_back(query.line);
    std::cout << (listed ? "known   " : "DIFFERS ") << query.line << "  => " << difference << "\n";
    if (!listed) unexpected.push_back(query.line + "\n    " + difference);
  }
  for (const std::string& line : now_agreeing) {
    std::cout << "agrees now (remove from known_differences.txt): " << line << "\n";
  }
  for (const std::string& line : known) {
    if (!seen.contains(line))
      std::cout << "not in the corpus (known_differences.txt): " << line << "\n";
  }
  std::cout << "PromQL compatibility: " << agreeing << " of " << corpus->size()
            << " queries agree with Prometheus\n";
  if (const char* out = std::getenv("WATTLINE_PROMQL_DIFFERENCES_OUT"); out != nullptr) {
    std::string text;
    for (const std::string& line : differing) text += line + "\n";
    WriteFile(out, text);
  }
  for (const std::string& failure : unexpected) {
    ADD_FAILURE() << "differs from Prometheus and is not in known_differences.txt: " << failure;
  }

  // Above, the samples were in the head (and rollups computed from them).
  // A clean stop cuts every window into chunks and hour rollups: the same
  // answers must come from those (and from minutes computed from chunks).
  aggregator->reset();
  aggregator = StartAggregator();
  ASSERT_TRUE(aggregator.ok()) << aggregator.status().ToString();
  int agreeing_from_disk = 0;
  for (size_t i = 0; i < corpus->size(); ++i) {
    const CorpusQuery& query = (*corpus)[i];
    const ApiAnswer ours = Ask((*aggregator)->api_port(), query);
    const std::string difference =
        CompareAnswers(references[i], ours, !query.range && OutermostIsSort(query.query));
    if (difference.empty()) {
      ++agreeing_from_disk;
    } else if (!known.contains(query.line)) {
      ADD_FAILURE() << "differs from Prometheus once cut into chunks: " << query.line << "\n    "
                    << difference;
    }
  }
  std::cout << "PromQL compatibility, from chunks and rollups: " << agreeing_from_disk << " of "
            << corpus->size() << " queries agree with Prometheus\n";
}

}  // namespace
}  // namespace wattline::testing
