import Catalogue
import Rules

extension ModuleBundle {
    /// Findings made on the joined program, their submission evidence moved back into the modules it comes from.
    func mapBack(_ findings: [Finding]) -> [Finding] {
        findings.map { finding in
            var placed = finding
            placed.submission = finding.submission.map(mapBack)
            return placed
        }
    }
}
