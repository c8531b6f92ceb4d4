import Parsing
import TreeSitterKit

/// An optimizer written as a chain of gradient transformations, the way optax composes them, in code of the file:
/// `chain(scale_by_adam(b1, b2, eps), add_decayed_weights(wd), scale_by_schedule(lr_multiplier), scale(-lr))`. Each
/// link is built by a factory of the file (returning an `init`/`update` pair of closures, a small object, ...); the
/// combinator is a function of the file that takes the links as `*transforms` and runs each one's `update` in turn, or
/// `optax.chain`. What the chain computes is read from its links, by what their code does (an Adam step, an
/// orthogonalization), and its settings from the arguments the links are given (see `TransformChain.argument`).
public struct TransformChain {
    /// One transformation of the chain: its construction, the factory of the file that builds it, and the code of its
    /// update (the factory, the functions written inside it, and what they call).
    public struct Link {
        public let call: CallSite
        public let factory: PythonFacts.Function
        public let functions: [PythonFacts.Function]
    }

    /// The combinator's call.
    public let call: CallSite
    public let links: [Link]

    /// The expression that sets hyperparameter `name` (torch.optim's names) in the chain: `lr` is the factor of its
    /// last scaling link (`scale(-lr)` gives `lr`; `scale(0.05)` in a chain whose updates are subtracted gives `0.05`,
    /// see `scalingLink`) or the argument of a link's `lr` / `learning_rate` parameter; `eps`, `weight_decay` and
    /// `momentum` are the arguments of link parameters of those names or their usual spellings (`epsilon`, `wd`, `decay`
    /// of a momentum trace), the factory's default when the link does not pass one. Nil when no link takes it (a chain
    /// without a decay link decays nothing).
    public func argument(_ name: String, in facts: PythonFacts) -> Node? {
        if name == "lr", let link = scalingLink(in: facts) {
            let factor = facts.unwrapped(link.call.positional[0])
            if factor.type == "unary_operator", factor.child(byField: "operator")?.type == "-", let rate = factor.child(byField: "argument") {
                return rate
            }
            return factor
        }
        for link in links {
            let parameters = link.factory.passedParameters
            guard let index = parameters.firstIndex(where: { (Self.spellings[name] ?? [name]).contains($0) }) else { continue }
            // A momentum trace is its own link: the decay of an Adam link's moments is no momentum.
            if name == "momentum", facts.adamUpdates.contains(where: { update in link.functions.contains { $0.node == update.function.node } }) {
                continue
            }
            if let given = link.call.argument(parameters[index], position: index) { return given }
            if let fallback = facts.parameterDefault(in: link.factory.node, parameters[index]) { return fallback }
        }
        return nil
    }

    /// The link that scales the updates by the rate: the last link given one number whose factory takes one parameter
    /// that is no moment, momentum or decay coefficient (`scale(-lr)`, `scale(0.05)`).
    func scalingLink(in facts: PythonFacts) -> Link? {
        links.last { link in
            let parameters = link.factory.passedParameters
            guard parameters.count == 1, !Self.coefficients.contains(parameters[0]), link.call.positional.count == 1,
                  link.call.keywords.isEmpty else { return false }
            return !Self.numbers(link.call.positional[0], in: facts).isEmpty
        }
    }

    /// The parameter names under which links take a hyperparameter (torch.optim's name first).
    static let spellings: [String: [String]] = [
        "lr": ["lr", "learning_rate"], "eps": ["eps", "epsilon"], "weight_decay": ["weight_decay", "wd"],
        "momentum": ["momentum", "decay", "mu", "beta"],
    ]

    /// Parameter names of links that hold a coefficient of the update, not a rate or a schedule.
    static let coefficients: Set<String> = ["decay", "momentum", "mu", "beta", "b1", "b2", "beta1", "beta2", "eps", "epsilon",
                                            "weight_decay", "wd"]

    static func numbers(_ node: Node, in facts: PythonFacts) -> [Double] {
        if let v = facts.interpretedNumber(node) { return [v] }
        return facts.values(of: node).map(\.double)
    }

