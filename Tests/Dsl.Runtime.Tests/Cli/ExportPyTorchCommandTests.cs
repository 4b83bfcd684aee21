using System.IO;
using Dsl.Runtime.Checkpoints;
using Xunit;
using Xunit.Abstractions;

namespace Dsl.Runtime.Tests.Cli;

/// <summary><c>export pytorch</c>: model.py with the weights as .pth and .safetensors, fresh or from a checkpoint; one-line errors.</summary>
[Collection("training")]
public sealed class ExportPyTorchCommandTests
{
    private readonly ITestOutputHelper _output;

    public ExportPyTorchCommandTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Exporting_a_checkpoint_writes_source_and_weights_that_PyTorch_loads_with_the_normalisation_kept()
    {
        using var temp = new TempDirectory();
        var run = Path.Combine(temp.Path, "run");
        var (code, _, error) = CliTests.Run("train", "TinyResNet", "--epochs", "1", "--limit", "64", "--batch-size", "32", "--device", "cpu",
            "--validation", "0", "--out", run);
        Assert.True(code == 0, error);

        var exported = Path.Combine(temp.Path, "exported");
        (code, var output, error) = CliTests.Run("export", "pytorch", "TinyResNet", "--out", exported, "--checkpoint", Path.Combine(run, "checkpoints", "last.ckpt"));
        Assert.True(code == 0, error);
        Assert.Contains("wrote model.py, model.pth and model.safetensors", output);
        Assert.Equal(Examples.Find("TinyResNet").PyTorchSource + "\n", File.ReadAllText(Path.Combine(exported, "model.py")));
        Assert.Equal(Weights.ReadNormalization(Path.Combine(run, "model.safetensors")), Weights.ReadNormalization(Path.Combine(exported, "model.safetensors")));
        using (var model = Examples.Create(Examples.Find("TinyResNet")))
        {
            Weights.Load(model, Path.Combine(exported, "model.safetensors"));
        }

        if (!Python.Available(_output.WriteLine)) return;
        File.WriteAllText(Path.Combine(temp.Path, "load.py"), """
            import sys, torch
            sys.path.insert(0, sys.argv[1])
            from model import TinyResNet
            m = TinyResNet()
            m.load_state_dict(torch.load(sys.argv[1] + "/model.pth"), strict=True)
            print("output", tuple(m.eval()(torch.randn(2, 1, 28, 28)).shape))
            """);
        Assert.Contains("output (2, 10)", Python.Run(Path.Combine(temp.Path, "load.py"), [exported]));
    }

    [Fact]
    public void Without_a_checkpoint_the_weights_are_fresh_and_seeded()
    {
        using var temp = new TempDirectory();
        var (code, _, error) = CliTests.Run("export", "pytorch", "ResNet20", "--out", Path.Combine(temp.Path, "a"), "--seed", "5");
        Assert.True(code == 0, error);
        (code, _, error) = CliTests.Run("export", "pytorch", "ResNet20", "--out", Path.Combine(temp.Path, "b"), "--seed", "5");
        Assert.True(code == 0, error);
        Assert.Equal(File.ReadAllBytes(Path.Combine(temp.Path, "a", "model.safetensors")), File.ReadAllBytes(Path.Combine(temp.Path, "b", "model.safetensors")));
        Assert.Null(Weights.ReadNormalization(Path.Combine(temp.Path, "a", "model.safetensors")));
    }

    [Fact]
    public void Bad_names_checkpoints_and_folders_are_one_line_errors()
    {
        using var temp = new TempDirectory();
        var file = temp.Write("taken", new byte[] { 1 });
        foreach (var (args, expected, exitCode) in new (string[], string, int)[]
                 {
                     (["export", "pytorch", "NoSuchNet", "--out", temp.File("x")], "unknown model 'NoSuchNet'", 2),
                     (["export", "pytorch", "TinyResNet"], "export pytorch needs --out DIR", 2),
                     (["export", "pytorch", "TinyResNet", "--out", file], "is a file; give a folder", 2),
                     (["export", "pytorch", "TinyResNet", "--out", temp.File("y"), "--checkpoint", temp.File("missing.ckpt")], "does not exist", 1),
                     (["export", "pytorch", "TinyResNet", "--out", temp.File("z"), "--checkpoint", file], "taken", 1),
                 })
        {
            var (code, _, error) = CliTests.Run(args);
            Assert.Equal(exitCode, code);
            Assert.Contains(expected, error);
            Assert.Single(error.TrimEnd().Split('\n'));
        }

        Assert.False(Directory.Exists(temp.File("z")), "a checkpoint that does not load leaves no output folder");
    }
}
