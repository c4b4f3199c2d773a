// A record of the ingest log: what one committed write (an agent's upload,
// a remote-write request, an import) added, as one chunk (chunk_codec.h) per
// series. The log is the head's write-ahead log: a write is durable when its
// record commits, and a restart replays the records whose samples are not
// in chunks yet (docs/storage.md).
//
// Layout, little-endian: u32 series count, then per series i64 series id,
// u32 chunk length, the chunk.
#ifndef WATTLINE_AGGREGATOR_STORAGE_INGEST_LOG_RECORD_H_
#define WATTLINE_AGGREGATOR_STORAGE_INGEST_LOG_RECORD_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aggregator/storage/head.h"
#include "common/status.h"

namespace wattline::aggregator {

// REQUIRES: every series has samples, sorted by strictly increasing time.
std::string EncodeLogRecord(std::span<const SeriesRecord> record);

// InvalidArgument on anything malformed.
Result<std::vector<SeriesRecord>> DecodeLogRecord(std::string_view data);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_INGEST_LOG_RECORD_H_
