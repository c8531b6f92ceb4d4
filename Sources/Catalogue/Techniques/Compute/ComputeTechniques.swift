extension TechniqueRegistry {
    /// Detectors of the compute techniques.
    static let compute: [any TechniqueDetector] = [
        RegisterBlocking(),
        LoopUnrolling(),
        BranchAvoidance(),
        FastMathIntrinsics(),
        CompileTimeSpecialization(),
        TensorCores(),
        CooperativeGroups(),
        Atomics(),
        BarrierMinimization(),
        LaunchBounds(),
        OccupancyTuning(),
    ]
}
