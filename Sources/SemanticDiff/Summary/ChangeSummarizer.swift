import SourceModel

/// Turns an edit script into entity-level changes: which classes, functions, methods, hyperparameters,
/// decorators and imports were added, removed, renamed, moved or modified, and for modifications the salient
/// details (call target replaced, argument added or removed, constant old -> new, statement added or removed,
/// identifier renamed).
///
/// Every edit action belongs to the nearest entity around the node it touches; an action inside an added or
/// removed entity is covered by that entity's addition or removal and not repeated.
public struct ChangeSummarizer {
    let old: DiffSide
    let new: DiffSide
    let mapping: Mapping
    let actions: [EditAction]

    /// Nearest entity ancestor-or-self of every node.
    var ownerOld: [Int] = []
    var ownerNew: [Int] = []
    /// Old entity -> new entity, for entities present on both sides.
    var pairs: [Int: Int] = [:]
    var pairedNew: [Int: Int] = [:]

    public static func summarize(old: DiffSide, new: DiffSide, mapping: Mapping, actions: [EditAction]) -> [EntityChange] {
        var summarizer = ChangeSummarizer(old: old, new: new, mapping: mapping, actions: actions)
        summarizer.ownerOld = Self.owners(old.tree)
        summarizer.ownerNew = Self.owners(new.tree)
        summarizer.pairEntities()
        return summarizer.changes()
    }

    static func owners(_ tree: SyntaxTree) -> [Int] {
        var owner = [Int](repeating: 0, count: tree.count)
        for node in 0..<tree.count {
            owner[node] = tree.entity[node] != nil ? node : (tree.parentOf(node).map { owner[$0] } ?? 0)
        }
        return owner
    }

    static func compatible(_ a: EntityInfo.Kind, _ b: EntityInfo.Kind) -> Bool {
        a == b || (Set([a, b]) == Set([EntityInfo.Kind.function, .method]))
    }

    // MARK: Pairing

    mutating func pairEntities() {
        guard old.tree.count > 0, new.tree.count > 0 else { return }
        pairs[0] = 0
        pairedNew[0] = 0
        for e1 in 1..<old.tree.count {
            guard let info1 = old.tree.entity[e1], let e2 = mapping.destination(of: e1),
                  let info2 = new.tree.entity[e2], Self.compatible(info1.kind, info2.kind) else { continue }
            // A new name with little of the old content left is a removal and an addition, not a rename.
            if info1.name != info2.name && unchangedShare(e1, e2) < 0.5 { continue }
            pairs[e1] = e2
            pairedNew[e2] = e1
        }
        // Entities the matcher left apart but that keep their kind and qualified name (heavily rewritten).
        func key(_ tree: SyntaxTree, _ node: Int) -> String { "\(tree.entity[node]!.kind.rawValue) \(tree.qualifiedName(node))" }
        var unpairedNew: [String: [Int]] = [:]
        for e2 in 1..<new.tree.count where new.tree.entity[e2] != nil && pairedNew[e2] == nil {
            unpairedNew[key(new.tree, e2), default: []].append(e2)
        }
        var unpairedOld: [String: [Int]] = [:]
        for e1 in 1..<old.tree.count where old.tree.entity[e1] != nil && pairs[e1] == nil {
            unpairedOld[key(old.tree, e1), default: []].append(e1)
        }
        for (k, olds) in unpairedOld {
            guard let news = unpairedNew[k] else { continue }
            for (e1, e2) in zip(olds, news) {
                pairs[e1] = e2
                pairedNew[e2] = e1
            }
        }
    }

    /// Share of the descendants of two entities that are mapped to each other with the same label.
    func unchangedShare(_ e1: Int, _ e2: Int) -> Double {
        let d1 = old.tree.descendants(of: e1), d2 = new.tree.descendants(of: e2)
        guard !d1.isEmpty || !d2.isEmpty else { return 1 }
        var same = 0
        for d in d1 {
            if let m = mapping.destination(of: d), d2.contains(m), old.tree.label[d] == new.tree.label[m] { same += 1 }
        }
        return 2 * Double(same) / Double(d1.count + d2.count)
    }

