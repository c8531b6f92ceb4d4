extension TechniqueRegistry {
    /// Detectors of the compute techniques.
    static let compute: [any TechniqueDetector] = [
    ]
}
