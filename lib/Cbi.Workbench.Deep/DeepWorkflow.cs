using Cbi.Workbench.Deep.Nets;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Models;
using Cbi.Workbench.Reporting;
using Cbi.Workbench.Validation;
using Plotly.NET;
using Plotly.NET.CSharp;
using static TorchSharp.torch;
using Frame = Cbi.Workbench.Models.Frame;
using PChart = Plotly.NET.CSharp.Chart;

namespace Cbi.Workbench.Deep;

/// <summary>What notebooks 03 (TFT search) and 05 (deep-net bake-off) call: the nets' run budget per profile, their
/// walk-forward validation at every horizon, and the TFT's variable importances and attention with their charts.</summary>
public static class DeepWorkflow
{
    /// <summary>The five networks of the catalogue, in the bake-off's order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["tft", "mlp", "lstm_attn", "tcn", "nbeatsx"];

    /// <summary>The nets' share of a run profile, chosen so that 03 + 05 fit their time goals on 2 CPU cores.
    /// <c>smoke</c> (main job within minutes): no search (a sampled point can be 50× costlier than the default), the
    /// default point trained 2 epochs (patience 1; the catalogue maps 200 rounds to 2 epochs) on the most recent 1,024
    /// windows of each fold, walk-forward over the last validation fold at every horizon, one seed. <c>full</c> (goal: 03
    /// and 05 within 2 hours): the TPE search with the median pruner at h = 21 only — the nets learn every horizon at
    /// once, so one study per net serves all six, each horizon taking the point of the nearest searched one — 6 trials
    /// (3 random) on the last 2 folds; every fit 3 epochs with patience 1 on the most recent 1,024 windows (about four
    /// years of sessions); walk-forward over the last 2 validation folds at every horizon; the TFT as a 3-seed ensemble.
    /// Measured here: a sampled TFT point costs 100–650 s per trial even so (hidden 37, 4 heads, encoder 51: 654 s for
    /// 2 folds × 4 epochs × 1,536 windows), so the full profile's 25-trial, 6-horizon, 7-fold budget of the tree models
    /// would take days for five nets.</summary>
    /// <param name="profile">The active profile (<see cref="RunProfile.Current"/>).</param>
    public static DeepBudget Budget(RunProfile profile) => profile.Name == "smoke"
        ? new(profile with { Training = new TrainingBudget(200, 10, MaxRecentRows: 1024) }, false, 1, 1)
        : new(profile with
        {
            SearchedHorizons = [21], Search = new SearchBudget(6, 3, 2), Training = new TrainingBudget(300, 10, MaxRecentRows: 1024),
        }, true, 2, 3);

