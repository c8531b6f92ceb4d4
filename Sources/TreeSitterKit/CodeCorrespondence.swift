/// Two versions of a file that hold the same code, and where each node of the old version now lies.
///
/// "The same code" means: apart from nodes of the ignored types (comments), both trees have the same nodes, with
/// the same types, nested the same way, and every leaf has the same text. Only the ignored nodes and the
/// whitespace between tokens may differ, as when a comment line is added, edited or removed, or code is
/// re-indented without changing its blocks. An analysis of the old version then holds for the new one, with its
/// ranges moved (`newRange(for:)`). Trees with syntax errors never correspond: error recovery can give equal
/// trees for different code.
public struct CodeCorrespondence: Sendable {
    /// Start bytes of the compared nodes in the old tree (ascending: document order), and where each now starts.
    private let oldStarts: [UInt32]
    private let newStarts: [UInt32]
    /// End bytes of the compared nodes in the old tree (ascending) and the matching new ends.
    private let oldEnds: [UInt32]
    private let newEnds: [UInt32]

    /// nil when the two trees do not hold the same code.
    public init?(old: Tree, new: Tree, ignoring ignored: Set<String>) {
        guard old.language == new.language, !old.rootNode.hasError, !new.rootNode.hasError else { return nil }
        let a = old.table, b = new.table
        // One language, so one set of ignored symbols.
        let skip = Self.symbols(named: ignored, in: old)
        // Position in the new tree of each compared old node, for checking that parents correspond.
        var counterpart = [Int32](repeating: -1, count: a.count)
        var starts: [(UInt32, UInt32)] = [], ends: [(UInt32, UInt32)] = []
        starts.reserveCapacity(a.count)
        ends.reserveCapacity(a.count)
        var i = 0, j = 0
        while true {
            while i < a.count, skip.contains(a.symbols[i]) { i = Int(a.subtreeEnds[i]) }
            while j < b.count, skip.contains(b.symbols[j]) { j = Int(b.subtreeEnds[j]) }
            if i == a.count || j == b.count { break }
            guard a.symbols[i] == b.symbols[j], a.named[i] == b.named[j] else { return nil }
            let parentA = a.parents[i], parentB = b.parents[j]
            guard parentA < 0 ? parentB < 0 : counterpart[Int(parentA)] == parentB else { return nil }
            let startA = a.startBytes[i], endA = a.endBytes[i], startB = b.startBytes[j], endB = b.endBytes[j]
            if a.childCounts[i] == 0 {
                guard endA - startA == endB - startB,
                      old.bytes[Int(startA)..<Int(endA)].elementsEqual(new.bytes[Int(startB)..<Int(endB)]) else { return nil }
            }
            counterpart[i] = Int32(j)
            starts.append((startA, startB))
            ends.append((endA, endB))
            i += 1
            j += 1
        }
        guard i == a.count, j == b.count else { return nil }
        ends.sort { $0.0 < $1.0 }
        (oldStarts, newStarts) = Self.unambiguous(starts)
        (oldEnds, newEnds) = Self.unambiguous(ends)
    }

    /// Sorted pairs with one entry per old byte; a byte that now maps to two places (a comment added at the
    /// start of a block moves the block's start but not its first statement's) maps to none.
    private static func unambiguous(_ pairs: [(UInt32, UInt32)]) -> ([UInt32], [UInt32]) {
        var keys: [UInt32] = [], values: [UInt32] = []
        keys.reserveCapacity(pairs.count)
        values.reserveCapacity(pairs.count)
        for (key, value) in pairs {
            if keys.last == key {
                if values[values.count - 1] != value { values[values.count - 1] = Self.ambiguous }
            } else {
                keys.append(key)
                values.append(value)
            }
        }
        return (keys, values)
    }

    private static let ambiguous = UInt32.max

    /// Where a range of the old version lies in the new one; nil unless both its ends are node boundaries.
    public func newRange(for range: Range<Int>) -> Range<Int>? {
        guard let start = Self.lookUp(range.lowerBound, oldStarts, newStarts),
              let end = Self.lookUp(range.upperBound, oldEnds, newEnds), start <= end else { return nil }
        return start..<end
    }

    private static func lookUp(_ byte: Int, _ keys: [UInt32], _ values: [UInt32]) -> Int? {
        guard byte >= 0, byte <= Int(UInt32.max) else { return nil }
        let key = UInt32(byte)
        var low = 0, high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if keys[mid] < key { low = mid + 1 } else { high = mid }
        }
        guard low < keys.count, keys[low] == key, values[low] != ambiguous else { return nil }
        return Int(values[low])
    }

    private static func symbols(named names: Set<String>, in tree: Tree) -> Set<UInt16> {
        Set(tree.symbolNames.indices.filter { names.contains(tree.symbolNames[$0]) }.map { UInt16($0) })
    }
}
