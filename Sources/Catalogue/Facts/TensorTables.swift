import Foundation
import Parsing
import TreeSitterKit

/// One-dimensional tensors (and numpy arrays) of numbers the script computes, held by the interpreter as a `.tuple` of
/// numbers: a table of values precomputed once and read back by index (a learning-rate table filled before training,
/// `lr_table.select(0, it).item()`).
///
/// - Made by `torch`/`numpy` `empty`, `zeros`, `ones`, `full` (one size), `*_like`, `arange`, `linspace`, `tensor` /
///   `array` of a list, `cat`/`concatenate` of tables, `where`, `clamp`/`clip`, `minimum`/`maximum`.
/// - Read by the methods `narrow(0, start, length)`, `select(0, i)`, `[i]`, `[a:b]`, `item()`, `tolist()`, and
///   computed element by element by `add`/`sub`/`mul`/`div`/`pow`/`neg`/`clamp`/`clamp_min`/`clamp_max` and by the
///   arithmetic and ordering operators with a number or a table of the same length (`+` of two tables and `*` by a
///   whole number stay a list's concatenation and repetition).
/// - Changed in place by statements (`fill_`, `copy_`, `zero_`, `clamp_`, `add_`, `mul_`, ...; `t[a:b] = v`) on the
///   table, on a view of it (`t.narrow(...)`, `t[a:b]`, `t.select(0, i)`) or on a local bound to a view made by a
///   tensor method (`tail = t.narrow(0, k, n)` then `tail.copy_(...)`, which writes `t`; `tail = t[k:]` stays a copy,
///   as for a Python list). An in-place method inside an expression
///   is followed only on a temporary (`steps.narrow(0, 0, up).add(1.0).div_(k)`); on a named table or a view of one
///   the value is unknown. An in-place method the interpreter does not know makes a run unknown.
/// Tables hold at most `tableLimit` entries; `empty` entries are unknown until written.
extension ScriptInterpreter {
    static let tableLimit = 100_000

    /// The methods that give a view of a table (writing through them writes the table).
    static let tableViewMethods: Set<String> = ["narrow", "select"]

    /// The element-wise methods on a table, in place when spelt with a trailing `_`.
    static let tableElementwise: Set<String> = ["add", "sub", "mul", "div", "pow", "neg", "clamp", "clamp_min", "clamp_max",
                                                "fill", "copy", "zero"]

    /// The rounding methods a table answers, with how each rounds.
    static let tableRounding: [String: FloatingPointRoundingRule] = [
        "round": .toNearestOrEven, "int": .towardZero, "long": .towardZero, "floor": .down, "ceil": .up,
    ]

    /// The calls that make a table.
    /// Methods a table the run computes answers (views, elementwise arithmetic, conversions, rounding).
    static let tableMethods: Set<String> = tableViewMethods.union(tableElementwise)
        .union(["item", "tolist", "clone", "detach", "float", "double", "cpu"]).union(tableRounding.keys)

    static let tableConstructors: Set<String> = {
        var names: Set<String> = []
        for module in ["torch", "numpy"] {
            for f in ["empty", "zeros", "ones", "full", "empty_like", "zeros_like", "ones_like", "full_like", "arange",
                      "linspace", "where"] { names.insert("\(module).\(f)") }
        }
        return names.union(["torch.tensor", "torch.as_tensor", "torch.cat", "torch.concat", "torch.clamp", "torch.minimum",
                            "torch.maximum", "numpy.array", "numpy.asarray", "numpy.concatenate", "numpy.clip",
                            "numpy.minimum", "numpy.maximum"])
    }()

    /// Whether an expression makes a tensor rather than a Python list, when both are held as tuples: a table
    /// constructor (`torch.linspace(...)`), a tensor method called on one (`.round()`, `.int()`; not `.tolist()`),
    /// arithmetic with one, or a name last set to one. It decides `t * 3`: a tensor scaled, a list repeated.
    func isTensorExpression(_ node: Node, _ depth: Int = 0) -> Bool {
        guard depth < 8 else { return false }
        let n = facts.unwrapped(node)
        switch n.type {
        case "call":
            let call = facts.callSite(n)
            if Self.tableConstructors.contains(call.callee) { return true }
            guard n.child(byField: "function")?.type == "attribute", call.name != "tolist", let receiver = call.receiver else { return false }
            return isTensorExpression(receiver, depth + 1)
        case "binary_operator":
            return [n.child(byField: "left"), n.child(byField: "right")].contains { $0.map { isTensorExpression($0, depth + 1) } ?? false }
        case "identifier":
            guard let value = facts.latestValue(of: n.text, before: n), value != n else { return false }
            return isTensorExpression(value, depth + 1)
        default:
            return false
        }
    }

