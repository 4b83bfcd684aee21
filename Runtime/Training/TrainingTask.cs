namespace Dsl.Runtime.Training;

/// <summary>What the network learns; decides the default loss, the metrics and the checks of the data.</summary>
public enum TrainingTask
{
    /// <summary>Logits [N, classes] against int64 labels [N]: cross-entropy with label smoothing; accuracy and top-5 accuracy.</summary>
    Classification,

    /// <summary>Float targets of the output's shape: mean squared error (or L1); MSE, MAE and, for images, PSNR.</summary>
    Regression,

    /// <summary>Logits [N, T, V] against int64 ids [N, T] (positions equal to the ignore index do not count): token and exact-sequence accuracy.</summary>
    TokenClassification,
}

/// <summary>The loss of <see cref="TrainingTask.Regression"/>.</summary>
public enum RegressionLoss
{
    /// <summary>Mean squared error.</summary>
    MeanSquaredError,

    /// <summary>Mean absolute error (L1).</summary>
    L1,
}
