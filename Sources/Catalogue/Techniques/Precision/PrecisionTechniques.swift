extension TechniqueRegistry {
    /// Detectors of the precision techniques.
    static let precision: [any TechniqueDetector] = [
    ]
}
