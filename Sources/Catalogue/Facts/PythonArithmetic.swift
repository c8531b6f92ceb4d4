import Foundation

/// Python's arithmetic and comparison operators on numbers, as every evaluator of the facts applies them: floor
/// division and modulo round towards negative infinity, division by zero and results that are not finite give no
/// value, shifts act on the number's integer value, bitwise operators on integers only.
enum PythonArithmetic {
    /// A unary operator on a number: `-x`, `+x`, and `~x` on an integer (`-x - 1`); nil for `~` on a fraction.
    static func unary(_ op: String?, _ v: Double) -> Double? {
        switch op {
        case "-": return -v
        case "~": return v == v.rounded() && Swift.abs(v) < 1e15 ? -v - 1 : nil
        default: return v
        }
    }

    /// The `operator` module's two-operand functions, by qualified name, with the operator each applies.
    static let operatorFunctions: [String: String] = [
        "operator.add": "+", "operator.sub": "-", "operator.mul": "*", "operator.truediv": "/", "operator.floordiv": "//",
        "operator.mod": "%", "operator.pow": "**", "operator.lshift": "<<", "operator.rshift": ">>", "operator.and_": "&",
        "operator.or_": "|", "operator.xor": "^",
    ]

    static func binary(_ op: String, _ a: Double, _ b: Double) -> Double? {
        let result: Double
        switch op {
        case "+": result = a + b
        case "-": result = a - b
        case "*": result = a * b
        case "/": guard b != 0 else { return nil }; result = a / b
        case "//": guard b != 0 else { return nil }; result = (a / b).rounded(.down)
        case "%": guard b != 0 else { return nil }; result = a - b * (a / b).rounded(.down)
        case "**": result = Foundation.pow(a, b)
        case "<<": result = a * Foundation.pow(2, b)
        case ">>": result = (a / Foundation.pow(2, b)).rounded(.down)
        case "&", "|", "^":
            // Bitwise on integers (`(v + 127) & ~127` rounds up to a multiple of 128).
            guard a == a.rounded(), b == b.rounded(), Swift.abs(a) < 1e15, Swift.abs(b) < 1e15 else { return nil }
            let x = Int64(a), y = Int64(b)
            result = Double(op == "&" ? x & y : op == "|" ? x | y : x ^ y)
        default: return nil
        }
        return result.isFinite ? result : nil
    }

    static func compare(_ op: String, _ a: Double, _ b: Double) -> Bool? {
        switch op {
        case "<": a < b
        case "<=": a <= b
        case ">": a > b
        case ">=": a >= b
        case "==", "is": a == b
        case "!=", "is not": a != b
        default: nil
        }
    }
}
