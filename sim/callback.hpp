#pragma once
// A move-only `void()` callable stored in place, never on the heap. Event records are pooled
// and reused, so scheduling an event allocates nothing; a capture too large for the buffer is
// a compile error that asks the model to keep its state in itself and capture `this`.

#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace nlb::sim {

class Callback {
 public:
  // `this` and two words, which is all the models capture; every pending event carries one
  // (two per held connection in the million-connection run, docs/performance.md).
  static constexpr std::size_t kCapacity = 24;

  Callback() = default;

  template <typename F, typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, Callback>>>
  Callback(F&& f) {  // NOLINT(google-explicit-constructor): lambdas convert implicitly
    using Fn = std::decay_t<F>;
    static_assert(sizeof(Fn) <= kCapacity, "capture too large: capture `this` and keep state in the model");
    static_assert(alignof(Fn) <= alignof(std::max_align_t));
    static_assert(std::is_nothrow_move_constructible_v<Fn>);
    ::new (static_cast<void*>(storage_)) Fn(std::forward<F>(f));
    ops_ = &ops_for<Fn>;
  }

  Callback(Callback&& other) noexcept { take(other); }
  Callback& operator=(Callback&& other) noexcept {
    if (this != &other) {
      reset();
      take(other);
    }
    return *this;
  }
  Callback(const Callback&) = delete;
  Callback& operator=(const Callback&) = delete;
  ~Callback() { reset(); }

  explicit operator bool() const { return ops_ != nullptr; }
  void operator()() { ops_->call(storage_); }

  void reset() {
    if (ops_ && ops_->destroy) ops_->destroy(storage_);
    ops_ = nullptr;
  }

 private:
  struct Ops {
    void (*call)(void*);
    void (*move)(void* from, void* to);  // null: memcpy the storage
    void (*destroy)(void*);              // null: nothing to destroy
  };

  // A capture of plain values (`this`, indices, pointers) is moved with a memcpy and needs no
  // destructor: null `move`/`destroy` say so, which saves two indirect calls per event on the
  // hot path (every scheduled callback is moved into its record and out again to run).
  template <typename Fn>
  static constexpr bool kPlain = std::is_trivially_copyable_v<Fn>&& std::is_trivially_destructible_v<Fn>;

  template <typename Fn>
  static void call_fn(void* p) {
    (*static_cast<Fn*>(p))();
  }
  template <typename Fn>
  static void move_fn(void* from, void* to) {
    ::new (to) Fn(std::move(*static_cast<Fn*>(from)));
    static_cast<Fn*>(from)->~Fn();
  }
  template <typename Fn>
  static void destroy_fn(void* p) {
    static_cast<Fn*>(p)->~Fn();
  }

  template <typename Fn>
  static constexpr Ops ops_for{
      &call_fn<Fn>,
      kPlain<Fn> ? nullptr : &move_fn<Fn>,
      kPlain<Fn> ? nullptr : &destroy_fn<Fn>,
  };

  void take(Callback& other) {
    if (other.ops_) {
      if (other.ops_->move)
        other.ops_->move(other.storage_, storage_);
      else
        std::memcpy(storage_, other.storage_, kCapacity);
      ops_ = std::exchange(other.ops_, nullptr);
    }
  }

  alignas(std::max_align_t) std::byte storage_[kCapacity];
  const Ops* ops_ = nullptr;
};

}  // namespace nlb::sim
