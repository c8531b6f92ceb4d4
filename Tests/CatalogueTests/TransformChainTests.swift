import Catalogue
import SourceModel
import Testing
import TreeSitterKit

/// Optimizers written as chains of gradient transformations (`TransformChains.swift`): which calls are chains, what
/// their links are, and the settings read from the links.
@Suite("Transform chains")
struct TransformChainTests {
    static let source = """
    import itertools
    import torch

    def compose(*links):
        def update(grads, state, params):
            for link in links:
                grads = link.update(grads)
            return grads
        return update

    def scale(factor):
        def update(grads):
            return [g * factor for g in grads]
        return update

    def scale_by_schedule(fn):
        def update(grads, count):
            return [g * fn(count) for g in grads]
        return update

    def add_decayed_weights(weight_decay):
        def update(grads, params):
            return [g + weight_decay * p for g, p in zip(grads, params)]
        return update

    def scale_by_adam(b1=0.9, b2=0.95, eps=1e-8):
        def update(grads, state):
            m, v = state
            torch._foreach_lerp_(m, grads, 1 - b1)
            torch._foreach_mul_(v, b2)
            torch._foreach_addcmul_(v, grads, grads, value=1 - b2)
            denom = torch._foreach_sqrt(v)
            torch._foreach_add_(denom, eps)
            return torch._foreach_div(m, denom)
        return update

    def trace(decay):
        def update(grads, bufs):
            return [b.mul_(decay).add_(g) for g, b in zip(grads, bufs)]
        return update

    def peak_then_decay(step):
        return 1.0 if step < 2000 else (3000 - step) / 1000

    def build(lr):
        return compose(scale_by_adam(eps=1e-10), add_decayed_weights(0.0), scale_by_schedule(peak_then_decay), scale(-lr))

    adam_tx = build(0.008)
    sgd_tx = compose(trace(0.9), scale(0.1))
    not_a_chain = list(itertools.chain([1], [2]))
    """

    static func facts() throws -> PythonFacts {
        try PythonFacts(file: SourceFile(path: "chains.py", language: .python, bytes: Array(source.utf8)))
    }

    @Test("a combinator of the file taking *links and running their updates makes chains; itertools.chain does not")
    func chainsAndLinks() throws {
        let facts = try Self.facts()
        let chains = facts.transformChains
        #expect(chains.count == 2)
        let names = chains.map { $0.links.map(\.factory.name) }
        #expect(names.contains(["scale_by_adam", "add_decayed_weights", "scale_by_schedule", "scale"]))
        #expect(names.contains(["trace", "scale"]))
        #expect(chains.allSatisfy { $0.call.callee == "compose" })
    }

    @Test("settings are the arguments the links are given, or their factories' defaults")
    func settings() throws {
        let facts = try Self.facts()
        let adam = try #require(facts.transformChains.first { $0.links.count == 4 })
        #expect(adam.argument("lr", in: facts)?.text == "lr", "the negated factor of the scaling link")
        #expect(adam.learningRates(in: facts) == [0.008], "negated back, through the builder's caller")
        #expect(adam.argument("eps", in: facts)?.text == "1e-10")
        #expect(adam.argument("weight_decay", in: facts)?.text == "0.0")
        #expect(adam.argument("momentum", in: facts) == nil, "an Adam link's moment decay is no momentum")
        #expect(adam.adamUpdate(in: facts) != nil)
        #expect(adam.scheduleArguments(in: facts).map(\.argument.text) == ["peak_then_decay"])
        let sgd = try #require(facts.transformChains.first { $0.links.count == 2 })
        #expect(sgd.learningRates(in: facts) == [0.1], "a positive factor is the rate of updates the caller subtracts")
        #expect(sgd.argument("momentum", in: facts)?.text == "0.9")
        #expect(sgd.adamUpdate(in: facts) == nil)
        #expect(sgd.orthogonalizedUpdate(in: facts).isEmpty)
    }

    @Test("chains become optimizers: the Adam one by its Adam link, with its rate and epsilon")
    func optimizers() throws {
        let facts = try Self.facts()
        let uses = facts.optimizers.filter { $0.chain != nil }
        #expect(uses.count == 1, "a plain momentum chain is neither Adam nor Muon")
        let adam = try #require(uses.first)
        #expect(adam.family == .adamw, "a decay link after the Adam link decouples the decay")
        #expect(adam.values("lr", in: facts).map(\.double) == [0.008])
        #expect(adam.values("eps", position: 3, in: facts).map(\.double) == [1e-10])
        #expect(facts.scheduleUses.contains { $0.function?.name == "peak_then_decay" })
        let slots = facts.optimizerSlots.filter { $0.optimizer.chain != nil }
        #expect(slots.map(\.learningRates) == [[0.008]], "a slot reads the chain's rate, not its second link")
        #expect(slots.allSatisfy { $0.params == nil }, "a chain's positional arguments are links, not parameters")
    }
}
