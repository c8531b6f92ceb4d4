import Foundation

/// One JSON value as far as `results.json` needs it: scalars are kept, arrays and objects only named, so
/// reading never descends into structures it does not use.
enum JSONScalar: Sendable, Equatable, Decodable, CustomStringConvertible {
    case number(Double)
    case string(String)
    case bool(Bool)
    case null
    case array
    case object

    init(from decoder: any Decoder) throws {
        if let container = try? decoder.singleValueContainer() {
            if container.decodeNil() { self = .null; return }
            if let value = try? container.decode(Bool.self) { self = .bool(value); return }
            if let value = try? container.decode(String.self) { self = .string(value); return }
            if let value = try? container.decode(Double.self) { self = .number(value); return }
        }
        if (try? decoder.unkeyedContainer()) != nil { self = .array; return }
        _ = try decoder.container(keyedBy: AnyKey.self)
        self = .object
    }

    /// How the value is named in an error message.
    var description: String {
        switch self {
        case let .number(value): "the number \(value)"
        case let .string(value): "the string \"\(value.count <= 40 ? value : String(value.prefix(37)) + "...")\""
        case let .bool(value): "the boolean \(value)"
        case .null: "null"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// Any key of a JSON object.
struct AnyKey: CodingKey {
    let stringValue: String
    init(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }
}

/// The top level of `results.json`: its scalar fields and the fields of its `metrics` object.
struct ResultsDocument: Decodable {
    var fields: [String: JSONScalar] = [:]
    /// nil when there is no `metrics` key; `metricsValue` then says what was there instead, if anything.
    var metrics: [String: JSONScalar]?
    var metricsValue: JSONScalar?

    init(from decoder: any Decoder) throws {
        let top = try decoder.container(keyedBy: AnyKey.self)
        for key in top.allKeys {
            if key.stringValue == "metrics", let nested = try? top.nestedContainer(keyedBy: AnyKey.self, forKey: key) {
                var metrics: [String: JSONScalar] = [:]
                for inner in nested.allKeys { metrics[inner.stringValue] = try nested.decode(JSONScalar.self, forKey: inner) }
                self.metrics = metrics
            } else {
                let value = try top.decode(JSONScalar.self, forKey: key)
                if key.stringValue == "metrics" { metricsValue = value } else { fields[key.stringValue] = value }
            }
        }
    }
}
