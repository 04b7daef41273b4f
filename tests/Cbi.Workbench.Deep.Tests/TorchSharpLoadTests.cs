using Cbi.Workbench.Notebooks;
using TorchSharp;
using static TorchSharp.torch;

namespace Cbi.Workbench.Deep.Tests;

/// <summary>libtorch loads on this machine kind (Debian 12 needs the GLIBCXX build step, see environment.md)
/// both in the test host and inside a notebook run by the headless runner. The inputs are random tensors: these
/// tests check that training mechanics work, not any market result.</summary>
public class TorchSharpLoadTests
{
    [Fact]
    public void tiny_lstm_trains_two_steps_with_finite_loss_and_changed_parameters()
    {
        var (losses, changed) = TrainTinyLstm();
        Assert.Equal(2, losses.Length);
        Assert.All(losses, l => Assert.True(double.IsFinite(l), $"loss {l} is not finite"));
        Assert.True(changed > 0, "no parameter changed after two optimizer steps");
    }

    internal static (double[] Losses, double MaxParameterChange) TrainTinyLstm()
    {
        torch.manual_seed(7);
        using var lstm = nn.LSTM(inputSize: 3, hiddenSize: 8, batchFirst: true);
        using var head = nn.Linear(8, 1);
        var parameters = lstm.parameters().Concat(head.parameters()).ToList();
        var before = parameters.Select(p => p.detach().clone()).ToList();
        using var optimizer = optim.Adam(parameters, lr: 0.01);
        using var x = randn(4, 5, 3);
        using var y = randn(4, 1);
        var losses = new double[2];
        for (var step = 0; step < 2; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var (output, _, _) = lstm.call(x);
            var prediction = head.call(output[.., -1, ..]);
            var loss = nn.functional.mse_loss(prediction, y);
            loss.backward();
            optimizer.step();
            losses[step] = loss.item<float>();
        }
        var change = parameters.Zip(before, (p, b) => (p.detach() - b).abs().max().item<float>()).Max();
        foreach (var b in before) b.Dispose();
        return (losses, change);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void a_notebook_cell_using_torchsharp_runs_under_the_runner()
    {
        var dir = Directory.CreateTempSubdirectory("cbi-torch-nb").FullName;
        var path = Path.Combine(dir, "torch.dib");
        var torchDll = Path.Combine(AppContext.BaseDirectory, "TorchSharp.dll");
        File.WriteAllText(path, $$"""
            #!csharp

            #r "{{torchDll}}"
            using TorchSharp;
            using static TorchSharp.torch;

            #!csharp

            torch.manual_seed(1);
            var lstm = nn.LSTM(3, 8, batchFirst: true);
            var head = nn.Linear(8, 1);
            var opt = optim.Adam(lstm.parameters().Concat(head.parameters()), lr: 0.01);
            var x = randn(4, 5, 3);
            var y = randn(4, 1);
            var losses = new List<float>();
            for (var step = 0; step < 2; step++)
            {
                opt.zero_grad();
                var (o, _, _) = lstm.call(x);
                var loss = nn.functional.mse_loss(head.call(o[.., -1, ..]), y);
                loss.backward();
                opt.step();
                losses.Add(loss.item<float>());
            }
            Console.WriteLine(losses.All(float.IsFinite) ? "finite losses" : "NON-FINITE");
            losses.Count.ToString()
            """);
        var result = NotebookRunner.Run(path, Path.ChangeExtension(path, ".out.ipynb"), new NotebookRunOptions { Progress = TextWriter.Null });
        // The executed notebook as any nbformat reader sees it; the kernel (as dotnet-repl) puts a cell's console text
        // after its displayed values.
        var outputs = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(result.OutputPath))!["cells"]![1]!["outputs"]!.AsArray();
        static string Text(System.Text.Json.Nodes.JsonNode? n) => n is System.Text.Json.Nodes.JsonArray a ? string.Concat(a.Select(x => (string)x!)) : (string?)n ?? "";
        Assert.True(result.ExitCode == 0, outputs.ToJsonString());
        Assert.Equal("2", Text(outputs[0]!["data"]!["text/plain"]));
        Assert.Equal("finite losses\n", Text(outputs[1]!["text"]));
    }
}
