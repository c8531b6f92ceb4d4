import Rules
import Testing
import TestSupport

/// `protected-hyperparameter`: train/val files and val_tokens keep the base's value wherever they are set.
@Suite(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct ProtectedHyperparameterTests {
    let rule = "protected-hyperparameter"

    @Test func valTokensOverriddenByALaterAssignment() throws {
        var s = try EditedRecord(19)
        s.replace("args = Hyperparameters()\n", with: "args = Hyperparameters()\nargs.val_tokens = 5242880 # half the validation set\n", count: 1)
        try expectFinding(s, rule: rule, at: "args.val_tokens = 5242880", baseAt: "val_tokens = int(os.environ[\"NANOGPT_VAL_TOKENS\"])")
    }

    @Test func valTokensOverriddenThroughAnArgparseDefault() throws {
        var s = try EditedRecord(12)
        s.replace("args = Hyperparameters()\n", with: """
        args = Hyperparameters()
        import argparse
        parser = argparse.ArgumentParser()
        parser.add_argument("--val-tokens", type=int, default=1048576)
        cli = parser.parse_args()

        """, count: 1)
        s.replace("val_steps = args.val_tokens // (B * T * ddp_world_size)", with: "val_steps = cli.val_tokens // (B * T * ddp_world_size)", count: 1)
        try expectFinding(s, rule: rule, at: "parser.add_argument(\"--val-tokens\"", baseAt: "val_tokens = int(os.environ")
    }

    @Test func valTokensFieldHalvedInTheDataclass() throws {
        var s = try EditedRecord(8)
        s.replace("val_tokens = int(os.environ[\"NANOGPT_VAL_TOKENS\"])", with: "val_tokens = int(os.environ[\"NANOGPT_VAL_TOKENS\"]) // 2", count: 1)
        try expectFinding(s, rule: rule, at: "val_tokens = int(os.environ[\"NANOGPT_VAL_TOKENS\"]) // 2", baseAt: "val_tokens = int(os.environ")
    }

    /// A dataclass field's default is its value, also through `default_factory` and a one-line helper: reading the
    /// same environment variables keeps the data and the validation amount; a factory giving another count does not.
    @Test func fieldDefaultFactoriesAreReadAsTheirValues() throws {
        func rewritten(_ tokens: String) throws -> EditedRecord {
            var s = try EditedRecord(14)
            s.replace("    input_bin = os.environ[\"NANOGPT_TRAIN_FILES\"]\n", with: "    input_bin: str = field(default_factory=lambda: _env(\"NANOGPT_TRAIN_FILES\"))\n", count: 1)
            s.replace("    val_tokens = int(os.environ[\"NANOGPT_VAL_TOKENS\"])", with: "    val_tokens: int = field(default_factory=lambda: \(tokens))", count: 1)
            s.replace("from dataclasses import dataclass\n", with: "from dataclasses import dataclass, field\n\n\ndef _env(name):\n    return os.environ[name]\n", count: 1)
            return s
        }
        #expect(try rewritten("int(_env(\"NANOGPT_VAL_TOKENS\"))").check().errors(rule).isEmpty)
        // (It also stops reading NANOGPT_VAL_TOKENS, which `environment-variable-dropped` reports.)
        let errors = try rewritten("5242880").check().errors(rule)
        #expect(errors.count == 1 && errors.first?.message.hasPrefix("`val_tokens` is set to `field(default_factory=lambda: 5242880)`") == true,
                "\(errors.map(\.message))")
    }

    @Test func valTokensShrunkByAnAugmentedAssignment() throws {
        var s = try EditedRecord(4)
        s.replace("args = Hyperparameters()\n", with: "args = Hyperparameters()\nargs.val_tokens //= 4\n", count: 1)
        try expectFinding(s, rule: rule, at: "args.val_tokens //= 4")
    }

    @Test func valTokensReplacedThroughDataclassesReplace() throws {
        var s = try EditedRecord(19)
        s.replace("from dataclasses import dataclass\n", with: "from dataclasses import dataclass, replace\n", count: 1)
        s.replace("args = Hyperparameters()\n", with: "args = replace(Hyperparameters(), val_tokens=2 * 1024 * 1024)\n", count: 1)
        try expectFinding(s, rule: rule, at: "args = replace(Hyperparameters(), val_tokens=")
    }

    @Test func validationFilesPointedAtTheTrainingFiles() throws {
        var s = try EditedRecord(18)
        s.replace("val_bin = os.environ[\"NANOGPT_VAL_FILES\"]", with: "val_bin = os.environ[\"NANOGPT_TRAIN_FILES\"]", count: 1)
        try expectFinding(s, rule: rule, at: "val_bin = os.environ[\"NANOGPT_TRAIN_FILES\"]", baseAt: "val_bin = os.environ[\"NANOGPT_VAL_FILES\"]",
                          alsoAllowed: ["environment-variable-dropped"])
    }

    @Test func trainingFilesHardCoded() throws {
        var s = try EditedRecord(15)
        s.replace("input_bin = os.environ[\"NANOGPT_TRAIN_FILES\"]", with: "input_bin = 'data/fineweb10B/fineweb_train_*.bin'", count: 1)
        try expectFinding(s, rule: rule, at: "input_bin = 'data/fineweb10B", baseAt: "input_bin = os.environ",
                          alsoAllowed: ["environment-variable-dropped"])
    }

    @Test func aSecondFieldOfTheSameNameWins() throws {
        // Record 17's own pattern, on another base: a later field silently replaces the environment value.
        var s = try EditedRecord(12)
        s.replace("    save_every : int = 0", with: "    save_every : int = 0\n    val_tokens : int = 5242880", count: 1)
        try expectFinding(s, rule: rule, at: "    val_tokens : int = 5242880")
    }

    @Test func valTokensSetThroughSetattr() throws {
        var s = try EditedRecord(15)
        s.replace("args = Hyperparameters()\n", with: "args = Hyperparameters()\nsetattr(args, 'val_tokens', 3 * 1024 * 1024)\n", count: 1)
        try expectFinding(s, rule: rule, at: "setattr(args, 'val_tokens'")
    }

    @Test func loaderGivenALiteralPathInsteadOfTheSetting() throws {
        var s = try EditedRecord(19)
        s.replace("train_loader = distributed_data_generator(args.train_files, args.batch_size, rank, world_size)",
                  with: "train_loader = distributed_data_generator('data/fineweb10B/fineweb_train_00000[1-4].bin', args.batch_size, rank, world_size)", count: 1)
        let finding = try expectFinding(s, rule: rule, at: "train_loader = distributed_data_generator('data/fineweb10B", baseAt: "train_loader = distributed_data_generator(args.train_files")
        #expect(finding?.message.contains("no longer used") == true)
    }

    @Test func environmentReadThroughAHelperIsFine() throws {
        var s = try EditedRecord(12)
        s.replace("@dataclass\nclass Hyperparameters:", with: "def env(name):\n    return os.environ[name]\n\n@dataclass\nclass Hyperparameters:", count: 1)
        s.replace("input_bin = os.environ[\"NANOGPT_TRAIN_FILES\"]", with: "input_bin = env(\"NANOGPT_TRAIN_FILES\")", count: 1)
        s.replace("input_val_bin = os.environ[\"NANOGPT_VAL_FILES\"]", with: "input_val_bin = env(\"NANOGPT_VAL_FILES\")", count: 1)
        s.replace("val_tokens = int(os.environ[\"NANOGPT_VAL_TOKENS\"])", with: "val_tokens = int(env(\"NANOGPT_VAL_TOKENS\"))", count: 1)
        try expectClean(s)
    }

    @Test func validationFilesAliasedToTheTrainingFiles() throws {
        var s = try EditedRecord(19)
        s.replace("args = Hyperparameters()\n", with: "args = Hyperparameters()\nargs.val_files = args.train_files\n", count: 1)
        try expectFinding(s, rule: rule, at: "args.val_files = args.train_files", baseAt: "    val_files = os.environ")
    }

    @Test func trainingOnTheValidationFiles() throws {
        var s = try EditedRecord(12)
        s.replace("train_loader = DistributedDataLoader(args.input_bin,", with: "train_loader = DistributedDataLoader(args.input_val_bin,", count: 1)
        try expectFinding(s, rule: rule, at: "train_loader = DistributedDataLoader(args.input_val_bin,", baseAt: "train_loader = DistributedDataLoader(args.input_bin,")
    }

    // Environment reads compare by what they read, whatever the spelling (the tree is read, not the text).

    @Test func environmentReadsRespelledAreNotAChange() throws {
        var s = try EditedRecord(19)
        s.replace("from dataclasses import dataclass\n", with: "from dataclasses import dataclass\nfrom os import environ, getenv\n", count: 1)
        s.replace("train_files = os.environ[\"NANOGPT_TRAIN_FILES\"]", with: "train_files = environ.get('NANOGPT_TRAIN_FILES')", count: 1)
        s.replace("val_files = os.environ[\"NANOGPT_VAL_FILES\"]", with: "val_files = getenv(  \"NANOGPT_VAL_FILES\" )", count: 1)
        s.replace("val_tokens = int(os.environ[\"NANOGPT_VAL_TOKENS\"])", with: "val_tokens = int(os.getenv('NANOGPT_VAL_TOKENS'))", count: 1)
        try expectClean(s)
    }

    @Test func respelledEnvironmentReadOfTheWrongVariableIsStillFound() throws {
        var s = try EditedRecord(19)
        s.replace("val_files = os.environ[\"NANOGPT_VAL_FILES\"]", with: "val_files = os.getenv(\"NANOGPT_TRAIN_FILES\")", count: 1)
        try expectFinding(s, rule: rule, at: "val_files = os.getenv(\"NANOGPT_TRAIN_FILES\")", baseAt: "val_files = os.environ[\"NANOGPT_VAL_FILES\"]",
                          alsoAllowed: ["environment-variable-dropped"])
    }
}
