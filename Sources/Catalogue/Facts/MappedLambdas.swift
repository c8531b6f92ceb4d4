import Parsing
import TreeSitterKit

/// Lambdas mapped over lists, the functional way an update or a normalization is written for every tensor at once
/// (`tree_map(lambda m, v: m / (v.sqrt() + eps), mu, nu)`, `map(lambda g: g / g.norm(), grads)`): each parameter stands
/// for the elements of the list in its place.
extension PythonFacts {
    /// For a parameter of a lambda handed first to a call that maps it over sequences (`tree_map(lambda m, v: ...,
    /// mu, nu)`, `map(lambda g: ..., grads)`), the sequence argument in the parameter's place; nil otherwise.
    func mappedSequence(of name: Node) -> Node? {
        guard let lambda = ancestors(of: name).first(where: { $0.type == "lambda" }),
              let parameters = lambda.child(byField: "parameters")?.namedChildren,
              let index = parameters.firstIndex(where: { $0.type == "identifier" && $0.text == name.text }),
              let list = lambda.parent, list.type == "argument_list", let call = list.parent, call.type == "call" else { return nil }
        let arguments = list.namedChildren.filter { $0.type != "keyword_argument" && $0.type != "comment" }
        guard arguments.first == lambda, index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }
}
