import Foundation
import SemanticDiff
import SourceModel
import Testing
import TestSupport

/// Test trees for the Zhang-Shasha tests, in a namespace of their own.
enum ZSFixtures {
    /// A tree from bracket notation: `f(d(a c(b)) e)`. A token is a label of kind `n`, or `kind:label`.
    /// Iterative, so deep chains parse too.
    static func tree(_ text: String) -> SyntaxTree {
        var builder = SyntaxTreeBuilder()
        var tokens: [String] = []
        var current = ""
        for ch in text {
            if ch == "(" || ch == ")" || ch == " " {
                if !current.isEmpty { tokens.append(current) }
                current = ""
                if ch != " " { tokens.append(String(ch)) }
            } else {
                current.append(ch)
            }
        }
        if !current.isEmpty { tokens.append(current) }
        var k = 0
        while k < tokens.count {
            let token = tokens[k]
            k += 1
            if token == ")" {
                builder.close()
            } else if token != "(" {
                let parts = token.split(separator: ":", maxSplits: 1).map(String.init)
                let kind = parts.count == 2 ? parts[0] : "n", label = parts.count == 2 ? parts[1] : token
                builder.open(kind, label: label, range: 0..<0)
                if k < tokens.count && tokens[k] == "(" {
                    k += 1
                } else {
                    builder.close()
                }
            }
        }
        return builder.finish()
    }

    /// The edit distance straight from its recursive definition on forests (Tai; Zhang and Shasha, section 2),
    /// memoized: polynomial but slow, and recursive, so only for the few-node trees of the cross-check.
    struct ForestDistanceOracle {
        let a: SyntaxTree, b: SyntaxTree
        let kindChangeCost: Int
        var memo: [String: Int] = [:]

        init(_ a: SyntaxTree, _ b: SyntaxTree, kindChangeCost: Int = 1) {
            (self.a, self.b, self.kindChangeCost) = (a, b, kindChangeCost)
        }

        func size(_ forest: [Int], _ tree: SyntaxTree) -> Int { forest.reduce(0) { $0 + Int(tree.size[$1]) } }

        mutating func distance(_ f: [Int], _ g: [Int]) -> Int {
            if f.isEmpty { return size(g, b) }
            if g.isEmpty { return size(f, a) }
            let key = "\(f)|\(g)"
            if let known = memo[key] { return known }
            let v = f.last!, w = g.last!
            let fMinusV = Array(f.dropLast()) + a.children(of: v).map(Int.init)
            let gMinusW = Array(g.dropLast()) + b.children(of: w).map(Int.init)
            let relabel = a.kindName(v) != b.kindName(w) ? kindChangeCost : (a.label[v] == b.label[w] ? 0 : 1)
            let result = min(distance(fMinusV, g) + 1,
                             distance(f, gMinusW) + 1,
                             distance(Array(f.dropLast()), Array(g.dropLast()))
                                 + distance(a.children(of: v).map(Int.init), b.children(of: w).map(Int.init)) + relabel)
            memo[key] = result
            return result
        }
    }

    /// A random tree of `count` nodes in bracket notation, labels drawn from `alphabet`.
    static func randomTree(count: Int, alphabet: [String], using rng: inout SeededRandom) -> String {
        // Node k > 0 hangs under a random earlier node; children keep creation order.
        var children = Array(repeating: [Int](), count: count)
        for k in 1..<max(count, 1) { children[Int.random(in: 0..<k, using: &rng)].append(k) }
        let labels = (0..<count).map { _ in alphabet.randomElement(using: &rng)! }
        var out = ""
        var stack: [(node: Int, next: Int)] = [(0, 0)]
        out += labels[0]
        while let top = stack.last {
            let kids = children[top.node]
            if top.next == 0 && !kids.isEmpty { out += "(" }
            if top.next < kids.count {
                stack[stack.count - 1].next += 1
                if top.next > 0 { out += " " }
                out += labels[kids[top.next]]
                stack.append((kids[top.next], 0))
            } else {
                if !kids.isEmpty { out += ")" }
                stack.removeLast()
            }
        }
        return out
    }
}

