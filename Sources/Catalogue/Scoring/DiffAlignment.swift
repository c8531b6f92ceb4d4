import SemanticDiff
import SourceModel

/// How much of what the reference changed (base -> reference) the submission changed too (base -> submission).
///
/// Each entity-level change of the reference diff counts once. It is matched by a change of the submission's
/// diff to the same entity (same qualified name, old or new) with a compatible kind (an addition by an
/// addition, a removal by a removal, anything else by a modification, rename or move that leaves the entity more
/// like the reference's version than like the base's), or, for an addition
/// the submission made under another name, by an added entity of the same kind whose code is alike (at least
/// half of its leaves in common).
public enum DiffAlignment {
    public static let similarityThreshold = 0.5

    public static func align(reference: SemanticDiffResult, submission: SemanticDiffResult) -> [TaskScore.ReferenceChange] {
        var used = Set<Int>()
        return reference.changes.map { change in
            let description = "\(change.kind.rawValue) \(change.entityKind.rawValue) \(change.entityKind == .module ? "(module level)" : change.name)"
            let candidates = submission.changes.enumerated().filter { !used.contains($0.offset) && compatible(change, $0.element) }
            if let byName = candidates.first(where: { sameEntity(change, $0.element) }) {
                // A modification counts when it moves the entity towards the reference: the submission's version
                // is more like the reference's than like the base's.
                if change.kinds.contains(.modified), let refRange = change.newRange, let baseRange = change.oldRange,
                   let subRange = byName.element.newRange {
                    let towardsReference = similarity(reference.new, refRange, submission.new, subRange)
                    let likeBase = similarity(reference.old, baseRange, submission.new, subRange)
                    guard towardsReference > likeBase else {
                        return .init(change: description, matched: false,
                                     matchedBy: "\(describe(byName.element)), but not towards the reference")
                    }
                }
                used.insert(byName.offset)
                return .init(change: description, matched: true, matchedBy: describe(byName.element))
            }
            if change.kind == .added, let range = change.newRange {
                let best = candidates.filter { $0.element.kind == .added && $0.element.entityKind == change.entityKind }
                    .compactMap { candidate -> (Int, EntityChange, Double)? in
                        guard let other = candidate.element.newRange else { return nil }
                        return (candidate.offset, candidate.element, similarity(reference.new, range, submission.new, other))
                    }
                    .max { $0.2 < $1.2 }
                if let best, best.2 >= similarityThreshold {
                    used.insert(best.0)
                    return .init(change: description, matched: true, matchedBy: describe(best.1))
                }
            }
            return .init(change: description, matched: false, matchedBy: nil)
        }
    }

    static func describe(_ change: EntityChange) -> String {
        "\(change.kind.rawValue) \(change.entityKind.rawValue) \(change.entityKind == .module ? "(module level)" : change.name)"
    }

    static func compatible(_ a: EntityChange, _ b: EntityChange) -> Bool {
        switch a.kind {
        case .added: b.kind == .added
        case .removed: b.kind == .removed
        default: b.kind != .added && b.kind != .removed
        }
    }

    static func sameEntity(_ a: EntityChange, _ b: EntityChange) -> Bool {
        guard a.entityKind == b.entityKind || Set([a.entityKind, b.entityKind]) == Set([.function, .method]) else { return false }
        let names = Set([a.name] + (a.oldName.map { [$0] } ?? []))
        return names.contains(b.name) || b.oldName.map(names.contains) == true
    }

    /// Dice coefficient of the leaf labels under two ranges of two trees.
    static func similarity(_ a: DiffSide, _ ra: SourceRange, _ b: DiffSide, _ rb: SourceRange) -> Double {
        func leaves(_ side: DiffSide, _ range: SourceRange) -> [String: Int] {
            var bag: [String: Int] = [:]
            for node in 0..<side.tree.count where side.tree.isLeaf(node) {
                let r = side.tree.byteRange[node]
                if r.lowerBound >= range.startByte && r.upperBound <= range.endByte {
                    bag["\(side.tree.kindName(node)) \(side.tree.label[node])", default: 0] += 1
                }
            }
            return bag
        }
        let x = leaves(a, ra), y = leaves(b, rb)
        let total = x.values.reduce(0, +) + y.values.reduce(0, +)
        guard total > 0 else { return 0 }
        let common = x.reduce(0) { $0 + min($1.value, y[$1.key] ?? 0) }
        return 2 * Double(common) / Double(total)
    }
}
