import ArgumentParser
import Engine
import Foundation
import Store
import Synchronization

struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Score every submission under a folder (or in a manifest), in parallel, into the database.",
        discussion: """
        A submission is a folder with a train_gpt2.py, the other .py/.cu files beside it, and optionally a run \
        log (.txt/.log) or results.json; numbered workspace versions (run/0, run/1, ...) are each a submission. \
        Each submission is stored in its own transaction: an interrupted batch keeps what it stored and, run \
        again, skips it. Results already analysed by this build are taken from the cache. A submission that \
        cannot be scored is stored with its error and the batch goes on. Exit status: 0 when every submission \
        was scored, 1 when some failed, 2 when the batch could not start.
        """)

    @Argument(help: "Folder of submissions.")
    var directory: String?

    @Option(help: "Task of the submissions (with a folder).")
    var task: Int?

    @Option(help: "JSON manifest mapping submissions to tasks: {\"submissions\": [{\"path\": ..., \"task\": N}]}.")
    var manifest: String?

    @Option(help: "Label of this batch in the database (default: the folder's name).")
    var label: String?

    @Option(help: "Folder of record_N/ folders.")
    var records: String?

    @Option(help: "Write one JSON object per submission to this file ('-' for standard output).")
    var jsonl: String?

    @OptionGroup var store: StoreOptions

    @Flag(help: "No progress bar.")
    var quiet = false

    func run() throws {
        let candidates: [SubmissionCandidate]
        let configuration: Configuration
        do {
            configuration = try Configuration.resolve(recordsFlag: records)
            if let manifest {
                candidates = try SubmissionDiscovery.manifest(manifest)
            } else if let directory, let task = task ?? configuration.task {
                candidates = try SubmissionDiscovery.discover(root: directory, task: task)
            } else {
                throw ValidationError("give a folder and --task N, or --manifest FILE")
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            printError("srlens: error: \(error)")
            throw ExitCode(2)
        }
        let batchLabel = label ?? ((directory ?? manifest ?? "batch") as NSString).lastPathComponent
        let database: Store
        do {
            database = try Store(path: store.path(configuration))
        } catch {
            printError("srlens: error: \(error)")
            throw ExitCode(2)
        }
        let service = BatchService(store: database, scorer: ScoreService(configuration: configuration), label: batchLabel)
        let lines: FileHandle?
        switch jsonl {
        case nil: lines = nil
        case "-": lines = FileHandle.standardOutput
        case let path?:
            // Before any scoring: a results file that cannot be written is an error, not a silent loss.
            guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
                printError("srlens: error: cannot write the JSON Lines file \(path)")
                throw ExitCode(2)
            }
            lines = handle
        }
        let showProgress = !quiet && isatty(STDERR_FILENO) != 0
        let started = Date()
        let writer = Mutex<Void>(())
        let summary: BatchService.Summary
        do {
            summary = try service.run(candidates, progress: { p in
                guard showProgress else { return }
                let elapsed = Date().timeIntervalSince(started)
                let rate = Double(p.done) / max(elapsed, 0.001)
                let eta = rate > 0 ? Double(p.total - p.done) / rate : 0
                let width = 30, filled = p.total == 0 ? width : width * p.done / p.total
                let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
                printErrorInline(String(format: "\r[%@] %d/%d  %.1f/s  ETA %.0fs  cached %d  skipped %d  failed %d ",
                                        bar, p.done, p.total, rate, eta, p.cached, p.skipped, p.failed))
            }, output: { result in
                guard let lines, var data = try? JSONOutput.lineEncoder().encode(result) else { return }
                data.append(0x0A)
                writer.withLock { _ in lines.write(data) }
            })
        } catch {
            printError("\nsrlens: error: \(error)")
            throw ExitCode(2)
        }
        if showProgress { printErrorInline("\n") }
        let elapsed = Date().timeIntervalSince(started)
        printError(String(format: "%d submissions in %.2fs: %d scored, %d from the cache, %d already stored (skipped), %d failed; database %@",
                          candidates.count, elapsed, summary.results.count - summary.cached, summary.cached, summary.skipped,
                          summary.failed, database.path))
        if summary.failed > 0 { throw ExitCode(1) }
    }
}

func printErrorInline(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}
