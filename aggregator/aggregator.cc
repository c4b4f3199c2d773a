#include "aggregator/aggregator.h"

#include "aggregator/api/query_api.h"
#include "aggregator/pki/pki.h"
#include "common/private_directory.h"
#include "common/version.h"

namespace wattline::aggregator {

Aggregator::~Aggregator() { Stop(); }

Result<std::unique_ptr<Aggregator>> Aggregator::Start(const AggregatorConfig& config,
                                                      const Clock* clock) {
  std::unique_ptr<Aggregator> self(new Aggregator());
  WATTLINE_RETURN_IF_ERROR(MakePrivateDirectory(config.data_dir));
  auto store = SampleStore::Open(config.data_dir + "/samples.db");
  if (!store.ok()) return store.status();
  self->store_ = std::move(*store);

  IngestOptions ingest_options;
  ingest_options.batch_limits.max_decompressed_bytes =
      static_cast<size_t>(config.max_batch_decompressed_bytes);
  ingest_options.max_future_ms = config.max_future_ms;
  self->ingest_ = std::make_unique<IngestHandler>(self->store_.get(), clock, ingest_options,
                                                  &self->metrics_.ingest);
  self->query_ = std::make_unique<QueryApi>(self->store_.get(), clock);

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
  self->ingest_server_->Handle("POST", kAgentUploadPath, [ingest_handler](const HttpRequest& r) {
    return ingest_handler->Handle(r);
  });

  HttpServerOptions api;
  api.name = "api";
  api.host = config.api_listen.host;
  api.port = config.api_listen.port;
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
}

HttpResponse Aggregator::HandleMetrics() {
  StorageGauges gauges;
  Result<StoreStats> stats = store_->Stats();
  if (stats.ok()) gauges = StorageGauges{stats->series, stats->samples};
  HttpResponse response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = RenderMetrics(metrics_, gauges, kVersion);
  return response;
}

}  // namespace wattline::aggregator
