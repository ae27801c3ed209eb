// The built-in NEAT reference workload. Its text is examples/neat_default.json verbatim (a test
// checks that they stay equal), so the file and `neatsched run` without a file agree.
// [workload.default]
#include "neat/workload/workload.hpp"

namespace neat {
namespace {

constexpr std::string_view k_default_workload = R"json({
  "$schema": "../docs/workload.schema.json",
  "name": "neat_default",
  "description": "NEAT reference model: the BLT byte encoder and the MVoT visual tokenizer run in parallel; Titans memory recall follows the byte encoding, Transformer2 adaptation follows the recall, and the output head joins everything. Sleeps stand for I/O and device transfers.",
  "components": [
    {"name": "blt_encoder", "priority": "high", "importance": 0.9},
    {"name": "mvot_tokenizer", "priority": "medium", "importance": 0.6},
    {"name": "titans_memory", "priority": "high", "importance": 0.8},
    {"name": "transformer2_adaptation", "priority": "high", "importance": 0.7},
    {"name": "output_head", "priority": "critical", "importance": 1.0}
  ],
  "operations": [
    {"name": "load_bytes", "component": "blt_encoder", "kernel": {"type": "sleep", "us": 3000}, "writes": ["raw_bytes"]},
    {"name": "load_image", "component": "mvot_tokenizer", "kernel": {"type": "sleep", "us": 4000}, "writes": ["image"]},
    {"name": "load_memory", "component": "titans_memory", "kernel": {"type": "sleep", "us": 2500}, "writes": ["memory_state"]},
    {"name": "byte_embed", "component": "blt_encoder", "kernel": {"type": "gemm", "m": 512, "n": 256, "k": 256}, "reads": ["raw_bytes"], "writes": ["byte_hidden"]},
    {"name": "byte_entropy", "component": "blt_encoder", "kernel": {"type": "gemm", "m": 512, "n": 64, "k": 256}, "reads": ["byte_hidden"], "writes": ["entropy"]},
    {"name": "patch_pool", "component": "blt_encoder", "kernel": {"type": "gemm", "m": 256, "n": 256, "k": 512}, "reads": ["byte_hidden", "entropy"], "writes": ["patches"]},
    {"name": "blt_layer", "component": "blt_encoder", "repeat": 4, "kernel": {"type": "gemm", "m": 256, "n": 512, "k": 256}, "read_writes": ["patches"]},
    {"name": "image_patchify", "component": "mvot_tokenizer", "kernel": {"type": "gemm", "m": 256, "n": 256, "k": 384}, "reads": ["image"], "writes": ["visual_patches"]},
    {"name": "vq_distance", "component": "mvot_tokenizer", "kernel": {"type": "gemm", "m": 256, "n": 512, "k": 256}, "reads": ["visual_patches"], "writes": ["visual_codes"]},
    {"name": "visual_embed", "component": "mvot_tokenizer", "kernel": {"type": "gemm", "m": 256, "n": 256, "k": 512}, "reads": ["visual_codes"], "writes": ["visual_tokens"]},
    {"name": "mvot_layer", "component": "mvot_tokenizer", "repeat": 4, "kernel": {"type": "gemm", "m": 256, "n": 512, "k": 256}, "read_writes": ["visual_tokens"]},
    {"name": "memory_query", "component": "titans_memory", "kernel": {"type": "gemm", "m": 256, "n": 256, "k": 256}, "reads": ["patches"], "writes": ["memory_query"]},
    {"name": "memory_recall", "component": "titans_memory", "kernel": {"type": "gemm", "m": 256, "n": 256, "k": 512}, "reads": ["memory_query", "memory_state"], "writes": ["recalled"]},
    {"name": "surprise_score", "component": "titans_memory", "kernel": {"type": "gemm", "m": 256, "n": 256, "k": 256}, "reads": ["recalled", "patches"], "writes": ["surprise"]},
    {"name": "memory_update", "component": "titans_memory", "priority": "low", "kernel": {"type": "gemm", "m": 512, "n": 256, "k": 256}, "reads": ["surprise"], "read_writes": ["memory_state"]},
    {"name": "store_memory", "component": "titans_memory", "priority": "low", "kernel": {"type": "sleep", "us": 2000}, "reads": ["memory_state"]},
    {"name": "task_embed", "component": "transformer2_adaptation", "kernel": {"type": "gemm", "m": 128, "n": 256, "k": 512}, "reads": ["recalled"], "writes": ["task_vector"]},
    {"name": "expert_mix", "component": "transformer2_adaptation", "kernel": {"type": "gemm", "m": 128, "n": 512, "k": 256}, "reads": ["task_vector"], "writes": ["expert_weights"]},
    {"name": "adapt_q", "component": "transformer2_adaptation", "kernel": {"type": "gemm", "m": 256, "n": 256, "k": 256}, "reads": ["expert_weights"], "writes": ["adapted_q"]},
    {"name": "adapt_k", "component": "transformer2_adaptation", "kernel": {"type": "gemm", "m": 256, "n": 256, "k": 256}, "reads": ["expert_weights"], "writes": ["adapted_k"]},
    {"name": "adapt_v", "component": "transformer2_adaptation", "kernel": {"type": "gemm", "m": 256, "n": 256, "k": 256}, "reads": ["expert_weights"], "writes": ["adapted_v"]},
    {"name": "fuse", "component": "output_head", "kernel": {"type": "gemm", "m": 256, "n": 256, "k": 512}, "reads": ["patches", "visual_tokens", "recalled", "adapted_q", "adapted_k", "adapted_v"], "writes": ["fused"]},
    {"name": "decode_layer", "component": "output_head", "repeat": 3, "kernel": {"type": "gemm", "m": 256, "n": 512, "k": 256}, "read_writes": ["fused"]},
    {"name": "logits", "component": "output_head", "kernel": {"type": "gemm", "m": 256, "n": 512, "k": 256}, "reads": ["fused"], "writes": ["logits"]},
    {"name": "send_logits", "component": "output_head", "kernel": {"type": "sleep", "us": 1500}, "reads": ["logits"]}
  ]
}
)json";

}  // namespace

std::string_view default_workload_json() noexcept {
  return k_default_workload;
}

Workload default_workload() {
  return parse_workload(k_default_workload, "<built-in>");
}

}  // namespace neat
