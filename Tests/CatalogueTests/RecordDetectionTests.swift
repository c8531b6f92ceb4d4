import Catalogue
import Foundation
import SourceModel
import Testing
import TestSupport

/// Detection on the reference records: each task's key innovations are present in its reference record
/// (record N+1) and absent from its base (record N) and every earlier record, so `introduced(reference) =
/// present(reference) - present(base)` covers every key change; and over all 21 records, every innovation is
/// found exactly in the records that have it (`RecordTimeline`).
enum RecordFacts {
    static func detected(_ record: Int) throws -> Set<String> {
        try detected(path: "record_\(record)/train_gpt2.py", bytes: Array(try Data(contentsOf: Corpus.record(record))))
    }

    /// What the classifier finds in one Python file.
    static func detected(path: String, bytes: [UInt8]) throws -> Set<String> {
        let facts = try PythonFacts(file: SourceFile(path: path, language: .python, bytes: bytes))
        return Set(Classifier.classify([facts]).map(\.id))
    }

    /// Each record's detections, classified once for the whole suite (empty when the corpus is absent).
    static let byRecord: [Int: Set<String>] = {
        guard Corpus.isAvailable else { return [:] }
        var result: [Int: Set<String>] = [:]
        for record in Corpus.recordNumbers { result[record] = try? detected(record) }
        return result
    }()

    static func cached(_ record: Int) throws -> Set<String> {
        try #require(byRecord[record], "record \(record) could not be read or classified")
    }
}

/// Which records have which innovation. The expectation comes from the data: an innovation is in the records
/// from its reference record (`introduced_in_task + 1`) on, until a task lists it in `retired` (task N drops
/// it from record N + 1 on). `documented` holds what the data cannot say, each entry checked against the
/// records by hand.
enum RecordTimeline {
    struct Span: Sendable {
        let id: String
        let records: [ClosedRange<Int>]
        /// True when `tasks.json` (introduction plus `retired`) already yields exactly these records: the entry
        /// only documents the span. False when the records depart from the data and the entry overrides it.
        let followsTasksData: Bool
        let reason: String

        var recordSet: Set<Int> { Set(records.flatMap { Array($0) }) }
    }

    /// Spans that are easy to get wrong, with what the records show. Each was read in
    /// `../shared/corpus/llm-speedrunner/records/record_N/train_gpt2.py`.
    static let documented: [Span] = [
        // Retired by the data: listed so the span stays pinned if tasks.json changes.
        Span(id: "per_param_grad_normalization", records: [2...2], followsTasksData: true,
             reason: "only record 2 divides each gradient by its norm before the step; record 3 hands the hidden "
                 + "matrices to the orthogonalizing optimizer and deletes the loop"),
        Span(id: "muon_update_scale_sqrt_max_dim", records: [4...7], followsTasksData: true,
             reason: "records 4-7 scale the orthogonalized update by max(rows, cols)**0.5; record 8 switches to "
                 + "max(1, rows/cols)**0.5 (muon_aspect_ratio_scale)"),
        Span(id: "lr_retune_for_muon", records: [4...7], followsTasksData: true,
             reason: "records 4-7 set learning_rate = 0.0036 and derive both optimizers' rates from it; from "
                 + "record 8 each optimizer is built with its own literal rate"),
        Span(id: "batch_size_524k", records: [2...20], followsTasksData: true,
             reason: "records 2-20 take 524,288 tokens per step in every spelling (64 sequences of 1024 per GPU, "
                 + "8*64 sequences, 8 sequences of 64K, 8*64*1024 tokens); record 21 takes world_size x 48 x 1024"),
        Span(id: "value_residual", records: [9...13], followsTasksData: true,
             reason: "records 9-13 mix every layer's value with the first layer's (v1); record 14 mixes in a "
                 + "per-layer value embedding (vi) instead"),
        Span(id: "unet_value_embeddings", records: [15...16], followsTasksData: true,
             reason: "records 15-16 give the decoder half the encoder's value embeddings in mirrored order "
                 + "(vi[num_encoder_layers-1-i] in record 15, ve += reversed(ve) in record 16); record 17 lists "
                 + "them sparsely, with None for the middle layers"),
        Span(id: "compiler_skip_guard_eval", records: [16...17], followsTasksData: true,
             reason: "records 16-17 enter torch.compiler.set_stance(skip_guard_eval_unsafe=True) for the "
                 + "training steps; record 18 no longer does"),
        Span(id: "ddp_bucket_view", records: [16...18], followsTasksData: true,
             reason: "records 16-18 wrap the model in DDP with gradient_as_bucket_view=True; record 19 drops "
                 + "DDP and all-reduces the gradients by hand"),
        // Departures from the data.
        Span(id: "cudnn_sdpa_backend", records: [8...11], followsTasksData: false,
             reason: "records 12 and 13 still call enable_cudnn_sdp(True) / enable_flash_sdp(False), but their "
                 + "attention goes through flex_attention and nothing calls scaled_dot_product_attention, so the "
                 + "backend switch no longer selects anything; tasks.json only retires it in task 13"),
        Span(id: "expandable_segments", records: [17...17, 19...21], followsTasksData: false,
             reason: "record 18 drops the PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True line (task 17 retires "
                 + "it) and record 19 puts it back at the top of the script, unchanged through record 21"),
        Span(id: "merged_qkv_weights", records: [1...4, 20...21], followsTasksData: false,
             reason: "records 1-4 still compute q, k and v with GPT-2's single c_attn Linear(d, 3d); record 5 "
                 + "splits it into c_q/c_k/c_v, and record 20 merges them again into one qkv_w parameter"),
        Span(id: "reduce_host_syncs", records: [15...17, 19...21], followsTasksData: false,
             reason: "record 18 refreshes the window size with sliding_window_num_blocks.copy_(...) on every step, "
                 + "without non_blocking=True and without testing whether it changed; records 15-17 and 19-21 "
                 + "copy asynchronously and only on change (or through a cached pinned tensor)"),
    ]

