import Parsing
import SourceModel

/// The human-readable rendering of a file outline.
enum ParseText {
    static func render(_ o: FileOutline, origin: SourceFile.Origin, terminal t: Terminal) -> String {
        var lines: [String] = []
        var header = "\(t.bold(o.path))  \(o.language.rawValue), \(o.lineCount) lines, \(o.nodeCount) syntax nodes"
        if case let .logScript(_, _, line) = origin {
            header += t.dim("  (the training script printed in this log; positions are in the script, which starts at line \(line + 1) of the log)")
        }
        lines.append(header)
        if o.syntaxErrors.isEmpty {
            lines.append("  syntax     " + t.green("no errors"))
        } else {
            lines.append("  syntax     " + t.red("\(o.syntaxErrors.count) error(s)"))
            for e in o.syntaxErrors {
                lines.append("    \(e.range.start)  \(e.message)\(e.embeddedSource.map { "  [embedded CUDA #\($0)]" } ?? "")")
            }
        }
        func section(_ title: String, _ items: [String]) {
            lines.append("  \(title.padding(toLength: 10, withPad: " ", startingAt: 0)) \(items.count)")
            lines.append(contentsOf: items.map { "    " + $0 })
        }
        section("classes", o.classes.map { "\($0.range.start)  \($0.qualifiedName)" })
        section("functions", o.functions.map { f in
            let decorators = f.decorators.isEmpty ? "" : t.dim("  @" + f.decorators.joined(separator: " @"))
            return "\(f.range.start)  \(f.qualifiedName)\(f.kind == .method ? t.dim(" (method)") : "")\(decorators)"
        })
        section("kernels", o.kernels.map { k in
            var s = "\(k.range.start)  \(k.kind.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)) \(k.qualifiedName)"
            if !k.templateParameters.isEmpty { s += "<\(k.templateParameters.joined(separator: ", "))>" }
            s += "(\(k.parameters.joined(separator: ", ")))"
            if let b = k.launchBounds { s += " __launch_bounds__(\(b))" }
            if let f = k.file { s += t.dim("  in \(f)") }
            if let e = k.embeddedSource { s += t.dim("  [embedded CUDA #\(e)]") }
            return s + t.dim("  (\(k.foundBy.joined(separator: "+")))")
        })
        section("launches", o.launches.map { l in
            let config = [l.grid, l.block, l.sharedMemory, l.stream].compactMap { $0 }.joined(separator: ", ")
            var s = "\(l.range.start)  \(l.kernel)<<<\(config)>>>"
            if let c = l.caller { s += " in \(c)" }
            if !l.resolved { s += t.yellow("  (kernel not resolved)") }
            if let e = l.embeddedSource { s += t.dim("  [embedded CUDA #\(e)]") }
            return s
        })
        if !o.embeddedSources.isEmpty {
            section("embedded", o.embeddedSources.map { "\($0.range.start)  #\($0.index) \($0.byteCount) bytes of CUDA via \($0.via)" })
        }
        if !o.diagnostics.isEmpty {
            section("libclang", o.diagnostics.prefix(20).map { d in
                "\(d.range.map { "\($0.start)" } ?? "-")  \(d.severity): \(d.message)\(d.file.map { "  in \($0)" } ?? "")"
            })
        }
        for note in o.notes { lines.append("  " + t.dim("note: \(note)")) }
        return lines.joined(separator: "\n")
    }
}
