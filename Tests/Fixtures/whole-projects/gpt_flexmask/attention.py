"""Block-sparse masks for FlexAttention, assembled tile by tile.

Rather than evaluating a token-level predicate over the whole T x T grid, the
tile-level structure is derived from the first/last document id inside every
128-token tile.  Tiles that are certainly fully visible are listed separately
from tiles that still need the token-level predicate."""
import torch
from torch.nn.attention.flex_attention import BlockMask, flex_attention

flex_attention = torch.compile(flex_attention, dynamic=False)


def _ordered_kv(dense: torch.Tensor):
    """dense (n_q_tiles, n_kv_tiles) bool -> (counts, indices) in FlexAttention layout."""
    counts = dense.sum(dim=-1, dtype=torch.int32)
    order = dense.to(torch.int8).argsort(dim=-1, descending=True, stable=True).to(torch.int32)
    return counts[None, None].contiguous(), order[None, None].contiguous()


def document_ids(tokens: torch.Tensor, eot_id: int) -> torch.Tensor:
    return (tokens == eot_id).cumsum(0)


def build_masks(tokens, eot_id, tile, window_tiles):
    """Return (local_mask, global_mask).

    local: causal, same document, and no more than `window_tiles` tiles back.
    global: causal and same document, no distance limit.
    """
    T = tokens.numel()
    assert T % tile == 0
    docs = document_ids(tokens, eot_id)

    def same_doc_causal(b, h, q_idx, kv_idx):
        return (q_idx >= kv_idx) & (docs[q_idx] == docs[kv_idx])

    n = T // tile
    tiles = torch.arange(n, dtype=torch.int32, device=tokens.device)
    per_tile = docs.view(n, tile)
    first_doc, last_doc = per_tile[:, 0].contiguous(), per_tile[:, -1].contiguous()
    q, kv = tiles[:, None], tiles[None, :]

    causal_some = q >= kv
    causal_all = q > kv
    doc_some = (first_doc[:, None] <= last_doc[None, :]) & (first_doc[None, :] <= last_doc[:, None])
    doc_all = (first_doc[:, None] == last_doc[None, :]) & (first_doc[None, :] == last_doc[:, None])
    visible = causal_some & doc_some
    fully = causal_all & doc_all

    def make(limit):
        vis, full = visible, fully
        if limit is not None:
            near = (q - kv) < limit
            vis, full = vis & near, full & near
        partial = vis & ~full
        kv_num, kv_idx = _ordered_kv(partial)
        full_num, full_idx = _ordered_kv(full)
        return BlockMask.from_kv_blocks(kv_num, kv_idx, full_num, full_idx,
                                        BLOCK_SIZE=tile, mask_mod=same_doc_causal)

    return make(window_tiles), make(None)


def attend(q, k, v, block_mask):
    """q, k, v: (B, T, H, D) -> (B, T, H, D)."""
    y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=block_mask)
    return y.transpose(1, 2)
