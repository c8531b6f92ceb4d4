"""The real records of ../shared/corpus through the server: every task's reference implements its key changes and
its base none of them. Skipped when the corpus is absent; everything else in this suite is self-contained."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import pytest_lsp
from pytest_lsp import LanguageClient

from support import CONFIG, CORPUS, custom, ids, missing_key_changes, open_document, start_session

CORPUS_RECORDS = CORPUS / "llm-speedrunner" / "records"

pytestmark = pytest.mark.skipif(not CORPUS_RECORDS.is_dir(),
                                reason=f"needs the benchmark corpus at {CORPUS_RECORDS} (absent)")


@pytest.fixture
def corpus_workspace(tmp_path: Path) -> Path:
    (tmp_path / ".srlens.json").write_text(json.dumps({"task": 4, "records": str(CORPUS_RECORDS)}))
    return tmp_path


@pytest_lsp.fixture(config=CONFIG)
async def corpus_client(lsp_client: LanguageClient, corpus_workspace):
    await start_session(lsp_client, "visual-studio-code", corpus_workspace)
    yield
    await lsp_client.shutdown_session()


def script(record: int) -> Path:
    return CORPUS_RECORDS / f"record_{record}" / "train_gpt2.py"


async def test_every_task_scores_its_reference_and_base(corpus_client: LanguageClient):
    """Key changes nothing in the code can show (`detectable: false`, docs/scoring.md) are neither implemented
    nor missing; every other one is implemented by the reference and missing from the base."""
    tasks = (await custom(corpus_client, "speedrun/tasks", {}))["tasks"]
    assert len(tasks) >= 19, [task["number"] for task in tasks]

    async def score(task, record):
        return await custom(corpus_client, "speedrun/score", {"task": task["number"], "uris": [script(record).as_uri()]})

    scores = await asyncio.gather(*(score(task, task[which]) for task in tasks
                                    for which in ("reference_record", "base_record")))
    for task, reference, base in zip(tasks, scores[0::2], scores[1::2]):
        number, key_changes = task["number"], ids(task["key_changes"])
        assert ids(reference["missing"]) == set(), f"task {number}: the reference misses {reference['missing']}"
        assert ids(base["implemented"]) == set(), f"task {number}: the base implements {base['implemented']}"
        assert ids(base["missing"]) == ids(reference["implemented"]) <= key_changes, \
            f"task {number}: base misses {base['missing']}, reference implements {reference['implemented']}"


async def test_real_record_diagnostics(corpus_client: LanguageClient):
    _, diagnostics = await open_document(corpus_client, script(4))
    assert missing_key_changes(diagnostics) == {"padded_vocab", "relu_squared", "zero_init_projections", "qk_norm",
                                                "head_dim_128", "remove_attn_residual_scale"}
    _, diagnostics = await open_document(corpus_client, script(5))
    assert missing_key_changes(diagnostics) == set()
