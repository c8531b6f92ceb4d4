import SourceModel
import TreeSitterKit

extension LoweringRules {
    /// CUDA C++: identifiers, types and literals are atoms; CUDA qualifiers and operators label their parent.
    public static let cuda = LoweringRules(
        atoms: ["identifier", "field_identifier", "type_identifier", "primitive_type", "namespace_identifier",
                "number_literal", "string_literal", "raw_string_literal", "char_literal", "true", "false", "null",
                "nullptr", "this", "type_qualifier", "storage_class_specifier", "system_lib_string", "preproc_arg",
                "auto", "sized_type_specifier", "statement_identifier"],
        dropped: ["comment"],
        labelTokens: ["+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "~", "!", "<", ">", "<=", ">=", "==", "!=",
                      "&&", "||", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", "++", "--", "->",
                      "__global__", "__device__", "__host__", "__shared__", "__constant__", "__forceinline__",
                      "__noinline__", "__restrict__", "inline", "constexpr", "virtual", "static", "extern"],
        wrappers: [:],
        transparent: ["parenthesized_expression"],
        entities: [
            "function_definition": .init(kind: .function) { node, _ in CUDADeclarations.declaredName(node) },
            "class_specifier": .init(kind: .class) { node, _ in
                node.child(byField: "body") == nil ? nil : node.child(byField: "name")?.text },
            "struct_specifier": .init(kind: .class) { node, _ in
                node.child(byField: "body") == nil ? nil : node.child(byField: "name")?.text },
            "namespace_definition": .init(kind: .namespace) { node, _ in node.child(byField: "name")?.text ?? "(anonymous)" },
            "preproc_def": .init(kind: .assignment) { node, _ in node.child(byField: "name")?.text },
            "preproc_function_def": .init(kind: .assignment) { node, _ in node.child(byField: "name")?.text },
            "preproc_include": .init(kind: .import) { node, _ in node.child(byField: "path")?.text },
        ],
        atomLabel: { node in
            node.type == "number_literal" ? NumberLiteral.canonical(node.text) : node.text
        },
        roles: SyntaxRoles(
            statementContainers: ["module", "compound_statement", "translation_unit", "declaration_list"],
            calls: ["call_expression"],
            argumentLists: ["argument_list"],
            literals: ["number_literal", "string_literal", "char_literal", "true", "false", "nullptr", "null"],
            names: ["identifier", "type_identifier", "namespace_identifier"],
            memberNameChild: ["field_expression": 1]))
}
