extension DetectorRegistry {
    /// Detectors of the innovations task 20 introduced.
    static let task20: [any Detector] = [
        ReducedBatchSize48k(),
        LongerValSeqLen(),
        Fp8ScaleRetune(),
    ]
}
