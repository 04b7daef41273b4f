using System.Diagnostics;
using Cbi.Workbench.Deep;
using Cbi.Workbench.Deep.Nets;
using Cbi.Workbench.Features;
using Cbi.Workbench.Models;
using Cbi.Workbench.Tests.Data;
using TorchSharp;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace Cbi.Workbench.Tests.Deep;

/// <summary>The TorchSharp networks and their training loop on the real point-in-time feature table (training on
/// 2009–2014, h = 5), and their mechanics on constructed tensors where a known answer is needed (causality, weights
/// summing to one). The catalogue contract (no look-ahead, seeds, save/load, disposal, missing inputs) covers every
/// net through <see cref="Models.CatalogueContractTests"/>.</summary>
[Collection("warehouse")]
public class DeepNetTests(WarehouseFixture wh, ITestOutputHelper output)
{
    const int H = 5;
    static readonly string[] Architectures = ["tft", "mlp", "lstm_attn", "tcn", "nbeatsx"];
    public static TheoryData<string> Nets => new(Architectures);

    static Frame? shared;
    Frame Dev => shared ??= Cbi.Workbench.Validation.Splits.Development(FeatureBuilder.Build(wh.Path));

    (int[] Train, int[] Origins) Rows()
    {
        var f = Dev;
        var first = f.RowOf(f.Dates.First(d => d >= new DateOnly(2015, 1, 2)));
        var start = Array.FindIndex(f.Dates, d => d >= new DateOnly(2009, 1, 1));
        return (Enumerable.Range(start, first - start).Where(r => r + H < first).ToArray(), Enumerable.Range(0, 5).Select(k => first + 7 * k).ToArray());
    }

    static TrainConfig Small(string arch, int epochs = 2) => new()
    {
        Architecture = arch, Hidden = 8, Layers = arch is "tcn" or "nbeatsx" ? 2 : 1, AttentionHeads = 2, Width = 0.0625, Encoder = arch == "mlp" ? 1 : 12,
        Epochs = epochs, Patience = 0, Threads = 1, Precision = Precision.Float32, BatchSize = 64, LearningRate = 3e-3,
    };

    [Theory, MemberData(nameof(Nets))]
    public void each_net_outputs_batch_by_horizons_by_three_ordered_quantiles(string arch)
    {
        torch.manual_seed(1);
        var shape = new NetShape(Channels: 7, Encoder: 12, FutureChannels: SequenceLayout.FutureChannels, Heads: 6, Hidden: 8, Layers: 2, AttentionHeads: 2, Dropout: 0, Width: 0.0625);
        using var net = Trainer.Build(Small(arch), shape);
        net.eval();
        using var past = randn(4, 12, 7) * 3;
        using var future = randn(4, 6, SequenceLayout.FutureChannels);
        using var q = net.call(past, future);
        Assert.Equal([4L, 6, 3], q.shape);
        var v = q.data<float>().ToArray();
        for (var i = 0; i < v.Length; i += 3)
            Assert.True(v[i] <= v[i + 1] && v[i + 1] <= v[i + 2], $"{arch}: {v[i]} {v[i + 1]} {v[i + 2]} not ordered");
    }

    [Fact]
    public void the_tcn_output_at_step_t_does_not_change_when_inputs_after_t_change()
    {
        torch.manual_seed(3);
        var shape = new NetShape(5, 40, SequenceLayout.FutureChannels, 6, 8, 4, 1, 0, 1);
        using var tcn = new Tcn(shape);
        tcn.eval();
        using var x = randn(2, 40, 5);
        using var y = x.clone();
        const int t = 17;
        y[.., (t + 1).., ..] = randn(2, 40 - t - 1, 5) * 10; // every step after t changes
        using var a = tcn.Features(x);
        using var b = tcn.Features(y);
        Assert.True(a[.., .., ..(t + 1)].allclose(b[.., .., ..(t + 1)], rtol: 0, atol: 0), "TCN output at steps ≤ t changed when only later inputs changed");
        Assert.False(a[.., .., (t + 1)..].allclose(b[.., .., (t + 1)..], rtol: 0, atol: 0), "later steps did not change at all: the test would prove nothing");
    }

