extension DetectorRegistry {
    /// Detectors of the innovations task 19 introduced.
    static let task19: [any Detector] = [
        MergedQkvWeights(),
        BatchedMuon(),
        LongShortSlidingWindow(),
        AttentionScale0p12(),
        AdamEps1e10(),
    ]
}
