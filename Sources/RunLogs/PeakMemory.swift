/// The peak GPU memory a run reported at its end, in MiB.
///
/// Older records print `peak memory consumption: N MiB` (PyTorch's `max_memory_allocated`); newer ones print
/// `peak memory allocated: N MiB reserved: M MiB`.
public struct PeakMemory: Sendable, Hashable, Codable {
    public let allocatedMiB: Int
    /// Only newer records report the reserved peak.
    public let reservedMiB: Int?

    public init(allocatedMiB: Int, reservedMiB: Int?) {
        self.allocatedMiB = allocatedMiB
        self.reservedMiB = reservedMiB
    }

    /// The reading of the line `bytes[line]`, or nil when the line does not start with `peak memory`.
    static func read(_ bytes: [UInt8], line: Range<Int>) -> Result<PeakMemory, LineProblem>? {
        guard ASCII.hasPrefix(bytes, line, "peak memory ", ignoringCase: true) else { return nil }
        var fields = FieldCursor(line: line)
        guard let first = fields.next(in: bytes), first.keyText(in: bytes).lowercased().hasPrefix("peak memory") else { return nil }
        let amount = first.valueText(in: bytes)
        guard let allocated = mebibytes(amount) else {
            return .failure(LineProblem("peak memory '\(amount)' is not an amount in MiB or GiB"))
        }
        var reserved: Int?
        while let field = fields.next(in: bytes) {
            let key = field.keyText(in: bytes), value = field.valueText(in: bytes)
            guard key == "reserved", reserved == nil, let amount = mebibytes(value) else {
                return .failure(LineProblem("unexpected field '\(key): \(value)' in the peak memory line"))
            }
            reserved = amount
        }
        return .success(PeakMemory(allocatedMiB: allocated, reservedMiB: reserved))
    }

    /// `31563 MiB` -> 31563; `2 GiB` -> 2048.
    static func mebibytes(_ text: String) -> Int? {
        let words = text.split(separator: " ")
        guard words.count == 2, let amount = Int(words[0]), amount >= 0 else { return nil }
        switch words[1] {
        case "MiB": return amount
        case "GiB": return amount.multipliedReportingOverflow(by: 1024).overflow ? nil : amount * 1024
        default: return nil
        }
    }
}
