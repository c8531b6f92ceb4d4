extension DetectorRegistry {
    /// Detectors of the innovations task 14 introduced.
    static let task14: [any Detector] = [
        UnetValueEmbeddings(),
        ValueMixTwoLambdas(),
        MuonAsyncAllgather(),
        ManualBlockMask(),
        PinnedAsyncDataloader(),
        ReduceHostSyncs(),
    ]
}
