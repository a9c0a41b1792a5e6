"""The layers, one family per file."""
from .activation import GELU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Tanh  # noqa: F401
from .activation import (CELU, ELU, GLU, Hardshrink, Hardsigmoid, Hardswish, Hardtanh,  # noqa: F401
                         LeakyReLU, LogSigmoid, Mish, ReLU6, SELU, Softplus, Softshrink, Softsign,
                         Tanhshrink, Threshold, Softmin, Softmax2d, PReLU)
from .attention import MultiheadAttention, NonDynamicallyQuantizableLinear  # noqa: F401
from .container import (ModuleDict, ModuleList, ParameterDict, ParameterList,  # noqa: F401
                        Sequential)
from .distance import CosineSimilarity, PairwiseDistance  # noqa: F401
from .dropout import (AlphaDropout, Dropout, Dropout1d, Dropout2d, Dropout3d,  # noqa: F401
                      FeatureAlphaDropout)
from .flatten import Flatten, Unflatten  # noqa: F401
from .linear import Identity, Linear  # noqa: F401
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss,  # noqa: F401
                   NLLLoss, SmoothL1Loss, CosineEmbeddingLoss, GaussianNLLLoss,
                   HingeEmbeddingLoss, HuberLoss, KLDivLoss, MarginRankingLoss,
                   MultiLabelSoftMarginLoss, PoissonNLLLoss, SoftMarginLoss, TripletMarginLoss)
from .module import Module  # noqa: F401
from .normalization import LayerNorm, RMSNorm  # noqa: F401
from .padding import (ConstantPad1d, ZeroPad1d, ReflectionPad1d, ReplicationPad1d, CircularPad1d,  # noqa: F401
                      ConstantPad2d, ZeroPad2d, ReflectionPad2d, ReplicationPad2d, CircularPad2d,
                      ConstantPad3d, ZeroPad3d, ReflectionPad3d, ReplicationPad3d, CircularPad3d)
from .sparse import Embedding  # noqa: F401
from .batchnorm import (BatchNorm1d, BatchNorm2d, BatchNorm3d, GroupNorm,  # noqa: F401
                        InstanceNorm1d, InstanceNorm2d, InstanceNorm3d)
from .conv import (Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d,  # noqa: F401
                   ConvTranspose3d)
from .pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d,  # noqa: F401
                      AdaptiveMaxPool2d, AvgPool1d, AvgPool2d, LPPool1d, LPPool2d, LPPool3d,
                   MaxPool1d, MaxPool2d, MaxPool3d, AvgPool3d, AdaptiveAvgPool3d,
                   AdaptiveMaxPool3d, MaxUnpool1d, MaxUnpool2d, MaxUnpool3d)

from ... import _lazy  # noqa: E402

# Loaded on first use (zerograd.nn.LSTM imports rnn.py then): each layer's file, by name.
# zerograd.nn reads the same table.
FIRST_USE = {name: file for file, names in {
    "rnn": ("RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"),
    "transformer": ("Transformer", "TransformerEncoder", "TransformerDecoder",
                    "TransformerEncoderLayer", "TransformerDecoderLayer"),
    "resample": ("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "Fold", "Unfold",
                 "PixelShuffle", "PixelUnshuffle"),
    "extra": ("Bilinear", "LocalResponseNorm", "RReLU", "MultiMarginLoss",
              "MultiLabelMarginLoss", "TripletMarginWithDistanceLoss", "EmbeddingBag",
              "ChannelShuffle"),
    "ctc": ("CTCLoss",),
    "lazy": ("LazyLinear", "LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d",
             "LazyConvTranspose2d", "LazyConvTranspose3d", "LazyBatchNorm1d", "LazyBatchNorm2d",
             "LazyBatchNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d",
             "LazyInstanceNorm3d"),
}.items() for name in names}

__getattr__, __dir__ = _lazy.attach(globals(), sorted(set(FIRST_USE.values())),
                                    {name: (file, name) for name, file in FIRST_USE.items()})
