extension DetectorRegistry {
    /// Detectors of the innovations task 11 introduced.
    static let task11: [any Detector] = [
        FlexAttention(),
        DocumentCausalMask(),
        SlidingWindowAttention(),
        LongContextSingleSequence64k(),
    ]
}
