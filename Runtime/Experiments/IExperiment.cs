namespace Dsl.Runtime.Experiments;

/// <summary>
/// One reproducible experiment behind <c>experiment &lt;name&gt;</c>: it trains what it needs through the
/// <see cref="ExperimentContext"/> and writes its findings into the context's <see cref="ExperimentReport"/>.
/// The tool finds every public, non-abstract implementation with a parameterless constructor in the program's assembly.
/// </summary>
public interface IExperiment
{
    /// <summary>The command-line name (<c>depth</c>, <c>stochastic-depth</c>): lower case, words joined by hyphens.</summary>
    string Name { get; }

    /// <summary>The report's title: the claim the experiment tests.</summary>
    string Title { get; }

    /// <summary>One line for <c>experiment --help</c> and the index of reports.</summary>
    string Description { get; }

    /// <summary>How many seeds a default run uses when <c>--seeds</c> is not given.</summary>
    int DefaultSeeds => 1;

    /// <summary>Runs the experiment: trains, measures and writes the report's sections.</summary>
    void Run(ExperimentContext context);
}
