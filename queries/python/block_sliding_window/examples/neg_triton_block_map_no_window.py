# example: the same Triton block map, but it keeps every causal tile of the document (no (qb - kb) < span term) and the mask function has no window either: no sliding window at all; negative.
import torch
import triton
import triton.language as tl
from torch.nn.attention.flex_attention import BlockMask

TILE = 128


@triton.jit
def _tile_map(first_ptr, last_ptr, span_ptr, out_ptr, n_tiles, BLOCK: tl.constexpr):
    qb = tl.program_id(0)
    q_lo = tl.load(first_ptr + qb)
    for start in range(0, n_tiles, BLOCK):
        kb = start + tl.arange(0, BLOCK)
        ok = kb < n_tiles
        k_hi = tl.load(last_ptr + kb, mask=ok, other=-1)
        visible = (kb <= qb) & (q_lo <= k_hi)
        tl.store(out_ptr + qb * n_tiles + kb, visible.to(tl.int32), mask=ok)


def tile_mask(tokens, span_tiles, eot=50256):
    n = tokens.numel()
    tiles = n // TILE
    doc = (tokens == eot).cumsum(0).to(torch.int32)
    first = doc.view(tiles, TILE)[:, 0].contiguous()
    last = doc.view(tiles, TILE)[:, -1].contiguous()
    tile_map = torch.empty((tiles, tiles), dtype=torch.int32, device=tokens.device)
    _tile_map[(tiles,)](first, last, span_tiles, tile_map, tiles, BLOCK=128)

    def same_doc_causal(b, h, q, k):
        return (k <= q) & (doc[q] == doc[k])

    counts = tile_map.sum(dim=-1, dtype=torch.int32)
    order = tile_map.argsort(dim=-1, descending=True, stable=True).to(torch.int32)
    return BlockMask.from_kv_blocks(counts[None, None], order[None, None], BLOCK_SIZE=TILE, mask_mod=same_doc_causal)