    /// The env key under which a local bound to a view of a table records (root name, offset, length).
    static func viewKey(_ name: String) -> String { "\u{1}view:" + name }

    /// The numbers of a table (nil when it is no table or an entry is unknown).
    static func tableNumbers(_ value: ScriptValue?) -> [Double]? {
        guard case .tuple(let items)? = value else { return nil }
        var numbers: [Double] = []
        numbers.reserveCapacity(items.count)
        for item in items {
            guard case .number(let d) = item else { return nil }
            numbers.append(d)
        }
        return numbers
    }

    static func table(_ numbers: [Double]) -> ScriptValue { .tuple(numbers.map { .number($0) }) }

    /// `f` applied element by element to two operands, a number broadcast against a table; nil unless one of them is
    /// a table of numbers and the other a number or a table of the same length.
    static func elementwise(_ a: ScriptValue, _ b: ScriptValue, _ f: (Double, Double) -> Double?) -> ScriptValue? {
        switch (a, b) {
        case (.tuple, .number(let y)):
            guard let xs = tableNumbers(a) else { return nil }
            var out: [Double] = []
            for x in xs { guard let r = f(x, y) else { return nil }; out.append(r) }
            return table(out)
        case (.number(let x), .tuple):
            guard let ys = tableNumbers(b) else { return nil }
            var out: [Double] = []
            for y in ys { guard let r = f(x, y) else { return nil }; out.append(r) }
            return table(out)
        case (.tuple, .tuple):
            guard let xs = tableNumbers(a), let ys = tableNumbers(b), xs.count == ys.count else { return nil }
            var out: [Double] = []
            for (x, y) in zip(xs, ys) { guard let r = f(x, y) else { return nil }; out.append(r) }
            return table(out)
        default:
            return nil
        }
    }

    /// A whole number argument of a table call (an index, a size), within the table limit.
    func tableIndex(_ node: Node?, _ env: [String: ScriptValue], _ depth: Int) -> Int? {
        guard let node, let v = eval(node, env, depth)?.number, v == v.rounded(), Swift.abs(v) <= Double(Self.tableLimit) else { return nil }
        return Int(v)
    }

    /// A one-dimensional size: `n`, `(n,)` or `[n]`.
    func tableSize(_ node: Node?, _ env: [String: ScriptValue], _ depth: Int) -> Int? {
        guard let node, let v = eval(node, env, depth) else { return nil }
        var size: Double?
        switch v {
        case .number(let d): size = d
        case .tuple(let items) where items.count == 1: size = items[0].number
        default: size = nil
        }
        guard let n = size, n >= 0, n == n.rounded(), n <= Double(Self.tableLimit) else { return nil }
        return Int(n)
    }

    /// `clamp(min, max)` bounds, positional or by keyword (`min=`/`max=`, numpy's `a_min=`/`a_max=`); nil entries are open.
    func clampBounds(_ positional: ArraySlice<Node>, _ keywords: [String: Node], _ env: [String: ScriptValue],
                     _ depth: Int) -> (low: Double?, high: Double?)? {
        func bound(_ node: Node?) -> Double?? {
            guard let node else { return .some(nil) }
            if node.type == "none" { return .some(nil) }
            guard let v = eval(node, env, depth)?.number else { return nil }
            return .some(v)
        }
        let args = Array(positional)
        guard args.count <= 2, let low = bound(args.first ?? keywords["min"] ?? keywords["a_min"]),
              let high = bound(args.count > 1 ? args[1] as Node? : keywords["max"] ?? keywords["a_max"]) else { return nil }
        return (low, high)
    }