    [Fact]
    public void micro_batches_give_the_whole_batchs_loss_and_gradient()
    {
        // Constructed tensors (pure math): the micro-batch losses over the whole batch's target count add up to the batch
        // loss, and so do their gradients — the step a wide TFT takes in micro-batches is the step it would take at once.
        torch.manual_seed(11);
        var shape = new NetShape(9, 15, SequenceLayout.FutureChannels, 6, 8, 1, 2, 0, 1);
        using var tft = new Tft(shape);
        tft.train();
        using var scope = NewDisposeScope();
        var past = randn(12, 15, 9); var future = randn(12, 6, SequenceLayout.FutureChannels);
        var y = randn(12, 6) * 0.1; var m = (rand(12, 6) > 0.2).to(ScalarType.Float32);
        var whole = Pinball.Loss(tft.call(past, future), y, m);
        whole.backward();
        var expected = tft.parameters().Select(p => p.grad!.clone()).ToArray();
        tft.zero_grad();
        double sum = 0;
        var count = m.sum().clamp_min(1);
        foreach (var (start, len) in new[] { (0, 5), (5, 5), (10, 2) })
        {
            var part = Pinball.LossPart(tft.call(past.narrow(0, start, len), future.narrow(0, start, len)), y.narrow(0, start, len), m.narrow(0, start, len), count);
            part.backward();
            sum += part.item<float>();
        }
        Assert.Equal(whole.item<float>(), sum, 5);
        var actual = tft.parameters().Select(p => p.grad!).ToArray();
        for (var i = 0; i < expected.Length; i++)
            Assert.True(actual[i].allclose(expected[i], rtol: 1e-4, atol: 1e-6), $"gradient of parameter {i} differs");
    }

    [Fact]
    public void a_wide_tft_step_is_split_and_a_batch_normalised_net_never_is()
    {
        var wide = new NetShape(100, 120, SequenceLayout.FutureChannels, 6, 64, 2, 4, 0.1, 1); // 768,000 elements per window
        using var tft = new Tft(wide);
        Assert.Equal(13, Trainer.TrainChunks(wide, 128, tft)); // ⌊2^23 / 768,000⌋ = 10 windows per micro-batch, ⌈128 / 10⌉ of them
        var narrow = new NetShape(9, 15, SequenceLayout.FutureChannels, 6, 8, 1, 2, 0, 1);
        using var small = new Tft(narrow);
        Assert.Equal(1, Trainer.TrainChunks(narrow, 128, small));
        using var mlp = Trainer.Build(Small("mlp"), new NetShape(100, 1, SequenceLayout.FutureChannels, 6, 64, 1, 1, 0, 1));
        Assert.Equal(1, Trainer.TrainChunks(wide, 128, mlp));
        Assert.Equal(21, Trainer.InferenceBatch(wide, 512)); // ⌊2^24 / 768,000⌋
        Assert.Equal(512, Trainer.InferenceBatch(narrow, 512));
    }

    [Fact]
    public void the_tft_variable_selection_weights_sum_to_one_at_every_step()
    {
        torch.manual_seed(5);
        var shape = new NetShape(9, 15, SequenceLayout.FutureChannels, 6, 8, 1, 2, 0.1, 1);
        using var tft = new Tft(shape);
        tft.eval();
        using var _ = no_grad();
        var (q, pastW, futW, att) = tft.Run(randn(3, 15, 9), randn(3, 6, SequenceLayout.FutureChannels));
        Assert.Equal([3L, 15, 9], pastW.shape);
        Assert.Equal([3L, 6, SequenceLayout.FutureChannels], futW.shape);
        Assert.True(pastW.sum(-1).allclose(ones(3, 15), atol: 1e-5));
        Assert.True(futW.sum(-1).allclose(ones(3, 6), atol: 1e-5));
        Assert.True(att.sum(-1).allclose(ones(3, 6), atol: 1e-5), "attention rows must sum to one as well");
        // The causal mask: decoder step k sees the 15 encoder steps and decoder steps ≤ k only.
        Assert.Equal(0f, att[.., 0, 16..].abs().max().item<float>());
        Assert.Equal([3L, 6, 3], q.shape);
    }

