import Foundation
import PackagePlugin

/// Embeds `Tasks/*.json` and `queries/**/{*.scm,about.md}` into the target as generated Swift, so the binary
/// is self-contained. The files are declared as inputs: editing one rebuilds the data.
@main
struct EmbedCatalogue: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        let root = context.package.directoryURL
        var inputs: [URL] = []
        for folder in ["Tasks", "queries"] {
            let base = root.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in walker {
                let name = url.lastPathComponent
                if url.pathExtension == "json" || url.pathExtension == "scm" || name == "about.md" {
                    inputs.append(url)
                }
            }
        }
        inputs.sort { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("EmbeddedCatalogueData.swift")
        return [.buildCommand(
            displayName: "Embedding the catalogue (\(inputs.count) files)",
            executable: try context.tool(named: "EmbedTool").url,
            arguments: [output.path, root.path] + inputs.map(\.path),
            inputFiles: inputs,
            outputFiles: [output])]
    }
}
