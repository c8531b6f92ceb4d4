import SourceModel

/// Optimal ordered tree edit distance after Zhang and Shasha, "Simple fast algorithms for the editing
/// distance between trees and related problems" (SIAM J. Computing, 1989), used by the tests as the yardstick
/// for the GumTree edit script.
///
/// Unit costs: deleting a node costs 1, inserting one costs 1, relabelling one costs 1 when its kind or its
/// label differs (0 otherwise). Deleting a node splices its children into its parent in order; inserting does
/// the reverse. The trees are subtrees of `SyntaxTree`s, numbered 1...n in post-order, and everything is
/// computed with loops and explicit stacks, so deep inputs cannot overflow the call stack.
///
/// Time is O(n1 n2 min(depth1, leaves1) min(depth2, leaves2)), memory O(n1 n2): meant for subtrees of a few
/// hundred nodes, not whole files.
enum ZhangShasha {
    /// One tree in the shape the algorithm wants: post-order positions 1...n (index 0 is unused).
    struct PostOrder {
        /// `node[i]`: the `SyntaxTree` node at post-order position `i`.
        var node: [Int]
        /// `leftmost[i]`: post-order position of the leftmost leaf descendant of `i` (`i` itself for a leaf).
        var leftmost: [Int]
        /// Positions `i` such that no ancestor of `i` has the same leftmost leaf (the root of each "left path"),
        /// ascending. The root is always one.
        var keyroots: [Int]

        var count: Int { node.count - 1 }

        init(_ tree: SyntaxTree, root: Int) {
            let n = Int(tree.size[root])
            node = [-1]
            node.reserveCapacity(n + 1)
            leftmost = [0]
            leftmost.reserveCapacity(n + 1)
            // Post-order with an explicit stack of (node, index of the next child to visit). A node is emitted
            // once all its children have been; its leftmost leaf is its first child's (already emitted).
            var position = [Int: Int]()  // tree node -> post-order position
            position.reserveCapacity(n)
            var stack: [(node: Int, next: Int)] = [(root, 0)]
            while let top = stack.last {
                let kids = tree.children(of: top.node)
                if top.next < kids.count {
                    stack[stack.count - 1].next += 1
                    stack.append((Int(kids[kids.startIndex + top.next]), 0))
                    continue
                }
                stack.removeLast()
                node.append(top.node)
                let i = node.count - 1
                position[top.node] = i
                if let first = kids.first {
                    leftmost.append(leftmost[position[Int(first)]!])
                } else {
                    leftmost.append(i)
                }
            }
            // Scanning from the root down, the first node seen with a given leftmost leaf is the highest one on
            // that left path: that is the keyroot.
            var seen = Set<Int>()
            var roots: [Int] = []
            for i in stride(from: node.count - 1, through: 1, by: -1) where seen.insert(leftmost[i]).inserted {
                roots.append(i)
            }
            keyroots = roots.reversed()
        }
    }

    /// Edit distance between the subtree of `a` rooted at `rootA` and the subtree of `b` rooted at `rootB`.
    ///
    /// `kindChangeCost` is what relabelling a node to another kind costs (1 by default, like any relabel). With
    /// 2 it is never cheaper than a delete and an insert, which gives the optimum among scripts that, like
    /// GumTree's, only update nodes within their kind.
    static func distance(_ a: SyntaxTree, _ rootA: Int, _ b: SyntaxTree, _ rootB: Int, kindChangeCost: Int = 1) -> Int {
        let t1 = PostOrder(a, root: rootA), t2 = PostOrder(b, root: rootB)
        let n1 = t1.count, n2 = t2.count
        // Kinds and labels turned into small integers once, so the inner loop compares integers.
        var ids: [String: Int] = [:]
        func id(_ key: String) -> Int {
            if let known = ids[key] { return known }
            ids[key] = ids.count
            return ids.count - 1
        }
        let kind1 = [-1] + (1...n1).map { id("k" + a.kindName(t1.node[$0])) }
        let kind2 = [-2] + (1...n2).map { id("k" + b.kindName(t2.node[$0])) }
        let label1 = [-1] + (1...n1).map { id("l" + a.label[t1.node[$0]]) }
        let label2 = [-2] + (1...n2).map { id("l" + b.label[t2.node[$0]]) }
        func relabelCost(_ i: Int, _ j: Int) -> Int {
            kind1[i] != kind2[j] ? kindChangeCost : (label1[i] == label2[j] ? 0 : 1)
        }

        // treedist[i][j]: distance between the subtree at i and the subtree at j (flattened, row-major).
        var treedist = [Int](repeating: 0, count: (n1 + 1) * (n2 + 1))
        // forestdist, reused for every keyroot pair: row x stands for the forest of positions l(i) ..< l(i) + x
        // (row 0 is the empty forest), column y likewise for the second tree.
        var forestdist = [Int](repeating: 0, count: (n1 + 1) * (n2 + 1))
        let width = n2 + 1

        for i in t1.keyroots {
            for j in t2.keyroots {
                let li = t1.leftmost[i], lj = t2.leftmost[j]
                let rows = i - li + 1, cols = j - lj + 1
                forestdist[0] = 0
                for x in 1...rows { forestdist[x * width] = forestdist[(x - 1) * width] + 1 }  // delete all
                for y in 1...cols { forestdist[y] = forestdist[y - 1] + 1 }  // insert all
                for x in 1...rows {
                    let i1 = li + x - 1
                    for y in 1...cols {
                        let j1 = lj + y - 1
                        let delete = forestdist[(x - 1) * width + y] + 1
                        let insert = forestdist[x * width + y - 1] + 1
                        if t1.leftmost[i1] == li && t2.leftmost[j1] == lj {
                            // Both forests are whole trees (rooted at i1 and j1): match the roots.
                            let relabel = forestdist[(x - 1) * width + y - 1] + relabelCost(i1, j1)
                            let best = min(delete, insert, relabel)
                            forestdist[x * width + y] = best
                            treedist[i1 * (n2 + 1) + j1] = best
                        } else {
                            // Match the subtree at i1 with the subtree at j1 (already known from an earlier
                            // keyroot pair) and the forests to their left.
                            let left = forestdist[(t1.leftmost[i1] - li) * width + (t2.leftmost[j1] - lj)]
                            let match = left + treedist[i1 * (n2 + 1) + j1]
                            forestdist[x * width + y] = min(delete, insert, match)
                        }
                    }
                }
            }
        }
        return treedist[n1 * (n2 + 1) + n2]
    }

    /// Distance between two whole trees.
    static func distance(_ a: SyntaxTree, _ b: SyntaxTree, kindChangeCost: Int = 1) -> Int {
        distance(a, a.root, b, b.root, kindChangeCost: kindChangeCost)
    }
}
