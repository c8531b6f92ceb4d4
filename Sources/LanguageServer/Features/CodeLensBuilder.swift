import Catalogue
import TreeSitterKit

/// Code lenses: on each class or function of a Python file, the innovations whose evidence lies in it (innermost
/// definition only); on each CUDA kernel, the techniques found in it.
enum CodeLensBuilder {
    static let command = "srlens.showEvidence"

    static func lenses(_ analysis: DocumentAnalysis, document: OpenDocument, encoding: PositionEncoding) -> [CodeLens] {
        guard let root = document.tree?.rootNode else { return [] }
        let definitions = root.preorder.filter { ["function_definition", "class_definition"].contains($0.type) }
        switch document.language {
        case .python:
            var byDefinition: [Int: (node: Node, ids: [String])] = [:]
            for detection in analysis.detections {
                for evidence in detection.evidence where evidence.path == document.path {
                    let start = evidence.range.startByte
                    guard let owner = definitions.filter({ $0.byteRange.contains(start) }).min(by: { $0.byteRange.count < $1.byteRange.count })
                    else { continue }
                    var entry = byDefinition[owner.startByte] ?? (owner, [])
                    if !entry.ids.contains(detection.id) { entry.ids.append(detection.id) }
                    byDefinition[owner.startByte] = entry
                }
            }
            return byDefinition.values.sorted { $0.node.startByte < $1.node.startByte }.map { entry in
                lens(at: entry.node, title: "implements: " + entry.ids.joined(separator: ", "), ids: entry.ids, document, encoding)
            }
        case .cuda:
            var result: [CodeLens] = []
            for report in analysis.techniques {
                for kernel in report.kernels where !kernel.techniques.isEmpty {
                    guard let node = definitions.first(where: { SymbolBuilder.functionName($0)?.text == kernel.name }) else { continue }
                    let ids = kernel.techniques.map(\.id)
                    result.append(lens(at: node, title: "techniques: " + ids.joined(separator: ", "), ids: ids, document, encoding))
                }
            }
            return result
        case nil:
            return []
        }
    }

    private static func lens(at node: Node, title: String, ids: [String], _ document: OpenDocument, _ encoding: PositionEncoding) -> CodeLens {
        let head = node.child(byField: "name") ?? node
        return CodeLens(range: encoding.range(head.byteRange, in: document.lines),
                        command: Command(title: title, command: command, arguments: [document.uri] + ids))
    }
}
