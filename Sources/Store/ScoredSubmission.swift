/// What the store keeps of one scored submission (plain values: the store knows no analysis types).
public struct ScoredSubmission: Sendable, Equatable {
    public struct File: Sendable, Equatable {
        public var path: String
        public var hash: String
        public var size: Int
        public init(path: String, hash: String, size: Int) { self.path = path; self.hash = hash; self.size = size }
    }

    public struct Innovation: Sendable, Equatable {
        public var id: String
        public var isKey: Bool
        public var implemented: Bool
        public init(id: String, isKey: Bool, implemented: Bool) { self.id = id; self.isKey = isKey; self.implemented = implemented }
    }

    public struct Finding: Sendable, Equatable {
        public var rule: String
        public var severity: String
        public var message: String
        public init(rule: String, severity: String, message: String) { self.rule = rule; self.severity = severity; self.message = message }
    }

    public struct Run: Sendable, Equatable {
        public var source: String
        public var finalValLoss: Double?
        public var reachedTarget: Bool
        public var steps: Int?
        public var trainTimeMs: Double?
        public init(source: String, finalValLoss: Double?, reachedTarget: Bool, steps: Int?, trainTimeMs: Double?) {
            self.source = source; self.finalValLoss = finalValLoss; self.reachedTarget = reachedTarget
            self.steps = steps; self.trainTimeMs = trainTimeMs
        }
    }

    public var label: String
    public var name: String
    public var task: Int
    public var path: String
    public var contentHash: String
    public var files: [File]
    public var recall: Double?
    public var alignment: Double?
    public var structural: Double?
    public var valid: Bool
    public var fsr: Double?
    public var speedRatio: Double?
    public var timeToTargetMs: Double?
    /// Why the submission could not be scored (it is stored anyway, and the batch goes on).
    public var error: String?
    public var toolVersion: String
    public var innovations: [Innovation]
    public var findings: [Finding]
    public var run: Run?

    public init(label: String, name: String, task: Int, path: String, contentHash: String, files: [File],
                recall: Double? = nil, alignment: Double? = nil, structural: Double? = nil, valid: Bool = false,
                fsr: Double? = nil, speedRatio: Double? = nil, timeToTargetMs: Double? = nil, error: String? = nil,
                toolVersion: String, innovations: [Innovation] = [], findings: [Finding] = [], run: Run? = nil) {
        self.label = label; self.name = name; self.task = task; self.path = path; self.contentHash = contentHash
        self.files = files; self.recall = recall; self.alignment = alignment; self.structural = structural
        self.valid = valid; self.fsr = fsr; self.speedRatio = speedRatio; self.timeToTargetMs = timeToTargetMs
        self.error = error; self.toolVersion = toolVersion; self.innovations = innovations; self.findings = findings
        self.run = run
    }
}
