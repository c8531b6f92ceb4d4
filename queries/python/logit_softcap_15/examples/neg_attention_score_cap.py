# example: 15 * tanh(score / 15) caps attention scores inside a flex score_mod while the lm_head logits use a cap of 30; NOT the logit soft-cap 15 (near miss).
import torch
import torch.nn.functional as F
from torch.nn.attention.flex_attention import flex_attention


def tanh_score_cap(score, b, h, q_idx, kv_idx):
    return 15 * torch.tanh(score / 15)


def attention(q, k, v, block_mask):
    return flex_attention(q, k, v, score_mod=tanh_score_cap, block_mask=block_mask)


def output_loss(x, lm_head, targets):
    logits = lm_head(x)
    logits = 30 * torch.tanh(logits / 30)
    return F.cross_entropy(logits.float().view(-1, logits.size(-1)), targets.view(-1))
