import Foundation

/// Python's arithmetic and comparison operators on numbers, as every evaluator of the facts applies them: floor
/// division and modulo round towards negative infinity, division by zero and results that are not finite give no
/// value, shifts act on the number's integer value.
enum PythonArithmetic {
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
