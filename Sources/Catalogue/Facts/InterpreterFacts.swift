import Foundation
import Parsing
import TreeSitterKit

/// A value the interpreter computes: a number (booleans are 0/1), a tuple, a string or None.
public enum ScriptValue: Equatable {
    case number(Double)
    case tuple([ScriptValue])
    case string(String)
    case none
    /// Something that is not None but that the interpreter cannot compute (a tensor, a module): only an element a
    /// list is given by `append`, so that a list built in a loop keeps its length and its None entries.
    case opaque
    /// A function the run made (a `lambda`, a nested `def`; see `ScriptClosure`).
    case function(ScriptClosure)

    public var number: Double? { if case .number(let d) = self { return d }; return nil }
    var truthy: Bool {
        switch self {
        case .number(let d): return d != 0
        case .tuple(let t): return !t.isEmpty
        case .string(let s): return !s.isEmpty
        case .none: return false
        case .opaque, .function: return true
        }
    }
}

/// Runs small pieces of the script on numbers, the way Python would: arithmetic, comparisons, `and`/`or`/`not`,
/// conditional expressions, tuples and unpacking, `min`/`max`/`abs`/`int`/`float`/`round`/`divmod`/`len`/`iter`,
/// `.items()` of a mapping whose entries are written out (as (key, value) pairs, see `PythonFacts.mappingEntries`),
/// `next(x for x in range(...) if ...)`, `math` functions, and calls of the file's own functions (assignments,
/// `if`/`elif`/`else`, `for` over `range` or over a list it computes, `zip`/`enumerate` included, or over an object
/// whose class defines `__iter__`, see `iterated`; `return`; a generator function's run gives the list of what it
/// yields). Names
/// not bound locally are followed to where they are set (the latest local assignment, a parameter's arguments at its
/// call sites, settings). The world size
/// (`WORLD_SIZE`, `dist.get_world_size()`) is the benchmark's 8. Every run is bounded in depth and steps.
public final class ScriptInterpreter {
    unowned let facts: PythonFacts
    private var budget = 100_000
    private var resolving = Set<Range<Int>>()
    /// The names `resolve` was asked for, in order, met again or not (see `settingsValue`).
    private var resolvedLog: [Range<Int>] = []
    /// What the generator runs in progress have yielded so far, innermost last (see `run`).
    private var yielded: [[ScriptValue]] = []
    /// The decorator wrappers running, innermost last (see `InterpreterDecorators.swift`).
    var wrapperFrames: [WrapperFrame] = []
    /// The steps one run may take.
    private let budgetPerRun: Int

    /// `budget`: the steps one run may take; a caller that asks many small questions (see `interpretedString`) gives
    /// a smaller one, so a question that reaches training code gives up early.
    public init(_ facts: PythonFacts, budget: Int = ScriptInterpreter.defaultBudget) {
        self.facts = facts
        self.budgetPerRun = budget
    }

    enum Outcome {
        case normal
        case returned(ScriptValue)
        case unknown
    }

    /// The value of an expression evaluated where it stands.
    /// Kept per file: with nothing bound, an expression's value depends on the file alone.
    public func value(of node: Node) -> ScriptValue? {
        let key = PythonFacts.InterpretedKey(node: node, budget: budgetPerRun)
        if let known = facts.interpretedValues[key] { return known }
        budget = budgetPerRun
        let value = eval(node, [:], 0)
        facts.interpretedValues[key] = .some(value)
        return value
    }

    public static let defaultBudget = 100_000

    /// The steps a question about a size or a factor may take (`config.n_embd // config.n_head`, a gain a helper
    /// computes: tens of steps), so that one that reaches training code gives up early instead of running the whole
    /// default budget (see `HeadDim128`, `RemoveAttnResidualScale`).
    public static let sizeBudget = 10_000

    /// The most items a list the interpreter builds by concatenation may hold (a table per training step is a few
    /// thousand to tens of thousands).
    static let listLimit = 100_000

    /// The value of an expression evaluated where it stands, with some names bound (strings included: a factory's
    /// `role` parameter as one of its calls gives it).
    public func value(of node: Node, env: [String: ScriptValue]) -> ScriptValue? {
        budget = budgetPerRun
        return eval(node, env, 0)
    }

    /// The number of an expression evaluated where it stands.
    public func number(_ node: Node) -> Double? { value(of: node)?.number }

    // MARK: Expressions

    func eval(_ node: Node, _ env: [String: ScriptValue], _ depth: Int) -> ScriptValue? {
        budget -= 1
        guard budget > 0, depth < 24 else { return nil }
        let d = depth + 1
        switch node.type {
        case "integer", "float":
            return facts.value(of: node).map { .number($0.double) }
        case "true": return .number(1)
        case "false": return .number(0)
        case "none": return ScriptValue.none
        case "string":
            // An f-string: its fields computed (`f"enable_{name}_sdp"` with `name` bound).
            if node.children.contains(where: { $0.type == "interpolation" }) {
                var text = ""
                for child in node.children {
                    switch child.type {
                    case "string_start", "string_end": continue
                    case "interpolation":
                        guard child.namedChildren.count == 1, let v = eval(child.namedChildren[0], env, d), let piece = Self.text(of: v) else { return nil }
                        text += piece
                    default: text += child.text
                    }
                }
                return .string(text)
            }
            return SettingsTable.stringValue(node).map { .string($0) }
        case "parenthesized_expression":
            return node.namedChild(0).flatMap { eval($0, env, d) }
        case "named_expression":
            // `(f := expr)` is worth `expr` (later reads of `f` find it through `latestValue`).
            return node.child(byField: "value").flatMap { eval($0, env, d) }
        case "tuple", "list", "expression_list":
            var items: [ScriptValue] = []
            for child in node.namedChildren where child.type != "comment" {
                guard let v = eval(child, env, d) else { return nil }
                items.append(v)
            }
            return .tuple(items)
        case "set":
            // `{7}`, `{3, 7}` (see `setItems`).
            var items: [ScriptValue] = []
            for child in node.namedChildren where child.type != "comment" {
                guard let v = eval(child, env, d) else { return nil }
                items.append(v)
            }
            return .tuple(Self.setItems(items))
        case "unary_operator":
            guard let argument = node.child(byField: "argument"), let v = eval(argument, env, d)?.number else { return nil }
            switch node.child(byField: "operator")?.type {
            case "-": return .number(-v)
            case "~": return v == v.rounded() && Swift.abs(v) < 1e15 ? .number(-v - 1) : nil
            default: return .number(v)
            }
        case "not_operator":
            guard let argument = node.child(byField: "argument"), let v = eval(argument, env, d) else { return nil }
            return .number(v.truthy ? 0 : 1)
        case "boolean_operator":
            guard let l = node.child(byField: "left"), let r = node.child(byField: "right"), let a = eval(l, env, d) else { return nil }
            let isAnd = node.child(byField: "operator")?.type == "and"
            if isAnd { return a.truthy ? eval(r, env, d) : a }
            return a.truthy ? a : eval(r, env, d)
        case "binary_operator":
            guard let l = node.child(byField: "left"), let r = node.child(byField: "right"),
                  let x = eval(l, env, d), let y = eval(r, env, d), let op = node.child(byField: "operator")?.type else { return nil }
            // Lists: `a + b` concatenates, `a * n` repeats (both bounded: a list doubled in a loop, `xs = xs + xs`, would
            // otherwise grow without end).
            switch (x, y, op) {
            case (.tuple(let a), .tuple(let b), "+"):
                guard a.count + b.count <= Self.listLimit else { return nil }
                return .tuple(a + b)
            // Strings: `a + b` concatenates, `"enable_%s_sdp" % name` formats.
            case (.string(let a), .string(let b), "+"): return .string(a + b)
            case (.string(let format), _, "%"): return Self.formatted(format, y)
            // (A tensor times a number is scaled instead, below: `torch.linspace(1, 14, n).round() * 128`.)
            case (.tuple(let a), .number(let n), "*") where n == n.rounded() && !isTensorExpression(l),
                 (.number(let n), .tuple(let a), "*") where n == n.rounded() && !isTensorExpression(r):
                guard n >= 0, n <= 4096, Double(a.count) * n <= 4096 else { return nil }
                return .tuple(Array(repeating: a, count: Int(n)).flatMap { $0 })
            default: break
            }
            // Tables of numbers (1-D tensors, see `TensorTables.swift`): element by element, a number broadcast.
            if case .tuple = x { return Self.elementwise(x, y) { PythonArithmetic.binary(op, $0, $1) } }
            if case .tuple = y { return Self.elementwise(x, y) { PythonArithmetic.binary(op, $0, $1) } }
            guard let a = x.number, let b = y.number else { return nil }
            return PythonArithmetic.binary(op, a, b).map { .number($0) }
        case "comparison_operator":
            let operands = node.namedChildren
            let operators = node.children.filter { !$0.isNamed }.map(\.type)
            guard operands.count == operators.count + 1 else { return nil }
            if operators.count == 1 {
                guard let a = eval(operands[0], env, d), let b = eval(operands[1], env, d) else { return nil }
                // A table ordered against a number (`steps < warmup`): a table of 0/1, element by element.
                switch (a, b) {
                case (.tuple, .number), (.number, .tuple):
                    guard ["<", "<=", ">", ">="].contains(operators[0]) else { break }
                    return Self.elementwise(a, b) { x, y in PythonArithmetic.compare(operators[0], x, y).map { $0 ? 1.0 : 0.0 } }
                default: break
                }
                guard let holds = Self.compare(operators[0], a, b) else { return nil }
                return .number(holds ? 1 : 0)
            }
            var left = eval(operands[0], env, d)
            for (index, op) in operators.enumerated() {
                guard let a = left, let b = eval(operands[index + 1], env, d) else { return nil }
                guard let holds = Self.compare(op, a, b) else { return nil }
                if !holds { return .number(0) }
                left = b
            }
            return .number(1)
        case "conditional_expression":
            guard let parts = facts.conditionalParts(node), let condition = eval(parts.test, env, d) else { return nil }
            return eval(condition.truthy ? parts.value : parts.alternative, env, d)
        case "call":
            return call(node, env, d)
        case "list_comprehension", "generator_expression":
            return comprehension(node, env, d)
        case "lambda":
            return .function(ScriptClosure(node: node, env: env))
        case "identifier":
            if let bound = env[node.text] { return bound }
            return resolve(node, d, env)
        case "attribute":
            // A field of the object a method runs on, bound by the run (`self.total_steps`, see `call(_:_:keywords:fields:)`).
            if let bound = env[node.text] { return bound }
            // `.value` of an enumeration member (`pad.value` with `pad` given `VocabPad.TO_128`): a member runs as its value.
            if facts.definesEnumerations, node.child(byField: "attribute")?.text == "value", let object = node.child(byField: "object"),
               let member = eval(object, env, d) {
                switch member {
                case .number, .string, .tuple: return member
                case .none, .opaque, .function: break
                }
            }
            if let name = facts.imports.qualifiedName(of: node), let constant = Self.constants[name] { return .number(constant) }
            // A field of a copy with changes (`hp.betas` after `hp = cfg.embed._replace(betas=(beta_at(step), 0.95))`, see
            // `FieldCopies`): the changed value, computed with the names bound so far when the copy is made in the same
            // function as the read, else the copied object's field.
            if let fields = facts.copiedField(node) {
                let here = facts.enclosingFunction(node)?.node
                let values = fields.map { field in eval(field, facts.enclosingFunction(field)?.node == here ? env : [:], d) }
                guard let first = values.first, let value = first, values.allSatisfy({ $0 == value }) else { return nil }
                return value
            }
            return resolve(node, d)
        case "subscript":
            if facts.readsWorldSize(node) { return .number(PythonFacts.benchmarkWorldSize) }
            if let value = node.child(byField: "value"), let index = node.child(byField: "subscript") {
                let container = eval(value, env, d)
                if case .tuple(let items)? = container {
                    if index.type == "slice" { return slice(items, index, env, d) }
                    return eval(index, env, d)?.number.flatMap { Self.position($0, count: items.count) }.map { items[$0] }
                }
                // A character of a string (`route[i]` with `route = "012345543210"`).
                if case .string(let text)? = container, index.type != "slice", let i = eval(index, env, d)?.number, i.isFinite, Swift.abs(i) < 1e9 {
                    let characters = Array(text)
                    let k = Int(i) < 0 ? characters.count + Int(i) : Int(i)
                    return k >= 0 && k < characters.count ? .string(String(characters[k])) : nil
                }
            }
            // A dictionary of the file read with a string key, written or computed by the run (`lrs["embed"]` with `lrs =
            // active_lrs()`, `cls.BASE_LR[role]` with `role` bound to "head", `hp[f"{group}.lr"]`, `hp[group + ".lr"]`):
            // that entry.
            if let table = node.child(byField: "value"), let index = node.child(byField: "subscript"),
               ["identifier", "attribute", "binary_operator", "string"].contains(index.type),
               case .string(let key)? = eval(index, env, d) {
                // A module dictionary a later module statement changes before the read runs (a notebook cell's
                // `CFG["lr"] = 0.0036`; see `PythonFacts.latestModuleEntryWrite`): that write.
                if table.type == "identifier", env[table.text] == nil, let written = facts.latestModuleEntryWrite(key, of: table, before: node) {
                    return eval(written, [:], d)
                }
                for dictionary in facts.dictionaries(table) {
                    if let entry = OptimizerUse.entry(key, in: dictionary) { return eval(entry, [:], d) }
                }
            }
            return resolve(node, d)
        default:
            return nil
        }
    }

