# example: flash_attn_func is given window_size=(-1, -1), which disables the local window, and a window_mask is computed but never returned; NOT sliding-window attention (near miss).
import torch
from flash_attn import flash_attn_func
from torch.nn.attention.flex_attention import create_block_mask

WINDOW = 1024


def attention(q, k, v):
    # (-1, -1) means an unbounded window in flash-attn
    return flash_attn_func(q, k, v, causal=True, window_size=(-1, -1))


def make_mask(seq_len):
    def mask_mod(b, h, q_idx, kv_idx):
        window_mask = q_idx - kv_idx < WINDOW  # left over from an ablation
        return q_idx >= kv_idx

    return create_block_mask(mask_mod, None, None, seq_len, seq_len)


if __name__ == "__main__":
    q = k = v = torch.randn(1, 2048, 12, 64, device="cuda", dtype=torch.bfloat16)
    print(attention(q, k, v).shape, make_mask(2048))
