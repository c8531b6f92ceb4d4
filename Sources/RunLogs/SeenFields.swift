/// The fields a step line has shown so far, so that one appearing twice is caught (`tel` after `val_loss`
/// counts as twice). The scanner keeps one for the whole file: the storage for the names of other fields
/// (`lr`, `norm`) is then reused from line to line instead of being allocated for each.
struct SeenFields: Sendable {
    /// Up to this many other fields are compared one by one, which is cheaper than hashing; a line with
    /// more (not a log line anyone wrote) switches to a set, so a long line still takes linear time.
    static let listedOthers = 8

    /// One bit per known field.
    private var known: UInt8 = 0
    private var others: [ArraySlice<UInt8>] = []
    private var manyOthers: Set<ArraySlice<UInt8>> = []

    mutating func removeAll() {
        known = 0
        if !others.isEmpty { others.removeAll(keepingCapacity: true) }
        if !manyOthers.isEmpty { manyOthers.removeAll(keepingCapacity: true) }
    }

    /// Adds a field with the key `bytes[key]`; false when the line had the same field already.
    mutating func insert(_ field: StepField, key: Range<Int>, in bytes: [UInt8]) -> Bool {
        let bit: UInt8
        switch field {
        case .valLoss: bit = 1
        case .trainLoss: bit = 2
        case .trainTime: bit = 4
        case .stepAvg: bit = 8
        case .other: return insertOther(bytes[key])
        }
        defer { known |= bit }
        return known & bit == 0
    }

    private mutating func insertOther(_ name: ArraySlice<UInt8>) -> Bool {
        if others.count < Self.listedOthers {
            guard !others.contains(name) else { return false }
            others.append(name)
            return true
        }
        if manyOthers.isEmpty { manyOthers = Set(others) }
        return manyOthers.insert(name).inserted
    }
}
