import Parsing
import TreeSitterKit

/// One row of a table of per-parameter settings keyed by the labels a model writes on its parameters: the model
/// marks each tensor (`self.embed.weight.label = "embed"`, `self.skip_gain.label = "scalar.skip"`), a table maps labels
/// (or label prefixes, `"attn."`) to records (`ParamSpec(kind="adam", lr_mul=15.0)`, `{"optim": "adam", "lr_mul":
/// 75.0}`), and one optimizer reads each parameter's row. Late speedrun code and table-driven agents are written so.
public struct LabelRow: Hashable {
    /// The key written in the table (a label, or a prefix of labels).
    public let key: String
    /// The row's record: a dictionary literal, a `dict(...)` call or a construction of a class of the file.
    public let value: Node
    /// The labels of the model this row serves: those equal to the key, or starting with it when no longer key of the
    /// table does.
    public let labels: [String]
    /// What the labelled parameters are (see `parameterKinds`).
    public let kinds: Set<ParameterKind>
    /// The table's dictionary.
    public let table: Node

    public static func == (a: LabelRow, b: LabelRow) -> Bool { a.value == b.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }
}

/// A table of `LabelRow`s and the name it is held under (`PARAM_TABLE`, or `param_table` of `self.param_table`).
public struct LabelTable {
    public let dictionary: Node
    public let holder: String
    /// Whether the holder is an attribute (`self.param_table`) rather than a plain name.
    public let heldByAttribute: Bool
    public let rows: [LabelRow]
}

extension PythonFacts {
    /// The labels the file writes on parameters, by the attribute that carries them (`label` of `p.label = "embed"`,
    /// also `setattr(p, "label", "embed")`), each with the kinds of the parameters it marks (see `parameterKinds`,
    /// `constructedKind`; `.other` when unknown). Only a table keyed by them and read by an optimizer gives the labels
    /// a meaning (see `labelTables(readBy:)`). A label formatted at run time (`f"matrix.blk{i}.q"`) is kept as the text
    /// before its first field followed by `*` (`matrix.blk*`).
    public var parameterLabels: [String: [String: Set<ParameterKind>]] {
        memoized("parameterLabels") {
            let model = modelView
            var labels: [String: [String: Set<ParameterKind>]] = [:]
            func mark(_ target: Node, _ attribute: String, _ value: Node) {
                guard let label = labelText(unwrapped(value)), !attribute.hasPrefix("__") else { return }
                let target = unwrapped(target)
                var kinds = parameterKinds(target, model: model)
                if kinds == [.other], let built = constructedKind(target, model: model) { kinds = [built] }
                labels[attribute, default: [:]][label, default: []].formUnion(kinds)
            }
            for assignment in nodes(ofType: "assignment") {
                guard let left = assignment.child(byField: "left"), left.type == "attribute",
                      let object = left.child(byField: "object"), let attribute = left.child(byField: "attribute")?.text,
                      let right = assignment.child(byField: "right") else { continue }
                mark(object, attribute, right)
            }
            for call in calls where call.callee == "setattr" && call.positional.count == 3 {
                guard let attribute = SettingsTable.stringValue(unwrapped(call.positional[1])) else { continue }
                mark(call.positional[0], attribute, call.positional[2])
            }
            // Labels made from the parameters' own names (`for n, p in self.named_parameters(): p.label =
            // n.removesuffix(".weight")`): every key of a table is then a name, read as a name pattern.
            for attribute in nameDerivedLabelAttributes where labels[attribute] == nil { labels[attribute] = [:] }
            return labels
        }
    }

    /// A label's text: a string's, or the text of an f-string before its first field followed by `*`; nil otherwise.
    func labelText(_ node: Node) -> String? {
        guard node.type == "string", node.namedChildren.contains(where: { $0.type == "interpolation" }) else {
            return SettingsTable.stringValue(node)
        }
        var prefix = ""
        for part in node.namedChildren {
            if part.type == "interpolation" { break }
            if part.type == "string_content" { prefix += part.text }
        }
        return prefix.isEmpty ? nil : prefix + "*"
    }

    /// Whether a table key serves a label (see `parameterLabels`): the label starts with the key; a formatted label's
    /// known text starts with the key, or starts a key that goes on with no letters (`f"ve{i}"` may be `"ve0"`).
    static func key(_ key: String, covers label: String) -> Bool {
        guard label.hasSuffix("*") else { return label.hasPrefix(key) }
        let known = label.dropLast()
        // A key longer than the known text must go on the way a formatted field would (`ve0`, not `ve_gate_bank`).
        return known.hasPrefix(key) || (key.hasPrefix(known) && !key.dropFirst(known.count).contains(where: \.isLetter))
    }

