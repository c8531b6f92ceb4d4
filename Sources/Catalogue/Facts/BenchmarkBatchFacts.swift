import Foundation
import Parsing
import TreeSitterKit

/// The training batch as the benchmark runs it (`torchrun --nproc_per_node=8`): numbers computed with the world
/// size read from `WORLD_SIZE` or `dist.get_world_size()` taken as 8 (also where a run without the launcher falls
/// back to 1, `dist.get_world_size() if ddp else 1`), the gradient-accumulation count of the
/// training loop, and how far the data loaders advance per batch.
extension PythonFacts {
    /// The number of processes the benchmark runs.
    public static let benchmarkWorldSize = 8.0

    /// Whether an expression reads the world size: `dist.get_world_size()`, `os.environ["WORLD_SIZE"]`,
    /// `os.environ.get("WORLD_SIZE", ...)`, `os.getenv("WORLD_SIZE")`, possibly inside `int(...)`; also a call,
    /// without arguments, of a helper of the file that returns one of these (`mpu.get_data_parallel_world_size()`
    /// with `return int(os.environ.get("WORLD_SIZE", 1))`), its other returns at most the single-process fallback 1.
    public func readsWorldSize(_ node: Node) -> Bool {
        // Kept per expression: the interpreter asks it of every name and call it evaluates, at every sampled step.
        if let known = worldSizeReads[node] { return known }
        let reads = readsWorldSize(node, depth: 0)
        worldSizeReads[node] = reads
        return reads
    }

    private func readsWorldSize(_ node: Node, depth: Int) -> Bool {
        let n = unparenthesized(node)
        if n.type == "call" {
            let call = callSite(n)
            if call.name == "get_world_size" { return true }
            if ["int", "float"].contains(call.callee), let inner = call.positional.first { return readsWorldSize(inner, depth: depth) }
            // Memoized by place in this file's tree (a node of an embedded configuration's tree is not followed).
            if depth < 3, n.tree === tree, call.positional.isEmpty, call.keywords.isEmpty, memoized("readsWorldSize/\(n.startByte)/\(n.endByte)", { () -> Bool in
                guard let helper = calledFunction(call) else { return false }
                let returned = returnedValues(helper)
                let reads = returned.filter { readsWorldSize($0, depth: depth + 1) }
                return !reads.isEmpty && returned.allSatisfy { r in reads.contains(r) || value(of: unparenthesized(r))?.double == 1 }
            }) {
                return true
            }
        }
        return environmentVariable(readBy: n) == "WORLD_SIZE"
    }

    /// The environment variable an expression reads: `os.environ["RANK"]`, `os.environ.get("RANK", "0")`,
    /// `os.getenv("RANK")`, inside `int(...)` / `float(...)`; for a name, the variable it was unpacked from in one
    /// statement: `rank, world = (int(os.environ[k]) for k in ("RANK", "WORLD_SIZE"))` (a generator or list
    /// comprehension over a literal list of names), `rank, world = map(int, (os.environ["RANK"], ...))`,
    /// `rank, world = map(lambda k: int(os.getenv(k)), ("RANK", "WORLD_SIZE"))`.
    public func environmentVariable(readBy node: Node) -> String? {
        let n = unparenthesized(node)
        if n.type == "identifier" { return unpackedEnvironmentVariable(n) }
        return environmentVariableKey(n).flatMap(SettingsTable.stringValue)
    }

