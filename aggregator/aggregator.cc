#include "aggregator/aggregator.h"

#include <memory>
#include <optional>
#include <string>

#include "aggregator/api/metadata_api.h"
#include "aggregator/api/query_api.h"
#include "aggregator/api/rules_api.h"
#include "aggregator/energy/schedule_series.h"
#include "aggregator/energy/series_with_schedules.h"
#include "aggregator/notify/mqtt_publisher.h"
#include "aggregator/notify/notification_queue.h"
#include "aggregator/notify/notifier.h"
#include "aggregator/pki/pki.h"
#include "aggregator/query/engine.h"
#include "aggregator/rules/rule_manager.h"
#include "common/log.h"
#include "common/private_directory.h"
#include "common/version.h"

namespace wattline::aggregator {

Aggregator::~Aggregator() { Stop(); }

Result<std::unique_ptr<Aggregator>> Aggregator::Start(const AggregatorConfig& config,
                                                      const Clock* clock) {
  std::unique_ptr<Aggregator> self(new Aggregator());
  // Before storage is opened: a bad token file stops the start at once.
  WriteOptions write_options;
  if (!config.write_token_file.empty()) {
    Result<std::string> token = LoadWriteToken(config.write_token_file);
    if (!token.ok()) return token.status().WithContext("api.write_token_file");
    write_options.token = std::move(*token);
  }
  write_options.max_write_bytes = static_cast<size_t>(config.max_write_bytes);
  write_options.max_future_ms = config.max_future_ms;
  WATTLINE_RETURN_IF_ERROR(MakePrivateDirectory(config.data_dir));
  auto store = SampleStore::Open(StoragePathIn(config.data_dir), clock, config.storage);
  if (!store.ok()) return store.status();
  self->store_ = std::move(*store);
  auto schedules = ScheduleSeries::Create(config.energy);
  if (!schedules.ok()) return schedules.status().WithContext("energy");
  self->schedules_ = std::move(*schedules);
  // Queries, rules and metadata see the tariff and carbon series too.
  self->series_ = std::make_unique<SeriesWithSchedules>(self->store_.get(), self->schedules_.get());

  IngestOptions ingest_options;
  ingest_options.batch_limits.max_decompressed_bytes =
      static_cast<size_t>(config.max_batch_decompressed_bytes);
  ingest_options.max_future_ms = config.max_future_ms;
  self->ingest_ = std::make_unique<IngestHandler>(self->store_.get(), clock, ingest_options,
                                                  &self->metrics_.ingest);
  self->query_ = std::make_unique<QueryApi>(self->series_.get(), clock);
  self->write_ = std::make_unique<WriteHandler>(self->store_.get(), clock, write_options,
                                                &self->metrics_.write);
  self->rules_engine_ = std::make_unique<Engine>(self->series_.get(), clock);
  RuleManagerOptions rules;
  rules.files = config.rules.files;
  rules.group.default_interval_ms = config.rules.evaluation_interval_ms;
  rules.group.resend_delay_ms = config.rules.resend_delay_ms;
  rules.group.alert_context.external_url = config.rules.external_url;
  rules.outage_tolerance_ms = config.rules.outage_tolerance_ms;
  rules.for_grace_period_ms = config.rules.for_grace_period_ms;
  rules.state_path = config.data_dir + "/alerts.json";
  NotifyAlerts notify;
  if (!config.rules.alertmanager_url.empty() || !config.rules.webhook_url.empty() ||
      config.rules.mqtt.has_value()) {
    // Before the queue: a TLS file that cannot be read stops the start.
    std::unique_ptr<MqttPublisher> mqtt;
    if (config.rules.mqtt.has_value()) {
      auto publisher = MqttPublisher::Start(*config.rules.mqtt);
      if (!publisher.ok()) return publisher.status().WithContext("notify.mqtt_url");
      mqtt = std::move(*publisher);
    }
    auto queue = NotificationQueue::Open(config.data_dir + "/notifications.db");
    if (!queue.ok()) return queue.status();
    self->notifications_ = std::move(*queue);
    NotifierOptions notifier;
    notifier.alertmanager_url = config.rules.alertmanager_url;
    notifier.webhook_url = config.rules.webhook_url;
    notifier.alert_context = rules.group.alert_context;
    self->notifier_ =
        std::make_unique<Notifier>(notifier, self->notifications_.get(), clock, std::move(mqtt));
    notify = [notifier = self->notifier_.get()](const RuleSpec& rule, std::vector<Alert> alerts) {
      notifier->Queue(rule.expr, alerts);
    };
  }
  SampleStore* rule_store = self->store_.get();
  auto rule_manager = RuleManager::Start(
      rules, self->rules_engine_.get(), clock,
      [rule_store](const std::vector<SeriesSamples>& series) {
        return rule_store->Write(series).status();
      },
      std::move(notify));
  if (!rule_manager.ok()) return rule_manager.status().WithContext("rules.files");
  self->rules_ = std::move(*rule_manager);

  HttpServerOptions ingest;
  ingest.name = "ingest";
  ingest.host = config.ingest_listen.host;
  ingest.port = config.ingest_listen.port;
  ingest.cert_file = PkiLayout::ServerCert(config.pki_dir);
  ingest.key_file = PkiLayout::ServerKey(config.pki_dir);
  ingest.client_ca_file = PkiLayout::CaCert(config.pki_dir);
  ingest.max_body_bytes = static_cast<size_t>(config.max_upload_bytes);
  auto ingest_server = HttpServer::Create(ingest);
  if (!ingest_server.ok()) return ingest_server.status();
  self->ingest_server_ = std::move(*ingest_server);
  IngestHandler* ingest_handler = self->ingest_.get();
  self->ingest_server_->Handle(
      "POST", kAgentUploadPath,
      [ingest_handler](const HttpRequest& r) { return ingest_handler->Handle(r); },
      ingest_handler->Route());

  HttpServerOptions api;
  api.name = "api";
  api.host = config.api_listen.host;
  api.port = config.api_listen.port;
  // Query bodies are form fields of a few KiB; the write paths set their
  // own limit (WriteHandler::*Route).
  api.max_body_bytes = 1 << 20;
  auto api_server = HttpServer::Create(api);
  if (!api_server.ok()) return api_server.status();
  self->api_server_ = std::move(*api_server);
  QueryApi* query = self->query_.get();
  Aggregator* raw = self.get();
  for (const char* method : {"GET", "POST"}) {
    self->api_server_->Handle(method, "/api/v1/query", [query, raw](const HttpRequest& r) {
      ++raw->metrics_.query.queries;
      return query->HandleQuery(r);
    });
    self->api_server_->Handle(method, "/api/v1/query_range", [query, raw](const HttpRequest& r) {
      ++raw->metrics_.query.queries;
      return query->HandleQueryRange(r);
    });
  }
  // The metadata endpoints keep only the reader's pointer: the handlers
  // share one MetadataApi, which lives as long as the routes.
  auto metadata = std::make_shared<const MetadataApi>(self->series_.get());
  for (const char* method : {"GET", "POST"}) {
    self->api_server_->Handle(method, "/api/v1/labels", [metadata](const HttpRequest& r) {
      return metadata->HandleLabels(r);
    });
    self->api_server_->Handle(method, "/api/v1/series", [metadata](const HttpRequest& r) {
      return metadata->HandleSeries(r);
    });
    self->api_server_->Handle(method, "/api/v1/query_exemplars",
                              &MetadataApi::HandleQueryExemplars);
  }
  self->api_server_->Handle(
      "GET", std::string(kLabelValuesPrefix) + "*",
      [metadata](const HttpRequest& r) { return metadata->HandleLabelValues(r); });
  self->api_server_->Handle("GET", "/api/v1/metadata", [metadata](const HttpRequest& r) {
    return metadata->HandleMetadata(r);
  });
  self->api_server_->Handle("GET", "/api/v1/status/buildinfo", &MetadataApi::HandleBuildInfo);
  RuleManager* rule_manager_raw = self->rules_.get();
  self->api_server_->Handle("GET", "/api/v1/rules", [rule_manager_raw](const HttpRequest& r) {
    return RulesResponse(rule_manager_raw->Groups(), r);
  });
  self->api_server_->Handle("GET", "/api/v1/alerts", [rule_manager_raw](const HttpRequest&) {
    return AlertsResponse(rule_manager_raw->Groups());
  });
  // Other paths and methods under /api/v1/ as Prometheus answers them; a
  // POST's body is refused unread.
  auto refused_unread = [](HttpResponse (*answer)(const HttpRequest&)) {
    HttpRouteOptions options;
    options.admit = [answer](const HttpRequest& r) -> std::optional<HttpResponse> {
      return answer(r);
    };
    return options;
  };
  const std::string get_only[] = {std::string(kLabelValuesPrefix) + "*", "/api/v1/metadata",
                                  "/api/v1/status/buildinfo", "/api/v1/rules", "/api/v1/alerts"};
  for (const std::string& path : get_only) {
    self->api_server_->Handle("POST", path, &MetadataApi::HandleMethodNotAllowed,
                              refused_unread(&MetadataApi::HandleMethodNotAllowed));
  }
  self->api_server_->Handle("GET", "/api/v1/*", &MetadataApi::HandleUnknownPath);
  self->api_server_->Handle("POST", "/api/v1/*", &MetadataApi::HandleUnknownPath,
                            refused_unread(&MetadataApi::HandleUnknownPath));
  WriteHandler* write = self->write_.get();
  self->api_server_->Handle(
      "POST", kRemoteWritePath,
      [write](const HttpRequest& r) { return write->HandleRemoteWrite(r); },
      write->RemoteWriteRoute());
  self->api_server_->Handle(
      "POST", kTextImportPath, [write](const HttpRequest& r) { return write->HandleTextImport(r); },
      write->TextImportRoute());
  self->api_server_->Handle("GET", "/metrics",
                            [raw](const HttpRequest&) { return raw->HandleMetrics(); });

  Result<int> ingest_port = self->ingest_server_->Bind();
  if (!ingest_port.ok()) return ingest_port.status();
  Result<int> api_port = self->api_server_->Bind();
  if (!api_port.ok()) return api_port.status();
  self->ingest_port_ = *ingest_port;
  self->api_port_ = *api_port;
  self->ingest_server_->StartServing();
  self->api_server_->StartServing();
  return self;
}

void Aggregator::Stop() {
  if (ingest_server_) ingest_server_->Stop();
  if (api_server_) api_server_->Stop();
  // No handler reaches the rules now; a running evaluation finishes. Then
  // nothing is queued any more.
  rules_.reset();
  notifier_.reset();
}

std::string Aggregator::Summary() const {
  std::string receivers;
  if (notifier_ != nullptr) {
    for (const std::string& name : notifier_->ReceiverNames()) {
      receivers += (receivers.empty() ? "" : ", ") + name;
    }
  }
  return std::to_string(rules_ == nullptr ? 0 : rules_->Groups().size()) + " rule groups, " +
         std::to_string(schedules_->size()) + " tariff and carbon series, notify " +
         (receivers.empty() ? "none" : receivers);
}

Status Aggregator::ReloadRules() {
  if (rules_ == nullptr) return Status::FailedPrecondition("the aggregator is stopping");
  return rules_->Reload();
}

HttpResponse Aggregator::HandleMetrics() {
  Result<StoreStats> stats = store_->Stats();
  if (!stats.ok()) LogWarning("metrics", "storage figures unavailable: " + stats.status().ToString());
  HttpResponse response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = RenderMetrics(metrics_, stats.ok() ? *stats : StoreStats{}, kVersion);
  if (notifications_ != nullptr) {
    Result<int64_t> pending = notifications_->Pending();
    response.body +=
        RenderNotificationMetrics(notifications_->Counts(), pending.ok() ? *pending : 0);
  }
  return response;
}

}  // namespace wattline::aggregator
