import Catalogue
import SourceModel
import Testing
import TreeSitterKit

/// How calls and products are read before any detector looks at them: names standing for functions
/// (`CallableAlias`) and einsums read as matrix products.
@Suite("Call resolution")
struct CallResolutionTests {
    static func facts(_ source: String) throws -> PythonFacts {
        try PythonFacts(file: SourceFile(path: "t.py", language: .python, bytes: Array(source.utf8)))
    }

    static func call(_ facts: PythonFacts, at line: Int) throws -> CallSite {
        try #require(facts.calls.first { call in
            facts.tree.bytes[..<call.node.startByte].filter { $0 == UInt8(ascii: "\n") }.count == line
                && call.node.parent?.type != "call"
        })
    }

    @Test("the loss a backward call differentiates: the receiver, or what a trainer object's backward is handed")
    func differentiatedLoss() throws {
        let facts = try Self.facts("""
        loss.backward()
        accelerator.backward(loss / k)
        loss.backward(torch.ones_like(loss))
        torch.autograd.backward(total)
        """)
        let losses = facts.calls.filter { $0.name == "backward" }.compactMap { $0.differentiatedLoss?.text }
        #expect(losses == ["loss", "loss / k", "loss", "total"])
    }

    @Test("a helper multiplying one parameter by another projects what it is handed by the weight it is handed")
    func projectionHelpers() throws {
        let facts = try Self.facts("""
        import torch
        def linear(x, w):
            return torch.einsum("b t i, o i -> b t o", x, w)
        def by_transpose(w, x):
            return x @ w.T
        def scores(q, k, scale):
            return (q @ k.transpose(-2, -1)) * scale
        a = linear(h, self.c_fc.weight)
        b = by_transpose(self.c_proj.weight, y)
        c = scores(q, k, 0.12)
        """)
        let pairs = facts.calls.filter { ["linear", "by_transpose", "scores"].contains($0.callee) }.map { call in
            facts.projectionHelperArguments(call).map { "\($0.input.text) * \($0.weight.text)" } ?? "none"
        }
        #expect(pairs == ["h * self.c_fc.weight", "y * self.c_proj.weight", "none"])
    }

    @Test("a helper that looks a name up in a registry and falls back to torch.optim picks, per name the call may pass, what it finds")
    func registryWithFallback() throws {
        let facts = try Self.facts("""
        import torch
        import yaml
        cfg = yaml.safe_load(\"\"\"
        optimizers:
          - type: AdamW
          - type: Ortho
        \"\"\")
        class Ortho(torch.optim.Optimizer):
            pass
        class Unused(torch.optim.Optimizer):
            pass
        REGISTRY = {"Ortho": Ortho, "Unused": Unused}
        def resolve(name):
            if name in REGISTRY:
                return REGISTRY[name]
            return getattr(torch.optim, name)
        for entry in cfg["optimizers"]:
            cls = resolve(entry["type"])
            cls([])
        """)
        let call = try #require(facts.calls.first { $0.node.text == "cls([])" })
        // Unquoted YAML words are names too; the registry branch picks only the entry a name selects (not `Unused`). The
        // fallback is read for every name, so it names `torch.optim.Ortho` too: a class the optimizer readers know
        // nothing of, which they drop.
        #expect(Set(facts.calleesChosenByName(call).map(\.callee)) == ["Ortho", "torch.optim.AdamW", "torch.optim.Ortho"])
    }

    @Test("entries of a table of callables selected by a resolved key: read in place, or kept in a field first")
    func registryEntriesByDecidedKey() throws {
        let facts = try Self.facts("""
        import torch.nn as nn
        import torch.nn.functional as F
        NORMS = {"rms": lambda h: F.rms_norm(h, (h.size(-1),)), "none": lambda h: h}
        SPEC = {"embed": {"norm": "rms"}, "final": {"norm": "none"}}
        class Net(nn.Module):
            def __init__(self, spec, which):
                super().__init__()
                self.first = NORMS[spec["embed"]["norm"]]
                self.last = NORMS[spec["final"]["norm"]]
                self.other = NORMS[which]
            def forward(self, x):
                return self.last(self.other(self.first(x)))
        net = Net(SPEC, pick())
        y = NORMS[SPEC["final"]["norm"]](x)
        """)
        let selected = ["self.first", "self.last", "self.other", "NORMS[SPEC[\"final\"][\"norm\"]]"].map { callee in
            facts.calls.first { $0.function?.text == callee }.flatMap { facts.keyedCallees($0, keys: [:]) }?.map(\.text) ?? ["none found"]
        }
        #expect(selected == [["lambda h: F.rms_norm(h, (h.size(-1),))"], ["lambda h: h"], ["none found"], ["lambda h: h"]])
    }

    @Test("einops reductions: the reduction and whether the last axis alone is reduced")
    func einopsReductions() throws {
        let facts = try Self.facts("""
        from einops import reduce
        a = reduce(x ** 2, "b h t c -> b h t 1", "mean")
        b = reduce(x ** 2, "... c -> ... ()", reduction="sum")
        c = reduce(x, "b h t c -> b 1 t c", "mean")
        d = reduce(x, "b t (h c) -> b t h", "max")
        PER_HEAD = "b h t c -> b h t 1"
        e = reduce(x ** 2, PER_HEAD, "mean")
        """)
        let read = facts.calls.filter { $0.callee == "einops.reduce" }.map { call in
            facts.einopsReduction(call.node).map { "\($0.reduction) \($0.lastAxisOnly)" } ?? "none"
        }
        #expect(read == ["mean true", "sum true", "mean false", "max false", "mean true"])
    }

    @Test func aliasesResolveToTheFunctionWithBoundArgumentsFirst() throws {
        let facts = try Self.facts("""
        import functools
        import torch
        import torch.nn as nn
        mm8 = torch._scaled_mm
        make_adam = functools.partial(torch.optim.Adam, eps=1e-10, lr=0.1)
        cap = functools.partial(soft_cap, 15.0)
        def soft_cap(x, c): return c * torch.tanh(x / c)
        class Head(nn.Module):
            def __init__(self):
                self.squash = nn.Tanh()
        y = mm8(a, b)
        opt = make_adam(params, lr=0.2)
        z = cap(logits)
        w = self.squash(x)
        """)
        let scaled = try Self.call(facts, at: 10)
        #expect(scaled.callee == "torch._scaled_mm")
        #expect(scaled.positional.map(\.text) == ["a", "b"])
        let adam = try Self.call(facts, at: 11)
        #expect(adam.callee == "torch.optim.Adam")
        #expect(adam.keywords["eps"]?.text == "1e-10", "bound by the partial")
        #expect(adam.keywords["lr"]?.text == "0.2", "a keyword given at the call wins over the bound one")
        #expect(adam.positional.map(\.text) == ["params"])
        let capped = try Self.call(facts, at: 12)
        #expect(capped.callee == "soft_cap")
        #expect(capped.positional.map(\.text) == ["15.0", "logits"], "bound positional arguments come first")
        let squash = try Self.call(facts, at: 13)
        #expect(squash.callee == "torch.tanh")
        #expect(squash.receiver == nil)
    }

    @Test func aMappedPartialCallsItsFunctionWithTheBoundArgumentsFirst() throws {
        let facts = try Self.facts("""
        import itertools
        from functools import partial
        def turn(x, scale, cos, sin): return x * cos + x.flip(-1) * sin * scale
        q, k = map(partial(turn, 2.0, cos=c, sin=s), (q, k))
        ys = map(partial(*fs), xs)
        updates = itertools.starmap(put, zip(groups, itertools.repeat(rate)))
        """)
        let mapped = try Self.call(facts, at: 3)
        #expect(mapped.isMapped)
        #expect(mapped.callee == "turn")
        #expect(mapped.positional.map(\.text) == ["2.0", "(q, k)"], "the partial's positional argument, then the items")
        #expect(mapped.keywords.mapValues(\.text) == ["cos": "c", "sin": "s"])
        let splatted = try Self.call(facts, at: 4)
        #expect(!splatted.isMapped, "a partial of unknown arguments is not read")
        #expect(splatted.callee == "map")
        let starred = try Self.call(facts, at: 5)
        #expect(starred.isMapped, "starmap over a zip calls its function with one item of each zipped sequence")
        #expect(starred.callee == "put")
        #expect(starred.positional.map(\.text) == ["groups", "itertools.repeat(rate)"])
    }

    @Test func builtinSumsOfPairedProductsAreWeightedSums() throws {
        let facts = try Self.facts("""
        import operator
        a = sum(map(operator.mul, w, (x, x0)))
        b = sum(map(operator.mul, (x, x0), w))
        c = sum(wi * t for wi, t in zip(w, (x, x0)))
        d = sum(map(operator.add, w, (x, x0)))
        e = sum(wi * t for wi, t in zip(w, xs))
        """)
        func weighted(_ name: String) throws -> (weight: String, items: [String])? {
            let assignment = try #require(facts.nodes(ofType: "assignment").first { $0.child(byField: "left")?.text == name })
            return facts.stackedWeightedSum(assignment.child(byField: "right")!).map { ($0.weight.text, $0.items.map(\.text)) }
        }
        for name in ["a", "b", "c"] {
            let read = try weighted(name)
            #expect(read?.weight == "w", "\(name)")
            #expect(read?.items == ["x", "x0"], "\(name)")
        }
        #expect(try weighted("d") == nil, "a sum of sums is no weighted sum")
        #expect(try weighted("e") == nil, "the tensors must be written out")
    }

    @Test func namesBoundTwiceOrShadowedAreNotAliases() throws {
        let facts = try Self.facts("""
        import torch
        act = torch.tanh
        act = torch.sigmoid
        f = torch.relu
        def g(f): return f(1)
        sig = torch.sigmoid
        def sig(x): return x
        h = self.act2
        a = act(x)
        b = sig(x)
        c = h(x)
        """)
        #expect(try Self.call(facts, at: 8).callee == "act", "assigned twice: the call could reach either")
        #expect(try Self.call(facts, at: 9).callee == "sig", "also the name of a function of the file")
        #expect(try Self.call(facts, at: 10).callee == "h", "a value of the program, not a library function")
        #expect(facts.callableAliases["f"] == nil, "a parameter of that name hides it")
    }

    @Test func einsumsThatMultiplyMatrices() throws {
        let facts = try Self.facts("""
        import torch
        from einops import einsum
        s = torch.einsum("bhqd,bhkd->bhqk", q, k)
        t = torch.einsum("btd,vd->btv", h, w)
        u = torch.einsum("ij,jk->ik", a, b)
        v = torch.einsum("ki,kj->ij", x, x)
        p = torch.einsum("...ik,...jk->...ij", x, x)
        e = einsum(q, k, "b h q d, b h k d -> b h q k")
        o = torch.einsum("i,j->ij", a, b)
        r = torch.einsum("ij,ij->", a, b)
        l = torch.einsum("bhqk,bhkd->bhqd", [att, val])
        """)
        func product(_ line: Int) throws -> EinsumProduct? { facts.einsumProduct(try Self.call(facts, at: line).node) }
        let scores = try #require(try product(2))
        #expect(scores.left.text == "q" && scores.right.text == "k" && scores.rightTransposed && !scores.leftTransposed)
        #expect(try product(3)?.rightTransposed == true, "h @ w^T")
        let plain = try #require(try product(4))
        #expect(!plain.leftTransposed && !plain.rightTransposed)
        #expect(try product(5)?.leftTransposed == true, "x^T @ x")
        #expect(try product(6)?.rightTransposed == true, "an ellipsis stands for batch dimensions")
        #expect(try product(7)?.rightTransposed == true, "einops spelling")
        #expect(try product(8) == nil, "an outer product sums over nothing")
        #expect(try product(9) == nil, "a full contraction is not a matrix product")
        let listed = try #require(try product(10))
        #expect(listed.left.text == "att" && !listed.rightTransposed)
        // The Gram product of Newton-Schulz read through einsum.
        let gram = try Self.call(facts, at: 6).node
        let (left, right) = try #require(facts.matmulOperands(gram))
        #expect(facts.transposedFactor(gram, right)?.text == "x")
        #expect(facts.transposedFactor(gram, left) == nil)
    }

    @Test func hooksCalledByNameRunTheMethodsOfTheObjectsHandedOver() throws {
        let facts = try Self.facts("""
        class Callback:
            def on_step(self, trainer, step): pass
            def on_end(self, trainer): pass
        class Ramp(Callback):
            def on_step(self, trainer, step): trainer.value = step
        class Unused(Callback):
            def on_step(self, trainer, step): trainer.value = -step
        class Trainer:
            def __init__(self, callbacks):
                self.callbacks = callbacks
            def _run(self, hook, *args):
                for cb in self.callbacks:
                    getattr(cb, hook)(self, *args)
            def _fixed(self):
                for cb in self.callbacks:
                    getattr(cb, "on_end")(self)
            def fit(self, steps):
                for step in range(steps):
                    self._run("on_step", step)
        def _orphan(thing, hook):
            getattr(thing, hook)()
        Trainer([Ramp()]).fit(10)
        """)
        func owners(_ line: Int) throws -> [String] {
            try facts.targets(of: Self.call(facts, at: line)).map { facts.enclosingClass($0.node)?.name ?? "?" }.sorted()
        }
        #expect(try owners(12) == ["Ramp"], "the hook names its callers pass, on the classes handed to the trainer")
        #expect(try owners(15) == ["Callback"], "a literal name: the method Ramp inherits")
        #expect(try owners(20).isEmpty, "neither the names nor the objects are known")
    }
}

