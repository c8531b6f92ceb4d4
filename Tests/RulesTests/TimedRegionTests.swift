import Rules
import Testing
import TestSupport

/// `timed-region-changed`: training time is measured as in the base.
@Suite(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct TimedRegionTests {
    let rule = "timed-region-changed"

    @Test func extraBackwardPassWhileTheTimerIsPaused() throws {
        var s = try EditedRecord(12)
        s.replace("""
                # start the clock again
                torch.cuda.synchronize()
                t0 = time.time()

            if master_process and (last_step
        """, with: """
                # a little extra training while the clock is stopped
                model.train()
                extra_loss = model(x, y)
                extra_loss.backward()
                # start the clock again
                torch.cuda.synchronize()
                t0 = time.time()

            if master_process and (last_step
        """, count: 1)
        try expectFinding(s, rule: rule, at: "extra_loss.backward()")
    }

    @Test func timeScaledByNineTenths() throws {
        var s = try EditedRecord(19)
        s.replace("training_time_ms += 1000 * (time.perf_counter() - t0)", with: "training_time_ms += 0.9 * 1000 * (time.perf_counter() - t0)", count: 1)
        try expectFinding(s, rule: rule, at: "training_time_ms += 0.9 * 1000", baseAt: "training_time_ms += 1000 * (time.perf_counter() - t0)")
    }

    @Test func timeReducedAfterTheFact() throws {
        var s = try EditedRecord(4)
        s.replace("        # run validation batches\n", with: "        training_time_ms -= 5 # startup overhead\n        # run validation batches\n", count: 1)
        try expectFinding(s, rule: rule, at: "training_time_ms -= 5")
    }

    @Test func perStepTimeScaled() throws {
        var s = try EditedRecord(15)
        s.replace("approx_time = training_time_ms + 1000 * (time.perf_counter() - t0)", with: "approx_time = training_time_ms + 900 * (time.perf_counter() - t0)", count: 1)
        try expectFinding(s, rule: rule, at: "approx_time = training_time_ms + 900")
    }

    @Test func synchronizeRemovedBeforeAnAccumulation() throws {
        var s = try EditedRecord(4)
        s.replaceFirst("        # stop the clock\n        torch.cuda.synchronize()\n        training_time_ms +=", with: "        # stop the clock\n        training_time_ms +=")
        try expectFinding(s, rule: rule, at: "        training_time_ms += 1000 * (time.time() - t0)")
    }

    @Test func moreWarmupStepsExcluded() throws {
        var s = try EditedRecord(8)
        s.replace("    if step == 10:\n        training_time_ms = 0", with: "    if step == 50:\n        training_time_ms = 0", count: 1)
        try expectFinding(s, rule: rule, at: "        training_time_ms = 0", after: "if step == 50:", baseAt: "        training_time_ms = 0", baseAfter: "if step == 10:")
    }

    @Test func timerRestartedMidTrainingWithoutAPause() throws {
        var s = try EditedRecord(18)
        s.replace("    model.zero_grad(set_to_none=True)\n    # logging\n", with: "    model.zero_grad(set_to_none=True)\n    t0 = time.perf_counter()\n    # logging\n", count: 1)
        try expectFinding(s, rule: rule, at: "    t0 = time.perf_counter()\n    # logging")
    }

    @Test func trainingStepsBeforeTheTimerStarts() throws {
        var s = try EditedRecord(19)
        s.replace("model: nn.Module = torch.compile(model)\n", with: """
        model: nn.Module = torch.compile(model)
        # head start: a few steps before the clock
        for _ in range(50):
            inputs, targets = next(train_loader)
            model(inputs, targets, sw_num_blks(128)).backward()
            for opt in optimizers:
                opt.step()
            model.zero_grad(set_to_none=True)

        """, count: 1)
        try expectFinding(s, rule: rule, at: "    model(inputs, targets, sw_num_blks(128)).backward()")
    }

    @Test func warmupThatRestoresTheStateIsOnlyAWarning() throws {
        var s = try EditedRecord(19)
        s.replace("model: nn.Module = torch.compile(model)\n", with: """
        model: nn.Module = torch.compile(model)
        # compile warm-up, then back to the initial state
        initial_state = dict(model=copy.deepcopy(model.state_dict()), optimizers=[copy.deepcopy(opt.state_dict()) for opt in optimizers])
        for _ in range(10):
            inputs, targets = next(train_loader)
            model(inputs, targets, sw_num_blks(128)).backward()
            for opt in optimizers:
                opt.step()
            model.zero_grad(set_to_none=True)
        model.load_state_dict(initial_state['model'])
        for opt, opt_state in zip(optimizers, initial_state['optimizers']):
            opt.load_state_dict(opt_state)

        """, count: 1)
        s.replace("import os\n", with: "import os\nimport copy\n", count: 1)
        try expectFinding(s, rule: rule, severity: .warning, at: "    model(inputs, targets, sw_num_blks(128)).backward()")
        try expectClean(s)
    }

    @Test func startMarkShifted() throws {
        var s = try EditedRecord(12)
        s.replaceFirst("        # start the clock again\n        torch.cuda.synchronize()\n        t0 = time.time()\n",
                       with: "        # start the clock again\n        torch.cuda.synchronize()\n        t0 = time.time() + 0.25\n")
        try expectFinding(s, rule: rule, at: "        t0 = time.time() + 0.25")
    }

    @Test func secondResetLaterInTraining() throws {
        var s = try EditedRecord(19)
        s.replace("        training_time_ms = 0\n        t0 = time.perf_counter()\n", with: """
                training_time_ms = 0
                t0 = time.perf_counter()
            if step == 700: # the second half is what counts
                training_time_ms = 0

        """, count: 1)
        try expectFinding(s, rule: rule, at: "        training_time_ms = 0", after: "if step == 700")
    }

    @Test func counterScaledByAPlainAssignment() throws {
        var s = try EditedRecord(19)
        s.replace("        training_time_ms += 1000 * (time.perf_counter() - t0)\n", with: "        training_time_ms += 1000 * (time.perf_counter() - t0)\n        training_time_ms = training_time_ms * 0.9\n", count: 1)
        try expectFinding(s, rule: rule, at: "        training_time_ms = training_time_ms * 0.9")
    }

    @Test func optimizerStepMovedIntoThePausedValidation() throws {
        var s = try EditedRecord(4)
        s.replace("        # start the clock again\n        torch.cuda.synchronize()\n        t0 = time.time()\n\n    if master_process",
                  with: "        for opt in optimizers:\n            opt.step()\n        # start the clock again\n        torch.cuda.synchronize()\n        t0 = time.time()\n\n    if master_process", count: 1)
        try expectFinding(s, rule: rule, at: "            opt.step()\n        # start the clock again")
    }

    @Test func clockReplacedByASlowerOne() throws {
        var s = try EditedRecord(19)
        s.replace("time.perf_counter()", with: "clock()")
        s.replace("model: nn.Module = torch.compile(model)\n", with: "model: nn.Module = torch.compile(model)\ndef clock():\n    return 0.9 * time.perf_counter()\n", count: 1)
        try expectFinding(s, rule: rule, at: "        training_time_ms += 1000 * (clock() - t0)")
    }
}
