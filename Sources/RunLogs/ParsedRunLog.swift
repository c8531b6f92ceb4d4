/// Everything read from one file: one run, or several when runs were concatenated.
public struct ParsedRunLog: Sendable, Hashable, Codable {
    /// The format of the file; `.mixed` also when concatenated runs differ.
    public let format: LogFormat
    /// The runs in file order; never empty.
    public let runs: [RunMetrics]
    /// Notes about the file as a whole (several runs in one file).
    public let warnings: [RunLogWarning]

    public init(format: LogFormat, runs: [RunMetrics], warnings: [RunLogWarning]) {
        self.format = format
        self.runs = runs
        self.warnings = warnings
    }

    /// The only run of the file, or `.multipleRuns` when it holds several.
    public func singleRun() throws(RunLogError) -> RunMetrics {
        guard runs.count == 1, let run = runs.first else {
            throw .multipleRuns(startLines: runs.map { $0.lines?.lowerBound ?? 1 })
        }
        return run
    }
}