    [Theory, MemberData(nameof(Nets))]
    public void a_seeded_fp32_fit_repeats_bit_for_bit_and_a_reloaded_checkpoint_predicts_identically(string arch)
    {
        var (train, origins) = Rows();
        using var a = new DeepForecaster(Small(arch));
        using var b = new DeepForecaster(Small(arch));
        a.Fit(Dev, train, H); b.Fit(Dev, train, H);
        var pa = a.Predict(Dev, origins);
        Assert.Equal(pa, b.Predict(Dev, origins));
        Assert.All(pa, q => Assert.True(double.IsFinite(q.Q50)));
        var dir = Directory.CreateTempSubdirectory("cbi-deep-").FullName;
        try
        {
            a.Save(dir);
            using var back = DeepForecaster.Load(dir, arch);
            Assert.Equal(pa, back.Predict(Dev, origins));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void a_seed_ensemble_averages_its_members_per_quantile_and_records_their_spread()
    {
        var (train, origins) = Rows();
        var spread = new List<double>();
        using var ensemble = new SeedEnsemble([new DeepForecaster(Small("mlp") with { Seed = 7 }), new DeepForecaster(Small("mlp") with { Seed = 8 })], spread);
        ensemble.Fit(Dev, train, H);
        var averaged = ensemble.Predict(Dev, origins);
        // The same members trained alone (seeded fp32 on CPU repeats bit for bit) give the values to average.
        using var a = new DeepForecaster(Small("mlp") with { Seed = 7 });
        using var b = new DeepForecaster(Small("mlp") with { Seed = 8 });
        a.Fit(Dev, train, H); b.Fit(Dev, train, H);
        var fa = a.Predict(Dev, origins); var fb = b.Predict(Dev, origins);
        for (var i = 0; i < origins.Length; i++)
        {
            Assert.Equal((fa[i].Q10 + fb[i].Q10) / 2, averaged[i].Q10, 1e-15);
            Assert.Equal((fa[i].Q50 + fb[i].Q50) / 2, averaged[i].Q50, 1e-15);
            Assert.Equal((fa[i].Q90 + fb[i].Q90) / 2, averaged[i].Q90, 1e-15);
            // Two members: the sample standard deviation of their medians is |a − b| / √2.
            Assert.Equal(Math.Abs(fa[i].Q50 - fb[i].Q50) / Math.Sqrt(2), spread[i], 1e-15);
        }
        Assert.True(fa[0].Q50 != fb[0].Q50, "two seeds gave the same net: the spread would prove nothing");
        Assert.Equal("7,8", ensemble.Info!.Parameters["seeds"]);
    }

    [Fact]
    public void a_checkpoint_of_another_architecture_is_refused_naming_both()
    {
        var (train, _) = Rows();
        using var m = new DeepForecaster(Small("tcn", 1));
        m.Fit(Dev, train, H);
        var dir = Directory.CreateTempSubdirectory("cbi-deep-").FullName;
        try
        {
            m.Save(dir);
            var e = Assert.Throws<InvalidDataException>(() => DeepForecaster.Load(dir, "tft"));
            Assert.Contains("'tcn'", e.Message);
            Assert.Contains("'tft'", e.Message);
            Assert.Contains("not 'tft'", Assert.Throws<InvalidDataException>(() => ModelCatalog.Get("tft").Loader(dir)).Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void a_frame_with_another_feature_list_or_count_is_refused_naming_the_difference()
    {
        var (train, origins) = Rows();
        using var m = new DeepForecaster(Small("lstm_attn", 1));
        m.Fit(Dev, train, H);
        var f = Dev;
        var fewer = new Frame(f.Dates, f.Close, f.FeatureNames[..^1], f.Features[..^1], f.Weights, f.Calendar);
        Assert.Contains($"has {f.FeatureNames.Length - 1} features, the model was fitted on {f.FeatureNames.Length}",
            Assert.Throws<ArgumentException>(() => m.Predict(fewer, origins)).Message);
        var renamed = f.FeatureNames.ToArray(); renamed[3] = "not_" + renamed[3];
        var other = new Frame(f.Dates, f.Close, renamed, f.Features, f.Weights, f.Calendar);
        Assert.Contains($"feature 3 of the frame is 'not_{f.FeatureNames[3]}'", Assert.Throws<ArgumentException>(() => m.Predict(other, origins)).Message);
    }

    [Fact]
    public void an_encoder_longer_than_the_history_is_refused_with_the_lengths()
    {
        var (train, _) = Rows();
        using var m = new DeepForecaster(Small("tcn", 1) with { Encoder = 12 });
        m.Fit(Dev, train, H);
        Assert.Contains("encoder (12 rows) is longer than the history", Assert.Throws<ArgumentException>(() => m.Predict(Dev, [5])).Message);
        using var n = new DeepForecaster(Small("tcn", 1) with { Encoder = 500 });
        Assert.Contains("encoder (500 rows) is longer than the history", Assert.Throws<ArgumentException>(() => n.Fit(Dev, Enumerable.Range(10, 300).ToArray(), H)).Message);
    }

    [Fact]
    public void explaining_a_wide_tft_over_many_origins_averages_its_weights_batch_by_batch()
    {
        // 60 origins of a 120-lag, 32-wide TFT (fp32): inference batches of ⌊2^24 / (120 · channels · 32)⌋ windows, so several.
        var (train, _) = Rows();
        var f = Dev;
        var spec = ModelCatalog.Get("tft");
        var m = spec.Create(new Dictionary<string, double> { ["hidden"] = 32, ["encoder"] = 120 }, new TrainingBudget(100, 0, MaxRecentRows: 128));
        m.Fit(f, train, H);
        using var _ = (IDisposable)m;
        var origins = Enumerable.Range(train[^1] - 59, 60).ToArray();
        var why = DeepWorkflow.ExplainTft(m, f, origins);
        Assert.Equal(60, why.Origins);
        Assert.Equal(1.0, why.PastWeights.Sum(), 4);   // softmax weights over the inputs, averaged: still a distribution
        Assert.Equal(1.0, why.FutureWeights.Sum(), 4);
        Assert.All(why.Attention, row => Assert.Equal(1.0, row.Sum(), 4));
    }

    [Fact]
    public void a_tiny_net_overfits_a_few_real_windows_far_below_the_random_walk()
    {
        // 32 real windows (2014), no validation tail, 300 epochs: the net memorises them. The random walk's loss on the
        // same windows is the pinball loss of q10 = q50 = q90 = 0.
        var f = Dev;
        var start = f.RowOf(f.Dates.First(d => d >= new DateOnly(2014, 1, 2)));
        var rows = Enumerable.Range(start, 32).ToArray();
        var lay = SequenceLayout.Fit("lstm_attn", f, rows, H, 10, [H]);
        var w = WindowSet.Build("lstm_attn", lay, f, rows, SequenceLayout.Cutoff(f, rows, H));
        var c = Small("lstm_attn") with { Hidden = 32, Encoder = 10, Epochs = 300, BatchSize = 32, LearningRate = 1e-2, Dropout = 0, HeadHorizons = [H] };
        var shape = c.Shape(lay);
        var (net, report) = Trainer.Train(c, shape, w, null, CPU);
        using (net)
        {
            var (p, fu, y, m) = Trainer.Tensors(w, shape, CPU);
            using (p) using (fu) using (y) using (m)
            {
                var loss = Trainer.Evaluate(net, p, fu, y, m, 64);
                using var zero = zeros(w.Count, lay.Heads, 3);
                var rw = Pinball.Loss(zero, y, m).item<float>();
                output.WriteLine($"overfit: net {loss:F4} vs random walk {rw:F4} (scaled targets), {report.Seconds:F1} s");
                Assert.True(loss < 0.2 * rw, $"net loss {loss} is not far below the random walk's {rw}");
            }
        }
    }

    [Fact]
    public void native_memory_stays_flat_over_fifty_epochs()
    {
        // Live TorchSharp tensors of this thread after 5 epochs and after 50: a tensor leaked per step would add ~45 × steps.
        var (train, _) = Rows();
        var f = Dev;
        var rows = train[^400..];
        var lay = SequenceLayout.Fit("tcn", f, rows, H, 12, [H]);
        var w = WindowSet.Build("tcn", lay, f, rows, SequenceLayout.Cutoff(f, rows, H));
        long Live(int epochs)
        {
            var c = Small("tcn", epochs) with { HeadHorizons = [H], BatchSize = 100 };
            var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            var (net, _) = Trainer.Train(c, c.Shape(lay), w, w, CPU);
            var after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            net.Dispose();
            return after - before;
        }
        GC.Collect(); GC.WaitForPendingFinalizers();
        var five = Live(5);
        GC.Collect(); GC.WaitForPendingFinalizers();
        var fifty = Live(50);
        output.WriteLine($"live tensors after training: 5 epochs {five}, 50 epochs {fifty}");
        Assert.True(fifty <= five, $"{fifty - five} more live tensors after 50 epochs than after 5: something leaks per step");
    }
}
