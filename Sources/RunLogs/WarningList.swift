/// Warnings of one run, with repeated kinds (malformed lines) capped so a damaged file of a million lines
/// gives a readable list: the first few are kept, the rest counted in one closing warning.
struct WarningList: Sendable {
    static let malformedShown = 10

    private(set) var items: [RunLogWarning] = []
    private var malformed = 0

    mutating func add(_ warning: RunLogWarning) { items.append(warning) }

    mutating func addMalformed(line: Int, _ problem: String) {
        malformed += 1
        if malformed <= Self.malformedShown { items.append(RunLogWarning(line: line, "ignored: \(problem)")) }
    }

    mutating func append(contentsOf other: WarningList) {
        for item in other.items { items.append(item) }
        malformed += other.malformed
    }

    var finished: [RunLogWarning] {
        guard malformed > Self.malformedShown else { return items }
        return items + [RunLogWarning(line: nil, "\(malformed - Self.malformedShown) more malformed lines ignored")]
    }
}
