#include "aggregator/storage/rollup.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "aggregator/storage/chunk_bits.h"
#include "aggregator/storage/chunk_codec.h"
#include "aggregator/storage/sample_points.h"

namespace wattline::aggregator {
namespace {

// The fields, in their on-disk order. Timestamps are kept as offsets from
// the bucket start: small integers, which the chunk codec packs tightly.
constexpr int kFields = 9;

// The first byte of the current format (docs/formats/rollups.md). The
// first format, still read, began with kFields as a 4-byte integer, whose
// first byte is 9.
constexpr uint8_t kFormatSharedTimes = 2;

double Field(const Rollup& r, int field) {
  switch (field) {
    case 0:
      return static_cast<double>(r.count);
    case 1:
      return r.sum;
    case 2:
      return r.min;
    case 3:
      return r.max;
    case 4:
      return r.first;
    case 5:
      return r.last;
    case 6:
      return static_cast<double>(r.first_ms - r.start_ms);
    case 7:
      return static_cast<double>(r.last_ms - r.start_ms);
    default:
      return r.increase;
  }
}

void SetField(Rollup& r, int field, double value) {
  switch (field) {
    case 0:
      r.count = static_cast<int64_t>(value);
      break;
    case 1:
      r.sum = value;
      break;
    case 2:
      r.min = value;
      break;
    case 3:
      r.max = value;
      break;
    case 4:
      r.first = value;
      break;
    case 5:
      r.last = value;
      break;
    case 6:
      r.first_ms = r.start_ms + static_cast<int64_t>(value);
      break;
    case 7:
      r.last_ms = r.start_ms + static_cast<int64_t>(value);
      break;
    default:
      r.increase = value;
      break;
  }
}

bool TakeU32(std::string_view& in, uint32_t* value) {
  if (in.size() < 4) return false;
  std::memcpy(value, in.data(), 4);
  in.remove_prefix(4);
  return true;
}

}  // namespace

std::vector<Rollup> ComputeRollups(std::span<const SamplePoint> samples, int64_t resolution_ms) {
  std::vector<Rollup> out;
  for (const SamplePoint& sample : samples) {
    if (IsStaleNaN(sample.value)) continue;
    const int64_t start = AlignDown(sample.timestamp_ms, resolution_ms);
    if (out.empty() || out.back().start_ms != start) {
      Rollup bucket;
      bucket.start_ms = start;
      bucket.count = 1;
      bucket.sum = bucket.min = bucket.max = bucket.first = bucket.last = sample.value;
      bucket.first_ms = bucket.last_ms = sample.timestamp_ms;
      out.push_back(bucket);
      continue;
    }
    Rollup& bucket = out.back();
    ++bucket.count;
    bucket.sum += sample.value;
    // Prometheus's min_over_time/max_over_time: a NaN is replaced by any
    // number that follows it, and never replaces a number.
    if (sample.value < bucket.min || std::isnan(bucket.min)) bucket.min = sample.value;
    if (sample.value > bucket.max || std::isnan(bucket.max)) bucket.max = sample.value;
    bucket.increase += CounterStep(bucket.last, sample.value);
    bucket.last = sample.value;
    bucket.last_ms = sample.timestamp_ms;
  }
  return out;
}

double RollupIncrease(std::span<const Rollup> buckets) {
  double increase = 0;
  for (size_t i = 0; i < buckets.size(); ++i) {
    increase += buckets[i].increase;
    if (i > 0) increase += CounterStep(buckets[i - 1].last, buckets[i].first);
  }
  return increase;
}

std::string EncodeRollups(std::span<const Rollup> buckets) {
  std::string out(1, static_cast<char>(kFormatSharedTimes));
  std::vector<SamplePoint> column(buckets.size());
  for (int field = 0; field < kFields; ++field) {
    for (size_t i = 0; i < buckets.size(); ++i) {
      // The bucket starts once, with the first field; the others are keyed
      // by index, which the codec's regular timestamps store in 3 bytes.
      const int64_t key = field == 0 ? buckets[i].start_ms : static_cast<int64_t>(i);
      column[i] = SamplePoint{key, Field(buckets[i], field)};
    }
    const std::string chunk = EncodeChunk(column);
    chunk_bits::PutVarint(&out, chunk.size());
    out += chunk;
  }
  return out;
}

Status DecodeRollups(std::string_view data, std::vector<Rollup>* out) {
  const bool shared_times = !data.empty() && data[0] == static_cast<char>(kFormatSharedTimes);
  if (shared_times) {
    data.remove_prefix(1);
  } else {
    uint32_t fields = 0;
    if (!TakeU32(data, &fields) || fields != kFields) {
      return Status::InvalidArgument("rollups: bad field count");
    }
  }
  std::vector<Rollup> buckets;
  std::vector<SamplePoint> column;
  for (int field = 0; field < kFields; ++field) {
    uint64_t length = 0;
    if (shared_times) {
      size_t pos = 0;
      if (!chunk_bits::GetVarint(data, &pos, &length)) length = UINT64_MAX;
      data.remove_prefix(std::min(pos, data.size()));
    } else {
      uint32_t length32 = 0;
      length = TakeU32(data, &length32) ? length32 : UINT64_MAX;
    }
    if (length > data.size()) {
      return Status::InvalidArgument("rollups: truncated field " + std::to_string(field));
    }
    column.clear();
    WATTLINE_RETURN_IF_ERROR(DecodeChunk(data.substr(0, length), &column)
                                 .WithContext("rollups: field " + std::to_string(field)));
    data.remove_prefix(length);
    if (field == 0) {
      buckets.resize(column.size());
      for (size_t i = 0; i < column.size(); ++i) buckets[i].start_ms = column[i].timestamp_ms;
    } else if (column.size() != buckets.size()) {
      return Status::InvalidArgument("rollups: fields of different lengths");
    }
    const bool integral = field == 0 || field == 6 || field == 7;
    for (size_t i = 0; i < column.size(); ++i) {
      const int64_t key =
          field == 0 || !shared_times ? buckets[i].start_ms : static_cast<int64_t>(i);
      if (column[i].timestamp_ms != key) {
        return Status::InvalidArgument("rollups: fields of different buckets");
      }
      // Counts and offsets are whole numbers well inside int64.
      if (integral && !(std::abs(column[i].value) <= 0x1p53)) {
        return Status::InvalidArgument("rollups: field " + std::to_string(field) + " out of range");
      }
      SetField(buckets[i], field, column[i].value);
    }
  }
  if (!data.empty()) return Status::InvalidArgument("rollups: trailing bytes");
  out->insert(out->end(), buckets.begin(), buckets.end());
  return Status::Ok();
}

}  // namespace wattline::aggregator
