import Parsing
import TreeSitterKit

/// `unet_skip_connections`: encoder outputs are added back into the mirrored decoder blocks.
///
/// Requires a list (or `collections.deque`) that a loop fills with the running hidden state (`skips.append(x)`, or
/// `saved[i] = x` keyed by the loop variable) and a later read of it in reverse order inside a loop (later in the text,
/// or in later iterations of the same loop when one loop runs every block) — `skips.pop()`, iteration over `reversed(skips)` or `skips[::-1]` (also inside `zip`),
/// or a mirrored index such as `skips[n - 1 - j]` / `skips[-(i + 1)]` (also read from a pairing table computed once,
/// `skips[self.mirror_of[j]]` with `self.mirror_of = [n - 1 - j for j in range(n)]`); or a list filled at the front
/// (`skips.insert(0, x)`, `skips.appendleft(x)`) and read in order (`skips[i]`, `skips.pop(0)`, `skips.popleft()`,
/// `zip(blocks, skips)`); the list's ends are read by `endOperation`. The loop may be a `while` loop with a hand-kept
/// counter (`while depth < total: ... depth += 1`), which keys and mirrored indexes use as a `for` loop's variable
/// (`PythonFacts.iterationVariables`). The push and the pop may be methods of
/// a container class of the file, called or run by an operator (`skips << x` with `__lshift__` appending its argument,
/// `-skips` with `__neg__` returning `self.pop()`, `skips.push(x)`; see `stackOperation`) — whose value (directly or through names assigned from it)
/// is added into the stream with `+` or a tensor method (`x.add(skip)`, `x.addcmul(w, skip)`), also through the loop
/// variable it is iterated into (`for w, skip in zip(weights, reversed(saved))`), or by a helper of the file that hands
/// the stream back (`x = merge(x, saved.pop(), w)`, whose code, autograd `forward` or kernel adds loaded values). Rejects FIFO pairing
/// (`skips.pop(0)` after `append`, `skips.pop()` after `appendleft`), outputs saved only for a probe, and
/// the embedding x0 fed to every block. A loop may be a fold (`functools.reduce(descend, encoder_blocks, carry)` runs
/// `descend` per block; see `PythonFacts.enclosingIterations`), whose statements run where its call stands
/// (`foldAnchor`). The blocks may also be called one statement each, with the outputs in named locals added back
/// before the mirrored call (`unrolledSkips`). The save and the read may also be forward hooks put on the blocks from
/// outside, an output hook on the first layers pushing what they return and a pre-hook on later layers popping the
/// newest item into the input it returns (`hookedSkips`). Examples: `queries/python/unet_skip_connections/examples/`.
struct UnetSkipConnections: Detector {
    let id = "unet_skip_connections"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let stack = stackOperations(facts)
        for (site, list, front) in writes(facts, stack: stack) {
            // The function the saving loop (or fold) runs in: a fold's function counts where its call stands.
            let scope = facts.enclosingFunction(facts.foldAnchor(site))?.node ?? facts.root
            let reads = front ? inOrderReads(of: list, in: scope, after: site, facts, stack: stack)
                : mirroredReads(of: list, in: scope, after: site, facts, stack: stack)
            for read in reads where isAddedBack(read, in: scope, facts) {
                return [facts.evidence(site, "encoder outputs saved"), facts.evidence(read, "added back to the mirrored decoder block")]
            }
        }
        if let hooked = hookedSkips(facts) { return hooked }
        return unrolledSkips(facts)
    }

    /// The same pairing put on from outside with forward hooks, which run as part of the forward of the layers they
    /// are registered on (`PythonFacts.hookedLayers`: `blocks[i].register_forward_hook(self.deposit)` for `i` in
    /// `range(n_enc)`, `blocks[n_enc + j].register_forward_pre_hook(self.make_withdraw(j))`). An output hook pushes
    /// onto a list what its layer returns (its output parameter, or a name unpacked from it: `x, _ = output;
    /// self.stash.append(x)`; `append` or `insert(0, ...)`, see `endOperation`), and a pre-hook on later layers of
    /// the same container (by its last name: `blocks[i]` and `self.net.blocks[j]`) takes from the same list (the same text, in the same class for a field) at the end the
    /// push makes newest (`pop()` after `append`, `pop(0)` / `popleft()` after `insert(0, ...)` / `appendleft`) and
    /// hands back a sum holding it as its layer's input (`sumReturned`: `return (x + w[j] * self.stash.pop(), v1,
    /// x0)`). Every pushing layer comes before every popping one. Rejects FIFO pairing (`pop(0)` after `append`),
    /// outputs saved by a hook only for a probe (never popped and returned into a layer), and a popped value the
    /// pre-hook does not return.
    func hookedSkips(_ facts: PythonFacts) -> [Evidence]? {
        let hooks = facts.forwardHooks
        guard hooks.contains(where: { $0.kind == .output }), hooks.contains(where: { $0.kind == .input }) else { return nil }
        // The layers each hook function runs on, per container: nil when some registration of it is unread.
        func layers(of function: PythonFacts.Function, kind: ForwardHook.Kind) -> (container: String, layers: [Int])? {
            var container: String?
            var found: [Int] = []
            for hook in hooks where hook.kind == kind && hook.functions.contains(where: { $0.node == function.node }) {
                guard let placed = facts.hookedLayers(hook), container == nil || container == placed.container else { return nil }
                container = placed.container
                found += placed.layers
            }
            guard let container, !found.isEmpty else { return nil }
            return (container: container, layers: found)
        }
        // The same list in two hook functions: the same text, and for a field of the instance the same class.
        func sameList(_ a: Node, _ b: Node) -> Bool {
            guard facts.compact(a) == facts.compact(b) else { return false }
            guard a.type == "attribute", let object = a.child(byField: "object"), object.type == "identifier",
                  ["self", "cls"].contains(object.text) else { return true }
            return facts.enclosingClass(a)?.node == facts.enclosingClass(b)?.node
        }
        var seen = Set<Node>()
        for hook in hooks where hook.kind == .output {
            for pusher in hook.functions where seen.insert(pusher.node).inserted {
                guard let output = facts.outputParameter(of: pusher, in: hook), let pushed = layers(of: pusher, kind: .output) else { continue }
                for n in facts.descendants(of: pusher.node) where n.type == "call" && facts.enclosingFunction(n)?.node == pusher.node {
                    let push = facts.callSite(n)
                    guard let list = push.receiver, let end = endOperation(push, facts), let item = end.item,
                          end.operation == .push || end.operation == .pushFront,
                          carries(item, output, in: pusher, facts) else { continue }
                    let newest: StackOperation = end.operation == .push ? .popLast : .popFirst
                    for reader in hooks where reader.kind == .input {
                        for popper in reader.functions {
                            guard let read = layers(of: popper, kind: .input),
                                  read.container.split(separator: ".").last == pushed.container.split(separator: ".").last,
                                  let lastPush = pushed.layers.max(), let firstPop = read.layers.min(), lastPush < firstPop else { continue }
                            for m in facts.descendants(of: popper.node) where m.type == "call" && facts.enclosingFunction(m)?.node == popper.node {
                                let pop = facts.callSite(m)
                                guard let source = pop.receiver, sameList(list, source), endOperation(pop, facts)?.operation == newest,
                                      sumReturned(m, by: popper, facts) else { continue }
                                return [facts.evidence(n, "encoder outputs saved by a forward hook on the first layers"),
                                        facts.evidence(m, "added back by a forward pre-hook on the mirrored later layers")]
                            }
                        }
                    }
                }
            }
        }
        return nil
    }

    /// Whether a hook's pushed item is what its layer returned: the output parameter, or a name the hook binds
    /// from it (`x, _ = output`, `h = output[0]`), or an expression of either (`output[0]`, `x.detach()`).
    func carries(_ item: Node, _ output: String, in function: PythonFacts.Function, _ facts: PythonFacts) -> Bool {
        if facts.mentions(item, output) { return true }
        guard let root = facts.tensorRoot(item), root.type == "identifier" else { return false }
        return facts.descendants(of: function.node).contains { assignment in
            guard assignment.type == "assignment", facts.enclosingFunction(assignment)?.node == function.node,
                  assignment.startByte < item.startByte, let left = assignment.child(byField: "left"),
                  let right = assignment.child(byField: "right") else { return false }
            return facts.mentions(left, root.text) && facts.mentions(right, output)
        }
    }

    /// Whether a pre-hook hands its layer, as the first input, a sum holding what it read: a `+` (or `add` /
    /// `addcmul`) with the read among its operands, directly or through names the hook assigns from it, that is the
    /// value the hook returns or the first item of the tuple it returns (`return (x + w * self.stash.pop(), v1, x0)`,
    /// or `x = x + w * skip; return x, v1, x0`).
    func sumReturned(_ read: Node, by function: PythonFacts.Function, _ facts: PythonFacts) -> Bool {
        let body = facts.descendants(of: function.node).filter { facts.enclosingFunction($0)?.node == function.node }
        // Names carrying the read (two hops), then names carrying a sum of it.
        var carried = Set<String>()
        var sums = Set<String>()
        func isSum(_ n: Node) -> Bool {
            if n.type == "binary_operator" { return n.child(byField: "operator")?.type == "+" }
            return n.type == "call" && ["add", "add_", "addcmul", "addcmul_"].contains(facts.callSite(n).name)
        }
        func holdsRead(_ n: Node) -> Bool { facts.isInside(read, n) || carried.contains { facts.mentions(n, $0) } }
        func sumOfRead(_ value: Node) -> Bool {
            facts.descendants(of: value).contains { isSum($0) && holdsRead($0) } || sums.contains { facts.mentions(value, $0) }
        }
        for _ in 0..<2 {
            for assignment in body where assignment.type == "assignment" {
                for bound in facts.assignedNames(assignment) {
                    guard let value = bound.value else { continue }
                    if sumOfRead(value) { sums.insert(bound.name) } else if holdsRead(value) { carried.insert(bound.name) }
                }
            }
        }
        return facts.returnedValues(function).contains { returned in
            let value = facts.unwrapped(returned)
            let first = ["tuple", "expression_list", "list"].contains(value.type) ? value.namedChildren.first.map(facts.unwrapped) : value
            guard let first else { return false }
            return sumOfRead(first)
        }
    }

    /// The same pairing with the blocks called one statement each (`PythonFacts.numberedLayerCalls`: `x =
    /// self.layer0(x)`, ..., `x = self.layer11(x)`) and the outputs kept in named locals instead of a list (`down0 = x`
    /// after layer 0, ..., `x = x + w[0] * down5` before layer 6, ..., `x = x + w[5] * down0` before layer 11). A save
    /// is a local, not one of the streams, set after call k and before call k + 1 to a stream that call assigns and
    /// takes in (`x` in `x, v1 = self.layer0(x, v1, x0)` or `x = x + self.layer0(x)`; also `down0 = x.clone()`, or
    /// `down0 = x = self.layer0(x)`);
    /// a read is a use of that local, still holding the save, after call m - 1 and up to call m (m > k), added into
    /// the stream (`isAddedBack`). Accepts when at least two saves are read, each at one call, all at the mirrored call
    /// (k + m the same for every pair). Rejects FIFO pairing (`down0` before `layer6`), a value taken before the blocks
    /// (the embedding x0 fed to every block), and an output read by the next block only.
    func unrolledSkips(_ facts: PythonFacts) -> [Evidence] {
        for family in facts.numberedLayerCalls {
            let calls = family.calls
            guard calls.count >= 4 else { continue }
            // For each call: the statement holding it and the streams it assigns and takes in.
            var statements: [Node] = []
            var streams: [Set<String>] = []
            var chained: [[(name: String, target: Node)]] = []
            for call in calls {
                var statement = call.node
                var assigned: [(name: String, target: Node)] = []
                // The whole statement (`x = self.layer0(x)`, `x = x + self.layer0(x)`, `down0 = x = self.layer0(x)`).
                while let parent = statement.parent, !["expression_statement", "block", "module", "lambda"].contains(parent.type) {
                    statement = parent
                }
                if statement.type == "assignment" {
                    assigned = facts.assignedNames(statement).map { (name: $0.name, target: $0.target) }
                }
                let taken = Set(assigned.map(\.name).filter { name in call.positional.contains { facts.mentions($0, name) } })
                statements.append(statement)
                streams.append(taken)
                chained.append(assigned.filter { !taken.contains($0.name) })
            }
            let allStreams = streams.reduce(into: Set<String>()) { $0.formUnion($1) }
            // Saves: (index of the call, the local, the node that binds it).
            var saves: [(k: Int, name: String, site: Node)] = []
            for k in 0..<(calls.count - 1) where !streams[k].isEmpty {
                for target in chained[k] where !allStreams.contains(target.name) { saves.append((k: k, name: target.name, site: statements[k])) }
                for assignment in facts.descendants(of: family.function) where assignment.type == "assignment" {
                    guard assignment.startByte >= statements[k].endByte, assignment.endByte <= calls[k + 1].node.startByte,
                          facts.enclosingFunction(assignment)?.node == family.function,
                          let left = assignment.child(byField: "left"), left.type == "identifier", !allStreams.contains(left.text),
                          var value = assignment.child(byField: "right").map(facts.unparenthesized) else { continue }
                    if value.type == "call", case let copy = facts.callSite(value), copy.name == "clone", copy.positional.isEmpty,
                       let receiver = copy.receiver {
                        value = receiver
                    }
                    guard let root = facts.tensorRoot(value), streams[k].contains(root.text) else { continue }
                    saves.append((k: k, name: left.text, site: assignment))
                }
            }
            // Reads: for each save read at exactly one later call, (k, m, the read).
            var pairs: [(k: Int, m: Int, save: Node, read: Node)] = []
            for save in saves {
                var found: [(m: Int, read: Node)] = []
                // Uses as a variable (not `obj.down0`), after the save.
                let uses = facts.uses(of: save.name, in: family.function).filter { use in
                    use.startByte >= save.site.endByte
                        && !(use.parent?.type == "attribute" && use.parent?.child(byField: "attribute") == use)
                }
                for use in uses {
                    guard let m = calls.firstIndex(where: { $0.node.endByte >= use.startByte }), m > save.k,
                          use.startByte > calls[m - 1].node.endByte, isAddedBack(use, in: family.function, facts) else { continue }
                    // The local still holds the save (not bound again since).
                    let holder = facts.latestValue(of: save.name, before: use)
                    guard holder.map({ facts.isInside($0, save.site) }) == true else { continue }
                    found.append((m: m, read: use))
                }
                if found.count == 1 { pairs.append((k: save.k, m: found[0].m, save: save.site, read: found[0].read)) }
            }
            guard pairs.count >= 2, let sum = pairs.first.map({ $0.k + $0.m }), pairs.allSatisfy({ $0.k + $0.m == sum }),
                  Set(pairs.map(\.k)).count == pairs.count else { continue }
            return [facts.evidence(pairs[0].save, "encoder outputs saved"), facts.evidence(pairs[0].read, "added back to the mirrored decoder block")]
        }
        return []
    }

    /// What a method of a container class of the file does to the container it runs on (`stackOperation`).
    enum StackOperation { case push, pushFront, popLast, popFirst }

    /// What a call does to an end of the list or `collections.deque` it runs on, with the item it pushes: `L.append(x)`
    /// pushes at the back (`.push`); `L.insert(0, x)` and `L.appendleft(x)` at the front (`.pushFront`); `L.pop()` and
    /// `L.pop(-1)` take the back item (`.popLast`); `L.pop(0)` and `L.popleft()` the front one (`.popFirst`). Nil for
    /// any other call (another method, index or argument count, keywords).
    func endOperation(_ call: CallSite, _ facts: PythonFacts) -> (operation: StackOperation, item: Node?)? {
        guard call.receiver != nil, call.keywords.isEmpty, !call.hasSplat else { return nil }
        let arguments = call.positional
        switch call.name {
        case "append" where arguments.count == 1:
            return (operation: .push, item: arguments[0])
        case "appendleft" where arguments.count == 1:
            return (operation: .pushFront, item: arguments[0])
        case "insert" where arguments.count == 2 && facts.evaluate(arguments[0]) == 0:
            return (operation: .pushFront, item: arguments[1])
        case "pop" where arguments.isEmpty:
            return (operation: .popLast, item: nil)
        case "pop" where arguments.count == 1:
            let index = facts.evaluate(arguments[0])
            if index == -1 { return (operation: .popLast, item: nil) }
            if index == 0 { return (operation: .popFirst, item: nil) }
            return nil
        case "popleft" where arguments.isEmpty:
            return (operation: .popFirst, item: nil)
        default:
            return nil
        }
    }

    /// What a method of a container class of the file does to the container it runs on: appends one of its
    /// parameters (`def __lshift__(self, x): self.append(x)`, also to a list the object holds: `self.items.append(x)`)
    /// or inserts it at the front (`self.insert(0, x)`, `self.items.appendleft(x)`), or returns what it pops: the newest
    /// element (`return self.pop()`, `self.items.pop(-1)`) or the oldest (`return self.pop(0)`, `self.items.popleft()`);
    /// see `endOperation`. Nil for any other method.
    func stackOperation(_ method: PythonFacts.Function, _ facts: PythonFacts) -> StackOperation? {
        guard let me = method.receiver else { return nil }
        let parameters = Set(method.passedParameters)
        // The object itself (a list subclass) or a list it holds in a field.
        func isContainer(_ node: Node?) -> Bool {
            guard let node = node.map(facts.unparenthesized) else { return false }
            return node.type == "identifier" && node.text == me
                || node.type == "attribute" && node.child(byField: "object")?.text == me
        }
        for value in facts.returnedValues(method).map(facts.unparenthesized) where value.type == "call" {
            let call = facts.callSite(value)
            guard isContainer(call.receiver), let end = endOperation(call, facts), end.operation == .popLast || end.operation == .popFirst else { continue }
            return end.operation
        }
        for n in facts.descendants(of: method.node) where n.type == "call" && facts.enclosingFunction(n)?.node == method.node {
            let call = facts.callSite(n)
            guard isContainer(call.receiver), let end = endOperation(call, facts), let item = end.item,
                  parameters.contains(facts.unparenthesized(item).text) else { continue }
            return end.operation
        }
        return nil
    }

    /// The stack operations of the file's methods (`stackOperation`), with the method's name, by function node.
    func stackOperations(_ facts: PythonFacts) -> [Node: (name: String, operation: StackOperation)] {
        var found: [Node: (name: String, operation: StackOperation)] = [:]
        for f in facts.functions where f.receiver != nil {
            if let operation = stackOperation(f, facts) { found[f.node] = (name: f.name, operation: operation) }
        }
        return found
    }

    /// The container a call or an operator runs one of the stack methods `wanted` on, by its name (`skips` in
    /// `skips << x`, `-skips`, `skips.push(x)`; see `dispatchedMethods`), with the operation; nil for any other node.
    func stackSite(_ node: Node, _ stack: [Node: (name: String, operation: StackOperation)], wanted: Set<StackOperation>,
                   _ facts: PythonFacts) -> (list: String, operation: StackOperation)? {
        guard !stack.isEmpty, node.type == "call" || PythonFacts.operatorNodeTypes.contains(node.type) else { return nil }
        if node.type == "call" {
            let name = facts.callSite(node).name
            guard stack.values.contains(where: { $0.name == name }) else { return nil }
        }
        for (method, object) in facts.dispatchedMethods(node) {
            let object = facts.unparenthesized(object)
            guard object.type == "identifier", let operation = stack[method.node]?.operation, wanted.contains(operation) else { continue }
            return (list: object.text, operation: operation)
        }
        return nil
    }

    /// Where a loop (or a fold, see `PythonFacts.enclosingIterations`) stores outputs in a container: `L.append(x)`,
    /// `L.insert(0, x)` or `L.appendleft(x)` (`front`: the newest first, so reading in order is the mirrored order; see
    /// `endOperation`), or `L[i] = x` with the loop variable in the key (a dict or a
    /// preallocated list, filled in order); also a push by a method of a container class of the file (`L << x`,
    /// `L.push(x)`; see `stackSite`).
    func writes(_ facts: PythonFacts, stack: [Node: (name: String, operation: StackOperation)]) -> [(site: Node, list: String, front: Bool)] {
        var result: [(Node, String, Bool)] = []
        for call in facts.calls where ["append", "appendleft", "insert"].contains(call.name) {
            guard let end = endOperation(call, facts), end.operation == .push || end.operation == .pushFront,
                  let receiver = call.receiver, Self.isContainerReference(receiver), !facts.enclosingIterations(call.node).isEmpty else { continue }
            result.append((call.node, receiver.text, end.operation == .pushFront))
        }
        for assignment in facts.nodes(ofType: "assignment") {
            guard let left = assignment.child(byField: "left"), left.type == "subscript",
                  let container = left.child(byField: "value"), container.type == "identifier",
                  let key = left.child(byField: "subscript") else { continue }
            let loopVariables = facts.enclosingIterations(assignment).flatMap(facts.iterationVariables)
            guard loopVariables.contains(where: { facts.mentions(key, $0) }), !isMirrored(key, facts) else { continue }
            result.append((assignment, container.text, false))
        }
        if !stack.isEmpty {
            for site in facts.nodes(ofType: PythonFacts.operatorNodeTypes.union(["call"])) where !facts.enclosingIterations(site).isEmpty {
                guard let push = stackSite(site, stack, wanted: [.push, .pushFront], facts) else { continue }
                result.append((site, push.list, push.operation == .pushFront))
            }
        }
        return result
    }

    /// What holds the saved outputs: a name, or an entry a forward keeps in a dictionary of its state under a constant
    /// key (`ctx["skips"].append(x)` ... `ctx["skips"].pop()`); compared by its text.
    static func isContainerReference(_ node: Node) -> Bool {
        if node.type == "identifier" { return true }
        guard node.type == "subscript", node.child(byField: "value")?.type == "identifier",
              let key = node.child(byField: "subscript") else { return false }
        return key.type == "string" && !key.namedChildren.contains { $0.type == "interpolation" }
    }

    /// Whether `node` is read after `start` runs: later in the text, outside the loop that runs `start`, or in
    /// that loop under another condition than the save (one loop over all blocks saves in its first half and
    /// reads in its second: `if i < n: saved.append(x)` ... `if i >= n: x = x + saved.pop()`). A read in the same
    /// loop with no such split pairs each block with the one before it, which is no U-Net. The loop may be a folded
    /// function (`enclosingIterations`).
    func readsAfter(_ node: Node, _ start: Node, _ facts: PythonFacts) -> Bool {
        guard let loop = facts.enclosingIterations(start).first, facts.isInside(node, loop) else { return runsLater(node, start, facts) }
        guard !facts.isInside(node, start) else { return false }
        func condition(_ n: Node) -> Node? {
            facts.ancestors(of: n).prefix { $0 != loop }.first { $0.type == "if_statement" }
        }
        guard let read = condition(node), let save = condition(start) else { return false }
        return read != save && !facts.isInside(read, save) && !facts.isInside(save, read)
    }

    /// Whether `node` runs after `start` leaves its loop: later in the text, statements of a folded function counting
    /// where the fold's call stands (`foldAnchor`: `descend` and `ascend` run in the order of their `reduce` calls).
    func runsLater(_ node: Node, _ start: Node, _ facts: PythonFacts) -> Bool {
        let (later, earlier) = (facts.foldAnchor(node), facts.foldAnchor(start))
        return later == earlier ? node.startByte > start.endByte : later.startByte > earlier.endByte
    }

    /// The walks over a list in `scope` that run after `start` (`runsLater`): `for` statements, with their target and
    /// body, and folds, with the folded function's item parameter and the function (see `PythonFacts.fold(running:)`).
    func walks(in scope: Node, after start: Node, _ facts: PythonFacts) -> [(iterable: Node, target: Node, body: Node)] {
        var found: [(iterable: Node, target: Node, body: Node)] = []
        for loop in facts.descendants(of: scope) where loop.type == "for_statement" && runsLater(loop, start, facts) {
            guard let iterable = loop.child(byField: "right"), let target = loop.child(byField: "left") else { continue }
            found.append((iterable: iterable, target: target, body: loop.child(byField: "body") ?? loop))
        }
        for (call, function) in facts.allFolds where facts.isInside(call, scope) && runsLater(call, start, facts) {
            guard let fold = facts.fold(running: function),
                  let item = function.child(byField: "parameters")?.namedChildren.first(where: { $0.type == "identifier" && $0.text == fold.element })
            else { continue }
            found.append((iterable: fold.items, target: item, body: function.child(byField: "body") ?? function))
        }
        return found
    }

    /// In-order reads of a list inside loops after `start` (`readsAfter`: also in the saving loop under another
    /// condition): `L[i]` with a loop variable, `L.pop(0)` or `L.popleft()` (see `endOperation`; also through a
    /// method of a container class of the file, see `stackSite`), the loop variable bound to `L`'s elements (also
    /// through `zip` / `enumerate`).
    func inOrderReads(of list: String, in scope: Node, after start: Node, _ facts: PythonFacts, stack: [Node: (name: String, operation: StackOperation)]) -> [Node] {
        var reads: [Node] = []
        for n in facts.descendants(of: scope) where readsAfter(n, start, facts) && !facts.enclosingIterations(n).isEmpty {
            if let site = stackSite(n, stack, wanted: [.popFirst], facts), site.list == list { reads.append(n) }
            if n.type == "call", case let call = facts.callSite(n), let receiver = call.receiver, receiver.text == list,
               endOperation(call, facts)?.operation == .popFirst {
                reads.append(n)
            }
            if n.type == "subscript", n.child(byField: "value")?.text == list, let index = n.child(byField: "subscript"),
               index.type == "identifier", facts.enclosingIterations(n).flatMap(facts.iterationVariables).contains(index.text) {
                reads.append(n)
            }
        }
        for walk in walks(in: scope, after: start, facts) {
            for name in elementNames(list, iterable: walk.iterable, target: walk.target, reversedOrder: false, facts) {
                reads += facts.uses(of: name, in: walk.body)
            }
        }
        return reads
    }

    /// LIFO reads of a list inside loops after `start`: `L.pop()` or `L.pop(-1)` (see `endOperation`; also through a
    /// method of a container class of the file: `-L` with `__neg__` returning `self.pop()`, see `stackSite`), the loop
    /// variable bound to `reversed(L)`, a mirrored subscript.
    func mirroredReads(of list: String, in scope: Node, after start: Node, _ facts: PythonFacts, stack: [Node: (name: String, operation: StackOperation)]) -> [Node] {
        var reads: [Node] = []
        for n in facts.descendants(of: scope) where readsAfter(n, start, facts) && !facts.enclosingIterations(n).isEmpty {
            if let site = stackSite(n, stack, wanted: [.popLast], facts), site.list == list {
                reads.append(n)
                continue
            }
            switch n.type {
            case "call":
                let call = facts.callSite(n)
                if let receiver = call.receiver, Self.isContainerReference(receiver), receiver.text == list, endOperation(call, facts)?.operation == .popLast {
                    reads.append(n)
                }
            case "subscript":
                guard n.child(byField: "value")?.type == "identifier", n.child(byField: "value")?.text == list,
                      let index = n.child(byField: "subscript"), isMirrored(index, facts) else { continue }
                reads.append(n)
            default:
                continue
            }
        }
        // for s in reversed(L) / for ..., s, ... in zip(..., reversed(L), ...) / enumerate(zip(...)), also folded over.
        for walk in walks(in: scope, after: start, facts) {
            for name in elementNames(list, iterable: walk.iterable, target: walk.target, reversedOrder: true, facts) {
                reads += facts.uses(of: name, in: walk.body)
            }
        }
        return reads
    }

    /// Names a loop target binds to the elements of `list` taken in reverse (`reversed(list)`, `list[::-1]`) or, with
    /// `reversedOrder` false, in order (`list` itself), through `zip` and `enumerate`.
    func elementNames(_ list: String, iterable: Node, target: Node, reversedOrder: Bool, _ facts: PythonFacts) -> [String] {
        let iterable = facts.unparenthesized(iterable)
        var target = target
        while target.type == "parenthesized_expression", let inner = target.namedChild(0) { target = inner }
        let parts = ["pattern_list", "tuple_pattern", "tuple"].contains(target.type) ? target.namedChildren : [target]
        switch iterable.type {
        case "identifier":
            return !reversedOrder && iterable.text == list && target.type == "identifier" ? [target.text] : []
        case "subscript":
            return reversedOrder && isReversedSlice(iterable, of: list, facts) && target.type == "identifier" ? [target.text] : []
        case "call":
            break
        default:
            return []
        }
        let call = facts.callSite(iterable)
        switch call.callee {
        case "reversed":
            guard reversedOrder, let argument = call.positional.first, argument.type == "identifier", argument.text == list,
                  target.type == "identifier" else { return [] }
            return [target.text]
        case "zip":
            guard parts.count == call.positional.count else { return [] }
            return zip(call.positional, parts).flatMap { elementNames(list, iterable: $0, target: $1, reversedOrder: reversedOrder, facts) }
        case "enumerate":
            guard parts.count == 2, let inner = call.positional.first else { return [] }
            return elementNames(list, iterable: inner, target: parts[1], reversedOrder: reversedOrder, facts)
        default:
            return []
        }
    }

    /// `list[::-1]`.
    func isReversedSlice(_ node: Node, of list: String, _ facts: PythonFacts) -> Bool {
        guard node.child(byField: "value")?.text == list, let slice = node.child(byField: "subscript"), slice.type == "slice" else { return false }
        let named = slice.namedChildren
        return named.count == 1 && slice.children.filter { $0.type == ":" }.count == 2 && slice.children.last == named.first
            && facts.evaluate(named[0]) == -1
    }

    /// `n - 1 - j`, `-(i + 1)`, `-1 - i`, `~i`: an index that counts down as the loop variable counts up; also a
    /// name the enclosing loop sets to such an index (`partner = n - 1 - j; skips[partner]`), and the loop variable
    /// looked up in a pairing table computed once whose items count down (`skips[self.mirror_of[j]]` with
    /// `self.mirror_of = [n - 1 - j for j in range(n)]`; see `isCountdownTable`). The loop may be a fold
    /// (`enclosingIterations`), whose variables are its item parameter and what it unpacks that into.
    func isMirrored(_ index: Node, _ facts: PythonFacts, depth: Int = 0) -> Bool {
        let node = facts.unparenthesized(index)
        if node.type == "identifier", depth < 2, let loop = facts.enclosingIterations(index).first {
            for assignment in facts.descendants(of: loop) where assignment.type == "assignment" && assignment.startByte < index.startByte {
                for bound in facts.assignedNames(assignment) where bound.name == node.text {
                    if let value = bound.value, isMirrored(value, facts, depth: depth + 1) { return true }
                }
            }
        }
        let loopVariables = Set(facts.enclosingIterations(index).flatMap(facts.iterationVariables))
        if node.type == "subscript" { return isCountdownTable(node, loopVariables: loopVariables, facts) }
        return countsDown(node, in: loopVariables, facts)
    }

    /// `n - 1 - j`, `-(i + 1)`, `-1 - i`, `~i`: an expression of one of `variables` that falls as it rises (a unary
    /// minus or invert, or a difference whose subtrahend holds the variable).
    func countsDown(_ expression: Node, in variables: Set<String>, _ facts: PythonFacts) -> Bool {
        let node = facts.unparenthesized(expression)
        guard variables.contains(where: { facts.mentions(node, $0) }) else { return false }
        switch node.type {
        case "unary_operator":
            return ["-", "~"].contains(node.child(byField: "operator")?.type ?? "")
        case "binary_operator":
            guard node.child(byField: "operator")?.type == "-", let right = node.child(byField: "right") else { return false }
            return variables.contains { facts.mentions(right, $0) }
        default:
            return false
        }
    }

    /// `order[j]` / `self.order[j]`: a loop variable looked up in a table whose value (the one a name last took before
    /// the read; every one a field is given, `Dataflow.bindings(ofReference:)`) counts down item by item: a comprehension over an ascending
    /// `range` whose item counts down in its variable (`[n_down - 1 - j for j in range(n_up)]`, see `countsDown`; also
    /// handed to a call that keeps its items, `StepFunction.itemKeeping`), or a table the interpreter computes to at
    /// least two numbers, each below the one before (`[5, 4, 3, 2, 1, 0]`, `list(range(n - 1, -1, -1))`). A table of
    /// rising indexes (`[j for j in range(n)]`, FIFO pairing) or one filtered by an `if` clause is no mirror.
    func isCountdownTable(_ read: Node, loopVariables: Set<String>, _ facts: PythonFacts) -> Bool {
        guard let table = read.child(byField: "value").map(facts.unparenthesized), table.type == "identifier" || table.type == "attribute",
              let key = read.child(byField: "subscript").map(facts.unparenthesized), key.type == "identifier",
              loopVariables.contains(key.text) else { return false }
        // A name: the value it last took before the read; a field (`self.mirror_of`): every value the class gives it.
        let bound = table.type == "identifier" ? [facts.latestValue(of: table.text, before: read)].compactMap { $0 }
            : facts.dataflow.bindings(ofReference: table).filter { $0.kind == .value }.map(\.node)
        let values = bound.map(facts.unparenthesized).filter { $0.type != "none" }
        guard !values.isEmpty else { return false }
        let interpreter = ScriptInterpreter(facts)
        return values.allSatisfy { value in
            var node = value
            if node.type == "call", StepFunction.itemKeeping.contains(facts.callSite(node).callee) {
                if let generator = node.child(byField: "arguments"), generator.type == "generator_expression" {
                    node = generator
                } else if case let call = facts.callSite(node), call.positional.count == 1, !call.hasSplat {
                    node = facts.unparenthesized(call.positional[0])
                }
            }
            if ["list_comprehension", "generator_expression"].contains(node.type), let body = node.child(byField: "body") {
                let clauses = node.namedChildren.filter { $0.type == "for_in_clause" || $0.type == "if_clause" }
                if clauses.count == 1, clauses[0].type == "for_in_clause", let target = clauses[0].child(byField: "left"),
                   target.type == "identifier", let source = clauses[0].child(byField: "right").map(facts.unparenthesized),
                   source.type == "call", case let range = facts.callSite(source), range.callee == "range",
                   range.positional.count < 3 || (facts.evaluate(range.positional[2]) ?? 0) > 0,
                   countsDown(body, in: [target.text], facts) {
                    return true
                }
            }
            guard case .tuple(let items)? = interpreter.value(of: value), items.count >= 2 else { return false }
            let numbers = items.compactMap(\.number)
            return numbers.count == items.count && zip(numbers, numbers.dropFirst()).allSatisfy { $0 > $1 }
        }
    }

    /// Whether a read (or a name assigned from it, two hops) is an operand of a `+` in the scope, or is handed into a
    /// field of a record object that the file adds in where it reads the field (`addedThroughRecordField`).
    func isAddedBack(_ read: Node, in scope: Node, _ facts: PythonFacts) -> Bool {
        if addedThroughRecordField(read, facts) { return true }
        var carriers: [Node] = [read]
        var names = Set<String>()
        for _ in 0..<3 {
            for assignment in facts.descendants(of: scope) where assignment.type == "assignment" {
                for bound in facts.assignedNames(assignment) {
                    guard let value = bound.value, !names.contains(bound.name) else { continue }
                    if carriers.contains(where: { facts.isInside($0, value) }) || names.contains(where: { facts.mentions(value, $0) }) {
                        names.insert(bound.name)
                    }
                }
            }
        }
        // A loop variable the read is iterated into: `skip` in `for w, skip in zip(weights, reversed(saved))`.
        for loop in facts.ancestors(of: read) where loop.type == "for_statement" {
            guard let iterable = loop.child(byField: "right"), facts.isInside(read, iterable), let target = loop.child(byField: "left") else { continue }
            let targets = target.type == "pattern_list" || target.type == "tuple_pattern" ? target.namedChildren : [target]
            let unparenthesized = facts.unparenthesized(iterable)
            if unparenthesized.type == "call", facts.callSite(unparenthesized).callee == "zip",
               case let zipped = facts.callSite(unparenthesized).positional, zipped.count == targets.count,
               let index = zipped.firstIndex(where: { facts.isInside(read, $0) }) {
                if targets[index].type == "identifier" { names.insert(targets[index].text) }
            } else {
                for t in targets where t.type == "identifier" { names.insert(t.text) }
            }
        }
        carriers += facts.descendants(of: scope).filter { $0.type == "identifier" && names.contains($0.text) }
        return facts.descendants(of: scope).contains { n in
            if n.type == "binary_operator" {
                return n.child(byField: "operator")?.type == "+" && carriers.contains { facts.isInside($0, n) && $0 != n }
            }
            guard n.type == "call" else { return false }
            let call = facts.callSite(n)
            let carried = call.positional.contains { argument in carriers.contains { facts.isInside($0, argument) } }
            // The addition as a tensor method: x.add(skip), x.addcmul(w, skip) (x + w * skip), torch.add(x, skip).
            if ["add", "add_", "addcmul", "addcmul_"].contains(call.name) { return carried }
            // A helper must be handed the skip beside the stream, not only the stream that once took it in.
            let skipArguments = call.positional.filter { argument in carriers.contains { facts.isInside($0, argument) } }
            return carried && isMergedByHelper(call, skip: skipArguments, facts)
        }
    }

    /// The read handed to the construction of a record of the file (`LayerArgs(skip_in=saved.pop())`), directly or
    /// through a parameter of a helper that builds it (`self.args_for(i, saved.pop())` with `def args_for(self, i,
    /// skip_in): return LayerArgs(skip_in=skip_in, ...)`), and that record's field read as an addend somewhere (`x = x
    /// + args.skip_gain * args.skip_in` in the block's `forward`, see `PythonFacts.constructedFieldValues`).
    func addedThroughRecordField(_ read: Node, _ facts: PythonFacts) -> Bool {
        // What stands for the read at the construction: the read, or the helper's parameter it is handed to.
        var standIns: [Node] = [read]
        var argument = read
        if argument.parent?.type == "keyword_argument", let keyword = argument.parent { argument = keyword }
        if let list = argument.parent, list.type == "argument_list", let outer = list.parent, outer.type == "call" {
            let call = facts.callSite(outer)
            let name: String? = argument.type == "keyword_argument" ? argument.child(byField: "name")?.text
                : call.positional.firstIndex(of: read).flatMap { index in
                    facts.targets(of: call).first.map { facts.filledParameters($0, by: call) }.flatMap { index < $0.count ? $0[index] : nil }
                }
            for helper in facts.targets(of: call) {
                guard let name else { continue }
                standIns += facts.descendants(of: helper.node).filter { $0.type == "identifier" && $0.text == name && facts.isRead($0) }
            }
        }
        for attribute in facts.nodes(ofType: "attribute") where facts.enclosingFunction(attribute) != nil {
            guard isAddend(attribute, facts) else { continue }
            let values = facts.constructedFieldValues(attribute)
            if values.contains(where: { value in standIns.contains(value) }) { return true }
        }
        return false
    }

    /// Whether an expression is a term of a sum, alone or as a factor of one (`x + w * args.skip_in`, `x.add(args.skip_in)`).
    func isAddend(_ node: Node, _ facts: PythonFacts) -> Bool {
        var current = node
        while let parent = current.parent {
            switch parent.type {
            case "parenthesized_expression":
                break
            case "binary_operator":
                let op = parent.child(byField: "operator")?.type
                if op == "+" { return true }
                guard op == "*" else { return false }
            case "argument_list":
                guard let call = parent.parent, call.type == "call" else { return false }
                return ["add", "add_", "addcmul", "addcmul_"].contains(facts.callSite(call).name)
            default:
                return false
            }
            current = parent
        }
        return false
    }

    /// `x = merge(x, skip, w)`: the stream handed, with the skip, to a function of the file that gives the stream
    /// back and whose code (or what it calls: an autograd function's `forward`, a kernel it launches) adds.
    /// `skip`: the arguments that carry the saved output; one of them must be other than the stream.
    func isMergedByHelper(_ call: CallSite, skip: [Node], _ facts: PythonFacts) -> Bool {
        guard let assignment = call.node.parent, assignment.type == "assignment", assignment.child(byField: "right") == call.node,
              let stream = assignment.child(byField: "left"), stream.type == "identifier",
              call.positional.contains(where: { facts.tensorRoot($0)?.text == stream.text }),
              skip.contains(where: { facts.tensorRoot($0)?.text != stream.text }) else { return false }
        return facts.targets(of: call).flatMap { facts.reachableFunctions(from: $0, depth: 3) }.contains { f in
            facts.descendants(of: f.node).contains { n in
                (n.type == "binary_operator" && n.child(byField: "operator")?.type == "+" && (!f.isTritonKernel || addsLoadedValues(n, in: f, facts)))
                    || (n.type == "call" && ["add", "add_", "addcmul", "addcmul_"].contains(facts.callSite(n).name))
            }
        }
    }

    /// In a kernel, a `+` of two different tensors loaded element by element (`xv + gain * sv` with `xv` and `sv`
    /// loaded from the stream and the skip), not of offsets or pointers, and not of one tensor with itself.
    func addsLoadedValues(_ sum: Node, in kernel: PythonFacts.Function, _ facts: PythonFacts) -> Bool {
        guard let launch = facts.kernelLaunches.first(where: { $0.kernel.node == kernel.node }),
              let left = sum.child(byField: "left"), let right = sum.child(byField: "right") else { return false }
        // The launch arguments an addend reads element by element.
        func tensors(_ addend: Node) -> Set<String> {
            Set(([addend] + facts.descendants(of: addend)).compactMap { n -> String? in
                guard n.type == "identifier" || n.type == "call", let load = facts.kernelLoad(n, in: launch), load.element == nil else { return nil }
                return facts.compact(load.argument)
            })
        }
        let (a, b) = (tensors(left), tensors(right))
        return !a.isEmpty && !b.isEmpty && !(a.count == 1 && a == b)
    }
}
