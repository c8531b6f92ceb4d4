extension TechniqueRegistry {
    /// Detectors of the host techniques.
    static let host: [any TechniqueDetector] = [
        StreamsOverlap(),
    ]
}
