extension DetectorRegistry {
    /// Detectors of the innovations task 2 introduced.
    static let task02: [any Detector] = [
        MuonOptimizer(),
        Fp32LogitsLoss(),
        RemoveWeightDecay(),
    ]
}
