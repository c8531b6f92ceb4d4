# example: a mask helper whose '|'-separated kind string picks predicate functions from a table, conjoined with &= in a loop; the configured kind selects the causal and local-window terms; positive.
import torch
from torch.nn.attention.flex_attention import flex_attention, create_block_mask


class Config:
    mask_kind = "causal|local"
    window = 512
    seq_len = 8192


def build_mask(kind, window, seq_len):
    names = kind.split("|")

    def causal(b, h, qi, ki):
        return qi >= ki

    def local(b, h, qi, ki):
        return qi - ki < window

    table = {"causal": causal, "local": local}
    preds = [table[n] for n in names]

    def mask_mod(b, h, q_idx, kv_idx):
        keep = True
        for pred in preds:
            keep &= pred(b, h, q_idx, kv_idx)
        return keep

    return create_block_mask(mask_mod, None, None, seq_len, seq_len)


def attend(q, k, v, cfg=Config()):
    mask = build_mask(Config.mask_kind, Config.window, Config.seq_len)
    return flex_attention(q, k, v, block_mask=mask)
