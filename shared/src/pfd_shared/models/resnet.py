"""18-layer 1-D ResNet: strided stem, four stages of two basic blocks (2-2-2-2), global average pooling."""

from __future__ import annotations

import torch
from torch import nn

from pfd_shared.models.layers import GlobalAvgPool, SignalClassifier, conv_bn_relu
from pfd_shared.models.registry import register_model

STEM_KERNEL = 15
STEM_STRIDE = 4
BLOCK_KERNEL = 3
BLOCKS_PER_STAGE = (2, 2, 2, 2)
STAGE_MULTIPLIERS = (1, 2, 4, 8)


class BasicBlock(nn.Module):
    """Two convolutions with an identity (or 1x1 strided projection) shortcut."""

    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        pad = BLOCK_KERNEL // 2
        self.conv1 = nn.Conv1d(c_in, c_out, BLOCK_KERNEL, stride=stride, padding=pad, bias=False)
        self.bn1 = nn.BatchNorm1d(c_out)
        self.conv2 = nn.Conv1d(c_out, c_out, BLOCK_KERNEL, padding=pad, bias=False)
        self.bn2 = nn.BatchNorm1d(c_out)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Sequential(nn.Conv1d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm1d(c_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + self.shortcut(x))


@register_model("resnet1d")
class ResNet1d18(SignalClassifier):
    """ResNet-18 for windows: 1 stem conv + 4 x 2 basic blocks x 2 convs + the linear head = 18 layers."""

    def __init__(self, n_classes: int, in_channels: int = 1, width: int = 16, dropout: float = 0.1) -> None:
        widths = [int(width) * m for m in STAGE_MULTIPLIERS]
        super().__init__(n_classes, widths[-1], dropout)
        layers: list[nn.Module] = [
            conv_bn_relu(in_channels, widths[0], STEM_KERNEL, STEM_STRIDE),
            nn.MaxPool1d(3, stride=2, padding=1),
        ]
        c_in = widths[0]
        for stage, (c_out, blocks) in enumerate(zip(widths, BLOCKS_PER_STAGE)):
            for block in range(blocks):
                layers.append(BasicBlock(c_in, c_out, stride=2 if stage > 0 and block == 0 else 1))
                c_in = c_out
        layers.append(GlobalAvgPool())
        self.body = nn.Sequential(*layers)