    /// The records `tasks.json` alone puts the innovation in.
    static func fromTasksData(_ innovation: Innovation) -> Set<Int> {
        let first = innovation.introducedInTask + 1
        let retiredBy = CatalogueData.shared.tasks.filter { $0.retired.contains { $0.id == innovation.id } }.map(\.task).min()
        let last = retiredBy ?? Corpus.recordNumbers.last!
        return first <= last ? Set(first...last) : []
    }

    /// The records expected to show the innovation.
    static func expected(_ innovation: Innovation) -> Set<Int> {
        documented.first { $0.id == innovation.id }?.recordSet ?? fromTasksData(innovation)
    }

    static func describe(_ records: Set<Int>) -> String {
        records.isEmpty ? "none" : records.sorted().map(String.init).joined(separator: ", ")
    }
}

@Suite(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct RecordDetectionTests {
    static let tasks = CatalogueData.shared.tasks.filter { !$0.emptyCodeDiff }.map(\.task)
    static let detectable = CatalogueData.shared.innovations.filter(\.detectable).map(\.id)

    /// Key changes are found in the reference record, and in no earlier record unless that record has the idea
    /// too (`RecordTimeline.documented`: merged q/k/v in records 1-4).
    @Test(arguments: tasks)
    func referenceIntroducesTheKeyChanges(task number: Int) throws {
        let task = try #require(CatalogueData.shared.task(number))
        let reference = try RecordFacts.cached(task.referenceRecord)
        for change in task.keyChanges {
            let innovation = try #require(CatalogueData.shared.innovation(change.id))
            guard innovation.detectable else { continue }
            #expect(reference.contains(change.id), "task \(number): \(change.id) not detected in record \(task.referenceRecord)")
            let hasIt = RecordTimeline.expected(innovation)
            for record in 1...task.baseRecord where !hasIt.contains(record) {
                let earlier = try RecordFacts.cached(record)
                #expect(!earlier.contains(change.id),
                        "task \(number): \(change.id) already detected in record \(record), before its reference record \(task.referenceRecord)")
            }
        }
    }

    /// For every innovation and every record: detected exactly when the record has it. What persists stays
    /// detected through record 21; what a task retires stops being detected from that task's reference record on.
    @Test(arguments: detectable)
    func detectedExactlyInTheRecordsThatHaveIt(innovation id: String) throws {
        let innovation = try #require(CatalogueData.shared.innovation(id))
        let expected = RecordTimeline.expected(innovation)
        for record in Corpus.recordNumbers {
            let found = try RecordFacts.cached(record).contains(id)
            if expected.contains(record) {
                #expect(found, "\(id) not detected in record \(record) (expected in records \(RecordTimeline.describe(expected)))")
            } else {
                #expect(!found, "\(id) detected in record \(record) (expected only in records \(RecordTimeline.describe(expected)))")
            }
        }
    }

    /// The documented spans name real innovations, and each says truthfully whether it follows `tasks.json`
    /// or overrides it, so the table neither hides a departure nor carries a stale override.
    @Test func documentedSpansAgreeWithTheData() throws {
        #expect(Set(RecordTimeline.documented.map(\.id)).count == RecordTimeline.documented.count, "one span per innovation")
        for span in RecordTimeline.documented {
            let innovation = try #require(CatalogueData.shared.innovation(span.id), "\(span.id) is not catalogued")
            #expect(innovation.detectable, "\(span.id) has no detector")
            #expect(!span.reason.isEmpty)
            let data = RecordTimeline.fromTasksData(innovation)
            #expect((data == span.recordSet) == span.followsTasksData,
                    "\(span.id): tasks.json gives records \(RecordTimeline.describe(data)), the table \(RecordTimeline.describe(span.recordSet)); followsTasksData is \(span.followsTasksData)")
            #expect(span.recordSet.contains(innovation.introducedInTask + 1),
                    "\(span.id) must be in its reference record \(innovation.introducedInTask + 1)")
        }
    }
}