    /// A value as Python's `str` writes it: a string itself, a whole number without a fraction; nil for a tuple,
    /// None or something unknown.
    static func text(of value: ScriptValue) -> String? {
        switch value {
        case .string(let s): return s
        case .number(let d): return d == d.rounded() && Swift.abs(d) < 1e15 ? String(Int(d)) : String(d)
        default: return nil
        }
    }

    /// `format % arguments` for the `%s`, `%d` and `%%` directives (one value, or a tuple of one value per
    /// directive); nil for any other directive or a count that does not match.
    static func formatted(_ format: String, _ arguments: ScriptValue) -> ScriptValue? {
        var values: [ScriptValue]
        if case .tuple(let items) = arguments { values = items } else { values = [arguments] }
        var result = ""
        var characters = format.makeIterator()
        while let c = characters.next() {
            guard c == "%" else { result.append(c); continue }
            switch characters.next() {
            case "%"?: result.append("%")
            case "s"?, "d"?:
                guard !values.isEmpty, let piece = text(of: values.removeFirst()) else { return nil }
                result += piece
            default: return nil
            }
        }
        return values.isEmpty ? .string(result) : nil
    }

    /// `[f(x) for x in items if test]` (or the generator): one `for` clause over a list, a tuple or a string (its
    /// characters, `[int(ch) for ch in "012345543210"]`), or an object whose class defines `__iter__` (see `iterated`),
    /// at most 4096 items, each kept when every `if` clause holds; a target pattern unpacks each item (`for k, v in
    /// d.items()`). Nil when any part is unknown.
    func comprehension(_ node: Node, _ env: [String: ScriptValue], _ depth: Int) -> ScriptValue? {
        let clauses = node.namedChildren.filter { $0.type == "for_in_clause" }
        guard clauses.count == 1, let body = node.child(byField: "body"), let target = clauses[0].child(byField: "left"),
              let source = clauses[0].child(byField: "right") else { return nil }
        let items: [ScriptValue]
        switch iterated(source, env, depth) {
        case .tuple(let t)?: items = t
        case .string(let text)?: items = text.map { ScriptValue.string(String($0)) }
        default: return nil
        }
        guard items.count <= 4096 else { return nil }
        let tests = node.namedChildren.filter { $0.type == "if_clause" }.compactMap { $0.namedChildren.first }
        var result: [ScriptValue] = []
        for item in items {
            var scope = env
            guard bind(target, item, &scope) else { return nil }
            var kept = true
            for test in tests {
                guard let holds = eval(test, scope, depth) else { return nil }
                if !holds.truthy { kept = false; break }
            }
            guard kept else { continue }
            guard let v = eval(body, scope, depth) else { return nil }
            result.append(v)
        }
        return .tuple(result)
    }

    /// What a `for` loop or a comprehension walks: the iterable's own value; or, for an object of a class of the file
    /// that defines `__iter__` as one `return` (`self` in its methods, or a name or field the data flow finds holding
    /// one object of one class: `for name, on in self:` with `def __iter__(self): return iter(self.toggles.items())`),
    /// what that `return` computes, the fields the run has bound on `self` kept.
    func iterated(_ iterable: Node, _ env: [String: ScriptValue], _ depth: Int) -> ScriptValue? {
        let node = facts.unwrapped(iterable)
        let owner: PythonFacts.Class?
        let onSelf: Bool
        if node.type == "identifier", let function = facts.enclosingFunction(node), function.receiver == node.text {
            owner = facts.enclosingClass(function.node)
            onSelf = true
        } else {
            if let v = eval(iterable, env, depth) { return v }
            guard node.type == "identifier" || node.type == "attribute" else { return nil }
            let held = facts.dataflow.instanceClasses(of: node).compactMap { facts.boundClass(named: $0) }
            owner = held.count == 1 ? held[0] : nil
            onSelf = false
        }
        guard let owner, depth < 20, let walk = facts.method("__iter__", of: owner), case let returned = facts.returnedValues(walk),
              returned.count == 1 else { return onSelf ? eval(iterable, env, depth) : nil }
        return eval(returned[0], onSelf ? env.filter { $0.key.hasPrefix("self.") } : [:], depth + 1)
    }

    /// What a `for` loop over `iterable` walks, evaluated where it stands (see `iterated`).
    public func iteration(of iterable: Node) -> ScriptValue? {
        budget = budgetPerRun
        return iterated(iterable, [:], 0)
    }

    /// The items of a set made of `items`: each once; numbers in ascending order, the order CPython walks a set of
    /// small non-negative integers in (membership, the common use, does not depend on it), others as first given.
    /// The place Python's `items[i]` reads in a list of `count` items (`-1` the last); nil out of range.
    static func position(_ i: Double, count: Int) -> Int? {
        guard i.isFinite, Swift.abs(i) < 1e9 else { return nil }
        let k = Int(i) < 0 ? count + Int(i) : Int(i)
        return k >= 0 && k < count ? k : nil
    }

    static func setItems(_ items: [ScriptValue]) -> [ScriptValue] {
        var distinct: [ScriptValue] = []
        for item in items where !distinct.contains(item) { distinct.append(item) }
        let numbers = distinct.compactMap(\.number)
        return numbers.count == distinct.count ? numbers.sorted().map { .number($0) } : distinct
    }

    /// `items[a:b:s]` with Python's defaults and negative indices.
    func slice(_ items: [ScriptValue], _ slice: Node, _ env: [String: ScriptValue], _ depth: Int) -> ScriptValue? {
        // The slice's parts by position around its colons: start, stop, step.
        var parts: [Node?] = [nil]
        for child in slice.children {
            if child.type == ":" { parts.append(nil) } else if child.isNamed, child.type != "comment" { parts[parts.count - 1] = child }
        }
        func number(_ n: Node?) -> Int?? {
            guard let n else { return .some(nil) }
            guard let v = eval(n, env, depth)?.number, v.isFinite, Swift.abs(v) < 1e9 else { return nil }
            return .some(Int(v))
        }
        guard parts.count <= 3, let start = number(parts[0]), let stop = number(parts.count > 1 ? parts[1] : nil),
              let stepValue = number(parts.count > 2 ? parts[2] : nil) else { return nil }
        let step = stepValue ?? 1
        guard step != 0 else { return nil }
        let count = items.count
        func clamp(_ i: Int, _ low: Int, _ high: Int) -> Int { Swift.min(Swift.max(i < 0 ? i + count : i, low), high) }
        var result: [ScriptValue] = []
        if step > 0 {
            var i = start.map { clamp($0, 0, count) } ?? 0
            let end = stop.map { clamp($0, 0, count) } ?? count
            while i < end { result.append(items[i]); i += step }
        } else {
            var i = start.map { clamp($0, -1, count - 1) } ?? count - 1
            let end = stop.map { clamp($0, -1, count - 1) } ?? -1
            while i > end { result.append(items[i]); i += step }
        }
        return .tuple(result)
    }

