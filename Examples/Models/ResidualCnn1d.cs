using Dsl;

namespace Dsl.Examples.Models;

/// <summary>A 1-D residual block over a signal [N, C, L]: two 3-tap convolutions with batch norm, and the input added back.</summary>
[Block]
[Conv1d(Channels.Same, 3, Padding = 1, Bias = false, Name = "conv1"), BatchNorm1d(Name = "bn1"), ReLU]
[Conv1d(Channels.Same, 3, Padding = 1, Bias = false, Name = "conv2"), BatchNorm1d(Name = "bn2")]
[Skip("input", "bn2")]
[ReLU]
public partial class ResidualBlock1d
{
}

/// <summary>
/// A 1-D residual CNN over one-channel series of any length L ≥ 16 (e.g. a window of a time series): a 7-tap stem,
/// two residual stages with a halving max-pool between them, mean pooling over time, and a linear head that
/// forecasts the next 8 values. [N, 1, L] → [N, 8].
/// </summary>
[Model(1, "L")]
[Dim("L", Min = 16)]
[Conv1d(32, 7, Padding = 3, Bias = false, Name = "stem"), BatchNorm1d, ReLU]   // [N, 32, L]
[Use<ResidualBlock1d>(Repeat = 2, Name = "stage1")]
[MaxPool1d(2)]                                                                // [N, 32, floor(L/2)]
[Use<ResidualBlock1d>(Repeat = 2, Name = "stage2")]
[GlobalAvgPool, Linear(8, Name = "head")]                                     // [N, 8]
public partial class ResidualCnn1d
{
}
