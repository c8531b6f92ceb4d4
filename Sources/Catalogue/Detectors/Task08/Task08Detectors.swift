extension DetectorRegistry {
    /// Detectors of the innovations task 8 introduced.
    static let task08: [any Detector] = [
        ValueResidual(),
        EmbedSkipX0(),
        LogitSoftcap(),
        MuonMomentumWarmup(),
        AdamForScalarParams(),
    ]
}