    static let constants: [String: Double] = ["math.pi": Double.pi, "math.e": M_E, "math.inf": .infinity, "numpy.pi": Double.pi]


    static func compare(_ op: String, _ a: ScriptValue, _ b: ScriptValue) -> Bool? {
        if op == "in" { return contains(b, a) }
        if op == "not in" { return contains(b, a).map { !$0 } }
        switch (a, b) {
        case (.number(let x), .number(let y)):
            return PythonArithmetic.compare(op, x, y)
        case (.opaque, .none), (.none, .opaque):
            // Only None-ness is known of an opaque value.
            return ["is", "=="].contains(op) ? false : ["is not", "!="].contains(op) ? true : nil
        case (.opaque, _), (_, .opaque):
            return nil
        default:
            switch op {
            case "==", "is": return a == b
            case "!=", "is not": return a != b
            default: return nil
            }
        }
    }

    /// Python's `item in container` for a tuple or list (an element equal to the item; unknown when an element the
    /// interpreter cannot compute might be it) or a string (a substring); nil for anything else.
    static func contains(_ container: ScriptValue, _ item: ScriptValue) -> Bool? {
        switch (container, item) {
        case (.tuple(let elements), _):
            if case .opaque = item { return nil }
            if elements.contains(item) { return true }
            return elements.contains(.opaque) ? nil : false
        case (.string(let text), .string(let part)):
            return part.isEmpty || text.contains(part)
        default:
            return nil
        }
    }

    // MARK: Names

    /// A name that is not bound locally: its latest assignment in the same function, a parameter's arguments at
    /// the call sites of its function (else its default), or the settings of its bare name.
    func resolve(_ node: Node, _ depth: Int, _ env: [String: ScriptValue] = [:]) -> ScriptValue? {
        if facts.readsWorldSize(node) { return .number(PythonFacts.benchmarkWorldSize) }
        resolvedLog.append(node.byteRange)
        guard resolving.insert(node.byteRange).inserted else { return nil }
        defer { resolving.remove(node.byteRange) }
        // A name updated in place by straight-line statements before this read (`V = 50257; V += -V % 128`).
        if node.type == "identifier", env[node.text] == nil, let updated = facts.resolver.updatedInPlace(node.text, at: node) {
            return updated.first.map { .number($0.double) }
        }
        if node.type == "identifier", let local = facts.latestValue(of: node.text, before: node), local != node,
           let grown = grownList(node.text, from: local, before: node) {
            // A list made empty and filled by `append` before this read: its value is what running the statements
            // in between leaves, never the empty literal (unknown when they cannot run).
            return runList(node.text, from: grown, until: node, depth)
        }
        if node.type == "identifier", let local = facts.latestValue(of: node.text, before: node) ?? enclosingValue(of: node), local != node,
           let filled = filledTable(node.text, from: local, before: node) {
            // A table made by `torch.empty(n)` (or `zeros`, `arange`, ...) and changed in place before this read
            // (`t.fill_(v)`, `t.narrow(0, 0, k).copy_(...)`): what running the statements in between leaves. Memoized:
            // a schedule reads it at every sampled step. Read in a function that does not bind it (`def get_lr(it):
            // return lr_table.select(0, it).item()` below the table), the enclosing block's table.
            return facts.memoized("ScriptInterpreter.filledTable \(filled.startByte) \(node.startByte) \(node.text)") {
                runList(node.text, from: filled, until: node, depth)
            }
        }
        if node.type == "identifier", let local = facts.latestValue(of: node.text, before: node), local != node,
           let filled = indexFilledList(node.text, from: local, before: node) {
            // A list made (`slots = [None] * n`) and then written by index before this read (`slots[k] = k` in a
            // loop): what running the statements in between leaves, never the list as it was made.
            return runList(node.text, from: filled.statement, until: node, depth)
        }
        if node.type == "identifier", let local = facts.latestValue(of: node.text, before: node), local != node,
           let chain = branchChain(around: local, before: node) {
            // A local set in the branches of an `if` / `elif` / `else` chain that ends before this read (`if step < w:
            // lr = ... elif step < n - d: lr = ... else: lr = ...` in a training loop): what running the chain with the
            // names bound so far leaves, the value before the chain when no branch sets it. A chain that cannot run
            // (a condition unknown) falls back to the latest value below.
            var scope = env
            if case .normal = execute(chain, &scope, depth) {
                if let v = scope[node.text] { return v }
                if let before = facts.latestValue(of: node.text, before: chain), let v = eval(before, env, depth) { return v }
            }
        }
        if node.type == "identifier", let local = facts.latestValue(of: node.text, before: node), local != node,
           let v = eval(local, env, depth) {
            // Evaluated with the names bound so far (a loop variable the local depends on).
            return v
        }
        // A parameter of a lambda bound to a name (`opt = lambda s, lr: ...` in a class body): what the calls of that
        // name pass, never another setting of the same name (`lr = group["lr"]` in an optimizer's step).
        if node.type == "identifier", facts.boundLambdaParameter(node) != nil {
            for argument in facts.callerArguments(of: node) {
                if let v = eval(argument, [:], depth) { return v }
            }
            return nil
        }
        if node.type == "identifier", let function = facts.parameterOwner(of: node) ?? facts.enclosingFunction(node) {
            if function.parameters.contains(node.text) {
                for argument in facts.callerArguments(of: node) {
                    if let v = eval(argument, [:], depth) { return v }
                }
                // A module's `forward` (or `__call__`) is called through its instances (`model(x, y)`), calls the
                // callers' arguments above do not see: its parameter's default is not what it gets.
                if facts.forwardMethodNames.contains(function.name) { return nil }
                // Nor when some call spreads a `**` dictionary that may carry it unseen.
                if let fallback = facts.parameterDefault(function, node.text) {
                    return facts.mayReceiveUnreadKeyword(node) ? nil : eval(fallback, [:], depth)
                }
                // No argument and no default: only an injecting decorator fills it (Sacred's `@ex.capture` from the
                // `@ex.config` locals, on the function or, for `__init__`, on its class): the configuration's value.
                guard facts.injectsParameters(function) else { return nil }
                return facts.value(of: node).map { ScriptValue.number($0.double) }
            }
        }
        return settingsValue(of: node, depth)
    }

    /// What a name no local binding or parameter explains reads from the settings of its bare name (the end of
    /// `resolve`). Each setting is evaluated with nothing bound, so the answer depends on the read and the depth, and
    /// on the run's state only through the names being resolved around it (a name met again is not known) and the
    /// budget left. Answers are kept per file (a schedule sampled at two hundred steps reads the same module names at
    /// every step, and a table built by `torch.arange` is built once), with the names the reading resolved and the
    /// budget it spent: a kept answer is used where a fresh reading would go the same way, no name it resolved being
    /// resolved around it now and the budget left covering what it spent (which is then spent), and an answer that
    /// met a name resolved around it, or ran out of budget, is not kept. Not under way in a wrapper or a generator.
    private func settingsValue(of node: Node, _ depth: Int) -> ScriptValue? {
        guard wrapperFrames.isEmpty, yielded.isEmpty else { return computeSettingsValue(of: node, depth) }
        let key = PythonFacts.SettingsReadKey(node: node, depth: depth, budget: budgetPerRun)
        if let known = facts.interpretedSettingsReads[key], budget - known.spent > 0,
           known.resolved.allSatisfy({ $0 == node.byteRange || !resolving.contains($0) }) {
            budget -= known.spent
            // A reading around this one depends on what this one resolved.
            resolvedLog.append(contentsOf: known.resolved)
            return known.value
        }
        let mark = resolvedLog.count, before = budget
        let outer = resolving.subtracting([node.byteRange])
        let value = computeSettingsValue(of: node, depth)
        let resolved = Set(resolvedLog[mark...])
        if budget > 0, resolved.isDisjoint(with: outer) {
            facts.interpretedSettingsReads[key] = PythonFacts.SettingsRead(value: value, resolved: resolved, spent: before - budget)
        }
        // The outermost reading's log is no longer needed.
        if resolving.count <= 1 { resolvedLog.removeAll(keepingCapacity: true) }
        return value
    }

    private func computeSettingsValue(of node: Node, _ depth: Int) -> ScriptValue? {
        guard let name = SettingsTable.bareName(of: node) else { return nil }
        var settings = facts.allSettings.settings(name).filter { $0.source != .parameterDefault && !facts.isInside(node, $0.value) }
        if node.type == "identifier" {
            // A plain name is a variable: its assignments, not dictionary keys or keyword arguments of that name.
            let plain = settings.filter { $0.written == name && $0.source != .dictionaryEntry && $0.source != .override }
            if !plain.isEmpty { settings = plain }
        } else if node.type == "attribute", settings.contains(where: { $0.written == node.text }) {
            // A field the object is given (`self.kinds = tuple(kinds)`) is never a plain variable of that name
            // (`kinds = []` at module level, filled by a loop, passed to the constructor).
            settings.removeAll { $0.written == name && ($0.source == .moduleAssignment || $0.source == .localAssignment) }
            // A field its class computes in `__init__` (`self.vocab_size = round_up(vocab_size, multiple)`) is that
            // computation: a dictionary of the same key spread into the constructor reaches only its parameters.
            if settings.contains(where: { facts.isComputedInInitializer($0, readBy: node) }) {
                settings.removeAll { $0.source == .dictionaryEntry }
            }
        }
        // `p["weight_decay"]` on a copy of a configuration, or an attribute read (`hp.weight_decay`): not an entry of a
        // parameter group (see `readsConfigurationCopy`).
        if node.type == "attribute"
            || node.type == "subscript" && node.child(byField: "value").map({ facts.readsConfigurationCopy($0, at: node) }) == true {
            settings = settings.filter { !facts.isParameterGroupEntry($0) }
        }
        // A read through a nested path names its own table's entry (see `NestedReadPaths.swift`).
        if let key = facts.nestedReadKey(node, name: name) { settings.removeAll { facts.isSiblingEntry($0, of: key) } }
        settings = facts.overridden(facts.resolver.ownerScoped(settings.filter { facts.isConfigSetting($0) }, use: node))
        // A module-level write a later module statement rewrites before this read (`hp.ratio = 10.0`, then `hp.ratio =
        // 0.1` in a later cell) is not what the read sees (see `rewrittenModuleWrites`).
        let rewritten = facts.rewrittenModuleWrites(settings, before: node)
        if !rewritten.isEmpty { settings = settings.enumerated().filter { !rewritten.contains($0.offset) }.map(\.element) }
        // A builder's `__init__` placeholder that a chained setter replaces is not what the built object reads.
        settings = settings.filter { !facts.isBuilderPlaceholder($0) }
        settings = runtimeOrder(settings, of: name)
        // `head_size: Optional[int] = None`, derived later (`self.head_size = self.n_embd // self.n_head`): None is
        // the value only when nothing else is set.
        // Likewise a falsy field default that `__post_init__` replaces under a test of it (`n_head: int = 0` and
        // `if not self.n_head: self.n_head = self.n_embd // self.head_width`).
        var unset = false
        for setting in settings {
            guard let v = eval(setting.value, [:], depth) else { continue }
            if case .none = v {
                unset = true
                continue
            }
            if setting.source == .classField, v.number == 0, settings.contains(where: { facts.isDerivedWhenUnset($0) }) {
                unset = true
                continue
            }
            return v
        }
        if unset { return ScriptValue.none }
        return facts.value(of: node).map { .number($0.double) }
    }

