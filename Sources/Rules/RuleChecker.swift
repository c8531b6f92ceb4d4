import Catalogue
import SemanticDiff

/// All rules, in the order reports list them.
public enum RuleChecker {
    public static let rules: [any Rule] = [
        ProtectedHyperparameters(), EnvironmentVariables(), CheckpointSaving(), Print0Statements(), TimedRegion(),
        ValidationLoss(), FinalValidation(), LocalImports(), DistributedSetup(),
    ]

    public static func check(_ context: RuleContext, rules: [any Rule] = rules) -> [Finding] {
        rules.flatMap { $0.check(context) }
    }

    public static func rule(_ id: String) -> (any Rule)? { rules.first { $0.id == id } }
}
