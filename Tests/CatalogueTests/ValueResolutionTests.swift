import Catalogue
import Parsing
import SourceModel
import Testing
import TestSupport
import TreeSitterKit

/// Values of names followed to where they are set. Answers are kept and reused across questions; these tests
/// check that reuse never changes an answer: whatever was asked before, a question gets what a fresh resolution
/// gives, including through cycles, chains longer than the resolver's hop limit, and names set in many places.
@Suite("Value resolution")
struct ValueResolutionTests {
    static let script = """
    import os
    B = 8
    T = 1024
    world = int(os.environ.get("WORLD_SIZE", 8))
    tokens = B * T * 64
    batch = tokens
    batch = batch // 2
    a0 = 3
    a1 = a0 + 1
    a2 = a1 + 1
    a3 = a2 + 1
    a4 = a3 + 1
    a5 = a4 + 1
    a6 = a5 + 1
    a7 = a6 + 1
    a8 = a7 + 1
    a9 = a8 + 1
    a10 = a9 + 1
    a11 = a10 + 1
    x = y
    y = x + 1
    class Config:
        lr: float = 0.02
        width = a4 * 2
    def scaled(n, scale=2):
        return n * scale
    scaled(tokens)
    scaled(a11, scale=a5)
    head = lr * 10
    lr = 0.01
    head = lr * 10
    lr = 0.03
    head = lr * 10
    lr = 0.05
    total = head + width + batch + a11 + x
    """

    static func facts() throws -> PythonFacts {
        try PythonFacts(file: SourceFile(path: "values.py", language: .python, bytes: Array(script.utf8)))
    }

    /// Every expression worth asking about: names, attributes and binary operations.
    static func questions(_ facts: PythonFacts) -> [Node] {
        facts.nodes.filter { ["identifier", "attribute", "binary_operator", "call"].contains($0.type) }
    }

    static func answers(asking order: [Int], _ facts: PythonFacts) -> [Int: [NumericValue]] {
        let nodes = questions(facts)
        var result: [Int: [NumericValue]] = [:]
        for index in order { result[index] = facts.values(of: nodes[index]) }
        return result
    }

    @Test("an answer does not depend on what was asked before")
    func orderIndependent() throws {
        let count = Self.questions(try Self.facts()).count
        #expect(count > 60)
        // Each question asked of fresh facts, alone.
        var alone: [Int: [NumericValue]] = [:]
        for index in 0..<count { alone[index] = Self.answers(asking: [index], try Self.facts())[index] }
        let forward = Self.answers(asking: Array(0..<count), try Self.facts())
        let backward = Self.answers(asking: Array((0..<count).reversed()), try Self.facts())
        var shuffled = Array(0..<count)
        var generator = SeededRandom(seed: 7)
        shuffled.shuffle(using: &generator)
        let mixed = Self.answers(asking: shuffled, try Self.facts())
        for index in 0..<count {
            #expect(forward[index] == alone[index], "question \(index) asked in document order")
            #expect(backward[index] == alone[index], "question \(index) asked in reverse order")
            #expect(mixed[index] == alone[index], "question \(index) asked in shuffled order")
        }
    }

    @Test("the values a benchmark run gives do not depend on what was asked before")
    func benchmarkValuesOrderIndependent() throws {
        let count = Self.questions(try Self.facts()).count
        var alone: [[Double]] = []
        for index in 0..<count {
            let facts = try Self.facts()
            alone.append(facts.benchmarkValues(of: Self.questions(facts)[index]))
        }
        let facts = try Self.facts()
        let nodes = Self.questions(facts)
        for index in (0..<count).reversed() {
            #expect(facts.benchmarkValues(of: nodes[index]) == alone[index], "question \(index) asked after later ones")
        }
        // The benchmark's world size is 8: `tokens` of a run is B * T * 64 whatever WORLD_SIZE says.
        let world = facts.nodes(ofType: "identifier").last { $0.text == "world" }!
        #expect(facts.benchmarkValues(of: world) == [8])
    }

    @Test("names resolve through chains, cycles and several settings")
    func resolvedValues() throws {
        let facts = try Self.facts()
        func values(ofLast name: String) -> [Double] {
            let use = facts.nodes(ofType: "identifier").last { $0.text == name }!
            return facts.values(of: use).map(\.double)
        }
        #expect(values(ofLast: "tokens") == [524_288])
        #expect(values(ofLast: "a5") == [8])
        // Eleven hops from a0: beyond the resolver's limit, so unresolved rather than guessed.
        #expect(values(ofLast: "a11").isEmpty)
        // A name set in several places takes its strongest setting (here the config class's field).
        #expect(values(ofLast: "lr") == [0.02])
        #expect(values(ofLast: "head") == [0.2])
        // The mutual cycle x = y, y = x + 1 has no value.
        #expect(values(ofLast: "x").isEmpty)
    }

