# example: settings come from a key: value document in the script read by the script's own line parser; the mask bounds the distance by the configured 1024-token window; positive.
import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

SETTINGS = """
# attention
seq_len: 65536
attn_window: 1024      # tokens a query may look back
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