    /// Settings of one name, first the one an object holds once built when the table's order says otherwise: a
    /// dataclass's `__post_init__` that always writes `self.<name>` (not one deriving the field only when it is unset)
    /// runs after the fields are filled, so its value wins (the fields it reads, `self.vocab_size` on its right, fall
    /// through to the construction or the default by the recursion guard); a keyword that forwards a parameter of the
    /// same name into a construction (`cls(vocab_size=vocab_size)`) beats the class-field declarations before it.
    func runtimeOrder(_ settings: [Setting], of name: String) -> [Setting] {
        var settings = settings
        if let i = settings.firstIndex(where: { s in
            s.written == "self.\(name)" && !facts.isDerivedWhenUnset(s)
                && facts.enclosingFunction(s.site).map { $0.name == "__post_init__" && facts.runsOnce(s.site, in: $0) } == true
        }), i > 0 {
            settings.insert(settings.remove(at: i), at: 0)
        }
        if let i = settings.firstIndex(where: { $0.isForward && $0.source == .override }), i > 0,
           settings[..<i].allSatisfy(PythonFacts.isDeclaration) {
            settings.insert(settings.remove(at: i), at: 0)
        }
        return settings
    }

    /// The outermost `if` statement around a local's value, in the same function, that ends before the read `use`:
    /// the chain whose branches set the local. Nil when the value is in no branch or every `if` around it holds the read.
    func branchChain(around value: Node, before use: Node) -> Node? {
        var chain: Node?
        for a in facts.ancestors(of: value) {
            if ["function_definition", "class_definition", "lambda"].contains(a.type) { break }
            guard a.type == "if_statement" else { continue }
            guard a.endByte <= use.startByte else { break }
            chain = a
        }
        return chain
    }

    // MARK: Calls

    func call(_ node: Node, _ env: [String: ScriptValue], _ depth: Int) -> ScriptValue? {
        if facts.readsWorldSize(node) { return .number(PythonFacts.benchmarkWorldSize) }
        if let fallback = facts.environmentDefault(node) { return eval(fallback, env, depth) }
        let call = facts.callSite(node)
        // The decorated function called by the wrapper its decorator put in its place (`fn(*args, **kwargs)`).
        if let inner = decoratedCall(call, env, depth) { return inner }
        // A function value the run made (a schedule a factory returned, a lambda of a list).
        if let closure = calledClosure(call, env, depth) { return invoke(closure, call, env, depth) }
        guard !call.hasSplat else { return nil }
        // A configuration key read by method (`section.getint("num_layers")`): the setting's value, when the settings
        // of that key agree (a key set to 0.1 in one place and 0.0 in another is not known here).
        if facts.configKeyRead(call) != nil {
            let values = Set(facts.values(of: node).map(\.double))
            return values.count == 1 ? values.first.map { .number($0) } : nil
        }
        let args = call.positional
        func number(_ i: Int) -> Double? { i < args.count ? eval(args[i], env, depth)?.number : nil }
        // `d.items()` of a mapping whose entries are written out where it is made (`self.toggles.items()` with
        // `self.toggles` the keywords of the one construction, see `PythonFacts.mappingEntries`): (key, value) pairs.
        if call.name == "items", args.isEmpty, call.keywords.isEmpty, let receiver = call.receiver,
           let entries = facts.mappingEntries(receiver) {
            var pairs: [ScriptValue] = []
            for entry in entries {
                guard let v = eval(entry.value, [:], depth) else { return nil }
                pairs.append(.tuple([.string(entry.key), v]))
            }
            return .tuple(pairs)
        }
        // 1-D tensors: made by `torch`/`numpy` calls, read and computed by their methods (see `TensorTables.swift`).
        if let table = tableCall(call, env, depth) { return table }
        if let text = stringMethod(call, env, depth) { return text }
        switch call.callee {
        case "callable":
            // `callable(rate)`: a function value the run made is; a number, a string, a tuple or None is not.
            guard args.count == 1, let v = eval(args[0], env, depth) else { return nil }
            switch v {
            case .function: return .number(1)
            case .number, .string, .tuple, .none: return .number(0)
            case .opaque: return nil
            }
        case "min", "max":
            var values: [Double] = []
            var items = args
            if args.count == 1, case .tuple(let t)? = eval(args[0], env, depth) {
                values = t.compactMap(\.number)
                guard values.count == t.count else { return nil }
                items = []
            }
            for item in items {
                guard let v = eval(item, env, depth)?.number else { return nil }
                values.append(v)
            }
            guard !values.isEmpty else { return nil }
            return .number(call.callee == "min" ? values.min()! : values.max()!)
        case "abs": return number(0).map { .number(Swift.abs($0)) }
        case _ where PythonArithmetic.operatorFunctions[call.callee] != nil:
            // The `operator` module's functions (`operator.mul(a, b)`, `from operator import floordiv`): the operator.
            guard args.count == 2, let a = number(0), let b = number(1) else { return nil }
            return PythonArithmetic.binary(PythonArithmetic.operatorFunctions[call.callee]!, a, b).map { .number($0) }
        case "list", "tuple", "torch.nn.ModuleList", "torch.nn.ParameterList":
            // `tuple(2.0 ** e for e in (1, 9, 19))`: the generator is the whole argument list.
            if let generator = node.child(byField: "arguments"), generator.type == "generator_expression" {
                return comprehension(generator, env, depth)
            }
            if args.isEmpty { return .tuple([]) }
            guard args.count == 1, let v = eval(args[0], env, depth) else { return nil }
            if case .tuple = v { return v }
            return nil
        case "set", "frozenset":
            // `set()`, `set(skipped)` (see `setItems`).
            if args.isEmpty, call.keywords.isEmpty { return .tuple([]) }
            guard args.count == 1, case .tuple(let items)? = eval(args[0], env, depth) else { return nil }
            return .tuple(Self.setItems(items))
        case "iter":
            // `iter(items)` walks the same items.
            guard args.count == 1, call.keywords.isEmpty else { return nil }
            return iterated(args[0], env, depth)
        case "reversed":
            guard args.count == 1, case .tuple(let items)? = eval(args[0], env, depth) else { return nil }
            return .tuple(items.reversed())
        case "zip":
            // `zip(table, table[1:])`: a tuple of the items at each place, as many as the shortest list has.
            guard !args.isEmpty, call.keywords.keys.allSatisfy({ $0 == "strict" }) else { return nil }
            var lists: [[ScriptValue]] = []
            for arg in args {
                guard case .tuple(let items)? = eval(arg, env, depth) else { return nil }
                lists.append(items)
            }
            let count = lists.map(\.count).min() ?? 0
            return .tuple((0..<count).map { i -> ScriptValue in .tuple(lists.map { $0[i] }) })
        case "enumerate":
            // `enumerate(items)`, `enumerate(items, 1)`, `enumerate(items, start=1)`: (index, item) pairs.
            guard (1...2).contains(args.count), call.keywords.keys.allSatisfy({ $0 == "start" }),
                  case .tuple(let items)? = eval(args[0], env, depth) else { return nil }
            var start = 0.0
            if let first = args.count == 2 ? args[1] : call.keywords["start"] {
                guard let s = eval(first, env, depth)?.number else { return nil }
                start = s
            }
            return .tuple(items.enumerated().map { pair -> ScriptValue in
                .tuple([.number(start + Double(pair.offset)), pair.element])
            })
        case "functools.reduce":
            // `reduce(operator.mul, (a, b))`, `reduce(operator.add, items, start)`: the items folded with the operator.
            guard (2...3).contains(args.count),
                  let op = PythonArithmetic.operatorFunctions[facts.imports.qualifiedName(of: args[0]) ?? args[0].text],
                  case .tuple(var items)? = eval(args[1], env, depth) else { return nil }
            if args.count == 3 {
                guard let start = eval(args[2], env, depth) else { return nil }
                items.insert(start, at: 0)
            }
            guard var result = items.first?.number else { return nil }
            for item in items.dropFirst() {
                guard let v = item.number, let next = PythonArithmetic.binary(op, result, v) else { return nil }
                result = next
            }
            return .number(result)
        case "range":
            guard let bounds = range(call, env, depth), bounds.step != 0 else { return nil }
            let count = ((bounds.stop - bounds.start) / bounds.step).rounded(.up)
            // Small ranges only (layer indices, table slots); a range of training steps stays unknown as before.
            guard count <= 256 else { return nil }
            return .tuple(Swift.stride(from: bounds.start, to: bounds.stop, by: bounds.step).map { .number($0) })
        case "float": return args.count == 1 ? numeric(eval(args[0], env, depth)).map { .number($0) } : nil
        case "int": return args.count == 1 ? numeric(eval(args[0], env, depth)).map { .number($0.rounded(.towardZero)) } : nil
        case "bool": return args.count == 1 ? eval(args[0], env, depth).map { .number($0.truthy ? 1 : 0) } : nil
        case "round": return number(0).map { .number($0.rounded(.toNearestOrEven)) }
        case "len":
            if case .tuple(let t)? = args.first.flatMap({ eval($0, env, depth) }) { return .number(Double(t.count)) }
            // A module list of the file (`len(model.blocks)`): the items it is built with (see `containerLength`).
            return args.count == 1 ? containerLength(args[0], depth).map { .number(Double($0)) } : nil
        case "divmod":
            guard let a = number(0), let b = number(1), b != 0 else { return nil }
            let q = (a / b).rounded(.down)
            return .tuple([.number(q), .number(a - b * q)])
        case "next":
            // next(x for x in ...): the generator is the whole argument list.
            if let generator = node.child(byField: "arguments"), generator.type == "generator_expression" {
                return firstYield(generator, env, depth)
            }
            return args.first.flatMap { firstYield($0, env, depth) }
        case "math.ceil", "numpy.ceil": return number(0).map { .number($0.rounded(.up)) }
        case "math.floor", "numpy.floor": return number(0).map { .number($0.rounded(.down)) }
        case "math.sqrt", "numpy.sqrt": return number(0).map { .number($0.squareRoot()) }
        case "math.exp", "numpy.exp": return number(0).map { .number(Foundation.exp($0)) }
        case "math.log", "numpy.log": return number(0).map { .number(Foundation.log($0)) }
        case "math.log2", "numpy.log2": return number(0).map { .number(Foundation.log2($0)) }
        case "math.cos", "numpy.cos": return number(0).map { .number(Foundation.cos($0)) }
        case "math.sin", "numpy.sin": return number(0).map { .number(Foundation.sin($0)) }
        case "math.tanh", "numpy.tanh": return number(0).map { .number(Foundation.tanh($0)) }
        case "numpy.interp":
            // np.interp(x, knots_x, knots_y): piecewise-linear, clamped at both ends (knots may be named lists).
            // A table of positions (`np.interp(np.arange(n), xs, ys)`) gives a table.
            if args.count >= 3, let xs = Self.tableNumbers(eval(args[0], env, depth)) {
                var out: [Double] = []
                for x in xs {
                    guard let v = interp(x, args[1], args[2], env, depth) else { return nil }
                    out.append(v)
                }
                return Self.table(out)
            }
            guard args.count >= 3, let x = number(0) else { return nil }
            return interp(x, args[1], args[2], env, depth).map { .number($0) }
        default:
            break
        }
        if let read = sequenceProtocol(call, env, depth) { return read }
        // `d.get(key, default)` on a dictionary of the file, with a key the run computes: its entry; the default when
        // the key is missing from every dictionary it may be and none of them spreads another in (`**base`).
        if call.name == "get", let receiver = call.receiver, (1...2).contains(args.count), call.keywords.isEmpty,
           case .string(let key)? = eval(args[0], env, depth) {
            let tables = facts.dictionaries(receiver, given: env)
            if !tables.isEmpty {
                for table in tables {
                    if let entry = OptimizerUse.entry(key, in: table) { return eval(entry, [:], depth) }
                }
                let closed = tables.allSatisfy { table in !facts.descendants(of: table).contains { $0.type == "dictionary_splat" } }
                return closed ? (args.count == 2 ? eval(args[1], env, depth) : ScriptValue.none) : nil
            }
        }
        guard let function = facts.calledFunction(call) ?? method(call), function.body != nil else { return nil }
        // A method called on `self` runs on the same object: the fields the run has bound stay bound.
        var bound: [String: ScriptValue] = call.callee.hasPrefix("self.") || call.callee == "self" ? env.filter { $0.key.hasPrefix("self.") } : [:]
        let parameters = function.parameters.filter { $0 != "self" && $0 != "cls" }
        for (index, parameter) in parameters.enumerated() {
            if let argument = call.keywords[parameter] ?? (index < args.count ? args[index] : nil) {
                // An argument that is no number (a config object, a module) stays unbound: the function's reads of
                // it (`cfg.vocab_size`) resolve through the settings.
                if let v = eval(argument, env, depth) { bound[parameter] = v }
            } else if let value = facts.parameterDefault(function, parameter), let v = eval(value, [:], depth) {
                bound[parameter] = v
            }
        }
        if let v = run(function, bound, depth) { return v }
        // A helper the interpreter cannot run (it calls a converter it was handed, `cast(...)`) with arguments
        // known where it is called: the value resolver reads it per call.
        return env.isEmpty ? facts.value(of: node).map { .number($0.double) } : nil
    }

