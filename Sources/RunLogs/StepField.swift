/// The fields of a step line that carry a number the reader uses, one case per quantity: llm.c's `tel` and
/// `trl` are modded-nanogpt's `val_loss` and `train_loss`. Any other field (`lr`, `norm`, …) is `other`.
enum StepField: Sendable, Equatable {
    case valLoss, trainLoss, trainTime, stepAvg, other

    init(key: Range<Int>, in bytes: [UInt8]) {
        if ASCII.matches(bytes, key, "val_loss") || ASCII.matches(bytes, key, "tel") {
            self = .valLoss
        } else if ASCII.matches(bytes, key, "train_loss") || ASCII.matches(bytes, key, "trl") {
            self = .trainLoss
        } else if ASCII.matches(bytes, key, "train_time") {
            self = .trainTime
        } else if ASCII.matches(bytes, key, "step_avg") {
            self = .stepAvg
        } else {
            self = .other
        }
    }

    /// The one name of the quantity; nil for `other`, whose name is its key.
    var name: String? {
        switch self {
        case .valLoss: "val_loss"
        case .trainLoss: "train_loss"
        case .trainTime: "train_time"
        case .stepAvg: "step_avg"
        case .other: nil
        }
    }
}
