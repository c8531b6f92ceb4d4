import SourceModel
import TreeSitterKit

/// `streams_overlap` (host side): work is made concurrent with CUDA streams or events. Found when host code
/// puts kernel launches or async copies on two or more distinct non-default streams (an indexed `streams[i]`
/// counts as several), orders streams against each other with `cudaStreamWaitEvent`, or issues an async copy
/// on a non-default stream and does host work before synchronizing it. A single stream used serially (every
/// operation followed by a synchronize), events recorded only to time a kernel, or stream calls named only in
/// comments or strings do not count.
struct StreamsOverlap: TechniqueDetector {
    let id = "streams_overlap"

    /// Async operations and the index of their stream argument.
    static let asyncOperations: [String: Int] = ["cudaMemcpyAsync": 4, "cudaMemsetAsync": 3, "cudaMemcpy2DAsync": 7,
                                                 "cudaMemcpyPeerAsync": 5, "cudaMemPrefetchAsync": 3,
                                                 "cudaMemcpyToSymbolAsync": 5, "cudaMemcpyFromSymbolAsync": 5,
                                                 "cudaLaunchKernel": 5, "cudaLaunchCooperativeKernel": 5]
    static let copies: Set<String> = ["cudaMemcpyAsync", "cudaMemcpy2DAsync", "cudaMemcpyPeerAsync", "cudaMemPrefetchAsync",
                                      "cudaMemcpyToSymbolAsync", "cudaMemcpyFromSymbolAsync"]
    static let synchronizers: Set<String> = ["cudaStreamSynchronize", "cudaDeviceSynchronize", "cudaEventSynchronize",
                                             "cudaStreamQuery", "cudaEventQuery"]
    static let defaultStreams: Set<String> = ["", "0", "nullptr", "NULL", "cudaStreamDefault", "cudaStreamLegacy",
                                              "cudaStreamPerThread", "(cudaStream_t)0"]

