// NEAT_ASSERT: internal invariants, checked in debug and sanitizer builds, free in release.
#pragma once

namespace neat::detail {
[[noreturn]] void assertion_failed(const char* condition, const char* message, const char* file,
                                   int line) noexcept;
}  // namespace neat::detail

#if !defined(NDEBUG) || defined(NEAT_ENABLE_ASSERTS)
#define NEAT_ASSERT(cond, msg)                                                     \
  do {                                                                             \
    if (!(cond)) ::neat::detail::assertion_failed(#cond, msg, __FILE__, __LINE__); \
  } while (false)
#else
#define NEAT_ASSERT(cond, msg) \
  do {                         \
  } while (false)
#endif