    // MARK: Changes

    struct Bucket {
        var inserts: [Int] = []
        var deletes: [Int] = []
        var updates: [(node: Int, from: String, to: String)] = []
        var moves: [Int] = []
    }

    func changes() -> [EntityChange] {
        var buckets: [Int: Bucket] = [:]
        var movedEntities = Set<Int>()
        for action in actions {
            switch action {
            case let .insert(d, parent, _):
                guard let e1 = pairedNew[ownerNew[d]], parent < 0 || mapping.isDestinationMapped(parent) else { continue }
                if new.tree.entity[d] != nil { continue }
                buckets[e1, default: Bucket()].inserts.append(d)
            case let .delete(s):
                guard pairs[ownerOld[s]] != nil, old.tree.parentOf(s).map(mapping.isSourceMapped) ?? true else { continue }
                if old.tree.entity[s] != nil { continue }
                buckets[ownerOld[s], default: Bucket()].deletes.append(s)
            case let .update(s, from, to):
                guard pairs[ownerOld[s]] != nil else { continue }
                buckets[ownerOld[s], default: Bucket()].updates.append((s, from, to))
            case let .move(s, parent, _):
                if old.tree.entity[s] != nil && pairs[s] != nil {
                    movedEntities.insert(s)
                    continue
                }
                // A node whose old parent was deleted or whose new parent was inserted was unwrapped or wrapped:
                // the deletion or insertion already says so.
                guard let p1 = old.tree.parentOf(s), mapping.isSourceMapped(p1), mapping.isDestinationMapped(parent) else { continue }
                if pairs[ownerOld[s]] != nil {
                    buckets[ownerOld[s], default: Bucket()].moves.append(s)
                }
            }
        }

        var result: [(order: (Int, Int), change: EntityChange)] = []
        for (e1, e2) in pairs {
            let info1 = old.tree.entity[e1]!, info2 = new.tree.entity[e2]!
            let renamed = info1.name != info2.name
            let parentOld = old.tree.parentOf(e1).map { ownerOld[$0] }
            let parentNew = new.tree.parentOf(e2).map { ownerNew[$0] }
            let reparented = parentOld.flatMap { pairs[$0] } != parentNew
            let moved = movedEntities.contains(e1) || reparented
            var details = buckets[e1].map { self.details(e1, e2, $0) } ?? []
            if details.isEmpty && mapping.destination(of: e1) != e2 && old.tree.hash[e1] != new.tree.hash[e2] {
                // Paired by name only: the matcher found too little in common to say what changed inside.
                details = [rewrite(e1, e2)]
            }
            var kinds: [EntityChange.Kind] = []
            if renamed { kinds.append(.renamed) }
            if moved { kinds.append(.moved) }
            if !details.isEmpty { kinds.append(.modified) }
            guard let first = kinds.first else { continue }
            let oldName = old.tree.qualifiedName(e1), newName = new.tree.qualifiedName(e2)
            result.append(((0, new.tree.byteRange[e2].lowerBound), EntityChange(
                kind: first, also: Array(kinds.dropFirst()), entityKind: info2.kind, name: newName,
                oldName: oldName == newName ? nil : oldName, oldRange: old.range(of: e1), newRange: new.range(of: e2),
                details: details)))
        }
        for e2 in 1..<new.tree.count where new.tree.entity[e2] != nil && pairedNew[e2] == nil {
            // Report only the outermost added entity.
            guard let p = new.tree.parentOf(e2), pairedNew[ownerNew[p]] != nil else { continue }
            result.append(((0, new.tree.byteRange[e2].lowerBound), EntityChange(
                kind: .added, also: [], entityKind: new.tree.entity[e2]!.kind, name: new.tree.qualifiedName(e2),
                oldName: nil, oldRange: nil, newRange: new.range(of: e2), details: [])))
        }
        for e1 in 1..<old.tree.count where old.tree.entity[e1] != nil && pairs[e1] == nil {
            guard let p = old.tree.parentOf(e1), pairs[ownerOld[p]] != nil else { continue }
            result.append(((1, old.tree.byteRange[e1].lowerBound), EntityChange(
                kind: .removed, also: [], entityKind: old.tree.entity[e1]!.kind, name: old.tree.qualifiedName(e1),
                oldName: nil, oldRange: old.range(of: e1), newRange: nil, details: [])))
        }
        return result.sorted { $0.order < $1.order }.map(\.change)
    }

