extension DetectorRegistry {
    /// Detectors of the innovations task 5 introduced.
    static let task05: [any Detector] = [
        DistributedMuon(),
    ]
}
