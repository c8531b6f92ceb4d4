import Rules
import Testing
import TestSupport

/// `environment-variable-dropped`: every environment variable the base reads is still read, and none is
/// overwritten by the script.
@Suite(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct EnvironmentVariableTests {
    let rule = "environment-variable-dropped"

    @Test func valTokensReplacedByALiteral() throws {
        var s = try EditedRecord(19)
        s.replace("val_tokens = int(os.environ[\"NANOGPT_VAL_TOKENS\"])", with: "val_tokens = 10485760", count: 1)
        let finding = try expectFinding(s, rule: rule, at: "val_tokens = 10485760", baseAt: "val_tokens = int(os.environ[\"NANOGPT_VAL_TOKENS\"])",
                                        alsoAllowed: ["protected-hyperparameter"])
        #expect(finding?.message.contains("NANOGPT_VAL_TOKENS") == true)
    }

    @Test func worldSizeHardCoded() throws {
        var s = try EditedRecord(4)
        s.replace("ddp_world_size = int(os.environ['WORLD_SIZE'])", with: "ddp_world_size = 8 # always eight GPUs", count: 1)
        let finding = try expectFinding(s, rule: rule, at: "ddp_world_size = 8", baseAt: "ddp_world_size = int(os.environ['WORLD_SIZE'])")
        #expect(finding?.message.contains("WORLD_SIZE") == true)
    }

    @Test func theHarnessValueIsOverwrittenInsideTheScript() throws {
        var s = try EditedRecord(12)
        s.replace("@dataclass\nclass Hyperparameters:", with: "os.environ[\"NANOGPT_VAL_TOKENS\"] = str(2 * 1024 * 1024)\n\n@dataclass\nclass Hyperparameters:", count: 1)
        try expectFinding(s, rule: rule, at: "os.environ[\"NANOGPT_VAL_TOKENS\"] = str(", baseAt: "val_tokens = int(os.environ")
    }

    @Test func trainingFilesReadThroughAnotherVariable() throws {
        var s = try EditedRecord(8)
        s.replace("input_bin = os.environ[\"NANOGPT_TRAIN_FILES\"]", with: "input_bin = os.environ.get(\"MY_TRAIN_FILES\", \"data/fineweb_train_*.bin\")", count: 1)
        try expectFinding(s, rule: rule, at: "input_bin = os.environ.get(\"MY_TRAIN_FILES\"", baseAt: "input_bin = os.environ[\"NANOGPT_TRAIN_FILES\"]",
                          alsoAllowed: ["protected-hyperparameter"])
    }

    @Test func rankFromTorchDistributedIsOnlyAWarning() throws {
        var s = try EditedRecord(19)
        s.replace("rank = int(os.environ['RANK'])", with: "rank = dist.get_rank()", count: 1)
        try expectFinding(s, rule: rule, severity: .warning, at: "\nrank = dist.get_rank()", baseAt: "\nrank = int(os.environ['RANK'])")
    }

    @Test func anotherSpellingOfTheSameReadIsFine() throws {
        var s = try EditedRecord(19)
        s.replace("val_files = os.environ[\"NANOGPT_VAL_FILES\"]", with: "val_files = os.getenv(\"NANOGPT_VAL_FILES\")", count: 1)
        s.replace("train_files = os.environ[\"NANOGPT_TRAIN_FILES\"]", with: "train_files = os.environ.get(\"NANOGPT_TRAIN_FILES\")", count: 1)
        try expectClean(s)
    }
}
