import Foundation
import SourceModel
import TreeSitterKit

/// A script as its own configuration runs it: code its switches turn off is blanked in place, so detectors see
/// what a run executes. An agent that keeps the old path behind `if args.use_rope: ... else: ...`, or writes a
/// feature and leaves its switch off, is read by what the switches select (see `PythonFacts.truth(of:)` for when a
/// switch counts as decided).
///
/// Blanking keeps every byte's offset and every line break: a branch that never runs becomes spaces (a block keeps
/// a `pass` so its statement stays whole), the unused side of `a if flag else b` disappears, and a registry read with
/// a decided key (`ACTIVATIONS[args.act](h)`, also the module namespace `globals()[f"_act_{args.act}"]`, see
/// `PythonFacts.globalsEntry`, and a registry a decorator fills, `lookup("act", cfg["act"])` or `build("attn",
/// cfg["attn"], dim=d)`, see `PythonFacts.registryRead`) becomes the function or class it selects, and a definition the
/// script replaces before anything runs it disappears (see `supersededDefinitions`), and an attribute named by a
/// constant string reads as plain attribute access (`getattr(self, "lm_head")` as `(       self.lm_head   )`,
/// `self.add_module("lm_head", m)` as `self.lm_head =              m `; see `constantAttributeRespellings`). Evidence
/// found in the configured program therefore has the same ranges in the script; its code is read back from the script
/// (over a whole respelled call when the evidence covers part of one). The one exception is a selected name longer than
/// the read it replaces: it is written in full, the rest of its line moves, and evidence is moved back through those
/// rewrites (see `shifts`); line breaks are never added or removed.
public struct ConfiguredProgram {
    /// The configured program.
    public let facts: PythonFacts
    /// The script as written.
    let original: PythonFacts
    /// The calls respelled as plain attribute access (see `constantAttributeRespellings`), in every round, where they
    /// stand in the script.
    let respelled: [Range<Int>]
    /// Rewrites that change the length of what they replace (a registry read written as a definition's name longer than
    /// the read), per round, first round first: where each one's text stands in that round's output and input. A line
    /// keeps its line breaks; only what follows on the line moves.
    let shifts: [[Shift]]

    struct Shift {
        let output: Range<Int>
        let input: Range<Int>
    }

    /// Nil when no switch is decided and no attribute is named by a constant, or when the blanked program would not
    /// parse as cleanly as the script (respelled attributes are then dropped first).
    public init?(_ script: PythonFacts) {
        self.init(script, round: 1)
    }

    /// A decision can hang on another: `if cli.act is not None: cfg.act = cli.act` decides, once blanked, the
    /// helper switch `if name == "relu2":` that reads `cfg.act`. So the configured program is configured again
    /// (at most `maximumRounds` times) until nothing more is decided.
    static let maximumRounds = 3

