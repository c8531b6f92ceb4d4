extension DetectorRegistry {
    /// Detectors of the innovations task 18 introduced.
    static let task18: [any Detector] = [
        Fp8LmHead(),
        LogitOffsetSigmoid(),
        LrDecayFloor0p1(),
        LinearInitScale0p5(),
        ManualGradAllreduce(),
        MuonAllgatherIntoTensor(),
    ]
}