/// Questions about callers and instances that come back to themselves end instead of recursing without end (a
/// blind script's `forward` handed itself to a helper that called it again; the tool overflowed its stack).
@Suite("Call resolution cycles")
struct CallResolutionCycleTests {
    @Test func aModuleHandedToAHelperThatCallsItEndsItsCallerSearch() throws {
        let facts = try CallResolutionTests.facts("""
        import torch.nn as nn
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.proj = nn.Linear(8, 8)
            def forward(self, x, depth):
                return apply(self, x, depth)
        def apply(module, x, depth):
            if depth == 0:
                return module.proj(x)
            return module(x, depth - 1)
        net = Net()
        y = net(1, 2)
        """)
        let forward = try #require(facts.functions.first { $0.name == "forward" })
        // The top-level call `net(1, 2)` is found; the recursive one through `module` may be, but nothing loops.
        let callers = facts.dataflow.callSites(of: forward.node).map { $0.call.node.text }
        #expect(callers.contains("net(1, 2)"))
        let net = try #require(facts.identifiersByName["net"]?.last)
        #expect(facts.dataflow.instanceClasses(of: net) == ["Net"])
        let module = try #require(facts.identifiersByName["module"]?.last)
        _ = facts.dataflow.instanceClasses(of: module)
        _ = Classifier.classify([facts])
    }
}

