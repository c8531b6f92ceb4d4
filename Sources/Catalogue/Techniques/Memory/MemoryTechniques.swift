extension TechniqueRegistry {
    /// Detectors of the memory techniques.
    static let memory: [any TechniqueDetector] = [
    ]
}