    // MARK: Details

    func isCallee(_ tree: SyntaxTree, _ node: Int) -> Bool {
        guard let parent = tree.parentOf(node) else { return false }
        return tree.roles.calls.contains(tree.kindName(parent)) && tree.childIndex(node) == tree.roles.calleeIndex
    }

    func rewrite(_ e1: Int, _ e2: Int) -> ChangeDetail {
        if old.tree.entity[e1]?.kind == .assignment, let v1 = old.tree.children(of: e1).last.map(Int.init),
           let v2 = new.tree.children(of: e2).last.map(Int.init) {
            return ChangeDetail(kind: .valueChanged, old: old.snippet(of: v1), new: new.snippet(of: v2),
                                oldRange: old.range(of: v1), newRange: new.range(of: v2))
        }
        return ChangeDetail(kind: .rewritten, old: old.snippet(of: e1), new: new.snippet(of: e2),
                            oldRange: old.range(of: e1), newRange: new.range(of: e2))
    }

    /// The innermost statement around a node (an ancestor-or-self whose parent holds statements), or nil.
    func statement(_ tree: SyntaxTree, _ node: Int) -> Int? {
        var current: Int? = node
        while let c = current, let p = tree.parentOf(c) {
            if tree.roles.statementContainers.contains(tree.kindName(p)) { return c }
            current = p
        }
        return nil
    }

    /// Groups details by the statement they fall in: (old statement, new statement) as far as each exists.
    func statementKey(old s: Int?, new d: Int?) -> [Int] {
        let so = s.flatMap { statement(old.tree, $0) }, sn = d.flatMap { statement(new.tree, $0) }
        let o = so ?? sn.flatMap { mapping.source(of: $0) }
        let n = sn ?? so.flatMap { mapping.destination(of: $0) }
        return [o ?? -1, n ?? -1]
    }