@Suite struct ZhangShashaTests {
    func distance(_ a: String, _ b: String) -> Int { ZhangShasha.distance(ZSFixtures.tree(a), ZSFixtures.tree(b)) }

    @Test func bracketNotationRoundTrips() {
        let tree = ZSFixtures.tree("f(d(a c(b)) e)")
        #expect(tree.label == ["f", "d", "a", "c", "b", "e"])
        #expect(tree.size == [6, 4, 1, 2, 1, 1])
        let post = ZhangShasha.PostOrder(tree, root: 0)
        // Post-order a b c d e f: leftmost leaves 1 2 2 1 5 1, keyroots c (3), e (5), f (6).
        #expect(post.node.dropFirst().map { tree.label[$0] } == ["a", "b", "c", "d", "e", "f"])
        #expect(Array(post.leftmost.dropFirst()) == [1, 2, 2, 1, 5, 1])
        #expect(post.keyroots == [3, 5, 6])
    }

    @Test func identicalTreesAreZero() {
        #expect(distance("a", "a") == 0)
        #expect(distance("f(d(a c(b)) e)", "f(d(a c(b)) e)") == 0)
    }

    @Test func oneRelabelIsOne() {
        #expect(distance("a", "b") == 1)
        #expect(distance("f(d(a c(b)) e)", "f(d(a c(x)) e)") == 1)
        #expect(distance("f(d(a c(b)) e)", "f(x(a c(b)) e)") == 1)
        // Same label, other kind: also one relabel, unless kind changes are priced as a delete and an insert.
        #expect(distance("call:f(name:x)", "call:f(attribute:x)") == 1)
        #expect(ZhangShasha.distance(ZSFixtures.tree("call:f(name:x)"), ZSFixtures.tree("call:f(attribute:x)"), kindChangeCost: 2) == 2)
        #expect(ZhangShasha.distance(ZSFixtures.tree("call:f(name:x)"), ZSFixtures.tree("call:f(name:y)"), kindChangeCost: 2) == 1)
    }

    @Test func insertingALeafIsOne() {
        #expect(distance("a(b c)", "a(b x c)") == 1)
        #expect(distance("a(b c)", "a(b c(x))") == 1)
        #expect(distance("a", "a(b)") == 1)
    }

    @Test func deletingAnInnerNodeIsOne() {
        // Deleting b splices its children c and d into a.
        #expect(distance("a(b(c d) e)", "a(c d e)") == 1)
        #expect(distance("a(c d e)", "a(b(c d) e)") == 1)
    }

    @Test func textbookExample() {
        // The example of Zhang and Shasha's paper: delete c under d, insert c above d. Distance 2.
        #expect(distance("f(d(a c(b)) e)", "f(c(d(a b)) e)") == 2)
        // Swapping two leaves is two relabels; swapping two subtrees keeps the larger, deletes and inserts the other.
        #expect(distance("r(a b c)", "r(c b a)") == 2)
        #expect(distance("r(a(x y) b)", "r(b a(x y))") == 2)
        // Disjoint labels: relabel min(n1, n2) nodes, insert or delete the rest.
        #expect(distance("a(b c)", "x(y(z w))") == 4)
    }

    @Test func subtreesInsideLargerTrees() {
        let big = ZSFixtures.tree("m(q(z) f(d(a c(b)) e) k)"), other = ZSFixtures.tree("m(f(c(d(a b)) e))")
        // f is node 3 in the first tree, node 1 in the second.
        #expect(big.label[3] == "f" && other.label[1] == "f")
        #expect(ZhangShasha.distance(big, 3, other, 1) == 2)
        #expect(ZhangShasha.distance(big, 1, big, 1) == 0)
        #expect(ZhangShasha.distance(big, 1, other, 1) == 6)  // q(z) vs f(c(d(a b)) e): relabel 2, insert 4
    }

