import Rules
import Testing
import TestSupport

/// `final-validation-skipped`: the run ends with a validation at its last step, reached as in the base.
@Suite(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct FinalValidationTests {
    let rule = "final-validation-skipped"

    @Test func breakOnAFakeCondition() throws {
        var s = try EditedRecord(12)
        s.replace("    # null the gradients\n    model.zero_grad(set_to_none=True)\n", with: """
            # null the gradients
            model.zero_grad(set_to_none=True)
            if step >= 1000: # good enough
                break

        """, count: 1)
        try expectFinding(s, rule: rule, at: "    if step >= 1000: # good enough")
    }

    @Test func earlyStopOnTheTargetLoss() throws {
        var s = try EditedRecord(18)
        s.replace("        # start the clock again\n", with: "        if val_loss < 3.28:\n            break\n        # start the clock again\n", count: 1)
        try expectFinding(s, rule: rule, at: "        if val_loss < 3.28:")
    }

    @Test func exitOnATimeBudget() throws {
        var s = try EditedRecord(8)
        s.replace("""
                with open(logfile, "a") as f:
                    f.write(f"step:{step+1}
        """, with: """
                if approx_time > 170_000:
                    sys.exit(0)
                with open(logfile, "a") as f:
                    f.write(f"step:{step+1}
        """, count: 1)
        try expectFinding(s, rule: rule, at: "        if approx_time > 170_000:")
    }

    @Test func lastStepRedefined() throws {
        var s = try EditedRecord(19)
        s.replace("last_step = (step == train_steps)", with: "last_step = (step == train_steps - 100)", count: 1)
        try expectFinding(s, rule: rule, at: "    last_step = (step == train_steps - 100)", baseAt: "    last_step = (step == train_steps)")
    }

    @Test func validationNoLongerTriggeredAtTheLastStep() throws {
        var s = try EditedRecord(4)
        s.replace("if (last_step or (args.val_loss_every > 0 and step % args.val_loss_every == 0)):",
                  with: "if (args.val_loss_every > 0 and step % args.val_loss_every == 0):", count: 1)
        try expectFinding(s, rule: rule, at: "    if (args.val_loss_every > 0 and step % args.val_loss_every == 0):")
    }

    @Test func validationGuardedByAConditionThatFailsAtTheLastStep() throws {
        var s = try EditedRecord(20)
        s.replace("if last_step or (args.val_loss_every > 0 and step % args.val_loss_every == 0):",
                  with: "if (last_step or (args.val_loss_every > 0 and step % args.val_loss_every == 0)) and not last_step:", count: 1)
        try expectFinding(s, rule: rule, at: "    if (last_step or (args.val_loss_every > 0")
    }

    @Test func trainingLoopStopsBeforeTheLastStep() throws {
        var s = try EditedRecord(15)
        s.replace("for step in range(args.num_iterations + 1):", with: "for step in range(args.num_iterations):", count: 1)
        try expectFinding(s, rule: rule, at: "for step in range(args.num_iterations):", baseAt: "for step in range(args.num_iterations + 1):")
    }

    @Test func loopLeftAtTheLastStepBeforeValidating() throws {
        var s = try EditedRecord(19)
        s.replace("    last_step = (step == train_steps)\n", with: "    last_step = (step == train_steps)\n    if last_step:\n        break\n", count: 1)
        try expectFinding(s, rule: rule, at: "    if last_step:\n        break")
    }

    @Test func lastIterationSkippedWithContinue() throws {
        var s = try EditedRecord(12)
        s.replace("    last_step = (step == args.num_iterations)\n", with: "    last_step = (step == args.num_iterations)\n    if last_step and step > 0:\n        continue\n", count: 1)
        try expectFinding(s, rule: rule, at: "    if last_step and step > 0:")
    }
}
