#include "agent/outbox/outbox.h"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "common/batch_codec.h"
#include "common/testing/temp_dir.h"

namespace wattline::agent {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;
constexpr size_t kBytes = static_cast<size_t>(DropReason::kBytes);
constexpr size_t kAge = static_cast<size_t>(DropReason::kAge);
constexpr size_t kUntimed = static_cast<size_t>(DropReason::kUntimed);

// A batch of `samples` samples; every such batch encodes to the same size
// while sequences have the same number of digits.
Batch SamplesBatch(int samples, int64_t sealed_at_ms = kNow) {
  Batch batch;
  batch.agent_id = "test";
  batch.sealed_at_ms = sealed_at_ms;
  SeriesSamples series{{{"__name__", "power_watts"}, {"device", "d"}}, {}, {}};
  for (int i = 0; i < samples; ++i) {
    series.timestamps_ms.push_back(sealed_at_ms - 1000 * (samples - i));
    series.values.push_back(i * 1.5);
  }
  batch.series.push_back(std::move(series));
  return batch;
}

SealTime Timed(int64_t now_unix_ms = kNow, int64_t now_monotonic_ms = 0) {
  return SealTime{now_unix_ms, true, "", now_monotonic_ms};
}
SealTime Untimed() { return SealTime{0, false, "", 0}; }
SealTime Provisional(const std::string& boot) { return SealTime{0, false, boot, 0}; }

std::vector<uint64_t> Sequences(const UploadPlan& plan) {
  std::vector<uint64_t> out;
  for (const PendingBatch& batch : plan.batches) out.push_back(batch.sequence);
  return out;
}

class OutboxTest : public ::testing::Test {
 protected:
  std::unique_ptr<Outbox> MustOpen(OutboxOptions options = {}, const std::string& boot = "boot-a") {
    auto outbox = Outbox::Open(path_, options, boot);
    EXPECT_TRUE(outbox.ok()) << outbox.status().ToString();
    return outbox.ok() ? std::move(*outbox) : nullptr;
  }

  // One value read with a connection of its own, as the fault tests do.
  int64_t Query(const std::string& sql) {
    auto db = SqliteDb::Open(path_, SqliteDb::Options{});
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (!db.ok()) return -1;
    auto stmt = (*db)->Prepare(sql);
    EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
    if (!stmt.ok()) return -1;
    auto row = stmt->Step();
    EXPECT_TRUE(row.ok() && *row) << sql;
    return row.ok() && *row ? stmt->ColumnInt64(0) : -1;
  }
  int64_t Meta(const std::string& key) {
    return Query("SELECT coalesce((SELECT value FROM meta WHERE key = '" + key + "'), 0)");
  }

  // The size every SamplesBatch(samples) frame has.
  int64_t FrameBytes(int samples) {
    testing::TempDir scratch;
    auto outbox = Outbox::Open(scratch.File("scratch.db"), {}, "boot-a");
    EXPECT_TRUE(outbox.ok());
    EXPECT_TRUE((*outbox)->Seal(SamplesBatch(samples), Timed()).ok());
    return (*outbox)->Stats()->bytes;
  }

  testing::TempDir dir_;
  std::string path_ = dir_.File("outbox.db");
};

TEST_F(OutboxTest, SealAssignsIncreasingSequencesAndStoresDecodableFrames) {
  auto outbox = MustOpen();
  ASSERT_NE(outbox, nullptr);
  EXPECT_EQ(*outbox->Seal(SamplesBatch(1), Timed()), 1u);
  EXPECT_EQ(*outbox->Seal(SamplesBatch(2), Timed()), 2u);
  auto plan = outbox->NextUpload(1 << 20);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(Sequences(*plan), (std::vector<uint64_t>{2, 1}));
  auto decoded = DecodeBatch(plan->batches[0].frame);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->sequence, 2u);
  EXPECT_EQ(decoded->outbox_id, outbox->outbox_id());
  EXPECT_EQ(decoded->series[0].values.size(), 2u);
  EXPECT_EQ(plan->batches[0].sample_count, 2);
  EXPECT_EQ(plan->batches[0].time_shift_ms, 0);
}

