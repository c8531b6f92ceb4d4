// swift-tools-version: 6.1
// SpeedrunLens: structural scoring of NanoGPT-speedrun submissions.
//
// Layers, lowest first (a target may depend only on targets above it in this list):
//   C            CTreeSitter, TreeSitterPython, TreeSitterCUDA, CClang
//   wrappers     TreeSitterKit, TreeSitterGrammars, ClangKit
//   model        SourceModel
//   analysis     RunLogs, Parsing, SemanticDiff
//   protocol     JSONRPC (JSON-RPC 2.0 over LSP framing; depends on swift-nio only, knows nothing of LSP)
//   detection    Catalogue (innovation detectors, tasks, scoring; embeds Tasks/ and queries/ at build time; YAML through
//                Yams), Rules
//   storage      Store (SQLite through GRDB)
//   engine       Engine
//   server       LanguageServer (LSP 3.17 and speedrun/ requests over JSONRPC)
//   front ends   srlens
import PackageDescription

/// libclang 14 from Debian's `libclang-dev`: its headers and library live outside the default search paths.
let llvmPrefix = "/usr/lib/llvm-14"
let clangImport: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-I\(llvmPrefix)/include"])]
let clangLink: [LinkerSetting] = [.unsafeFlags(["-L\(llvmPrefix)/lib"])]

/// Generated grammar sources are large and not ours: compile them without warnings.
let grammarC: [CSetting] = [.headerSearchPath("src"), .unsafeFlags(["-w"])]

