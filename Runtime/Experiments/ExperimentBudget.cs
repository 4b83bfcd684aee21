namespace Dsl.Runtime.Experiments;

/// <summary>How much an experiment trains: the default run (minutes on 2 CPU cores), the full-size one, or a smoke run that only checks the pipeline.</summary>
public enum ExperimentBudget
{
    /// <summary>A few steps on a few examples: seconds, numbers without meaning; for tests.</summary>
    Smoke,

    /// <summary>The default: within 30 minutes on 2 CPU cores, on subsets and with fewer epochs than the papers.</summary>
    Default,

    /// <summary><c>--full</c>: the full data set and the papers' depth of training, hours on a CPU.</summary>
    Full,
}