    /// A method of `str` called on a string the run knows (`",".join(opts)`, `conf.split(",")`,
    /// `o.startswith("expandable_segments")`, `name.strip().lower()`, `text.replace("-", "_")`): what Python gives.
    /// Nil for other calls, or when the string or an argument is unknown.
    func stringMethod(_ call: CallSite, _ env: [String: ScriptValue], _ depth: Int) -> ScriptValue? {
        guard Self.stringMethods.contains(call.name), let function = call.function, function.type == "attribute",
              let object = function.child(byField: "object"), call.keywords.isEmpty,
              case .string(let text)? = eval(object, env, depth) else { return nil }
        var arguments: [ScriptValue] = []
        if call.name == "join", let generator = call.node.child(byField: "arguments"), generator.type == "generator_expression" {
            // `sep.join(x for x in ...)` passes its generator as the whole argument list.
            guard let items = comprehension(generator, env, depth) else { return nil }
            arguments = [items]
        } else {
            for argument in call.positional {
                guard let value = eval(argument, env, depth) else { return nil }
                arguments.append(value)
            }
        }
        func string(_ i: Int) -> String? {
            if i < arguments.count, case .string(let s) = arguments[i] { return s }
            return nil
        }
        switch (call.name, arguments.count) {
        case ("join", 1):
            guard case .tuple(let items) = arguments[0] else { return nil }
            var pieces: [String] = []
            for item in items {
                guard case .string(let piece) = item else { return nil }
                pieces.append(piece)
            }
            return .string(pieces.joined(separator: text))
        case ("split", 0):
            return .tuple(text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map { .string(String($0)) })
        case ("split", 1):
            guard let separator = string(0), !separator.isEmpty else { return nil }
            return .tuple(text.components(separatedBy: separator).map { .string($0) })
        case ("startswith", 1), ("endswith", 1):
            // A tuple of prefixes holds when any of them does.
            let candidates: [String]
            switch arguments[0] {
            case .string(let s): candidates = [s]
            case .tuple(let items):
                candidates = items.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
                guard candidates.count == items.count else { return nil }
            default: return nil
            }
            let holds = candidates.contains { call.name == "startswith" ? text.hasPrefix($0) : text.hasSuffix($0) }
            return .number(holds ? 1 : 0)
        case ("strip", 0): return .string(text.trimmingCharacters(in: .whitespacesAndNewlines))
        case ("lower", 0): return .string(text.lowercased())
        case ("upper", 0): return .string(text.uppercased())
        case ("replace", 2):
            guard let old = string(0), let new = string(1), !old.isEmpty else { return nil }
            return .string(text.replacingOccurrences(of: old, with: new))
        default:
            return nil
        }
    }

    static let stringMethods: Set<String> = ["join", "split", "startswith", "endswith", "strip", "lower", "upper", "replace"]

    /// `np.interp(x, knots_x, knots_y)` at one position: piecewise-linear, clamped at both ends (knots may be named
    /// lists or tables); nil when a knot is unknown.
    func interp(_ x: Double, _ knotsX: Node, _ knotsY: Node, _ env: [String: ScriptValue], _ depth: Int) -> Double? {
        guard case .tuple(let tx)? = eval(knotsX, env, depth), case .tuple(let ty)? = eval(knotsY, env, depth),
              tx.count == ty.count, !tx.isEmpty else { return nil }
        let xs = tx.compactMap(\.number), ys = ty.compactMap(\.number)
        guard xs.count == tx.count, ys.count == ty.count else { return nil }
        if x <= xs[0] { return ys[0] }
        for i in 1..<xs.count where x <= xs[i] {
            let span = xs[i] - xs[i - 1]
            return span == 0 ? ys[i] : ys[i - 1] + (ys[i] - ys[i - 1]) * (x - xs[i - 1]) / span
        }
        return ys[ys.count - 1]
    }

    /// A method called on an instance (`config.padded_vocab(128)`): the file's only method of that name.
    func method(_ call: CallSite) -> PythonFacts.Function? {
        // (The receiver may be a parameter named like an import, `config`: look at the syntax.)
        guard call.function?.type == "attribute" else { return nil }
        let candidates = facts.function(named: call.name).filter { $0.parameters.first == "self" }
        return candidates.count == 1 ? candidates[0] : nil
    }

    /// The item protocol called as a method on a list the run holds: `tuple.__getitem__(self, k)` / `list.__len__(self)`
    /// (the unbound method, the sequence first), `super().__getitem__(k)` (the run's `self`), `self.half.__getitem__(k)`.
    /// Nil for other calls, or when the sequence or the index is unknown.
    func sequenceProtocol(_ call: CallSite, _ env: [String: ScriptValue], _ depth: Int) -> ScriptValue? {
        guard call.name == "__getitem__" || call.name == "__len__", let function = call.function, function.type == "attribute",
              let object = function.child(byField: "object").map({ facts.unwrapped($0) }) else { return nil }
        var operands = call.positional
        let sequence: ScriptValue?
        if object.type == "identifier", ["tuple", "list"].contains(object.text), env[object.text] == nil {
            guard !operands.isEmpty else { return nil }
            sequence = eval(operands.removeFirst(), env, depth)
        } else if object.type == "call", object.child(byField: "function")?.text == "super" {
            sequence = env["self"]
        } else {
            sequence = eval(object, env, depth)
        }
        guard case .tuple(let items)? = sequence else { return nil }
        if call.name == "__len__" { return operands.isEmpty ? .number(Double(items.count)) : nil }
        guard operands.count == 1 else { return nil }
        return eval(operands[0], env, depth)?.number.flatMap { Self.position($0, count: items.count) }.map { items[$0] }
    }

    /// Runs a method of the file on positional numbers with the state of the object it runs on bound beforehand
    /// (`self` for an object that is itself a list, `self.<field>` for a field; lists as `.tuple`): what it returns,
    /// number or not (`__getitem__` of a sequence class, see `PythonFacts.itemPosition`). Nil when unknown.
    public func call(_ function: PythonFacts.Function, _ arguments: [Double], state: [String: ScriptValue]) -> ScriptValue? {
        budget = budgetPerRun
        var bound = state
        let parameters = function.passedParameters
        guard arguments.count <= parameters.count else { return nil }
        for (index, argument) in arguments.enumerated() { bound[parameters[index]] = .number(argument) }
        return run(function, bound, 0)
    }

