import Foundation
import SourceModel
import TreeSitterKit

/// Statements the module itself runs once, in order, before anything is trained, and the declared defaults they
/// override (`args.weight_decay = 0` after a class field of 0.1).
extension PythonFacts {
    /// Whether a node lies in a statement of the module itself that runs once, unconditionally (inside the
    /// `if __name__ == "__main__":` guard counts: a script run as a program passes it; so does a branch whose
    /// condition the configuration decides true).
    func runsOnceAtModuleLevel(_ node: Node) -> Bool {
        var current = node
        while let parent = current.parent {
            switch parent.type {
            case "module":
                return true
            case "function_definition", "class_definition", "lambda", "for_statement", "while_statement", "try_statement",
                 "with_statement", "elif_clause", "else_clause", "except_clause", "finally_clause",
                 "list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression":
                return false
            case "if_statement":
                // The main guard, or a branch the configuration always takes.
                guard let condition = parent.child(byField: "condition"),
                      Self.isMainGuard(condition) || (parent.child(byField: "consequence") == current && alwaysTaken(condition))
                else { return false }
            case "conditional_expression":
                return false
            default:
                break
            }
            current = parent
        }
        return false
    }

    /// Whether a module-level branch's condition always holds. Deciding it may read a switch set inside that very
    /// branch (`if cfg.use_x: cfg.use_x = True`), which asks again whether the branch runs: that inner question is
    /// answered "not known to run".
    private func alwaysTaken(_ condition: Node) -> Bool {
        guard moduleBranchesInProgress.insert(condition).inserted else { return false }
        defer { moduleBranchesInProgress.remove(condition) }
        return truth(of: condition) == true
    }

    /// A default a declaration gives: an argparse option, a class field.
    static func isDeclaration(_ setting: Setting) -> Bool {
        setting.source == .argparseDefault || setting.source == .classField
    }

    /// A write to a config object (`args.wd = 0`, `cfg["wd"] = 0`) in a statement the module runs once: it
    /// replaces what the declaration gave before anything reads it.
    func isModuleOverride(_ setting: Setting) -> Bool {
        !Self.isDeclaration(setting) && (setting.written.contains(".") || setting.written.contains("["))
            && runsOnceAtModuleLevel(setting.site)
    }

    /// The module-level writes that a later statement of the module rewrites before `use` reads the value: indices
    /// into `settings`. Python runs the module's statements in order, so a read in the module's own code (outside every
    /// function, class body and lambda, see `isModuleScope`) sees the latest assignment before it: a notebook export
    /// that sets `lr_wte, lr_head = 0.3, 0.002` (or `hp.ratio = 10.0`) in one cell and `lr_wte = 2 * lr_wte` (or
    /// `hp.ratio = 0.1`) in a later one trains with the later value. A write is rewritten when another assignment of
    /// the module to the same written name (`written` identical) starts after it, ends before the read and runs once
    /// (see `runsOnceAtModuleLevel`; one in a loop, a `try` or an undecided branch may not run and rewrites nothing).
    /// A read inside a function of the module is judged where the function first runs (see `firstRun(of:)`: a
    /// `get_lr` defined in one cell and called only by the training loop of a later one sees that cell's values); empty
    /// when that place is not known.
    func rewrittenModuleWrites(_ settings: [Setting], before use: Node) -> Set<Int> {
        guard settings.count > 1, use.tree === tree, let at = isModuleScope(use) ? use : firstRun(of: use) else { return [] }
        func isWrite(_ s: Setting) -> Bool {
            s.source == .moduleAssignment && s.site.type == "assignment" && s.site.tree === tree && s.site.endByte <= at.startByte
        }
        let writes = settings.indices.filter { isWrite(settings[$0]) }
        guard writes.count > 1 else { return [] }
        var result = Set<Int>()
        for i in writes where writes.contains(where: { rewrites(settings[$0], settings[i], before: at) }) {
            result.insert(i)
        }
        return result
    }

