extension DetectorRegistry {
    /// Detectors of the innovations task 4 introduced.
    static let task04: [any Detector] = [
        ReluSquared(),
        PaddedVocab(),
        ZeroInitProjections(),
        QkNorm(),
        HeadDim128(),
        RemoveAttnResidualScale(),
    ]
}
