extension DetectorRegistry {
    /// Detectors of the innovations task 17 introduced.
    static let task17: [any Detector] = [
        LogitSoftcap15(),
        Fp32ScalarParams(),
    ]
}
