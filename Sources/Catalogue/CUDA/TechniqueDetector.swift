/// Decides whether a kernel (with the device helpers it calls) uses one CUDA optimization technique
/// (`cuda-techniques.json` ids), or, for host-side techniques (streams, tensor-core libraries), whether a
/// host function does. Examples: `queries/cuda/<id>/examples/pos_*.cu` (must be found), `neg_*.cu` (must not).
public protocol TechniqueDetector: Sendable {
    var id: String { get }
    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence]
    func detectHost(_ facts: CUDAFacts) -> [Evidence]
}

extension TechniqueDetector {
    public func detectHost(_ facts: CUDAFacts) -> [Evidence] { [] }
}

/// Every technique detector, gathered from the per-category lists in `Techniques/`.
public enum TechniqueRegistry {
    public static let all: [any TechniqueDetector] = [memory, reduction, decomposition, compute, algorithmic, precision, host].flatMap { $0 }
    public static func detector(_ id: String) -> (any TechniqueDetector)? { all.first { $0.id == id } }
}

/// The techniques found in one CUDA source, per kernel and on the host side.
public struct TechniqueReport: Sendable, Codable {
    public struct Kernel: Sendable, Codable {
        public var name: String
        public var techniques: [Detection]
    }
    public var path: String
    public var kernels: [Kernel]
    public var host: [Detection]
}

public enum TechniqueClassifier {
    public static func classify(_ facts: CUDAFacts, detectors: [any TechniqueDetector] = TechniqueRegistry.all) -> TechniqueReport {
        let kernels = facts.ownKernels.map { kernel in
            TechniqueReport.Kernel(name: kernel.name, techniques: detectors.compactMap { detector in
                let evidence = detector.detect(kernel: kernel, in: facts)
                return evidence.isEmpty ? nil : Detection(id: detector.id, evidence: evidence)
            })
        }
        let host = detectors.compactMap { detector -> Detection? in
            let evidence = detector.detectHost(facts)
            return evidence.isEmpty ? nil : Detection(id: detector.id, evidence: evidence)
        }
        return TechniqueReport(path: facts.reportPath, kernels: kernels, host: host)
    }
}
