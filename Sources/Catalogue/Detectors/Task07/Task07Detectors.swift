extension DetectorRegistry {
    /// Detectors of the innovations task 7 introduced.
    static let task07: [any Detector] = [
        UntiedLmHead(),
        ZeroInitLmHead(),
        EmbeddingRmsnorm(),
        EmbeddingHighLrAdam(),
        MuonAspectRatioScale(),
        CudnnSdpaBackend(),
    ]
}
