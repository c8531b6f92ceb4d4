import SourceModel

/// Optimal matching of two small subtrees with the Zhang-Shasha tree edit distance (SIAM J. Comput. 1989),
/// unit costs, where a node can only be mapped to a node of the same kind. GumTree uses such a step as a
/// last chance inside containers it has matched: it finds pairs (a rewritten operand, a moved argument) that
/// neither identical subtrees nor similarity can see.
///
/// Everything is iterative: post-order numbering, keyroots, the distance tables and the backtrace that turns
/// the optimal script into node pairs.
struct OptimalSubtreeMatcher {
    let source: SyntaxTree
    let destination: SyntaxTree

    /// One side's subtree in post-order: node ids and leftmost-leaf positions (both 1-based).
    struct PostOrder {
        var nodes: [Int] = [0]
        var leftmost: [Int] = [0]
        var keyroots: [Int] = []
        /// Hashes of each node's kind and label, so the inner loop compares integers.
        var kindKey: [UInt64] = [0]
        var labelKey: [UInt64] = [0]

        init(_ tree: SyntaxTree, root: Int) {
            let kindHashes = tree.kindNames.map(SyntaxTree.kindHash)
            // Pre-order indices of a subtree are contiguous; post-order is built with an explicit stack.
            var stack: [(node: Int, next: Int)] = [(root, 0)]
            var position: [Int: Int] = [:]
            while var top = stack.popLast() {
                let kids = tree.children(of: top.node)
                if top.next < kids.count {
                    let child = Int(kids[kids.startIndex + top.next])
                    top.next += 1
                    stack.append(top)
                    stack.append((child, 0))
                    continue
                }
                nodes.append(top.node)
                kindKey.append(kindHashes[Int(tree.kind[top.node])])
                var hasher = StableHasher()
                hasher.combine(tree.label[top.node])
                labelKey.append(hasher.value)
                let index = nodes.count - 1
                position[top.node] = index
                leftmost.append(kids.isEmpty ? index : leftmost[position[Int(kids[kids.startIndex])]!])
            }
            // Keyroots: the highest node of each leftmost-leaf class.
            var seen = Set<Int>()
            for index in stride(from: nodes.count - 1, through: 1, by: -1) where !seen.contains(leftmost[index]) {
                seen.insert(leftmost[index])
                keyroots.append(index)
            }
            keyroots.sort()
        }

        var count: Int { nodes.count - 1 }
    }

    /// Pairs of (source, destination) nodes mapped by an optimal edit script between the two subtrees.
    func match(_ root1: Int, _ root2: Int) -> [(Int, Int)] {
        let a = PostOrder(source, root: root1), b = PostOrder(destination, root: root2)
        let n = a.count, m = b.count
        guard n > 0, m > 0 else { return [] }
        let forbidden = 1_000_000
        func relabel(_ i: Int, _ j: Int) -> Int {
            guard a.kindKey[i] == b.kindKey[j] else { return forbidden }
            return a.labelKey[i] == b.labelKey[j] ? 0 : 1
        }
        // Flat (n + 1) x (m + 1) tables, row-major, filled through unchecked buffers: this loop is the diff's
        // hottest code, and every index in it is in range by construction.
        let width = m + 1
        var treeDistance = [Int](repeating: 0, count: (n + 1) * width)
        var forest = [Int](repeating: 0, count: (n + 1) * width)

        /// Fills `forest` for keyroots (i, j), offsets relative to their leftmost leaves.
        func computeForest(_ i: Int, _ j: Int) {
            let li = a.leftmost[i], lj = b.leftmost[j]
            a.leftmost.withUnsafeBufferPointer { al in
            b.leftmost.withUnsafeBufferPointer { bl in
            a.kindKey.withUnsafeBufferPointer { ak in
            b.kindKey.withUnsafeBufferPointer { bk in
            a.labelKey.withUnsafeBufferPointer { aLabel in
            b.labelKey.withUnsafeBufferPointer { bLabel in
            treeDistance.withUnsafeMutableBufferPointer { td in
            forest.withUnsafeMutableBufferPointer { fd in
                fd[(li - 1) * width + (lj - 1)] = 0
                for x in li...i { fd[x * width + (lj - 1)] = fd[(x - 1) * width + (lj - 1)] + 1 }
                for y in lj...j { fd[(li - 1) * width + y] = fd[(li - 1) * width + (y - 1)] + 1 }
                for x in li...i {
                    let row = x * width, above = (x - 1) * width
                    let xIsTree = al[x] == li
                    let xForest = (al[x] - 1) * width
                    for y in lj...j {
                        let delete = fd[above + y] + 1, insert = fd[row + y - 1] + 1
                        if xIsTree && bl[y] == lj {
                            let cost = ak[x] != bk[y] ? forbidden : (aLabel[x] == bLabel[y] ? 0 : 1)
                            let best = min(delete, insert, fd[above + y - 1] + cost)
                            fd[row + y] = best
                            td[row + y] = best
                        } else {
                            let both = fd[xForest + (bl[y] - 1)] + td[row + y]
                            fd[row + y] = min(delete, insert, both)
                        }
                    }
                }
            }}}}}}}}
        }

        for i in a.keyroots { for j in b.keyroots { computeForest(i, j) } }

        // Backtrace: start with the two whole trees; each time the script keeps a pair of subtrees as a whole,
        // trace that pair in turn.
        var pairs: [(Int, Int)] = []
        var pending: [(Int, Int)] = [(n, m)]
        while let (i, j) = pending.popLast() {
            computeForest(i, j)
            let li = a.leftmost[i], lj = b.leftmost[j]
            var x = i, y = j
            while x >= li || y >= lj {
                if x >= li && y >= lj {
                    if a.leftmost[x] == li && b.leftmost[y] == lj {
                        let cost = relabel(x, y)
                        if cost < forbidden && forest[(x) * width + (y)] == forest[(x - 1) * width + (y - 1)] + cost {
                            pairs.append((a.nodes[x], b.nodes[y]))
                            x -= 1
                            y -= 1
                            continue
                        }
                    } else if forest[(x) * width + (y)] == forest[(a.leftmost[x] - 1) * width + (b.leftmost[y] - 1)] + treeDistance[(x) * width + (y)] {
                        pending.append((x, y))
                        x = a.leftmost[x] - 1
                        y = b.leftmost[y] - 1
                        continue
                    }
                }
                if x >= li && (y < lj || forest[(x) * width + (y)] == forest[(x - 1) * width + (y)] + 1) {
                    x -= 1
                } else {
                    y -= 1
                }
            }
        }
        return pairs.filter { source.kindName($0.0) == destination.kindName($0.1) }
    }
}
