// FunctionRef: a non-owning reference to a callable, two words, no allocation. The callable
// must outlive the FunctionRef (use it for arguments, never for storage).
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace neat::detail {

template <class Signature>
class FunctionRef;

template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  template <class F>
  requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> &&
           std::is_invocable_r_v<R, F&, Args...>) FunctionRef(F&& fn)
  noexcept  // NOLINT(google-explicit-constructor): used like a reference
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(fn)))),
        call_([](void* object, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(object))(std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

}  // namespace neat::detail
