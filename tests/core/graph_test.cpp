// Tests of OperationDependencyGraph: building, data-access inference, validation and the
// analyses (topological order, levels, independent subgraphs, critical path, DOT export).
// Running graphs is tested with the executor.
#include "neat/core/graph.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "neat/common/error.hpp"
#include "neat/core/op_context.hpp"

namespace neat {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

using EdgeList = std::vector<std::pair<std::uint32_t, std::uint32_t>>;
using EdgeSet = std::set<std::pair<std::uint32_t, std::uint32_t>>;

EdgeList edges_of(const OperationDependencyGraph& g) {
  EdgeList out;
  for (const Edge& e : g.edges()) out.emplace_back(e.from, e.to);
  return out;
}

EdgeSet distinct_edges(const OperationDependencyGraph& g) {
  const EdgeList list = edges_of(g);
  return EdgeSet(list.begin(), list.end());
}

std::vector<std::uint32_t> indices(const std::vector<OperationId>& ops) {
  std::vector<std::uint32_t> out;
  for (OperationId op : ops) out.push_back(op.index);
  return out;
}

Operation named(OperationDependencyGraph& g, const std::string& name) {
  return g.add({.name = name}, [] {});
}

// The cycle that validate() reports; records a failure when it reports none.
std::vector<std::string> reported_cycle(const OperationDependencyGraph& g) {
  try {
    g.validate();
  } catch (const CycleError& e) {
    return e.cycle();
  }
  ADD_FAILURE() << "validate() did not throw CycleError";
  return {};
}

// True when `names` is a closed walk along edges of `g`.
bool is_cycle_of(const OperationDependencyGraph& g, const std::vector<std::string>& names) {
  if (names.size() < 2 || names.front() != names.back()) return false;
  for (std::size_t i = 0; i + 1 < names.size(); ++i) {
    bool found = false;
    for (const Edge& e : g.edges()) {
      found = found || (g.name(OperationId{e.from}) == names[i] &&
                        g.name(OperationId{e.to}) == names[i + 1]);
    }
    if (!found) return false;
  }
  return true;
}

template <class F>
std::string error_message(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected neat::Error";
  return {};
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

// ---- Building ---------------------------------------------------------------------------------

TEST(GraphBuild, EmptyGraph) {
  OperationDependencyGraph g;
  EXPECT_TRUE(g.empty());
  EXPECT_EQ(g.size(), 0u);
  EXPECT_EQ(g.edge_count(), 0u);
  EXPECT_EQ(g.data_count(), 0u);
  EXPECT_NO_THROW(g.validate());
  EXPECT_NO_THROW(g.compile());
  EXPECT_THAT(g.topological_order(), IsEmpty());
  EXPECT_THAT(g.levels(), IsEmpty());
  EXPECT_THAT(g.independent_subgraphs(), IsEmpty());
  const CriticalPath path = g.critical_path();
  EXPECT_THAT(path.operations, IsEmpty());
  EXPECT_EQ(path.length, 0.0);
  EXPECT_EQ(path.total_work, 0.0);
  EXPECT_EQ(g.to_dot(), "digraph neat {\n  node [shape=box, style=filled];\n}\n");
  EXPECT_EQ(g.find("anything"), std::nullopt);
}

TEST(GraphBuild, EmplaceGivesSequentialIdsAndAnonymousNames) {
  OperationDependencyGraph g;
  Operation a = g.emplace([] {});
  Operation b = g.emplace([](OpContext&) {});  // both callable forms are accepted
  Operation c = g.emplace([] {});
  EXPECT_EQ(a.id().index, 0u);
  EXPECT_EQ(b.id().index, 1u);
  EXPECT_EQ(c.id().index, 2u);
  EXPECT_EQ(g.size(), 3u);
  EXPECT_FALSE(g.empty());
  EXPECT_EQ(g.name(b.id()), "op#1");
  EXPECT_EQ(b.name(), "");  // the handle gives the stored name; the graph gives "op#N"
  EXPECT_EQ(g.component(b.id()), "");
  EXPECT_EQ(g.priority(b.id()), ExecutionPriority::medium);
  const OperationDescriptor d = g.descriptor(c.id());
  EXPECT_EQ(d.name, "");
  EXPECT_EQ(d.component, "");
  EXPECT_EQ(d.priority, ExecutionPriority::medium);
  EXPECT_EQ(d.cost_hint_us, 0.0);
  EXPECT_EQ(d.memory_bytes, 0u);
  EXPECT_EQ(d.device, DeviceAffinity::any);
}

TEST(GraphBuild, DescriptorRoundTrips) {
  OperationDependencyGraph g;
  const OperationDescriptor in{.name = "recall",
                               .component = "titans_memory",
                               .priority = ExecutionPriority::high,
                               .cost_hint_us = 2.5,
                               .memory_bytes = std::uint64_t{3} << 33,
                               .device = DeviceAffinity::cuda};
  g.emplace([] {});
  Operation op = g.add(in, [] {});
  EXPECT_EQ(op.id().index, 1u);
  EXPECT_EQ(op.name(), "recall");
  EXPECT_EQ(g.name(op.id()), "recall");
  EXPECT_EQ(g.component(op.id()), "titans_memory");
  EXPECT_EQ(g.priority(op.id()), ExecutionPriority::high);
  const OperationDescriptor out = g.descriptor(op.id());
  EXPECT_EQ(out.name, in.name);
  EXPECT_EQ(out.component, in.component);
  EXPECT_EQ(out.priority, in.priority);
  EXPECT_EQ(out.cost_hint_us, in.cost_hint_us);
  EXPECT_EQ(out.memory_bytes, in.memory_bytes);
  EXPECT_EQ(out.device, in.device);
}

TEST(GraphBuild, ComponentsAreInterned) {
  OperationDependencyGraph g;
  Operation a = g.add({.name = "a", .component = "blt_encoder"}, [] {});
  Operation b = g.add({.name = "b", .component = "titans_memory"}, [] {});
  Operation c = g.add({.name = "c", .component = std::string("blt_") + "encoder"}, [] {});
  EXPECT_EQ(g.component(a.id()), "blt_encoder");
  EXPECT_EQ(g.component(b.id()), "titans_memory");
  EXPECT_EQ(g.component(c.id()), "blt_encoder");
  // One stored string per component, shared by its operations.
  EXPECT_EQ(g.component(a.id()).data(), g.component(c.id()).data());
  EXPECT_NE(g.component(a.id()).data(), g.component(b.id()).data());
}

TEST(GraphBuild, FindReturnsFirstMatchByName) {
  OperationDependencyGraph g;
  g.emplace([] {});
  Operation first = named(g, "dup");
  named(g, "other");
  named(g, "dup");
  EXPECT_EQ(g.find("dup"), first.id());
  EXPECT_EQ(g.find("other"), OperationId{2});
  EXPECT_EQ(g.find("missing"), std::nullopt);
  EXPECT_EQ(g.find("du"), std::nullopt);
  EXPECT_EQ(g.find(""), std::nullopt);  // anonymous operations have no name to find
}

TEST(GraphBuild, DataHandles) {
  OperationDependencyGraph g;
  const DataHandle h = g.data("hidden");
  const DataHandle k = g.data("kv_cache");
  EXPECT_EQ(g.data_count(), 2u);
  EXPECT_EQ(h.index, 0u);
  EXPECT_EQ(k.index, 1u);
  EXPECT_EQ(g.data_name(h), "hidden");
  EXPECT_EQ(g.data_name(k), "kv_cache");
  EXPECT_THAT(error_message([&] { (void)g.data_name(DataHandle{2}); }),
              HasSubstr("unknown data handle 2"));
}

TEST(GraphBuild, BadCostHintIsRejectedAndChangesNothing) {
  OperationDependencyGraph g;
  named(g, "first");
  EXPECT_THAT(error_message([&] { g.add({.name = "neg", .cost_hint_us = -1.0}, [] {}); }),
              AllOf(HasSubstr("'neg'"), HasSubstr("cost_hint_us"), HasSubstr("-1")));
  EXPECT_THAT(error_message([&] { g.add({.cost_hint_us = -0.5}, [] {}); }), HasSubstr("'op#1'"));
  EXPECT_THROW(g.add({.name = "nan", .cost_hint_us = std::nan("")}, [] {}), Error);
  EXPECT_THROW(
      g.add({.name = "inf", .cost_hint_us = std::numeric_limits<double>::infinity()}, [] {}),
      Error);
  EXPECT_THROW(g.add({.name = "huge", .cost_hint_us = 1e300}, [] {}), Error);
  EXPECT_THROW(
      g.add({.name = "neg_with_component", .component = "new_component", .cost_hint_us = -1.0},
            [] {}),
      Error);
  EXPECT_EQ(g.size(), 1u);
  EXPECT_EQ(g.find("neg"), std::nullopt);
  EXPECT_EQ(g.to_dot().find("new_component"), std::string::npos);
  // Zero is fine ("unknown").
  EXPECT_NO_THROW(g.add({.name = "zero", .cost_hint_us = 0.0}, [] {}));
  EXPECT_EQ(g.size(), 2u);
}

TEST(GraphBuild, UnknownOperationIdsAreRejected) {
  OperationDependencyGraph g;
  Operation a = named(g, "a");
  const DataHandle h = g.data("h");
  const OperationId bad{5};
  EXPECT_THAT(
      error_message([&] { g.precede(a.id(), bad); }),
      AllOf(HasSubstr("precede"), HasSubstr("unknown operation id 5"), HasSubstr("graph has 1")));
  EXPECT_THAT(error_message([&] { g.precede(bad, a.id()); }), HasSubstr("unknown operation id 5"));
  EXPECT_THAT(error_message([&] { g.access(bad, h, AccessMode::read); }),
              AllOf(HasSubstr("access"), HasSubstr("unknown operation id 5")));
  EXPECT_THAT(error_message([&] { g.access(a.id(), DataHandle{3}, AccessMode::write); }),
              AllOf(HasSubstr("access"), HasSubstr("unknown data handle 3")));
  EXPECT_THAT(error_message([&] { (void)g.name(bad); }), HasSubstr("name"));
  EXPECT_THAT(error_message([&] { (void)g.component(bad); }), HasSubstr("component"));
  EXPECT_THAT(error_message([&] { (void)g.priority(bad); }), HasSubstr("priority"));
  EXPECT_THAT(error_message([&] { (void)g.descriptor(bad); }), HasSubstr("descriptor"));
  EXPECT_EQ(g.edge_count(), 0u);
}

TEST(GraphBuild, PrecedeAndSucceedAreVariadic) {
  OperationDependencyGraph g;
  Operation a = named(g, "a");
  Operation b = named(g, "b");
  Operation c = named(g, "c");
  Operation d = named(g, "d");
  Operation e = named(g, "e");
  a.precede(b, c, d);
  e.succeed(c, d).succeed(b);
  EXPECT_EQ(edges_of(g), (EdgeList{{0, 1}, {0, 2}, {0, 3}, {2, 4}, {3, 4}, {1, 4}}));
  g.precede(e.id(), a.id());
  EXPECT_EQ(g.edges().back(), (Edge{4, 0}));
}

TEST(GraphBuild, MemoryBytesCountsStorage) {
  OperationDependencyGraph g;
  const std::size_t empty_bytes = g.memory_bytes();
  Operation a = named(g, "a");
  EXPECT_GT(g.memory_bytes(), empty_bytes);
  const std::size_t one_op = g.memory_bytes();
  Operation b = named(g, "b");
  g.reserve(0, 10'000);
  a.precede(b);
  EXPECT_GE(g.memory_bytes(), one_op + 10'000 * sizeof(Edge));
}

// ---- Data-access inference ------------------------------------------------------------------

TEST(GraphInference, ReadAfterWrite) {
  OperationDependencyGraph g;
  const DataHandle h = g.data("h");
  Operation w = named(g, "w");
  Operation r = named(g, "r");
  w.writes(h);
  r.reads(h);
  EXPECT_EQ(edges_of(g), (EdgeList{{0, 1}}));
}

TEST(GraphInference, WriteAfterRead) {
  OperationDependencyGraph g;
  const DataHandle h = g.data("h");
  Operation r = named(g, "r");
  Operation w = named(g, "w");
  r.reads(h);  // no writer yet: no edge
  EXPECT_EQ(g.edge_count(), 0u);
  w.writes(h);
  EXPECT_EQ(edges_of(g), (EdgeList{{0, 1}}));
}

TEST(GraphInference, WriteAfterWrite) {
  OperationDependencyGraph g;
  const DataHandle h = g.data("h");
  Operation w1 = named(g, "w1");
  Operation w2 = named(g, "w2");
  Operation w3 = named(g, "w3");
  w1.writes(h);
  EXPECT_EQ(g.edge_count(), 0u);
  w2.writes(h);
  w3.access(h, AccessMode::write);
  EXPECT_EQ(edges_of(g), (EdgeList{{0, 1}, {1, 2}}));
}

TEST(GraphInference, ReadWriteActsAsBoth) {
  OperationDependencyGraph g;
  const DataHandle h = g.data("h");
  Operation w = named(g, "w");
  Operation r1 = named(g, "r1");
  Operation r2 = named(g, "r2");
  Operation rw = named(g, "rw");
  Operation r3 = named(g, "r3");
  w.writes(h);
  r1.reads(h);
  r2.reads(h);
  rw.read_writes(h);
  r3.reads(h);
  EXPECT_EQ(edges_of(g), (EdgeList{{0, 1}, {0, 2}, {1, 3}, {2, 3}, {0, 3}, {3, 4}}));
  EXPECT_THAT(g.levels(), ElementsAre(0u, 1u, 1u, 2u, 3u));
}

TEST(GraphInference, ReadWriteOnFreshDataAddsNoEdge) {
  OperationDependencyGraph g;
  const DataHandle h = g.data("h");
  Operation a = named(g, "a");
  Operation b = named(g, "b");
  a.read_writes(h);
  EXPECT_EQ(g.edge_count(), 0u);
  b.read_writes(h);
  EXPECT_EQ(edges_of(g), (EdgeList{{0, 1}}));
}

TEST(GraphInference, SeveralReadersThenAWriter) {
  OperationDependencyGraph g;
  const DataHandle h = g.data("h");
  Operation w0 = named(g, "w0");
  Operation r1 = named(g, "r1");
  Operation r2 = named(g, "r2");
  Operation r3 = named(g, "r3");
  Operation w4 = named(g, "w4");
  Operation r5 = named(g, "r5");
  w0.writes(h);
  r1.reads(h);
  r2.reads(h);
  r3.reads(h);
  w4.writes(h);
  r5.reads(h);
  // WAR from every reader; the old writer is ordered through them, so no direct w0 -> w4.
  EXPECT_EQ(edges_of(g), (EdgeList{{0, 1}, {0, 2}, {0, 3}, {1, 4}, {2, 4}, {3, 4}, {4, 5}}));
}

TEST(GraphInference, ReadersBeforeAnyWriterThenWriterThenWriter) {
  OperationDependencyGraph g;
  const DataHandle h = g.data("h");
  Operation r0 = named(g, "r0");
  Operation r1 = named(g, "r1");
  Operation w2 = named(g, "w2");
  Operation w3 = named(g, "w3");
  r0.reads(h);
  r1.reads(h);
  w2.writes(h);
  w3.writes(h);  // readers were cleared by w2: WAW on w2 only
  EXPECT_EQ(edges_of(g), (EdgeList{{0, 2}, {1, 2}, {2, 3}}));
}

TEST(GraphInference, SameOperationReadsAndWritesWithoutSelfEdge) {
  OperationDependencyGraph g;
  const DataHandle h = g.data("h");
  Operation w = named(g, "w");
  Operation a = named(g, "a");
  Operation b = named(g, "b");
  Operation c = named(g, "c");
  w.writes(h);
  a.reads(h).writes(h);  // reads the old value, then replaces it
  b.writes(h).reads(h);  // writes, then reads its own value
  c.reads(h);
  for (const Edge& e : g.edges()) EXPECT_NE(e.from, e.to) << "self-edge on " << e.from;
  EXPECT_EQ(distinct_edges(g), (EdgeSet{{0, 1}, {1, 2}, {2, 3}}));
  EXPECT_THAT(g.levels(), ElementsAre(0u, 1u, 2u, 3u));
  EXPECT_NO_THROW(g.validate());
}

TEST(GraphInference, ReaderThatWritesOrdersAfterOtherReaders) {
  OperationDependencyGraph g;
  const DataHandle h = g.data("h");
  Operation w = named(g, "w");
  Operation a = named(g, "a");
  Operation b = named(g, "b");
  w.writes(h);
  a.reads(h);
  b.reads(h);
  a.writes(h);  // b read the old value: b must finish before a overwrites it
  EXPECT_EQ(distinct_edges(g), (EdgeSet{{0, 1}, {0, 2}, {2, 1}}));
  EXPECT_THAT(indices(g.topological_order()), ElementsAre(0u, 2u, 1u));
}

TEST(GraphInference, HandlesAreIndependent) {
  OperationDependencyGraph g;
  const DataHandle x = g.data("x");
  const DataHandle y = g.data("y");
  Operation a = named(g, "a");
  Operation b = named(g, "b");
  Operation c = named(g, "c");
  a.writes(x);
  b.writes(y);
  c.reads(x);
  g.access(c.id(), y, AccessMode::read);
  EXPECT_EQ(edges_of(g), (EdgeList{{0, 2}, {1, 2}}));
}

TEST(GraphInference, FollowsDeclarationOrderNotCreationOrder) {
  OperationDependencyGraph g;
  const DataHandle h = g.data("h");
  Operation consumer = named(g, "consumer");
  Operation producer = named(g, "producer");
  producer.writes(h);
  consumer.reads(h);
  EXPECT_EQ(edges_of(g), (EdgeList{{1, 0}}));
  EXPECT_NO_THROW(g.validate());
  EXPECT_THAT(indices(g.topological_order()), ElementsAre(1u, 0u));
}

// ---- Validation -------------------------------------------------------------------------------

TEST(GraphValidate, AcyclicGraphsPass) {
  OperationDependencyGraph g;
  Operation a = named(g, "a");
  Operation b = named(g, "b");
  Operation c = named(g, "c");
  a.precede(b, c);
  b.precede(c);
  b.precede(c);  // duplicate edges are fine
  EXPECT_NO_THROW(g.validate());
  // Edges against creation order are fine too as long as there is no cycle.
  Operation first = named(g, "first");
  first.precede(a);
  EXPECT_NO_THROW(g.validate());
  EXPECT_NO_THROW(g.compile());
}

TEST(GraphValidate, TwoCycleIsNamed) {
  OperationDependencyGraph g;
  Operation a = named(g, "a");
  Operation b = named(g, "b");
  a.precede(b);
  b.precede(a);
  try {
    g.validate();
    FAIL() << "expected CycleError";
  } catch (const CycleError& e) {
    EXPECT_THAT(e.cycle(), ElementsAre("a", "b", "a"));
    EXPECT_STREQ(e.what(), "dependency cycle: a -> b -> a");
  }
  EXPECT_THROW(g.validate(), Error);  // a CycleError is a neat::Error
}

TEST(GraphValidate, ThreeCycleIsNamedInEdgeOrder) {
  OperationDependencyGraph g;
  Operation a = named(g, "a");
  Operation b = named(g, "b");
  Operation c = named(g, "c");
  Operation d = named(g, "d");
  d.precede(a);  // an entry into the cycle and an unrelated edge out of it
  a.precede(b);
  b.precede(c);
  c.precede(a);
  c.precede(d);
  const std::vector<std::string> cycle = reported_cycle(g);
  EXPECT_THAT(cycle, ElementsAre("a", "b", "c", "a"));
  EXPECT_TRUE(is_cycle_of(g, cycle));
}

TEST(GraphValidate, SelfLoopIsNamed) {
  OperationDependencyGraph g;
  Operation x = named(g, "x");
  Operation a = named(g, "a");
  x.precede(a);
  a.precede(a);
  EXPECT_THAT(reported_cycle(g), ElementsAre("a", "a"));

  OperationDependencyGraph anonymous;
  anonymous.emplace([] {});
  Operation op = anonymous.emplace([] {});
  op.precede(op);
  EXPECT_THAT(reported_cycle(anonymous), ElementsAre("op#1", "op#1"));
}

TEST(GraphValidate, CycleBehindLongAcyclicPrefix) {
  OperationDependencyGraph g;
  Operation previous = named(g, "p0");
  for (int i = 1; i < 1000; ++i) {
    Operation next = named(g, "p" + std::to_string(i));
    previous.precede(next);
    previous = next;
  }
  Operation x = named(g, "x");
  Operation y = named(g, "y");
  Operation z = named(g, "z");
  previous.precede(x);
  x.precede(y);
  y.precede(z);
  z.precede(x);
  EXPECT_THAT(reported_cycle(g), ElementsAre("x", "y", "z", "x"));
}

TEST(GraphValidate, CycleStartsAtItsSmallestIndex) {
  // The search enters the cycle b <-> c at c (through p), and still reports it from b.
  OperationDependencyGraph g;
  Operation p = named(g, "p");
  Operation b = named(g, "b");
  Operation c = named(g, "c");
  b.precede(c);
  b.precede(p);
  p.precede(c);
  c.precede(b);
  const std::vector<std::string> cycle = reported_cycle(g);
  EXPECT_THAT(cycle, ElementsAre("b", "c", "b"));
  EXPECT_TRUE(is_cycle_of(g, cycle));
}

TEST(GraphValidate, CycleFoundPastOperationsDownstreamOfIt) {
  // d (index 0) only depends on the cycle: it is explored first and leads nowhere.
  OperationDependencyGraph g;
  Operation d = named(g, "d");
  Operation b = named(g, "b");
  Operation c = named(g, "c");
  c.precede(d);
  b.precede(c);
  c.precede(b);
  EXPECT_THAT(reported_cycle(g), ElementsAre("b", "c", "b"));
}

TEST(GraphValidate, OneOfSeveralCyclesIsReported) {
  OperationDependencyGraph g;
  std::vector<Operation> ops;
  for (int i = 0; i < 6; ++i) ops.push_back(named(g, "v" + std::to_string(i)));
  ops[5].precede(ops[4]);
  ops[4].precede(ops[3]);
  ops[3].precede(ops[5]);
  ops[2].precede(ops[1]);
  ops[1].precede(ops[2]);
  ops[0].precede(ops[1], ops[3]);
  const std::vector<std::string> cycle = reported_cycle(g);
  EXPECT_TRUE(is_cycle_of(g, cycle)) << ::testing::PrintToString(cycle);
  EXPECT_THAT(cycle, ElementsAre("v1", "v2", "v1"));
}

TEST(GraphValidate, EveryOrderingAnalysisReportsTheCycle) {
  OperationDependencyGraph g;
  Operation s = named(g, "source");
  Operation a = named(g, "a");
  Operation b = named(g, "b");
  Operation c = named(g, "c");
  s.precede(a);
  c.precede(a);  // against creation order: the quick creation-order check does not apply
  a.precede(b);
  b.precede(c);
  const auto expect_cycle = [](auto&& analysis) {
    try {
      analysis();
      ADD_FAILURE() << "expected CycleError";
    } catch (const CycleError& e) {
      EXPECT_THAT(e.cycle(), ElementsAre("a", "b", "c", "a"));
    }
  };
  expect_cycle([&] { g.validate(); });
  expect_cycle([&] { (void)g.topological_order(); });
  expect_cycle([&] { (void)g.levels(); });
  expect_cycle([&] { (void)g.critical_path(); });
  expect_cycle([&] { (void)g.critical_path([](OperationId) { return 1.0; }); });
  expect_cycle([&] { g.compile(); });
  // Components and DOT are defined for any graph.
  EXPECT_EQ(g.independent_subgraphs().size(), 1u);
  EXPECT_NE(g.to_dot().find("n3 -> n1;"), std::string::npos);
}

TEST(GraphValidate, CompileRevalidatesAfterAChange) {
  OperationDependencyGraph g;
  Operation a = named(g, "a");
  Operation b = named(g, "b");
  g.compile();  // no edges
  a.precede(b);
  EXPECT_NO_THROW(g.compile());
  EXPECT_NO_THROW(g.compile());  // unchanged: nothing to do
  b.precede(a);
  try {
    g.compile();
    FAIL() << "expected CycleError";
  } catch (const CycleError& e) {
    EXPECT_THAT(e.cycle(), ElementsAre("a", "b", "a"));
  }
}

// ---- Topological order ----------------------------------------------------------------------

// True when `order` holds every operation once and every edge goes forward in it.
bool respects_edges(const OperationDependencyGraph& g, const std::vector<OperationId>& order) {
  std::vector<std::size_t> position(g.size(), g.size());
  for (std::size_t i = 0; i < order.size(); ++i) position[order[i].index] = i;
  if (order.size() != g.size()) return false;
  for (std::size_t p : position) {
    if (p == g.size()) return false;
  }
  for (const Edge& e : g.edges()) {
    if (position[e.from] >= position[e.to]) return false;
  }
  return true;
}

TEST(GraphTopologicalOrder, EqualsCreationOrderWhenConsistent) {
  OperationDependencyGraph g;
  std::vector<Operation> ops;
  for (int i = 0; i < 6; ++i) ops.push_back(g.emplace([] {}));
  ops[0].precede(ops[3]);
  ops[1].precede(ops[3], ops[3]);
  ops[3].precede(ops[5]);
  ops[2].precede(ops[4]);
  EXPECT_THAT(indices(g.topological_order()), ElementsAre(0u, 1u, 2u, 3u, 4u, 5u));
}

TEST(GraphTopologicalOrder, SmallestReadyIndexFirst) {
  OperationDependencyGraph g;
  std::vector<Operation> ops;
  for (int i = 0; i < 5; ++i) ops.push_back(g.emplace([] {}));
  ops[4].precede(ops[0]);
  ops[2].precede(ops[1]);
  ops[1].precede(ops[3]);
  ops[2].precede(ops[1]);  // duplicate
  const std::vector<OperationId> order = g.topological_order();
  // Ready at first: 2 and 4. Taking 2 readies 1 (< 4), taking 1 readies 3 (< 4), then 4, 0.
  EXPECT_THAT(indices(order), ElementsAre(2u, 1u, 3u, 4u, 0u));
  EXPECT_TRUE(respects_edges(g, order));
  EXPECT_EQ(g.topological_order(), order);  // deterministic
}

TEST(GraphTopologicalOrder, RespectsInferredEdges) {
  OperationDependencyGraph g;
  const DataHandle h = g.data("h");
  const DataHandle k = g.data("k");
  std::vector<Operation> ops;
  for (int i = 0; i < 8; ++i) ops.push_back(g.emplace([] {}));
  ops[7].writes(h);
  ops[3].reads(h);
  ops[5].reads(h).writes(k);
  ops[0].writes(h);
  ops[1].reads(k);
  ops[6].read_writes(k);
  const std::vector<OperationId> order = g.topological_order();
  EXPECT_TRUE(respects_edges(g, order));
  EXPECT_THAT(indices(order), ElementsAre(2u, 4u, 7u, 3u, 5u, 0u, 1u, 6u));
}

// ---- Levels -----------------------------------------------------------------------------------

TEST(GraphLevels, LongestEdgeCountFromASource) {
  OperationDependencyGraph g;
  Operation a = named(g, "a");
  Operation b = named(g, "b");
  Operation c = named(g, "c");
  Operation d = named(g, "d");
  named(g, "e");  // isolated
  Operation f = named(g, "f");
  a.precede(b, c, d);
  b.precede(d);
  c.precede(f);
  f.precede(d);  // against creation order
  EXPECT_THAT(g.levels(), ElementsAre(0u, 1u, 1u, 3u, 0u, 2u));
}

TEST(GraphLevels, ChainWithDuplicateEdges) {
  OperationDependencyGraph g;
  Operation a = g.emplace([] {});
  Operation b = g.emplace([] {});
  Operation c = g.emplace([] {});
  a.precede(b, b);
  b.precede(c);
  a.precede(c);
  EXPECT_THAT(g.levels(), ElementsAre(0u, 1u, 2u));
}

// ---- Independent subgraphs ------------------------------------------------------------------

TEST(GraphIndependentSubgraphs, WeakComponentsSortedAndOrdered) {
  OperationDependencyGraph g;
  std::vector<Operation> ops;
  for (int i = 0; i < 7; ++i) ops.push_back(g.emplace([] {}));
  ops[3].precede(ops[0]);
  ops[0].precede(ops[3]);  // a 2-cycle is still one component
  ops[1].precede(ops[4]);
  ops[4].precede(ops[2]);
  ops[5].precede(ops[5]);  // self-edge
  const auto parts = g.independent_subgraphs();
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_THAT(indices(parts[0]), ElementsAre(0u, 3u));
  EXPECT_THAT(indices(parts[1]), ElementsAre(1u, 2u, 4u));
  EXPECT_THAT(indices(parts[2]), ElementsAre(5u));
  EXPECT_THAT(indices(parts[3]), ElementsAre(6u));
}

TEST(GraphIndependentSubgraphs, JoinedThroughIncomingEdges) {
  OperationDependencyGraph g;
  std::vector<Operation> ops;
  for (int i = 0; i < 5; ++i) ops.push_back(g.emplace([] {}));
  ops[4].precede(ops[0]);
  ops[4].precede(ops[2]);
  ops[3].precede(ops[1]);
  const auto parts = g.independent_subgraphs();
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_THAT(indices(parts[0]), ElementsAre(0u, 2u, 4u));
  EXPECT_THAT(indices(parts[1]), ElementsAre(1u, 3u));
}

TEST(GraphIndependentSubgraphs, NoEdgesGivesSingletons) {
  OperationDependencyGraph g;
  for (int i = 0; i < 3; ++i) g.emplace([] {});
  const auto parts = g.independent_subgraphs();
  ASSERT_EQ(parts.size(), 3u);
  for (std::uint32_t i = 0; i < 3; ++i) EXPECT_THAT(indices(parts[i]), ElementsAre(i));
}

// ---- Critical path ----------------------------------------------------------------------------

// a(2) -> {b(0, counted 1), c(10)} -> d(5)
struct DiamondGraph {
  OperationDependencyGraph g;
  Operation a = g.add({.name = "a", .cost_hint_us = 2.0}, [] {});
  Operation b = g.add({.name = "b"}, [] {});
  Operation c = g.add({.name = "c", .cost_hint_us = 10.0}, [] {});
  Operation d = g.add({.name = "d", .cost_hint_us = 5.0}, [] {});
  DiamondGraph() {
    a.precede(b, c);
    d.succeed(b, c);
  }
};

TEST(GraphCriticalPath, DefaultCostIsCostHintWithZeroCountedAsOne) {
  DiamondGraph diamond;
  const CriticalPath path = diamond.g.critical_path();
  EXPECT_THAT(indices(path.operations), ElementsAre(0u, 2u, 3u));
  EXPECT_DOUBLE_EQ(path.length, 17.0);
  EXPECT_DOUBLE_EQ(path.total_work, 18.0);
}

TEST(GraphCriticalPath, AnonymousOperationsCountOneEach) {
  OperationDependencyGraph g;
  Operation a = g.emplace([] {});
  Operation b = g.emplace([] {});
  Operation c = g.emplace([] {});
  g.emplace([] {});
  a.precede(b);
  b.precede(c);
  const CriticalPath path = g.critical_path();
  EXPECT_THAT(indices(path.operations), ElementsAre(0u, 1u, 2u));
  EXPECT_DOUBLE_EQ(path.length, 3.0);
  EXPECT_DOUBLE_EQ(path.total_work, 4.0);
}

TEST(GraphCriticalPath, FractionalCostHintsAreKept) {
  OperationDependencyGraph g;
  g.add({.name = "half", .cost_hint_us = 0.5}, [] {});
  const CriticalPath path = g.critical_path();
  EXPECT_THAT(indices(path.operations), ElementsAre(0u));
  EXPECT_DOUBLE_EQ(path.length, 0.5);
}

TEST(GraphCriticalPath, CustomCostFunction) {
  DiamondGraph diamond;
  const CriticalPath path =
      diamond.g.critical_path([](OperationId op) { return op.index == 1 ? 100.0 : 1.0; });
  EXPECT_THAT(indices(path.operations), ElementsAre(0u, 1u, 3u));
  EXPECT_DOUBLE_EQ(path.length, 102.0);
  EXPECT_DOUBLE_EQ(path.total_work, 103.0);
}

TEST(GraphCriticalPath, ZeroCostsGiveZeroLength) {
  DiamondGraph diamond;
  const CriticalPath path = diamond.g.critical_path([](OperationId) { return 0.0; });
  EXPECT_EQ(path.length, 0.0);
  EXPECT_EQ(path.total_work, 0.0);
  EXPECT_FALSE(path.operations.empty());
}

TEST(GraphCriticalPath, TiesKeepTheFirstPath) {
  OperationDependencyGraph g;
  Operation a = g.emplace([] {});
  Operation b = g.emplace([] {});
  Operation c = g.emplace([] {});
  Operation d = g.emplace([] {});
  a.precede(b, c);
  d.succeed(b, c);
  const CriticalPath path = g.critical_path();
  EXPECT_THAT(indices(path.operations), ElementsAre(0u, 1u, 3u));
  EXPECT_DOUBLE_EQ(path.length, 3.0);
}

TEST(GraphCriticalPath, FollowsEdgesAgainstCreationOrder) {
  OperationDependencyGraph g;
  Operation d = g.add({.name = "d", .cost_hint_us = 4.0}, [] {});
  Operation c = g.add({.name = "c", .cost_hint_us = 3.0}, [] {});
  Operation b = g.add({.name = "b", .cost_hint_us = 2.0}, [] {});
  Operation a = g.add({.name = "a", .cost_hint_us = 1.0}, [] {});
  Operation side = g.add({.name = "side", .cost_hint_us = 9.0}, [] {});
  a.precede(b);
  b.precede(c);
  c.precede(d);
  side.precede(d);
  const CriticalPath path = g.critical_path();
  EXPECT_THAT(indices(path.operations), ElementsAre(4u, 0u));
  EXPECT_DOUBLE_EQ(path.length, 13.0);
  const CriticalPath chain =
      g.critical_path([](OperationId op) { return op.index == 4 ? 0.0 : 1.0; });
  EXPECT_THAT(indices(chain.operations), ElementsAre(3u, 2u, 1u, 0u));
  EXPECT_DOUBLE_EQ(chain.length, 4.0);
}

TEST(GraphCriticalPath, BadCustomCostNamesTheOperation) {
  DiamondGraph diamond;
  EXPECT_THAT(
      error_message([&] {
        (void)diamond.g.critical_path([](OperationId op) { return op.index == 1 ? -3.0 : 1.0; });
      }),
      AllOf(HasSubstr("critical_path"), HasSubstr("'b'"), HasSubstr("-3")));
  EXPECT_THAT(error_message([&] {
                (void)diamond.g.critical_path(
                    [](OperationId op) { return op.index == 2 ? std::nan("") : 1.0; });
              }),
              HasSubstr("'c'"));
  EXPECT_THAT(error_message([&] {
                (void)diamond.g.critical_path(
                    [](OperationId) { return std::numeric_limits<double>::infinity(); });
              }),
              HasSubstr("'a'"));
}

// ---- DOT export -------------------------------------------------------------------------------

TEST(GraphDot, ClustersLabelsColoursAndDedupedEdges) {
  OperationDependencyGraph g;
  const DataHandle h = g.data("h");
  Operation a =
      g.add({.name = "a", .component = "enc", .priority = ExecutionPriority::critical}, [] {});
  Operation c = g.add({.name = "c", .component = "mem", .priority = ExecutionPriority::low}, [] {});
  Operation b =
      g.add({.name = "b", .component = "enc", .priority = ExecutionPriority::high}, [] {});
  Operation d = g.emplace([] {});
  a.precede(b);
  a.writes(h);
  b.reads(h);  // the same edge again, inferred
  b.precede(c);
  d.precede(c);
  a.precede(b);
  EXPECT_EQ(g.to_dot(),
            "digraph neat {\n"
            "  node [shape=box, style=filled];\n"
            "  subgraph cluster_0 {\n"
            "    label=\"enc\";\n"
            "    n0 [label=\"a\\ncritical\", fillcolor=\"#f4a6a6\"];\n"
            "    n2 [label=\"b\\nhigh\", fillcolor=\"#f9c98f\"];\n"
            "  }\n"
            "  subgraph cluster_1 {\n"
            "    label=\"mem\";\n"
            "    n1 [label=\"c\\nlow\", fillcolor=\"#d9d9d9\"];\n"
            "  }\n"
            "  n3 [label=\"op#3\\nmedium\", fillcolor=\"#fbe99a\"];\n"
            "  n0 -> n2;\n"
            "  n2 -> n1;\n"
            "  n3 -> n1;\n"
            "}\n");
  EXPECT_EQ(g.to_dot(), g.to_dot());
}

TEST(GraphDot, EscapesQuotesBackslashesAndNewlines) {
  OperationDependencyGraph g;
  g.add({.name = "say \"hi\"\\now", .component = "q\"c\\"}, [] {});
  g.add({.name = "two\nlines"}, [] {});
  const std::string dot = g.to_dot();
  EXPECT_THAT(dot, HasSubstr("label=\"q\\\"c\\\\\";"));
  EXPECT_THAT(dot, HasSubstr("n0 [label=\"say \\\"hi\\\"\\\\now\\nmedium\""));
  EXPECT_THAT(dot, HasSubstr("n1 [label=\"two\\nlines\\nmedium\""));
  EXPECT_EQ(count_of(dot, "\n"), 8u);  // a newline in a name does not break a line
}

TEST(GraphDot, EveryOperationAndDistinctEdgeOnce) {
  OperationDependencyGraph g;
  std::vector<Operation> ops;
  for (int i = 0; i < 20; ++i) {
    ops.push_back(g.add({.name = "op" + std::to_string(i),
                         .component = i % 3 == 0 ? "" : "c" + std::to_string(i % 3)},
                        [] {}));
  }
  for (int i = 1; i < 20; ++i) {
    ops[static_cast<std::size_t>(i - 1)].precede(ops[static_cast<std::size_t>(i)]);
    ops[static_cast<std::size_t>(i - 1)].precede(ops[static_cast<std::size_t>(i)]);
  }
  const std::string dot = g.to_dot();
  EXPECT_EQ(count_of(dot, "subgraph cluster_"), 2u);
  EXPECT_EQ(count_of(dot, " -> "), 19u);
  EXPECT_EQ(count_of(dot, "[label="), 20u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(count_of(dot, "  n" + std::to_string(i) + " [label="), 1u) << i;
  }
}

// ---- Large graphs -----------------------------------------------------------------------------

constexpr std::uint32_t k_large = 1'000'000;

TEST(GraphLarge, MillionNodeChain) {
  OperationDependencyGraph g;
  g.reserve(k_large, k_large - 1);
  for (std::uint32_t i = 0; i < k_large; ++i) g.emplace([] {});
  for (std::uint32_t i = 1; i < k_large; ++i) g.precede(OperationId{i - 1}, OperationId{i});
  EXPECT_NO_THROW(g.validate());
  EXPECT_NO_THROW(g.compile());
  EXPECT_GT(g.memory_bytes(), k_large * sizeof(Edge));
  const std::vector<OperationId> order = g.topological_order();
  ASSERT_EQ(order.size(), k_large);
  EXPECT_EQ(order[12345].index, 12345u);
  EXPECT_EQ(g.levels().back(), k_large - 1);
  const CriticalPath path = g.critical_path();
  EXPECT_EQ(path.operations.size(), k_large);
  EXPECT_DOUBLE_EQ(path.length, static_cast<double>(k_large));
  EXPECT_EQ(g.independent_subgraphs().size(), 1u);
}

TEST(GraphLarge, MillionNodeReverseChainAndCycle) {
  OperationDependencyGraph g;
  for (std::uint32_t i = 0; i < k_large; ++i) g.emplace([] {});
  for (std::uint32_t i = 1; i < k_large; ++i) g.precede(OperationId{i}, OperationId{i - 1});
  EXPECT_NO_THROW(g.validate());  // every edge goes against creation order
  EXPECT_EQ(g.levels()[0], k_large - 1);
  EXPECT_EQ(g.topological_order().front().index, k_large - 1);
  // Closing the chain makes a cycle through every node: the search must not recurse.
  g.precede(OperationId{0}, OperationId{k_large - 1});
  const std::vector<std::string> cycle = reported_cycle(g);
  ASSERT_EQ(cycle.size(), k_large + 1);
  EXPECT_EQ(cycle[0], "op#0");
  EXPECT_EQ(cycle[1], "op#999999");
  EXPECT_EQ(cycle[k_large - 1], "op#1");
  EXPECT_EQ(cycle[k_large], "op#0");
}

}  // namespace
}  // namespace neat
