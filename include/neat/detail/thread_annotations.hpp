// Clang thread-safety annotations (checked with -Wthread-safety); empty on other compilers.
#pragma once

#include <mutex>

#if defined(__clang__)
#define NEAT_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define NEAT_THREAD_ANNOTATION(x)
#endif

#define NEAT_CAPABILITY(x) NEAT_THREAD_ANNOTATION(capability(x))
#define NEAT_GUARDED_BY(x) NEAT_THREAD_ANNOTATION(guarded_by(x))
#define NEAT_PT_GUARDED_BY(x) NEAT_THREAD_ANNOTATION(pt_guarded_by(x))
#define NEAT_REQUIRES(...) NEAT_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define NEAT_EXCLUDES(...) NEAT_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define NEAT_ACQUIRE(...) NEAT_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define NEAT_RELEASE(...) NEAT_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define NEAT_SCOPED_CAPABILITY NEAT_THREAD_ANNOTATION(scoped_lockable)

namespace neat::detail {

/// std::mutex with capability annotations, so Clang can check NEAT_GUARDED_BY fields.
class NEAT_CAPABILITY("mutex") Mutex {
 public:
  void lock() NEAT_ACQUIRE() { mutex_.lock(); }
  void unlock() NEAT_RELEASE() { mutex_.unlock(); }
  std::mutex& native() { return mutex_; }

 private:
  std::mutex mutex_;
};

/// Scoped lock of a Mutex that the analysis understands.
class NEAT_SCOPED_CAPABILITY LockGuard {
 public:
  explicit LockGuard(Mutex& m) NEAT_ACQUIRE(m) : mutex_(m) { mutex_.lock(); }
  ~LockGuard() NEAT_RELEASE() { mutex_.unlock(); }
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;

 private:
  Mutex& mutex_;
};

}  // namespace neat::detail
