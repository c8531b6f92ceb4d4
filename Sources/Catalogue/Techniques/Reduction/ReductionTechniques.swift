extension TechniqueRegistry {
    /// Detectors of the reduction techniques.
    static let reduction: [any TechniqueDetector] = [
        WarpShuffleReduction(),
        BlockReduction(),
        DeterministicReduction(),
        LastBlockFinalization(),
    ]
}
