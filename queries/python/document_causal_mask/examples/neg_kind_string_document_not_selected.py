# example: near miss - the mask helper's table holds a same-document predicate, but the kind string the call passes selects only causal and full, so the document test is never applied; negative.
import torch
from torch.nn.attention.flex_attention import flex_attention, create_block_mask

EOT = 50256


def make_block_mask(tokens, kind="causal"):
    parts = [p.strip() for p in kind.split("+")]
    docs = (tokens == EOT).cumsum(0)

    def causal(b, h, qi, ki):
        return qi >= ki

    def same_doc(b, h, qi, ki):
        return docs[qi] == docs[ki]

    def full(b, h, qi, ki):
        return qi >= 0

    rules = {"causal": causal, "doc": same_doc, "full": full}
    chosen = [rules[p] for p in parts]

    def mask_mod(b, h, q_idx, kv_idx):
        allowed = chosen[0](b, h, q_idx, kv_idx)
        for rule in chosen[1:]:
            allowed = allowed & rule(b, h, q_idx, kv_idx)
        return allowed

    return create_block_mask(mask_mod, None, None, len(tokens), len(tokens))


def attend(q, k, v, tokens):
    return flex_attention(q, k, v, block_mask=make_block_mask(tokens, kind="causal+full"))