    /// The environment variable a name was unpacked from (see `environmentVariable(readBy:)`): the name's
    /// bindings as element `index` of a generator, comprehension or `map(...)` over a literal list of keys.
    private func unpackedEnvironmentVariable(_ name: Node) -> String? {
        for binding in dataflow.bindings(ofReference: name) {
            guard case .element(let index) = binding.kind else { continue }
            let right = unparenthesized(binding.node)
            // The keys (or reads) the right side goes through, one per unpacked name.
            func item(_ node: Node) -> Node? {
                let list = unparenthesized(node)
                guard ["tuple", "list"].contains(list.type) else { return nil }
                let items = list.namedChildren.filter { $0.type != "comment" }
                return index < items.count ? items[index] : nil
            }
            // The variable `template` reads when its loop variable (or parameter) `variable` holds `key`.
            func read(_ template: Node, _ variable: String, _ key: Node) -> String? {
                guard let keyName = SettingsTable.stringValue(key), let read = environmentVariableKey(template),
                      read.type == "identifier", read.text == variable else { return nil }
                return keyName
            }
            if ["generator_expression", "list_comprehension"].contains(right.type),
               let body = right.child(byField: "body"),
               let clause = right.namedChildren.first(where: { $0.type == "for_in_clause" }),
               let variable = clause.child(byField: "left"), variable.type == "identifier",
               let key = clause.child(byField: "right").flatMap(item) {
                return read(body, variable.text, key)
            }
            if right.type == "call", callSite(right).callee == "map", callSite(right).positional.count == 2,
               let element = item(callSite(right).positional[1]) {
                let function = unparenthesized(callSite(right).positional[0])
                if function.type == "lambda", let parameter = lambdaParameters(function).first,
                   let body = function.child(byField: "body") {
                    return read(body, parameter, element)
                }
                if ["int", "float", "str"].contains(function.text) { return environmentVariable(readBy: element) }
            }
        }
        return nil
    }

    /// The key expression of an environment read, whatever it is (`os.environ[k]` gives `k`), through `int` / `float`:
    /// `os.environ[k]`, `os.environ.get(k, ...)`, `os.getenv(k)`, also through a name holding the environment
    /// (`env = os.environ; env["WORLD_SIZE"]`, see `isEnvironmentMapping`).
    private func environmentVariableKey(_ node: Node) -> Node? {
        let n = unparenthesized(node)
        switch n.type {
        case "call":
            let call = callSite(n)
            if ["int", "float"].contains(call.callee), let inner = call.positional.first { return environmentVariableKey(inner) }
            return isEnvironmentLookup(call, ["os.environ.get", "os.getenv"]) ? call.positional.first.map(unparenthesized) : nil
        case "subscript":
            guard let value = n.child(byField: "value"), isEnvironmentMapping(value) else { return nil }
            return n.child(byField: "subscript").map(unparenthesized)
        default:
            return nil
        }
    }

    /// The values an expression takes on the benchmark: arithmetic over literals, names followed to where they
    /// are set (locals, settings, a parameter's arguments at the call sites of its function), with the world size
    /// taken as 8. At most a few values; empty when unknown.
    public func benchmarkValues(of node: Node, depth: Int = 0) -> [Double] {
        guard depth < 10 else { return [] }
        // Memoized by place in this file's tree; a node of another tree (an embedded configuration's value) is not.
        guard node.tree === tree else { return computeBenchmarkValues(of: node, depth: depth) }
        let key = node.documentPosition &* 16 &+ depth
        if let known = benchmarkValueMemo[key] { return known }
        let values = computeBenchmarkValues(of: node, depth: depth)
        benchmarkValueMemo[key] = values
        return values
    }