    /// What an element-wise method (`name` without its trailing `_`) computes from a table's current numbers; nil when
    /// it is not one or an operand is unknown.
    func tableOperation(_ name: String, _ current: [Double], _ call: CallSite, _ env: [String: ScriptValue],
                        _ depth: Int) -> [Double]? {
        let args = call.positional
        func operand() -> ScriptValue? { args.count == 1 && call.keywords.isEmpty ? eval(args[0], env, depth) : nil }
        func apply(_ op: String) -> [Double]? {
            guard let other = operand(), let r = Self.elementwise(Self.table(current), other, { PythonArithmetic.binary(op, $0, $1) }) else { return nil }
            return Self.tableNumbers(r)
        }
        switch name {
        case "add": return apply("+")
        case "sub": return apply("-")
        case "mul": return apply("*")
        case "div": return apply("/")
        case "pow": return apply("**")
        case "neg": return args.isEmpty ? current.map { -$0 } : nil
        case "zero": return args.isEmpty ? current.map { _ in 0.0 } : nil
        case "fill":
            guard let v = operand()?.number else { return nil }
            return current.map { _ in v }
        case "copy":
            switch operand() {
            case .number(let v)?: return current.map { _ in v }
            case let source?:
                guard let numbers = Self.tableNumbers(source), numbers.count == current.count else { return nil }
                return numbers
            case nil: return nil
            }
        case "clamp", "clamp_min", "clamp_max":
            guard var bounds = clampBounds(args[...], call.keywords, env, depth) else { return nil }
            if name == "clamp_max", args.count == 1 { bounds = (low: nil, high: bounds.low) }
            return current.map { x in Swift.min(Swift.max(x, bounds.low ?? x), bounds.high ?? x) }
        default: return nil
        }
    }

