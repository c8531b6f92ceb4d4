import Foundation
import RunLogs
import TestSupport

/// The records' own `results.json` files.
enum RecordResults {
    static func url(_ record: Int) -> URL {
        Corpus.root.appendingPathComponent("llm-speedrunner/records/record_\(record)/results.json")
    }

    static func run(_ record: Int) throws -> RunMetrics {
        try RunLogParser.parse(Array(Data(contentsOf: url(record)))).singleRun()
    }

    /// `metrics.train_time` of a record, as the base or reference time of a task.
    static func time(_ record: Int) throws -> Double {
        guard let ms = try run(record).finalTrainTimeMs else { throw CocoaError(.fileReadCorruptFile) }
        return ms
    }
}
