extension TechniqueRegistry {
    /// Detectors of the algorithmic techniques.
    static let algorithmic: [any TechniqueDetector] = [
        CausalWorkSkipping(),
        KernelFusion(),
        OnlineSoftmax(),
        FlashAttentionTiling(),
        Recomputation(),
        AlgebraicReformulation(),
        InPlaceComputation(),
    ]
}