    /// Attributes the file writes on every parameter as a label computed from its name: `p.<attribute> = <expression
    /// of n>` in a loop `for n, p in <module>.named_parameters()`.
    public var nameDerivedLabelAttributes: Set<String> {
        memoized("nameDerivedLabelAttributes") {
            var attributes = Set<String>()
            for assignment in nodes(ofType: "assignment") {
                guard let left = assignment.child(byField: "left"), left.type == "attribute",
                      let object = left.child(byField: "object"), object.type == "identifier",
                      let attribute = left.child(byField: "attribute")?.text, !attribute.hasPrefix("__"),
                      let right = assignment.child(byField: "right"), SettingsTable.stringValue(unwrapped(right)) == nil else { continue }
                var ancestor = assignment.parent
                while let loop = ancestor, loop.type != "for_statement", loop.type != "function_definition" { ancestor = loop.parent }
                guard let loop = ancestor, loop.type == "for_statement", let targets = loop.child(byField: "left"),
                      let source = loop.child(byField: "right").map(unwrapped), source.type == "call",
                      callSite(source).name == "named_parameters", case let names = targets.namedChildren.map(\.text),
                      names.count == 2, names[1] == object.text,
                      descendants(of: right).contains(where: { $0.type == "identifier" && $0.text == names[0] }) || right.text == names[0]
                else { continue }
                attributes.insert(attribute)
            }
            return attributes
        }
    }

    /// Tables keyed by parameter labels (see `LabelRow`): dictionaries (literals or `dict(...)`) held by a name or an
    /// attribute, at least two of whose string keys serve labels of one labelling attribute. Rows serving no label of
    /// the model are left out.
    public var labelTables: [LabelTable] {
        memoized("labelTables") {
            let labelling = parameterLabels
            guard !labelling.isEmpty else { return [] }
            var tables: [LabelTable] = []
            for assignment in nodes(ofType: "assignment") {
                guard let left = assignment.child(byField: "left"), let right = assignment.child(byField: "right").map(unwrapped),
                      let entries = literalEntries(right), entries.count >= 2 else { continue }
                let holder: String
                switch left.type {
                case "identifier": holder = left.text
                case "attribute": holder = left.child(byField: "attribute")?.text ?? ""
                default: continue
                }
                let keys = entries.map(\.key)
                var best: [LabelRow] = []
                for (attribute, labels) in labelling {
                    if nameDerivedLabelAttributes.contains(attribute) {
                        // Keys are parameter names: each row serves its own key, of the kind the name says.
                        let rows = entries.map { entry in
                            LabelRow(key: entry.key, value: entry.value, labels: [entry.key],
                                     kinds: [namePatternKind(entry.key, model: modelView) ?? .other], table: right)
                        }
                        if rows.contains(where: { $0.kinds != [.other] }), rows.count > best.count { best = rows }
                        continue
                    }
                    let rows = entries.compactMap { entry -> LabelRow? in
                        let served = labels.keys.filter { label in
                            guard Self.key(entry.key, covers: label) else { return false }
                            // The longest key of the table that starts the label serves it.
                            return !keys.contains { $0.count > entry.key.count && label.hasPrefix($0) }
                        }.sorted()
                        guard !served.isEmpty else { return nil }
                        let kinds = served.reduce(into: Set<ParameterKind>()) { $0.formUnion(labels[$1] ?? []) }
                        return LabelRow(key: entry.key, value: entry.value, labels: served, kinds: kinds, table: right)
                    }
                    if rows.count > best.count { best = rows }
                }
                guard best.count >= 2 else { continue }
                tables.append(LabelTable(dictionary: right, holder: holder, heldByAttribute: left.type == "attribute", rows: best))
            }
            return tables
        }
    }

