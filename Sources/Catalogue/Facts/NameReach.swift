import TreeSitterKit

/// The names a set of names flows into: `seeds` and every name assigned from an expression that reads one of them,
/// to a fixed point. Shared by the local flows of Python kernels (`LocalFlow`) and of CUDA kernels (`CUDAKernelFlow`),
/// each with its own assignments and its own reading of an expression.
func namesReached(from seeds: Set<String>, through assignments: [(target: String, value: Node)],
                  reads: (Node, Set<String>) -> Bool) -> Set<String> {
    var reached = seeds
    var changed = !seeds.isEmpty
    while changed {
        changed = false
        for assignment in assignments where !reached.contains(assignment.target) && reads(assignment.value, reached) {
            reached.insert(assignment.target)
            changed = true
        }
    }
    return reached
}