    /// A table made by a `torch`/`numpy` call, or computed from one by a method (see the extension's comment):
    /// `.some(value)` when the call is one of these (value nil when unknown), nil when it is not. A constructor whose
    /// table is unknown (a scalar `torch.tensor(0.5)`, a 2-D shape) is not one: the interpreter reads it as before.
    func tableCall(_ call: CallSite, _ env: [String: ScriptValue], _ depth: Int) -> ScriptValue?? {
        let args = call.positional
        let keywords = call.keywords
        func number(_ i: Int, _ keyword: String) -> Double? {
            (i < args.count ? args[i] : keywords[keyword]).flatMap { eval($0, env, depth)?.number }
        }
        if Self.tableConstructors.contains(call.callee) {
            let function = String(call.callee.split(separator: ".").last ?? "")
            switch function {
            case "empty", "zeros", "ones":
                guard args.count == 1 || (args.isEmpty && keywords["size"] != nil),
                      let n = tableSize(args.first ?? keywords["size"], env, depth) else { return nil }
                if function == "empty" { return .some(.tuple(Array(repeating: .opaque, count: n))) }
                return .some(Self.table(Array(repeating: function == "ones" ? 1.0 : 0.0, count: n)))
            case "full":
                guard let n = tableSize(args.first ?? keywords["size"], env, depth), let v = number(1, "fill_value") else { return nil }
                return .some(Self.table(Array(repeating: v, count: n)))
            case "empty_like", "zeros_like", "ones_like", "full_like":
                guard let first = args.first, case .tuple(let items)? = eval(first, env, depth) else { return nil }
                switch function {
                case "empty_like": return .some(.tuple(Array(repeating: .opaque, count: items.count)))
                case "full_like":
                    guard let v = number(1, "fill_value") else { return nil }
                    return .some(Self.table(Array(repeating: v, count: items.count)))
                default: return .some(Self.table(Array(repeating: function == "ones_like" ? 1.0 : 0.0, count: items.count)))
                }
            case "arange":
                let values = args.map { eval($0, env, depth)?.number }
                guard !values.contains(where: { $0 == nil }), (1...3).contains(values.count) else { return nil }
                let v = values.map { $0! }
                let start = v.count == 1 ? 0.0 : v[0], stop = v.count == 1 ? v[0] : v[1], step = v.count == 3 ? v[2] : 1.0
                guard step != 0 else { return nil }
                let count = Swift.max(0, ((stop - start) / step).rounded(.up))
                guard count <= Double(Self.tableLimit) else { return nil }
                return .some(Self.table((0..<Int(count)).map { start + Double($0) * step }))
            case "linspace":
                guard let start = number(0, "start"), let stop = number(1, call.callee.hasPrefix("numpy") ? "stop" : "end") else { return nil }
                let countNode: Node? = args.count > 2 ? args[2] : keywords["steps"] ?? keywords["num"]
                // numpy's default is 50 points; torch requires the count.
                let defaultCount: Int? = call.callee.hasPrefix("numpy") && countNode == nil ? 50 : nil
                guard let n = countNode.map({ tableSize($0, env, depth) }) ?? defaultCount else { return nil }
                var endpoint = true
                if let e = keywords["endpoint"] {
                    guard let v = eval(e, env, depth) else { return nil }
                    endpoint = v.truthy
                }
                let intervals = Double(endpoint ? n - 1 : n)
                return .some(Self.table((0..<n).map { i in intervals == 0 ? start : start + (stop - start) * Double(i) / intervals }))
            case "tensor", "as_tensor", "array", "asarray":
                // A number makes a 0-d tensor, which computes as the number (`torch.tensor(t / n).clamp(0, 1).item()`).
                guard args.count == 1, let v = eval(args[0], env, depth) else { return nil }
                if case .number = v { return .some(v) }
                guard Self.tableNumbers(v) != nil else { return nil }
                return .some(v)
            case "cat", "concat", "concatenate":
                if let axis = keywords["dim"] ?? keywords["axis"] ?? (args.count > 1 ? args[1] : nil) {
                    guard eval(axis, env, depth)?.number == 0 else { return nil }
                }
                guard let first = args.first, case .tuple(let parts)? = eval(first, env, depth) else { return nil }
                var numbers: [Double] = []
                for part in parts {
                    guard let more = Self.tableNumbers(part) else { return nil }
                    numbers += more
                }
                guard numbers.count <= Self.tableLimit else { return nil }
                return .some(Self.table(numbers))
            case "where":
                guard args.count == 3, let condition = eval(args[0], env, depth), let a = eval(args[1], env, depth),
                      let b = eval(args[2], env, depth), let tests = Self.tableNumbers(condition) else { return nil }
                func pick(_ v: ScriptValue, _ i: Int) -> Double? {
                    if case .number(let d) = v { return d }
                    guard case .tuple(let items) = v, items.count == tests.count else { return nil }
                    return items[i].number
                }
                var out: [Double] = []
                for (i, t) in tests.enumerated() {
                    guard let x = pick(t != 0 ? a : b, i) else { return nil }
                    out.append(x)
                }
                return .some(Self.table(out))
            case "clamp", "clip":
                guard let first = args.first, let value = eval(first, env, depth),
                      let bounds = clampBounds(args.dropFirst(), keywords, env, depth) else { return nil }
                if case .number(let x) = value { return .some(.number(Swift.min(Swift.max(x, bounds.low ?? x), bounds.high ?? x))) }
                guard let current = Self.tableNumbers(value) else { return nil }
                return .some(Self.table(current.map { x in Swift.min(Swift.max(x, bounds.low ?? x), bounds.high ?? x) }))
            case "minimum", "maximum":
                guard args.count == 2, let a = eval(args[0], env, depth), let b = eval(args[1], env, depth),
                      let r = Self.elementwise(a, b, { function == "minimum" ? Swift.min($0, $1) : Swift.max($0, $1) }) else { return nil }
                return .some(r)
            default:
                return nil
            }
        }
        // A method on a table the run computes.
        guard let receiver = call.receiver, call.function?.type == "attribute" else { return nil }
        let base = call.name.hasSuffix("_") ? String(call.name.dropLast()) : call.name
        guard Self.tableMethods.contains(base) else { return nil }
        guard let value = eval(receiver, env, depth) else { return nil }
        if case .number(let d) = value, ["item", "float", "double", "clone", "detach", "cpu"].contains(call.name), args.isEmpty {
            return .some(.number(d))
        }
        // `.round()`, `.int()`, `.long()`, `.floor()`, `.ceil()`: each entry (or a 0-d tensor) rounded as torch does
        // (`round` to the nearest even on ties, the integer casts toward zero). Not in place.
        if let rule = Self.tableRounding[call.name], args.isEmpty, call.keywords.isEmpty {
            if case .number(let x) = value { return .some(.number(x.rounded(rule))) }
            guard let numbers = Self.tableNumbers(value) else { return .some(nil) }
            return .some(Self.table(numbers.map { $0.rounded(rule) }))
        }
        // A 0-d tensor clamped by method (`torch.tensor(r).clamp(0.0, 1.0)`).
        if case .number(let x) = value, ["clamp", "clamp_min", "clamp_max"].contains(call.name),
           var bounds = clampBounds(args[...], call.keywords, env, depth) {
            if call.name == "clamp_max", args.count == 1 { bounds = (low: nil, high: bounds.low) }
            return .some(.number(Swift.min(Swift.max(x, bounds.low ?? x), bounds.high ?? x)))
        }
        guard case .tuple(let items) = value,
              Self.tableNumbers(value) != nil || ["narrow", "select", "fill_", "copy_", "zero_"].contains(call.name) else { return nil }
        switch call.name {
        case "narrow":
            guard args.count == 3, let dim = tableIndex(args[0], env, depth), dim == 0 || dim == -1,
                  var start = tableIndex(args[1], env, depth), let length = tableIndex(args[2], env, depth) else { return .some(nil) }
            if start < 0 { start += items.count }
            guard start >= 0, length >= 0, start + length <= items.count else { return .some(nil) }
            return .some(.tuple(Array(items[start..<(start + length)])))
        case "select":
            guard args.count == 2, let dim = tableIndex(args[0], env, depth), dim == 0 || dim == -1,
                  var index = tableIndex(args[1], env, depth) else { return .some(nil) }
            if index < 0 { index += items.count }
            return .some(index >= 0 && index < items.count ? items[index] : nil)
        case "tolist", "clone", "detach", "float", "double", "cpu":
            return .some(args.isEmpty ? value : nil)
        case "item":
            return .some(items.count == 1 && args.isEmpty ? items[0] : nil)
        case "copy" where args.isEmpty:
            // numpy's `a.copy()`.
            return .some(value)
        case "fill", "zero", "copy":
            // numpy's `a.fill(v)` works in place and returns None.
            return .some(nil)
        default:
            // In place inside an expression: only a temporary may be changed unseen.
            if call.name.hasSuffix("_"), !isTemporaryTable(receiver) { return .some(nil) }
            // `fill_`, `copy_` and `zero_` do not read the entries they replace (`torch.empty(n).fill_(v)`).
            guard let current = Self.tableNumbers(value) ?? (["fill", "copy", "zero"].contains(base) ? items.map { _ in 0.0 } : nil) else {
                return .some(nil)
            }
            return .some(tableOperation(base, current, call, env, depth).map { Self.table($0) })
        }
    }

