"""Convolutional architectures: the wide-first-kernel CNN (WDCNN style) and the CNN + bidirectional LSTM."""

from __future__ import annotations

import torch
from torch import nn

from pfd_shared.models.layers import GlobalAvgPool, SignalClassifier, conv_bn_relu
from pfd_shared.models.registry import register_model

FIRST_STRIDE_DIVISOR = 4
"""The wide first kernel moves by a quarter of its length (64 -> stride 16, as in WDCNN)."""
CNN_STAGE_MULTIPLIERS = (1, 2, 4, 4)
LSTM_STAGE_MULTIPLIERS = (1, 2, 2)
LSTM_FIRST_KERNEL = 32
LSTM_FIRST_STRIDE = 8


def _pool() -> nn.MaxPool1d:
    # ceil_mode keeps a length-1 sequence alive, so short windows still reach the global pooling
    return nn.MaxPool1d(2, ceil_mode=True)


@register_model("cnn1d")
class WideKernelCNN(SignalClassifier):
    """A strided wide first kernel (denoising, long receptive field at low cost), then 3-tap conv stages that
    double the width while pooling halves the time axis, then global average pooling."""

    def __init__(self, n_classes: int, in_channels: int = 1, width: int = 16, dropout: float = 0.2,
                 first_kernel: int = 64) -> None:
        widths = [int(width) * m for m in CNN_STAGE_MULTIPLIERS]
        super().__init__(n_classes, widths[-1], dropout)
        kernel = int(first_kernel)
        stride = max(1, kernel // FIRST_STRIDE_DIVISOR)
        layers: list[nn.Module] = [conv_bn_relu(in_channels, widths[0], kernel, stride, (kernel - stride) // 2),
                                   _pool()]
        for c_in, c_out in zip(widths[:-1], widths[1:]):
            layers += [conv_bn_relu(c_in, c_out, 3), _pool()]
        layers.append(conv_bn_relu(widths[-1], widths[-1], 3))
        layers.append(GlobalAvgPool())
        self.body = nn.Sequential(*layers)


class _BiLSTMOverTime(nn.Module):
    """(batch, channels, time) -> mean over time of the bidirectional LSTM's outputs (batch, 2 * hidden)."""

    def __init__(self, channels: int, hidden: int) -> None:
        super().__init__()
        self.lstm = nn.LSTM(channels, hidden, batch_first=True, bidirectional=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(x.transpose(1, 2))
        return out.mean(dim=1)


@register_model("cnn_lstm")
class ConvLSTM(SignalClassifier):
    """A strided conv front end shortens the window 64x, a bidirectional LSTM reads the feature sequence."""

    def __init__(self, n_classes: int, in_channels: int = 1, width: int = 16, hidden: int = 32,
                 dropout: float = 0.2) -> None:
        widths = [int(width) * m for m in LSTM_STAGE_MULTIPLIERS]
        super().__init__(n_classes, 2 * int(hidden), dropout)
        layers: list[nn.Module] = [
            conv_bn_relu(in_channels, widths[0], LSTM_FIRST_KERNEL, LSTM_FIRST_STRIDE,
                         (LSTM_FIRST_KERNEL - LSTM_FIRST_STRIDE) // 2),
            _pool(),
        ]
        for c_in, c_out in zip(widths[:-1], widths[1:]):
            layers += [conv_bn_relu(c_in, c_out, 5), _pool()]
        layers.append(_BiLSTMOverTime(widths[-1], int(hidden)))
        self.body = nn.Sequential(*layers)
