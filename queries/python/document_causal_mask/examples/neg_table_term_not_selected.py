# example: near miss - the same table of predicate factories holds a same-document term, but the configured list selects only "causal", so the document predicate is never applied; negative.
import torch
from torch.nn.attention.flex_attention import flex_attention, create_block_mask

CFG = {"mask_terms": ["causal"], "eot": 50256}

TERMS = {
    "causal": lambda env: (lambda b, h, q_idx, kv_idx: q_idx >= kv_idx),
    "same_document": lambda env: (lambda b, h, q_idx, kv_idx: env["docs"][q_idx] == env["docs"][kv_idx]),
}


def build_mask(tokens):
    env = {"docs": (tokens == CFG["eot"]).cumsum(0)}
    preds = [TERMS[name](env) for name in CFG["mask_terms"]]

    def mask_mod(b, h, q_idx, kv_idx):
        keep = preds[0](b, h, q_idx, kv_idx)
        for p in preds[1:]:
            keep = keep & p(b, h, q_idx, kv_idx)
        return keep

    S = len(tokens)
    return create_block_mask(mask_mod, None, None, S, S)


def attend(q, k, v, tokens):
    return flex_attention(q, k, v, block_mask=build_mask(tokens))
