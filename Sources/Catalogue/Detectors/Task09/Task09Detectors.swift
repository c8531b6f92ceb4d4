extension DetectorRegistry {
    /// Detectors of the innovations task 9 introduced.
    static let task09: [any Detector] = [
        Bf16ActivationsCastedLinear(),
    ]
}
