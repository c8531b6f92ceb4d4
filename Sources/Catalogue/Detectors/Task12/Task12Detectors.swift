extension DetectorRegistry {
    /// Detectors of the innovations task 12 introduced.
    static let task12: [any Detector] = [
    ]
}