    /// Whether an expression makes a new table no name holds: a call that is neither a view (`narrow`, `select`)
    /// nor a conversion that may return its receiver (`to`, `float`, `detach`, ...).
    func isTemporaryTable(_ expression: Node) -> Bool {
        let node = facts.unwrapped(expression)
        guard node.type == "call" else { return false }
        let call = facts.callSite(node)
        if Self.tableConstructors.contains(call.callee) { return true }
        let keeps: Set<String> = ["narrow", "select", "to", "float", "double", "detach", "cpu", "cuda", "view", "view_as",
                                  "reshape", "flatten", "squeeze", "unsqueeze", "contiguous", "type", "as_strided", "expand"]
        if keeps.contains(call.name) { return false }
        // An in-place method returns its receiver.
        if call.name.hasSuffix("_"), let receiver = call.receiver { return isTemporaryTable(receiver) }
        return true
    }

    /// The part of a table of the run an expression denotes: the table (`t`), a local bound to a view of it, or a
    /// view (`t.narrow(0, a, n)`, `t[a:b]`, `t[i]`, `t.select(0, i)`) of either; nil otherwise.
    func tableRegion(_ expression: Node, _ env: [String: ScriptValue], _ depth: Int) -> (root: String, offset: Int, count: Int)? {
        let node = facts.unwrapped(expression)
        switch node.type {
        case "identifier":
            if case .tuple(let view)? = env[Self.viewKey(node.text)], view.count == 3, case .string(let root) = view[0],
               let offset = view[1].number.flatMap({ Int(exactly: $0) }), let count = view[2].number.flatMap({ Int(exactly: $0) }),
               case .tuple(let items)? = env[root] {
                // A view outside the table it was taken of (the table was bound again since) denotes nothing.
                return offset >= 0 && count >= 0 && offset + count <= items.count ? (root, offset, count) : nil
            }
            guard case .tuple(let items)? = env[node.text] else { return nil }
            return (node.text, 0, items.count)
        case "call":
            let call = facts.callSite(node)
            guard let receiver = call.receiver, Self.tableViewMethods.contains(call.name), let outer = tableRegion(receiver, env, depth) else { return nil }
            let args = call.positional
            guard let dim = tableIndex(args.first, env, depth), dim == 0 || dim == -1 else { return nil }
            if call.name == "select" {
                guard args.count == 2, var index = tableIndex(args[1], env, depth) else { return nil }
                if index < 0 { index += outer.count }
                guard index >= 0, index < outer.count else { return nil }
                return (outer.root, outer.offset + index, 1)
            }
            guard args.count == 3, var start = tableIndex(args[1], env, depth), let length = tableIndex(args[2], env, depth) else { return nil }
            if start < 0 { start += outer.count }
            guard start >= 0, length >= 0, start + length <= outer.count else { return nil }
            return (outer.root, outer.offset + start, length)
        case "subscript":
            guard let value = node.child(byField: "value"), let index = node.child(byField: "subscript"),
                  let outer = tableRegion(value, env, depth) else { return nil }
            if index.type == "slice" {
                var parts: [Node?] = [nil]
                for child in index.children {
                    if child.type == ":" { parts.append(nil) } else if child.isNamed, child.type != "comment" { parts[parts.count - 1] = child }
                }
                guard parts.count <= 3, parts.count < 3 || parts[2] == nil || tableIndex(parts[2], env, depth) == 1 else { return nil }
                func clamp(_ i: Int) -> Int { Swift.min(Swift.max(i < 0 ? i + outer.count : i, 0), outer.count) }
                var start = 0, stop = outer.count
                if let s = parts[0] { guard let v = tableIndex(s, env, depth) else { return nil }; start = clamp(v) }
                if parts.count > 1, let e = parts[1] { guard let v = tableIndex(e, env, depth) else { return nil }; stop = clamp(v) }
                return (outer.root, outer.offset + start, Swift.max(0, stop - start))
            }
            guard var i = tableIndex(index, env, depth) else { return nil }
            if i < 0 { i += outer.count }
            guard i >= 0, i < outer.count else { return nil }
            return (outer.root, outer.offset + i, 1)
        default:
            return nil
        }
    }