    /// The string-keyed entries of a dictionary literal or `dict(...)` call whose values are records (dictionaries or
    /// calls); nil when some entry is not.
    private func literalEntries(_ node: Node) -> [(key: String, value: Node)]? {
        var entries: [(key: String, value: Node)] = []
        if node.type == "dictionary" {
            for pair in node.namedChildren where pair.type != "comment" {
                guard pair.type == "pair", let key = pair.child(byField: "key").flatMap(SettingsTable.stringValue),
                      let value = pair.child(byField: "value").map(unwrapped), ["dictionary", "call"].contains(value.type) else { return nil }
                entries.append((key, value))
            }
        } else if node.type == "call", case let call = callSite(node), call.callee == "dict", call.positional.isEmpty {
            for (key, value) in call.keywords.sorted(by: { $0.value.startByte < $1.value.startByte }) {
                let value = unwrapped(value)
                guard ["dictionary", "call"].contains(value.type) else { return nil }
                entries.append((key, value))
            }
        } else {
            return nil
        }
        return entries
    }

    /// The expression a row gives field `name`: a dictionary's entry, or what a construction passes for the field
    /// (else the class's default, see `fieldExpression`); for a dictionary without the entry, the default a reader of
    /// the field supplies (`entry.get("lr_mul", 1.0)`).
    public func labelRowField(_ row: LabelRow, _ name: String) -> Node? {
        let value = row.value
        if value.type == "dictionary" || (value.type == "call" && callSite(value).callee == "dict") {
            if let entry = OptimizerUse.entry(name, in: value) { return entry }
            return fieldReadDefaults[name]
        }
        return fieldExpression(value, name)
    }

    /// Defaults given where a field is read by `.get` (`table_entry.get("lr_mul", 1.0)`), by field name.
    private var fieldReadDefaults: [String: Node] {
        memoized("fieldReadDefaults") {
            var defaults: [String: Node] = [:]
            for call in calls where call.name == "get" && call.receiver != nil && call.positional.count == 2 {
                if let key = SettingsTable.stringValue(unwrapped(call.positional[0])), defaults[key] == nil { defaults[key] = call.positional[1] }
            }
            return defaults
        }
    }

    /// The optimizer a row asks for, by a string field naming one (`kind="adam"`, `"optim": "normuon"`,
    /// `rule="ortho"`); nil when no field names one.
    public func labelRowFamily(_ row: LabelRow) -> OptimizerUse.Family? {
        var strings: [String] = []
        if row.value.type == "dictionary" {
            for pair in row.value.namedChildren where pair.type == "pair" {
                if let text = pair.child(byField: "value").map(unwrapped).flatMap(SettingsTable.stringValue) { strings.append(text) }
            }
        } else {
            let call = callSite(row.value)
            for argument in call.positional + call.keywords.values.map({ $0 }) {
                if let text = SettingsTable.stringValue(unwrapped(argument)) { strings.append(text) }
            }
        }
        for text in strings {
            let word = text.lowercased().filter { $0.isLetter }
            if ["adam", "fusedadam"].contains(word) { return .adam }
            if word == "adamw" { return .adamw }
            if Self.orthogonalRowNames.contains(word) { return .muon }
        }
        return nil
    }

    static let orthogonalRowNames: Set<String> = ["muon", "normuon", "ortho", "orthogonal", "orthogonalized", "newtonschulz", "ns", "polar", "matrix"]

    /// Names a row may give a hyperparameter under (`betas` as `adam_betas`).
    static func rowFieldNames(_ name: String) -> [String] {
        switch name {
        case "lr": return ["lr", "learning_rate", "rate"]
        case "betas": return ["betas", "adam_betas"]
        case "eps": return ["eps", "adam_eps", "epsilon"]
        case "weight_decay": return ["weight_decay", "wd"]
        case "momentum": return ["momentum", "mom"]
        default: return [name]
        }
    }

    /// The node a row gives hyperparameter `name` under any of its names (see `rowFieldNames`).
    public func labelRowSetting(_ row: LabelRow, _ name: String) -> Node? {
        Self.rowFieldNames(name).lazy.compactMap { self.labelRowField(row, $0) }.first
    }

    /// The values hyperparameter `name` takes for a row: its own entry, else for `lr` and `weight_decay` a multiplier
    /// field (`lr_mul`, `lr_scale`, `wd_mul`) times the base the file multiplies that field by where it reads it
    /// (`lr = base_lr * spec.lr_mul`, the base resolved as any value is).
    public func labelRowValues(_ row: LabelRow, _ name: String) -> [NumericValue] {
        if let node = labelRowSetting(row, name) { return values(of: node) }
        guard name == "lr" || name == "weight_decay" else { return [] }
        let stem = name == "lr" ? "lr" : "wd"
        let field = Self.multiplierFields(stem).first { labelRowField(row, $0) != nil || fieldReadDefaults[$0] != nil }
        guard let field, let multiplierNode = labelRowField(row, field) else { return [] }
        let multipliers = values(of: multiplierNode).map(\.double)
        let bases = multiplierBases(field)
        return multipliers.flatMap { m in bases.map { NumericValue.float($0 * m) } }
    }

