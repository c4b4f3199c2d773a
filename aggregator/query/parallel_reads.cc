#include "aggregator/query/parallel_reads.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace wattline::aggregator {
namespace {

constexpr size_t kHelpers = 3;

// One ReadInParallel call's work, offered to the helpers.
struct Job {
  const std::function<void()>* work = nullptr;
  int running = 0;  // helpers inside *work; guarded by the pool's mutex
};

class ReadHelpers {
 public:
  ReadHelpers() {
    try {
      for (size_t i = 0; i < kHelpers; ++i) {
        threads_.emplace_back([this] { Serve(); });
      }
    } catch (const std::system_error&) {
      // Fewer helpers, or none: the callers read the rest themselves.
    }
  }

  ~ReadHelpers() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    offered_.notify_all();
    for (std::thread& thread : threads_) thread.join();
  }

  // Runs `work` on this thread and on up to `helpers` idle helpers; returns
  // when every run has returned. `work` must return only once no run is
  // left to do (a helper that starts late finds nothing and returns).
  void Run(const std::function<void()>& work, size_t helpers) {
    Job job{.work = &work};
    {
      std::lock_guard lock(mutex_);
      for (size_t i = 0; i < std::min(helpers, threads_.size()); ++i) offers_.push_back(&job);
    }
    offered_.notify_all();
    work();
    std::unique_lock lock(mutex_);
    std::erase(offers_, &job);  // helpers still busy elsewhere: not needed now
    done_.wait(lock, [&] { return job.running == 0; });
  }

 private:
  void Serve() {
    std::unique_lock lock(mutex_);
    while (true) {
      offered_.wait(lock, [&] { return stopping_ || !offers_.empty(); });
      if (stopping_) return;
      Job* job = offers_.front();
      offers_.pop_front();
      ++job->running;
      lock.unlock();
      (*job->work)();
      lock.lock();
      --job->running;
      done_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable offered_;
  std::condition_variable done_;
  std::deque<Job*> offers_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

ReadHelpers& SharedHelpers() {
  static ReadHelpers helpers;
  return helpers;
}

}  // namespace

void ReadInParallel(size_t count, const std::function<void(size_t)>& read) {
  if (count == 0) return;
  std::atomic<size_t> next{0};
  const std::function<void()> work = [&] {
    for (size_t i = next++; i < count; i = next++) read(i);
  };
  if (count == 1) {
    work();
    return;
  }
  SharedHelpers().Run(work, count - 1);
}

}  // namespace wattline::aggregator