    /// The value the latest module statement writing entry `key` of module dictionary `name` gives before `use` runs: a
    /// notebook's later cell changing a configuration dictionary made earlier (`CFG = dict(seq_len=64 * 1024, ...)`,
    /// then `CFG.update(seq_len=48 * 1024)`, `CFG.update({"seq_len": ...})` or `CFG["seq_len"] = 48 * 1024`). Only
    /// writes that run once at module level count, and only after the module's latest assignment of the name itself
    /// before `use`. A read inside a function is judged where the function first runs (see `firstRun(of:)`). Nil when
    /// there is no such write, `table` names a parameter or local variable of the function around it, or where `use`
    /// runs is not known.
    func latestModuleEntryWrite(_ key: String, of table: Node, before use: Node) -> Node? {
        guard table.type == "identifier", use.tree === tree, case let name = table.text,
              enclosingFunction(table).map({ !$0.parameters.contains(name) && localBindings(around: table)[name] == nil }) ?? true,
              let at = isModuleScope(use) ? use : firstRun(of: use) else { return nil }
        var latest: (position: Int, value: Node)?
        var rebound = -1
        func consider(_ statement: Node, _ value: Node?) {
            guard let value, runsOnceAtModuleLevel(statement), statement.endByte <= at.startByte,
                  latest.map({ statement.startByte > $0.position }) ?? true else { return }
            latest = (statement.startByte, value)
        }
        for occurrence in identifiersByName[name] ?? [] where occurrence.endByte <= at.startByte && isModuleScope(occurrence) {
            guard let parent = occurrence.parent else { continue }
            if parent.type == "assignment", parent.child(byField: "left") == occurrence {
                rebound = Swift.max(rebound, parent.startByte)
            } else if parent.type == "attribute", parent.child(byField: "object") == occurrence,
                      parent.child(byField: "attribute")?.text == "update", let node = parent.parent, node.type == "call" {
                let call = callSite(node)
                var value = call.keywords[key]
                if value == nil, call.positional.count == 1, case let table = unwrapped(call.positional[0]), table.type == "dictionary" {
                    value = OptimizerUse.entry(key, in: table)
                }
                consider(node, value)
            } else if parent.type == "subscript", parent.child(byField: "value") == occurrence,
                      parent.child(byField: "subscript").flatMap(SettingsTable.stringValue) == key,
                      let assignment = parent.parent, assignment.type == "assignment", assignment.child(byField: "left") == parent {
                consider(assignment, assignment.child(byField: "right"))
            }
        }
        guard let latest, latest.position > rebound else { return nil }
        return latest.value
    }

    /// For a node inside a plain function of the module (not nested) or a method of a module class, the earliest place
    /// in the module's own code from which it may run: the earliest of the places the function's name is used outside
    /// its definition (a call, or the function handed on, `LambdaLR(opt, get_lr)`, which runs it there or later), for a
    /// method the places its class is used (no method runs before its class is built or handed on), each judged the
    /// same way when it lies in another such function. Nil when the function or class is not used, or a use lies where
    /// this cannot be said (a class body, a nested function, a lambda).
    public func firstRun(of node: Node, depth: Int = 0) -> Node? {
        guard depth < 4, let function = enclosingFunction(node),
              let container = function.node.parent.map({ $0.type == "decorated_definition" ? $0.parent : $0 }) ?? nil else { return nil }
        let name: String
        let definition: Node
        if container.type == "module" {
            guard !ancestors(of: node).contains(where: { $0.type == "lambda" || $0.type == "class_definition" }) else { return nil }
            (name, definition) = (function.name, function.node)
        } else {
            // A method: the class around it must be a statement of the module, and nothing but it may enclose the node.
            guard container.type == "block", let owner = container.parent, owner.type == "class_definition",
                  (owner.parent.map { $0.type == "decorated_definition" ? $0.parent : $0 } ?? nil)?.type == "module",
                  let className = owner.child(byField: "name")?.text,
                  !ancestors(of: node).contains(where: { $0.type == "lambda" || ($0.type == "class_definition" && $0 != owner) }) else { return nil }
            (name, definition) = (className, owner)
        }
        let uses = (identifiersByName[name] ?? []).filter { !definition.byteRange.contains($0.startByte) }
        guard !uses.isEmpty else { return nil }
        var earliest: Node?
        for use in uses {
            guard let at = isModuleScope(use) ? use : firstRun(of: use, depth: depth + 1) else { return nil }
            if earliest.map({ at.startByte < $0.startByte }) ?? true { earliest = at }
        }
        return earliest
    }

    /// Whether module write `later` replaces module write `earlier` for a read at `use`: it writes the same path
    /// (`written` identical), stands after `earlier` and before the read, and runs once (see `runsOnceAtModuleLevel`).
    /// The one test behind both readers of "the latest module write wins": `rewrittenModuleWrites` (bare names, read
    /// in the module's own code) and `ValueResolver.NameTable.isReplaced` (config fields, read anywhere after).
    func rewrites(_ later: Setting, _ earlier: Setting, before use: Node) -> Bool {
        later.written == earlier.written && later.site.tree === earlier.site.tree && later.site.startByte >= earlier.site.endByte
            && later.site.endByte <= use.startByte && runsOnceAtModuleLevel(later.site)
    }

    /// Whether a node lies in the module's own code: outside every function, class body and lambda (a comprehension
    /// at module level counts: it runs where it stands).
    func isModuleScope(_ node: Node) -> Bool {
        !ancestors(of: node).contains { ["function_definition", "class_definition", "lambda"].contains($0.type) }
    }

    /// The settings a read sees: without the declarations when the module's own statements override them.
    func overridden(_ settings: [Setting]) -> [Setting] {
        guard settings.contains(where: Self.isDeclaration), settings.contains(where: isModuleOverride) else { return settings }
        return settings.filter { !Self.isDeclaration($0) }
    }

