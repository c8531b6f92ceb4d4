extension DetectorRegistry {
    /// Detectors of the innovations task 13 introduced.
    static let task13: [any Detector] = [
        ValueEmbeddings(),
    ]
}