    /// <summary>Walk-forward validation of a net at every horizon of the profile (<see cref="RunProfile.Horizons"/>: the
    /// nets learn all horizons at once, so each horizon's fit is as cheap as one), over the last
    /// <paramref name="folds"/> validation folds, with the searched point of each horizon where there is one, else that
    /// of the nearest searched horizon, else the default point. Rows are the shared long table's, under the model's name.
    /// With <paramref name="seeds"/> &gt; 1 every fit is a seed ensemble (seed, seed + 1, …) averaged per quantile.</summary>
    /// <param name="spec">A net of the catalogue.</param>
    /// <param name="frame">The feature frame (its development rows are used).</param>
    /// <param name="profile">Horizons, training budget.</param>
    /// <param name="folds">How many of the last validation folds (1–7).</param>
    /// <param name="searched">Search results (may be empty).</param>
    /// <param name="seed">Model seed (the first member's).</param>
    /// <param name="seeds">Members per fit (1–10); the members' spread is in <see cref="DeepValidation.SeedSpread"/>.</param>
    /// <exception cref="ArgumentException">folds outside 1…the profile's fold count, or seeds outside 1…10.</exception>
    public static DeepValidation Validation(ModelSpec spec, Frame frame, RunProfile profile, int folds, IReadOnlyList<SearchResult> searched,
        int seed = 42, int seeds = 1)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (folds < 1 || folds > profile.ValidationFolds) throw new ArgumentOutOfRangeException(nameof(folds), folds, $"folds must be in 1…{profile.ValidationFolds}.");
        if (seeds is < 1 or > 10) throw new ArgumentOutOfRangeException(nameof(seeds), seeds, "seeds must be in 1…10.");
        var dev = Splits.Development(frame);
        var hs = profile.Horizons.ToArray();
        var all = hs.SelectMany(h => Splits.Validation(dev, h, profile.ValidationFolds).OrderBy(f => f.Index).TakeLast(folds)).ToList();
        IReadOnlyDictionary<string, double>? PointFor(int h) => searched.Count == 0 ? null
            : searched.OrderBy(r => Math.Abs(Math.Log((double)r.Horizon / h))).First().Parameters;
        var spread = new List<double>();
        var run = seeds == 1 ? spec : spec with
        {
            Factory = (p, b, s, c) => new SeedEnsemble(Enumerable.Range(0, seeds).Select(k => spec.Factory(p, b, s + k, c)).ToArray(), spread),
        };
        var result = Backtest.Run(run, dev, all, hs, PointFor, profile.Training, seed);
        return new DeepValidation(result, seeds, spread.Count == 0 ? double.NaN : spread.Average());
    }

    /// <summary>Where a fitted TFT looks: mean variable-selection weight of each past input channel (the close's return,
    /// features, mask channels) and of each known-future input, and the mean attention of each head horizon's decoder
    /// step over the encoder steps (lag 1 = the origin) and the decoder steps, averaged over the given origins (those
    /// at which the model would abstain are skipped).</summary>
    /// <param name="model">A fitted <c>tft</c> forecaster from the catalogue.</param>
    /// <param name="frame">The frame it predicts on.</param>
    /// <param name="origins">Origin rows.</param>
    /// <exception cref="ArgumentException">the model is not a fitted TFT, or no origin is usable.</exception>
    public static TftExplanation ExplainTft(IForecaster model, Frame frame, IReadOnlyList<int> origins)
    {
        if (model is not DeepForecaster { Name: "tft" } d) throw new ArgumentException($"{model?.Name}: not a TFT of the catalogue.", nameof(model));
        var (net, lay) = d.Fitted();
        lay.RequireSameFeatures(d.Name, frame);
        var w = WindowSet.Build(d.Name, lay, frame, origins, -1);
        var keep = Enumerable.Range(0, w.Count).Where(i => w.Abstain[i] is null).ToArray();
        if (keep.Length == 0) throw new ArgumentException("tft: the model abstains at every given origin.", nameof(origins));
        var shape = d.Config.Shape(lay);
        using var _ = no_grad();
        ((Tft)net).eval();
        // In batches no wider than inference allows (250 origins at once of a 120-lag, 64-wide TFT took gigabytes): the
        // selection weights and attention are summed per batch and averaged at the end.
        var batch = Trainer.InferenceBatch(shape, 512);
        double[]? pwSum = null, fwSum = null, attSum = null;
        long pwCount = 0, fwCount = 0;
        using var allPast = tensor(w.Past, [w.Count, shape.Encoder, shape.Channels]);
        using var allFuture = tensor(w.Future, [w.Count, shape.Heads, shape.FutureChannels]);
        for (var start = 0; start < keep.Length; start += batch)
        {
            using var scope = NewDisposeScope();
            using var ids = tensor(keep.Skip(start).Take(batch).Select(i => (long)i).ToArray());
            var past = allPast.index_select(0, ids);
            var fut = allFuture.index_select(0, ids);
            var (_, pw, fw, att) = ((Tft)net).Run(past, fut);
            Add(ref pwSum, pw.sum([0, 1]).data<float>().ToArray()); pwCount += pw.shape[0] * pw.shape[1];
            Add(ref fwSum, fw.sum([0, 1]).data<float>().ToArray()); fwCount += fw.shape[0] * fw.shape[1];
            Add(ref attSum, att.sum([0]).data<float>().ToArray());
        }
        static void Add(ref double[]? sum, float[] part)
        {
            sum ??= new double[part.Length];
            for (var i = 0; i < part.Length; i++) sum[i] += part[i];
        }
        var pastNames = new List<string> { "close log return" };
        pastNames.AddRange(lay.Observed.Select(j => lay.FeatureNames[j]));
        pastNames.AddRange(lay.Known.Select(j => lay.FeatureNames[j] + " (known)"));
        pastNames.AddRange(lay.Masked.Select(j => lay.FeatureNames[j] + " missing"));
        var a = attSum!.Select(x => x / keep.Length).ToArray();
        var rows = new double[shape.Heads][];
        for (var k = 0; k < shape.Heads; k++) rows[k] = a.AsSpan(k * (shape.Encoder + shape.Heads), shape.Encoder + shape.Heads).ToArray();
        return new TftExplanation(pastNames, pwSum!.Select(x => x / pwCount).ToArray(),
            ["day of week (sin)", "day of week (cos)", "day of year (sin)", "day of year (cos)", "log horizon"],
            fwSum!.Select(x => x / fwCount).ToArray(), lay.HeadHorizons, shape.Encoder, rows, keep.Length);
    }

    /// <summary>Grouped bars of the quantile-score skill against the random walk (1 − loss / loss of <c>rw</c> on shared
    /// origins; &gt; 0 beats it), one group per horizon and one bar per model.</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="comparison">Rows of <see cref="ModelComparison.Compare"/>.</param>
    public static GenericChart SkillChart(string title, IReadOnlyList<BaselineComparison> comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var bars = comparison.Where(c => c.Model != "rw").GroupBy(c => c.Model).Select(g =>
            PChart.Column<double, string, string>(values: g.OrderBy(c => c.Horizon).Select(c => c.QuantileScoreSkillVsRw).ToArray(),
                Keys: g.OrderBy(c => c.Horizon).Select(c => $"h = {c.Horizon}").ToArray(), Name: g.Key));
        var chart = PChart.Combine(bars).WithYAxisStyle<double, double, string>(TitleText: "quantile-score skill vs rw");
        return chart.Titled(title);
    }

    /// <summary>Horizontal bars of the <paramref name="top"/> inputs by mean selection weight (largest at the top).</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="names">Input names.</param>
    /// <param name="weights">Mean selection weights (each in 0…1, summing to 1), same order as <paramref name="names"/>.</param>
    /// <param name="top">Bars shown.</param>
    public static GenericChart ImportanceChart(string title, IReadOnlyList<string> names, IReadOnlyList<double> weights, int top = 20)
    {
        var order = Enumerable.Range(0, names.Count).OrderByDescending(j => weights[j]).Take(top).Reverse().ToArray();
        var chart = PChart.Bar<double, string, string>(values: order.Select(j => weights[j]).ToArray(), Keys: order.Select(j => names[j]).ToArray(),
            Name: "mean selection weight").WithXAxisStyle<double, double, string>(TitleText: "mean variable-selection weight (sums to 1)");
        return chart.Titled(title);
    }

    /// <summary>Mean attention of each head horizon's decoder step over the encoder lags (lag 1 = the origin's row), one line per horizon.</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="e">An explanation from <see cref="ExplainTft"/>.</param>
    public static GenericChart AttentionChart(string title, TftExplanation e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var lags = Enumerable.Range(1, e.Encoder).ToArray();
        var lines = e.HeadHorizons.Select((h, k) => PChart.Line<int, double, string>(x: lags, y: lags.Select(l => e.Attention[k][e.Encoder - l]).ToArray(), Name: $"h = {h}"));
        var chart = PChart.Combine(lines).WithXAxisStyle<int, int, string>(TitleText: "encoder lag (trading days before the origin + 1)")
            .WithYAxisStyle<double, double, string>(TitleText: "mean attention weight");
        return chart.Titled(title);
    }
}

