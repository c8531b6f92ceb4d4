import SourceModel

/// The GumTree matcher (Falleri et al., ASE 2014): greedy top-down matching of isomorphic subtrees by
/// structural hash, bottom-up matching of containers by Dice similarity of their matched descendants, and a
/// recovery pass inside each matched container. Every loop is iterative.
public struct GumTreeMatcher {
    public let source: SyntaxTree
    public let destination: SyntaxTree
    public let options: MatcherOptions
    public private(set) var mapping: Mapping
    /// Where the matcher chose a coarser strategy to stay fast, said in words for the report.
    public private(set) var notes: [String] = []
    /// Hash of the qualified name of the function, method or class around each node (0 at module level).
    let sourceScope: [UInt64]
    let destinationScope: [UInt64]
    /// The node of that function, method or class (0 at module level), for positions relative to it.
    let sourceScopeRoot: [Int]
    let destinationScopeRoot: [Int]
    /// Nodes inside containers the last-chance step already solved optimally.
    var optimalSource: [Bool]
    var optimalDestination: [Bool]

    public init(source: SyntaxTree, destination: SyntaxTree, options: MatcherOptions = MatcherOptions()) {
        self.source = source
        self.destination = destination
        self.options = options
        mapping = Mapping(sourceCount: source.count, destinationCount: destination.count)
        optimalSource = Array(repeating: false, count: source.count)
        optimalDestination = Array(repeating: false, count: destination.count)
        (sourceScope, sourceScopeRoot) = Self.scopes(source)
        (destinationScope, destinationScopeRoot) = Self.scopes(destination)
    }

    static func scopes(_ tree: SyntaxTree) -> ([UInt64], [Int]) {
        var scope = [UInt64](repeating: 0, count: tree.count)
        var root = [Int](repeating: 0, count: tree.count)
        for node in 0..<tree.count {
            if let kind = tree.entity[node]?.kind, kind == .function || kind == .method || kind == .class {
                var hasher = StableHasher()
                hasher.combine(tree.qualifiedName(node))
                scope[node] = hasher.value
                root[node] = node
            } else if let parent = tree.parentOf(node) {
                scope[node] = scope[parent]
                root[node] = root[parent]
            }
        }
        return (scope, root)
    }

    func sameScope(_ t1: Int, _ t2: Int) -> Bool { sourceScope[t1] == destinationScope[t2] }

    /// How far apart two nodes sit, each measured from the start of its own function, method or class: code
    /// above a function may grow or shrink without the function's own look-alikes changing places.
    func offsetDistance(_ t1: Int, _ t2: Int) -> Int {
        abs((t1 - sourceScopeRoot[t1]) - (t2 - destinationScopeRoot[t2]))
    }

    /// Runs the three phases and returns the mapping.
    public static func match(_ source: SyntaxTree, _ destination: SyntaxTree,
                             options: MatcherOptions = MatcherOptions()) -> GumTreeMatcher {
        var matcher = GumTreeMatcher(source: source, destination: destination, options: options)
        guard source.count > 0, destination.count > 0 else { return matcher }
        matcher.topDown()
        matcher.bottomUp()
        return matcher
    }

    // MARK: Top-down

    /// Nodes waiting to be compared, bucketed by height so the tallest come out first.
    struct HeightQueue {
        var buckets: [[Int]]
        var top: Int

        init(root: Int, tree: SyntaxTree) {
            buckets = Array(repeating: [], count: Int(tree.height[root]) + 1)
            top = Int(tree.height[root])
            buckets[top].append(root)
        }

        mutating func settle() { while top > 0 && buckets[top].isEmpty { top -= 1 } }
        var peekHeight: Int { top }

        mutating func popTop() -> [Int] {
            let nodes = buckets[top]
            buckets[top] = []
            settle()
            return nodes
        }

        mutating func open(_ node: Int, in tree: SyntaxTree) {
            for child in tree.children(of: node) {
                let height = Int(tree.height[Int(child)])
                buckets[height].append(Int(child))
                top = max(top, height)
            }
        }
    }

