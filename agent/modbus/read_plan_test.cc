#include "agent/modbus/read_plan.h"

#include <gtest/gtest.h>

#include <vector>

namespace wattline::agent::modbus {
namespace {

constexpr RegisterTable kInput = RegisterTable::kInputRegister;
constexpr RegisterTable kHolding = RegisterTable::kHoldingRegister;
constexpr RegisterTable kCoil = RegisterTable::kCoil;

RegisterSpan In(uint16_t address, uint16_t count = 2) { return {kInput, address, count}; }

// Every span lies inside the read that claims it, and every span is claimed
// exactly once.
void ExpectCovered(const std::vector<RegisterSpan>& spans, const std::vector<PlannedRead>& reads) {
  std::vector<int> claimed(spans.size(), 0);
  for (const PlannedRead& read : reads) {
    for (size_t index : read.spans) {
      ++claimed[index];
      const RegisterSpan& span = spans[index];
      EXPECT_EQ(span.table, read.table);
      EXPECT_GE(span.address, read.address);
      EXPECT_LE(span.address + span.count, read.address + read.count);
    }
  }
  for (int count : claimed) EXPECT_EQ(count, 1);
}

TEST(ReadPlan, MergesContiguousFieldsIntoOneRead) {
  std::vector<RegisterSpan> spans;
  for (uint16_t a = 0; a < 36; a += 2) spans.push_back(In(a));
  Result<std::vector<PlannedRead>> reads = PlanReads(spans, {});
  ASSERT_TRUE(reads.ok());
  ASSERT_EQ(reads->size(), 1u);
  EXPECT_EQ((*reads)[0].address, 0);
  EXPECT_EQ((*reads)[0].count, 36);
  ExpectCovered(spans, *reads);
}

TEST(ReadPlan, Sdm630MapIsOneReadOf76UnderEighty) {
  // The SDM630 profile's fields: 0..35, 48, 52, 56, 60, 62, 70, 72, 74.
  std::vector<RegisterSpan> spans;
  for (uint16_t a = 0; a < 36; a += 2) spans.push_back(In(a));
  for (uint16_t a : {48, 52, 56, 60, 62, 70, 72, 74}) spans.push_back(In(a));
  ReadLimits limits;
  limits.max_registers = 80;
  limits.even_alignment = true;
  Result<std::vector<PlannedRead>> reads = PlanReads(spans, limits);
  ASSERT_TRUE(reads.ok());
  ASSERT_EQ(reads->size(), 1u);
  EXPECT_EQ((*reads)[0].address, 0);
  EXPECT_EQ((*reads)[0].count, 76);
  ExpectCovered(spans, *reads);
}

TEST(ReadPlan, SplitsAtTheMaximumCount) {
  std::vector<RegisterSpan> spans;
  for (uint16_t a = 0; a < 200; a += 2) spans.push_back(In(a));
  ReadLimits limits;
  limits.max_registers = 80;
  Result<std::vector<PlannedRead>> reads = PlanReads(spans, limits);
  ASSERT_TRUE(reads.ok());
  ASSERT_EQ(reads->size(), 3u);
  EXPECT_EQ((*reads)[0].count, 80);
  EXPECT_EQ((*reads)[1].address, 80);
  EXPECT_EQ((*reads)[1].count, 80);
  EXPECT_EQ((*reads)[2].address, 160);
  EXPECT_EQ((*reads)[2].count, 40);
  for (const PlannedRead& read : *reads) EXPECT_LE(read.count, 80);
  ExpectCovered(spans, *reads);

  // Modbus's own limit when the profile says nothing.
  reads = PlanReads(spans, {});
  ASSERT_TRUE(reads.ok());
  ASSERT_EQ(reads->size(), 2u);
  EXPECT_EQ((*reads)[0].count, 124);  // 125 would split a float
  EXPECT_EQ((*reads)[1].count, 76);
}

TEST(ReadPlan, NeverSplitsAValue) {
  // Float32s at odd addresses under a limit of 5: a read may not end in the
  // middle of one.
  std::vector<RegisterSpan> spans = {In(1), In(3), In(5), In(7)};
  ReadLimits limits;
  limits.max_registers = 5;
  Result<std::vector<PlannedRead>> reads = PlanReads(spans, limits);
  ASSERT_TRUE(reads.ok());
  ASSERT_EQ(reads->size(), 2u);
  EXPECT_EQ((*reads)[0].address, 1);
  EXPECT_EQ((*reads)[0].count, 4);
  ExpectCovered(spans, *reads);
}

TEST(ReadPlan, EvenAlignmentRoundsStartDownAndCountUp) {
  // A uint16 at 5 and a float at 9: with alignment, 4..11 (odd start and odd
  // counts are refused by Eastron meters).
  std::vector<RegisterSpan> spans = {In(5, 1), In(9, 2)};
  ReadLimits limits;
  limits.even_alignment = true;
  Result<std::vector<PlannedRead>> reads = PlanReads(spans, limits);
  ASSERT_TRUE(reads.ok());
  ASSERT_EQ(reads->size(), 1u);
  EXPECT_EQ((*reads)[0].address, 4);
  EXPECT_EQ((*reads)[0].count, 8);
  ExpectCovered(spans, *reads);
  for (const PlannedRead& read : *reads) {
    EXPECT_EQ(read.address % 2, 0);
    EXPECT_EQ(read.count % 2, 0);
  }

  // Without alignment the same fields read from 5, 6 registers.
  limits.even_alignment = false;
  reads = PlanReads(spans, limits);
  ASSERT_TRUE(reads.ok());
  ASSERT_EQ(reads->size(), 1u);
  EXPECT_EQ((*reads)[0].address, 5);
  EXPECT_EQ((*reads)[0].count, 6);
}

TEST(ReadPlan, EvenAlignmentHoldsAcrossSplits) {
  std::vector<RegisterSpan> spans;
  for (uint16_t a = 1; a < 300; a += 3) spans.push_back(In(a, 1));
  ReadLimits limits;
  limits.max_registers = 80;
  limits.even_alignment = true;
  Result<std::vector<PlannedRead>> reads = PlanReads(spans, limits);
  ASSERT_TRUE(reads.ok());
  for (const PlannedRead& read : *reads) {
    EXPECT_EQ(read.address % 2, 0);
    EXPECT_EQ(read.count % 2, 0);
    EXPECT_LE(read.count, 80);
  }
  ExpectCovered(spans, *reads);
}

TEST(ReadPlan, BridgesSmallGapsOnly) {
  std::vector<RegisterSpan> spans = {In(0), In(10), In(100)};
  ReadLimits limits;
  limits.max_gap = 8;
  Result<std::vector<PlannedRead>> reads = PlanReads(spans, limits);
  ASSERT_TRUE(reads.ok());
  ASSERT_EQ(reads->size(), 2u);
  EXPECT_EQ((*reads)[0].address, 0);
  EXPECT_EQ((*reads)[0].count, 12);  // gap of 8 at 2..9 bridged
  EXPECT_EQ((*reads)[1].address, 100);
  EXPECT_EQ((*reads)[1].count, 2);

  limits.max_gap = 7;
  reads = PlanReads(spans, limits);
  ASSERT_TRUE(reads.ok());
  EXPECT_EQ(reads->size(), 3u);

  limits.max_gap = 0;  // only touching fields merge
  spans = {In(0), In(2), In(5)};
  reads = PlanReads(spans, limits);
  ASSERT_TRUE(reads.ok());
  ASSERT_EQ(reads->size(), 2u);
  EXPECT_EQ((*reads)[0].count, 4);
}

TEST(ReadPlan, KeepsTablesApart) {
  std::vector<RegisterSpan> spans = {In(0), {kHolding, 2, 2}, In(4), {kCoil, 0, 1}, {kCoil, 3, 1}};
  Result<std::vector<PlannedRead>> reads = PlanReads(spans, {});
  ASSERT_TRUE(reads.ok());
  ASSERT_EQ(reads->size(), 3u);
  EXPECT_EQ((*reads)[0].table, kCoil);
  EXPECT_EQ((*reads)[0].count, 4);
  EXPECT_EQ((*reads)[1].table, kInput);
  EXPECT_EQ((*reads)[1].count, 6);
  EXPECT_EQ((*reads)[2].table, kHolding);
  ExpectCovered(spans, *reads);
}

TEST(ReadPlan, BitsAreNeverAlignedAndMayReachTwoThousand) {
  std::vector<RegisterSpan> spans = {{kCoil, 1, 1}, {kCoil, 1999, 1}, {kCoil, 2001, 1}};
  ReadLimits limits;
  limits.even_alignment = true;
  limits.max_gap = 2000;
  Result<std::vector<PlannedRead>> reads = PlanReads(spans, limits);
  ASSERT_TRUE(reads.ok());
  ASSERT_EQ(reads->size(), 2u);
  EXPECT_EQ((*reads)[0].address, 1);
  EXPECT_EQ((*reads)[0].count, 1999);
  EXPECT_EQ((*reads)[1].address, 2001);
}

TEST(ReadPlan, SharedAndRepeatedSpansAreEachClaimed) {
  // Several SunSpec fields share one scale-factor register.
  std::vector<RegisterSpan> spans = {{kHolding, 6, 1}, {kHolding, 2, 1}, {kHolding, 6, 1}};
  Result<std::vector<PlannedRead>> reads = PlanReads(spans, {});
  ASSERT_TRUE(reads.ok());
  ASSERT_EQ(reads->size(), 1u);
  EXPECT_EQ((*reads)[0].address, 2);
  EXPECT_EQ((*reads)[0].count, 5);
  ExpectCovered(spans, *reads);
}

TEST(ReadPlan, RefusesWhatCannotBeRead) {
  ReadLimits limits;
  limits.max_registers = 2;
  std::vector<RegisterSpan> spans = {In(0, 4)};
  EXPECT_FALSE(PlanReads(spans, limits).ok());  // a float64 in reads of 2
  limits.even_alignment = true;
  spans = {In(1, 2)};  // aligned: 0..3, 4 registers
  EXPECT_FALSE(PlanReads(spans, limits).ok());
  spans = {In(65535, 2)};
  EXPECT_FALSE(PlanReads(spans, {}).ok());
  spans = {In(3, 0)};
  EXPECT_FALSE(PlanReads(spans, {}).ok());
  limits = {};
  limits.max_registers = 126;
  EXPECT_FALSE(PlanReads({}, limits).ok());
  limits.max_registers = 0;
  EXPECT_FALSE(PlanReads({}, limits).ok());
  limits = {};
  limits.max_gap = -1;
  EXPECT_FALSE(PlanReads({}, limits).ok());
  // The last register is readable.
  spans = {In(65534, 2)};
  Result<std::vector<PlannedRead>> reads = PlanReads(spans, {});
  ASSERT_TRUE(reads.ok());
  EXPECT_EQ((*reads)[0].address, 65534);
}

}  // namespace
}  // namespace wattline::agent::modbus
