using System;
using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dsl.Runtime.Training;

/// <summary>The optimizers the trainer offers.</summary>
public enum OptimizerKind
{
    /// <summary>Stochastic gradient descent with optional (Nesterov) momentum and L2 weight decay.</summary>
    Sgd,

    /// <summary>Adam (L2 weight decay added to the gradient, as PyTorch's Adam).</summary>
    Adam,

    /// <summary>AdamW (decoupled weight decay).</summary>
    AdamW,
}

/// <summary>Builds the optimizer from the options, with PyTorch's defaults where the options leave a value open.</summary>
internal static class Optimizers
{
    /// <summary>PyTorch's default weight decay: 0 for SGD and Adam, 0.01 for AdamW (TorchSharp 0.107's AdamW defaults to 0).</summary>
    public static double DefaultWeightDecay(OptimizerKind kind) => kind == OptimizerKind.AdamW ? 0.01 : 0.0;

    public static optim.Optimizer Create(IEnumerable<Parameter> parameters, TrainerOptions options)
    {
        var decay = options.WeightDecay ?? DefaultWeightDecay(options.Optimizer);
        return options.Optimizer switch
        {
            OptimizerKind.Sgd => optim.SGD(parameters, options.LearningRate, momentum: options.Momentum,
                weight_decay: decay, nesterov: options.Nesterov && options.Momentum > 0),
            OptimizerKind.Adam => optim.Adam(parameters, options.LearningRate, weight_decay: decay),
            OptimizerKind.AdamW => optim.AdamW(parameters, options.LearningRate, weight_decay: decay),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Optimizer, "unknown optimizer"),
        };
    }

    /// <summary>Sets the rate of every parameter group (the schedule is ours, not a TorchSharp scheduler).</summary>
    public static void SetLearningRate(optim.Optimizer optimizer, double rate)
    {
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = rate;
        }
    }
}
