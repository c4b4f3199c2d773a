// The aggregator: storage, the agents' mutual-TLS ingest listener and the
// query API listener, wired together. docs/ARCHITECTURE.md follows a sample
// through it.
//
// Thread-safety: Start and Stop from one thread; requests are served on the
// listeners' own threads.
#ifndef WATTLINE_AGGREGATOR_AGGREGATOR_H_
#define WATTLINE_AGGREGATOR_AGGREGATOR_H_

#include <memory>
#include <string>

#include "aggregator/config/aggregator_config.h"
#include "aggregator/http/http_server.h"
#include "aggregator/ingest/ingest_handler.h"
#include "aggregator/ingest/write_handler.h"
#include "aggregator/metrics/aggregator_metrics.h"
#include "aggregator/storage/sample_store.h"
#include "common/clock.h"

namespace wattline::aggregator {

class Engine;
class NotificationQueue;
class Notifier;
class QueryApi;
class RuleManager;
class ScheduleSeries;
class SeriesWithSchedules;

class Aggregator {
 public:
  // Opens storage under config.data_dir and starts both listeners.
  // `clock` outlives the Aggregator.
  static Result<std::unique_ptr<Aggregator>> Start(const AggregatorConfig& config,
                                                   const Clock* clock);
  ~Aggregator();

  int ingest_port() const { return ingest_port_; }
  int api_port() const { return api_port_; }
  // Reads the rule files again (SIGHUP); on an error the running rules stay.
  Status ReloadRules();
  // For the startup line: "3 rule groups, 4 tariff and carbon series,
  // notify alertmanager, mqtt" (receivers "none" when there are none).
  std::string Summary() const;
  // Stops both listeners (requests in progress finish first), then the
  // rules.
  void Stop();

 private:
  Aggregator() = default;
  HttpResponse HandleMetrics();

  std::unique_ptr<SampleStore> store_;
  std::unique_ptr<ScheduleSeries> schedules_;    // tariffs and carbon
  std::unique_ptr<SeriesWithSchedules> series_;  // both, for queries
  AggregatorMetrics metrics_;
  std::unique_ptr<IngestHandler> ingest_;
  std::unique_ptr<WriteHandler> write_;
  std::unique_ptr<QueryApi> query_;
  std::unique_ptr<Engine> rules_engine_;
  // Before rules_: the rules notify through them until they stop.
  std::unique_ptr<NotificationQueue> notifications_;
  std::unique_ptr<Notifier> notifier_;
  std::unique_ptr<RuleManager> rules_;
  std::unique_ptr<HttpServer> ingest_server_;
  std::unique_ptr<HttpServer> api_server_;
  int ingest_port_ = 0;
  int api_port_ = 0;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_AGGREGATOR_H_
