using Dsl;

namespace Dsl.Examples.Models;

/// <summary>The residual block of the forecasters: two 3-tap convolutions with batch norm, and the input added back (the layers of <c>ResidualBlock1d</c>).</summary>
[Block]
[Conv1d(Channels.Same, 3, Padding = 1, Bias = false, Name = "conv1"), BatchNorm1d(Name = "bn1"), ReLU]
[Conv1d(Channels.Same, 3, Padding = 1, Bias = false, Name = "conv2"), BatchNorm1d(Name = "bn2")]
[Skip("input", "bn2")]
[ReLU]
public partial class ForecastBlock1d
{
}

/// <summary><see cref="ForecastBlock1d"/> without its skip: the same two convolutions and norms, the control.</summary>
[Block]
[Conv1d(Channels.Same, 3, Padding = 1, Bias = false, Name = "conv1"), BatchNorm1d(Name = "bn1"), ReLU]
[Conv1d(Channels.Same, 3, Padding = 1, Bias = false, Name = "conv2"), BatchNorm1d(Name = "bn2"), ReLU]
public partial class PlainBlock1d
{
}

/// <summary>
/// A 1-D residual CNN forecaster: a window of 96 values in, the next 24 out. A 7-tap stem, two stages of three
/// residual blocks (13 convolutions in all) with a halving max-pool after each, and a linear head over the whole
/// flattened feature map (so the head knows where in the window each feature is). [N, 1, 96] → [N, 24].
/// </summary>
[Model(1, 96)]
[Conv1d(32, 7, Padding = 3, Bias = false, Name = "stem"), BatchNorm1d, ReLU]   // [N, 32, 96]
[Use<ForecastBlock1d>(Repeat = 3, Name = "stage1")]
[MaxPool1d(2)]                                                                // [N, 32, 48]
[Use<ForecastBlock1d>(Repeat = 3, Name = "stage2")]
[MaxPool1d(2)]                                                                // [N, 32, 24]
[Flatten, Linear(24, Name = "head")]                                          // [N, 24]
public partial class ForecastResNet1d
{
}

/// <summary><see cref="ForecastResNet1d"/> without its skips (<see cref="PlainBlock1d"/>): the same layers and parameters.</summary>
[Model(1, 96)]
[Conv1d(32, 7, Padding = 3, Bias = false, Name = "stem"), BatchNorm1d, ReLU]
[Use<PlainBlock1d>(Repeat = 3, Name = "stage1")]
[MaxPool1d(2)]
[Use<PlainBlock1d>(Repeat = 3, Name = "stage2")]
[MaxPool1d(2)]
[Flatten, Linear(24, Name = "head")]
public partial class ForecastPlain1d
{
}
