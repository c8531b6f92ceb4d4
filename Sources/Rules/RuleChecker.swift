import Catalogue
import Foundation
import SemanticDiff

/// All rules, in the order reports list them.
public enum RuleChecker {
    public static let rules: [any Rule] = [
        ProtectedHyperparameters(), EnvironmentVariables(), CheckpointSaving(), Print0Statements(), TimedRegion(),
        ValidationLoss(), FinalValidation(), LocalImports(), DistributedSetup(),
    ]

    public static func check(_ context: RuleContext, rules: [any Rule] = rules) -> [Finding] {
        // SRLENS_PROFILE_RULES=1: the time each rule took, on standard error.
        guard ProcessInfo.processInfo.environment["SRLENS_PROFILE_RULES"] != nil else { return rules.flatMap { $0.check(context) } }
        var findings: [Finding] = []
        for rule in rules {
            let start = ContinuousClock.now
            findings += rule.check(context)
            FileHandle.standardError.write(Data("rule \(rule.id): \(ContinuousClock.now - start)\n".utf8))
        }
        return findings
    }

    public static func rule(_ id: String) -> (any Rule)? { rules.first { $0.id == id } }
}
