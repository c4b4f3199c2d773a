// Every blob the engine stores (chunks, rollups) has its checksum beside it,
// checked before the blob is decoded: damage on disk is reported as such,
// not as whatever a decoder would make of it.
#ifndef WATTLINE_AGGREGATOR_STORAGE_STORED_BLOB_H_
#define WATTLINE_AGGREGATOR_STORAGE_STORED_BLOB_H_

#include <cstdint>
#include <string_view>

#include "aggregator/storage/chunk_codec.h"
#include "common/status.h"

namespace wattline::aggregator {

// The checksum column's value: the CRC-32 as a signed 32-bit number, which
// SQLite keeps in 4 bytes (an unsigned one above 2^31 takes 6).
inline int64_t StoredChecksum(std::string_view data) {
  return static_cast<int32_t>(ChunkChecksum(data));
}

inline Status CheckStoredBlob(std::string_view data, int64_t checksum) {
  if (StoredChecksum(data) != checksum) {
    return Status::Corruption("checksum mismatch");
  }
  return Status::Ok();
}

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_STORED_BLOB_H_