    func details(_ e1: Int, _ e2: Int, _ bucket: Bucket) -> [ChangeDetail] {
        let info1 = old.tree.entity[e1]!, info2 = new.tree.entity[e2]!

        // A hyperparameter: its value, old and new, says it all.
        if info1.kind == .assignment, let v1 = old.tree.children(of: e1).last.map(Int.init),
           let v2 = new.tree.children(of: e2).last.map(Int.init), old.tree.hash[v1] != new.tree.hash[v2] {
            return [ChangeDetail(kind: .valueChanged, old: old.snippet(of: v1), new: new.snippet(of: v2),
                                 oldRange: old.range(of: v1), newRange: new.range(of: v2))]
        }

        var renames: [ChangeDetail] = []
        var renameIndex: [String: Int] = [:]
        var local: [(key: [Int], detail: ChangeDetail)] = []

        // Updates: consistent renames of a name are one detail wherever they occur; the rest are local.
        for (node, from, to) in bucket.updates {
            let kind = old.tree.kindName(node)
            if from == info1.name.lastDottedComponent, to == info2.name.lastDottedComponent { continue }
            let target = mapping.destination(of: node)
            if old.tree.roles.names.contains(kind) && !isCallee(old.tree, node) {
                let key = "\(from)\u{0}\(to)"
                if let index = renameIndex[key] {
                    renames[index].count += 1
                } else {
                    renameIndex[key] = renames.count
                    renames.append(ChangeDetail(kind: .identifierRenamed, old: from, new: to, oldRange: old.range(of: node),
                                                newRange: target.map { new.range(of: $0) }))
                }
                continue
            }
            let detailKind: ChangeDetail.Kind = old.tree.roles.literals.contains(kind) ? .constantChanged
                : old.tree.roles.names.contains(kind) ? .callTargetReplaced : .operatorChanged
            let oldText = detailKind == .operatorChanged ? from : old.snippet(of: node)
            let newText = detailKind == .operatorChanged ? to : (target.map { new.snippet(of: $0) } ?? to)
            local.append((statementKey(old: node, new: target), ChangeDetail(
                kind: detailKind, old: oldText, new: newText, oldRange: old.range(of: node),
                newRange: target.map { new.range(of: $0) })))
        }

        // Deleted and inserted subtrees at the same place are replacements.
        var insertedAt: [[Int]: Int] = [:]
        for d in bucket.inserts {
            guard let p = new.tree.parentOf(d) else { continue }
            insertedAt[[p, new.tree.childIndex(d)]] = d
        }
        var replacedInserts = Set<Int>()
        for s in bucket.deletes {
            if let p1 = old.tree.parentOf(s), let p2 = mapping.destination(of: p1),
               let d = insertedAt[[p2, old.tree.childIndex(s)]], !replacedInserts.contains(d) {
                replacedInserts.insert(d)
                let kind: ChangeDetail.Kind = isCallee(old.tree, s) ? .callTargetReplaced
                    : (old.tree.roles.literals.contains(old.tree.kindName(s)) && new.tree.roles.literals.contains(new.tree.kindName(d)))
                    ? .constantChanged : .expressionReplaced
                local.append((statementKey(old: s, new: d), ChangeDetail(
                    kind: kind, old: old.snippet(of: s), new: new.snippet(of: d), oldRange: old.range(of: s),
                    newRange: new.range(of: d))))
                continue
            }
            let parentKind = old.tree.parentOf(s).map { old.tree.kindName($0) } ?? ""
            let kind: ChangeDetail.Kind = old.tree.roles.argumentLists.contains(parentKind) ? .argumentRemoved
                : old.tree.roles.statementContainers.contains(parentKind) ? .statementRemoved : .codeRemoved
            local.append((kind == .statementRemoved ? [s, -2] : statementKey(old: s, new: nil),
                          ChangeDetail(kind: kind, old: old.snippet(of: s), oldRange: old.range(of: s))))
        }
        for d in bucket.inserts where !replacedInserts.contains(d) {
            let parentKind = new.tree.parentOf(d).map { new.tree.kindName($0) } ?? ""
            let kind: ChangeDetail.Kind = new.tree.roles.argumentLists.contains(parentKind) ? .argumentAdded
                : new.tree.roles.statementContainers.contains(parentKind) ? .statementAdded : .codeAdded
            local.append((kind == .statementAdded ? [-2, d] : statementKey(old: nil, new: d),
                          ChangeDetail(kind: kind, new: new.snippet(of: d), newRange: new.range(of: d))))
        }
        for s in bucket.moves {
            guard let d = mapping.destination(of: s) else { continue }
            let parentKind = new.tree.parentOf(d).map { new.tree.kindName($0) } ?? ""
            let kind: ChangeDetail.Kind = new.tree.roles.statementContainers.contains(parentKind) ? .statementMoved : .codeMoved
            local.append((kind == .statementMoved ? [s, d, -3] : statementKey(old: s, new: d), ChangeDetail(
                kind: kind, old: old.snippet(of: s), new: new.snippet(of: d), oldRange: old.range(of: s),
                newRange: new.range(of: d))))
        }

        // Several edits inside one statement read best as that statement, before and after.
        var byStatement: [[Int]: [ChangeDetail]] = [:]
        var order: [[Int]] = []
        for (key, detail) in local {
            if byStatement[key] == nil { order.append(key) }
            byStatement[key, default: []].append(detail)
        }
        var details = renames
        for key in order {
            let group = byStatement[key]!
            if group.count > 1, key.count == 2, key[0] >= 0, key[1] >= 0 {
                details.append(ChangeDetail(kind: .statementChanged, old: old.snippet(of: key[0]), new: new.snippet(of: key[1]),
                                            oldRange: old.range(of: key[0]), newRange: new.range(of: key[1])))
            } else {
                details.append(contentsOf: group)
            }
        }
        return details.sorted {
            ($0.newRange?.startByte ?? $0.oldRange?.startByte ?? 0) < ($1.newRange?.startByte ?? $1.oldRange?.startByte ?? 0)
        }
    }
}
