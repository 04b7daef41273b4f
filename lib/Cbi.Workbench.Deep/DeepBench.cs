using System.Diagnostics;
using System.Globalization;
using Cbi.Workbench.Deep.Nets;
using Cbi.Workbench.Models;
using Cbi.Workbench.Reporting;
using TorchSharp;
using static TorchSharp.torch;

namespace Cbi.Workbench.Deep;

/// <summary>Speed of the networks' training step for artifacts/bench/ (run by <c>cbi bench --model tft</c>): the issue's
/// reference step (2-layer LSTM, 50 inputs, hidden 128, sequence 180, batch 64, forward + backward + AdamW) in fp32 and
/// in bfloat16 mixed precision, interleaved sample by sample in one run so both see the same machine load; the TFT's
/// step at its default size both ways; and the TFT's inference for one origin (all horizons at once). Never a test.</summary>
internal static class DeepBench
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    internal static IReadOnlyList<string> Run(Frame dev, int[] trainRows, int horizon, int repeats)
    {
        var names = new List<string>();
        var threads = 2;
        torch.set_num_threads(threads);
        names.AddRange(Pair("deep-lstm-reference-step", repeats * 4, threads, precision =>
        {
            // The reference network of the issue, trained through the workbench's own step (Trainer.Step).
            var shape = new NetShape(50, 180, SequenceLayout.FutureChannels, 6, 128, 2, 1, 0, 1);
            return StepTimer(new TrainConfig { Architecture = "lstm_attn", Hidden = 128, Layers = 2, Dropout = 0, Precision = precision }, shape, 64);
        }, "lstm_attn net: 2-layer LSTM 50→128, sequence 180, batch 64, + attention read-out and 6×3 head; forward + backward + clip + AdamW"));

        var spec = DeepSpecs.Tft();
        var cfg = new TrainConfig
        {
            Architecture = "tft", Hidden = (int)spec.DefaultPoint["hidden"], Layers = (int)spec.DefaultPoint["layers"], AttentionHeads = 1,
            Encoder = (int)spec.DefaultPoint["encoder"], Dropout = 0.1,
        };
        var tftShape = new NetShape(1 + dev.FeatureNames.Length + 8, cfg.Encoder, SequenceLayout.FutureChannels, 6, cfg.Hidden, cfg.Layers, 1, 0.1, 1);
        names.AddRange(Pair("deep-tft-step", repeats * 4, threads, precision => StepTimer(cfg with { Precision = precision }, tftShape, 64),
            $"TFT default point: hidden {cfg.Hidden}, encoder {cfg.Encoder}, {tftShape.Channels} past channels, 6 horizons, batch 64"));

        // Mixed precision against fp32 on the same seed and real windows: best validation pinball loss of each.
        {
            var rows = trainRows[^Math.Min(2000, trainRows.Length)..];
            double Loss(Precision p)
            {
                using var m = new DeepForecaster(new TrainConfig { Architecture = "lstm_attn", Hidden = 128, Layers = 2, Encoder = 60, Epochs = 4, Patience = 0, Precision = p, Seed = 7 });
                m.Fit(dev, rows, horizon);
                return m.Report!.BestValidationLoss;
            }
            var lf = Loss(Precision.Float32); var lb = Loss(Precision.BFloat16);
            names.Add(Benchmark.Record("deep-bf16-validation-parity", "relative difference of validation pinball loss", [Math.Abs(lb - lf) / lf], new Dictionary<string, string>
            {
                ["work"] = $"lstm_attn hidden 128 × 2 layers, encoder 60, 4 epochs, seed 7, the last {rows.Length} training rows (h = {horizon}); early-stopping tail scored in fp32",
                ["fp32_validation_pinball"] = lf.ToString("G6", Inv), ["bf16_validation_pinball"] = lb.ToString("G6", Inv), ["goal"] = "≤ 0.02",
            }).Name);
        }

        // Inference for one origin (all horizons): a fitted TFT on real rows (1 epoch: speed does not depend on the weights).
        using (var m = new DeepForecaster(cfg with { Epochs = 1, Patience = 0 }))
        {
            m.Fit(dev, trainRows, horizon);
            var origin = dev.Rows - 1;
            m.Predict(dev, [origin]);
            var samples = new double[repeats * 10];
            for (var i = 0; i < samples.Length; i++)
            {
                var sw = Stopwatch.StartNew();
                m.Predict(dev, [origin]);
                samples[i] = sw.Elapsed.TotalMilliseconds;
            }
            names.Add(Benchmark.Record("deep-tft-inference-one-origin", "ms", samples, new Dictionary<string, string>
            {
                ["work"] = "DeepForecaster.Predict for the last development origin: window built from the frame, fp32 forward of all 6 horizons × 3 quantiles",
                ["threads"] = threads.ToString(Inv), ["precision"] = "fp32 (inference is always fp32)",
            }).Name);
        }
        return names;
    }

    /// <summary>Times fp32 and bf16 steps alternately and records both plus their ratio.</summary>
    static IEnumerable<string> Pair(string name, int samples, int threads, Func<Precision, Func<double>> timer, string work)
    {
        var fp32 = timer(Precision.Float32);
        var bf16 = timer(Precision.BFloat16);
        fp32(); bf16(); fp32(); bf16(); // warm-up: allocator and oneDNN primitive caches
        var a = new double[samples]; var b = new double[samples];
        for (var i = 0; i < samples; i++) { a[i] = fp32(); b[i] = bf16(); }
        var ma = a.Order().ElementAt(samples / 2); var mb = b.Order().ElementAt(samples / 2);
        var notes = new Dictionary<string, string>
        {
            ["work"] = work, ["threads"] = threads.ToString(Inv), ["cpu_bf16"] = Trainer.CpuHasBf16.ToString(),
            ["fp32_median_ms"] = ma.ToString("F1", Inv), ["bf16_median_ms"] = mb.ToString("F1", Inv),
            ["bf16_speedup"] = (ma / mb).ToString("F2", Inv), ["interleaved"] = "fp32 and bf16 steps alternate in one run",
        };
        yield return Benchmark.Record(name + "-fp32", "ms per step", a, notes).Name;
        yield return Benchmark.Record(name + "-bf16", "ms per step", b, notes).Name;
    }

    /// <summary>A closure that runs and times one training step of a fresh net on random inputs of the given shape
    /// (the step's cost does not depend on the values).</summary>
    static Func<double> StepTimer(TrainConfig c, NetShape s, int batch)
    {
        torch.manual_seed(1);
        var past = randn(batch * 2, s.Encoder, s.Channels);
        var fut = randn(batch * 2, s.Heads, s.FutureChannels);
        var y = randn(batch * 2, s.Heads);
        var m = ones(batch * 2, s.Heads);
        var w = new WindowSet
        {
            Count = batch * 2, Past = past.data<float>().ToArray(), Future = fut.data<float>().ToArray(), Targets = y.data<float>().ToArray(),
            TargetMask = m.data<float>().ToArray(), Abstain = new string?[batch * 2],
        };
        past.Dispose(); fut.Dispose(); y.Dispose(); m.Dispose();
        return () =>
        {
            // One epoch of two steps (no validation); the second step (allocator and oneDNN caches warm) is the sample.
            var (net, report) = Trainer.Train(c with { Epochs = 1, Patience = 0, BatchSize = batch, Threads = 2 }, s, w, null, CPU);
            net.Dispose();
            return report.StepMs[^1];
        };
    }
}
