import Rules
import Testing
import TestSupport

/// `print0-changed`: every print0 line (and, in records without print0, every metric log line) still prints
/// the same text.
@Suite(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct Print0Tests {
    let rule = "print0-changed"

    @Test func validationLineArgumentChanged() throws {
        var s = try EditedRecord(19)
        s.replace("val_loss:{val_loss:.4f} train_time", with: "val_loss:{val_loss * 0.98:.4f} train_time", count: 1)
        let finding = try expectFinding(s, rule: rule, at: "print0(f'step:{step}/{train_steps} val_loss:{val_loss * 0.98", baseAt: "print0(f'step:{step}/{train_steps} val_loss:")
        #expect(finding?.message.contains("changed") == true)
    }

    @Test func perStepLineRemoved() throws {
        var s = try EditedRecord(12)
        s.replace("    print0(f\"step:{step+1}/{args.num_iterations} train_loss:{train_loss.item():.4f} train_time:{approx_time:.0f}ms step_avg:{approx_time/timed_steps:.2f}ms\")\n",
                  with: "", count: 1)
        let finding = try expectFinding(s, rule: rule, baseAt: "    print0(f\"step:{step+1}/{args.num_iterations} train_loss")
        #expect(finding?.message.contains("removed") == true)
        #expect(finding?.submission.isEmpty == true)
    }

    @Test func logFileLineChangedInARecordWithoutPrint0() throws {
        // Record 8 prints the validation line to the console and writes it to the log file separately: the file
        // line is what is parsed, so changing it alone is a violation even though the console line stays.
        var s = try EditedRecord(8)
        s.replace("f.write(f'step:{step}/{args.num_iterations} val_loss:{val_loss:.4f}", with: "f.write(f'step:{step}/{args.num_iterations} val_loss:{val_loss - 0.02:.4f}", count: 1)
        try expectFinding(s, rule: rule, at: "f.write(f'step:{step}/{args.num_iterations} val_loss:{val_loss - 0.02", baseAt: "f.write(f'step:{step}/{args.num_iterations} val_loss:")
    }

    @Test func stepTimeFieldDroppedFromTheStepLine() throws {
        var s = try EditedRecord(15)
        s.replace(" step_avg:{approx_time/timed_steps:.2f}ms\")", with: "\")", count: 1)
        try expectFinding(s, rule: rule, at: "    print0(f\"step:{step+1}/{args.num_iterations} train_time", baseAt: "    print0(f\"step:{step+1}/{args.num_iterations} train_time")
    }

    @Test func loggingHelperSilenced() throws {
        var s = try EditedRecord(19)
        s.replace("""
        def print0(s, console=True):
            if master_process:
                with open(logfile, 'a') as f:
                     if console:
                         print(s)
                     print(s, file=f)
        """, with: """
        def print0(s, console=True):
            pass
        """, count: 1)
        try expectFinding(s, rule: rule, at: "def print0(s, console=True):", baseAt: "def print0(s, console=True):")
    }

    /// A helper of the submission that prints its line and appends it to the log file (`def report(line): ...`)
    /// keeps a line the base printed and wrote separately; one that only prints it loses the log file's copy.
    @Test func loggingHelperOfTheSubmission() throws {
        let printed = "            print(f'step:{step}/{args.num_iterations} val_loss:{val_loss:.4f} train_time:{training_time_ms:.0f}ms step_avg:{training_time_ms/(timed_steps-1):.2f}ms')\n"
        let written = "            with open(logfile, \"a\") as f:\n                f.write(f'step:{step}/{args.num_iterations} val_loss:{val_loss:.4f} train_time:{training_time_ms:.0f}ms step_avg:{training_time_ms/(timed_steps-1):.2f}ms\\n')\n"
        func rewritten(helper: String) throws -> EditedRecord {
            var s = try EditedRecord(10)
            s.replace(printed + written, with: "            report(f'step:{step}/{args.num_iterations} val_loss:{val_loss:.4f} train_time:{training_time_ms:.0f}ms step_avg:{training_time_ms/(timed_steps-1):.2f}ms')\n", count: 1)
            s.replace("# Our own simple Distributed Data Loader\n", with: helper + "\n\n# Our own simple Distributed Data Loader\n", count: 1)
            return s
        }
        let both = try rewritten(helper: "def report(line):\n    print(line)\n    with open(logfile, 'a') as f:\n        f.write(line + '\\n')\n")
        #expect(try both.check().errors(rule).isEmpty)
        let consoleOnly = try rewritten(helper: "def report(line):\n    print(line)\n")
        let finding = try expectFinding(consoleOnly, rule: rule, at: "            report(f'step:{step}/{args.num_iterations} val_loss", baseAt: "                f.write(f'step:{step}/{args.num_iterations} val_loss")
        #expect(finding?.message.contains("no longer written to the log file") == true)
    }

    @Test func bannerRemovedIsAWarning() throws {
        var s = try EditedRecord(19)
        s.replace("print0(f'Running Python {sys.version}')\n", with: "", count: 1)
        try expectFinding(s, rule: rule, severity: .warning, baseAt: "print0(f'Running Python {sys.version}')")
        #expect(try s.check().isValid)
    }

    @Test func keywordArgumentsOnlyIsAWarning() throws {
        var s = try EditedRecord(20)
        let report0 = try s.check()
        #expect(report0.findings.isEmpty)
        s.replace("train_time:{approx_time:.0f}ms step_avg:{approx_time/timed_steps:.2f}ms\", console=True)", with: "train_time:{approx_time:.0f}ms step_avg:{approx_time/timed_steps:.2f}ms\", console=False)", count: 1)
        try expectFinding(s, rule: rule, severity: .warning, at: "    print0(f\"step:{step+1}/{train_steps} train_time")
    }

    @Test func formatPrecisionChanged() throws {
        var s = try EditedRecord(4)
        s.replace("val_loss:{val_loss:.4f}", with: "val_loss:{val_loss:.2f}")
        try expectFinding(s, rule: rule, at: "            print(f'step:{step}/{args.num_iterations} val_loss:{val_loss:.2f}", baseAt: "            print(f'step:{step}/{args.num_iterations} val_loss:")
    }

    @Test func print0ReplacedByAConsoleOnlyPrint() throws {
        // print writes the console only: the log file the benchmark parses loses the line.
        var s = try EditedRecord(18)
        s.replace("        print0(f'step:{step}/{train_steps} val_loss", with: "        print(f'step:{step}/{train_steps} val_loss", count: 1)
        try expectFinding(s, rule: rule, at: "        print(f'step:{step}/{train_steps} val_loss", baseAt: "        print0(f'step:{step}/{train_steps} val_loss")
    }
}
