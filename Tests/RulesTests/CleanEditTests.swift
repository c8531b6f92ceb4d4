import Rules
import Testing
import TestSupport

/// Edits that keep every rule although a line-by-line comparison with the base would flag them: the checks
/// read roles and values, not lines and names.
@Suite(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct CleanEditTests {
    @Test func variablesRenamedConsistently() throws {
        var s = try EditedRecord(12)
        s.renameWord("val_loss", to: "vloss")
        s.renameWord("training_time_ms", to: "elapsed_ms")
        s.renameWord("t0", to: "clock_start")
        s.renameWord("last_step", to: "is_final_step")
        s.renameWord("val_steps", to: "n_val_batches")
        // The log's keys are text the benchmark parses: they stay.
        s.replace("vloss:{vloss", with: "val_loss:{vloss", count: 1)
        try expectClean(s)
    }

    @Test func loadersAndCounterRenamedInALaterRecord() throws {
        var s = try EditedRecord(19)
        s.renameWord("val_loader", to: "holdout_batches")
        s.renameWord("train_loader", to: "batches")
        s.renameWord("training_time_ms", to: "train_ms")
        s.renameWord("approx_time", to: "running_ms")
        s.renameWord("val_bs", to: "tokens_per_val_step")
        try expectClean(s)
    }

    @Test func scriptReformatted() throws {
        var s = try EditedRecord(19)
        s.replace("print0(f'step:{step}/{train_steps} val_loss:{val_loss:.4f} train_time:{training_time_ms:.0f}ms step_avg:{training_time_ms/(timed_steps-1):.2f}ms', console=True)",
                  with: """
                  print0(
                              f"step:{step}/{train_steps} "
                              f"val_loss:{val_loss:.4f} "
                              f"train_time:{training_time_ms:.0f}ms "
                              f"step_avg:{training_time_ms / (timed_steps - 1):.2f}ms",
                              console=True,  # also on the console
                          )
                  """, count: 1)
        s.replace("print0(f'step:{step+1}/{train_steps} train_time:{approx_time:.0f}ms step_avg:{approx_time/timed_steps:.2f}ms', console=True)",
                  with: "print0(f\"step:{step + 1}/{train_steps} train_time:{approx_time:.0f}ms step_avg:{(approx_time) / timed_steps:.2f}ms\", console = True)", count: 1)
        s.replace("print0('='*100)", with: "print0(\"=\" * 100)")
        s.replace("training_time_ms += 1000 * (time.perf_counter() - t0)", with: "training_time_ms += (time.perf_counter()-t0)*1000", count: 1)
        s.replace("approx_time = training_time_ms + 1000 * (time.perf_counter() - t0)", with: "approx_time = 1e3 * (time.perf_counter() - t0) + training_time_ms", count: 1)
        s.replace("last_step = (step == train_steps)", with: "last_step = step == train_steps", count: 1)
        s.replace("        val_loss /= val_steps\n", with: "        val_loss = (val_loss / val_steps)\n", count: 1)
        s.replace("val_steps = args.val_tokens // val_bs", with: "val_steps = (\n            args.val_tokens\n            // val_bs\n        )", count: 1)
        s.replace("    # --------------- VALIDATION SECTION -----------------\n", with: "\n\n", count: 1)
        s.replace("    if last_step or (args.val_loss_every > 0 and step % args.val_loss_every == 0):", with: "    if (last_step\n            or (args.val_loss_every > 0 and step % args.val_loss_every == 0)):", count: 1)
        let report = try s.check()
        #expect(report.findings.isEmpty, "\(report.summary)")
    }

    @Test func validationLoopMovedIntoAHelper() throws {
        var s = try EditedRecord(4)
        s.replace("""
                # run validation batches
                model.eval()
                val_loader.reset()
                val_loss = 0.0
                for _ in range(val_steps):
                    x_val, y_val = val_loader.next_batch()
                    with torch.no_grad(): # of course, we'd like to use ctx here too, but that creates a torch.compile error for some reason
                        _, loss = model(x_val, y_val, return_logits=False)
                        val_loss += loss
                dist.all_reduce(val_loss, op=dist.ReduceOp.AVG)
                val_loss /= val_steps

        """, with: """
                val_loss = evaluate(model, val_loader, val_steps)

        """, count: 1)
        s.replace("training_time_ms = 0\n# start the clock\n", with: """
        @torch.no_grad()
        def evaluate(net, loader, batches):
            net.eval()
            loader.reset()
            total = 0.0
            for _ in range(batches):
                inputs, targets = loader.next_batch()
                _, batch_loss = net(inputs, targets, return_logits=False)
                total += batch_loss
            dist.all_reduce(total, op=dist.ReduceOp.AVG)
            return total / batches

        training_time_ms = 0
        # start the clock

        """, count: 1)
        try expectClean(s)
    }

    @Test func validationLoopMovedIntoAHelperThatKeepsTheNames() throws {
        var s = try EditedRecord(19)
        s.replace("""
                val_loader = distributed_data_generator(args.val_files, val_bs, rank, world_size)
                val_loss = 0
                with torch.no_grad():
                    for _ in range(val_steps):
                        x, y = next(val_loader)
                        val_loss += model(x, y, sw_num_blks(window_size))
                val_loss /= val_steps
                del val_loader
                dist.all_reduce(val_loss, op=dist.ReduceOp.AVG)
        """, with: """
                val_loss = validation_loss(val_steps, val_bs, window_size)
        """, count: 1)
        s.replace("model: nn.Module = torch.compile(model)\n", with: """
        model: nn.Module = torch.compile(model)

        def validation_loss(val_steps, val_bs, window_size):
            val_loader = distributed_data_generator(args.val_files, val_bs, rank, world_size)
            val_loss = 0
            with torch.no_grad():
                for _ in range(val_steps):
                    x, y = next(val_loader)
                    val_loss += model(x, y, sw_num_blks(window_size))
            val_loss /= val_steps
            dist.all_reduce(val_loss, op=dist.ReduceOp.AVG)
            return val_loss

        """, count: 1)
        try expectClean(s)
    }

    @Test func extraPrint0LinesAndNewComments() throws {
        var s = try EditedRecord(18)
        s.replace("        # logging\n        print0(f'step:{step}/{train_steps} val_loss", with: """
                # the validation result, also as a short line
                print0(f'val {val_loss:.4f} after {step} steps')
                print0(f'step:{step}/{train_steps} val_loss
        """, count: 1)
        s.replace("# Start training loop\n", with: "# Start training loop (timed from here on)\nprint0('starting the timed run')\n", count: 1)
        s.replace("    # logging\n    approx_time", with: "    # per-step figures\n    approx_time", count: 1)
        s.replace("# begin training\n", with: "", count: 1)
        let report = try s.check()
        #expect(report.findings.isEmpty, "\(report.summary)")
    }

    @Test func unrelatedHyperparametersChanged() throws {
        var s = try EditedRecord(18)
        s.replace("num_iterations = 1390", with: "num_iterations = 1300", count: 1)
        s.replace("optimizer2 = Muon(hidden_matrix_params, lr=0.05, momentum=0.95)", with: "optimizer2 = Muon(hidden_matrix_params, lr=0.06, momentum=0.95)", count: 1)
        s.replace("val_loss_every = 125", with: "val_loss_every = 250", count: 1)
        let report = try s.check()
        #expect(report.findings.isEmpty, "\(report.summary)")
    }

    @Test func batchAndSequenceSizesChanged() throws {
        var s = try EditedRecord(12)
        s.replace("sequence_length : int = 64*1024", with: "sequence_length : int = 48*1024", count: 1)
        s.replace("num_iterations : int = 1875", with: "num_iterations : int = 1750", count: 1)
        try expectClean(s)
    }

    @Test func averageTakenBatchByBatch() throws {
        var s = try EditedRecord(19)
        s.replace("val_loss += model(x, y, sw_num_blks(window_size))", with: "val_loss += model(x, y, sw_num_blks(window_size)) / val_steps", count: 1)
        s.replace("        val_loss /= val_steps\n", with: "", count: 1)
        try expectClean(s)
    }

    @Test func dataFieldsRenamed() throws {
        var s = try EditedRecord(8)
        s.renameWord("input_bin", to: "train_bin")
        s.renameWord("input_val_bin", to: "val_bin")
        try expectClean(s)
    }

    @Test func loopBoundsThroughAnAlias() throws {
        var s = try EditedRecord(15)
        s.replace("for step in range(args.num_iterations + 1):\n    last_step = (step == args.num_iterations)",
                  with: "total_steps = args.num_iterations\nfor step in range(total_steps + 1):\n    last_step = (step == total_steps)", count: 1)
        s.replace("print0(f'step:{step}/{args.num_iterations} val_loss", with: "print0(f'step:{step}/{total_steps} val_loss", count: 1)
        s.replace("print0(f\"step:{step+1}/{args.num_iterations} train_time", with: "print0(f\"step:{step+1}/{total_steps} train_time", count: 1)
        let report = try s.check()
        #expect(report.findings.isEmpty, "\(report.summary)")
    }

    @Test func checkpointBlockRemoved() throws {
        var s = try EditedRecord(12)
        s.replace("""
            if master_process and (last_step or (args.save_every > 0 and step % args.save_every == 0)):
                # stop the clock
                torch.cuda.synchronize()
                training_time_ms += 1000 * (time.time() - t0)
                # save the state of the training process
                log = dict(step=step, code=code)
                torch.save(log, 'logs/%s/state_step%06d.pt' % (run_id, step))
                # start the clock again
                torch.cuda.synchronize()
                t0 = time.time()

        """, with: "", count: 1)
        try expectClean(s)
    }

    @Test func clockSwitchedToPerfCounter() throws {
        var s = try EditedRecord(12)
        s.replace("time.time()", with: "time.perf_counter()")
        let report = try s.check()
        #expect(report.findings.isEmpty, "\(report.summary)")
    }

    @Test func ranksFromTorchDistributedAreOnlyWarnings() throws {
        var s = try EditedRecord(19)
        s.replace("rank = int(os.environ['RANK'])\nworld_size = int(os.environ['WORLD_SIZE'])\n", with: "", count: 1)
        s.replace("dist.barrier()\n", with: "dist.barrier()\nrank = dist.get_rank()\nworld_size = dist.get_world_size()\n", count: 1)
        try expectClean(s)
    }

    @Test func validationLossConvertedToAFloatForPrinting() throws {
        var s = try EditedRecord(19)
        s.replace("        dist.all_reduce(val_loss, op=dist.ReduceOp.AVG)\n", with: "        dist.all_reduce(val_loss, op=dist.ReduceOp.AVG)\n        val_loss = val_loss.item()\n", count: 1)
        let report = try s.check()
        #expect(report.findings.isEmpty, "\(report.summary)")
    }

    @Test func stepLogMovedIntoAHelper() throws {
        var s = try EditedRecord(19)
        s.replace("    approx_time = training_time_ms + 1000 * (time.perf_counter() - t0)\n    print0(f'step:{step+1}/{train_steps} train_time:{approx_time:.0f}ms step_avg:{approx_time/timed_steps:.2f}ms', console=True)\n",
                  with: "    log_step(step, timed_steps)\n", count: 1)
        s.replace("model: nn.Module = torch.compile(model)\n", with: """
        model: nn.Module = torch.compile(model)
        def log_step(step, timed_steps):
            approx_time = training_time_ms + 1000 * (time.perf_counter() - t0)
            print0(f'step:{step+1}/{train_steps} train_time:{approx_time:.0f}ms step_avg:{approx_time/timed_steps:.2f}ms', console=True)

        """, count: 1)
        let report = try s.check()
        #expect(report.findings.isEmpty, "\(report.summary)")
    }

    @Test func consoleAndFileLinesReplacedByAPrint0Helper() throws {
        // What record 12 did to record 11: one print0 instead of print + f.write.
        var s = try EditedRecord(8)
        s.replace("""
                if master_process:
                    print(f'step:{step}/{args.num_iterations} val_loss:{val_loss:.4f} train_time:{training_time_ms:.0f}ms step_avg:{training_time_ms/(timed_steps-1):.2f}ms')
                    with open(logfile, "a") as f:
                        f.write(f'step:{step}/{args.num_iterations} val_loss:{val_loss:.4f} train_time:{training_time_ms:.0f}ms step_avg:{training_time_ms/(timed_steps-1):.2f}ms\\n')
        """, with: """
                print0(f'step:{step}/{args.num_iterations} val_loss:{val_loss:.4f} train_time:{training_time_ms:.0f}ms step_avg:{training_time_ms/(timed_steps-1):.2f}ms')
        """, count: 1)
        s.replace("args = Hyperparameters()\n", with: """
        args = Hyperparameters()
        def print0(s):
            if int(os.environ['RANK']) == 0:
                print(s)
                with open(logfile, 'a') as f:
                    f.write(s + '\\n')

        """, count: 1)
        try expectClean(s)
    }

    @Test func stepLogUnderMasterProcess() throws {
        var s = try EditedRecord(12)
        s.replace("    print0(f\"step:{step+1}/{args.num_iterations} train_loss", with: "    if master_process:\n        print0(f\"step:{step+1}/{args.num_iterations} train_loss", count: 1)
        let report = try s.check()
        #expect(report.findings.isEmpty, "\(report.summary)")
    }
}

extension CleanEditTests {
    @Test func loggingHelperRenamed() throws {
        var s = try EditedRecord(19)
        s.renameWord("print0", to: "log0")
        let report = try s.check()
        #expect(report.findings.isEmpty, "\(report.summary)")
    }

    @Test func loggingHelperRenamedInAnOlderRecord() throws {
        var s = try EditedRecord(12)
        s.renameWord("print0", to: "log_line")
        let report = try s.check()
        #expect(report.findings.isEmpty, "\(report.summary)")
    }
}