/// What type annotations and record constructions tell about objects the data flow cannot follow (`DeclaredTypes.swift`,
/// `RecordFields.swift`).
@Suite("Declared types and record fields")
struct DeclaredTypeTests {
    @Test func annotationsResolveMethodsTheDataFlowCannotReach() throws {
        let facts = try CallResolutionTests.facts("""
        from dataclasses import dataclass
        from typing import Optional
        class Rotor:
            def turn(self, t): return t
        class Gain:
            def turn(self, t): return t * 2
        @dataclass
        class Ctx:
            rope: Optional["Rotor"]
            extra: object
        class Attn:
            def forward(self, x, ctx: Ctx, g):
                a = ctx.rope.turn(x)
                b = g.turn(x)
                held = Gain()
                c = held.turn(x)
                return a + b + c
        """)
        let throughField = try CallResolutionTests.call(facts, at: 12)
        #expect(facts.targets(of: throughField).map { $0.qualifiedName } == ["Rotor.turn"], "the field's annotation names the class")
        let untyped = try CallResolutionTests.call(facts, at: 13)
        #expect(facts.targets(of: untyped).isEmpty, "an unannotated parameter nobody passes stays unknown")
        let flowed = try CallResolutionTests.call(facts, at: 15)
        #expect(facts.targets(of: flowed).map { $0.qualifiedName } == ["Gain.turn"])
    }

