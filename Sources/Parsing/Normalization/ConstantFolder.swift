import Foundation
import TreeSitterKit

/// Evaluates Python numeric expressions made of literals, arithmetic, `math` functions and constants, and,
/// when a resolver is given, names whose value is known (module constants, config fields).
///
/// Evaluation uses an explicit stack, so `((((1))))` nested ten thousand deep is no danger. Anything it does not
/// understand (a call to an unknown function, a string, a division by zero) makes the whole expression unknown.
public struct ConstantFolder {
    /// Resolves a name (or dotted name such as `args.lr`) to a value, or nil when unknown.
    public var resolve: (String) -> NumericValue?
    /// Resolves a call target to its qualified name (import aliases applied), e.g. `m.sqrt` -> `math.sqrt`.
    public var qualify: (Node) -> String?
    /// Resolves an entry read by subscript (`lrs["head"]`, `gains[key]`) to a value, or nil when unknown.
    public var resolveEntry: (Node) -> NumericValue?
    /// Resolves an attribute read by where its object comes from (a field of a copy, `hp.lr` after `hp =
    /// cfg._replace(...)`), before it is read by name; nil to read it by name.
    public var resolveField: (Node) -> NumericValue?

    public init(imports: ImportTable, resolve: @escaping (String) -> NumericValue? = { _ in nil },
                resolveEntry: @escaping (Node) -> NumericValue? = { _ in nil },
                resolveField: @escaping (Node) -> NumericValue? = { _ in nil }) {
        self.resolve = resolve
        self.resolveEntry = resolveEntry
        self.resolveField = resolveField
        self.qualify = { imports.qualifiedName(of: $0) }
    }

    /// Callees a foldable call may have (besides the `functions` below).
    static let builtins: Set<String> = ["float", "int", "abs", "min", "max", "pow", "math.pow", "round"]

    static let functions: [String: @Sendable (Double) -> Double] = [
        "math.sqrt": { $0.squareRoot() }, "math.exp": { Foundation.exp($0) }, "math.log": { Foundation.log($0) },
        "math.log2": { Foundation.log2($0) }, "math.log10": { Foundation.log10($0) }, "math.cos": { Foundation.cos($0) },
        "math.sin": { Foundation.sin($0) }, "math.tanh": { Foundation.tanh($0) }, "numpy.sqrt": { $0.squareRoot() },
        "numpy.exp": { Foundation.exp($0) }, "numpy.log": { Foundation.log($0) },
    ]
    static let constants: [String: Double] = [
        "math.pi": Double.pi, "math.e": M_E, "numpy.pi": Double.pi, "math.inf": Double.infinity,
    ]

    private enum Frame {
        case visit(Node)
        case apply(Node, arity: Int)
    }

    /// The value of `node`, or nil when it is not a known numeric constant.
    public func evaluate(_ node: Node) -> NumericValue? {
        var frames: [Frame] = [.visit(node)]
        var values: [NumericValue] = []
        while let frame = frames.popLast() {
            switch frame {
            case .visit(let n):
                switch n.type {
                case "integer":
                    guard let v = Self.integer(n.text) else { return nil }
                    values.append(v)
                case "float":
                    let text = n.text
                    guard let d = Double(text.contains("_" as Character) ? text.replacingOccurrences(of: "_", with: "") : text) else { return nil }
                    values.append(.float(d))
                case "true": values.append(.int(1))
                case "false": values.append(.int(0))
                case "parenthesized_expression":
                    guard n.namedChildCount == 1, let inner = n.namedChild(0) else { return nil }
                    frames.append(.visit(inner))
                case "unary_operator":
                    guard let argument = n.child(byField: "argument") else { return nil }
                    frames.append(.apply(n, arity: 1))
                    frames.append(.visit(argument))
                case "binary_operator":
                    guard let left = n.child(byField: "left"), let right = n.child(byField: "right") else { return nil }
                    frames.append(.apply(n, arity: 2))
                    frames.append(.visit(right))
                    frames.append(.visit(left))
                case "call":
                    guard let function = n.child(byField: "function"), let name = qualify(function),
                          Self.functions[name] != nil || Self.builtins.contains(name),
                          let arguments = n.child(byField: "arguments"), arguments.type == "argument_list" else { return nil }
                    let args = arguments.namedChildren.filter { $0.type != "comment" }
                    // `float()` and `int()` are zero; every other function needs its arguments.
                    guard !args.isEmpty || name == "float" || name == "int",
                          args.allSatisfy({ $0.type != "keyword_argument" && !$0.type.contains("splat") })
                    else { return nil }
                    frames.append(.apply(n, arity: args.count))
                    for arg in args.reversed() { frames.append(.visit(arg)) }
                case "identifier", "attribute":
                    if let name = qualify(n), let c = Self.constants[name] {
                        values.append(.float(c))
                    } else if n.type == "attribute", let v = resolveField(n) {
                        values.append(v)
                    } else if let v = resolve(n.text) {
                        values.append(v)
                    } else {
                        return nil
                    }
                case "subscript":
                    guard let v = resolveEntry(n) else { return nil }
                    values.append(v)
                default:
                    return nil
                }
            case .apply(let n, let arity):
                guard values.count >= arity else { return nil }
                let args = Array(values.suffix(arity))
                values.removeLast(arity)
                guard let result = apply(n, args) else { return nil }
                values.append(result)
            }
        }
        return values.count == 1 ? values[0] : nil
    }

