"""zerograd.nn: modules, layers, losses, functional and init, as torch.nn.

    import zerograd as torch
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    loss = torch.nn.functional.cross_entropy(net(x), y)
"""
from . import functional, init, utils  # noqa: F401
from .modules import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, Dropout,  # noqa: F401
                      Embedding, Flatten, GELU, Identity, L1Loss, LayerNorm, Linear, LogSoftmax,
                      Module, ModuleDict, ModuleList, MSELoss, MultiheadAttention, NLLLoss,
                      ReLU, RMSNorm, Sequential, Sigmoid, SiLU, SmoothL1Loss, Softmax, Tanh,
                      Unflatten)
from .modules.activation import (CELU, ELU, GLU, Hardshrink, Hardsigmoid, Hardswish,  # noqa: F401
                                Hardtanh, LeakyReLU, LogSigmoid, Mish, ReLU6, SELU, Softplus,
                                Softshrink, Softsign, Tanhshrink, Threshold)
from .modules.activation import PReLU, Softmax2d, Softmin  # noqa: F401
from .modules.container import ParameterDict, ParameterList  # noqa: F401
from .modules.distance import CosineSimilarity, PairwiseDistance  # noqa: F401
from .modules.dropout import (AlphaDropout, Dropout1d, Dropout2d, Dropout3d,  # noqa: F401
                              FeatureAlphaDropout)
from .modules.loss import (CosineEmbeddingLoss, GaussianNLLLoss, HingeEmbeddingLoss,  # noqa: F401
                           HuberLoss, KLDivLoss, MarginRankingLoss, MultiLabelSoftMarginLoss,
                           PoissonNLLLoss, SoftMarginLoss, TripletMarginLoss)
from .modules.padding import *  # noqa: F401,F403  (ConstantPad1d ... CircularPad3d)
from .parameter import Buffer, Parameter  # noqa: F401
from .parameter import UninitializedBuffer, UninitializedParameter  # noqa: F401
from .modules.batchnorm import (BatchNorm1d, BatchNorm2d, BatchNorm3d, GroupNorm,  # noqa: F401
                                InstanceNorm1d, InstanceNorm2d, InstanceNorm3d)
from .modules.conv import (Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d,  # noqa: F401
                           ConvTranspose3d)
from .modules.pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d,  # noqa: F401
                              AdaptiveMaxPool2d, AvgPool1d, AvgPool2d, LPPool1d, LPPool2d, LPPool3d,
                              MaxPool1d, MaxPool2d, MaxPool3d, AvgPool3d, AdaptiveAvgPool3d,
                              AdaptiveMaxPool3d, MaxUnpool1d, MaxUnpool2d, MaxUnpool3d)

# Layers a training process may never touch load on first use (zerograd.nn.LSTM imports
# modules/rnn.py then): import time and memory stay what the common models need.
from .. import _lazy  # noqa: E402

from .modules import FIRST_USE as _FIRST_USE  # noqa: E402
_ON_FIRST_USE = {name: ("modules." + file, name) for name, file in _FIRST_USE.items()}
__getattr__, __dir__ = _lazy.attach(globals(), ["attention"], _ON_FIRST_USE)