    /// Runs a closure the way `ScheduleUse.callable` samples it: on one step number, from a fresh budget.
    public func call(_ closure: ScriptClosure, _ step: Double) -> Double? {
        budget = budgetPerRun
        return invoke(closure, positional: [.number(step)], keywords: [:], 0)?.number
    }

    /// Runs a function of the file on positional numbers (`self` skipped) and keywords bound beforehand; nil when
    /// the result is unknown. `fields`: the numbers the object it runs on holds, by `self.<field>` (a schedule object's
    /// `__call__`, see `PythonFacts.fieldBindings(of:)`), and parameters given by name ahead of the others.
    public func call(_ function: PythonFacts.Function, _ arguments: [Double], keywords: [String: Node] = [:],
                     fields: [String: Double] = [:]) -> Double? {
        budget = budgetPerRun
        var bound: [String: ScriptValue] = fields.mapValues { .number($0) }
        let parameters = function.parameters.filter { $0 != "self" && $0 != "cls" }
        for (index, parameter) in parameters.enumerated() {
            if index < arguments.count {
                bound[parameter] = .number(arguments[index])
            } else if bound[parameter] != nil {
                // Given with the fields (a step handed to a later parameter, see `ScheduleUse.stepParameter`).
                continue
            } else if let keyword = keywords[parameter], let v = eval(keyword, [:], 0) {
                // Bound by `functools.partial(f, name=value)`, evaluated where the partial is made.
                bound[parameter] = v
            } else if let keyword = keywords[parameter], let v = facts.value(of: keyword)?.double {
                // A value the file's settings give (a parameter a configuration binds, `train.num_steps = 5100`).
                bound[parameter] = .number(v)
            } else if let value = facts.parameterDefault(function, parameter), let v = eval(value, [:], 0) {
                bound[parameter] = v
            }
        }
        return run(function, bound, 0)?.number
    }

    /// Evaluates an expression with some names bound to numbers.
    public func number(_ node: Node, bindings: [String: Double]) -> Double? {
        budget = budgetPerRun
        return eval(node, bindings.mapValues { .number($0) }, 0)?.number
    }

    /// Evaluates an expression with some names bound to numbers, keeping what is not a number (None, a tuple).
    public func value(of node: Node, bindings: [String: Double]) -> ScriptValue? {
        budget = budgetPerRun
        return eval(node, bindings.mapValues { .number($0) }, 0)
    }

    /// The closure a call's callee holds where the call stands, with nothing bound (`window_at(step)` after `window_at =
    /// quantize(linear(lo, hi, n), 64)`; see `calledClosure`). Nil when it holds none.
    public func closure(calledBy call: CallSite) -> ScriptClosure? {
        budget = budgetPerRun
        return calledClosure(call, [:], 0)
    }

    /// Runs a closure on numbers; nil when the result is no number.
    public func number(calling closure: ScriptClosure, positional: [Double], keywords: [String: Double]) -> Double? {
        budget = budgetPerRun
        return numeric(invoke(closure, positional: positional.map { .number($0) }, keywords: keywords.mapValues { .number($0) }, 0))
    }

    /// Evaluates a lambda on one number.
    public func call(lambda: Node, _ argument: Double) -> Double? {
        budget = budgetPerRun
        guard let body = lambda.child(byField: "body"),
              let parameter = facts.lambdaParameters(lambda).first else { return nil }
        return eval(body, [parameter: .number(argument)], 0)?.number
    }

