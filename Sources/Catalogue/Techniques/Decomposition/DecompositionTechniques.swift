extension TechniqueRegistry {
    /// Detectors of the decomposition techniques.
    static let decomposition: [any TechniqueDetector] = [
        GridStrideLoop(),
        PersistentThreads(),
        ThreadCoarsening(),
        WarpPerRow(),
        BlockPerRow(),
        BatchedLaunch(),
        BlockSchedulingOrder(),
    ]
}