    /// Whether a write in a config builder (`def get_config(): config.optim.lr = 0.0015`) is replaced by the entry
    /// point: a function the module runs (`app.run(main)`, `main()` under the main guard) that calls the builder and
    /// then, in a statement it runs once, writes the same path (`config = get_config()` then
    /// `config.optim.lr = FLAGS.learning_rate`).
    func isSupersededByEntryPoint(_ setting: Setting, among settings: [Setting]) -> Bool {
        guard setting.written.contains("."), let builder = enclosingFunction(setting.site) else { return false }
        let path = setting.written.split(separator: ".").dropFirst()
        let pathText = path.joined(separator: ".")
        return settings.contains { other in
            guard other.site != setting.site, other.written.split(separator: ".").dropFirst() == path,
                  let root = other.written.split(separator: ".").first.map(String.init),
                  let entry = enclosingFunction(other.site), entry.node != builder.node, isEntryPoint(entry),
                  runsOnce(other.site, in: entry),
                  // The write replaces the value rather than deriving from it (`config.optim.lr = config.optim.lr * 3`).
                  !other.value.text.contains(pathText),
                  // It writes into the object the builder returned: the name's latest value there is the builder's call.
                  let built = latestValue(of: root, before: other.site).map(unparenthesized), built.type == "call" else { return false }
            let call = callSite(built)
            // One object built there: with two (`config = get_config(); frozen = get_config()`), the write may go to
            // the one that is not trained with.
            let builds = calls(named: builder.name).filter { $0.receiver == nil && enclosingFunction($0.node)?.node == entry.node }
            return call.receiver == nil && call.name == builder.name && builds.count == 1
        }
    }

    /// Whether an `__init__`'s value for a field of `self` is a placeholder that a setter of the same class replaces
    /// before the object is used: a builder configured by chained calls (`self._ratio = 1.0` in `__init__`, `def
    /// with_hidden_lr_ratio(self, ratio): self._ratio = ratio; return self`, run as `Builder(m).with_lr(x)
    /// .with_hidden_lr_ratio(0.1).build()`). The setter assigns the field its own parameter in a statement it always
    /// runs, no other function of the file has its name, and a statement the module (or its entry point) runs once calls
    /// it on an object of the class (`holdsInstance`). A setter nothing calls, or calls only in a loop or under an undecided condition, leaves the
    /// `__init__` value standing.
    func isBuilderPlaceholder(_ setting: Setting) -> Bool {
        guard setting.written.hasPrefix("self."), setting.site.tree === tree, let initializer = enclosingFunction(setting.site),
              initializer.name == "__init__", let owner = enclosingClass(initializer.node) else { return false }
        return memoized("builderPlaceholder/\(setting.site.startByte)/\(setting.written)") {
            allSettings.settings(setting.name).contains { other in
                guard other.site != setting.site, other.written == setting.written, other.site.tree === tree,
                      let setter = enclosingFunction(other.site), setter.name != "__init__", enclosingClass(setter.node)?.node == owner.node,
                      case let value = unwrapped(other.value), value.type == "identifier", setter.passedParameters.contains(value.text),
                      runsOnce(other.site, in: setter), functions.filter({ $0.name == setter.name }).count == 1 else { return false }
                return calls(named: setter.name).contains { call in
                    guard let receiver = call.receiver, holdsInstance(receiver, of: owner) else { return false }
                    if runsOnceAtModuleLevel(call.node) { return true }
                    guard let caller = enclosingFunction(call.node) else { return false }
                    return isEntryPoint(caller) && runsOnce(call.node, in: caller)
                }
            }
        }
    }

    /// A function the module itself runs: called by a statement the module runs once, or handed to one
    /// (`app.run(main)`, `fire.Fire(main)`).
    func isEntryPoint(_ function: Function) -> Bool {
        guard enclosingClass(function.node) == nil else { return false }
        return memoized("entryPoint:\(function.node.startByte)") {
            for use in identifiersByName[function.name] ?? [] where use != function.node.child(byField: "name") {
                guard runsOnceAtModuleLevel(use), let parent = use.parent else { continue }
                if parent.type == "call", parent.child(byField: "function") == use { return true }
                if parent.type == "argument_list" { return true }
            }
            return false
        }
    }

    /// Whether a node lies in a statement a function runs once on every call: not in a loop, a nested function or
    /// an exception handler, and under `if`s only where the configuration decides the branch is taken.
    func runsOnce(_ node: Node, in function: Function) -> Bool {
        var current = node
        while let parent = current.parent {
            if parent == function.node { return true }
            switch parent.type {
            case "function_definition", "class_definition", "lambda", "for_statement", "while_statement", "try_statement",
                 "with_statement", "elif_clause", "else_clause", "except_clause", "finally_clause", "conditional_expression",
                 "list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression":
                return false
            case "if_statement":
                guard let condition = parent.child(byField: "condition"), parent.child(byField: "consequence") == current,
                      truth(of: condition) == true else { return false }
            default:
                break
            }
            current = parent
        }
        return false
    }

    static func isMainGuard(_ condition: Node) -> Bool {
        let text = condition.text.filter { !$0.isWhitespace }.replacingOccurrences(of: "'", with: "\"")
        return text == "__name__==\"__main__\"" || text == "\"__main__\"==__name__"
    }
}