    func numeric(_ value: ScriptValue?) -> Double? {
        switch value {
        case .number(let d)?: return d
        case .string(let s)?: return Double(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    /// `next(body for x in range(...) if condition)`.
    func firstYield(_ generator: Node, _ env: [String: ScriptValue], _ depth: Int) -> ScriptValue? {
        guard generator.type == "generator_expression", let body = generator.namedChildren.first,
              let clause = generator.namedChildren.first(where: { $0.type == "for_in_clause" }),
              let target = clause.child(byField: "left"), target.type == "identifier",
              let iterable = clause.child(byField: "right"), let bounds = rangeBounds(iterable, env, depth) else { return nil }
        let conditions = generator.namedChildren.filter { $0.type == "if_clause" }.compactMap { $0.namedChildren.first }
        var i = bounds.start
        var count = 0
        while bounds.step > 0 ? i < bounds.stop : i > bounds.stop {
            count += 1
            guard count < 20_000, budget > 0 else { return nil }
            var inner = env
            inner[target.text] = .number(i)
            var ok = true
            for condition in conditions {
                guard let c = eval(condition, inner, depth) else { return nil }
                if !c.truthy { ok = false; break }
            }
            if ok { return eval(body, inner, depth) }
            i += bounds.step
        }
        return nil
    }

    /// `range(...)`, or `range(...)[::k]`.
    func rangeBounds(_ node: Node, _ env: [String: ScriptValue], _ depth: Int) -> (start: Double, stop: Double, step: Double)? {
        if node.type == "call" { return range(facts.callSite(node), env, depth) }
        guard node.type == "subscript", let value = node.child(byField: "value"), value.type == "call",
              let base = range(facts.callSite(value), env, depth),
              let slice = node.child(byField: "subscript"), slice.type == "slice" else { return nil }
        // Only a step: range(...)[::k].
        let parts = slice.children
        let colons = parts.filter { $0.type == ":" }.count
        let named = slice.namedChildren
        guard colons == 2, named.count == 1, parts.last == named.first, let k = eval(named[0], env, depth)?.number, k > 0 else { return nil }
        return (base.start, base.stop, base.step * k)
    }

    func range(_ call: CallSite, _ env: [String: ScriptValue], _ depth: Int) -> (start: Double, stop: Double, step: Double)? {
        guard call.callee == "range" else { return nil }
        let values = call.positional.map { eval($0, env, depth)?.number }
        guard !values.contains(where: { $0 == nil }) else { return nil }
        let v = values.map { $0! }
        switch v.count {
        case 1: return (0, v[0], 1)
        case 2: return (v[0], v[1], 1)
        case 3: return v[2] == 0 ? nil : (v[0], v[1], v[2])
        default: return nil
        }
    }

    // MARK: Statements

    func run(_ function: PythonFacts.Function, _ arguments: [String: ScriptValue], _ depth: Int) -> ScriptValue? {
        // A function decorators of the file wrap runs their outermost wrapper (see `InterpreterDecorators.swift`).
        let wrappers = facts.decoratorApplications(wrapping: function)
        if !wrappers.isEmpty { return runWrapped(function, wrappers, level: wrappers.count - 1, arguments, depth) }
        return runBody(function, arguments, depth)
    }

    /// Runs the function's own body, whatever decorates it.
    func runBody(_ function: PythonFacts.Function, _ arguments: [String: ScriptValue], _ depth: Int) -> ScriptValue? {
        guard depth < 20, let body = function.body else { return nil }
        var env = arguments
        // A generator function (`def layout(n, k): for i in range(n): yield i if i < k else None`): the values its run
        // yields, in order, as a list; what iterates it (`list(...)`, a `for`, a comprehension) reads that list.
        if facts.isGenerator(function) {
            yielded.append([])
            defer { yielded.removeLast() }
            switch exec(body, &env, depth + 1) {
            case .normal, .returned: return .tuple(yielded[yielded.count - 1])
            case .unknown: return nil
            }
        }
        if case .returned(let v) = exec(body, &env, depth + 1) { return v }
        return nil
    }

    /// Whether every read of a local after the statement that sets it, in its function, only stores it in a list: the
    /// value of an item assignment (`out[k] = t`) or the item of `append` / `insert` (`out.append(t)`). False when the
    /// function reads it otherwise, or does not read it at all.
    func onlyStoredAfter(_ name: Node, in statement: Node) -> Bool {
        guard let scope = facts.enclosingFunction(statement)?.node else { return false }
        let reads = facts.uses(of: name.text, in: scope).filter { use in
            guard use.startByte >= statement.endByte else { return false }
            // A later assignment of the name is no read.
            if let parent = use.parent, parent.type == "assignment", parent.child(byField: "left") == use { return false }
            return true
        }
        return !reads.isEmpty && reads.allSatisfy { use in
            guard let parent = use.parent else { return false }
            if parent.type == "assignment", parent.child(byField: "right") == use,
               parent.child(byField: "left").map(facts.unwrapped)?.type == "subscript" { return true }
            if parent.type == "argument_list", let call = parent.parent, call.type == "call",
               ["append", "insert", "appendleft"].contains(facts.callSite(call).name) { return true }
            return false
        }
    }

    func exec(_ block: Node, _ env: inout [String: ScriptValue], _ depth: Int) -> Outcome {
        for statement in block.namedChildren {
            let outcome = execute(statement, &env, depth)
            if case .normal = outcome { continue }
            return outcome
        }
        return .normal
    }

    func execute(_ statement: Node, _ env: inout [String: ScriptValue], _ depth: Int) -> Outcome {
        budget -= 1
        guard budget > 0 else { return .unknown }
        switch statement.type {
        case "comment", "pass_statement", "assert_statement", "global_statement", "nonlocal_statement",
             "class_definition", "decorated_definition", "import_statement", "import_from_statement":
            return .normal
        case "function_definition":
            bindDefinition(statement, &env)
            return .normal
        case "return_statement":
            guard let value = statement.namedChild(0) else { return .returned(.none) }
            guard let v = eval(value, env, depth) else { return .unknown }
            return .returned(closingOver(v, env, in: statement))
        case "expression_statement":
            guard let expression = statement.namedChild(0) else { return .normal }
            if expression.type == "assignment" {
                guard let left = expression.child(byField: "left"), let right = expression.child(byField: "right") else { return .unknown }
                let computed = eval(right, env, depth)
                // `slots[k] = v` / `self.slots[k] = v` on a list of the run replaces that item (see `assignItem`).
                if let written = assignItem(left, computed, &env, depth) { return written ? .normal : .unknown }
                guard let v = computed else {
                    // `a = self.args`: an alias of an object, not a number. Its attributes (`a.warmup`) are read by
                    // name where they are set, so the run goes on without binding it.
                    if left.type == "identifier", facts.isReferenceChain(right), right.type == "attribute" { return .normal }
                    // `t = self.embed[k](idx)`: a call's result the run cannot compute (a tensor, a module's output), that
                    // the function only stores afterwards (`out[k] = t`, see `assignItem`; `out.append(t)`). The run goes
                    // on with the name unbound; anything else that reads it could need its value, and stops the run here.
                    if left.type == "identifier", facts.unwrapped(right).type == "call", onlyStoredAfter(left, in: statement) {
                        env[left.text] = nil
                        return .normal
                    }
                    return .unknown
                }
                // `t[a:b] = v` on a table (or a list) of the run writes its entries.
                if let written = assignTable(left, v, &env, depth) { return written ? .normal : .unknown }
                guard bind(left, v, &env) else { return .unknown }
                noteTableView(left, right, &env, depth)
            } else if expression.type == "yield" {
                // Inside a generator's run: what it yields (`yield from xs`: each item of `xs`).
                guard !yielded.isEmpty else { return .unknown }
                guard let value = expression.namedChild(0) else {
                    yielded[yielded.count - 1].append(.none)
                    return .normal
                }
                guard let v = eval(value, env, depth) else { return .unknown }
                if expression.children.contains(where: { $0.type == "from" }) {
                    guard case .tuple(let items) = v else { return .unknown }
                    yielded[yielded.count - 1] += items
                } else {
                    yielded[yielded.count - 1].append(v)
                }
                guard yielded[yielded.count - 1].count <= 10_000 else { return .unknown }
            } else if expression.type == "call" {
                return mutate(facts.callSite(expression), &env, depth)
            } else if expression.type == "augmented_assignment" {
                if let left = expression.child(byField: "left"), case .tuple(let items)? = env[left.text],
                   expression.child(byField: "operator")?.type == "+=" {
                    // `layers += [x]` on a list of the run.
                    guard let right = expression.child(byField: "right"), case .tuple(let more)? = eval(right, env, depth) else { return .unknown }
                    env[left.text] = .tuple(items + more)
                    return .normal
                }
                guard let left = expression.child(byField: "left"), left.type == "identifier",
                      let right = expression.child(byField: "right"), let op = expression.child(byField: "operator")?.type,
                      let a = (env[left.text] ?? eval(left, env, depth))?.number, let b = eval(right, env, depth)?.number,
                      let r = PythonArithmetic.binary(String(op.dropLast()), a, b) else { return .unknown }
                env[left.text] = .number(r)
            }
            return .normal
        case "if_statement":
            var clauses: [(Node?, Node?)] = [(statement.child(byField: "condition"), statement.child(byField: "consequence"))]
            for child in statement.namedChildren {
                if child.type == "elif_clause" {
                    clauses.append((child.child(byField: "condition"), child.child(byField: "consequence")))
                } else if child.type == "else_clause" {
                    clauses.append((nil, child.child(byField: "body")))
                }
            }
            for (condition, body) in clauses {
                if let condition {
                    guard let c = eval(condition, env, depth) else { return .unknown }
                    if !c.truthy { continue }
                }
                guard let body else { return .unknown }
                return exec(body, &env, depth)
            }
            return .normal
        case "match_statement":
            guard let match = MatchStatement(statement), let subject = eval(match.subject, env, depth) else { return .unknown }
            let outer = env
            // A member of an enumeration runs as its value, in the subject and in a pattern naming it (`case Pad.TO_128:`).
            let selection = match.select(subject, equals: { v, pattern in eval(facts.enumerationPatternValue(pattern) ?? pattern, outer, depth).map { $0 == v } },
                                         elements: { v in if case .tuple(let items) = v { items } else { nil } },
                                         holds: { condition, bound in eval(condition, outer.merging(bound) { $1 }, depth)?.truthy })
            switch selection {
            case .unknown: return .unknown
            case .noMatch: return .normal
            case .selected(let chosen, let bound):
                env.merge(bound) { $1 }
                return exec(chosen.body, &env, depth)
            }
        case "for_statement":
            guard let target = statement.child(byField: "left"), let iterable = statement.child(byField: "right"),
                  let body = statement.child(byField: "body") else { return .unknown }
            guard target.type == "identifier", iterable.type == "call", let bounds = range(facts.callSite(iterable), env, depth) else {
                // Over a list the run computes (`for (x0, y0), (x1, y1) in zip(table, table[1:])`, `for i, w in
                // enumerate(ws)`): each item bound to the target, patterns unpacked. A `for ... else` is not run.
                guard statement.child(byField: "alternative") == nil, case .tuple(let items)? = iterated(iterable, env, depth) else {
                    return .unknown
                }
                for item in items {
                    guard bind(target, item, &env) else { return .unknown }
                    let outcome = exec(body, &env, depth)
                    if case .normal = outcome { continue }
                    return outcome
                }
                return .normal
            }
            var i = bounds.start
            var count = 0
            while bounds.step > 0 ? i < bounds.stop : i > bounds.stop {
                count += 1
                guard count < 10_000 else { return .unknown }
                env[target.text] = .number(i)
                let outcome = exec(body, &env, depth)
                if case .normal = outcome { i += bounds.step; continue }
                return outcome
            }
            return .normal
        case "while_statement":
            // `while after % multiple != 0: after += 1`: run while the condition holds, a bounded number of times.
            guard let condition = statement.child(byField: "condition"), let body = statement.child(byField: "body"),
                  statement.child(byField: "alternative") == nil else { return .unknown }
            var count = 0
            while true {
                guard let c = eval(condition, env, depth) else { return .unknown }
                if !c.truthy { return .normal }
                count += 1
                guard count < 10_000 else { return .unknown }
                let outcome = exec(body, &env, depth)
                if case .normal = outcome { continue }
                return outcome
            }
        default:
            return .unknown
        }
    }

    /// A call made for its effect. On a list of the run, `append`, `extend` and `insert` change it: an appended
    /// element the interpreter cannot compute is `.opaque` (a tensor, a module), an appended `None` stays None.
    /// Any other call on a list of the run makes it unknown; calls on anything else change nothing it tracks.
    func mutate(_ call: CallSite, _ env: inout [String: ScriptValue], _ depth: Int) -> Outcome {
        // A table of the run changed in place (`t.fill_(v)`, `t.narrow(0, a, n).copy_(x)`, see `TensorTables.swift`).
        if let outcome = mutateTable(call, &env, depth) { return outcome }
        guard let receiver = call.receiver, receiver.type == "identifier", case .tuple(var items)? = env[receiver.text] else {
            return .normal
        }
        let args = call.positional
        switch (call.name, args.count) {
        case ("append", 1):
            items.append(eval(args[0], env, depth) ?? .opaque)
        case ("extend", 1):
            guard case .tuple(let more)? = eval(args[0], env, depth) else { return .unknown }
            items += more
        case ("insert", 2):
            guard let at = eval(args[0], env, depth)?.number, at == at.rounded(), Swift.abs(at) < 1e6 else { return .unknown }
            let index = Int(at) < 0 ? Swift.max(items.count + Int(at), 0) : Swift.min(Int(at), items.count)
            items.insert(eval(args[1], env, depth) ?? .opaque, at: index)
        default:
            return .unknown
        }
        env[receiver.text] = .tuple(items)
        return .normal
    }

    /// The statement holding a list's (or tuple's) literal (`layers = []`, `list()`, `codes = ()`), when calls or
    /// statements grow it (`layers.append(...)`, `codes += ("a", "f")`) between that literal and `use`, in the same
    /// block or below it.
    func grownList(_ name: String, from literal: Node, before use: Node) -> Node? {
        guard literal.type == "list" || literal.type == "tuple"
                || (literal.type == "call" && ["list", "tuple", "torch.nn.ModuleList"].contains(facts.callSite(literal).callee)),
              let assignment = literal.parent, assignment.type == "assignment",
              let statement = assignment.parent, statement.type == "expression_statement",
              let block = statement.parent, ["block", "module"].contains(block.type) else { return nil }
        let grows = (facts.identifiersByName[name] ?? []).contains { identifier in
            guard identifier.startByte > statement.endByte, identifier.startByte < use.startByte, facts.isInside(identifier, block),
                  let parent = identifier.parent else { return false }
            // `layer_types += ("a", "f")`, also in a loop below.
            if parent.type == "augmented_assignment" {
                return parent.child(byField: "left") == identifier && parent.child(byField: "operator")?.type == "+="
            }
            guard parent.type == "attribute", parent.child(byField: "object") == identifier,
                  let method = parent.child(byField: "attribute")?.text else { return false }
            return ["append", "extend", "insert"].contains(method) && parent.parent?.type == "call"
        }
        return grows ? statement : nil
    }

    /// Runs the statements of a block from `statement` on, up to the one holding `use` (or, with no `use`, up to a
    /// `return` of the block or its end), and reads `name` from what they leave; nil when a statement cannot run.
    func runList(_ name: String, from statement: Node, until use: Node?, _ depth: Int) -> ScriptValue? {
        guard let block = statement.parent else { return nil }
        var env: [String: ScriptValue] = [:]
        for next in block.namedChildren where next.startByte >= statement.startByte && next.type != "comment" {
            if let use, facts.isInside(use, next) { break }
            if use == nil, next.type == "return_statement" { break }
            guard case .normal = execute(next, &env, depth + 1) else { return nil }
        }
        return env[name]
    }

    /// `slots[k] = v` or `self.slots[k] = v` (a whole-number index, negative from the end) on a list the run holds by
    /// that name or field: the item replaced by any value, `.opaque` when the interpreter cannot compute it (a table,
    /// a module), so a per-layer list filled by index keeps its None entries. Whether it was written (false for an
    /// unknown or out-of-range index); nil when the target is no such item, or is a number written into a list held by
    /// a name or a view of one, which `assignTable` writes (views of tables included).
    func assignItem(_ target: Node, _ value: ScriptValue?, _ env: inout [String: ScriptValue], _ depth: Int) -> Bool? {
        guard target.type == "subscript", let container = target.child(byField: "value").map(facts.unwrapped),
              container.type == "identifier" || (container.type == "attribute" && container.child(byField: "object")?.type == "identifier"),
              let index = target.child(byField: "subscript"),
              env[Self.viewKey(container.text)] == nil, case .tuple(var items)? = env[container.text] else { return nil }
        if index.type == "slice" { return assignSlice(container.text, items, index, value, &env, depth) }
        if container.type == "identifier", value?.number != nil { return nil }
        guard let i = eval(index, env, depth)?.number, i == i.rounded(), let k = Self.position(i, count: items.count) else { return false }
        items[k] = value ?? .opaque
        env[container.text] = .tuple(items)
        return true
    }

    /// `slots[:k] = looked_up`, `slots[-k:] = tables` on a list of the run that is no table of numbers (those are
    /// `assignTable`'s): a contiguous slice takes the written items (the list grows or shrinks as in Python); a slice
    /// with a step takes as many as it selects. When what is written cannot be computed (a list of lookups), the
    /// selected entries hold something unknown (`.opaque`) and the list keeps its length. Nil for a table; false when
    /// the bounds are unknown or the lengths do not fit.
    func assignSlice(_ name: String, _ items: [ScriptValue], _ index: Node, _ value: ScriptValue?,
                     _ env: inout [String: ScriptValue], _ depth: Int) -> Bool? {
        if Self.tableNumbers(.tuple(items)) != nil { return nil }
        guard case .tuple(let picked)? = slice((0..<items.count).map { ScriptValue.number(Double($0)) }, index, env, depth) else { return false }
        let positions = picked.compactMap { $0.number.map { Int($0) } }
        var items = items
        let stepped = index.children.filter { $0.type == ":" }.count > 1
        switch value {
        case .tuple(let written)?:
            guard let first = positions.first, let last = positions.last else { return false }
            if !stepped {
                guard positions == Array(first...last) else { return false }
                items.replaceSubrange(first...last, with: written)
            } else {
                guard written.count == positions.count else { return false }
                for (k, item) in zip(positions, written) { items[k] = item }
            }
        case nil:
            for k in positions { items[k] = .opaque }
        default:
            return false
        }
        env[name] = .tuple(items)
        return true
    }

    /// The statement binding a list (`slots = [None] * n`, `self.slots = [None for _ in range(n)]`, a display) when
    /// statements after it in the same block write its items by index (`slots[k] = ...`, in a loop or a branch below)
    /// before `use` (anywhere in the block when `use` is nil), with where a run of it stops: `use`, or the first
    /// statement after the last such write (nil when that write is in the block's last statement). `name` is the
    /// target's text (`self.slots` for a field). Nil when no statement writes an item.
    func indexFilledList(_ name: String, from value: Node, before use: Node?) -> (statement: Node, end: Node?)? {
        guard ["list", "list_comprehension", "binary_operator"].contains(facts.unwrapped(value).type),
              let assignment = value.parent, assignment.type == "assignment", assignment.child(byField: "right") == value,
              assignment.child(byField: "left")?.text == name,
              let statement = assignment.parent, statement.type == "expression_statement",
              let block = statement.parent, ["block", "module"].contains(block.type) else { return nil }
        var last: Node?
        for next in block.namedChildren where next.startByte >= statement.endByte && next.type != "comment" {
            if let use, next.endByte > use.startByte { break }
            let writes = facts.descendants(of: next).contains { n in
                guard n.type == "assignment", let left = n.child(byField: "left"), left.type == "subscript",
                      let written = left.child(byField: "value") else { return false }
                return facts.unwrapped(written).text == name
            }
            if writes { last = next }
        }
        guard let last else { return nil }
        if let use { return (statement, use) }
        return (statement, block.namedChildren.first { $0.startByte >= last.endByte && $0.type != "comment" })
    }

    /// What a per-layer list holds once the statements that write its items by index have run (`self.slots = [None] *
    /// n`, then `self.slots[k] = k` and `self.slots[n - 3 + k] = k` in a loop; see `indexFilledList`): `value` is what
    /// the list is made with, `name` the target's text. Only the statements up to the last write run. Nil when none
    /// writes an item or a statement cannot run.
    public func filledList(_ name: String, madeBy value: Node) -> ScriptValue? {
        budget = budgetPerRun
        guard let filled = indexFilledList(name, from: value, before: nil) else { return nil }
        return runList(name, from: filled.statement, until: filled.end, 0)
    }

    /// How many items a module list of the file holds, for `len(model.blocks)` when the list cannot be computed: every
    /// value the data flow gives the name or field (`Dataflow.bindings(ofReference:)`; for a field with none, an entry
    /// of a container, `h=nn.ModuleList(...)` in `nn.ModuleDict(dict(...))`, `Dataflow.entryBindings`) is a
    /// `nn.ModuleList` / `nn.Sequential` / `list` / `tuple` of a display or of a comprehension whose walk the run
    /// computes (`nn.ModuleList([Block(config) for _ in range(config.n_layer)])`), or a name or field holding one
    /// (`blocks = model.transformer.h`), and all agree. Nil otherwise.
    func containerLength(_ expression: Node, _ depth: Int) -> Int? {
        let node = facts.unwrapped(expression)
        guard depth < 20, node.type == "identifier" || node.type == "attribute" else { return nil }
        var found = facts.dataflow.bindings(ofReference: node).filter { $0.kind == .value }
        if found.isEmpty, node.type == "attribute" { found = facts.dataflow.entryBindings(of: node) }
        var count: Int?
        for binding in found {
            let value = facts.unwrapped(binding.node)
            let length: Int?
            if value.type == "identifier" || value.type == "attribute" {
                length = value == node ? nil : containerLength(value, depth + 2)
            } else if value.type == "call", case let call = facts.callSite(value), !call.hasSplat,
                      ["torch.nn.ModuleList", "torch.nn.Sequential", "list", "tuple"].contains(call.callee) {
                let generator = value.child(byField: "arguments").flatMap { $0.type == "generator_expression" ? $0 : nil }
                let items = generator ?? (call.positional.count == 1 && call.keywords.isEmpty ? facts.unwrapped(call.positional[0]) : nil)
                switch items?.type {
                case "list"?, "tuple"?:
                    let parts = items!.namedChildren.filter { $0.type != "comment" }
                    length = parts.contains { $0.type == "list_splat" } ? nil : parts.count
                case "list_comprehension"?, "generator_expression"?:
                    let clauses = items!.namedChildren.filter { $0.type == "for_in_clause" || $0.type == "if_clause" }
                    if clauses.count == 1, clauses[0].type == "for_in_clause", let source = clauses[0].child(byField: "right"),
                       case .tuple(let walked)? = iterated(source, [:], depth + 1) {
                        length = walked.count
                    } else {
                        length = nil
                    }
                default:
                    length = nil
                }
            } else {
                length = nil
            }
            guard let length, count == nil || count == length else { return nil }
            count = length
        }
        return count
    }

    /// What a list the file fills by `append` holds once its block has run (up to the block's `return`):
    /// `statement` assigns it empty (`layers = []`).
    public func finalList(_ name: String, assignedBy statement: Node) -> ScriptValue? {
        budget = budgetPerRun
        return runList(name, from: statement, until: nil, 0)
    }

    func bind(_ target: Node, _ value: ScriptValue, _ env: inout [String: ScriptValue]) -> Bool {
        switch target.type {
        case "identifier":
            env[target.text] = value
            return true
        case "attribute":
            // A field of a named object (`self.slots = [None] * n`), kept by its text as reads of fields find it
            // (`self.total_steps`, see `eval`).
            guard target.child(byField: "object")?.type == "identifier" else { return false }
            env[target.text] = value
            return true
        case "pattern_list", "tuple_pattern", "list_pattern":
            guard case .tuple(let items) = value, items.count == target.namedChildren.count else { return false }
            for (part, item) in zip(target.namedChildren, items) where !bind(part, item, &env) { return false }
            return true
        default:
            return false
        }
    }
}

extension PythonFacts {
    /// Whether a setting is `__post_init__` deriving an attribute under a test of that attribute (`if not
    /// self.n_head:`, `if self.n_head is None:`, `if self.n_head == 0:`): the field's default only means "unset".
    public func isDerivedWhenUnset(_ setting: Setting) -> Bool {
        guard enclosingFunction(setting.site)?.name == "__post_init__" else { return false }
        return ancestors(of: setting.site).contains { node in
            node.type == "if_statement" && node.child(byField: "condition").map { condition in
                descendants(of: condition).contains { $0.type == "attribute" && $0.child(byField: "attribute")?.text == setting.name }
            } == true
        }
    }

    /// Whether a setting is a field the `__init__` of the class holding `read` (`self.vocab_size`) computes there
    /// (`self.vocab_size = round_up(vocab_size, 128)`), not one it copies from a parameter (`self.vocab_size =
    /// vocab_size`).
    func isComputedInInitializer(_ setting: Setting, readBy read: Node) -> Bool {
        guard setting.written == read.text, setting.source == .localAssignment,
              let function = enclosingFunction(setting.site), function.name == "__init__",
              let owner = enclosingClass(setting.site), enclosingClass(read)?.node == owner.node else { return false }
        let value = unwrapped(setting.value)
        return !(value.type == "identifier" && function.parameters.contains(value.text))
    }

    /// Whether a setting configures something a name can read: not a keyword argument given to a class of the
    /// file that has no field of that name (`Muon(params, lr=...)` does not set `args.lr`; `GPTConfig(n_head=6)`
    /// sets `config.n_head`).
    public func isConfigSetting(_ setting: Setting) -> Bool {
        guard setting.source == .override, setting.site.type == "call" else { return true }
        let owner = classBuiltByCls(setting.site)?.name ?? callSite(setting.site).name
        // A namespace (`SimpleNamespace(lr=...)`), a merged `dict(base, lr=...)` or a configuration update holds every
        // keyword it is given: only a class of the file can take one that is no field of it.
        guard classes.contains(where: { $0.name == owner }) else { return true }
        return allSettings.settings(setting.name).contains { $0.source == .classField && enclosingClass($0.site)?.name == owner }
    }

    /// The number an expression computes when the script runs on the benchmark (see `ScriptInterpreter`).
    public func interpretedNumber(_ node: Node) -> Double? { ScriptInterpreter(self).number(node) }
}
