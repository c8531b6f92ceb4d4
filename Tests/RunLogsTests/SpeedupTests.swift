import Foundation
@testable import RunLogs
import TestSupport
import Testing

@Suite struct SpeedupTests {
    /// FSR and ratio for task `task` (base = record N, reference = record N+1) and a submission timed like
    /// record `submission`, from the records' own results.json.
    func speedup(task: Int, submission: Int) throws -> Speedup {
        try Speedup(baseMs: RecordResults.time(task), referenceMs: RecordResults.time(task + 1),
                    submission: RecordResults.run(submission).timeToTarget)
    }

    @Test(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
    func taskFour() throws {
        // base record_4 1301740 ms, reference record_5 949528 ms: the expert saved 1301740 - 949528 = 352212 ms.
        let reference = try speedup(task: 4, submission: 5)
        #expect(reference.fsr == (1_301_740.0 - 949_528.0) / (1_301_740.0 - 949_528.0))  // 352212 / 352212 = 1
        #expect(reference.fsr == 1)
        #expect(reference.ratio == 1_301_740.0 / 949_528.0)  // 1.3709...
        #expect(abs(reference.ratio! - 1.37093) < 1e-5)

        let base = try speedup(task: 4, submission: 4)
        #expect(base.fsr == 0)  // (1301740 - 1301740) / 352212
        #expect(base.ratio == 1)

        // record_6 (766259 ms) as the submission beats the reference: 535481 / 352212 = 1.5203..., not clipped.
        let faster = try speedup(task: 4, submission: 6)
        #expect(faster.fsr == (1_301_740.0 - 766_259.0) / 352_212.0)
        #expect(abs(faster.fsr! - 1.52034) < 1e-5)
        #expect(faster.fasterThanReference)
        #expect(faster.description == "FSR 1.52, 1.699x the base (faster than the reference)")
    }

    @Test(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
    func taskTen() throws {
        // base record_10 477150 ms, reference record_11 442985 ms: 34165 ms to recover.
        #expect(try speedup(task: 10, submission: 11).fsr == 1)
        // record_12 (317839 ms): (477150 - 317839) / 34165 = 159311 / 34165 = 4.6629...
        let far = try speedup(task: 10, submission: 12)
        #expect(far.fsr == 159_311.0 / 34_165.0)
        #expect(abs(far.fsr! - 4.66298) < 1e-5)
        // record_9 (505531 ms) is slower than the base: (477150 - 505531) / 34165 = -28381 / 34165 = -0.8307...
        let slower = try speedup(task: 10, submission: 9)
        #expect(slower.fsr == -28_381.0 / 34_165.0)
        #expect(slower.ratio == 477_150.0 / 505_531.0)
        #expect(!slower.fasterThanReference)
    }

    @Test(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
    func taskSeventeen() throws {
        // base record_17 220374 ms, reference record_18 211840 ms: 8534 ms to recover.
        #expect(try speedup(task: 17, submission: 18).fsr == 1)
        // Half-way, 216107 ms: (220374 - 216107) / 8534 = 4267 / 8534 = 0.5.
        let half = try Speedup(baseMs: RecordResults.time(17), referenceMs: RecordResults.time(18), submissionMs: 216_107)
        #expect(half.fsr == 0.5)
        #expect(half.ratio == 220_374.0 / 216_107.0)
    }

    @Test(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
    func taskSixHasASlowerReference() throws {
        // base record_6 766259 ms, reference record_7 773072 ms: the reference is 6813 ms slower.
        let same = try speedup(task: 6, submission: 7)
        #expect(same.fsr == 1)  // (766259 - 773072) / (766259 - 773072)
        #expect(same.referenceSlowerThanBase)
        #expect(try speedup(task: 6, submission: 6).fsr == 0)
    }

    @Test(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
    func aSubmissionAboveTheTargetRecoversNothing() throws {
        // Task 2: record_3 is the reference (its time, 1386147 ms, is the task's), but as a submission its
        // own val_loss 3.2813 misses 3.28, so it has no time to target.
        let result = try speedup(task: 2, submission: 3)
        #expect(result.fsr == nil && result.ratio == nil)
        #expect(result.outcome == .recoversNothing(.targetNotReached(target: 3.28, bestValLoss: 3.2813)))
        #expect(result.description == "recovers nothing: never reached val_loss <= 3.28 (best 3.2813)")
    }

    @Test(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
    func aLogThatMissesTheTargetRecoversNothing() throws {
        let log = try CorpusLog.run("2024-11-06_ShortcutsTweaks")
        let result = try Speedup(baseMs: RecordResults.time(9), referenceMs: RecordResults.time(10), submission: log.timeToTarget)
        #expect(result.outcome == .recoversNothing(.targetNotReached(target: 3.28, bestValLoss: 3.3151)))
    }

    @Test func anLLMCLogHasNoTimeToCompare() throws {
        let run = try SyntheticLogs.run("s:0 tel:11.0\ns:0 trl:11.0\ns:1 tel:3.0\n")
        let result = try Speedup(baseMs: 2000, referenceMs: 1000, submission: run.timeToTarget)
        #expect(result.outcome == .recoversNothing(.noTrainTime(step: 1)))
        let none = try Speedup(baseMs: 2000, referenceMs: 1000, submissionMs: nil)
        #expect(none.fsr == nil)
    }

    @Test func equalBaseAndReferenceIsAnError() {
        #expect(throws: SpeedupError.baseEqualsReference(1000)) {
            try Speedup(baseMs: 1000, referenceMs: 1000, submissionMs: 900)
        }
        #expect(SpeedupError.baseEqualsReference(1000).description == "base and reference times are equal (1000.0 ms): FSR is undefined")
    }

    @Test func nonsenseTimesAreErrors() {
        #expect(throws: SpeedupError.invalidTime(role: "base", ms: 0)) { try Speedup(baseMs: 0, referenceMs: 1, submissionMs: 1) }
        #expect(throws: SpeedupError.invalidTime(role: "reference", ms: -1)) { try Speedup(baseMs: 2, referenceMs: -1, submissionMs: 1) }
        #expect(throws: SpeedupError.self) { try Speedup(baseMs: 2, referenceMs: 1, submissionMs: .nan) }
    }

    @Test func speedupEncodesToJSON() throws {
        let result = try Speedup(baseMs: 2000, referenceMs: 1000, submissionMs: 500)
        #expect(result.fsr == 1.5)  // (2000 - 500) / (2000 - 1000)
        #expect(result.ratio == 4)  // 2000 / 500
        let data = try JSONEncoder().encode(result)
        #expect(try JSONDecoder().decode(Speedup.self, from: data) == result)
    }
}
