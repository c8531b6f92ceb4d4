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
                      Self.isMainGuard(condition) || (parent.child(byField: "consequence") == current && truth(of: condition) == true)
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

    /// The settings a read sees: without the declarations when the module's own statements override them.
    func overridden(_ settings: [Setting]) -> [Setting] {
        guard settings.contains(where: Self.isDeclaration), settings.contains(where: isModuleOverride) else { return settings }
        return settings.filter { !Self.isDeclaration($0) }
    }

    static func isMainGuard(_ condition: Node) -> Bool {
        let text = condition.text.filter { !$0.isWhitespace }.replacingOccurrences(of: "'", with: "\"")
        return text == "__name__==\"__main__\"" || text == "\"__main__\"==__name__"
    }
}
