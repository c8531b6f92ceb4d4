import ArgumentParser

@main
struct Srlens: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "srlens",
        abstract: "SpeedrunLens: structural analysis of NanoGPT-speedrun training scripts and CUDA kernels.",
        version: Engine.SpeedrunLens.version,
        subcommands: [ParseCommand.self, DiffCommand.self, ClassifyCommand.self, ScoreCommand.self, CheckCommand.self, RunCommand.self, BatchCommand.self, QueryCommand.self, ReportCommand.self, RecordsCommand.self, ServeCommand.self]
    )
}

import Engine
