// The bit-level primitives of the chunk format (docs/formats/chunk.md): an
// MSB-first bit writer and reader, zig-zag mapping and byte varints. Used by
// chunk_codec.cc alone; a header so the hot loops inline.
//
// Thread-safety: each object belongs to one caller.
#ifndef WATTLINE_AGGREGATOR_STORAGE_CHUNK_BITS_H_
#define WATTLINE_AGGREGATOR_STORAGE_CHUNK_BITS_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace wattline::aggregator::chunk_bits {

inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
}

// The number of bits `v` needs: 0 for 0, 64 for values >= 2^63.
inline int BitWidth(uint64_t v) { return static_cast<int>(std::bit_width(v)); }

// LEB128, as protobuf's varints.
inline void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Reads a varint at *pos, advancing it. False on truncation or on more than
// ten bytes / 64 bits.
inline bool GetVarint(std::string_view in, size_t* pos, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64 && *pos < in.size(); shift += 7) {
    const uint64_t byte = static_cast<uint8_t>(in[(*pos)++]);
    if (shift == 63 && byte > 1) return false;  // bits beyond the 64th
    result |= (byte & 0x7f) << shift;
    if (byte < 0x80) {
      *v = result;
      return true;
    }
  }
  return false;
}

class BitWriter {
 public:
  explicit BitWriter(std::string* out) : out_(out) {}

  // Appends the low `n` bits of `v`, most significant first. REQUIRES:
  // 0 <= n <= 64, v < 2^n.
  void Write(uint64_t v, int n) {
    if (n > 32) {
      Write(v >> 32, n - 32);
      v &= 0xffffffffu;
      n = 32;
    }
    if (n == 0) return;
    acc_ = (acc_ << n) | v;  // pending_ < 8 before, so at most 39 bits matter
    pending_ += n;
    while (pending_ >= 8) {
      pending_ -= 8;
      out_->push_back(static_cast<char>(acc_ >> pending_));
    }
  }

  // Pads the last byte with zero bits.
  void Finish() {
    if (pending_ > 0) out_->push_back(static_cast<char>(acc_ << (8 - pending_)));
    pending_ = 0;
  }

 private:
  std::string* out_;
  uint64_t acc_ = 0;
  int pending_ = 0;
};

// Reads past the end yield zero bits and set overrun(), checked by the caller
// once per section: the loops stay branch-light and never touch memory
// outside the input.
class BitReader {
 public:
  explicit BitReader(std::string_view in)
      : data_(reinterpret_cast<const uint8_t*>(in.data())), size_(in.size()) {}

  // The next 64 bits (zeros past the end) without consuming them.
  uint64_t Peek() const {
    const uint64_t byte = bitpos_ >> 3;
    uint64_t w = 0;
    if (byte + 8 <= size_) {
      std::memcpy(&w, data_ + byte, 8);
      if constexpr (std::endian::native == std::endian::little) w = __builtin_bswap64(w);
    } else {
      for (uint64_t i = 0; byte + i < size_; ++i) w |= uint64_t{data_[byte + i]} << (56 - 8 * i);
    }
    return w << (bitpos_ & 7);
  }

  void Skip(int n) { bitpos_ += static_cast<uint64_t>(n); }

  // REQUIRES: 1 <= n <= 57 (a window always holds 57 bits).
  uint64_t ReadShort(int n) {
    const uint64_t v = Peek() >> (64 - n);
    bitpos_ += static_cast<uint64_t>(n);
    return v;
  }

  // REQUIRES: 0 <= n <= 64.
  uint64_t Read(int n) {
    if (n == 0) return 0;
    if (n <= 57) return ReadShort(n);
    const uint64_t high = ReadShort(n - 32);
    return (high << 32) | ReadShort(32);
  }

  bool overrun() const { return bitpos_ > uint64_t{size_} * 8; }
  // Whole bytes not yet touched, and whether the rest of the current byte is
  // zero padding. Meaningful only when !overrun().
  uint64_t bytes_left() const { return size_ - ((bitpos_ + 7) >> 3); }
  bool padding_is_zero() const {
    const int used = static_cast<int>(bitpos_ & 7);
    return used == 0 || (data_[bitpos_ >> 3] & (0xffu >> used)) == 0;
  }

 private:
  const uint8_t* data_;
  uint64_t size_;
  uint64_t bitpos_ = 0;
};

}  // namespace wattline::aggregator::chunk_bits

#endif  // WATTLINE_AGGREGATOR_STORAGE_CHUNK_BITS_H_
