/// Every detector, gathered from the per-task lists in `Detectors/TaskNN/` (a detector belongs to the task that
/// introduced its innovation). `pytorch_2_5_upgrade` (task 6) has none: nothing in the code shows it.
public enum DetectorRegistry {
    public static let all: [any Detector] = [
        task01, task02, task03, task04, task05, task07, task08, task09, task10,
        task11, task12, task13, task14, task15, task16, task17, task18, task19, task20,
    ].flatMap { $0 }

    private static let byID: [String: any Detector] = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })

    public static func detector(_ id: String) -> (any Detector)? { byID[id] }
}
