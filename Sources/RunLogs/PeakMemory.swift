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

    /// The line's reading, or nil when the line does not start with `peak memory`.
    static func read(_ line: Substring) -> Result<PeakMemory, LineProblem>? {
        guard line.prefix(12).lowercased() == "peak memory " else { return nil }
        let fields = FieldTokenizer.fields(of: line)
        guard let first = fields.first, first.key.lowercased().hasPrefix("peak memory") else { return nil }
        guard let allocated = mebibytes(first.value) else {
            return .failure(LineProblem("peak memory '\(first.value)' is not an amount in MiB or GiB"))
        }
        var reserved: Int?
        for field in fields.dropFirst() {
            guard field.key == "reserved", reserved == nil, let amount = mebibytes(field.value) else {
                return .failure(LineProblem("unexpected field '\(field.key): \(field.value)' in the peak memory line"))
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
