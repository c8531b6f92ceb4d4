# example: block-level band built densely - block offsets q_blk - kv_blk in [0, win_blocks) mark visible tiles, whose row sums and descending argsort feed BlockMask.from_kv_blocks; the token mask_mod is only causal; positive.
import torch
from torch.nn.attention.flex_attention import BlockMask, flex_attention


def only_causal(b, h, qi, ki):
    return ki <= qi


class BandedFlexMask:
    def __init__(self, tile=128, win_blocks=12):
        self.tile = tile
        self.win_blocks = win_blocks

    def build(self, length, device):
        blk = torch.arange(length // self.tile, device=device)
        offset = blk[:, None] - blk[None, :]
        tiles = (offset >= 0) & (offset < self.win_blocks)
        kv_num = tiles.sum(dim=-1, dtype=torch.int32)
        kv_idx = tiles.int().argsort(dim=-1, descending=True).int()
        return BlockMask.from_kv_blocks(
            kv_num[None, None], kv_idx[None, None], BLOCK_SIZE=self.tile, mask_mod=only_causal
        )


def run_attention(q, k, v, masker):
    return flex_attention(q, k, v, block_mask=masker.build(q.shape[2], q.device))


if __name__ == "__main__":
    masker = BandedFlexMask()
    q = torch.randn(2, 8, 2048, 64, device="cuda", dtype=torch.bfloat16)
    print(run_attention(q, q, q, masker).shape)