    @Test("names updated in place by straight-line statements read the value the updates leave")
    func updatedInPlace() throws {
        let source = """
        V = 50257; V += -V % 128
        padded = V
        lr = 0.004
        lr *= 0.5
        half = lr
        lr = 0.01
        fresh = lr
        steps = 10
        for i in range(3):
            steps += 1
        looped = steps
        def main():
            return V
        decay = round(1390 * 0.4)
        evenly = round(2.5)
        floor = (lambda w: w + (1 - w) * 0.1)(0.0)
        """
        let facts = try PythonFacts(file: SourceFile(path: "updated.py", language: .python, bytes: Array(source.utf8)))
        func value(ofLast name: String) -> [Double] {
            let use = facts.nodes(ofType: "identifier").last { $0.text == name }!
            return facts.values(of: use).map(\.double)
        }
        #expect(value(ofLast: "padded") == [50304], "Python's modulo of a negative number is positive")
        #expect(value(ofLast: "half") == [0.002])
        #expect(value(ofLast: "fresh") == [0.01], "a plain assignment after the update starts again")
        #expect(!value(ofLast: "looped").contains(13), "an update in a loop is not applied a known number of times")
        let read = try #require(facts.nodes(ofType: "return_statement").first?.namedChildren.first)
        #expect(facts.values(of: read).map(\.double) == [50304], "a function reads the module's name once the module has run")
        let rounded = try #require(facts.nodes(ofType: "call").first { $0.text.hasPrefix("round(") })
        #expect(facts.values(of: rounded).map(\.double) == [556], "round() of 1390 * 0.4")
        let even = try #require(facts.nodes(ofType: "call").first { $0.text == "round(2.5)" })
        #expect(facts.values(of: even).map(\.double) == [2], "Python rounds halves to even")
        #expect(facts.evaluate(even, bindings: [:]) == 2)
        let invoked = try #require(facts.nodes(ofType: "call").last { $0.parent?.type == "assignment" })
        #expect(facts.evaluate(invoked, bindings: [:]) == 0.1, "a lambda called where it is written runs its body")
    }

    @Test("a read inside a function sees the module's later cells when the function first runs after them")
    func readsWhereTheFunctionRuns() throws {
        let source = """
        WARM = 0
        class Net:
            def __init__(self):
                self.reset()
            def reset(self):
                self.pos = 0
        WARM = 256
        def warmup():
            return WARM
        def schedule(step):
            return warmup() * step
        for step in range(10):
            schedule(step)
        def early():
            return WARM
        early()
        WARM = 512
        """
        let facts = try PythonFacts(file: SourceFile(path: "cells.py", language: .python, bytes: Array(source.utf8)))
        let reads = facts.nodes(ofType: "return_statement").compactMap { $0.namedChildren.first }
        #expect(facts.values(of: reads[0]).map(\.double) == [256], "called only through schedule, from a loop after the second cell")
        #expect(facts.firstRun(of: reads[0])?.text == "schedule", "the loop's call of schedule is where warmup first runs")
        #expect(facts.values(of: reads[2]).map(\.double).contains(256), "called before the third cell: it sees the second")
        #expect(facts.firstRun(of: facts.nodes(ofType: "identifier").first { $0.text == "pos" }!) == nil, "a method is not judged")
    }

