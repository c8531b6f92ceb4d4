import SourceModel
import TreeSitterKit

/// `warp_shuffle_reduction`: values are combined across the lanes of a warp through register shuffles
/// (`__shfl_down_sync`, `__shfl_xor_sync`, `__shfl_down`, a cooperative-groups tile's `shfl_down`/`shfl_xor`,
/// or `cg::reduce` on a tile), in the kernel or a device helper it calls. A shuffle only used to broadcast one
/// lane's value (`__shfl_sync(mask, v, 0)`) is not a reduction and does not count.
struct WarpShuffleReduction: TechniqueDetector {
    let id = "warp_shuffle_reduction"

    static let shuffles: Set<String> = ["__shfl_down_sync", "__shfl_xor_sync", "__shfl_down", "__shfl_xor", "__shfl_up_sync",
                                        "shfl_down", "shfl_xor"]
    static let reductions: Set<String> = ["reduce", "cooperative_groups::reduce", "cg::reduce", "__reduce_add_sync",
                                          "__reduce_max_sync", "__reduce_min_sync"]

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for (name, node) in facts.callNodes(in: kernel) {
            let bare = name.lastQualifiedComponent
            let names = facts.expansion(of: bare)
            if Self.reductions.contains(name) || !names.isDisjoint(with: Self.reductions) {
                evidence.append(facts.evidence(node, "warp-level reduction primitive"))
            } else if !names.isDisjoint(with: Self.shuffles), combines(node) {
                evidence.append(facts.evidence(node, "lanes combined through a register shuffle"))
            }
        }
        return evidence
    }

    /// Whether the shuffled value is combined with another (`v += shfl(...)`, `max(v, shfl(...))`, `a + shfl(...)`).
    func combines(_ call: Node) -> Bool {
        var current = call.parent
        while let c = current, c.type == "parenthesized_expression" || c.type == "cast_expression" { current = c.parent }
        guard let parent = current else { return false }
        switch parent.type {
        case "assignment_expression":
            return (parent.child(byField: "operator")?.type ?? "=") != "="
        case "binary_expression":
            return true
        case "argument_list":
            // fmaxf(v, __shfl_xor_sync(...)), max(...), a helper combining two values.
            return (parent.parent?.child(byField: "arguments")?.namedChildCount ?? 0) >= 2
        case "init_declarator", "initializer_list":
            // float o = __shfl_xor_sync(...); v += o;   MaxSum o{ shfl(m), shfl(s) }; ms = merge(ms, o);
            // A value shuffled up from a lower lane and added under `lane >= d` is a scan step, not a reduction.
            if call.preorder.first(where: { $0.type == "identifier" })?.text.contains("shfl_up") == true { return false }
            return storedThenCombined(parent)
        default:
            return false
        }
    }

    /// Whether the local a shuffled value is stored in is then combined: read in a binary expression, on the
    /// right of a compound assignment, or passed with another argument, in the same block.
    func storedThenCombined(_ node: Node) -> Bool {
        var declarator: Node? = node
        while let d = declarator, d.type != "init_declarator" {
            guard d.type == "initializer_list" || d.type == "argument_list" else { return false }
            declarator = d.parent
        }
        guard let d = declarator, let name = d.child(byField: "declarator"), name.type == "identifier",
              let declaration = d.parent, let block = declaration.parent else { return false }
        for use in block.preorder where use.type == "identifier" && use.hasText(name.text) && use.startByte > d.endByte {
            guard let parent = use.parent else { continue }
            switch parent.type {
            case "binary_expression": return true
            case "assignment_expression":
                if parent.child(byField: "right") == use, (parent.child(byField: "operator")?.type ?? "=") != "=" { return true }
            case "argument_list":
                if parent.namedChildCount >= 2 { return true }
            default:
                continue
            }
        }
        return false
    }
}
