import Foundation
import Testing
import TestSupport

/// End-to-end: `srlens batch`, `query` and `report` on the demo's own submissions (examples/demo), including
/// a batch killed with SIGKILL again and again.
@Suite(.enabled(if: CLI.isAvailable, "srlens binary not built; run `make test`"), .serialized)
struct BatchCommandTests {
    static let demo = Fixtures.repositoryRoot.appendingPathComponent("examples/demo")
    static var records: String { demo.appendingPathComponent("records").path }
    static var submissions: String { demo.appendingPathComponent("submissions").path }

    let scratch = ScratchFolder("srlens-batch")

    func temporary() throws -> URL { try scratch.folder() }

    func results(_ jsonl: String) throws -> [[String: Any]] {
        try jsonl.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            .sorted { ($0["name"] as! String) < ($1["name"] as! String) }
    }

    /// What must be equal between two runs: everything but the label, the cache flag and the path.
    func comparable(_ result: [String: Any]) -> String {
        var r = result
        r["cached"] = nil
        r["label"] = nil
        let data = try! JSONSerialization.data(withJSONObject: r, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    @Test func scoringTwiceGivesIdenticalResultsTheSecondTimeFromTheCache() throws {
        let db = try temporary().appendingPathComponent("s.sqlite").path
        let clock = ContinuousClock()
        var first: CLI.Result!
        let cold = try clock.measure {
            first = try CLI.run(["batch", Self.submissions, "--task", "4", "--records", Self.records, "--db", db, "--label", "one", "--jsonl", "-", "--quiet"])
        }
        #expect(first.status == 1, "agent_d is unreadable: the batch reports one failure and goes on")
        #expect(first.stderr.contains("6 submissions"))
        var second: CLI.Result!
        let warm = try clock.measure {
            second = try CLI.run(["batch", Self.submissions, "--task", "4", "--records", Self.records, "--db", db, "--label", "two", "--jsonl", "-", "--quiet"])
        }
        let a = try results(first.stdout), b = try results(second.stdout)
        #expect(a.count == 6 && b.count == 6)
        #expect(a.map(comparable) == b.map(comparable), "identical results")
        #expect(b.allSatisfy { $0["cached"] as? Bool == true }, "the second batch reads every analysis from the cache")
        #expect(second.stderr.contains("6 from the cache"))
        print("batch of 6: first run \(cold), second run from the cache \(warm)")
        // A third run under the same label has nothing left to do.
        let third = try CLI.run(["batch", Self.submissions, "--task", "4", "--records", Self.records, "--db", db, "--label", "two", "--quiet"])
        #expect(third.stderr.contains("6 already stored (skipped)"))
    }

    @Test func anUnwritableResultsFileIsAnErrorBeforeScoring() throws {
        let db = try temporary().appendingPathComponent("s.sqlite").path
        let result = try CLI.run(["batch", Self.submissions, "--task", "4", "--records", Self.records, "--db", db,
                                  "--jsonl", "/nonexistent-folder/results.jsonl", "--quiet"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot write the JSON Lines file /nonexistent-folder/results.jsonl"))
    }

    @Test func queryAndReport() throws {
        let dir = try temporary()
        let db = dir.appendingPathComponent("s.sqlite").path
        _ = try CLI.run(["batch", Self.submissions, "--task", "4", "--records", Self.records, "--db", db, "--label", "exp", "--quiet"])
        let byTask = try CLI.run(["query", "--db", db, "--by", "task", "--format", "csv"])
        #expect(byTask.status == 0)
        #expect(byTask.stdout.hasPrefix("task,submissions,mean_structural,mean_fsr,valid,failed"))
        #expect(byTask.stdout.contains("\n4,6,"))
        let hostile = try CLI.run(["query", "--db", db, "--label", "exp' OR '1'='1", "--format", "json"])
        let hostileRows = try JSONSerialization.jsonObject(with: Data(hostile.stdout.utf8)) as? [Any]
        #expect(hostileRows?.isEmpty == true, "a label is a bound parameter: \(hostile.stdout)")
        let relu = try CLI.run(["query", "--db", db, "--innovation", "relu_squared", "--format", "json"])
        let rows = try JSONSerialization.jsonObject(with: Data(relu.stdout.utf8)) as? [[String: Any]] ?? []
        let names = Set(rows.compactMap { $0["name"] as? String })
        #expect(names.isSuperset(of: ["agent_a", "agent_e"]), "\(names)")
        let html = dir.appendingPathComponent("r.html").path, md = dir.appendingPathComponent("r.md").path
        let report = try CLI.run(["report", "--db", db, "--html", html, "--markdown", md])
        #expect(report.status == 0)
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("<svg") && page.contains("<circle") && page.contains("Reproduction rate"))
        #expect(try String(contentsOfFile: md, encoding: .utf8).contains("| task |"))
    }

    @Test func killedTwentyTimesLeavesASoundDatabaseAndResumes() throws {
        // A larger batch: the demo's submissions copied under several names.
        let dir = try temporary()
        let batch = dir.appendingPathComponent("batch")
        for copy in 0..<4 {
            for name in ["agent_a", "agent_b", "agent_c", "agent_e", "agent_f"] {
                let target = batch.appendingPathComponent("\(name)_\(copy)")
                try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
                for file in ["train_gpt2.py", "train.log"] {
                    var text = try String(contentsOfFile: "\(Self.submissions)/\(name)/\(file)", encoding: .utf8)
                    if file == "train_gpt2.py" { text += "\n# copy \(copy)\n" }
                    try text.write(to: target.appendingPathComponent(file), atomically: true, encoding: .utf8)
                }
            }
        }
        let db = dir.appendingPathComponent("s.sqlite").path
        let arguments = ["batch", batch.path, "--task", "4", "--records", Self.records, "--db", db, "--quiet"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 20_000...400_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let check = try CLI.run(["query", "--db", db, "--by", "label", "--format", "csv"])
            #expect(check.status == 0, "the database opens after a kill: \(check.stderr)")
        }
        let finish = try CLI.run(arguments)
        #expect(finish.status == 0, "\(finish.stderr)")
        let rows = try CLI.run(["query", "--db", db, "--format", "csv"])
        let lines = rows.stdout.split(separator: "\n").dropFirst()
        #expect(lines.count == 20, "every submission stored exactly once")
        #expect(Set(lines.map { $0.split(separator: ",")[2] }).count == 20, "no duplicate rows")
        let integrity = try sqliteIntegrity(db)
        #expect(integrity == "ok")
    }

    /// PRAGMA integrity_check through the sqlite3 shell when present, else through srlens's own store.
    func sqliteIntegrity(_ db: String) throws -> String {
        let result = try CLI.run(["query", "--db", db, "--by", "task"])
        guard result.status == 0 else { return result.stderr }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])", db]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
