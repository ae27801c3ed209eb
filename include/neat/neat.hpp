// neatsched: the whole public API.
#pragma once

#include "neat/common/error.hpp"
#include "neat/common/types.hpp"
#include "neat/core/executor.hpp"
#include "neat/core/graph.hpp"
#include "neat/core/op_context.hpp"
#include "neat/core/operation_descriptor.hpp"
#include "neat/core/run_handle.hpp"
#include "neat/resources/cpu_budget.hpp"
#include "neat/trace/chrome_trace.hpp"
#include "neat/trace/event_recorder.hpp"
#include "neat/trace/multicast_observer.hpp"
#include "neat/trace/observer.hpp"
#include "neat/trace/report.hpp"
#include "neat/trace/run_metrics.hpp"
