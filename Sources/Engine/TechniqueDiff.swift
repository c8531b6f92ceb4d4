import Catalogue

/// CUDA techniques gained and lost per kernel between two versions of a source (`srlens diff` on kernels).
public struct KernelTechniqueChange: Sendable, Codable, Equatable {
    public var kernel: String
    /// `added`, `removed` (the kernel itself), or `changed`.
    public var status: String
    public var added: [String]
    public var removed: [String]
}

public enum TechniqueDiff {
    public static func compare(old: [TechniqueReport], new: [TechniqueReport]) -> [KernelTechniqueChange] {
        func byKernel(_ reports: [TechniqueReport]) -> [String: Set<String>] {
            var result: [String: Set<String>] = [:]
            for report in reports {
                for kernel in report.kernels { result[kernel.name, default: []].formUnion(kernel.techniques.map(\.id)) }
                if !report.host.isEmpty { result["(host)", default: []].formUnion(report.host.map(\.id)) }
            }
            return result
        }
        let before = byKernel(old), after = byKernel(new)
        var changes: [KernelTechniqueChange] = []
        for name in Set(before.keys).union(after.keys).sorted() {
            let a = before[name], b = after[name]
            switch (a, b) {
            case let (nil, b?):
                changes.append(.init(kernel: name, status: "added", added: b.sorted(), removed: []))
            case let (a?, nil):
                changes.append(.init(kernel: name, status: "removed", added: [], removed: a.sorted()))
            case let (a?, b?) where a != b:
                changes.append(.init(kernel: name, status: "changed", added: b.subtracting(a).sorted(), removed: a.subtracting(b).sorted()))
            default:
                continue
            }
        }
        return changes
    }
}
