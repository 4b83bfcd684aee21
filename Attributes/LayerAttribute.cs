using System;
using System.Diagnostics;

namespace Dsl;

/// <summary>The base of every layer attribute: layers run in the order their attributes appear on the class.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public abstract class LayerAttribute : Attribute
{
    /// <summary>
    /// The layer's name: what <see cref="SkipAttribute"/> refers to, and the layer's key in the state_dict.
    /// When omitted, the generator numbers layers by kind (<c>conv1</c>, <c>bn1</c>, <c>fc1</c>, …).
    /// </summary>
    public string? Name { get; set; }
}

/// <summary>
/// Channel and feature counts given relative to the layer's input, for blocks that are used at several widths:
/// <c>[Conv2d(Channels.Same, 3)]</c> keeps the width, <c>[Conv2d(Channels.Double, 3, Stride = 2)]</c> doubles it.
/// Encoding: −k means k × the input's channels (or features); −1,000,000 − k means the input's ÷ k;
/// −2,000,000 means the width of the enclosing block's (or model's) input.
/// </summary>
public static class Channels
{
    /// <summary>As many as the layer's input has.</summary>
    public const int Same = -1;

    /// <summary>Twice as many as the layer's input has.</summary>
    public const int Double = -2;

    /// <summary>Three times as many as the layer's input has.</summary>
    public const int Triple = -3;

    /// <summary>Four times as many as the layer's input has (a Transformer MLP's width).</summary>
    public const int Quadruple = -4;

    /// <summary>Half as many as the layer's input has (a bottleneck); the input's count must be even.</summary>
    public const int Half = -1_000_002;

    /// <summary>A quarter as many as the layer's input has (a bottleneck); the input's count must divide by 4.</summary>
    public const int Quarter = -1_000_004;

    /// <summary>As many as the enclosing block's input has (or the model's): <c>Linear(Channels.Input)</c> returns an MLP to the block's width.</summary>
    public const int Input = -2_000_000;
}