    mutating func topDown() {
        var q1 = HeightQueue(root: source.root, tree: source)
        var q2 = HeightQueue(root: destination.root, tree: destination)
        var candidates: [(Int, Int)] = []
        while max(q1.peekHeight, q2.peekHeight) >= options.minHeight {
            if q1.peekHeight != q2.peekHeight {
                if q1.peekHeight > q2.peekHeight {
                    for t in q1.popTop() { q1.open(t, in: source) }
                } else {
                    for t in q2.popTop() { q2.open(t, in: destination) }
                }
                continue
            }
            let h1 = q1.popTop(), h2 = q2.popTop()
            var byHash2: [UInt64: [Int]] = [:]
            for t in h2 { byHash2[destination.hash[t], default: []].append(t) }
            var byHash1: [UInt64: [Int]] = [:]
            for t in h1 { byHash1[source.hash[t], default: []].append(t) }
            var matched2 = Set<Int>()
            for t1 in h1 {
                guard let group2 = byHash2[source.hash[t1]] else {
                    q1.open(t1, in: source)
                    continue
                }
                let group1 = byHash1[source.hash[t1]]!
                if group1.count == 1 && group2.count == 1 {
                    if isomorphic(t1, group2[0])
                        && (source.height[t1] > options.scopedHeight || sameScope(t1, group2[0])) {
                        mapping.linkSubtrees(t1, group2[0], size: Int(source.size[t1]))
                        matched2.insert(group2[0])
                    } else {
                        q1.open(t1, in: source)
                    }
                } else if group1.count * group2.count > options.maxCandidatePairs {
                    // Too many look-alikes to rank by context: pair the whole group in document order, once.
                    guard group1.first == t1 else { continue }
                    notes.append("\(group1.count) x \(group2.count) identical subtrees of height \(source.height[t1]) paired in document order")
                    for (i, a) in group1.enumerated() {
                        if i < group2.count, isomorphic(a, group2[i]) {
                            mapping.linkSubtrees(a, group2[i], size: Int(source.size[a]))
                            matched2.insert(group2[i])
                        } else {
                            q1.open(a, in: source)
                        }
                    }
                } else {
                    for t2 in group2 where isomorphic(t1, t2) {
                        candidates.append((t1, t2))
                        matched2.insert(t2)
                    }
                }
            }
            for t2 in h2 where !matched2.contains(t2) { q2.open(t2, in: destination) }
        }
        // Ambiguous isomorphic pairs: the ones whose parents look most alike win.
        let ranked = candidates.map { pair -> (Int, Int, Double) in
            let p1 = source.parentOf(pair.0), p2 = destination.parentOf(pair.1)
            let score = ((p1 != nil && p2 != nil) ? dice(p1!, p2!) : 0) + (sameScope(pair.0, pair.1) ? 1 : 0)
            return (pair.0, pair.1, score)
        }.sorted { ($0.2, -offsetDistance($0.0, $0.1)) > ($1.2, -offsetDistance($1.0, $1.1)) }
        for (t1, t2, _) in ranked where !mapping.isSourceMapped(t1) && !mapping.isDestinationMapped(t2) {
            mapping.linkSubtrees(t1, t2, size: Int(source.size[t1]))
        }
    }

    /// Same hash, and the same kinds and labels in pre-order (guards against hash collisions).
    func isomorphic(_ t1: Int, _ t2: Int) -> Bool {
        let n = Int(source.size[t1])
        guard n == Int(destination.size[t2]) else { return false }
        for k in 0..<n {
            let a = t1 + k, b = t2 + k
            if source.kindName(a) != destination.kindName(b) || source.label[a] != destination.label[b]
                || source.size[a] != destination.size[b] { return false }
        }
        return true
    }

    /// Share of the descendants of `t1` and `t2` that are mapped to each other.
    func dice(_ t1: Int, _ t2: Int) -> Double {
        let d1 = source.descendants(of: t1), d2 = destination.descendants(of: t2)
        guard !d1.isEmpty || !d2.isEmpty else { return 0 }
        var common = 0
        for d in d1 {
            if let m = mapping.destination(of: d), d2.contains(m) { common += 1 }
        }
        return 2.0 * Double(common) / Double(d1.count + d2.count)
    }

    // MARK: Bottom-up

    mutating func bottomUp() {
        // Children have larger pre-order indices than parents: a reverse scan visits children first.
        for t1 in stride(from: source.count - 1, through: 0, by: -1) {
            if t1 == source.root {
                if !mapping.isSourceMapped(t1) && !mapping.isDestinationMapped(destination.root)
                    && source.kindName(t1) == destination.kindName(destination.root) {
                    mapping.link(t1, destination.root)
                }
                if let t2 = mapping.destination(of: t1) {
                    lastChance(t1, t2)
                    recover(t1, t2)
                }
                continue
            }
            guard !mapping.isSourceMapped(t1), !source.isLeaf(t1) else { continue }
            var best: Int?
            var bestScore = options.minDice
            var seen = Set<Int>()
            for d in source.descendants(of: t1) {
                guard let m = mapping.destination(of: d) else { continue }
                var ancestor = destination.parentOf(m)
                while let a = ancestor, !seen.contains(a) {
                    seen.insert(a)
                    if !mapping.isDestinationMapped(a) && destination.kindName(a) == source.kindName(t1) {
                        // Among similar containers, one with the same label (operator) wins.
                        let similarity = dice(t1, a)
                        let score = similarity + (source.label[t1] == destination.label[a] ? 0.1 : 0)
                        if similarity > options.minDice && score > bestScore { best = a; bestScore = score }
                    }
                    ancestor = destination.parentOf(a)
                }
                if seen.count >= options.maxBottomUpCandidates { break }
            }
            if let best {
                mapping.link(t1, best)
                lastChance(t1, best)
                recover(t1, best)
            }
        }
    }

    // MARK: Recovery

