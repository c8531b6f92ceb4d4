# example: the same hand-parsed document with the window set to null, so the distance bound behind `if limit is not None` never applies; NOT present.
import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

SETTINGS = """
# attention
seq_len: 65536
attn_window: null      # no local window
"""


def read_settings(text):
    table = {}
    for raw in text.splitlines():
        raw = raw.split("#", 1)[0].strip()
        if not raw:
            continue
        name, value = raw.split(":", 1)
        value = value.strip()
        table[name.strip()] = None if value == "null" else int(value)
    return table


cfg = read_settings(SETTINGS)


def attend(q, k, v, doc_ids):
    limit = cfg["attn_window"]

    def keep(b, h, qi, ki):
        ok = (qi >= ki) & (doc_ids[qi] == doc_ids[ki])
        if limit is not None:
            ok = ok & (qi - ki < limit)
        return ok

    n = cfg["seq_len"]
    return flex_attention(q, k, v, block_mask=create_block_mask(keep, None, None, n, n))