    /// Field names of a multiplier of `stem` (`lr_mul`, `lr_mult`, `lr_multiplier`, `lr_scale`, `lr_factor`).
    static func multiplierFields(_ stem: String) -> [String] {
        ["mul", "mult", "multiplier", "scale", "factor", "ratio"].flatMap { ["\(stem)_\($0)", "\(stem)\($0.capitalized)"] }
    }

    /// What the file multiplies a field by where it reads it (`base_lr * spec.lr_mul`, `cfg["lr_mul"] * self.lr`):
    /// the other factor's values, over every such read.
    func multiplierBases(_ field: String) -> [Double] {
        var bases: [Double] = []
        var reads: [Node] = []
        for attribute in nodes(ofType: "attribute") where attribute.child(byField: "attribute")?.text == field { reads.append(attribute) }
        for item in nodes(ofType: "subscript") where item.child(byField: "subscript").flatMap(SettingsTable.stringValue) == field {
            reads.append(item)
        }
        for read in reads {
            var node = read
            while let parent = node.parent, parent.type == "parenthesized_expression" { node = parent }
            guard let product = node.parent, product.type == "binary_operator", product.child(byField: "operator")?.type == "*",
                  let other = [product.child(byField: "left"), product.child(byField: "right")].compactMap({ $0 }).first(where: { $0 != node })
            else { continue }
            for value in values(of: other).map(\.double) where !bases.contains(value) { bases.append(value) }
        }
        return bases
    }

    /// The label tables an optimizer reads: the table is handed to its construction, read inside its class, or read
    /// by the function that builds it or by a function that one calls (`spec = spec_for(label)` reading
    /// `PARAM_TABLE`).
    func labelTables(readBy use: OptimizerUse) -> [LabelTable] {
        labelTables.filter { table in
            let references = labelTableReferences(table)
            guard !references.isEmpty else { return false }
            if references.contains(where: { isInside($0, use.call.node) }) { return true }
            let readers = Set(references.compactMap { enclosingFunction($0)?.node })
            let readerNames = Set(functions.filter { readers.contains($0.node) }.map(\.name))
            // The optimizer's class, or the function building it, reads the table or calls a function that does.
            let scopes = [use.definition?.node, enclosingFunction(use.call.node)?.node].compactMap { $0 }
            return scopes.contains { scope in
                references.contains { isInside($0, scope) }
                    || calls.contains { call in isInside(call.node, scope) && readerNames.contains(call.name) }
            }
        }
    }

    /// The places a table's holder is read (not where it is set).
    private func labelTableReferences(_ table: LabelTable) -> [Node] {
        let definition = table.dictionary.parent?.child(byField: "left")
        if table.heldByAttribute {
            return nodes(ofType: "attribute").filter { $0.child(byField: "attribute")?.text == table.holder && $0 != definition }
        }
        return (identifiersByName[table.holder] ?? []).filter { $0 != definition }
    }

    /// Optimizers that read a label table (see `labelTables(readBy:)`) as one optimizer per row they serve: the rows
    /// whose tests of their fields reach the construction (`if spec.kind == "adam": torch.optim.Adam(...)`, see
    /// `rowReaches`). A library class keeps its own kind (a row no test decides must name a like kind); a class of the
    /// file takes the kind each row names, else its own. A row served twice (the class and the Adam it builds inside)
    /// is kept once.
    func expandedByLabelRows(_ uses: [OptimizerUse]) -> [OptimizerUse] {
        guard !labelTables.isEmpty else { return uses }
        var result: [OptimizerUse] = []
        var served = Set<String>()
        for use in uses {
            let rows = labelTables(readBy: use).flatMap(\.rows)
            guard !rows.isEmpty else {
                result.append(use)
                continue
            }
            var expanded: [OptimizerUse] = []
            for row in rows {
                let reach = rowReaches(use.call.node, row)
                if reach == false { continue }
                let named = labelRowFamily(row)
                let family: OptimizerUse.Family
                if use.definition == nil && use.stepFunction == nil {
                    // A library class is what it is; a row no test around it decides must name a kind like it.
                    if reach == nil, let named, !(named.isAdamFamily && use.family.isAdamFamily), named != use.family { continue }
                    family = use.family
                } else {
                    family = named ?? use.family
                }
                let key = "\(row.value.startByte):\(family.isAdamFamily)"
                guard served.insert(key).inserted else { continue }
                // A class of the file that also orthogonalizes runs its own Adam step for the Adam rows.
                let update = family.isAdamFamily ? use.update ?? use.definition.flatMap(adamUpdate(of:)) : nil
                expanded.append(use.reading(row, as: family, update: update))
            }
            result += expanded.isEmpty && rows.allSatisfy({ labelRowFamily($0) == nil }) ? [use] : expanded
        }
        return result
    }

