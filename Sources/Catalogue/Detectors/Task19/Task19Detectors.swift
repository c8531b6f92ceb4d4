extension DetectorRegistry {
    /// Detectors of the innovations task 19 introduced.
    static let task19: [any Detector] = [
    ]
}