TEST_F(OutboxTest, SequenceNeverRepeatsAfterEverythingIsAcknowledgedAndReopened) {
  uint64_t id = 0;
  {
    auto outbox = MustOpen();
    ASSERT_NE(outbox, nullptr);
    id = outbox->outbox_id();
    ASSERT_EQ(*outbox->Seal(SamplesBatch(1), Timed()), 1u);
    ASSERT_TRUE(outbox->Acknowledge({1}).ok());
  }
  auto reopened = MustOpen();
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->outbox_id(), id);
  EXPECT_EQ(*reopened->Seal(SamplesBatch(1), Timed()), 2u);
}

TEST_F(OutboxTest, AcknowledgeDeletesOnlyThoseBatches) {
  auto outbox = MustOpen();
  ASSERT_NE(outbox, nullptr);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(outbox->Seal(SamplesBatch(1), Timed()).ok());
  ASSERT_TRUE(outbox->Acknowledge({2, 4}).ok());
  ASSERT_TRUE(outbox->Acknowledge({2, 99}).ok()) << "repeated and unknown acks are not errors";
  EXPECT_EQ(Sequences(*outbox->NextUpload(1 << 20)), (std::vector<uint64_t>{3, 1}));
  auto stats = outbox->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->batches, 2);
  EXPECT_EQ(stats->samples, 2);
  EXPECT_EQ(stats->bytes, Query("SELECT sum(length(frame)) FROM batches"));
  EXPECT_EQ(stats->oldest_sealed_at_ms, kNow);
}

TEST_F(OutboxTest, NewOutboxGetsANewIdAndAPrivateFile) {
  auto a = MustOpen();
  auto b = Outbox::Open(dir_.File("b.db"), {}, "boot-a");
  ASSERT_TRUE(a != nullptr && b.ok());
  EXPECT_NE(a->outbox_id(), (*b)->outbox_id());
  struct stat st {};
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u);
}

TEST_F(OutboxTest, MalformedBatchIsRefusedAndConsumesNoSequence) {
  auto outbox = MustOpen();
  ASSERT_NE(outbox, nullptr);
  Batch bad = SamplesBatch(1);
  bad.series[0].values.push_back(2);  // columns of different length
  EXPECT_FALSE(outbox->Seal(bad, Timed()).ok());
  EXPECT_EQ(*outbox->Seal(SamplesBatch(1), Timed()), 1u);
  EXPECT_EQ(outbox->Stats()->sealed_batches, 1);
}

TEST_F(OutboxTest, RefusesAFileThatIsNotAnOutbox) {
  std::ofstream(path_) << "this is not an sqlite database, not even close, and long enough";
  EXPECT_FALSE(Outbox::Open(path_, {}, "boot-a").ok());
}

TEST_F(OutboxTest, DropsOldestWhenOverMaxBytesAndCountsThem) {
  const int64_t frame = FrameBytes(10);
  OutboxOptions options;
  options.max_bytes = 3 * frame + frame / 2;
  auto outbox = MustOpen(options);
  ASSERT_NE(outbox, nullptr);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(outbox->Seal(SamplesBatch(10), Timed()).ok());
  ASSERT_TRUE(outbox->Park(1, "malformed").ok());
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(outbox->Seal(SamplesBatch(10), Timed()).ok());
  auto stats = outbox->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->bytes, 3 * frame);
  EXPECT_EQ(stats->batches, 3);
  EXPECT_EQ(stats->parked_batches, 0) << "the parked batch was the oldest";
  EXPECT_EQ(stats->dropped_batches[kBytes], 2);
  EXPECT_EQ(stats->dropped_samples[kBytes], 20);
  EXPECT_EQ(stats->dropped_batches[kAge], 0);
  EXPECT_EQ(Sequences(*outbox->NextUpload(1 << 20)), (std::vector<uint64_t>{5, 3, 4}));
  EXPECT_EQ(Meta("dropped_batches.bytes"), 2);
  EXPECT_EQ(Meta("dropped_samples.bytes"), 20);
}

