import Foundation
import Parsing
import TreeSitterKit

/// `linear_init_scale_0p5`: linear weights are initialized with standard deviation 0.5 / sqrt(fan_in).
///
/// Requires a weight initialization whose standard deviation is 0.5 * fan_in^-0.5 as a function of the fan-in:
/// a uniform draw (`w.uniform_(-b, b)`, `nn.init.uniform_(w, -b, b)`, `torch.empty(...).uniform_(...)`) with
/// b = sqrt(3) * std, or a normal / truncated normal with `std`. The bound is read as c * d^p, where d is the
/// fan-in (`in_features`, `weight.shape[1]`, `size(-1)`, or a width parameter) and c folds the constants
/// (`3 ** 0.5`, `math.sqrt(3)`, a gain from a constant or config), through local names, helper parameters and a
/// helper of the file that returns the bound for the fan-in it is given; it must give c = 0.5 (after removing
/// sqrt(3) for a uniform) and p = -0.5. Rejects the default init, GPT-2's fixed
/// 0.02, bounds that give another std (`0.5 * fan_in ** -0.5` without sqrt(3)), and an init that never runs (in a
/// class nothing builds or subclasses, or a helper nothing calls: `PythonFacts.mayRun`). Examples:
/// `queries/python/linear_init_scale_0p5/examples/`.
struct LinearInitScale0p5: Detector {
    let id = "linear_init_scale_0p5"

    /// c * d^power, d being the fan-in.
    struct Monomial {
        var coefficient: Double
        var power: Double
    }

    func detect(_ facts: PythonFacts) -> [Evidence] {
        facts.calls.compactMap { call -> Evidence? in
            guard let (bound, uniform) = spread(call), facts.mayRun(call.node), let m = monomial(bound, facts, depth: 0) else { return nil }
            let std = uniform ? m.coefficient / 3.0.squareRoot() : m.coefficient
            guard abs(std - 0.5) < 1e-6, abs(m.power + 0.5) < 1e-9 else { return nil }
            return facts.evidence(call.node, "weights drawn with std 0.5 / sqrt(fan_in)")
        }
    }

    /// The expression giving the spread of an init call: a uniform's upper bound, or a normal's std.
    func spread(_ call: CallSite) -> (Node, Bool)? {
        let method = call.function?.type == "attribute" && !call.callee.hasPrefix("torch.nn.init.")
        switch call.name {
        case "uniform_":
            if method { return call.argument("to", position: 1).map { ($0, true) } }
            return call.argument("b", position: 2).map { ($0, true) }
        case "normal_", "trunc_normal_":
            if method { return call.argument("std", position: 1).map { ($0, false) } }
            return call.argument("std", position: 2).map { ($0, false) }
        default:
            return nil
        }
    }

