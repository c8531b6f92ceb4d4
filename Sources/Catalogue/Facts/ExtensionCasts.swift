import Parsing
import TreeSitterKit

/// Dtype conversions done by CUDA kernels a compiled extension runs (see `ExtensionLaunch`).
extension PythonFacts {
    /// The Python arguments a compiled-extension call converts: a kernel it launches stores, element by element, a
    /// conversion of an element of one pointer parameter (`dst[i] = __float2bfloat16_rn(src[i])`, `dst[i] =
    /// static_cast<scalar_t>(src[i])`, `dst[i] = from_float<out_t>(src[i])`) into another, and the launch passes for
    /// the source the data of a host tensor the Python call gives. A plain copy (`dst[i] = src[i]`) converts nothing.
    func extensionConvertedArguments(_ call: CallSite) -> [Node] {
        var converted: [Node] = []
        for launch in extensionLaunches(call) {
            let kernel = CUDAKernelFlow(launch.kernel.node)
            for store in kernel.stores where store.operator == "=" {
                var value = store.value
                while value.type == "parenthesized_expression", let inner = value.namedChildren.first { value = inner }
                let inner: Node?
                switch value.type {
                case "cast_expression":
                    inner = value.child(byField: "value")
                case "call_expression":
                    let arguments = value.child(byField: "arguments")?.namedChildren.filter { $0.type != "comment" } ?? []
                    inner = arguments.count == 1 ? arguments[0] : nil
                default:
                    inner = nil
                }
                guard let inner else { continue }
                let read = Self.cudaStripped(inner)
                guard read.type == "subscript_expression", let source = CUDAKernelFlow.baseName(read), source != store.target,
                      launch.kernel.parameters.contains(source), let argument = launch.launchArguments[source],
                      let passed = passedTensor(argument, launch) else { continue }
                converted.append(passed)
            }
        }
        return converted
    }
}
