import TreeSitterKit

/// The methods of each class of the file, indexed once: detectors ask "the `__init__` of this class", "its `step`",
/// "its `__call__`" many times per file, and each such question was a scan of every function.
///
/// A class's methods are the functions whose innermost enclosing class it is: its `def`s, and functions nested in
/// them (a helper defined inside `__init__`); the methods of a class nested in it belong to that class.
extension PythonFacts {
    private var methodsByClass: [Node: [Function]] {
        memoized("methodsByClass") {
            var index: [Node: [Function]] = [:]
            for function in functions {
                guard let owner = enclosingClass(function.node) else { continue }
                index[owner.node, default: []].append(function)
            }
            return index
        }
    }

    /// A class's methods, in document order.
    public func methods(of owner: Class) -> [Function] { methodsByClass[owner.node] ?? [] }

    /// A class's method of that name (the first, when a name is defined twice).
    public func method(_ name: String, of owner: Class) -> Function? { methods(of: owner).first { $0.name == name } }

    /// The first class the file defines under a name (classes by name, indexed once).
    public func firstClass(named name: String) -> Class? {
        memoized("classesByName") { Dictionary(classes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first }) }[name]
    }

    /// A class's own `__init__`.
    public func initializer(of owner: Class) -> Function? { method("__init__", of: owner) }

    /// The attributes of `self` a class's methods other than `__init__` read (`self.lr` in `step`), not counting the
    /// ones they only assign: what an object of the class uses after it is built, so that `opt.lr = ...` from outside
    /// changes what it does.
    public func attributesRead(by owner: Class) -> Set<String> {
        var read = Set<String>()
        for method in methods(of: owner) where method.name != "__init__" {
            for n in descendants(of: method.node) where n.type == "attribute" && n.child(byField: "object")?.text == "self" {
                guard let attribute = n.child(byField: "attribute")?.text else { continue }
                if let parent = n.parent, parent.type == "assignment", parent.child(byField: "left") == n { continue }
                read.insert(attribute)
            }
        }
        return read
    }
}