    /// An expression as c * d^p; names are followed to their local value or setting, whole numbers of at least
    /// 16 and unresolved sizes (`in_features`, `shape[i]`, `size(i)`) stand for the fan-in d. `fields` binds the
    /// fields of the object whose method is read (`self.gain` -> 0.5, see `PythonFacts.fieldBindings(of:)`).
    func monomial(_ node: Node, _ facts: PythonFacts, depth: Int, fields: [String: Double] = [:]) -> Monomial? {
        guard depth < 12 else { return nil }
        let next = depth + 1
        let node = facts.unparenthesized(node)
        switch node.type {
        case "integer", "float":
            return facts.value(of: node).map { Monomial(coefficient: $0.double, power: 0) }
        case "unary_operator":
            guard let inner = node.child(byField: "argument").flatMap({ monomial($0, facts, depth: next, fields: fields) }) else { return nil }
            return node.child(byField: "operator")?.type == "-" ? Monomial(coefficient: -inner.coefficient, power: inner.power) : inner
        case "binary_operator":
            guard let op = node.child(byField: "operator")?.type, let left = node.child(byField: "left"),
                  let right = node.child(byField: "right"), let l = monomial(left, facts, depth: next, fields: fields) else { return nil }
            if op == "**" {
                guard let e = facts.value(of: right)?.double ?? facts.evaluate(right) else { return nil }
                return Monomial(coefficient: pow(l.coefficient, e), power: l.power * e)
            }
            guard let r = monomial(right, facts, depth: next, fields: fields) else { return nil }
            switch op {
            case "*": return Monomial(coefficient: l.coefficient * r.coefficient, power: l.power + r.power)
            case "/": return r.coefficient == 0 ? nil : Monomial(coefficient: l.coefficient / r.coefficient, power: l.power - r.power)
            default: return nil
            }
        case "call":
            let call = facts.callSite(node)
            if ["sqrt", "rsqrt"].contains(call.name), let inner = call.positional.first ?? call.receiver,
               let m = monomial(inner, facts, depth: next, fields: fields) {
                let e = call.name == "sqrt" ? 0.5 : -0.5
                return Monomial(coefficient: pow(m.coefficient, e), power: m.power * e)
            }
            if ["float", "int"].contains(call.callee), let inner = call.positional.first { return monomial(inner, facts, depth: next, fields: fields) }
            if call.name == "size" { return Monomial(coefficient: 1, power: 1) }
            // A helper of the file given the fan-in alone (`b = uniform_bound(self.in_features)`): what it returns.
            if let function = facts.calledFunction(call), call.positional.count == 1, call.keywords.isEmpty, !call.hasSplat,
               let argument = monomial(call.positional[0], facts, depth: next, fields: fields), argument.coefficient == 1, argument.power == 1,
               let body = function.body {
                let returned = facts.descendants(of: body).filter {
                    $0.type == "return_statement" && facts.enclosingFunction($0)?.node == function.node
                }.compactMap { $0.namedChild(0) }
                if returned.count == 1 { return monomial(returned[0], facts, depth: next, fields: fields) }
            }
            // A method of an object the file builds, given the fan-in alone (`INIT.half_width(self.in_features)`
            // with `INIT = HiddenInit()`, see `PythonFacts.objectCalls`): what it returns with that object's fields
            // bound; every object the receiver may hold must give the same bound.
            let objects = facts.objectCalls(call)
            if !objects.isEmpty, call.positional.count == 1, call.keywords.isEmpty, !call.hasSplat,
               let argument = monomial(call.positional[0], facts, depth: next, fields: fields),
               argument.coefficient == 1, argument.power == 1 {
                let bounds = objects.map { object -> Monomial? in
                    guard object.method.passedParameters.count == 1, let body = object.method.body else { return nil }
                    let returned = facts.descendants(of: body).filter {
                        $0.type == "return_statement" && facts.enclosingFunction($0)?.node == object.method.node
                    }.compactMap { $0.namedChild(0) }
                    guard returned.count == 1 else { return nil }
                    return monomial(returned[0], facts, depth: next, fields: facts.fieldBindings(of: object.construction))
                }
                if let first = bounds.first ?? nil, bounds.allSatisfy({ bound in
                    bound.map { abs($0.coefficient - first.coefficient) < 1e-9 && abs($0.power - first.power) < 1e-9 } == true
                }) {
                    return first
                }
            }
            if let v = facts.value(of: node) { return constant(v) }
            return nil
        case "subscript":
            if let value = node.child(byField: "value"), value.type == "attribute", value.child(byField: "attribute")?.text == "shape" {
                return Monomial(coefficient: 1, power: 1)
            }
            return facts.value(of: node).map(constant)
        case "identifier", "attribute":
            if node.type == "attribute", ["in_features", "fan_in"].contains(node.child(byField: "attribute")?.text ?? "") {
                return Monomial(coefficient: 1, power: 1)
            }
            // A field of the object whose method is read.
            if node.type == "attribute", let bound = fields[node.text] {
                return constant(bound == bound.rounded() && abs(bound) < 1e15 ? .int(Int(bound)) : .float(bound))
            }
            if node.type == "identifier", let local = facts.latestValue(of: node.text, before: node), local != node {
                return monomial(local, facts, depth: next, fields: fields)
            }
            if let v = facts.value(of: node) { return constant(v) }
            // An unresolved parameter stands for a size.
            if node.type == "identifier", facts.enclosingFunction(node)?.parameters.contains(node.text) == true {
                return Monomial(coefficient: 1, power: 1)
            }
            return nil
        default:
            return nil
        }
    }

    /// A resolved number: a whole number of at least 16 is a layer width (the fan-in), anything else a constant.
    func constant(_ value: NumericValue) -> Monomial {
        if case .int(let i) = value, i >= 16 { return Monomial(coefficient: 1, power: 1) }
        return Monomial(coefficient: value.double, power: 0)
    }
}