    /// Whether code under tests of a row's fields runs for that row (`if hp.ortho: SGD(...) else: Adam(...)`, `if
    /// spec["opt"] == "adam":`): false when a test around `node` that reads a field of the row fails for it, nil when
    /// some test around it cannot be read so.
    func rowReaches(_ node: Node, _ row: LabelRow) -> Bool? {
        var child = node
        var known = true
        while let parent = child.parent, parent.type != "function_definition", parent.type != "module" {
            defer { child = parent }
            guard parent.type == "if_statement" else { continue }
            let clauses = [parent] + parent.children.filter { $0.type == "elif_clause" || $0.type == "else_clause" }
            // The clause holding the node (the `if` itself when the node is in its consequence).
            guard let holding = clauses.last(where: { $0.type != "if_statement" && isInside(node, $0) }) ?? (isInside(node, parent) ? parent : nil)
            else { continue }
            for clause in clauses {
                let holds = clause.child(byField: "condition").flatMap { rowTruth($0, row) }
                if clause == holding {
                    if clause.type != "else_clause" {
                        if holds == false { return false }
                        if holds == nil { known = false }
                    }
                    break
                }
                if holds == true { return false }
                if holds == nil { known = false }
            }
        }
        return known ? true : nil
    }

    /// The truth of a test of a row's field (`hp.ortho`, `not spec.adam`, `spec["opt"] == "adam"`, `s.kind != "ortho"`);
    /// nil for any other test.
    func rowTruth(_ condition: Node, _ row: LabelRow) -> Bool? {
        let c = unwrapped(condition)
        switch c.type {
        case "not_operator":
            return c.child(byField: "argument").flatMap { rowTruth($0, row) }.map { !$0 }
        case "comparison_operator":
            let parts = c.namedChildren
            let operators = c.children.filter { !$0.isNamed }.map(\.type)
            guard parts.count == 2, operators.count == 1, ["==", "!=", "is", "is not"].contains(operators[0]),
                  let field = rowFieldRead(parts[0], row).flatMap({ SettingsTable.stringValue(unwrapped($0)) }),
                  let other = SettingsTable.stringValue(unwrapped(parts[1])) else { return nil }
            return (field == other) == (operators[0] == "==" || operators[0] == "is")
        default:
            guard let field = rowFieldRead(c, row) else { return nil }
            let value = unwrapped(field)
            if let text = SettingsTable.stringValue(value) { return !text.isEmpty }
            switch value.type {
            case "true": return true
            case "false", "none": return false
            default: return evaluate(value).map { $0 != 0 }
            }
        }
    }

    /// The row's node for a read of one of its fields on a record (`hp.ortho`, `spec["opt"]`, `spec.get("opt")`);
    /// nil for anything else, or a field the row does not have.
    private func rowFieldRead(_ read: Node, _ row: LabelRow) -> Node? {
        let r = unwrapped(read)
        var field: String?
        if r.type == "attribute", r.child(byField: "object")?.text != "self" { field = r.child(byField: "attribute")?.text }
        if r.type == "subscript" { field = r.child(byField: "subscript").flatMap(SettingsTable.stringValue) }
        if r.type == "call", case let get = callSite(r), get.name == "get", get.receiver != nil, let first = get.positional.first {
            field = SettingsTable.stringValue(unwrapped(first))
        }
        return field.flatMap { labelRowField(row, $0) }
    }

    /// The slot of an optimizer standing for one row of a label table: the row's rate and the kinds of the parameters
    /// its labels mark, the row being its site.
    func labelRowSlot(_ optimizer: OptimizerUse, _ row: LabelRow) -> OptimizerSlot {
        var rates = labelRowValues(row, "lr").map(\.double)
        if rates.isEmpty { rates = learningRates(optimizer.call.argument("lr", position: nil)) }
        return OptimizerSlot(optimizer: optimizer, params: nil, learningRates: rates, kinds: row.kinds, site: row.value)
    }
}