    /// The name an expression's chain of views and method calls starts from (`t` in `t.narrow(0, a, n).copy_(x)`).
    func tableRoot(_ expression: Node) -> String? {
        var node = facts.unwrapped(expression)
        while true {
            switch node.type {
            case "identifier": return node.text
            case "call":
                guard let receiver = facts.callSite(node).receiver else { return nil }
                node = facts.unwrapped(receiver)
            case "subscript", "attribute":
                guard let inner = node.child(byField: node.type == "subscript" ? "value" : "object") else { return nil }
                node = facts.unwrapped(inner)
            default: return nil
            }
        }
    }

    /// Writes numbers into a part of a table of the run and refreshes the locals bound to views of that table.
    func writeTable(_ region: (root: String, offset: Int, count: Int), _ numbers: [Double], _ env: inout [String: ScriptValue]) -> Bool {
        guard numbers.count == region.count, case .tuple(var items)? = env[region.root],
              region.offset >= 0, region.offset + region.count <= items.count else { return false }
        for (i, x) in numbers.enumerated() { items[region.offset + i] = .number(x) }
        env[region.root] = .tuple(items)
        for key in env.keys where key.hasPrefix(Self.viewKey("")) {
            guard case .tuple(let view)? = env[key], view.count == 3, view[0] == .string(region.root),
                  let offset = view[1].number.flatMap({ Int(exactly: $0) }), let count = view[2].number.flatMap({ Int(exactly: $0) })
            else { continue }
            // A view recorded over an older, longer table (the name was bound again since) is forgotten, never read
            // past the table's end.
            guard offset >= 0, count >= 0, offset + count <= items.count else {
                env[key] = nil
                env[String(key.dropFirst(Self.viewKey("").count))] = nil
                continue
            }
            env[String(key.dropFirst(Self.viewKey("").count))] = .tuple(Array(items[offset..<(offset + count)]))
        }
        return true
    }

