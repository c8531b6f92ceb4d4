import Catalogue
import Foundation

/// Hover: at a position inside the evidence of an innovation (or a CUDA technique), what it is and what was
/// matched there.
enum HoverBuilder {
    static func hover(_ analysis: DocumentAnalysis, document: OpenDocument, at position: LSPPosition, encoding: PositionEncoding) -> Hover? {
        let offset = encoding.offset(of: position, in: document.lines)
        var sections: [String] = []
        var hit: Evidence?
        func covers(_ evidence: Evidence) -> Bool {
            evidence.path == document.path && evidence.range.startByte <= offset && offset <= evidence.range.endByte
        }
        for detection in analysis.detections {
            for evidence in detection.evidence where covers(evidence) {
                let innovation = CatalogueData.shared.innovation(detection.id)
                sections.append("**\(detection.id)**: \(innovation?.title ?? "")\n\n\(innovation?.summary ?? "")\n\n"
                    + "Evidence: \(evidence.note) (`\(evidence.code)`)")
                hit = hit ?? evidence
                break
            }
        }
        for report in analysis.techniques {
            for found in report.kernels.flatMap({ kernel in kernel.techniques.map { (kernel.name, $0) } }) + report.host.map({ ("host", $0) }) {
                for evidence in found.1.evidence where covers(evidence) {
                    let about = CatalogueData.text("queries/cuda/\(found.1.id)/about.md").map { firstParagraph($0) } ?? ""
                    sections.append("**\(found.1.id)** in `\(found.0)`\n\n\(about)\n\nEvidence: \(evidence.note) (`\(evidence.code)`)")
                    hit = hit ?? evidence
                    break
                }
            }
        }
        guard let hit else { return nil }
        return Hover(contents: MarkupContent(kind: "markdown", value: sections.joined(separator: "\n\n---\n\n")),
                     range: encoding.range(hit.range.startByte..<hit.range.endByte, in: document.lines))
    }

    /// The first paragraph of an `about.md` after its heading.
    static func firstParagraph(_ text: String) -> String {
        let paragraphs = text.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        return paragraphs.first { !$0.isEmpty && !$0.hasPrefix("#") } ?? ""
    }
}
