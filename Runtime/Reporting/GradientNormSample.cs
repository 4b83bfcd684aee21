namespace Dsl.Runtime.Reporting;

/// <summary>One row of the gradient-flow log: the gradient norm of one layer at one training step.</summary>
/// <param name="Step">The optimizer step the gradients belong to.</param>
/// <param name="Epoch">The epoch that step is in.</param>
/// <param name="LayerIndex">The layer's position in <c>named_parameters()</c> order (input → output), counting only recorded layers.</param>
/// <param name="Layer">The layer's module path, for example <c>stage1.0.conv1</c>.</param>
/// <param name="Norm">The L2 norm over the gradients of all the layer's parameters.</param>
public sealed record GradientNormSample(long Step, int Epoch, int LayerIndex, string Layer, double Norm);
