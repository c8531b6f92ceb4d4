extension DetectorRegistry {
    /// Detectors of the innovations task 18 introduced.
    static let task18: [any Detector] = [
    ]
}
