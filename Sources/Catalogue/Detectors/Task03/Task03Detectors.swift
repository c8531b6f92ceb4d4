extension DetectorRegistry {
    /// Detectors of the innovations task 3 introduced.
    static let task03: [any Detector] = [
        MuonUpdateScaleSqrtMaxDim(),
        MuonQkvSplit(),
        RemoveLrWarmup(),
        LrRetuneForMuon(),
        FusedAdamw(),
    ]
}
