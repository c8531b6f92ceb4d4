extension DetectorRegistry {
    /// Detectors of the innovations task 12 introduced.
    static let task12: [any Detector] = [
        AttentionWindowWarmup(),
        AdamBeta1_0p8(),
        MuonLr0p05(),
        MomentumWarmup300(),
    ]
}
