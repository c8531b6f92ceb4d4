extension DetectorRegistry {
    /// Detectors of the innovations task 15 introduced.
    static let task15: [any Detector] = [
        SplitValueEmbeddings(),
        BlockSlidingWindow(),
        FullPartialBlockMask(),
        CompilerSkipGuardEval(),
        DdpBucketView(),
    ]
}
