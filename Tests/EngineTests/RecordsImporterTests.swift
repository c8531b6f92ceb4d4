import Engine
import Foundation
import Testing
import TestSupport

@Suite struct RecordsImporterTests {
    func makeRecords(_ numbers: [Int], under base: URL, results: Bool = true) throws {
        for n in numbers {
            let folder = base.appendingPathComponent("record_\(n)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data("print(\(n))\n".utf8).write(to: folder.appendingPathComponent("train_gpt2.py"))
            if results { try Data(#"{"metrics": {"train_time": \#(n * 1000), "val_loss": 3.27, "n_steps": 10}}"#.utf8).write(to: folder.appendingPathComponent("results.json")) }
        }
    }

    let scratch = ScratchFolder("srlens-records")

    func temporary() throws -> URL { try scratch.folder() }

    @Test func importsFromAnLLMSpeedrunnerCheckout() throws {
        let checkout = try temporary()
        let templates = checkout.appendingPathComponent("workspace_templates/nanogpt_speedrun")
        try makeRecords(Array(1...21), under: templates)
        let destination = try temporary().appendingPathComponent("records")
        let report = try RecordsImporter.importRecords(from: checkout.path, to: destination.path)
        #expect(report.imported == Array(1...21))
        #expect(report.withoutResults.isEmpty)
        #expect(RecordSet(root: destination.path).available == Array(1...21))
        let copied = try String(contentsOfFile: RecordSet(root: destination.path).script(7), encoding: .utf8)
        #expect(copied == "print(7)\n")
    }

    @Test func aPartialSetIsRefusedNamingWhatIsMissing() throws {
        let folder = try temporary()
        try makeRecords(Array(1...19), under: folder)
        #expect {
            try RecordsImporter.importRecords(from: folder.path, to: try temporary().path)
        } throws: { error in
            let message = "\(error)"
            return message.contains("record_20/train_gpt2.py") && message.contains("record_21/train_gpt2.py")
        }
    }

    @Test func aFolderWithoutRecordsIsAClearError() throws {
        let empty = try temporary()
        #expect { try RecordsImporter.importRecords(from: empty.path, to: try temporary().path) } throws: { "\($0)".contains("no record_N") }
        #expect { try RecordsImporter.importRecords(from: "/nonexistent/path", to: try temporary().path) } throws: { "\($0)".contains("no such folder") }
    }

    @Test func missingResultsAreReportedNotFatal() throws {
        let folder = try temporary()
        try makeRecords(Array(1...21), under: folder, results: false)
        let report = try RecordsImporter.importRecords(from: folder.path, to: try temporary().path)
        #expect(report.withoutResults == Array(1...21))
    }

    @Test func recordSetNamesMissingFiles() throws {
        let folder = try temporary()
        try makeRecords([4], under: folder)
        #expect { try RecordSet(root: folder.path).require([4, 5], origin: "test") } throws: { "\($0)".contains("record_5/train_gpt2.py") }
        #expect { try RecordSet(root: "/nonexistent").require([4], origin: "SRLENS_RECORDS") } throws: {
            "\($0)".contains("SRLENS_RECORDS") && "\($0)".contains("srlens records import")
        }
    }
}