    struct Use {
        let stream: String
        /// The stream is a parameter of the enclosing function: it may be any caller's stream.
        let passedIn: Bool
        let several: Bool
        let node: Node?
        let evidence: Evidence
    }

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] { [] }

    func detectHost(_ facts: CUDAFacts) -> [Evidence] {
        var uses: [Use] = []
        var waits: [Evidence] = []
        var hostOverlap: [Evidence] = []
        let hosts = facts.functions.filter { $0.role == .host }
        lazy var gpu = enqueuers(facts)

        // Kernel launches with a stream (libclang's launch list).
        for launch in facts.inventory?.launches ?? [] {
            guard let stream = launch.stream.map(normalized), !Self.defaultStreams.contains(stream) else { continue }
            let caller = hosts.first { $0.name == launch.caller || (launch.caller?.hasSuffix("::" + $0.name) ?? false) }
            let inLoop = caller.flatMap { $0.body }.map { body in
                    body.preorder.contains { node in
                        MemSupport.loopTypes.contains(node.type) && node.startByte <= launch.span.startOffset && launch.span.endOffset <= node.endByte
                    }
                } ?? false
            uses.append(Use(stream: stream, passedIn: caller.map { isParameter(stream, of: $0) } ?? false, several: isIndexed(stream) && inLoop, node: nil,
                            evidence: MemSupport.launchEvidence(launch, facts, "kernel launched on stream `\(stream)`", fallback: facts.root)))
        }

        for function in hosts {
            guard let body = function.body else { continue }
            for call in body.preorder where call.type == "call_expression" {
                guard let callee = call.child(byField: "function") else { continue }
                let names = facts.expansion(of: MemSupport.calleeSpelling(callee))
                let arguments = call.child(byField: "arguments")?.namedChildren ?? []
                if names.contains("cudaStreamWaitEvent") {
                    waits.append(facts.evidence(call, "stream waits on an event recorded in another stream"))
                }
                guard let (name, index) = Self.asyncOperations.first(where: { names.contains($0.key) }), index < arguments.count else { continue }
                let stream = normalized(arguments[index].text)
                guard !Self.defaultStreams.contains(stream) else { continue }
                let inLoop = !MemSupport.enclosingLoops(call, within: body).isEmpty
                uses.append(Use(stream: stream, passedIn: isParameter(stream, of: function), several: isIndexed(stream) && inLoop, node: call,
                                evidence: facts.evidence(call, "`\(name)` on stream `\(stream)`")))
                if Self.copies.contains(name), let work = hostWork(after: call, in: body, facts, gpu: gpu) {
                    hostOverlap.append(facts.evidence(call, "async copy on `\(stream)` overlaps host work"))
                    hostOverlap.append(facts.evidence(work, "host work before the stream is synchronized"))
                }
            }
        }

        // Streams received as parameters may be the same stream under another name: only streams the source
        // names itself (locals, members, arrays) tell distinct queues apart.
        let distinct = Set(uses.filter { !$0.passedIn }.map(\.stream))
        if distinct.count >= 2 || uses.contains(where: \.several) {
            var evidence: [Evidence] = []
            var seen: Set<String> = []
            for use in uses where seen.insert(use.stream).inserted || use.several { evidence.append(use.evidence) }
            return evidence + waits
        }
        if !waits.isEmpty, !uses.isEmpty { return waits + uses.map(\.evidence) }
        return hostOverlap
    }

    func isParameter(_ stream: String, of function: CUDAFacts.Function) -> Bool {
        let parameters = function.node.child(byField: "declarator")?.preorder.filter { $0.type == "parameter_declaration" } ?? []
        return parameters.contains { parameter in
            MemSupport.declarators(of: parameter).compactMap(MemSupport.declaredIdentifier).contains(stream)
        }
    }

    func normalized(_ text: String) -> String {
        text.filter { !$0.isWhitespace }
    }

    /// `streams[i]`, `s[k % 2]`: one expression naming several streams.
    func isIndexed(_ stream: String) -> Bool {
        guard let open = stream.firstIndex(of: "["), let close = stream.lastIndex(of: "]"), open < close else { return false }
        let index = stream[stream.index(after: open)..<close]
        return Int(index) == nil
    }

    /// Host functions of the source that only put work on the GPU: they launch kernels or call the runtime or
    /// a CUDA library (calling them is not host work that overlaps a copy).
    func enqueuers(_ facts: CUDAFacts) -> Set<String> {
        var result = Set((facts.inventory?.launches ?? []).compactMap { $0.caller.map { $0.lastQualifiedComponent } })
        for function in facts.functions where function.role == .host {
            if facts.calls(of: function).contains(where: { $0.hasPrefix("cuda") || $0.hasPrefix("cublas") || $0.hasPrefix("cudnn") }) {
                result.insert(function.name)
            }
        }
        return result
    }

    /// The first statement after `call` (in the same block) that is neither a CUDA runtime call nor a kernel
    /// launch, when it comes before any synchronization.
    func hostWork(after call: Node, in body: Node, _ facts: CUDAFacts, gpu: Set<String>) -> Node? {
        var statement = call
        while let parent = statement.parent, parent.type != "compound_statement" { statement = parent }
        var next = statement.nextNamedSibling
        while let current = next {
            defer { next = current.nextNamedSibling }
            if current.type == "comment" { continue }
            let calls = current.preorder.filter { $0.type == "call_expression" }.compactMap { $0.child(byField: "function") }
                .flatMap { facts.expansion(of: MemSupport.calleeSpelling($0)) }
            if calls.contains(where: { Self.synchronizers.contains($0) }) { return nil }
            let isRuntime = calls.contains { $0.hasPrefix("cuda") || $0.hasPrefix("cu") || gpu.contains($0) }
            let isLaunch = current.preorder.contains { $0.type == "kernel_call_syntax" }
            if isRuntime || isLaunch || current.type == "return_statement" || current.type == "declaration" && calls.isEmpty { continue }
            return current
        }
        return nil
    }
}
