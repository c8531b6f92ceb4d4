import Foundation
import SourceModel

/// One innovation found in a file set, with its evidence.
public struct Detection: Sendable, Codable, Hashable {
    public var id: String
    public var evidence: [Evidence]

    public init(id: String, evidence: [Evidence]) {
        self.id = id
        self.evidence = evidence
    }
}

/// Runs every detector over a set of files analysed together (a submission: the training script and any
/// module it brings, read as one program by `ModuleBundle`) and merges what they find per innovation.
public enum Classifier {
    public static func classify(_ files: [PythonFacts], detectors: [any Detector] = DetectorRegistry.all) -> [Detection] {
        // Several modules are read as one program (see `ModuleBundle`); evidence goes back to its own file.
        if files.count > 1, let bundle = ModuleBundle(files) {
            return bundle.mapBack(classify([bundle.facts], detectors: detectors))
        }
        // One program is read as its own switches configure it (see `ConfiguredProgram`).
        if files.count == 1, let configured = ConfiguredProgram(files[0]) {
            return configured.mapBack(run(detectors, on: [configured.facts]))
        }
        return run(detectors, on: files)
    }

    private static func run(_ detectors: [any Detector], on files: [PythonFacts]) -> [Detection] {
        var shared = SettingsTable()
        for facts in files { shared.merge(facts.settings) }
        for facts in files where files.count > 1 { facts.sharedSettings = shared }
        var found: [String: [Evidence]] = [:]
        let profile = ProcessInfo.processInfo.environment["SRLENS_PROFILE_DETECTORS"] != nil
        var timings: [(String, Duration)] = []
        for detector in detectors {
            let start = ContinuousClock.now
            for facts in files {
                let evidence = detector.detect(facts)
                if !evidence.isEmpty { found[detector.id, default: []].append(contentsOf: evidence) }
            }
            if profile { timings.append((detector.id, ContinuousClock.now - start)) }
        }
        if profile {
            // SRLENS_PROFILE_DETECTORS=1: the time each detector took, slowest first, on standard error.
            for (id, time) in timings.sorted(by: { $0.1 > $1.1 }).prefix(15) {
                FileHandle.standardError.write(Data("detector \(id): \(time)\n".utf8))
            }
        }
        return sorted(found)
    }

    /// Python detections merged with what CUDA kernels of the submission implement (cross-language credit).
    /// `only`: the innovations to look for (all when nil), e.g. a task's key changes.
    public static func classify(_ files: [PythonFacts], cuda: [CUDAFacts], only ids: Set<String>? = nil) -> [Detection] {
        var found: [String: [Evidence]] = [:]
        let detectors = ids.map { ids in DetectorRegistry.all.filter { ids.contains($0.id) } } ?? DetectorRegistry.all
        for detection in (files.isEmpty ? [] : classify(files, detectors: detectors)) { found[detection.id, default: []] += detection.evidence }
        for source in cuda {
            for detection in KernelInnovations.detect(source) where ids?.contains(detection.id) ?? true {
                found[detection.id, default: []] += detection.evidence
            }
        }
        return sorted(found)
    }

    /// Catalogue order of the innovation ids.
    static let order = Dictionary(uniqueKeysWithValues: CatalogueData.shared.innovations.enumerated().map { ($1.id, $0) })

    static func sorted(_ found: [String: [Evidence]]) -> [Detection] {
        let order = Self.order
        // The same place found twice (by two functions of one optimizer, or two files of a bundle) is listed once.
        return found.map { id, evidence in
            var seen = Set<Evidence>()
            return Detection(id: id, evidence: evidence.filter { seen.insert($0).inserted })
        }
            .sorted { (order[$0.id] ?? .max, $0.id) < (order[$1.id] ?? .max, $1.id) }
    }
}
