extension SyntaxTree {
    /// The same tree with new labels, hashes recomputed bottom-up (children have larger pre-order indices,
    /// so a reverse scan sees every child before its parent).
    public func relabeled(_ labels: [String]) -> SyntaxTree {
        precondition(labels.count == count, "one label per node")
        var copy = self
        copy.label = labels
        let kindHashes = kindNames.map(SyntaxTree.kindHash)
        for node in stride(from: count - 1, through: 0, by: -1) {
            var hasher = StableHasher()
            hasher.combine(kindHashes[Int(kind[node])])
            hasher.combine(labels[node])
            for child in children(of: node) { hasher.combine(copy.hash[Int(child)]) }
            copy.hash[node] = hasher.value
        }
        return copy
    }

    /// The source text node `node` covers, read from its file's bytes.
    public func text(of node: Int, in source: [UInt8]) -> String {
        let range = byteRange[node]
        let lo = max(0, min(range.lowerBound, source.count)), hi = max(lo, min(range.upperBound, source.count))
        return String(decoding: source[lo..<hi], as: UTF8.self)
    }
}