let package = Package(
    name: "SpeedrunLens",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "srlens", targets: ["srlens"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
    ],
    targets: [
        // MARK: C
        .systemLibrary(name: "CTreeSitter", pkgConfig: "tree-sitter", providers: [.apt(["libtree-sitter-dev"])]),
        .systemLibrary(name: "CClang", providers: [.apt(["libclang-dev"])]),
        .target(name: "TreeSitterPython", path: "grammars/python",
                sources: ["src/parser.c", "src/scanner.c"], publicHeadersPath: "include", cSettings: grammarC),
        .target(name: "TreeSitterCUDA", path: "grammars/cuda",
                sources: ["src/parser.c", "src/scanner.c"], publicHeadersPath: "include", cSettings: grammarC),

        // MARK: wrappers
        .target(name: "TreeSitterKit", dependencies: ["CTreeSitter"]),
        .target(name: "TreeSitterGrammars", dependencies: ["TreeSitterKit", "TreeSitterPython", "TreeSitterCUDA"]),
        .target(name: "ClangKit", dependencies: ["CClang"], swiftSettings: clangImport, linkerSettings: clangLink),

        // MARK: model
        .target(name: "SourceModel"),

        // MARK: analysis
        .target(name: "RunLogs", dependencies: ["SourceModel"]),
        .target(name: "Parsing", dependencies: ["SourceModel", "TreeSitterKit", "TreeSitterGrammars", "ClangKit"],
                swiftSettings: clangImport),

        .target(name: "SemanticDiff", dependencies: ["SourceModel"]),

        // MARK: protocol (JSON-RPC 2.0 with LSP framing; knows nothing of LSP or the rest of the project)
        .target(name: "JSONRPC", dependencies: [
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOExtras", package: "swift-nio-extras"),
        ]),

        // MARK: detection (analysis that builds on parsing and diffing)
        .target(name: "Catalogue", dependencies: ["Parsing", "SemanticDiff", "SourceModel", "TreeSitterKit", "TreeSitterGrammars",
                                                  "ClangKit", .product(name: "Yams", package: "Yams")],
                swiftSettings: clangImport, plugins: ["EmbedCatalogue"]),
        .target(name: "Rules", dependencies: ["Catalogue", "Parsing", "SemanticDiff", "SourceModel", "TreeSitterKit"],
                swiftSettings: clangImport),
        .executableTarget(name: "EmbedTool"),
        .plugin(name: "EmbedCatalogue", capability: .buildTool(), dependencies: ["EmbedTool"]),

        // MARK: storage
        .target(name: "Store", dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),

        // MARK: engine
        .target(name: "Engine", dependencies: ["Catalogue", "Rules", "Store", "Parsing", "RunLogs", "SemanticDiff", "SourceModel"],
                swiftSettings: clangImport),

        // MARK: language server
        .target(name: "LanguageServer", dependencies: [
            "JSONRPC", "Engine", "Catalogue", "Rules", "RunLogs", "Store", "SemanticDiff", "SourceModel", "TreeSitterKit",
            "TreeSitterGrammars",
        ], swiftSettings: clangImport),

        // MARK: front ends
        .executableTarget(name: "srlens", dependencies: [
            "Catalogue", "Engine", "JSONRPC", "LanguageServer", "Parsing", "Rules", "RunLogs", "SemanticDiff", "SourceModel", "Store",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: clangImport),

        // MARK: tests
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "TreeSitterKitTests", dependencies: ["CTreeSitter", "TreeSitterKit", "TreeSitterGrammars", "TestSupport"]),
        .testTarget(name: "ClangKitTests", dependencies: ["ClangKit", "TestSupport"], swiftSettings: clangImport),
        .testTarget(name: "ParsingTests", dependencies: ["Parsing", "RunLogs", "Engine", "TestSupport"],
                    swiftSettings: clangImport),
        .testTarget(name: "SrlensCLITests", dependencies: ["TestSupport"]),
        .testTarget(name: "SetupTests", dependencies: ["TestSupport"]),
        .testTarget(name: "RunLogsTests", dependencies: ["RunLogs", "TestSupport"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Engine", "TestSupport"], swiftSettings: clangImport),
        .testTarget(name: "RulesTests", dependencies: ["Rules", "Engine", "Catalogue", "SourceModel", "TestSupport"],
                    swiftSettings: clangImport),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Catalogue", "Store", "TestSupport"], swiftSettings: clangImport),
        .testTarget(name: "CatalogueTests", dependencies: ["Catalogue", "Parsing", "SourceModel", "TestSupport",
                                                          "TreeSitterKit", "TreeSitterGrammars"],
                    swiftSettings: clangImport),
        .testTarget(name: "SemanticDiffTests", dependencies: ["SemanticDiff", "Parsing", "SourceModel", "TestSupport"],
                    swiftSettings: clangImport),
        .testTarget(name: "LanguageServerTests", dependencies: [
            "LanguageServer", "JSONRPC", "TestSupport", "Engine", "Catalogue", "TreeSitterKit",
            .product(name: "NIOCore", package: "swift-nio"),
        ], swiftSettings: clangImport),
        .testTarget(name: "JSONRPCTests", dependencies: [
            "JSONRPC",
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            "TestSupport",
        ]),

        // MARK: benchmarks
        .executableTarget(name: "ParsingBenchmarks", dependencies: [
            "Parsing", "TreeSitterKit", "TreeSitterGrammars", "ClangKit", "TestSupport",
            .product(name: "Benchmark", package: "benchmark"),
        ], path: "Benchmarks/ParsingBenchmarks", swiftSettings: clangImport,
           plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(name: "DiffBenchmarks", dependencies: [
            "Engine", "Parsing", "SemanticDiff", "SourceModel", "TreeSitterKit", "TreeSitterGrammars",
            .product(name: "Benchmark", package: "benchmark"),
        ], path: "Benchmarks/DiffBenchmarks", swiftSettings: clangImport,
           plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(name: "BatchBenchmarks", dependencies: [
            "Engine", "Store",
            .product(name: "Benchmark", package: "benchmark"),
        ], path: "Benchmarks/BatchBenchmarks", swiftSettings: clangImport,
           plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(name: "TechniqueBenchmarks", dependencies: [
            "Catalogue", "ClangKit", "SourceModel", "TreeSitterKit", "TreeSitterGrammars",
            .product(name: "Benchmark", package: "benchmark"),
        ], path: "Benchmarks/TechniqueBenchmarks", swiftSettings: clangImport,
           plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(name: "ScoringBenchmarks", dependencies: [
            "Catalogue", "Engine", "Rules", "SourceModel", "TestSupport",
            .product(name: "Benchmark", package: "benchmark"),
        ], path: "Benchmarks/ScoringBenchmarks", swiftSettings: clangImport,
           plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(name: "ServerBenchmarks", dependencies: [
            "LanguageServer", "JSONRPC", "TestSupport", "Engine", "Catalogue", "TreeSitterKit", .product(name: "Benchmark", package: "benchmark"),
        ], path: "Benchmarks/ServerBenchmarks", swiftSettings: clangImport,
           plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(name: "RunLogBenchmarks", dependencies: [
            "RunLogs", .product(name: "Benchmark", package: "benchmark"),
        ], path: "Benchmarks/RunLogBenchmarks", plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    ],
    swiftLanguageModes: [.v6]
)
