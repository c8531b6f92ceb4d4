import Foundation

/// A number as Python computes it: integers stay exact until they overflow, everything else is a double.
public enum NumericValue: Sendable, Equatable, CustomStringConvertible {
    case int(Int)
    case float(Double)

    public var double: Double {
        switch self {
        case .int(let i): Double(i)
        case .float(let d): d
        }
    }

    /// Canonical spelling: exact integers as digits, floats rounded to 12 significant digits (so `2 * 0.0009`
    /// and `0.0018` read the same) in the shortest form that round-trips.
    public var description: String {
        switch self {
        case .int(let i):
            return String(i)
        case .float(let d):
            guard d.isFinite else { return d.isNaN ? "nan" : (d < 0 ? "-inf" : "inf") }
            let rounded = Double(String(format: "%.12g", d)) ?? d
            if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int(rounded)) + ".0" }
            return String(rounded)
        }
    }

    /// Whether two values are equal up to the 12 significant digits the canonical spelling keeps.
    public func isClose(to other: NumericValue) -> Bool {
        if case .int(let a) = self, case .int(let b) = other { return a == b }
        let a = double, b = other.double
        if a == b { return true }
        return abs(a - b) <= 1e-12 * max(abs(a), abs(b))
    }
}
