using System;

namespace Dsl.Runtime.Data;

/// <summary>A training set and a test set, and where they came from. Disposing it disposes both.</summary>
/// <param name="Train">The training examples.</param>
/// <param name="Test">The test examples.</param>
/// <param name="Source">Where they came from, for people: e.g. "/usr/share/datasets/fashion-mnist (60,000 train / 10,000 test)".</param>
public sealed record DataSplit(TensorDataset Train, TensorDataset Test, string Source) : IDisposable
{
    /// <summary>Frees both data sets' tensors.</summary>
    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
    }
}
