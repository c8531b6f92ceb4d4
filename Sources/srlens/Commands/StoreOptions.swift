import ArgumentParser
import Engine

/// `--db`: the database, else the workspace's `database`, else `<data directory>/srlens.sqlite`.
struct StoreOptions: ParsableArguments {
    @Option(help: "The SQLite database (default: .srlens.json's database, else the data directory's srlens.sqlite).")
    var db: String?

    func path(_ configuration: Configuration) -> String {
        db ?? configuration.databasePath ?? "\(configuration.dataDirectory)/srlens.sqlite"
    }
}
