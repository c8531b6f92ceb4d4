extension TechniqueRegistry {
    /// Detectors of the memory techniques.
    static let memory: [any TechniqueDetector] = [
        RestrictPointers(),
        CacheHints(),
        AsyncCopy(),
        DynamicSharedMemory(),
        LargeSmemOptIn(),
        VectorizedLoads128Bit(),
        AlignmentHints(),
        SharedMemoryTiling(),
        SharedMemoryPrivatization(),
        BankConflictAvoidance(),
        MemoryCoalescing(),
        LoopOrderForCacheLocality(),
        RegisterCaching(),
        MemoryLevelParallelism(),
    ]
}
