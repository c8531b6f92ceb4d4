extension DetectorRegistry {
    /// Detectors of the innovations task 16 introduced.
    static let task16: [any Detector] = [
        SparseValueEmbeddings(),
        HalfTruncatedRope(),
        DropAttentionLayer(),
        ExpandableSegments(),
    ]
}