    @Test func deepChainsDoNotRecurse() {
        let depth = 1_500
        let chain = String(repeating: "a(", count: depth - 1) + "a" + String(repeating: ")", count: depth - 1)
        let changed = String(repeating: "a(", count: depth - 1) + "b" + String(repeating: ")", count: depth - 1)
        #expect(distance(chain, changed) == 1)
        #expect(distance(chain, "a") == depth - 1)
    }

    @Test func matchesTheRecursiveDefinitionAndIsSymmetric() {
        var rng = SeededRandom(seed: 1989)
        for _ in 0..<300 {
            let a = ZSFixtures.randomTree(count: Int.random(in: 1...7, using: &rng), alphabet: ["a", "b", "c"], using: &rng)
            let b = ZSFixtures.randomTree(count: Int.random(in: 1...7, using: &rng), alphabet: ["a", "b", "c"], using: &rng)
            let ta = ZSFixtures.tree(a), tb = ZSFixtures.tree(b)
            var oracle = ZSFixtures.ForestDistanceOracle(ta, tb)
            let d = ZhangShasha.distance(ta, tb)
            #expect(d == oracle.distance([0], [0]), "\(a) vs \(b)")
            #expect(d == ZhangShasha.distance(tb, ta), "symmetry: \(a) vs \(b)")
            #expect(d >= abs(ta.count - tb.count) && d <= ta.count + tb.count - 1, "bounds: \(a) vs \(b)")
        }
    }

    @Test func kindChangesPricedAsDeleteAndInsertMatchTheRecursiveDefinition() {
        var rng = SeededRandom(seed: 1996)
        let alphabet = ["x:a", "x:b", "y:a", "y:b"]
        for _ in 0..<200 {
            let a = ZSFixtures.randomTree(count: Int.random(in: 1...6, using: &rng), alphabet: alphabet, using: &rng)
            let b = ZSFixtures.randomTree(count: Int.random(in: 1...6, using: &rng), alphabet: alphabet, using: &rng)
            let ta = ZSFixtures.tree(a), tb = ZSFixtures.tree(b)
            for cost in [1, 2] {
                var oracle = ZSFixtures.ForestDistanceOracle(ta, tb, kindChangeCost: cost)
                #expect(ZhangShasha.distance(ta, tb, kindChangeCost: cost) == oracle.distance([0], [0]), "\(a) vs \(b), \(cost)")
            }
        }
    }

    @Test func triangleInequalityOnLargerRandomTrees() {
        var rng = SeededRandom(seed: 2014)
        for _ in 0..<40 {
            let trees = (0..<3).map { _ in
                ZSFixtures.tree(ZSFixtures.randomTree(count: Int.random(in: 10...40, using: &rng), alphabet: ["a", "b", "c", "d"],
                                              using: &rng))
            }
            let ab = ZhangShasha.distance(trees[0], trees[1]), bc = ZhangShasha.distance(trees[1], trees[2])
            let ac = ZhangShasha.distance(trees[0], trees[2])
            #expect(ac <= ab + bc)
            #expect(ab == ZhangShasha.distance(trees[1], trees[0]))
        }
    }

    @Test func pythonFunctions() throws {
        let a = try lowerPython("def f(total):\n    return total + 1\n")
        let b = try lowerPython("def f(acc):\n    return acc + 1\n")
        let fa = try #require((0..<a.count).first { a.entity[$0]?.kind == .function })
        let fb = try #require((0..<b.count).first { b.entity[$0]?.kind == .function })
        #expect(ZhangShasha.distance(a, fa, a, fa) == 0)
        #expect(ZhangShasha.distance(a, fa, b, fb) == 2, "two renamed identifiers")
    }
}

// MARK: - Corpus: GumTree's edit script against the optimum

