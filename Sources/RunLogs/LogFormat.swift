/// Which kind of input a run's numbers came from, recognized from the content (never from the file name).
public enum LogFormat: String, Sendable, Codable, CaseIterable {
    /// modded-nanogpt: `step:N/TOTAL val_loss:… train_time:…ms step_avg:…ms` and training lines with
    /// `train_loss:` or only `train_time:`; usually the script printed first.
    case moddedNanoGPT = "modded-nanogpt"
    /// llm.c: `s:N tel:LOSS` (validation) and `s:N trl:LOSS` (training); no times, no planned total.
    case llmc = "llm.c"
    /// Both dialects in one run: the first PyTorch records print `step:N/TOTAL val_loss:… train_time:…ms`
    /// for validation and llm.c's `s:N trl:` for training.
    case mixed
    /// The benchmark's `results.json` (`metrics.train_time`, `metrics.val_loss`, `metrics.n_steps`).
    case resultsJSON = "results.json"
}