    @Test("a class used itself as the settings object reads its own class attributes before its base's")
    func classObjectSettings() throws {
        let source = """
        class Base:
            eps = 1e-8
            warmup = 250
        class Run(Base):
            eps = 1e-10
        cfg = Run
        def build(hp: type[Base]):
            return hp.eps
        build(cfg)
        direct = Run.eps
        inherited = cfg.warmup
        base = Base.eps
        """
        let facts = try PythonFacts(file: SourceFile(path: "classes.py", language: .python, bytes: Array(source.utf8)))
        let reads = facts.nodes(ofType: "attribute")
        func read(_ text: String) throws -> Node { try #require(reads.last { $0.text == text }) }
        #expect(facts.interpretedNumber(try read("hp.eps")) == 1e-10, "`type[Base]` declares a class object; the caller passes Run")
        #expect(facts.interpretedNumber(try read("Run.eps")) == 1e-10)
        #expect(facts.interpretedNumber(try read("cfg.warmup")) == 250, "a field Run does not set is Base's")
        #expect(facts.interpretedNumber(try read("Base.eps")) == 1e-8, "the base read through itself keeps its own value")
    }

    @Test("the values reaching a name after an if statement come from each of its branches")
    func reachingValues() throws {
        let source = """
        def pick(g, fused):
            if fused:
                blocks = g.split(3)
            elif g.ndim > 2:
                blocks = g.unbind(0)
            else:
                blocks = (g,)
            use(blocks)
            parts = [g]
            if fused:
                parts = g.chunk(3)
            use(parts)
            if fused:
                one = 1
                use(one)
        """
        let facts = try PythonFacts(file: SourceFile(path: "branches.py", language: .python, bytes: Array(source.utf8)))
        func reaching(_ name: String) throws -> [String] {
            let use = try #require(facts.nodes(ofType: "identifier").last { $0.text == name && $0.parent?.type == "argument_list" })
            return facts.dataflow.reachingValues(of: name, before: use).map(\.text).sorted()
        }
        #expect(try reaching("blocks") == ["(g,)", "g.split(3)", "g.unbind(0)"])
        #expect(try reaching("parts") == ["[g]", "g.chunk(3)"], "without an else, the value from before the statement")
        #expect(try reaching("one") == ["1"], "a use inside the branch sees that branch only")
    }

    @Test("enumeration members run as their values: in a match subject, in a case pattern and through .value")
    func enumerationMembersInTheInterpreter() throws {
        let source = """
        import enum
        class Rounding(enum.IntEnum):
            OFF = 1
            WIDE = 128
        def round_rows(n, mode):
            match mode:
                case Rounding.OFF:
                    return n
                case Rounding.WIDE:
                    return -(-n // mode.value) * mode.value
        wide = round_rows(50257, Rounding.WIDE)
        off = round_rows(50257, Rounding.OFF)
        """
        let facts = try PythonFacts(file: SourceFile(path: "enums.py", language: .python, bytes: Array(source.utf8)))
        func call(_ name: String) throws -> Node {
            try #require(facts.nodes(ofType: "assignment").first { $0.child(byField: "left")?.text == name }?.child(byField: "right"))
        }
        #expect(facts.interpretedNumber(try call("wide")) == 50304)
        #expect(facts.interpretedNumber(try call("off")) == 50257)
    }

    @Test("values written as argparse strings and as tensors")
    func convertedValues() throws {
        let source = """
        import argparse
        import torch
        import torch.nn as nn
        p = argparse.ArgumentParser()
        p.add_argument("--adam-eps", type=float, default="1e-10")
        p.add_argument("--steps", type=int, default="5100")
        p.add_argument("--name", default="1e-10")
        args = p.parse_args()
        class Head(nn.Module):
            def __init__(self, cap=15.0):
                super().__init__()
                self.register_buffer("logit_cap", torch.tensor(cap), persistent=False)
            def forward(self, x):
                return self.logit_cap * torch.tanh(x / self.logit_cap)
        eps, steps, name = args.adam_eps, args.steps, args.name
        """
        let facts = try PythonFacts(file: SourceFile(path: "converted.py", language: .python, bytes: Array(source.utf8)))
        func value(_ text: String) -> Double? { facts.nodes.last { $0.text == text }.flatMap { facts.value(of: $0)?.double } }
        #expect(value("args.adam_eps") == 1e-10, "argparse converts a string default with its type")
        #expect(value("args.steps") == 5100)
        #expect(value("args.name") == nil, "without a type the option stays a string")
        #expect(value("self.logit_cap") == 15, "a buffer registered from a number holds that number")
    }

    @Test("a dictionary entry is read from its own dictionary, also one a comprehension computes")
    func dictionaryEntries() throws {
        let source = """
        base = dict(embed=0.3, head=0.002)
        gain = {"embed": 2, "head": 4}
        rates = {k: base[k] * gain[k] for k in base}
        doubled = {k: 2 * v for k, v in base.items()}
        cfg = load()
        picked = (rates["head"], base["head"], gain["embed"], cfg["embed"], doubled["head"], rates["missing"])
        """
        let facts = try PythonFacts(file: SourceFile(path: "dicts.py", language: .python, bytes: Array(source.utf8)))
        let tuple = facts.nodes(ofType: "tuple").last!.namedChildren
        let values = tuple.map { facts.values(of: $0).map(\.double) }
        // Two dictionaries share the key "head": each subscript reads its own.
        #expect(values[0] == [0.008])
        #expect(values[1] == [0.002])
        #expect(values[2] == [2])
        // A name that is no dictionary of the file falls back to every setting of the key.
        #expect(Set(values[3]) == [0.3, 2])
        // A comprehension over `items()` binds the entry's value; a missing key has no value.
        #expect(values[4] == [0.004])
        #expect(values[5].isEmpty)
    }

    @Test("`value or fallback`: the fallback when the value is unset, None or zero, else the value")
    func fallbacks() throws {
        let source = """
        import argparse, os
        p = argparse.ArgumentParser()
        p.add_argument("--head-lr", type=float, default=None)
        args = p.parse_args()
        HEAD = args.head_lr or 0.008
        EMB = float(os.environ.get("EMB_LR") or "0.6")
        SET = float(os.environ.get("SET_LR", "0.3") or "0.6")
        KEEP = 0.5
        picked = (HEAD, EMB, SET, KEEP or 2.0, 0 or 7, None or 3)
        """
        let facts = try PythonFacts(file: SourceFile(path: "fallbacks.py", language: .python, bytes: Array(source.utf8)))
        let tuple = facts.nodes(ofType: "tuple").last!.namedChildren
        let values = tuple.map { facts.values(of: $0).map(\.double) }
        #expect(values[0] == [0.008], "a flag defaulting to None falls back")
        #expect(values[1] == [0.6], "an environment read without a default is None when unset")
        #expect(values[2] == [0.3], "an environment read with a default gives the default, which is truthy")
        #expect(values[3] == [0.5])
        #expect(values[4] == [7])
        #expect(values[5] == [3])
    }
}