    @Test func recordFieldsCarryWhatTheirConstructionsPass() throws {
        let facts = try CallResolutionTests.facts("""
        from typing import NamedTuple
        class Args(NamedTuple):
            ve: object
            window: int = 128
        def layer(x, args: Args):
            return x + args.ve, args.window
        def run(x, table, ids):
            return layer(x, Args(table(ids))), layer(x, Args(ve=None, window=256))
        """)
        let reads = facts.nodes.filter { $0.type == "attribute" && $0.text.hasPrefix("args.") }
        let ve = try #require(reads.first { $0.text == "args.ve" })
        #expect(Set(facts.constructedFieldValues(ve).map { $0.text }) == ["table(ids)", "None"], "by position and by keyword")
        let window = try #require(reads.first { $0.text == "args.window" })
        #expect(Set(facts.constructedFieldValues(window).map { $0.text }) == ["128", "256"], "the default where a construction gives none")
    }

}

/// Which method `self.name(...)` runs and which class attribute `self.name` reads when classes are composed from
/// mixins: Python's method resolution order, and the classes the file builds.
@Suite("Method resolution")
struct MethodResolutionTests {
    @Test func methodResolutionOrderIsPythonsLinearization() throws {
        let facts = try CallResolutionTests.facts("""
        class A: pass
        class B(A): pass
        class C(B): pass
        class D(A): pass
        class E(C, D): pass
        """)
        let e = try #require(facts.classes.last)
        // C3 puts B before D (B precedes A in C's order, and D must precede A); a breadth-first walk would not.
        #expect(facts.lineage(of: e).map { $0.name } == ["E", "C", "B", "D", "A"])
    }

