extern alias DslGenerator;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using Dsl.Runtime.Tests.Fuzz;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ModelGenerator = DslGenerator::Dsl.Generator.ModelGenerator;

namespace Dsl.Benchmarks;

/// <summary>
/// The generator's cost in-process, with <see cref="CSharpGeneratorDriver"/>: projects of 1, 10, 100 and 500 models (a
/// third ResNet-56 with its blocks, a third pre-norm Transformers over a symbolic length T, a third small random stacks
/// of 2–9 layers), each model in its own file and namespace.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project Benchmarks -- generator [--quick] [--rounds R] [--sizes 1,10] [--small] [--shared-blocks] [--no-compile] [--write-project DIR]</c>. Per project: a full run on a
/// fresh driver (warm: after full runs until the JIT compiles no more; the median and the fastest round, which a
/// shared machine's neighbours disturb least), its CPU time, GC pauses and managed allocations, the run after one model's file is edited
/// (the incremental driver regenerates only that model), and the compile of the project with the generator against
/// the compile of the same generated code added as ordinary sources (what checking it in would cost), each with its portable PDB as a build writes it: the generated files' text embedded in it, the checked-in files pointed at.
/// </remarks>
internal static class GeneratorTiming
{
    public static int Run(string[] args)
    {
        var quick = args.Contains("--quick");
        var rounds = CommandLine.Option(args, "--rounds", quick ? 3 : 7);
        var sizes = Sizes(args) ?? (quick ? new[] { 1, 10, 100 } : new[] { 1, 10, 100, 500 });
        // --small: every model a small random stack, as in the issue's own measurement (500 models of 2–9 layers).
        var small = args.Contains("--small");
        // --shared-blocks: the ResNet-56s share one declaration of their blocks and the Transformers one of theirs (as
        // ResNet-20, -32 and -56 share BasicBlock in a real project); otherwise each model file declares its own.
        var shared = args.Contains("--shared-blocks");
        // --no-compile: the generator's own columns only (the two compiles are most of a round's time).
        var compile = !args.Contains("--no-compile");
        if (CommandLine.Text(args, "--write-project") is { } folder)
        {
            return WriteProject(folder, sizes, small, shared);
        }

        var lines = new List<string>
        {
            $"Generator time in-process (CSharpGeneratorDriver), {(small ? "every model a small random stack of 2–9 layers" : "a third ResNet-56, a third Transformers, a third small stacks")}{(shared ? ", the blocks declared once for all models" : "")}, median of {rounds} rounds after the warm-up runs below (the JIT at its final tier); Roslyn {typeof(CSharpCompilation).Assembly.GetName().Version}, {Environment.ProcessorCount} cores, {(System.Runtime.GCSettings.IsServerGC ? "server GC (as csc and VBCSCompiler run)" : "workstation GC (csc and VBCSCompiler run the server GC: DOTNET_gcServer=1)")}.",
            "",
            "| Models | full run (fastest) | its CPU time | its GC pauses | per model | allocated | one model edited | a comment edited (in the generator's steps) | compile with generator (PDB with its text) | compile of the same code checked in (PDB) | ratio, per round: median (range) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        };
        var stepLines = new List<string>();
        var warmUpLines = new List<string>();
        var fullStepLines = new List<string>();
        foreach (var size in sizes)
        {
            var trees = Project(size, seed: size, small, shared);
            var full = new List<double>();
            var cpu = new List<double>();
            var pauses = new List<double>();
            var allocated = new List<double>();
            var edited = new List<double>();
            var comment = new List<double>();
            var commentInGenerator = new List<double>();
            var commentSteps = "";
            var withGenerator = new List<double>();
            var checkedIn = new List<double>();
            var compileRatios = new List<double>();
            var parseGenerated = new List<double>();
            var fullSteps = "";
            long generatedChars = 0;
            var warmUp = WarmUp(trees);
            warmUpLines.Add($"- {size} model(s): {warmUp.Count} run(s) before the timed ones, {string.Join(", ", warmUp.Select(Ms))}");
            for (var round = 0; round < rounds; round++)
            {
                var (seconds, cpuSeconds, pauseSeconds, bytes, driver, compilation, output) = FullRun(trees);
                full.Add(seconds);
                cpu.Add(cpuSeconds);
                pauses.Add(pauseSeconds);
                allocated.Add(bytes);
                fullSteps = Steps(driver, 6);

                // One model's file edited (a layer's width changed): the incremental driver regenerates that model only.
                var victim = trees[trees.Count / 2];
                var changed = victim.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(victim.GetText().ToString().Replace("Linear(10", "Linear(11", StringComparison.Ordinal), Encoding.UTF8));
                var clock = Stopwatch.StartNew();
                driver.RunGenerators(compilation.ReplaceSyntaxTree(victim, changed));
                edited.Add(clock.Elapsed.TotalSeconds);

                // An edit that changes no generated output (a comment): every model's output step stays cached.
                var touched = victim.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(victim.GetText() + "\n// edited\n", Encoding.UTF8));
                clock.Restart();
                var afterComment = driver.RunGenerators(compilation.ReplaceSyntaxTree(victim, touched));
                comment.Add(clock.Elapsed.TotalSeconds);
                // The driver's own account: how much of that run was spent inside the generator's steps.
                commentInGenerator.Add(afterComment.GetTimingInfo().GeneratorTimes.Sum(t => t.ElapsedTime.TotalSeconds));
                commentSteps = Steps(afterComment);
                if (!compile)
                {
                    continue;
                }

                // Compile: with the generator (generate + emit) against the generated code as plain sources (emit).
                // The two alternate which goes first (a round's second compile finds the caches warmer), and the first
                // round of each size warms the JIT for both before anything is timed.
                var generatedTexts = output.SyntaxTrees.Skip(compilation.SyntaxTrees.Count()).Select(t => t.GetText()).ToList();
                generatedChars = generatedTexts.Sum(t => (long)t.Length);
                if (round == 0)
                {
                    _ = CompileWithGenerator(compilation);
                    _ = CompileCheckedIn(compilation, generatedTexts);
                }

                double withTime, plainTime;
                if (round % 2 == 0)
                {
                    withTime = CompileWithGenerator(compilation);
                    plainTime = CompileCheckedIn(compilation, generatedTexts);
                }
                else
                {
                    plainTime = CompileCheckedIn(compilation, generatedTexts);
                    withTime = CompileWithGenerator(compilation);
                }

                withGenerator.Add(withTime);
                checkedIn.Add(plainTime);
                compileRatios.Add(withTime / plainTime);
                // Parsing the generated text is Roslyn's work inside the full run, outside the generator's own steps.
                clock.Restart();
                foreach (var text in generatedTexts)
                {
                    _ = CSharpSyntaxTree.ParseText(text, InProcessGenerator.ParseOptions).GetRoot();
                }

                parseGenerated.Add(clock.Elapsed.TotalSeconds);
            }

            var (f, a, e) = (Statistics.Median(full), Statistics.Median(allocated), Statistics.Median(edited));
            var compiles = compile
                ? $"{Ms(Statistics.Median(withGenerator))} | {Ms(Statistics.Median(checkedIn))} | {Statistics.Median(compileRatios):0.00} ({compileRatios.Min():0.00}–{compileRatios.Max():0.00})"
                : "– | – | –";
            lines.Add($"| {size} | {Ms(f)} ({Ms(full.Min())}) | {Ms(Statistics.Median(cpu))} | {Ms(Statistics.Median(pauses))} | {Ms(f / size)} | {a / 1e6:0.0} MB | {Ms(e)} | {Ms(Statistics.Median(comment))} ({Ms(Statistics.Median(commentInGenerator))}) | {compiles} |");
            Console.Error.WriteLine($"generator: {size} models done");
            stepLines.Add($"- {size} model(s), a comment edited: {commentSteps}");
            fullStepLines.Add($"- {size} model(s), full run {Ms(f)}: {fullSteps}" + (compile ? $"; parsing the {generatedChars / 1e6:0.00} M characters generated {Ms(Statistics.Median(parseGenerated))}" : ""));
        }

