import Catalogue
import Engine
import Foundation
import Testing
import TestSupport

@Suite(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct ScoreServiceTests {
    var service: ScoreService {
        get throws {
            let records = Corpus.root.appendingPathComponent("llm-speedrunner/records").path
            return ScoreService(configuration: try Configuration.resolve(recordsFlag: records))
        }
    }

    @Test(arguments: [1, 4, 8, 17])
    func baseScoresZeroAndReferenceAlignsFully(task: Int) throws {
        let service = try self.service
        let context = try service.context(task: task)
        let spec = context.task
        let base = try service.score([Corpus.record(spec.baseRecord).path], context: context).score
        #expect(base.recall == 0)
        #expect(base.alignment == 0)
        #expect(base.structural == 0)
        let reference = try service.score([Corpus.record(spec.referenceRecord).path], context: context).score
        #expect(reference.alignment == 1)
        #expect(reference.extras.isEmpty, "the reference introduces only its key changes: \(reference.extras.map(\.id))")
    }

    @Test func speedBlockFromResultsJSON() throws {
        let service = try self.service
        let context = try service.context(task: 4)
        let results = Corpus.root.appendingPathComponent("llm-speedrunner/records/record_5/results.json").path
        let report = try service.score([Corpus.record(5).path, results], context: context)
        let speed = try #require(report.speed)
        // Task 4: base 1301740 ms, reference 949528 ms; the reference's own run recovers exactly all of it.
        #expect(speed.baseMs == 1_301_740 && speed.referenceMs == 949_528)
        #expect(abs((speed.speedup?.fsr ?? 0) - 1.0) < 1e-9)
    }

    @Test func unknownTaskAndMissingRecordsAreClearErrors() throws {
        #expect { try self.service.context(task: 42) } throws: { "\($0)".contains("no task 42") }
        let nowhere = ScoreService(configuration: try Configuration.resolve(recordsFlag: "/nonexistent/records"))
        #expect { try nowhere.context(task: 3) } throws: { "\($0)".contains("/nonexistent/records") && "\($0)".contains("--records") }
    }
}