    @Test func selfCallsRunTheHookOfTheClassTheFileBuilds() throws {
        let source = """
        class BaseTrainer:
            ramp = 500
            def momentum(self, step):
                return min(step / self.ramp, 1)
            def apply(self, step):
                return self.momentum(step)
        class QuickRamp:
            ramp = 300
            def momentum(self, step):
                return min(step / 300, 1)
        class Trainer(QuickRamp, BaseTrainer):
            pass
        t = Trainer()
        """
        let facts = try CallResolutionTests.facts(source)
        let base = try #require(facts.classes.first { $0.name == "BaseTrainer" })
        let hook = try CallResolutionTests.call(facts, at: 5)
        #expect(facts.dispatchClasses(of: base).map { $0.name } == ["Trainer"], "mixins and bases named only as bases are never built")
        #expect(facts.calledFunction(hook)?.qualifiedName == "QuickRamp.momentum")
        let ramp = try #require(facts.nodes(ofType: "attribute").first { $0.text == "self.ramp" })
        #expect(facts.values(of: ramp).map { $0.double } == [300], "the mixin's class attribute comes first in the built class's order")
        // When the base class is built too, `self` may be either: the call keeps the base's own method.
        let both = try CallResolutionTests.facts(source + "b = BaseTrainer()\n")
        #expect(both.calledFunction(try CallResolutionTests.call(both, at: 5))?.qualifiedName == "BaseTrainer.momentum")
        // A type test builds nothing.
        let tested = try CallResolutionTests.facts(source + "ok = isinstance(t, (QuickRamp, BaseTrainer))\n")
        #expect(tested.calledFunction(try CallResolutionTests.call(tested, at: 5))?.qualifiedName == "QuickRamp.momentum")
        // Nor does an annotation, of a return or of a parameter.
        let annotated = try CallResolutionTests.facts(source + "def make(x: Optional[BaseTrainer]) -> BaseTrainer:\n    return Trainer()\n")
        #expect(annotated.calledFunction(try CallResolutionTests.call(annotated, at: 5))?.qualifiedName == "QuickRamp.momentum")
    }

    @Test func objectsFollowMethodsReturnsAndDictionaryEntries() throws {
        let facts = try CallResolutionTests.facts("""
        class Muon: pass
        class Adam: pass
        class Plan:
            def build(self):
                return dict(matrix=Muon(), scalar=Adam())
        class Trainer:
            def __init__(self, optimizers):
                self.muon = optimizers["matrix"]
            def start(self):
                return self
        trainer = Trainer(Plan().build()).start()
        opt = trainer.muon
        """)
        let read = try #require(facts.nodes(ofType: "attribute").last { $0.text == "trainer.muon" })
        #expect(facts.constructions(of: read).map { $0.text } == ["Muon()"], "the entry of the dictionary the plan's method returns")
        let trainer = try #require(facts.nodes(ofType: "identifier").last { $0.text == "trainer" })
        #expect(facts.constructions(of: trainer).map { $0.text } == ["Trainer(Plan().build())"], "a method returning self keeps the object")
    }

    @Test func normsWrittenOutAsRootsOfSumsOfSquares() throws {
        let facts = try CallResolutionTests.facts("""
        import torch
        a = torch.einsum("i,i->", g, g).sqrt()
        b = g.pow(2).sum().sqrt()
        c = torch.sqrt((g * g).sum())
        d = torch.dot(g, g) ** 0.5
        ss = g.square().sum()
        e = ss.sqrt()
        f = torch.einsum("i,j->", g, g).sqrt()
        h = (g * w).sum().sqrt()
        k = g.sum().sqrt()
        """)
        let values = facts.nodes(ofType: "assignment").map { ($0.child(byField: "left")!.text, $0.child(byField: "right")!) }
        let read = Dictionary(values, uniquingKeysWith: { first, _ in first }).mapValues { facts.writtenOutNormInput($0)?.text }
        for name in ["a", "b", "c", "d", "e"] { #expect(read[name] == "g", "\(name)") }
        for name in ["f", "h", "k"] { #expect(read[name] == .some(nil), "\(name) is no norm of one tensor") }
    }
}