    /// `respell`: whether constant-name attributes are respelled; a program that no longer parses with them is
    /// configured again without them.
    private init?(_ script: PythonFacts, round: Int, respell: Bool = true) {
        var dead: [Range<Int>] = []
        var keepers: [Int] = []  // where a blanked block keeps its `pass`
        func isDead(_ node: Node) -> Bool { dead.contains { $0.contains(node.startByte) } }
        // Both kinds in document order, so an outer decision comes before anything inside it.
        for node in script.nodes(ofType: ["if_statement", "conditional_expression", "match_statement"]) where !isDead(node) {
            if node.type == "match_statement" {
                // The cases other than the one the configuration selects never run.
                guard let match = MatchStatement(node), let chosen = script.decidedCase(of: match) else { continue }
                for (index, item) in match.cases.enumerated() where index != chosen {
                    dead.append(item.body.byteRange)
                    keepers.append(item.body.startByte)
                }
                continue
            }
            if node.type == "conditional_expression" {
                let parts = node.namedChildren.filter { $0.type != "comment" }
                guard parts.count == 3, let holds = script.truth(of: parts[1]) else { continue }
                dead.append(holds ? parts[0].endByte..<node.endByte : node.startByte..<parts[2].startByte)
                continue
            }
            var earlierHolds = false
            for clause in [node] + node.children.filter({ $0.type == "elif_clause" || $0.type == "else_clause" }) {
                if earlierHolds {
                    if clause != node { dead.append(clause.byteRange) }
                    continue
                }
                guard clause.type != "else_clause", let condition = clause.child(byField: "condition"),
                      let body = clause.child(byField: "consequence"), let holds = script.truth(of: condition) else { continue }
                if holds {
                    earlierHolds = true
                } else {
                    dead.append(body.byteRange)
                    keepers.append(body.startByte)
                }
            }
        }
        // A registry read with a decided key becomes the entry it selects, padded with spaces:
        // `ACTIVATIONS[args.act](h)` reads as `relu_squared        (h)`. A lambda entry (`registryLambda`) is not written
        // in place (the call after it would read as part of its body): the read stays, and still selects its entry.
        // A name longer than the read it replaces is written in full (a length-changing rewrite, see `shifts`).
        var selections: [(range: Range<Int>, name: [UInt8])] = []
        var registryDecided = Set<Node>(), registrySelected = Set<Node>()  // decorator registries' reads and entries
        var decidedReads = Set<Range<Int>>()
        var selected: [Node: Set<Node>] = [:]  // per registry, the entries its reads select
        func overlapsSelection(_ range: Range<Int>) -> Bool { selections.contains { $0.range.overlaps(range) } }
        for node in script.nodes(ofType: "subscript") where !isDead(node) && !overlapsSelection(node.byteRange) {
            // `globals()[f"_act_{cfg.act}"]` reads as the module-level definition it names (see `globalsEntry`).
            if !node.text.contains("\n"), let name = script.globalsEntry(node) {
                selections.append((node.byteRange, Array(name.text.utf8)))
                continue
            }
            // A decorator registry's read, `REGISTRY["act"][cfg.act]` (see `registryRead`).
            if !node.text.contains("\n"), let read = script.registryRead(node) {
                selections.append((node.byteRange, Array(read.entry.text.utf8)))
                registryDecided.insert(node)
                registrySelected.insert(read.entry)
                continue
            }
            guard !node.text.contains("\n"), let selection = script.registryEntry(node) ?? script.registryLambda(node) else { continue }
            if selection.entry.type != "lambda" {
                guard !selection.entry.text.contains("\n") else { continue }
                selections.append((node.byteRange, Array(selection.entry.text.utf8)))
            }
            decidedReads.insert(node.byteRange)
            selected[selection.dictionary, default: []].insert(selection.pair)
        }
        // Accessors of a decorator registry: `lookup("act", cfg.act)` reads as the entry, `build("attn", cfg.attn, dim=d)`
        // as a call of it, `FlexWindow(dim=d)` (the keys' part of the call replaced by the entry's name and a parenthesis).
        for node in script.nodes(ofType: "call") where !isDead(node) && !overlapsSelection(node.byteRange) {
            guard let read = script.registryRead(node) else { continue }
            registryDecided.insert(node)
            registrySelected.insert(read.entry)
            if !read.callsEntry {
                guard !node.text.contains("\n") else { continue }
                selections.append((node.byteRange, Array(read.entry.text.utf8)))
                continue
            }
            let call = script.callSite(node)
            guard let arguments = node.child(byField: "arguments"), let keysEnd = call.positional.prefix(read.keyCount).last?.endByte else { continue }
            // The entry's own arguments start at the first argument after the keys, or the call's closing parenthesis.
            let rest = arguments.namedChildren.first { $0.startByte >= keysEnd && $0.type != "comment" }
            let end = rest?.startByte ?? (arguments.endByte - 1)
            let range = node.startByte..<end
            guard end > node.startByte else { continue }
            // The keys may stand on lines of their own: their line breaks are kept after the parenthesis.
            let breaks = script.file.bytes[range].filter { $0 == UInt8(ascii: "\n") }
            selections.append((range, Array((read.entry.text + "(").utf8) + breaks))
        }
        // Hydra-style instantiation: `instantiate(cfg["optimizer"], params)` reads as the construction its configuration
        // node names, `torch.optim.AdamW(params, lr=0.0018)` (see `HydraInstantiation`).
        for instantiation in script.hydraInstantiations() where !isDead(instantiation.call) && !overlapsSelection(instantiation.call.byteRange) {
            selections.append((instantiation.call.byteRange, Array(instantiation.text.utf8)))
        }
        // A registry every read of which is decided keeps only the entries they select: the others never run.
        for (dictionary, pairs) in selected {
            var readsDecided = true
            if let name = dictionary.parent?.child(byField: "left")?.text, dictionary.parent?.type == "assignment" {
                for use in script.identifiersByName[name] ?? [] {
                    guard let read = use.parent, read.type == "subscript", read.child(byField: "value") == use else { continue }
                    if !decidedReads.contains(read.byteRange) { readsDecided = false }
                }
            }
            guard readsDecided else { continue }
            // A literal's pairs, or the keyword arguments of a `dict(...)` registry (see `registryPairs`).
            let children = (dictionary.type == "call" ? dictionary.child(byField: "arguments") : dictionary)?.children ?? []
            for (index, child) in children.enumerated() where ["pair", "keyword_argument"].contains(child.type) && !pairs.contains(child) {
                let end = index + 1 < children.count && children[index + 1].type == "," ? children[index + 1].endByte : child.endByte
                dead.append(child.startByte..<end)
            }
        }
        // Definitions filed in a decorator registry that no decided read selects, every read being decided.
        dead += script.unselectedRegistrations(decided: registryDecided, selected: registrySelected).map(\.byteRange)
        // Definitions replaced before anything could run them (a notebook's later cell redefining a function).
        dead += script.supersededDefinitions(dead: dead)
        // Attributes named by constants, outside what never runs and what a registry read rewrites.
        let respellings = respell ? script.constantAttributeRespellings(skipped: { offset in dead.contains { $0.contains(offset) } }).filter { respelling in
            !selections.contains { selection in respelling.pieces.contains { $0.range.overlaps(selection.range) } }
        } : []
        guard !dead.isEmpty || !selections.isEmpty || !respellings.isEmpty else { return nil }
        let original = script.file.bytes
        var bytes = original
        // Selections that fit are written over their read, padded; longer ones replace it after everything else.
        // (A name written with line breaks, a builder's keys on lines of their own, always replaces its read.)
        func padded(_ selection: (range: Range<Int>, name: [UInt8])) -> Bool {
            selection.name.count <= selection.range.count && !selection.name.contains(UInt8(ascii: "\n"))
        }
        let live = selections.filter { selection in !dead.contains(where: { $0.contains(selection.range.lowerBound) }) }
        let longer = live.filter { !padded($0) }
        for range in dead + selections.filter(padded).map(\.range) {
            for i in range where bytes[i] != UInt8(ascii: "\n") && bytes[i] != UInt8(ascii: "\r") { bytes[i] = UInt8(ascii: " ") }
        }
        for selection in live where padded(selection) {
            bytes.replaceSubrange(selection.range.lowerBound..<selection.range.lowerBound + selection.name.count, with: selection.name)
        }
        dead += selections.map(\.range)
        for piece in respellings.flatMap(\.pieces) where !dead.contains(where: { $0.contains(piece.range.lowerBound) }) {
            bytes.replaceSubrange(piece.range, with: piece.bytes)
        }
        for start in keepers {
            // The statement `pass` where the block's first statement stood (`0` when that line is shorter).
            var end = start
            while end < original.count, original[end] != UInt8(ascii: "\n"), original[end] != UInt8(ascii: "\r") { end += 1 }
            let keeper = Array((end - start >= 4 ? "pass" : "0").utf8)
            bytes.replaceSubrange(start..<start + keeper.count, with: keeper)
        }
        // The longer names, from the last to the first so that each range still holds where it was written.
        var shifts: [Shift] = []
        for selection in longer.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            bytes.replaceSubrange(selection.range, with: selection.name)
        }
        var moved = 0
        for selection in longer.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) {
            let start = selection.range.lowerBound + moved
            shifts.append(Shift(output: start..<start + selection.name.count, input: selection.range))
            moved += selection.name.count - selection.range.count
        }
        guard bytes != original else { return nil }
        let file = SourceFile(path: script.file.path, language: .python, bytes: bytes)
        // Re-parsed incrementally: each blanked range is an edit of the same length, so the script's tree is reused
        // around them (after a length-changing rewrite, parsed afresh).
        var edited: EditedTree?
        for range in dead + respellings.flatMap(\.pieces).map(\.range) where !range.isEmpty && shifts.isEmpty {
            let edit = InputEdit.replacing(range, in: original, with: Array(bytes[range]))
            edited = edited?.edited(edit) ?? script.tree.edited(edit)
        }
        guard let tree = try? Parser(language: .python).parse(bytes: bytes, oldTree: edited),
              !tree.rootNode.hasError || script.root.hasError else {
            guard !respellings.isEmpty, let unspelled = ConfiguredProgram(script, round: round, respell: false) else { return nil }
            self = unspelled
            return
        }
        let configured = PythonFacts(file: file, tree: tree)
        let next = round < Self.maximumRounds ? ConfiguredProgram(configured, round: round + 1, respell: respell) : nil
        facts = next?.facts ?? configured
        self.original = script
        // The next round's respellings stand in this round's output: moved back to where they stand in its input.
        respelled = respellings.map(\.span) + (next?.respelled ?? []).map { Self.map($0, through: shifts) }
        self.shifts = [shifts] + (next?.shifts ?? [])
    }

    /// A range of a round's output moved back to its input: past a rewrite by its change of length; inside one, to the
    /// whole of what it replaced.
    static func map(_ range: Range<Int>, through shifts: [Shift]) -> Range<Int> {
        guard !shifts.isEmpty else { return range }
        func offset(_ x: Int, end: Bool) -> Int {
            var delta = 0
            for shift in shifts {
                if end ? x <= shift.output.lowerBound : x < shift.output.lowerBound { break }
                if end ? x > shift.output.upperBound : x >= shift.output.upperBound {
                    delta = shift.input.upperBound - shift.output.upperBound
                    continue
                }
                return end ? shift.input.upperBound : shift.input.lowerBound
            }
            return x + delta
        }
        let lower = offset(range.lowerBound, end: false)
        return lower..<max(lower, offset(range.upperBound, end: true))
    }


    /// Detections of the configured program with their code read from the script.
    public func mapBack(_ detections: [Detection]) -> [Detection] {
        detections.map { detection in
            Detection(id: detection.id, evidence: detection.evidence.map { evidence in
                guard evidence.path == original.file.path else { return evidence }
                let found = evidence.range.startByte..<max(evidence.range.startByte, evidence.range.endByte)
                // Through every round's length-changing rewrites, the last round first (a range after one moves).
                var range = shifts.reversed().reduce(found) { Self.map($0, through: $1) }
                // Evidence over part of a respelled call (`self.lm_head` of `getattr(self, "lm_head")`) covers the call.
                let cut = respelled.filter { range.overlaps($0) && !(range.lowerBound <= $0.lowerBound && $0.upperBound <= range.upperBound) }
                guard !cut.isEmpty else {
                    if range != found { return original.evidence(range: range, evidence.note) }
                    return Evidence(path: evidence.path, range: evidence.range, code: original.snippet(range), note: evidence.note)
                }
                range = cut.reduce(range) { min($0.lowerBound, $1.lowerBound)..<max($0.upperBound, $1.upperBound) }
                return original.evidence(range: range, evidence.note)
            })
        }
    }
}
