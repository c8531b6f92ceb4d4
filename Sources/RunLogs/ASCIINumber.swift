/// Numbers read straight from a line's bytes, with the same results as the standard library's
/// `Int(String)` and `Double(String)` on the same text, but without making a `String` in the usual case.
enum ASCIINumber {
    /// A whole number as `Int(String)` reads it: an optional `+` or `-`, then decimal digits, no overflow.
    static func integer(_ bytes: [UInt8], _ range: Range<Int>) -> Int? {
        var index = range.lowerBound
        var negative = false
        if index < range.upperBound, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        guard index < range.upperBound else { return nil }
        var value = 0
        while index < range.upperBound {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (scaled, overflowScaling) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowAdding) = negative ? scaled.subtractingReportingOverflow(Int(digit))
                                                  : scaled.addingReportingOverflow(Int(digit))
            guard !overflowScaling, !overflowAdding else { return nil }
            value = next
            index += 1
        }
        return value
    }

    /// A plain decimal number (`3.2785`, `-1`, `1e-3`): only digits, signs, `.`, `e` and `E`, at least one
    /// digit, and read as `Double(String)` reads the text (nil when it does not read, `inf` beyond the range).
    static func decimal(_ bytes: [UInt8], _ range: Range<Int>) -> Double? {
        var hasDigit = false
        for index in range {
            let byte = bytes[index]
            if ASCII.isDigit(byte) {
                hasDigit = true
            } else if byte != UInt8(ascii: "."), byte != UInt8(ascii: "+"), byte != UInt8(ascii: "-"),
                      byte != UInt8(ascii: "e"), byte != UInt8(ascii: "E") {
                return nil
            }
        }
        guard hasDigit else { return nil }
        return exactlyRepresented(bytes, range) ?? Double(ASCII.text(bytes, range))
    }

    /// `[sign] digits [. digits] [e [sign] digits]` when both its digits (as a whole number, at most 2^53)
    /// and its power of ten (at most 10^22) are exact doubles: one multiplication or division then rounds
    /// correctly, so the result is the one `Double(String)` gives. nil for anything else; the caller then
    /// falls back to `Double(String)`.
    private static func exactlyRepresented(_ bytes: [UInt8], _ range: Range<Int>) -> Double? {
        var index = range.lowerBound
        let end = range.upperBound
        var negative = false
        if index < end, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var significand: UInt64 = 0
        var exponent = 0
        var digits = 0
        var inFraction = false
        while index < end {
            let byte = bytes[index]
            if ASCII.isDigit(byte) {
                significand = significand &* 10 &+ UInt64(byte &- UInt8(ascii: "0"))
                guard significand <= maxExactSignificand else { return nil }
                if inFraction { exponent -= 1 }
                digits += 1
            } else if byte == UInt8(ascii: "."), !inFraction {
                inFraction = true
            } else {
                break
            }
            index += 1
        }
        guard digits > 0 else { return nil }
        if index < end, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var exponentNegative = false
            if index < end, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < end else { return nil }
            var written = 0
            while index < end, ASCII.isDigit(bytes[index]) {
                written = written * 10 + Int(bytes[index] &- UInt8(ascii: "0"))
                guard written <= 1000 else { return nil }
                index += 1
            }
            exponent += exponentNegative ? -written : written
        }
        guard index == end, exponent >= -22, exponent <= 22 else { return nil }
        let magnitude = exponent < 0 ? Double(significand) / powersOfTen[-exponent]
                                     : Double(significand) * powersOfTen[exponent]
        return negative ? -magnitude : magnitude
    }

    private static let maxExactSignificand: UInt64 = 1 << 53
    /// 10^0 ... 10^22, every one exactly a double.
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]
}
