import ArgumentParser
import Catalogue
import Engine

struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "List the catalogued innovations a Python training script implements, with evidence.",
        discussion: """
        Each file is classified on its own (a .txt/.log run log is reduced to the script it embeds); with \
        --together the files are one submission (settings in one file can feed another). Exit status: 0 when \
        every file was read, 1 otherwise.
        """)

    @Argument(help: "Python files or run logs.")
    var files: [String]

    @Flag(help: "Classify the files as one submission.")
    var together = false

    @Flag(help: "Write the srlens.classify/1 JSON document (docs/json-classify.md).")
    var json = false

    func run() throws {
        let service = ClassifyService()
        let reports = together ? [service.classifyTogether(files)] : service.classifyEach(files)
        if json {
            try JSONOutput.write(ClassifyDocument(reports: reports))
        } else {
            let terminal = Terminal.standardOutput
            for report in reports {
                print(terminal.bold(report.paths.joined(separator: " + ")))
                for problem in report.problems { printError("srlens: error: \(problem)") }
                if report.detections.isEmpty && report.problems.isEmpty && report.techniques.isEmpty { print("  no catalogued innovation found") }
                for detection in report.detections {
                    let title = CatalogueData.shared.innovation(detection.id)?.title ?? ""
                    print("  \(terminal.green(detection.id))  \(terminal.dim(title))")
                    for evidence in detection.evidence.prefix(3) {
                        print("      \(evidence.path):\(evidence.range.start)  \(evidence.code)  \(terminal.dim(evidence.note))")
                    }
                    if detection.evidence.count > 3 { print(terminal.dim("      (\(detection.evidence.count - 3) more)")) }
                }
                for source in report.techniques {
                    for kernel in source.kernels {
                        print("  kernel \(terminal.bold(kernel.name))" + (kernel.techniques.isEmpty ? terminal.dim("  no catalogued technique") : ""))
                        for technique in kernel.techniques {
                            let first = technique.evidence.first
                            print("      \(terminal.green(technique.id))" + (first.map { terminal.dim("  \($0.path):\($0.range.start)  \($0.code)") } ?? ""))
                        }
                    }
                    for technique in source.host {
                        let first = technique.evidence.first
                        print("  host \(terminal.green(technique.id))" + (first.map { terminal.dim("  \($0.path):\($0.range.start)  \($0.code)") } ?? ""))
                    }
                }
            }
        }
        if reports.contains(where: { !$0.problems.isEmpty }) { throw ExitCode(1) }
    }
}

struct ClassifyDocument: Encodable {
    let schema = "srlens.classify/1"
    let tool = ParseDocument.ToolInfo()
    let results: [Entry]

    struct Entry: Encodable {
        let paths: [String]
        let problems: [String]
        let innovations: [Found]
        let cuda: [TechniqueReport]
    }

    struct Found: Encodable {
        let id: String
        let title: String
        let category: String
        let evidence: [Evidence]
    }

    init(reports: [ClassifyReport]) {
        results = reports.map { report in
            Entry(paths: report.paths, problems: report.problems, innovations: report.detections.map { detection in
                let innovation = CatalogueData.shared.innovation(detection.id)
                return Found(id: detection.id, title: innovation?.title ?? "", category: innovation?.category ?? "",
                             evidence: detection.evidence)
            }, cuda: report.techniques)
        }
    }
}
