using System;
using Dsl.Examples.Models;

// Temporary entry point until the training CLI lands (issue 3): lists the example models and prints their summaries.
foreach (var summary in new[] { TinyResNet.Summary, ResNet20.Summary, UNet.Summary, TinyTransformer.Summary })
{
    Console.WriteLine(summary);
    Console.WriteLine();
}