/// <summary>A fitted TFT's interpretation (Lim et al. 2021, Sec 7), averaged over origins.</summary>
/// <param name="PastInputs">Names of the past input channels.</param>
/// <param name="PastWeights">Mean past variable-selection weight per channel (sums to 1).</param>
/// <param name="FutureInputs">Names of the known-future inputs.</param>
/// <param name="FutureWeights">Mean future variable-selection weight per input (sums to 1).</param>
/// <param name="HeadHorizons">The decoder steps' horizons in trading days.</param>
/// <param name="Encoder">Encoder length L.</param>
/// <param name="Attention">Per head horizon, the mean attention over the L encoder steps (oldest first) and the decoder steps (row sums 1).</param>
/// <param name="Origins">Origins averaged over.</param>
public sealed record TftExplanation(IReadOnlyList<string> PastInputs, double[] PastWeights, IReadOnlyList<string> FutureInputs, double[] FutureWeights,
    IReadOnlyList<int> HeadHorizons, int Encoder, double[][] Attention, int Origins);

/// <summary>The nets' budget in a profile (<see cref="DeepWorkflow.Budget"/>).</summary>
/// <param name="Profile">The profile to search and train with (horizons, searched horizons, search and training budgets).</param>
/// <param name="Search">Whether to run the TPE search before the walk-forward.</param>
/// <param name="WalkForwardFolds">How many of the last validation folds the walk-forward covers.</param>
/// <param name="Seeds">Seed-ensemble members per TFT fit (1 = a single net).</param>
public sealed record DeepBudget(RunProfile Profile, bool Search, int WalkForwardFolds, int Seeds)
{
    /// <summary>The first three fields, for <c>var (profile, search, folds) = DeepWorkflow.Budget(…)</c>.</summary>
    public void Deconstruct(out RunProfile profile, out bool search, out int walkForwardFolds) =>
        (profile, search, walkForwardFolds) = (Profile, Search, WalkForwardFolds);
}

/// <summary>A net's walk-forward validation (<see cref="DeepWorkflow.Validation"/>).</summary>
/// <param name="Run">The backtest: prediction rows (model = the net's name), crossings, abstentions, elapsed time.</param>
/// <param name="Seeds">Seed-ensemble members per fit.</param>
/// <param name="SeedSpread">Mean over predicted origins of the standard deviation of the members' P50 (log-return units);
/// NaN for a single seed.</param>
public sealed record DeepValidation(BacktestResult Run, int Seeds, double SeedSpread)
{
    /// <summary>The prediction rows (<see cref="BacktestResult.Rows"/>).</summary>
    public IReadOnlyList<PredictionRow> Rows => Run.Rows;
    /// <summary>Origins where the model abstained (<see cref="BacktestResult.Abstentions"/>).</summary>
    public IReadOnlyList<Abstention> Abstentions => Run.Abstentions;
    /// <summary>Wall time of the walk-forward (<see cref="BacktestResult.Elapsed"/>).</summary>
    public TimeSpan Elapsed => Run.Elapsed;
}