    private func computeBenchmarkValues(of node: Node, depth: Int) -> [Double] {
        let next = depth + 1
        let n = unparenthesized(node)
        if readsWorldSize(n) { return [Self.benchmarkWorldSize] }
        var result: [Double] = []
        switch n.type {
        case "integer", "float", "true", "false":
            if let v = value(of: n)?.double { result = [v] }
        case "unary_operator":
            if let a = n.child(byField: "argument") {
                let sign: Double = n.child(byField: "operator")?.type == "-" ? -1 : 1
                result = benchmarkValues(of: a, depth: next).map { sign * $0 }
            }
        case "binary_operator":
            guard let l = n.child(byField: "left"), let r = n.child(byField: "right"),
                  let op = n.child(byField: "operator")?.type else { return [] }
            let ls = benchmarkValues(of: l, depth: next), rs = benchmarkValues(of: r, depth: next)
            for a in ls.prefix(4) {
                for b in rs.prefix(4) {
                    if let value = PythonArithmetic.binary(op, a, b) { result.append(value) }
                }
            }
        case "call":
            let call = callSite(n)
            if ["int", "float"].contains(call.callee), call.positional.count == 1 {
                result = benchmarkValues(of: call.positional[0], depth: next).map { call.callee == "int" ? $0.rounded(.towardZero) : $0 }
            } else if let v = evaluate(n) {
                result = [v]
            }
        case "identifier", "attribute", "subscript":
            result = referenceBenchmarkValues(n, depth: next)
        case "conditional_expression":
            // `dist.get_world_size() if ddp else 1`: the side the configuration selects; undecided, the world size
            // against the single-process fallback is the world size (the benchmark runs 8 processes).
            let parts = n.namedChildren.filter { $0.type != "comment" }
            guard parts.count == 3 else { return [] }
            if let holds = truth(of: parts[1]) {
                result = benchmarkValues(of: holds ? parts[0] : parts[2], depth: next)
            } else if let world = parts.firstIndex(where: { readsWorldSize($0) }), world != 1,
                      value(of: unparenthesized(parts[2 - world]))?.double == 1 {
                result = [Self.benchmarkWorldSize]
            }
        default:
            if let v = evaluate(n) { result = [v] }
        }
        var unique: [Double] = []
        for v in result where v.isFinite && !unique.contains(v) { unique.append(v) }
        return Array(unique.prefix(8))
    }

    func referenceBenchmarkValues(_ n: Node, depth: Int) -> [Double] {
        var result: [Double] = []
        if n.type == "identifier", let function = enclosingFunction(n) {
            if let local = latestValue(of: n.text, before: n), local != n {
                return benchmarkValues(of: local, depth: depth)
            }
            if let index = function.parameters.firstIndex(of: n.text) {
                // A parameter: the arguments its callers pass, else its default.
                let owner = enclosingClass(function.node)
                let offset = function.passedOffset
                for call in calls where function.name == "__init__" ? call.name == owner?.name : call.name == function.name {
                    if let argument = call.argument(n.text, position: index - offset >= 0 ? index - offset : nil) {
                        result += benchmarkValues(of: argument, depth: depth)
                    }
                }
                if result.isEmpty, let value = parameterDefault(function, n.text) {
                    result += benchmarkValues(of: value, depth: depth)
                }
                return result
            }
        }
        guard let name = SettingsTable.bareName(of: n) else { return [] }
        var settings = allSettings.settings(name).filter { $0.source != .parameterDefault && !isInside(n, $0.value) }
        if n.type == "identifier" {
            // A plain name is a variable: its assignments, not dictionary keys or keyword arguments of that name.
            let plain = settings.filter { $0.written == name && $0.source != .dictionaryEntry && $0.source != .override }
            if !plain.isEmpty { settings = plain }
        }
        settings = settings.filter(isConfigSetting)
        for setting in settings {
            result += benchmarkValues(of: setting.value, depth: depth)
            if result.count >= 8 { break }
        }
        if result.isEmpty, let v = value(of: n)?.double { result = [v] }
        return result
    }

    /// The `for` loops of the training step that run `backward()` several times per optimizer step
    /// (gradient accumulation): a loop holding a `backward()` call inside another loop.
    public var accumulationLoops: [Node] {
        memoized("accumulationLoops") {
            var loops: [Node] = []
            for call in calls where call.computesGradients && call.differentiatedLoss != nil {
                let around = enclosingLoops(call.node)
                guard around.count >= 2, let inner = around.first, inner.type == "for_statement",
                      !loops.contains(inner) else { continue }
                loops.append(inner)
            }
            return loops
        }
    }

