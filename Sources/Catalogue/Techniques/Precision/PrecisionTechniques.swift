extension TechniqueRegistry {
    /// Detectors of the precision techniques.
    static let precision: [any TechniqueDetector] = [
        Bf16OrFp16Math(),
        PackedHalf2Bf162Math(),
        StochasticRounding(),
    ]
}
