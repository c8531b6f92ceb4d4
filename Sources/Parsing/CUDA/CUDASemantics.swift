import ClangKit
import Foundation
import SourceModel

/// libclang's view of CUDA code, merged into an outline: kernels confirmed or added, launches resolved, errors.
struct CUDASemantics {
    /// Parses `bytes` as the CUDA file `clangPath` (a real path, so relative `#include`s resolve, or a virtual
    /// one for embedded sources) and merges the inventory into `outline`.
    static func merge(into outline: inout FileOutline, bytes: [UInt8], clangPath: String,
                      range toRange: @escaping (Range<Int>) -> SourceRange, embeddedSource: Int?) {
        let text = String(decoding: bytes, as: UTF8.self)
        let unit: TranslationUnit
        do {
            unit = try TranslationUnit(path: clangPath, arguments: CUDAShim.arguments,
                                       unsavedFiles: CUDAShim.unsavedFiles + [.init(path: clangPath, contents: text)])
        } catch {
            outline.notes.append("libclang: \(error)")
            return
        }
        let inventory = KernelInventory(unit: unit) { path in
            path == clangPath ? bytes : (try? Data(contentsOf: URL(fileURLWithPath: path))).map(Array.init)
        }
        let isOwn: (SourceSpan) -> Bool = { $0.file == clangPath }
        let mapped: (SourceSpan) -> SourceRange = { span in
            isOwn(span) ? toRange(span.byteRange)
                : SourceRange(startByte: span.startOffset, endByte: span.endOffset,
                              start: Position(line: span.startLine - 1, column: span.startColumn - 1),
                              end: Position(line: span.endLine - 1, column: span.endColumn - 1))
        }

        for function in inventory.functions {
            let kind: KernelEntity.Kind = switch function.role {
            case .kernel: .cudaKernel
            case .device: .cudaDevice
            case .hostDevice: .cudaHostDevice
            }
            let line = isOwn(function.span) ? toRange(function.span.byteRange).start.line : nil
            if let i = outline.kernels.firstIndex(where: {
                $0.name == function.name && $0.embeddedSource == embeddedSource && $0.file == nil && $0.range.start.line == line
            }) {
                outline.kernels[i].foundBy.append("libclang")
                outline.kernels[i].qualifiedName = function.qualifiedName
                outline.kernels[i].kind = kind
                if outline.kernels[i].launchBounds == nil { outline.kernels[i].launchBounds = function.launchBounds }
            } else {
                outline.kernels.append(KernelEntity(
                    kind: kind, name: function.name, qualifiedName: function.qualifiedName, range: mapped(function.span),
                    file: isOwn(function.span) ? nil : function.span.file, embeddedSource: embeddedSource,
                    templateParameters: function.templateParameters, parameters: function.parameters.map(\.name),
                    launchBounds: function.launchBounds, foundBy: ["libclang"]))
            }
        }

        // libclang's launches replace tree-sitter's for the same code: they carry resolution.
        let semantic = inventory.launches.map { launch in
            LaunchEntity(kernel: launch.kernel, resolved: launch.resolved, caller: launch.caller, grid: launch.grid,
                         block: launch.block, sharedMemory: launch.sharedMemory, stream: launch.stream,
                         range: mapped(launch.span), file: isOwn(launch.span) ? nil : launch.span.file,
                         embeddedSource: embeddedSource)
        }
        let covered = Set(semantic.filter { $0.file == nil }.map(\.range.start.line))
        outline.launches.removeAll { $0.embeddedSource == embeddedSource && covered.contains($0.range.start.line) }
        outline.launches.append(contentsOf: semantic)

        for diagnostic in inventory.errors where !CUDAShim.isShimPath(diagnostic.location.file) {
            let own = isOwn(diagnostic.location)
            outline.diagnostics.append(SemanticDiagnostic(
                severity: diagnostic.severity.rawValue, message: diagnostic.message,
                range: diagnostic.location.file.isEmpty ? nil : mapped(diagnostic.location),
                file: own ? nil : diagnostic.location.file, embeddedSource: embeddedSource))
        }
    }
}
