# example: a BlockMask is built only for a debug printout, while the attention call passes block_mask=None with a score_mod; every tile is computed, so NOT the block-mask FlexAttention idea.
import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


def causal(b, h, q_idx, kv_idx):
    return q_idx >= kv_idx


def soft_cap(score, b, h, q_idx, kv_idx):
    return 30 * torch.tanh(score / 30)


def attend(q, k, v):
    return flex_attention(q, k, v, score_mod=soft_cap, block_mask=None)


if __name__ == "__main__":
    debug_mask = create_block_mask(causal, None, None, 2048, 2048, device="cuda")
    print(debug_mask)
    q = k = v = torch.randn(1, 4, 2048, 64, device="cuda")
    print(attend(q, k, v).shape)
