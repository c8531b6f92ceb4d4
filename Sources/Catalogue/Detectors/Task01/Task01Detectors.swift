extension DetectorRegistry {
    /// Detectors of the innovations task 1 introduced.
    static let task01: [any Detector] = [
        LrIncrease0p0018(),
        RotaryEmbeddings(),
        TrapezoidalLrSchedule(),
        PerParamGradNormalization(),
        BatchSize524k(),
    ]
}
