# example: FlexAttention, flex_attention and block_mask appear only in comments and a log string; the code uses SDPA with a dense boolean mask, so NOT present.
import torch
import torch.nn.functional as F

# TODO: switch to flex_attention(q, k, v, block_mask=block_mask) once torch 2.5 lands
ATTN_NOTE = "flex_attention with create_block_mask is disabled on this cluster"


def attend(q, k, v):
    t = q.size(-2)
    # a dense mask stands in for a BlockMask here
    allowed = torch.ones(t, t, dtype=torch.bool, device=q.device).tril()
    return F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)


def run_layer(x, w_qkv, w_out, n_head):
    b, t, c = x.shape
    q, k, v = (x @ w_qkv.T).split(c, dim=-1)
    q, k, v = (z.view(b, t, n_head, -1).transpose(1, 2) for z in (q, k, v))
    y = attend(q, k, v).transpose(1, 2).reshape(b, t, c)
    print(ATTN_NOTE)
    return y @ w_out.T