    /// Optimal matching of the unmatched remainder of two small matched containers.
    mutating func lastChance(_ t1: Int, _ t2: Int) {
        guard source.size[t1] <= options.maxOptimalSize, destination.size[t2] <= options.maxOptimalSize,
              source.descendants(of: t1).contains(where: { !mapping.isSourceMapped($0) }),
              destination.descendants(of: t2).contains(where: { !mapping.isDestinationMapped($0) }) else { return }
        // A container whose unmatched nodes all sat in containers already solved optimally (on both sides)
        // has nothing new to offer: skip it rather than solve the same nodes again one level up.
        let newOnLeft = source.descendants(of: t1).contains { !mapping.isSourceMapped($0) && !optimalSource[$0] }
        let newOnRight = destination.descendants(of: t2).contains { !mapping.isDestinationMapped($0) && !optimalDestination[$0] }
        guard newOnLeft || newOnRight else { return }
        for (a, b) in OptimalSubtreeMatcher(source: source, destination: destination).match(t1, t2)
        where !mapping.isSourceMapped(a) && !mapping.isDestinationMapped(b) {
            mapping.link(a, b)
        }
        for node in source.descendants(of: t1) { optimalSource[node] = true }
        for node in destination.descendants(of: t2) { optimalDestination[node] = true }
    }

    /// Matches what remains unmatched inside a matched pair: isomorphic children by longest common
    /// subsequence, then children of the same kind (and label) in order, then kinds unique on both sides,
    /// descending into each new pair.
    mutating func recover(_ root1: Int, _ root2: Int) {
        var pairs = [(root1, root2)]
        while let (t1, t2) = pairs.popLast() {
            let c1 = source.children(of: t1).map(Int.init).filter { !mapping.isSourceMapped($0) }
            let c2 = destination.children(of: t2).map(Int.init).filter { !mapping.isDestinationMapped($0) }
            guard !c1.isEmpty, !c2.isEmpty else { continue }
            if c1.count * c2.count > Self.maxAlignmentTable {
                notes.append("\(source.kindName(t1)) with \(c1.count) and \(c2.count) unmatched children aligned position by position")
            }
            for (a, b) in lcs(c1, c2, { source.hash[$0] == destination.hash[$1] && isomorphic($0, $1) }) {
                mapping.linkSubtrees(a, b, size: Int(source.size[a]))
            }
            // Same kind and alike: leaves of one kind (an updated constant or name), or subtrees sharing enough leaves.
            let r1 = c1.filter { !mapping.isSourceMapped($0) }, r2 = c2.filter { !mapping.isDestinationMapped($0) }
            for (a, b) in lcs(r1, r2, { a, b in
                source.kindName(a) == destination.kindName(b)
                    ? (source.isLeaf(a) && destination.isLeaf(b)) || leafSimilarity(a, b) >= options.minRecoverySimilarity
                    : false
            }) {
                mapping.link(a, b)
                pairs.append((a, b))
            }
            // The only child of its kind left on each side (a body, a parameter list) pairs regardless.
            let s1 = r1.filter { !mapping.isSourceMapped($0) }, s2 = r2.filter { !mapping.isDestinationMapped($0) }
            var count1: [String: Int] = [:], count2: [String: Int] = [:]
            for a in s1 { count1[source.kindName(a), default: 0] += 1 }
            for b in s2 { count2[destination.kindName(b), default: 0] += 1 }
            for a in s1 where count1[source.kindName(a)] == 1 && count2[source.kindName(a)] == 1 {
                guard let b = s2.first(where: { destination.kindName($0) == source.kindName(a) }) else { continue }
                mapping.link(a, b)
                pairs.append((a, b))
            }
        }
    }

    /// Dice coefficient of the multisets of leaves (kind and label) of two subtrees.
    func leafSimilarity(_ t1: Int, _ t2: Int) -> Double {
        var bag: [UInt64: Int] = [:]
        var n1 = 0, n2 = 0, common = 0
        for node in t1..<(t1 + Int(source.size[t1])) where source.isLeaf(node) {
            bag[source.hash[node], default: 0] += 1
            n1 += 1
        }
        for node in t2..<(t2 + Int(destination.size[t2])) where destination.isLeaf(node) {
            n2 += 1
            if let c = bag[destination.hash[node]], c > 0 {
                bag[destination.hash[node]] = c - 1
                common += 1
            }
        }
        return n1 + n2 == 0 ? 0 : 2 * Double(common) / Double(n1 + n2)
    }

    /// Largest LCS table (cells) built when aligning the children of one node; past it, children are paired
    /// position by position (and the matcher says so in its notes).
    static let maxAlignmentTable = 250_000

    /// Longest common subsequence of two short lists under `equal` (quadratic; lists are children of one node).
    func lcs(_ a: [Int], _ b: [Int], _ equal: (Int, Int) -> Bool) -> [(Int, Int)] {
        guard !a.isEmpty, !b.isEmpty else { return [] }
        // Bound the table: very wide nodes (huge list literals) fall back to pairing equal prefixes.
        if a.count * b.count > Self.maxAlignmentTable {
            return zip(a, b).filter { equal($0.0, $0.1) }
        }
        let n = a.count, m = b.count
        var table = Array(repeating: Array(repeating: Int32(0), count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                table[i][j] = equal(a[i], b[j]) ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var result: [(Int, Int)] = []
        var i = 0, j = 0
        while i < n && j < m {
            if equal(a[i], b[j]) {
                result.append((a[i], b[j]))
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

