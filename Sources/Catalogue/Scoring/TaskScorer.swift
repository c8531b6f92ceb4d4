import SemanticDiff

/// Scores a submission for a task from the detections of the base, the submission, and the two diffs from
/// the base (to the reference and to the submission). Definitions: docs/scoring.md.
public enum TaskScorer {
    public static func score(task: TaskSpec, base: [Detection], submission: [Detection],
                             referenceDiff: SemanticDiffResult, submissionDiff: SemanticDiffResult,
                             policy: ScoringPolicy = ScoringPolicy(),
                             catalogue: CatalogueData = .shared) -> TaskScore {
        let present = Dictionary(uniqueKeysWithValues: submission.map { ($0.id, $0) })
        let inBase = Set(base.map(\.id))
        let introduced = present.filter { !inBase.contains($0.key) }

        var keyResults: [TaskScore.KeyChangeResult] = []
        var earned = 0.0, possible = 0.0
        for change in task.keyChanges {
            guard let innovation = catalogue.innovation(change.id), innovation.detectable else { continue }
            let weight = policy.weight(change.salience)
            let implemented = introduced[change.id] != nil
            possible += weight
            if implemented { earned += weight }
            let note: String? = implemented ? nil
                : present[change.id] != nil ? "present, but already in the base record" : "not found in the submission"
            keyResults.append(.init(id: change.id, title: innovation.title, salience: change.salience, weight: weight,
                                    implemented: implemented, evidence: introduced[change.id]?.evidence ?? [], note: note))
        }
        let keys = Set(task.keyChanges.map(\.id))
        let extras = introduced.values.filter { !keys.contains($0.id) }.sorted { $0.id < $1.id }
        let recall = possible > 0 ? earned / possible : nil

        let referenceChanges = DiffAlignment.align(reference: referenceDiff, submission: submissionDiff)
        let alignment = referenceChanges.isEmpty ? nil
            : Double(referenceChanges.filter(\.matched).count) / Double(referenceChanges.count)

        let structural: Double?
        switch (recall, alignment) {
        case let (r?, a?): structural = policy.recallShare * r + (1 - policy.recallShare) * a
        case let (r?, nil): structural = r
        case let (nil, a?): structural = a
        default: structural = nil
        }
        return TaskScore(task: task.task, title: task.title, policy: policy, keyChanges: keyResults, extras: extras,
                         recall: recall, referenceChanges: referenceChanges, alignment: alignment, structural: structural)
    }
}