/// One changed function of a corpus task, measured both ways.
struct ZSFunctionEditCost {
    let task: Int
    let name: String
    let oldNode: Int, newNode: Int
    let oldSize: Int, newSize: Int
    /// Zhang-Shasha distance between the two subtrees (unit costs).
    let optimal: Int
    /// The same with a change of kind priced as a delete and an insert: the optimum among scripts that, like
    /// GumTree's, only map nodes of the same kind. Shown to tell the matcher's waste from the cost model's.
    let optimalSameKind: Int
    /// Actions of the GumTree script that touch the function, a move counted once (see `restrictedActions`).
    let gumtree: Int
    /// The same script with every node that crosses the function's boundary counted as a delete or an insert.
    let perNode: Int
    let inserts: Int, deletes: Int, updates: Int, moves: Int, crossingMoves: Int
    let actions: [EditAction]

    var ratio: Double { Double(gumtree) / Double(max(optimal, 1)) }
    var perNodeRatio: Double { Double(perNode) / Double(max(optimal, 1)) }
    var sameKindRatio: Double { Double(gumtree) / Double(max(optimalSameKind, 1)) }
}

@Suite(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct ZhangShashaCorpusTests {
    static let tasks = Array(1...20).filter { $0 != 6 }
    static let maxNodes = 200

    /// Changed functions and methods of one task: pairs (old entity, new entity) that the mapping links, or,
    /// failing that, that share a qualified name; with different subtree hashes and both at most `maxNodes`.
    static func changedFunctions(_ result: SemanticDiffResult) -> [(Int, Int)] {
        let src = result.old.tree, dst = result.new.tree
        func isFunction(_ tree: SyntaxTree, _ node: Int) -> Bool {
            tree.entity[node]?.kind == .function || tree.entity[node]?.kind == .method
        }
        let oldFunctions = (0..<src.count).filter { isFunction(src, $0) }
        let newFunctions = (0..<dst.count).filter { isFunction(dst, $0) }
        var pairs: [Int: Int] = [:], taken = Set<Int>()
        for e1 in oldFunctions {
            if let e2 = result.mapping.destination(of: e1), isFunction(dst, e2) {
                pairs[e1] = e2
                taken.insert(e2)
            }
        }
        var newByName: [String: [Int]] = [:]
        for e2 in newFunctions where !taken.contains(e2) { newByName[dst.qualifiedName(e2), default: []].append(e2) }
        for e1 in oldFunctions where pairs[e1] == nil {
            if var candidates = newByName[src.qualifiedName(e1)], !candidates.isEmpty {
                pairs[e1] = candidates.removeFirst()
                newByName[src.qualifiedName(e1)] = candidates
            }
        }
        return pairs.sorted { $0.key < $1.key }.filter { e1, e2 in
            src.hash[e1] != dst.hash[e2] && src.size[e1] <= maxNodes && dst.size[e2] <= maxNodes
        }
    }

    /// The actions of the whole-file script that touch the function pair (e1, e2):
    /// - updates and deletes of old nodes inside e1, inserts of new nodes inside e2;
    /// - moves of old nodes inside e1 or landing inside e2, one action each, including moves across the
    ///   function's boundary (a subtree moved out of e1 or into e2 from elsewhere). Such a move is one action of
    ///   the script and touches the function once, so it counts 1, like an internal move. (`perNode` below
    ///   gives the stricter reading, where each node that leaves or arrives counts as a delete or an insert.)
    /// - a move of e1 itself (the function relocated in its file) is left out: the two subtrees are compared
    ///   as they are, and Zhang-Shasha does not see where they sit.
    static func restrictedActions(_ result: SemanticDiffResult, _ e1: Int, _ e2: Int) -> [EditAction] {
        let src = result.old.tree, dst = result.new.tree
        let s1 = e1..<(e1 + Int(src.size[e1])), s2 = e2..<(e2 + Int(dst.size[e2]))
        return result.actions.filter { action in
            switch action {
            case let .insert(node, _, _): return s2.contains(node)
            case let .delete(node): return s1.contains(node)
            case let .update(node, _, _): return s1.contains(node)
            case let .move(node, _, _):
                if node == e1 && result.mapping.destination(of: e1) == e2 { return false }
                return s1.contains(node) || result.mapping.destination(of: node).map(s2.contains) == true
            }
        }
    }

    static func measure(task: Int, _ result: SemanticDiffResult, _ e1: Int, _ e2: Int) -> ZSFunctionEditCost {
        let src = result.old.tree, dst = result.new.tree
        let s1 = e1..<(e1 + Int(src.size[e1])), s2 = e2..<(e2 + Int(dst.size[e2]))
        let actions = restrictedActions(result, e1, e2)
        var inserts = 0, deletes = 0, updates = 0, moves = 0, crossing = 0
        for action in actions {
            switch action {
            case .insert: inserts += 1
            case .delete: deletes += 1
            case .update: updates += 1
            case let .move(node, _, _):
                moves += 1
                let inside2 = result.mapping.destination(of: node).map(s2.contains) == true
                if s1.contains(node) != inside2 { crossing += 1 }
            }
        }
        // Stricter reading: for this function, an old node mapped outside e2 has left it (a delete) and a new
        // node mapped from outside e1 has arrived (an insert), whatever moves carried them; internal moves count 1.
        var perNode = inserts + deletes + moves - crossing
        for node in s1 where result.mapping.destination(of: node).map({ !s2.contains($0) }) == true { perNode += 1 }
        for node in s2 where result.mapping.source(of: node).map({ !s1.contains($0) }) == true { perNode += 1 }
        for case let .update(node, _, _) in actions where result.mapping.destination(of: node).map(s2.contains) == true {
            perNode += 1
        }
        // A pair the mapping made between differently named functions shows both names.
        let name = src.qualifiedName(e1) == dst.qualifiedName(e2)
            ? dst.qualifiedName(e2) : "\(src.qualifiedName(e1)) -> \(dst.qualifiedName(e2))"
        return ZSFunctionEditCost(task: task, name: name, oldNode: e1, newNode: e2,
                                oldSize: Int(src.size[e1]), newSize: Int(dst.size[e2]),
                                optimal: ZhangShasha.distance(src, e1, dst, e2),
                                optimalSameKind: ZhangShasha.distance(src, e1, dst, e2, kindChangeCost: 2), gumtree: actions.count,
                                perNode: perNode, inserts: inserts, deletes: deletes, updates: updates, moves: moves,
                                crossingMoves: crossing, actions: actions)
    }

    /// One line per action, with the node's kind, label and source text.
    static func describe(_ action: EditAction, _ result: SemanticDiffResult) -> String {
        let src = result.old.tree, dst = result.new.tree
        func node(_ tree: SyntaxTree, _ side: DiffSide, _ n: Int) -> String {
            let label = tree.label[n].isEmpty ? "" : " '\(oneLine(tree.label[n]))'"
            let text = tree.isLeaf(n) ? "" : " {\(side.snippet(of: n, limit: 70))}"
            return "\(tree.kindName(n))\(label) [\(tree.size[n]) nodes]\(text)"
        }
        func parent(_ tree: SyntaxTree, _ n: Int?) -> String { n.map { tree.kindName($0) } ?? "-" }
        switch action {
        case let .insert(n, p, position):
            return "insert \(node(dst, result.new, n)) under \(parent(dst, p)) #\(position)"
        case let .delete(n):
            return "delete \(node(src, result.old, n)) from \(parent(src, src.parentOf(n)))"
        case let .update(n, from, to):
            return "update \(src.kindName(n)) '\(oneLine(from))' -> '\(oneLine(to))'"
        case let .move(n, p, position):
            return "move \(node(src, result.old, n)) from \(parent(src, src.parentOf(n))) to \(parent(dst, p)) #\(position)"
        }
    }

    /// A label on one line, cut at 60 characters.
    static func oneLine(_ text: String) -> String {
        let words = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return words.count > 60 ? String(words.prefix(59)) + "…" : words
    }

    static func format(_ value: Double) -> String { String(format: "%.3f", value) }

    static func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }

    /// One row of the table: label, functions, mean and max ratio, summed costs, mean ratio against the
    /// kind-preserving optimum, mean per-node ratio, crossing moves.
    static func row(_ label: String, _ fs: [ZSFunctionEditCost]) -> String {
        let columns = fs.isEmpty ? [label, "0", "-", "-", "-", "-", "-", "-"] : [
            label, "\(fs.count)", format(mean(fs.map(\.ratio))), format(fs.map(\.ratio).max()!),
            "\(fs.map(\.gumtree).reduce(0, +))/\(fs.map(\.optimal).reduce(0, +))",
            format(mean(fs.map(\.sameKindRatio))), format(mean(fs.map(\.perNodeRatio))),
            "\(fs.map(\.crossingMoves).reduce(0, +))",
        ]
        return zip(columns, [4, 9, 10, 9, 15, 14, 14, 8]).map { text, width in
            text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
        }.joined(separator: "  ")
    }

    @Test func editScriptIsNearOptimalOnSmallFunctions() throws {
        var all: [ZSFunctionEditCost] = []
        var results: [Int: SemanticDiffResult] = [:]
        var table = ["task  functions  mean ratio  max ratio  gumtree/optimal  vs same-kind  per-node mean  crossing",
                     String(repeating: "-", count: 96)]
        for task in Self.tasks {
            let old = try String(contentsOf: Corpus.record(task), encoding: .utf8)
            let new = try String(contentsOf: Corpus.record(task + 1), encoding: .utf8)
            let result = try semanticDiff(old, new)
            results[task] = result
            let measured = Self.changedFunctions(result).map { Self.measure(task: task, result, $0.0, $0.1) }
            all += measured
            table.append(Self.row("\(task)", measured))
        }
        table.append(String(repeating: "-", count: 96))
        table.append(Self.row("all", all))
        let overall = Self.mean(all.map(\.ratio))
        print("""
        Edit script size against the Zhang-Shasha optimum, changed functions and methods of at most \(Self.maxNodes) nodes.
        ratio = GumTree actions touching the function (a move counts 1) / optimal unit-cost distance; \
        vs same-kind = against the optimum where a change of kind costs a delete and an insert; \
        per-node = a move across the function's boundary counted per node it carries; crossing = such moves.
        """)
        print(table.joined(separator: "\n"))

        print("\nEvery function: task, name, nodes old/new, optimal (same-kind), gumtree (ins/del/upd/mov, crossing), ratio")
        for f in all {
            print("  \(f.task)  \(f.name)  \(f.oldSize)/\(f.newSize)  opt \(f.optimal) (\(f.optimalSameKind))  gt \(f.gumtree) "
                  + "(\(f.inserts)/\(f.deletes)/\(f.updates)/\(f.moves), \(f.crossingMoves))  \(Self.format(f.ratio))")
        }

        // Moves make GumTree cheaper than the unit-cost optimum: Zhang-Shasha has no move, so a subtree moved
        // within a function costs it a delete and an insert per node, and one action in the script. Ratios below
        // 1 are therefore expected, not a bug in either side, and they pull the mean down; they are left as they are.
        print("\nWorst 5 ratios, with their actions:")
        for f in all.sorted(by: { ($0.ratio, $0.gumtree) > ($1.ratio, $1.gumtree) }).prefix(5) {
            print("task \(f.task) \(f.name): gumtree \(f.gumtree) vs optimal \(f.optimal) (same-kind \(f.optimalSameKind)), "
                  + "ratio \(Self.format(f.ratio)), \(f.oldSize)/\(f.newSize) nodes")
            let result = results[f.task]!
            for action in f.actions.prefix(60) { print("    " + Self.describe(action, result)) }
            if f.actions.count > 60 { print("    … \(f.actions.count - 60) more") }
        }

        #expect(all.count >= 30, "only \(all.count) changed functions measured")
        #expect(overall <= 1.2, "mean ratio \(Self.format(overall)) over \(all.count) functions")
    }
}