TEST_F(OutboxTest, DropsByAgeOnlyWhileTheTimeIsKnown) {
  OutboxOptions options;
  options.max_age_ms = 60'000;
  auto outbox = MustOpen(options);
  ASSERT_NE(outbox, nullptr);
  ASSERT_TRUE(outbox->Seal(SamplesBatch(2, kNow - 600'000), Timed(kNow - 600'000)).ok());
  ASSERT_TRUE(outbox->Seal(SamplesBatch(1, 5'000), Provisional("boot-a")).ok());
  ASSERT_TRUE(outbox->Seal(SamplesBatch(1, 6'000), Untimed()).ok());
  EXPECT_EQ(outbox->Stats()->batches, 3) << "no age bound without the time";
  ASSERT_TRUE(outbox->Seal(SamplesBatch(1), Timed(kNow)).ok());
  auto stats = outbox->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->dropped_batches[kAge], 1);
  EXPECT_EQ(stats->dropped_samples[kAge], 2);
  EXPECT_EQ(stats->batches, 3) << "provisional and boot-relative seal times are not ages";
  EXPECT_EQ(stats->oldest_sealed_at_ms, kNow);
  EXPECT_EQ(Meta("dropped_batches.age"), 1);
}

TEST_F(OutboxTest, CountersSurviveReopen) {
  {
    OutboxOptions options;
    options.max_age_ms = 60'000;
    auto outbox = MustOpen(options);
    ASSERT_NE(outbox, nullptr);
    ASSERT_TRUE(outbox->Seal(SamplesBatch(2, kNow - 600'000), Timed()).ok());  // dropped: age
    ASSERT_TRUE(outbox->Seal(SamplesBatch(3), Timed()).ok());
    ASSERT_TRUE(outbox->Seal(SamplesBatch(4), Timed()).ok());
    ASSERT_TRUE(outbox->Park(3, "refused").ok());
  }
  auto outbox = MustOpen();
  ASSERT_NE(outbox, nullptr);
  auto stats = outbox->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->sealed_batches, 3);
  EXPECT_EQ(stats->sealed_samples, 9);
  EXPECT_EQ(stats->dropped_batches[kAge], 1);
  EXPECT_EQ(stats->dropped_samples[kAge], 2);
  EXPECT_EQ(stats->parked_batches, 1);
  EXPECT_EQ(stats->parked_samples, 4);
  EXPECT_EQ(stats->batches, 1);
  EXPECT_EQ(stats->samples, 3);
  EXPECT_EQ(Meta("sealed_samples"), 9);
  EXPECT_EQ(Meta("parked_samples"), 4);
  EXPECT_EQ(Meta("dropped_samples.untimed"), 0);
}

TEST_F(OutboxTest, NextUploadSendsTheNewestFirstThenTheOldestWithinTheByteLimit) {
  const int64_t frame = FrameBytes(5);
  auto outbox = MustOpen();
  ASSERT_NE(outbox, nullptr);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(outbox->Seal(SamplesBatch(5), Timed()).ok());
  EXPECT_EQ(Sequences(*outbox->NextUpload(static_cast<size_t>(3 * frame))),
            (std::vector<uint64_t>{5, 1, 2}));
  EXPECT_EQ(Sequences(*outbox->NextUpload(static_cast<size_t>(3 * frame - 1))),
            (std::vector<uint64_t>{5, 1}));
  EXPECT_EQ(Sequences(*outbox->NextUpload(1 << 20)), (std::vector<uint64_t>{5, 1, 2, 3, 4}));
  EXPECT_EQ(Sequences(*outbox->NextUpload(1)), (std::vector<uint64_t>{5}))
      << "at least one batch, however small the limit";
  EXPECT_EQ(outbox->NextUpload(1)->floor_sequence, 1u);
}

TEST_F(OutboxTest, FloorIsTheLowestUnparkedBatchHeldOnesIncluded) {
  auto outbox = MustOpen();
  ASSERT_NE(outbox, nullptr);
  EXPECT_EQ(outbox->NextUpload(1 << 20)->floor_sequence, 1u) << "empty: the next sequence";
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(outbox->Seal(SamplesBatch(1), Timed()).ok());
  ASSERT_TRUE(outbox->Seal(SamplesBatch(1, 5'000), Provisional("boot-a")).ok());  // 4: held
  ASSERT_TRUE(outbox->Seal(SamplesBatch(1), Timed()).ok());                       // 5
  ASSERT_TRUE(outbox->Park(1, "malformed").ok());
  ASSERT_TRUE(outbox->Acknowledge({2}).ok());
  EXPECT_EQ(outbox->NextUpload(1 << 20)->floor_sequence, 3u);
  ASSERT_TRUE(outbox->Acknowledge({3}).ok());
  auto plan = outbox->NextUpload(1 << 20);
  EXPECT_EQ(plan->floor_sequence, 4u) << "a held batch is still to be sent";
  EXPECT_EQ(Sequences(*plan), (std::vector<uint64_t>{5}));
  ASSERT_TRUE(outbox->SetClockOffset("boot-a", kNow).ok());
  ASSERT_TRUE(outbox->Acknowledge({4, 5}).ok());
  plan = outbox->NextUpload(1 << 20);
  EXPECT_EQ(plan->floor_sequence, 6u) << "only parked batches left: the next sequence";
  EXPECT_TRUE(plan->batches.empty());
}

TEST_F(OutboxTest, ProvisionalBatchesAreHeldUntilTheirBootsOffsetIsKnownThenShifted) {
  constexpr int64_t kOffset = kNow - 5'000;
  {
    auto outbox = MustOpen();
    ASSERT_NE(outbox, nullptr);
    ASSERT_TRUE(outbox->Seal(SamplesBatch(2, 5'000), Provisional("boot-a")).ok());
    EXPECT_TRUE(outbox->NextUpload(1 << 20)->batches.empty());
    EXPECT_EQ(outbox->Stats()->held_batches, 1);
    EXPECT_FALSE(outbox->ClockOffset("boot-a")->has_value());
    ASSERT_TRUE(outbox->SetClockOffset("boot-a", kOffset).ok());
  }
  auto outbox = MustOpen();  // restarted within the same boot
  ASSERT_NE(outbox, nullptr);
  EXPECT_EQ(outbox->ClockOffset("boot-a")->value_or(0), kOffset);
  EXPECT_EQ(outbox->Stats()->held_batches, 0);
  auto plan = outbox->NextUpload(1 << 20);
  ASSERT_EQ(plan->batches.size(), 1u);
  EXPECT_EQ(plan->batches[0].time_shift_ms, kOffset);
  EXPECT_EQ(plan->batches[0].sample_count, 2);
}

TEST_F(OutboxTest, UntimedBatchesOfAnEarlierBootAreDroppedAtOpen) {
  {
    auto outbox = MustOpen({}, "boot-a");
    ASSERT_NE(outbox, nullptr);
    ASSERT_TRUE(outbox->Seal(SamplesBatch(3, 5'000), Provisional("boot-a")).ok());  // 1
    ASSERT_TRUE(outbox->Seal(SamplesBatch(1, 6'000), Provisional("boot-b")).ok());  // 2
    ASSERT_TRUE(outbox->SetClockOffset("boot-b", kNow).ok());
    ASSERT_TRUE(outbox->SetClockOffset("boot-z", kNow).ok());  // no batch needs it
    ASSERT_TRUE(outbox->Seal(SamplesBatch(1), Timed()).ok());  // 3
  }
  {
    auto same_boot = MustOpen({}, "boot-a");
    ASSERT_NE(same_boot, nullptr);
    EXPECT_EQ(same_boot->Stats()->held_batches, 1) << "this boot's offset may still come";
  }
  auto outbox = MustOpen({}, "boot-c");
  ASSERT_NE(outbox, nullptr);
  auto stats = outbox->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->dropped_batches[kUntimed], 1);
  EXPECT_EQ(stats->dropped_samples[kUntimed], 3);
  EXPECT_EQ(stats->held_batches, 0);
  EXPECT_EQ(Sequences(*outbox->NextUpload(1 << 20)), (std::vector<uint64_t>{3, 2}));
  EXPECT_EQ(Meta("dropped_batches.untimed"), 1);
  EXPECT_EQ(Query("SELECT count(*) FROM clock_offsets"), 1) << "boot-b's is still needed";
}

TEST_F(OutboxTest, ParkedBatchIsNeverSentButKeptAndCounted) {
  auto outbox = MustOpen();
  ASSERT_NE(outbox, nullptr);
  ASSERT_TRUE(outbox->Seal(SamplesBatch(4), Timed()).ok());
  ASSERT_TRUE(outbox->Seal(SamplesBatch(1), Timed()).ok());
  ASSERT_TRUE(outbox->Park(1, "malformed").ok());
  ASSERT_TRUE(outbox->Park(1, "again").ok()) << "parking twice changes nothing";
  ASSERT_TRUE(outbox->Park(42, "unknown").ok());
  EXPECT_EQ(Sequences(*outbox->NextUpload(1 << 20)), (std::vector<uint64_t>{2}));
  auto stats = outbox->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->parked_batches, 1);
  EXPECT_EQ(stats->parked_samples, 4);
  EXPECT_EQ(stats->batches, 1);
  EXPECT_EQ(stats->samples, 1);
  EXPECT_EQ(stats->bytes, Query("SELECT sum(frame_bytes) FROM batches"));
  EXPECT_EQ(Query("SELECT count(*) FROM batches WHERE parked_reason = 'malformed'"), 1);
}

TEST_F(OutboxTest, MigratesAVersion1File) {
  Batch batch = SamplesBatch(3);
  batch.outbox_id = 42;
  batch.sequence = 2;
  auto frame = EncodeBatch(batch);
  ASSERT_TRUE(frame.ok());
  {
    auto db = SqliteDb::Open(path_, SqliteDb::Options{});
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(MigrateSchema(**db, {OutboxSchemas()[0]}).ok());
    ASSERT_TRUE(
        (*db)->Exec("INSERT INTO meta VALUES ('outbox_id', 42), ('next_sequence', 3)").ok());
    auto insert = (*db)->Prepare("INSERT INTO batches VALUES (2, ?1, 3, ?2)");
    ASSERT_TRUE(insert.ok());
    insert->Bind(1, kNow).BindBlob(2, *frame);
    ASSERT_TRUE(insert->Run().ok());
  }
  auto outbox = MustOpen();
  ASSERT_NE(outbox, nullptr);
  EXPECT_EQ(outbox->outbox_id(), 42u);
  EXPECT_EQ(Query("PRAGMA user_version"), 2);
  EXPECT_EQ(Query("SELECT frame_bytes FROM batches WHERE sequence = 2"),
            static_cast<int64_t>(frame->size()));
  auto stats = outbox->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->bytes, static_cast<int64_t>(frame->size()));
  EXPECT_EQ(stats->samples, 3);
  EXPECT_EQ(stats->held_batches, 0);
  EXPECT_EQ(stats->sealed_batches, 0) << "v1 kept no counters";
  auto plan = outbox->NextUpload(1 << 20);
  ASSERT_EQ(plan->batches.size(), 1u);
  EXPECT_EQ(plan->batches[0].frame, *frame);
  EXPECT_EQ(plan->floor_sequence, 2u);
  EXPECT_EQ(*outbox->Seal(SamplesBatch(1), Timed()), 3u);
}

// Mounts a tmpfs of `size` on a fresh directory for the life of the object.
class TinyFilesystem {
 public:
  TinyFilesystem(const std::string& dir, const char* size) : dir_(dir) {
    if (mkdir(dir.c_str(), 0700) != 0) {
      error_ = std::string("mkdir: ") + std::strerror(errno);
    } else if (mount("tmpfs", dir.c_str(), "tmpfs", 0, size) != 0) {
      error_ = std::string("mount -t tmpfs: ") + std::strerror(errno);
    } else {
      mounted_ = true;
    }
  }
  ~TinyFilesystem() {
    if (mounted_) umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::string dir_;
  std::string error_;
  bool mounted_ = false;
};

// Writes zeros to `path` until the file system is full, then leaves
// `spare` bytes free.
void FillUp(const std::string& path, off_t spare) {
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::string block(4096, '\0');
  while (std::fwrite(block.data(), 1, block.size(), f) == block.size() && std::fflush(f) == 0) {
  }
  std::fclose(f);
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  ASSERT_EQ(truncate(path.c_str(), st.st_size > spare ? st.st_size - spare : 0), 0);
}

TEST(OutboxDiskFull, FailedSealChangesNothingAndSealWorksWhenSpaceReturns) {
  testing::TempDir dir;
  TinyFilesystem tiny(dir.File("tiny"), "size=256k");
  if (!tiny.mounted()) GTEST_SKIP() << "cannot make a full disk: " << tiny.error();
  const std::string path = dir.File("tiny/outbox.db");
  auto outbox = Outbox::Open(path, {}, "boot-a");
  ASSERT_TRUE(outbox.ok()) << outbox.status().ToString();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE((*outbox)->Seal(SamplesBatch(50), Timed()).ok());
  FillUp(dir.File("tiny/filler"), 32 << 10);

  Status failed;
  uint64_t last = 3;
  for (int i = 0; i < 1000 && failed.ok(); ++i) {
    Result<uint64_t> sealed = (*outbox)->Seal(SamplesBatch(50), Timed());
    if (sealed.ok()) {
      last = *sealed;
    } else {
      failed = sealed.status();
    }
  }
  ASSERT_FALSE(failed.ok()) << "the disk never filled up";
  EXPECT_GT(last, 3u) << "the seals before the disk filled up were kept";
  EXPECT_EQ(failed.code(), Status::Code::kResourceExhausted) << failed.ToString();
  auto stats = (*outbox)->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->batches, static_cast<int64_t>(last));
  EXPECT_EQ(stats->sealed_batches, static_cast<int64_t>(last));

  {
    auto db = SqliteDb::Open(path, SqliteDb::Options{});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto check = (*db)->Prepare("PRAGMA integrity_check");
    ASSERT_TRUE(check.ok());
    ASSERT_TRUE(*check->Step());
    EXPECT_EQ(check->ColumnText(0), "ok");
  }
  auto plan = (*outbox)->NextUpload(1 << 20);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->batches.size(), last);
  for (const PendingBatch& batch : plan->batches) {
    auto decoded = DecodeBatch(batch.frame);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(decoded->sequence, batch.sequence);
  }

  ASSERT_EQ(std::remove(dir.File("tiny/filler").c_str()), 0);
  auto sealed = (*outbox)->Seal(SamplesBatch(50), Timed());
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(*sealed, last + 1) << "the failed seal consumed no sequence";
}

class UnackedOutboxTest : public OutboxTest {
 protected:
  UnackedOutboxTest() {
    options_.persist = OutboxOptions::Persist::kUnacked;
    options_.persist_delay_ms = 10'000;
  }
  static SealTime At(int64_t now_monotonic_ms) { return Timed(kNow, now_monotonic_ms); }

  // Changes when any other connection commits to the file.
  int64_t DataVersion(SqliteDb& watcher) {
    auto stmt = watcher.Prepare("PRAGMA data_version");
    EXPECT_TRUE(stmt.ok());
    EXPECT_TRUE(stmt->Step().ok());
    return stmt->ColumnInt64(0);
  }

  OutboxOptions options_;
};

TEST_F(UnackedOutboxTest, BatchesAcknowledgedInTimeAreNeverWritten) {
  auto outbox = MustOpen(options_);
  ASSERT_NE(outbox, nullptr);
  ASSERT_EQ(*outbox->Seal(SamplesBatch(1), At(0)), 1u);  // reserves a block of sequences
  auto watcher = SqliteDb::Open(path_, SqliteDb::Options{});
  ASSERT_TRUE(watcher.ok());
  const int64_t version = DataVersion(**watcher);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(outbox->Seal(SamplesBatch(2), At(1000)).ok());
  auto plan = outbox->NextUpload(1 << 20);
  EXPECT_EQ(Sequences(*plan), (std::vector<uint64_t>{4, 1, 2, 3}));
  EXPECT_EQ(outbox->Stats()->unpersisted_batches, 4);
  ASSERT_TRUE(outbox->PersistDue(5000).ok());
  ASSERT_TRUE(outbox->Acknowledge({1, 2, 3, 4}).ok());
  ASSERT_TRUE(outbox->PersistDue(60'000).ok());
  EXPECT_EQ(DataVersion(**watcher), version) << "something was written";
  EXPECT_EQ(Query("SELECT count(*) FROM batches"), 0);
  auto stats = outbox->Stats();
  EXPECT_EQ(stats->batches, 0);
  EXPECT_EQ(stats->unpersisted_batches, 0);
  EXPECT_EQ(stats->sealed_batches, 4);
}

TEST_F(UnackedOutboxTest, DueBatchesAreWrittenAndPersistAllWritesTheRest) {
  {
    auto outbox = MustOpen(options_);
    ASSERT_NE(outbox, nullptr);
    ASSERT_TRUE(outbox->Seal(SamplesBatch(1), At(0)).ok());
    ASSERT_TRUE(outbox->Seal(SamplesBatch(2), At(5000)).ok());
    ASSERT_TRUE(outbox->PersistDue(10'000).ok());
    EXPECT_EQ(Query("SELECT count(*) FROM batches"), 1);
    EXPECT_EQ(Meta("sealed_batches"), 2) << "counters go with the next write";
    EXPECT_EQ(outbox->Stats()->unpersisted_batches, 1);
    ASSERT_TRUE(outbox->PersistAll().ok());
    EXPECT_EQ(Query("SELECT count(*) FROM batches"), 2);
    EXPECT_EQ(Meta("sealed_samples"), 3);
  }
  auto outbox = MustOpen(options_);
  ASSERT_NE(outbox, nullptr);
  EXPECT_EQ(Sequences(*outbox->NextUpload(1 << 20)), (std::vector<uint64_t>{2, 1}));
  EXPECT_EQ(*outbox->Seal(SamplesBatch(1), At(0)), 3u) << "PersistAll gave back the block";
}

TEST_F(UnackedOutboxTest, SequencesNeverRepeatAfterACrash) {
  {
    auto outbox = MustOpen(options_);
    ASSERT_NE(outbox, nullptr);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(outbox->Seal(SamplesBatch(1), At(0)).ok());
    EXPECT_EQ(outbox->NextUpload(1 << 20)->batches.size(), 3u);
    // Destroyed without PersistAll(): what a crash leaves.
  }
  auto outbox = MustOpen(options_);
  ASSERT_NE(outbox, nullptr);
  EXPECT_EQ(outbox->Stats()->batches, 0) << "memory batches die with the process";
  auto sequence = outbox->Seal(SamplesBatch(1), At(0));
  ASSERT_TRUE(sequence.ok());
  EXPECT_GT(*sequence, 3u);
  EXPECT_EQ(outbox->NextUpload(1 << 20)->floor_sequence, *sequence);
}

TEST_F(UnackedOutboxTest, BoundsCoverMemoryAndFileAndParkingWrites) {
  const int64_t frame = FrameBytes(10);
  options_.max_bytes = 2 * frame + frame / 2;
  auto outbox = MustOpen(options_);
  ASSERT_NE(outbox, nullptr);
  ASSERT_TRUE(outbox->Seal(SamplesBatch(10), At(0)).ok());
  ASSERT_TRUE(outbox->PersistDue(20'000).ok());  // 1 in the file
  ASSERT_TRUE(outbox->Seal(SamplesBatch(10), At(20'000)).ok());
  ASSERT_TRUE(outbox->Seal(SamplesBatch(10), At(20'000)).ok());
  auto stats = outbox->Stats();
  EXPECT_EQ(stats->dropped_batches[kBytes], 1);
  EXPECT_EQ(Query("SELECT count(*) FROM batches"), 0) << "the file's batch was the oldest";
  ASSERT_TRUE(outbox->Park(2, "malformed").ok());
  EXPECT_EQ(Query("SELECT count(*) FROM batches WHERE parked_reason = 'malformed'"), 1);
  EXPECT_EQ(Sequences(*outbox->NextUpload(1 << 20)), (std::vector<uint64_t>{3}));
  EXPECT_EQ(outbox->Stats()->unpersisted_batches, 1);
  EXPECT_EQ(Meta("parked_samples"), 10);
}

}  // namespace
}  // namespace wattline::agent