    /// A statement that changes a table of the run in place (`t.fill_(v)`, `t.narrow(0, a, n).copy_(x)`,
    /// `tail.clamp_(min=0)` with `tail` a view): the outcome, or nil when the call touches no table of the run.
    func mutateTable(_ call: CallSite, _ env: inout [String: ScriptValue], _ depth: Int) -> Outcome? {
        guard let receiver = call.receiver, let root = tableRoot(receiver), case .tuple? = env[root] else { return nil }
        guard call.name.hasSuffix("_") else {
            // A view or a read for nothing (`t.narrow(...)` alone) changes nothing; any other call is unknown.
            return Self.tableViewMethods.contains(call.name) || ["item", "tolist"].contains(call.name) ? .normal : nil
        }
        let base = String(call.name.dropLast())
        guard Self.tableElementwise.contains(base), let region = tableRegion(receiver, env, depth),
              case .tuple(let items)? = env[region.root], region.offset >= 0, region.count >= 0,
              region.offset + region.count <= items.count else { return .unknown }
        let part = Array(items[region.offset..<(region.offset + region.count)])
        // `fill_`, `copy_` and `zero_` do not read the entries they replace (those of `torch.empty` are unknown).
        let current = Self.tableNumbers(.tuple(part)) ?? (["fill", "copy", "zero"].contains(base) ? part.map { _ in 0.0 } : nil)
        guard let current, let numbers = tableOperation(base, current, call, env, depth), writeTable(region, numbers, &env) else {
            return .unknown
        }
        return .normal
    }

    /// After `left = right` bound a value in a run: records `left` as a view when `right` is a view method's call on a
    /// table of the run (`tail = t.narrow(0, k, n)`; a slice, `head = t[:k]`, is read as a copy), and forgets the
    /// views of a table `left` held before.
    func noteTableView(_ left: Node, _ right: Node, _ env: inout [String: ScriptValue], _ depth: Int) {
        guard left.type == "identifier" else { return }
        let name = left.text
        for key in env.keys where key.hasPrefix(Self.viewKey("")) {
            if case .tuple(let view)? = env[key], view.first == .string(name) { env[key] = nil }
        }
        env[Self.viewKey(name)] = nil
        // Only the tensor view methods: a slice of a Python list is a copy.
        let source = facts.unwrapped(right)
        guard source.type == "call", let region = tableRegion(source, env, depth), region.root != name else { return }
        env[Self.viewKey(name)] = .tuple([.string(region.root), .number(Double(region.offset)), .number(Double(region.count))])
    }

    /// `t[a:b] = v` or `t[i] = v` on a table of the run (a number is broadcast): whether it was written; nil when
    /// the target is no table of the run.
    func assignTable(_ target: Node, _ value: ScriptValue, _ env: inout [String: ScriptValue], _ depth: Int) -> Bool? {
        guard target.type == "subscript", let root = tableRoot(target), case .tuple? = env[root] else { return nil }
        guard let region = tableRegion(target, env, depth) else { return false }
        if case .number(let v) = value { return writeTable(region, Array(repeating: v, count: region.count), &env) }
        guard let numbers = Self.tableNumbers(value) else { return false }
        return writeTable(region, numbers, &env)
    }

    /// For a name a function reads without binding it (a free variable: `lr_table` in `def get_lr(it): return
    /// lr_table.select(0, it).item()` defined in the block that builds the table, at module level or under `if
    /// __name__ == "__main__":`), the value of the latest assignment before the read in the enclosing scope that binds
    /// it (`Dataflow.latestValue`); nil outside a function, for a name the function binds or takes as a parameter.
    func enclosingValue(of node: Node) -> Node? {
        guard node.type == "identifier", let function = facts.enclosingFunction(node), !function.parameters.contains(node.text),
              facts.localBindings(around: node)[node.text] == nil else { return nil }
        return facts.dataflow.latestValue(of: node.text, before: node)
    }

    /// The statement making a table (`lr_table = torch.empty(n)`) when statements change it in place (an in-place
    /// method on it or on a view of it, `t[a:b] = ...`) between it and `use`, in the same block or below it.
    func filledTable(_ name: String, from value: Node, before use: Node) -> Node? {
        guard value.type == "call", Self.tableConstructors.contains(facts.callSite(value).callee),
              let assignment = value.parent, assignment.type == "assignment", assignment.child(byField: "left")?.text == name,
              let statement = assignment.parent, statement.type == "expression_statement",
              let block = statement.parent, ["block", "module"].contains(block.type) else { return nil }
        let changed = (facts.identifiersByName[name] ?? []).contains { identifier in
            guard identifier.startByte > statement.endByte, identifier.startByte < use.startByte, facts.isInside(identifier, block),
                  let parent = identifier.parent else { return false }
            if parent.type == "attribute", parent.child(byField: "object") == identifier, let method = parent.child(byField: "attribute")?.text {
                return method.hasSuffix("_") || Self.tableViewMethods.contains(method)
            }
            return parent.type == "subscript" && parent.parent?.type == "assignment" && parent.parent?.child(byField: "left") == parent
        }
        return changed ? statement : nil
    }
}