    /// How many micro-batches one optimizer step accumulates: the count of the accumulation loop's `range(...)`
    /// (1 when there is no such loop; nil when its count is unknown).
    public var accumulationSteps: [Double]? {
        memoized("accumulationSteps") {
            guard let loop = accumulationLoops.first else { return [1] }
            guard let iterable = loop.child(byField: "right").map(unparenthesized), iterable.type == "call" else { return nil }
            let call = callSite(iterable)
            guard call.callee == "range" else { return nil }
            switch call.positional.count {
            case 1:
                return benchmarkValues(of: call.positional[0])
            case 2:
                let a = benchmarkValues(of: call.positional[0]), b = benchmarkValues(of: call.positional[1])
                guard let a0 = a.first else { return nil }
                return b.map { $0 - a0 }
            default:
                return nil
            }
        }
    }

    /// `for start in range(rank * span, len(toks) - span, world * span): ... toks[start:start + span + 1]`: a
    /// loop whose variable slices the token stream advances by the range's step.
    func rangeAdvance(_ loop: Node) -> (node: Node, tokens: [Double])? {
        guard let variable = loop.child(byField: "left"), variable.type == "identifier",
              let iterable = loop.child(byField: "right"), iterable.type == "call" else { return nil }
        let range = callSite(iterable)
        guard range.callee == "range", range.positional.count == 3, let body = loop.child(byField: "body") else { return nil }
        let slices = descendants(of: body).contains { n in
            n.type == "slice" && descendants(of: n).contains { $0.type == "identifier" && $0.text == variable.text }
        }
        guard slices else { return nil }
        let values = benchmarkValues(of: range.positional[2]).filter { $0 >= 1024 }
        return values.isEmpty ? nil : (loop, values)
    }

    /// Augmented assignments `position += amount` (and `range` loops slicing the stream, `rangeAdvance`) whose
    /// amount is a known number of tokens on the benchmark (how far a data loader moves through the token stream
    /// per batch), with the amounts.
    public var streamAdvances: [(node: Node, tokens: [Double])] {
        memoized("streamAdvances") {
            nodes.compactMap { n in
                if n.type == "for_statement" { return rangeAdvance(n) }
                guard n.type == "augmented_assignment", n.child(byField: "operator")?.type == "+=",
                      let right = n.child(byField: "right") else { return nil }
                let values = benchmarkValues(of: right).filter { $0 >= 1024 }
                return values.isEmpty ? nil : (n, values)
            }
        }
    }
}

extension PythonFacts {
    /// The default of an environment lookup, `os.environ.get("SEQ", 48 * 1024)` or `os.getenv("LR", "0.0018")`:
    /// what the script runs with when the variable is not set (the benchmark sets none of a script's own knobs).
    /// The world size and rank are read elsewhere (`readsWorldSize`).
    public func environmentDefault(_ node: Node) -> Node? {
        let n = unparenthesized(node)
        guard n.type == "call" else { return nil }
        let call = callSite(n)
        guard isEnvironmentLookup(call, ["os.environ.get", "os.getenv", "os.environ.setdefault"]), call.positional.count >= 1 else { return nil }
        return call.argument("default", position: 1)
    }

    /// Whether an expression is the process environment: `os.environ` (any import spelling), or a name holding it
    /// (`env = os.environ`, the module attribute fetched into a local, or a module-level name bound once to it).
    public func isEnvironmentMapping(_ node: Node) -> Bool {
        let n = unparenthesized(node)
        if imports.qualifiedName(of: n) == "os.environ" { return true }
        guard n.type == "identifier" else { return false }
        if let held = latestValue(of: n.text, before: n) { return imports.qualifiedName(of: unparenthesized(held)) == "os.environ" }
        return callableAliases[n.text].map { $0.callee == "os.environ" && $0.positional.isEmpty && $0.keywords.isEmpty } == true
    }

    /// Whether a call is one of the environment lookups `callees` (`os.environ.get`, `os.getenv`, ...), also a method
    /// of a name holding the environment (`env.get("RANK", "0")` with `env = os.environ`, see `isEnvironmentMapping`).
    func isEnvironmentLookup(_ call: CallSite, _ callees: Set<String>) -> Bool {
        if callees.contains(call.callee) { return true }
        guard let receiver = call.receiver, callees.contains("os.environ.\(call.name)") else { return false }
        return isEnvironmentMapping(receiver)
    }
}
