/// A loss value as a log printed it: a number, or `nan` / `inf` / `-inf` when training diverged.
///
/// Encoded in JSON as a number when finite and as the string `"nan"`, `"inf"` or `"-inf"` otherwise, so a
/// report never turns a diverged run into a number.
public struct Loss: Sendable, Hashable, Codable, CustomStringConvertible {
    public let value: Double

    public init(_ value: Double) { self.value = value }

    public var isFinite: Bool { value.isFinite }
    public var isNaN: Bool { value.isNaN }

    /// Two NaN losses are equal: a report compares what was logged, not IEEE arithmetic.
    public static func == (lhs: Loss, rhs: Loss) -> Bool {
        lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN)
    }

    public func hash(into hasher: inout Hasher) {
        if value.isNaN { hasher.combine(true) } else { hasher.combine(false); hasher.combine(value) }
    }

    /// Reads a loss as Python formats floats: decimal digits with an optional exponent, or `nan`, `inf`,
    /// `-inf` (any case, `infinity` too). Anything else (hexadecimal, empty, trailing text) is not a loss.
    public init?(parsing text: some StringProtocol) {
        switch text.lowercased() {
        case "nan", "+nan", "-nan": self.init(.nan)
        case "inf", "+inf", "infinity", "+infinity": self.init(.infinity)
        case "-inf", "-infinity": self.init(-.infinity)
        default:
            guard let number = Loss.decimal(text) else { return nil }
            self.init(number)
        }
    }

    /// A plain decimal number (`3.2785`, `-1`, `1e-3`); nil for anything else.
    static func decimal(_ text: some StringProtocol) -> Double? {
        guard !text.isEmpty,
              text.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || "+-.eE".unicodeScalars.contains($0) }),
              text.unicodeScalars.contains(where: { ("0"..."9").contains($0) })
        else { return nil }
        return Double(String(text))
    }

    public var description: String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        return "\(value)"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            self.init(number)
        } else {
            let text = try container.decode(String.self)
            guard let loss = Loss(parsing: text), !loss.isFinite else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a loss: \(text)")
            }
            self = loss
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if isFinite { try container.encode(value) } else { try container.encode(description) }
    }
}
