extension DetectorRegistry {
    /// Detectors of the innovations task 10 introduced.
    static let task10: [any Detector] = [
        UnetSkipConnections(),
        DoubleLr(),
        NsIterationRestructure(),
    ]
}
