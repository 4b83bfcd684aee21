using Microsoft.CodeAnalysis;

namespace Dsl.Generator;

/// <summary>Placeholder while the pipeline is written.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class ModelGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
    }
}
