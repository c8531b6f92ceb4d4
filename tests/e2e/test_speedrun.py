"""The custom `speedrun/...` requests, on the demo's task 4."""

from __future__ import annotations

import asyncio
import json
import shutil

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from support import (SUBMISSIONS, TASK4_KEY_CHANGES, TIMEOUT, custom, ids, line_of, open_document, to_json,
                     until)

REQUEST_CANCELLED = -32800


async def test_tasks(client: LanguageClient):
    tasks = {task["number"]: task for task in (await custom(client, "speedrun/tasks", {}))["tasks"]}
    assert set(tasks) >= set(range(1, 20)), "the catalogue's 19 tasks"
    assert tasks[4]["base_record"] == 4 and tasks[4]["reference_record"] == 5, tasks[4]
    assert ids(tasks[4]["key_changes"]) == TASK4_KEY_CHANGES


async def test_classify_a_file_on_disk(client: LanguageClient):
    path = client.root / "reference.py"
    result = await custom(client, "speedrun/classify", {"uri": path.as_uri()})
    innovations = {innovation["id"]: innovation for innovation in result["innovations"]}
    assert set(innovations) >= TASK4_KEY_CHANGES, sorted(innovations)
    line = line_of(path, "return self.c_proj(F.relu(self.c_fc(x)).square())")
    evidence = innovations["relu_squared"]["evidence"]
    assert any(item["range"]["start"]["line"] == line and "F.relu" in item["code"] for item in evidence), evidence
    assert all(item["path"].endswith("reference.py") and item["note"] for item in evidence), evidence


@pytest.mark.parametrize("name, implemented, recall", [("base.py", set(), 0), ("reference.py", TASK4_KEY_CHANGES, 1)])
@pytest.mark.parametrize("explicit_task", [False, True], ids=["workspace-task", "explicit-task"])
async def test_score(client: LanguageClient, name, implemented, recall, explicit_task):
    params = {"uris": [(client.root / name).as_uri()]}
    if explicit_task:
        params["task"] = 4
    score = await custom(client, "speedrun/score", params)
    assert score["task"] == 4
    assert ids(score["implemented"]) == implemented
    assert ids(score["missing"]) == TASK4_KEY_CHANGES - implemented
    assert score["recall"] == pytest.approx(recall)
    assert 0 <= score["structural_score"] <= 1 and (score["structural_score"] > 0) == bool(implemented), score
    assert score["findings"] == []


async def test_score_reads_the_open_buffer(client: LanguageClient):
    path = client.root / "base.py"
    text = path.read_text().replace("vocab_size: int = 50257", "vocab_size: int = 50304")
    uri, _ = await open_document(client, path, text=text)
    score = await custom(client, "speedrun/score", {"uris": [uri]})
    assert ids(score["implemented"]) == {"padded_vocab"}, \
        f"the open buffer pads the vocabulary (the file on disk does not): implemented {score['implemented']}"


async def test_check(client: LanguageClient):
    findings = (await custom(client, "speedrun/check", {"uris": [(client.root / "invalid.py").as_uri()]}))["findings"]
    assert [(f["rule"], f["severity"]) for f in findings] == [("validation-changed", "error")], findings
    clean = await custom(client, "speedrun/check", {"task": 4, "uris": [(client.root / "reference.py").as_uri()]})
    assert clean["findings"] == [], clean


async def test_diff(client: LanguageClient):
    changes = (await custom(client, "speedrun/diff", {"old_uri": (client.root / "base.py").as_uri(),
                                                      "new_uri": (client.root / "reference.py").as_uri()}))["changes"]
    text = json.dumps(changes)
    for entity in ("MLP.forward", "CausalSelfAttention.forward", "Block.__init__", "GPTConfig.vocab_size"):
        assert entity in text, f"{entity} changed from record 4 to record 5: {changes}"


async def test_ingest_run(client: LanguageClient):
    result = await custom(client, "speedrun/ingestRun", {"uri": (SUBMISSIONS / "agent_a" / "train.log").as_uri()})
    # The parsed log as docs/protocol.md shows it: one run, its final validation and time to target.
    runs = result["log"]["runs"]
    assert len(runs) == 1, result
    assert runs[0]["final_validation"]["loss"] == 3.279 and runs[0]["final_validation"]["step"] == 3000, result
    assert runs[0]["time_to_target"]["reached"]["train_time_ms"] == 1116000, result


async def test_batch_score_reports_progress_and_fills_the_store(client: LanguageClient):
    token = "srlens-e2e-batch"
    client.progress_reports[token] = []
    await custom(client, "speedrun/batchScore", {"directory": str(SUBMISSIONS), "task": 4, "label": "e2e",
                                                 "workDoneToken": token})
    reports = await until(lambda: (r := client.progress_reports[token]) and isinstance(r[-1], types.WorkDoneProgressEnd)
                          and r, "the end of the batch's progress")
    assert isinstance(reports[0], types.WorkDoneProgressBegin), reports
    rows = (await custom(client, "speedrun/query", {"task": 4}))["rows"]
    assert len(rows) == 6, f"six submissions, agent_d stored with its error: {rows}"
    assert len((await custom(client, "speedrun/query", {"innovation": "relu_squared"}))["rows"]) == 3


async def test_query_limit(client: LanguageClient):
    await custom(client, "speedrun/batchScore", {"directory": str(SUBMISSIONS), "task": 4})
    limited = (await custom(client, "speedrun/query", {"limit": 2}))["rows"]
    assert len(limited) == 2, f"limit 2: {len(limited)} rows"


async def test_batch_score_can_be_cancelled(client: LanguageClient, tmp_path):
    directory = tmp_path / "many"
    for index in range(200):
        copy = directory / f"agent_{index:03d}"
        shutil.copytree(SUBMISSIONS / "agent_a", copy)
        with open(copy / "train_gpt2.py", "a") as script:
            script.write(f"# copy {index}\n")
    token, request_id = "srlens-e2e-cancel", "srlens-e2e-cancel-request"
    client.progress_reports[token] = []
    request = asyncio.ensure_future(client.protocol.send_request_async(
        "speedrun/batchScore", {"directory": str(directory), "task": 4, "label": "cancelled", "workDoneToken": token},
        msg_id=request_id))
    await until(lambda: client.progress_reports[token], "the batch to begin")
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=request_id))
    with pytest.raises(JsonRpcException) as error:
        await asyncio.wait_for(request, TIMEOUT)
    assert error.value.code == REQUEST_CANCELLED, error.value
    assert 4 in {task["number"] for task in (await custom(client, "speedrun/tasks", {}))["tasks"]}, \
        "the server serves on after a cancellation"


async def test_bad_request_leaves_the_server_serving(client: LanguageClient):
    try:
        to_json(await client.protocol.send_request_async("speedrun/classify", {"uri": "file:///nonexistent/x.py"}))
    except JsonRpcException:
        pass
    with pytest.raises(JsonRpcException):
        await client.protocol.send_request_async("speedrun/score", {"uris": "not a list"})
    assert (await custom(client, "speedrun/tasks", {}))["tasks"]
