import Foundation

/// The catalogue as shipped inside the binary: tasks, innovations, detector queries and descriptions
/// (generated from `Tasks/` and `queries/` at build time by the EmbedCatalogue plugin).
public struct CatalogueData: Sendable {
    public let innovations: [Innovation]
    public let tasks: [TaskSpec]
    private let byID: [String: Innovation]

    public enum LoadError: Error, CustomStringConvertible {
        case missing(String)
        case invalid(String, reason: String)

        public var description: String {
            switch self {
            case .missing(let path): "the catalogue file \(path) is missing from the build"
            case let .invalid(path, reason): "the catalogue file \(path) is invalid: \(reason)"
            }
        }
    }

    /// The embedded catalogue; loading it cannot fail in a correct build (a test checks it).
    public static let shared: CatalogueData = {
        do {
            return try CatalogueData()
        } catch {
            fatalError("\(error)")
        }
    }()

    init() throws {
        struct InnovationsFile: Decodable { let innovations: [Innovation] }
        struct TasksFile: Decodable { let tasks: [TaskSpec] }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        func decode<T: Decodable>(_ type: T.Type, _ path: String) throws -> T {
            guard let data = Self.file(path) else { throw LoadError.missing(path) }
            do {
                return try decoder.decode(type, from: data)
            } catch {
                throw LoadError.invalid(path, reason: "\(error)")
            }
        }
        innovations = try decode(InnovationsFile.self, "Tasks/innovations.json").innovations
        tasks = try decode(TasksFile.self, "Tasks/tasks.json").tasks.sorted { $0.task < $1.task }
        byID = Dictionary(uniqueKeysWithValues: innovations.map { ($0.id, $0) })
    }

    public func innovation(_ id: String) -> Innovation? { byID[id] }
    public func task(_ number: Int) -> TaskSpec? { tasks.first { $0.task == number } }

    /// The bytes of an embedded file by its path relative to the repository (e.g. `queries/python/x/detector.scm`).
    public static func file(_ path: String) -> Data? {
        EmbeddedCatalogueData.files[path].flatMap { Data(base64Encoded: $0) }
    }

    public static func text(_ path: String) -> String? {
        file(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Paths of all embedded files.
    public static var paths: [String] { EmbeddedCatalogueData.files.keys.sorted() }
}
