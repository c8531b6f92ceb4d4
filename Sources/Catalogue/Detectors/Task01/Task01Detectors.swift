extension DetectorRegistry {
    /// Detectors of the innovations task 1 introduced.
    static let task01: [any Detector] = [
        LrIncrease0p0018(),
    ]
}
