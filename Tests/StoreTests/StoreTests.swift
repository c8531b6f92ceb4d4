import Foundation
import Store
import Testing
import TestSupport

@Suite struct StoreTests {
    let scratch = ScratchFolder("srlens-store")

    func temporaryDatabase() -> String {
        scratch.url.appendingPathComponent("\(UUID().uuidString)/scores.sqlite").path
    }

    func sample(_ name: String, structural: Double = 0.5) -> ScoredSubmission {
        ScoredSubmission(label: "exp", name: name, task: 4, path: "/x/\(name)", contentHash: "h-\(name)",
                         files: [.init(path: "train_gpt2.py", hash: "f-\(name)", size: 10)],
                         recall: 0.5, alignment: 0.5, structural: structural, valid: true, toolVersion: "t",
                         innovations: [.init(id: "relu_squared", isKey: true, implemented: true)],
                         findings: [.init(rule: "print0-changed", severity: "warning", message: "m")],
                         run: .init(source: "run.txt", finalValLoss: 3.27, reachedTarget: true, steps: 10, trainTimeMs: 1000))
    }

    @Test func opensInWALModeWithTheSchema() throws {
        let store = try Store(path: temporaryDatabase())
        #expect(try store.journalMode() == "wal")
        #expect(try store.integrityCheck() == "ok")
        #expect(try store.count("submission") == 0)
    }

    @Test func savingTwiceReplacesInsteadOfDuplicating() throws {
        let store = try Store(path: temporaryDatabase())
        try store.save(sample("a"))
        try store.save(sample("a", structural: 0.9))
        #expect(try store.count("submission") == 1)
        #expect(try store.count("score") == 1)
        #expect(try store.count("score_innovation") == 1)
        #expect(try store.count("finding") == 1)
        let rows = try store.rows("SELECT structural FROM score")
        #expect(rows.first?["structural"].flatMap(Double.fromDatabaseValue) == 0.9)
        #expect(try store.isScored(label: "exp", name: "a", task: 4, contentHash: "h-a", toolVersion: "t"))
        #expect(try !store.isScored(label: "exp", name: "a", task: 4, contentHash: "changed", toolVersion: "t"))
    }

    @Test func analysesAreCachedByContentTaskAndVersion() throws {
        let store = try Store(path: temporaryDatabase())
        try store.storeAnalysis(contentHash: "c", task: 4, toolVersion: "1", result: Data("r".utf8))
        #expect(try store.cachedAnalysis(contentHash: "c", task: 4, toolVersion: "1") == Data("r".utf8))
        #expect(try store.cachedAnalysis(contentHash: "c", task: 4, toolVersion: "2") == nil)
        #expect(try store.cachedAnalysis(contentHash: "c", task: 5, toolVersion: "1") == nil)
    }

    @Test func parametersAreBoundNotSpliced() throws {
        let store = try Store(path: temporaryDatabase())
        try store.save(sample("a"))
        let hostile = "x' OR '1'='1"
        #expect(try store.rows("SELECT * FROM submission WHERE name = ?", [hostile]).isEmpty)
        #expect(try store.rows("SELECT * FROM submission WHERE name = ?", ["a"]).count == 1)
    }

    @Test func anUnwritableLocationIsAClearError() {
        #expect { try Store(path: "/proc/srlens/cannot.sqlite") } throws: { "\($0)".contains("cannot open the database") }
    }
}
