/// The languages SpeedrunLens analyses.
public enum SourceLanguage: String, Sendable, Codable, CaseIterable {
    case python
    /// CUDA C++ (`.cu`, `.cuh`) and plain C++ headers and sources, which the CUDA grammar also covers.
    case cuda

    /// The language of a path by its extension, or nil when the extension is not one we analyse.
    public init?(path: String) {
        let ext = path.split(separator: "/").last.flatMap { name in
            name.contains("." as Character) ? name.split(separator: ".").last.map { $0.lowercased() } : nil
        }
        switch ext {
        case "py", "pyi": self = .python
        case "cu", "cuh", "cpp", "cc", "cxx", "c", "h", "hpp", "hh", "hxx": self = .cuda
        default: return nil
        }
    }
}
