import SourceModel

/// Derives an edit script from a mapping, after Chawathe et al. (SIGMOD 1996): walk the destination tree
/// breadth-first; unmapped nodes are inserts, mapped ones with another label are updates, mapped ones whose
/// parents do not correspond are moves; children kept under the same parent but out of order are moves
/// outside their longest common subsequence; unmapped source nodes are deletes.
public enum EditScriptGenerator {
    public static func generate(_ matcher: GumTreeMatcher) -> [EditAction] {
        let src = matcher.source, dst = matcher.destination, mapping = matcher.mapping
        var actions: [EditAction] = []
        var queue = [dst.root]
        var head = 0
        while head < queue.count {
            let x = queue[head]
            head += 1
            queue.append(contentsOf: dst.children(of: x).map(Int.init))
            let position = dst.childIndex(x)
            guard let w = mapping.source(of: x) else {
                actions.append(.insert(node: x, parent: dst.parentOf(x) ?? -1, position: position))
                continue
            }
            if src.label[w] != dst.label[x] {
                actions.append(.update(node: w, from: src.label[w], to: dst.label[x]))
            }
            if let y = dst.parentOf(x), mapping.source(of: y) != src.parentOf(w) {
                actions.append(.move(node: w, parent: y, position: position))
            }
            actions.append(contentsOf: alignChildren(w, x, matcher))
        }
        for node in 0..<src.count where !mapping.isSourceMapped(node) {
            actions.append(.delete(node: node))
        }
        return actions
    }

    /// Children of `w` mapped to children of `x` that changed order: those outside the LCS move.
    static func alignChildren(_ w: Int, _ x: Int, _ matcher: GumTreeMatcher) -> [EditAction] {
        let mapping = matcher.mapping
        let srcKids = matcher.source.children(of: w).map(Int.init).filter {
            mapping.destination(of: $0).map { matcher.destination.parentOf($0) == x } ?? false
        }
        let dstKids = matcher.destination.children(of: x).map(Int.init).filter {
            mapping.source(of: $0).map { matcher.source.parentOf($0) == w } ?? false
        }
        guard srcKids.count > 1 else { return [] }
        // Keep the heaviest common order: when one function moved, it is the one reported as moved, not
        // everything around it.
        let kept = Set(weightedLCS(srcKids, dstKids, equal: { mapping.destination(of: $0) == $1 },
                                   weight: { Int(matcher.source.size[$0]) }))
        return srcKids.filter { !kept.contains($0) }.map { node in
            let target = mapping.destination(of: node)!
            return .move(node: node, parent: x, position: matcher.destination.childIndex(target))
        }
    }

    /// The common subsequence of largest total weight (quadratic; bounded like `GumTreeMatcher.lcs`).
    static func weightedLCS(_ a: [Int], _ b: [Int], equal: (Int, Int) -> Bool, weight: (Int) -> Int) -> [Int] {
        let n = a.count, m = b.count
        if n * m > 250_000 { return zip(a, b).filter { equal($0.0, $0.1) }.map(\.0) }
        var table = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                let skip = max(table[i + 1][j], table[i][j + 1])
                table[i][j] = equal(a[i], b[j]) ? max(skip, table[i + 1][j + 1] + weight(a[i])) : skip
            }
        }
        var result: [Int] = []
        var i = 0, j = 0
        while i < n && j < m {
            if equal(a[i], b[j]) && table[i][j] == table[i + 1][j + 1] + weight(a[i]) {
                result.append(a[i])
                i += 1
                j += 1
            } else if table[i + 1][j] >= table[i][j + 1] {
                i += 1
            } else {
                j += 1
            }
        }
        return result
    }
}