        lines.Add("");
        lines.Add("Full runs of each project before its timed rounds, until the JIT compiled no more methods (tier-0 code and on-stack replacement at first, as in a build's first projects; a compiler server or IDE runs the final tier):");
        lines.AddRange(warmUpLines);
        lines.Add("");
        lines.Add("Where the generator's time goes after a comment edit (the last round; the driver's tracked steps, largest first):");
        lines.AddRange(stepLines);
        lines.Add("");
        lines.Add("Where a full run's time goes (the last round; the driver's tracked steps, largest first, and Roslyn's parse of the generated text, timed on its own):");
        lines.AddRange(fullStepLines);
        lines.Add("");
        lines.Add($"Command: dotnet run -c Release --project Benchmarks -- generator {string.Join(' ', args.Skip(1))}".TrimEnd());
        Console.Write(string.Join("\n", lines) + "\n");
        return 0;
    }

    /// <summary><c>--sizes 100,500</c>: only those project sizes (to profile one size without the others).</summary>
    private static int[]? Sizes(string[] args)
    {
        if (!args.Contains("--sizes"))
        {
            return null;
        }

        var parts = CommandLine.Text(args, "--sizes")?.Split(',') ?? Array.Empty<string>();
        var sizes = parts.Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0).ToArray();
        return sizes.Length > 0 && sizes.All(n => n >= 1)
            ? sizes
            : throw new ArgumentException("--sizes takes a comma-separated list of positive model counts, e.g. --sizes 100,500");
    }

    /// <summary>
    /// <c>--write-project DIR</c>: the benchmark's models as source files (DIR/Models/M0.cs, ...), for a real build of
    /// them (Benchmarks/real-build.sh), the same models as the in-process timing of that size.
    /// </summary>
    private static int WriteProject(string folder, int[] sizes, bool small, bool shared)
    {
        if (sizes.Length != 1)
        {
            throw new ArgumentException("--write-project writes one project: give its size with --sizes N");
        }

        var models = System.IO.Path.Combine(folder, "Models");
        System.IO.Directory.CreateDirectory(models);
        var trees = Project(sizes[0], seed: sizes[0], small, shared);
        for (var i = 0; i < trees.Count; i++)
        {
            System.IO.File.WriteAllText(System.IO.Path.Combine(models, $"M{i}.cs"), trees[i].GetText().ToString());
        }

        Console.Error.WriteLine($"generator: wrote {trees.Count} model files to {models}");
        return 0;
    }

    /// <summary>
    /// Full runs of the project until a run compiles no new method (tiered compilation has moved the hot methods to
    /// their final tier); the pause lets the background tier-1 compiles land. Each run's time, first to last.
    /// </summary>
    private static List<double> WarmUp(IReadOnlyList<SyntaxTree> trees)
    {
        var times = new List<double>();
        var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        for (var stable = 0; stable < 2 && times.Count < 30;)
        {
            times.Add(FullRun(trees).Seconds);
            System.Threading.Thread.Sleep(300);
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            stable = now == compiled ? stable + 1 : 0;
            compiled = now;
        }

        return times;
    }

    /// <summary>
    /// One full run on a fresh driver: its wall time, the process's CPU time over it (every thread: the server GC's
    /// threads work beside the generator's, so it exceeds the wall time, and it is what a busy build machine pays), the time
    /// the GC held the generator's thread, its allocations.
    /// </summary>
    private static (double Seconds, double CpuSeconds, double PauseSeconds, double Bytes, GeneratorDriver Driver, Compilation Compilation, Compilation Output) FullRun(IReadOnlyList<SyntaxTree> trees)
    {
        var compilation = CSharpCompilation.Create("Project", trees, InProcessGenerator.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        _ = compilation.GetTypeByMetadataName("Dsl.ModelAttribute"); // bind the references outside the timing
        var driver = NewDriver();
        // The process's counters are read outside the allocation count (reading them allocates).
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var pausedBefore = GC.GetTotalPauseDuration();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var seconds = clock.Elapsed.TotalSeconds;
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - before;
        var pauseSeconds = (GC.GetTotalPauseDuration() - pausedBefore).TotalSeconds;
        process.Refresh();
        var cpuSeconds = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("the benchmark's models have errors: " + string.Join("\n", errors.Take(5)));
        }

        return (seconds, cpuSeconds, pauseSeconds, bytes, driver, compilation, output);
    }

    private static readonly Microsoft.CodeAnalysis.Emit.EmitOptions PortablePdb = new(debugInformationFormat: Microsoft.CodeAnalysis.Emit.DebugInformationFormat.PortablePdb);

    // Steps tracked, so a run's time can be split by pipeline step (TrackingNames); tracking costs little next to the steps.
    private static GeneratorDriver NewDriver() =>
        CSharpGeneratorDriver.Create(new[] { new ModelGenerator().AsSourceGenerator() }, parseOptions: InProcessGenerator.ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>A run's time by named pipeline step, largest first.</summary>
    private static string Steps(GeneratorDriver driver, int count = 4) =>
        string.Join(", ", driver.GetRunResult().Results.SelectMany(r => r.TrackedSteps)
            .Select(p => (p.Key, Seconds: p.Value.Sum(step => step.ElapsedTime.TotalSeconds)))
            .OrderByDescending(p => p.Seconds).Take(count).Select(p => $"{p.Key} {Ms(p.Seconds)}"));

    /// <summary>
    /// A build's compile with the generator: a fresh compilation of the same parsed trees (the benchmark's has bound the
    /// models' attributes already, and its symbols cache them, which a build's compilation has not), a fresh driver, the
    /// emit with the generated files' text in the PDB, as csc writes it (they exist on no disk for a debugger to read).
    /// </summary>
    private static double CompileWithGenerator(Compilation compilation)
    {
        var unbound = CSharpCompilation.Create("Project", compilation.SyntaxTrees, InProcessGenerator.References, (CSharpCompilationOptions)compilation.Options);
        var clock = Stopwatch.StartNew();
        NewDriver().RunGeneratorsAndUpdateCompilation(unbound, out var generated, out _);
        Emit(generated, embedded: generated.SyntaxTrees.Skip(unbound.SyntaxTrees.Count()));
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// The same code checked in: the hand-written files are parsed already (as on the generator's side), the checked-in
    /// generated files are parsed inside the timing, as a build parses every source; the PDB points at the files.
    /// </summary>
    private static double CompileCheckedIn(Compilation compilation, IReadOnlyList<Microsoft.CodeAnalysis.Text.SourceText> generatedTexts)
    {
        var clock = Stopwatch.StartNew();
        var plain = CSharpCompilation.Create("CheckedIn",
            compilation.SyntaxTrees.Concat(generatedTexts.Select((t, i) => CSharpSyntaxTree.ParseText(t, InProcessGenerator.ParseOptions, path: $"Generated/M{i}.g.cs"))),
            InProcessGenerator.References, (CSharpCompilationOptions)compilation.Options);
        Emit(plain, embedded: Enumerable.Empty<SyntaxTree>());
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// The assembly and its portable PDB, as a build writes them (the SDK's default DebugType, in Release too), with
    /// <paramref name="embedded"/>'s text inside the PDB.
    /// </summary>
    private static void Emit(Compilation compilation, IEnumerable<SyntaxTree> embedded)
    {
        using var image = new System.IO.MemoryStream();
        using var pdb = new System.IO.MemoryStream();
        var result = compilation.Emit(image, pdb, options: PortablePdb,
            embeddedTexts: embedded.Select(tree => EmbeddedText.FromSource(tree.FilePath, tree.GetText())));
        if (!result.Success)
        {
            throw new InvalidOperationException("the project does not compile: " + string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(5)));
        }
    }

    /// <summary>
    /// The benchmark project: <paramref name="count"/> models, each in its own file and namespace; with
    /// <paramref name="sharedBlocks"/>, the blocks in one more file that every model's namespace imports.
    /// </summary>
    public static IReadOnlyList<SyntaxTree> Project(int count, int seed, bool smallOnly = false, bool sharedBlocks = false)
    {
        var random = new Random(seed);
        var models = Enumerable.Range(0, count).Select(i =>
        {
            var ns = "Bench.M" + i.ToString(CultureInfo.InvariantCulture);
            var body = (smallOnly ? 2 : i % 3) switch
            {
                0 => (sharedBlocks ? "" : ResNet56Blocks) + ResNet56,
                1 => (sharedBlocks ? "" : TransformerBlocks) + Transformer,
                _ => SmallStack(random),
            };
            return InProcessGenerator.Parse($"using Dsl;\n{(sharedBlocks ? "using Bench.Blocks;\n" : "")}\nnamespace {ns};\n\n{body}", $"Model{i}.cs");
        }).ToList();
        if (sharedBlocks && !smallOnly)
        {
            models.Add(InProcessGenerator.Parse($"using Dsl;\n\nnamespace Bench.Blocks;\n\n{ResNet56Blocks}{TransformerBlocks}", "Blocks.cs"));
        }

        return models;
    }

    private const string ResNet56Blocks = """
        [Block]
        [Conv2d(Channels.Same, 3, Padding = 1, Bias = false), BatchNorm2d(Name = "bn1"), ReLU]
        [Conv2d(Channels.Same, 3, Padding = 1, Bias = false), BatchNorm2d(Name = "bn2")]
        [Skip("input", "bn2")]
        [ReLU]
        public partial class Basic { }

        [Block]
        [Conv2d(Channels.Double, 3, Stride = 2, Padding = 1, Bias = false), BatchNorm2d(Name = "bn1"), ReLU]
        [Conv2d(Channels.Same, 3, Padding = 1, Bias = false), BatchNorm2d(Name = "bn2")]
        [Skip("input", "bn2", Projection = true)]
        [ReLU]
        public partial class Down { }


        """;

    private const string ResNet56 = """
        [Model(1, 28, 28)]
        [Conv2d(16, 3, Padding = 1, Bias = false), BatchNorm2d, ReLU]
        [Use<Basic>(Repeat = 9, Name = "stage1")]
        [Use<Down>(Name = "down2"), Use<Basic>(Repeat = 8, Name = "stage2")]
        [Use<Down>(Name = "down3"), Use<Basic>(Repeat = 8, Name = "stage3")]
        [GlobalAvgPool, Linear(10, Name = "fc")]
        public partial class Net { }
        """;

    private const string TransformerBlocks = """
        [Block]
        [LayerNorm(Name = "ln1"), MultiHeadAttention(4, Name = "attn")]
        [Skip("input", "attn")]
        [LayerNorm(Name = "ln2"), Linear(Channels.Quadruple, Name = "fc1"), GELU, Linear(Channels.Input, Name = "fc2")]
        [Skip("attn", "fc2")]
        public partial class Encoder { }


        """;

    private const string Transformer = """
        [Model("T")]
        [Dim("T", Max = 128)]
        [Embedding(1000, 64), PositionalEmbedding(128)]
        [Use<Encoder>(Repeat = 6, Name = "encoder")]
        [LayerNorm, GlobalAvgPool, Linear(10, Name = "head")]
        public partial class Net { }
        """;

    /// <summary>A small random stack of 2 to 9 layers: convolutions over 3×32×32 or a multilayer perceptron.</summary>
    private static string SmallStack(Random random)
    {
        var layers = new List<string>();
        var count = random.Next(2, 10);
        var image = random.Next(2) == 0;
        for (var i = 0; i < count - 1; i++)
        {
            layers.Add(image
                ? new[] { $"Conv2d({8 << random.Next(3)}, 3, Padding = 1)", "BatchNorm2d", "ReLU", "MaxPool2d(2)" }[i % 4 == 3 && i < 12 ? 3 : random.Next(3)]
                : new[] { $"Linear({16 << random.Next(3)})", "ReLU", "LayerNorm", "Dropout(0.1)" }[random.Next(4)]);
        }

        if (image)
        {
            layers.Add("GlobalAvgPool");
        }

        layers.Add("Linear(10)");
        return $"[Model({(image ? "3, 32, 32" : "64")})]\n{string.Join("\n", layers.Select(l => "[" + l + "]"))}\npublic partial class Net {{ }}\n";
    }

    private static string Ms(double seconds) => seconds >= 1 ? $"{seconds:0.00} s" : $"{seconds * 1000:0.0} ms";
}