    /// The rates the chain applies: the values of its scaling link's factor (see `scalingLink`), negated when negative
    /// (a chain whose updates are added: `scale(-lr)`); else the values of a link's `lr` / `learning_rate` argument;
    /// else the peaks of the schedules its links scale by (`scheduleArguments`). Empty when unknown.
    public func learningRates(in facts: PythonFacts) -> [Double] {
        if let link = scalingLink(in: facts) {
            let factors = Self.numbers(link.call.positional[0], in: facts)
            if factors.allSatisfy({ $0 < 0 }) { return factors.map { -$0 } }
            if factors.allSatisfy({ $0 > 0 }) { return factors }
            return []
        }
        if let rate = argument("lr", in: facts) {
            let numbers = Self.numbers(rate, in: facts)
            if !numbers.isEmpty { return numbers }
        }
        // No rate given as a number: the links scaling by a schedule (`scale_by_learning_rate(lr_schedule)`,
        // `scale_by_rate(rates)`) apply the schedule's value as the rate, so the rate is the peak of each curve sampled
        // there (see `PythonFacts.scheduleCurves`).
        let sites = Set(scheduleArguments(in: facts).map(\.link.node))
        return facts.scheduleCurves.filter { sites.contains($0.site) }.map(\.peak)
    }

    /// The schedules the chain scales its updates by: the argument of each link whose factory takes one parameter, not
    /// a momentum or moment coefficient, that is given no number (not the scaling link), and that neither computes an
    /// Adam step nor orthogonalizes
    /// (`scale_by_schedule(lr_multiplier)`); with the link. What the argument stands for is left to the reader (a
    /// function of the file, a lambda, a parameter its callers give one).
    public func scheduleArguments(in facts: PythonFacts) -> [(argument: Node, link: CallSite)] {
        let adam = adamUpdate(in: facts)
        return links.compactMap { link in
            let parameters = link.factory.passedParameters
            guard parameters.count == 1, !Self.coefficients.contains(parameters[0]), !facts.orthogonalizes(link.functions),
                  !link.functions.contains(where: { $0.node == adam?.function.node }),
                  let argument = link.call.argument(parameters[0], position: 0), Self.numbers(argument, in: facts).isEmpty
            else { return nil }
            return (argument, link.call)
        }
    }

    /// The links from the first that orthogonalizes on (`scale_by_orthogonalization(...)` and a `scale_by_shape()` after
    /// it): the ones that make and scale the orthogonalized update. Empty when no link orthogonalizes.
    public func orthogonalizingLinks(in facts: PythonFacts) -> ArraySlice<Link> {
        guard let first = links.firstIndex(where: { facts.orthogonalizes($0.functions) }) else { return [] }
        return links[first...]
    }

    /// The code of the orthogonalized update: the functions of `orthogonalizingLinks`, each once.
    public func orthogonalizedUpdate(in facts: PythonFacts) -> [PythonFacts.Function] {
        var seen = Set<Node>()
        return orthogonalizingLinks(in: facts).flatMap(\.functions).filter { seen.insert($0.node).inserted }
    }

    /// The optimizer the chain is: Muon when a link orthogonalizes, Adam when one computes an Adam step (AdamW when a
    /// weight-decay link follows it: the decay is decoupled), nil otherwise (plain momentum).
    public func family(in facts: PythonFacts) -> OptimizerUse.Family? {
        if !orthogonalizingLinks(in: facts).isEmpty { return .muon }
        guard let adam = adamUpdate(in: facts) else { return nil }
        let adamLink = links.firstIndex { link in link.functions.contains { $0.node == adam.function.node } } ?? 0
        let decays = links[(adamLink + 1)...].contains { link in
            link.factory.passedParameters.contains { (Self.spellings["weight_decay"] ?? []).contains($0) }
        }
        return decays ? .adamw : .adam
    }

    /// The hand-written Adam step one of the links computes (`scale_by_adam`), if any.
    public func adamUpdate(in facts: PythonFacts) -> AdamUpdate? {
        facts.adamUpdates.first { update in links.contains { link in link.functions.contains { $0.node == update.function.node } } }
    }
}

