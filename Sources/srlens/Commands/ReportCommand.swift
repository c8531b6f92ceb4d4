import ArgumentParser
import Engine
import Foundation
import Store

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report (and/or Markdown) of stored scores, with plots.")

    @Option(help: "Write HTML here.") var html: String?
    @Option(help: "Write Markdown here.") var markdown: String?
    @Option(help: "Only this batch label.") var label: String?
    @Option(help: "Only this task.") var task: Int?
    @OptionGroup var store: StoreOptions

    func run() throws {
        guard html != nil || markdown != nil else { throw ValidationError("give --html FILE and/or --markdown FILE") }
        do {
            let database = try Store(path: store.path(try Configuration.resolve()))
            let builder = ReportBuilder(store: database, filter: .init(task: task, label: label))
            if let html {
                try builder.html().write(toFile: html, atomically: true, encoding: .utf8)
                print("wrote \(html)")
            }
            if let markdown {
                try builder.markdown().write(toFile: markdown, atomically: true, encoding: .utf8)
                print("wrote \(markdown)")
            }
        } catch {
            printError("srlens: error: \(error)")
            throw ExitCode(2)
        }
    }
}