    static func integer(_ text: String) -> NumericValue? {
        if let i = Int(text) { return .int(i) }
        let t = text.replacingOccurrences(of: "_", with: "").lowercased()
        if t.hasSuffix("j") { return nil }
        let radix = t.hasPrefix("0x") ? 16 : t.hasPrefix("0o") ? 8 : t.hasPrefix("0b") ? 2 : 10
        let digits = radix == 10 ? Substring(t) : t.dropFirst(2)
        if let i = Int(digits, radix: radix) { return .int(i) }
        return Double(t).map { .float($0) }
    }

    private func apply(_ node: Node, _ args: [NumericValue]) -> NumericValue? {
        switch node.type {
        case "unary_operator":
            let op = node.child(byField: "operator")?.type ?? ""
            switch (op, args[0]) {
            case ("-", .int(let i)): return i == Int.min ? .float(-Double(i)) : .int(-i)
            case ("-", .float(let d)): return .float(-d)
            case ("+", let v): return v
            case ("~", .int(let i)): return .int(~i)
            default: return nil
            }
        case "binary_operator":
            let op = node.child(byField: "operator")?.type ?? ""
            return Self.binary(op, args[0], args[1])
        case "call":
            guard let function = node.child(byField: "function"), let name = qualify(function) else { return nil }
            switch name {
            case "float": return args.isEmpty ? .float(0) : args.count == 1 ? .float(args[0].double) : nil
            case "int": return args.isEmpty ? .int(0) : args.count == 1 ? .int(Int(args[0].double.rounded(.towardZero))) : nil
            case "round":
                // Python rounds halves to even; with a number of digits the result stays a float.
                guard let x = args.first?.double, x.isFinite, Swift.abs(x) < 1e15 else { return nil }
                if args.count == 1 { return .int(Int(x.rounded(.toNearestOrEven))) }
                guard args.count == 2, case .int(let digits) = args[1], (-15...15).contains(digits) else { return nil }
                let scale = Foundation.pow(10.0, Double(digits))
                return .float((x * scale).rounded(.toNearestOrEven) / scale)
            case "pow", "math.pow": return args.count == 2 ? Self.binary("**", args[0], args[1]).map { name == "math.pow" ? .float($0.double) : $0 } : nil
            case "abs": return args.count == 1 ? (args[0].double < 0 ? Self.binary("*", args[0], .int(-1)) : args[0]) : nil
            case "min": return args.min { $0.double < $1.double }
            case "max": return args.max { $0.double < $1.double }
            default:
                guard args.count == 1, let f = Self.functions[name] else { return nil }
                let r = f(args[0].double)
                return r.isNaN ? nil : .float(r)
            }
        default:
            return nil
        }
    }

    static func binary(_ op: String, _ a: NumericValue, _ b: NumericValue) -> NumericValue? {
        if case .int(let x) = a, case .int(let y) = b {
            switch op {
            case "+": let (r, o) = x.addingReportingOverflow(y); return o ? .float(Double(x) + Double(y)) : .int(r)
            case "-": let (r, o) = x.subtractingReportingOverflow(y); return o ? .float(Double(x) - Double(y)) : .int(r)
            case "*": let (r, o) = x.multipliedReportingOverflow(by: y); return o ? .float(Double(x) * Double(y)) : .int(r)
            case "//": return y == 0 ? nil : .int(Int((Double(x) / Double(y)).rounded(.down)))
            case "%": return y == 0 ? nil : .int(((x % y) + y) % y)
            case "**":
                if y >= 0 {
                    var result = 1, overflow = false
                    for _ in 0..<min(y, 64) {
                        let (r, o) = result.multipliedReportingOverflow(by: x)
                        result = r
                        overflow = overflow || o
                    }
                    if !overflow && (y <= 64 || x == 0 || x == 1) { return .int(result) }
                }
                return .float(Foundation.pow(Double(x), Double(y)))
            case "<<": return (y >= 0 && y < 63) ? .int(x << y) : nil
            case ">>": return y >= 0 ? .int(x >> min(y, 63)) : nil
            default: break
            }
        }
        let x = a.double, y = b.double
        switch op {
        case "+": return .float(x + y)
        case "-": return .float(x - y)
        case "*": return .float(x * y)
        case "/": return y == 0 ? nil : .float(x / y)
        case "//": return y == 0 ? nil : .float((x / y).rounded(.down))
        case "**":
            let r = Foundation.pow(x, y)
            return r.isNaN ? nil : .float(r)
        default: return nil
        }
    }
}