extension PythonFacts {
    /// The optimizers of the file written as chains of transformations (see `TransformChain`): calls of a combinator
    /// (`optax.chain`, or a function of the file, see `isChainCombinator`) with at least two links, each a construction by a factory of the file (written in place or held by a name set
    /// once). A chain given as a link of another chain is read as part of it, not on its own.
    public var transformChains: [TransformChain] {
        memoized("transformChains") {
            // The combinators are found once among the functions (most files have none); a call is a chain only
            // when it calls one with at least two arguments.
            let combinators = Set(functions.filter { isChainCombinator($0) }.map(\.node))
            var chains: [TransformChain] = []
            for call in calls where call.positional.count >= 2
                && (call.callee == "optax.chain" || !combinators.isEmpty && calledFunction(call).map { combinators.contains($0.node) } == true) {
                let links = call.positional.compactMap { chainLink($0, at: call.node) }
                guard links.count >= 2, links.count == call.positional.count else { continue }
                chains.append(TransformChain(call: call, links: links))
            }
            // A chain nested as a link of another chain (`chain(clip(1.0), adam_chain(...))`) is that chain's part.
            return chains.filter { chain in !chains.contains { $0.call.node != chain.call.node && isInside(chain.call.node, $0.call.node) } }
        }
    }

    /// The chain whose combinator's call is `node`, if any: readers that take an optimizer's construction read a
    /// chain's settings from its links (see `TransformChain.argument`).
    public func transformChain(at node: Node) -> TransformChain? {
        transformChains.first { $0.call.node == node }
    }

    /// Whether a function of the file lies inside one of the factories a transformation chain's links are built by
    /// (the `update` closure of `scale_by_adam`).
    func isChainLinkCode(_ function: Function) -> Bool {
        chainLinkFactories.contains { isInside(function.node, $0) }
    }

    private var chainLinkFactories: [Node] {
        memoized("chainLinkFactories") {
            var seen = Set<Node>()
            return transformChains.flatMap(\.links).map(\.factory.node).filter { seen.insert($0).inserted }
        }
    }

    /// A function of the file that takes its transformations as `*transforms` and runs their `update` in turn (a loop
    /// or comprehension over the star parameter, and a call of `.update`).
    private func isChainCombinator(_ function: Function) -> Bool {
        guard let star = starParameter(of: function) else { return false }
        let body = descendants(of: function.node)
        let walksLinks = body.contains { n in
            ["for_statement", "for_in_clause"].contains(n.type)
                && n.child(byField: "right").map { iterable in
                    iterable.text == star.text || descendants(of: iterable).contains { $0.type == "identifier" && $0.text == star.text }
                } == true
        }
        let runsUpdates = body.contains { n in
            n.type == "call" && n.child(byField: "function").map { $0.type == "attribute" && $0.child(byField: "attribute")?.text == "update" } == true
        }
        return walksLinks && runsUpdates
    }

    /// The name of a function's `*name` parameter (also annotated, `*transforms: Transform`), nil when it has none.
    private func starParameter(of function: Function) -> Node? {
        guard let parameters = function.node.child(byField: "parameters") else { return nil }
        for parameter in parameters.namedChildren {
            let splat = parameter.type == "list_splat_pattern" ? parameter
                : parameter.type == "typed_parameter" ? parameter.namedChildren.first(where: { $0.type == "list_splat_pattern" }) : nil
            if let name = splat?.namedChildren.first, name.type == "identifier" { return name }
        }
        return nil
    }

    /// A link of a chain: a construction by a factory of the file, written in place or held by a name set before the
    /// chain (`tx = scale_by_adam(...)`).
    private func chainLink(_ argument: Node, at chain: Node) -> TransformChain.Link? {
        var node = unwrapped(argument)
        if node.type == "identifier", let held = heldValue(of: node.text, at: chain) { node = unwrapped(held) }
        guard node.type == "call", case let call = callSite(node), let factory = calledFunction(call), starParameter(of: factory) == nil
        else { return nil }
        var seen = Set<Node>()
        let inner = functions.filter { $0.node != factory.node && isInside($0.node, factory.node) }
        let code = ([factory] + inner).flatMap { [$0] + reachableFunctions(from: $0) }.filter { seen.insert($0.node).inserted }
        return TransformChain.Link(call: call, factory: factory, functions: code)
    }
}
