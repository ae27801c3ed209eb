// Pooled CUDA events and the marks of events recorded on CUDA streams.
// [core.device.cuda.mark]
#include "core/cuda_context.hpp"

#if defined(NEAT_HAVE_CUDA_LOADER)

namespace neat::detail {

CudaEventPool::~CudaEventPool() {
  const LockGuard lock(mutex_);
  for (void* event : free_) (void)runtime_->api.event_destroy(event);
}

int CudaEventPool::acquire(void** event) {
  {
    const LockGuard lock(mutex_);
    if (!free_.empty()) {
      *event = free_.back();
      free_.pop_back();
      return 0;
    }
  }
  return runtime_->api.event_create(event);
}

void CudaEventPool::release(void* event) {
  const LockGuard lock(mutex_);
  free_.push_back(event);
}

GpuMark::~GpuMark() {
  const LockGuard lock(mutex_);
  if (pool_ && issued_.cuda_event != nullptr) pool_->release(issued_.cuda_event);
}

void GpuMark::settle(std::shared_ptr<CudaEventPool> pool, void* cuda_event,
                     std::exception_ptr error) {
  std::vector<std::function<void()>> waiters;
  {
    const LockGuard lock(mutex_);
    settled_ = true;
    pool_ = std::move(pool);
    issued_ = {cuda_event, std::move(error)};
    waiters.swap(waiters_);
  }
  for (const std::function<void()>& resume : waiters) resume();
}

std::optional<GpuMark::Issued> GpuMark::issued_or_park(std::function<void()> resume) {
  const LockGuard lock(mutex_);
  if (settled_) return issued_;
  waiters_.push_back(std::move(resume));
  return std::nullopt;
}

std::shared_ptr<GpuMark> CudaContext::add_mark(const EventState& event) {
  auto mark = std::make_shared<GpuMark>();
  const LockGuard lock(mutex_);
  marks_[&event] = mark;
  return mark;
}

std::shared_ptr<GpuMark> CudaContext::find_mark(const EventState& event) {
  const LockGuard lock(mutex_);
  const auto found = marks_.find(&event);
  return found == marks_.end() ? nullptr : found->second;
}

void CudaContext::drop_mark(const EventState& event) {
  std::shared_ptr<GpuMark> dropped;  // released outside the lock: it may free CUDA events
  const LockGuard lock(mutex_);
  auto node = marks_.extract(&event);
  if (!node.empty()) dropped = std::move(node.mapped());
}

}  // namespace neat::detail

#endif  // NEAT_HAVE_CUDA_LOADER
