using Cbi.Workbench.IO;
using System.Globalization;
using Cbi.Workbench.Reporting;

namespace Cbi.Workbench.Models.LightGbm;

/// <summary>Settings of the per-horizon P10/P50/P90 LightGBM models.</summary>
internal sealed record LightGbmQuantileOptions
{
    /// <summary>Booster settings shared by the three quantile models (objective and alpha are set per model).
    /// Defaults are conservative for ~5,000 noisy daily rows: small trees, strong leaf minimum, sampling.</summary>
    public LightGbmOptions Booster { get; init; } = new()
    {
        Iterations = 1000, LearningRate = 0.03, NumLeaves = 15, MaxDepth = 5, MinDataInLeaf = 50,
        FeatureFraction = 0.8, BaggingFraction = 0.8, BaggingFreq = 1, LambdaL2 = 1.0, EarlyStoppingRounds = 50,
    };
    /// <summary>Chronological tail of the training rows used to pick the number of rounds by early stopping
    /// (rows whose target reaches into it are purged from the head). 0 disables early stopping.</summary>
    public double ValidationFraction { get; init; } = 0.2;
    /// <summary>After early stopping, refit on all training rows with the chosen number of rounds, so the most
    /// recent rows are learnt from too.</summary>
    public bool RefitOnAllRows { get; init; } = true;
    /// <summary>Use <see cref="Frame.Weights"/> (e.g. regime weights) as sample weights when the frame has them; each
    /// training set gets them rescaled to mean 1 over its rows, so multiplying all weights by a constant changes nothing.</summary>
    public bool UseFrameWeights { get; init; } = true;
}

/// <summary>Separate LightGBM quantile-loss models for P10, P50 and P90 of the forward log return at one horizon
/// (<c>lgbm</c>). The three predictions are returned as the models give them; the backtester counts and repairs
/// crossings. Missing inputs: LightGBM learns a branch for a feature that was missing (NaN) in its training rows;
/// a feature that is missing at an origin but never was in training would be routed as if it were 0, so the model
/// abstains there (<see cref="MissingInputRule.AbstainWhenUnseen"/>).</summary>
internal sealed class LightGbmQuantileForecaster : IExplainableForecaster, IDisposable
{
    public static readonly double[] Levels = [0.1, 0.5, 0.9];
    readonly LightGbmQuantileOptions options;
    LightGbmModel[]? models;
    bool[] seenMissing = [];

    public LightGbmQuantileForecaster(LightGbmQuantileOptions? options = null, string name = "lgbm")
    {
        this.options = options ?? new LightGbmQuantileOptions();
        if (this.options.ValidationFraction is < 0 or >= 0.9)
            throw new ArgumentOutOfRangeException(nameof(options), this.options.ValidationFraction, "ValidationFraction must be in [0, 0.9).");
        Name = name;
    }

    public string Name { get; }
    public FitInfo? Info { get; private set; }
    public int Horizon { get; private set; }
    public IReadOnlyList<string> FeatureNames { get; private set; } = [];
    /// <summary>Boosting rounds of the P10, P50, P90 models.</summary>
    public IReadOnlyList<int> Rounds => Models.Select(m => m.BestIteration).ToArray();
    /// <summary>Features that were missing in at least one training row (the models learnt a branch for them).</summary>
    public IReadOnlyList<string> FeaturesSeenMissing => FeatureNames.Where((_, j) => seenMissing[j]).ToArray();

    LightGbmModel[] Models => models ?? throw new InvalidOperationException($"{Name}: call Fit (or Load) before using the model" +
                                                                             (disposed ? "; it has been disposed." : "."));
    bool disposed;

    /// <summary>The fitted model of one level (0.1, 0.5 or 0.9), e.g. for SHAP or gain importance.</summary>
    public LightGbmModel ModelFor(double level)
    {
        var i = Array.IndexOf(Levels, level);
        return i >= 0 ? Models[i] : throw new ArgumentException($"Level {level} is not one of {string.Join(", ", Levels)}.", nameof(level));
    }

    public double[] GainImportance(double level) => ModelFor(level).Importance();

    public void Fit(Frame frame, IReadOnlyList<int> trainRows, int horizon)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        var rows = trainRows.Where(r => double.IsFinite(frame.Target(r, horizon))).Distinct().Order().ToArray();
        if (rows.Length < 100)
            throw new ArgumentException($"{Name} h={horizon}: only {rows.Length} training rows have a known target; at least 100 are needed.", nameof(trainRows));
        var weights = options.UseFrameWeights ? frame.Weights : null;
        if (weights != null)
            foreach (var r in rows)
                if (!double.IsFinite(weights[r]) || weights[r] < 0)
                    throw new ArgumentException($"Frame weight at row {r} ({frame.Dates[r]:yyyy-MM-dd}) is {weights[r]}; weights must be finite and ≥ 0.");

        LightGbmDataset Data(int[] rs) => new(LightGbmMatrix.FromColumns(frame.Features, rs), rs.Select(r => frame.Target(r, horizon)).ToArray(),
            weights == null ? null : rs.Select(r => weights[r]).ToArray());

        // Early-stopping split: the last ValidationFraction of the training rows; head rows whose target date
        // reaches the first validation origin are purged so the stopping round is chosen out of sample.
        int[] head = rows, tail = [];
        var useStopping = options.ValidationFraction > 0 && options.Booster.EarlyStoppingRounds > 0;
        if (useStopping)
        {
            var nTail = (int)Math.Ceiling(rows.Length * options.ValidationFraction);
            tail = rows[^nTail..];
            head = rows[..^nTail].Where(r => r + horizon < tail[0]).ToArray();
            if (head.Length < 50 || tail.Length < 20) { useStopping = false; head = rows; tail = []; }
        }

        foreach (var m in models ?? []) m.Dispose();
        models = null;
        var fitted = new LightGbmModel[Levels.Length];
        try
        {
            for (var q = 0; q < Levels.Length; q++)
            {
                var o = options.Booster with { Objective = LightGbmObjective.Quantile, Alpha = Levels[q], Metric = "quantile" };
                if (!useStopping) o = o with { EarlyStoppingRounds = 0 };
                var m = LightGbmModel.Train(Data(head), o, useStopping ? Data(tail) : null, frame.FeatureNames);
                if (useStopping && options.RefitOnAllRows)
                {
                    var rounds = m.BestIteration;
                    m.Dispose();
                    m = LightGbmModel.Train(Data(rows), o with { EarlyStoppingRounds = 0, Iterations = rounds }, null, frame.FeatureNames);
                }
                fitted[q] = m;
            }
        }
        catch { foreach (var m in fitted) m?.Dispose(); throw; }
        models = fitted;
        Horizon = horizon;
        FeatureNames = frame.FeatureNames.ToArray();
        var learnt = useStopping && !options.RefitOnAllRows ? head : rows;
        seenMissing = frame.Features.Select(col => learnt.Any(r => double.IsNaN(col[r]))).ToArray();
        var p = options.Booster.Describe().ToDictionary(kv => kv.Key, kv => kv.Value);
        p.Remove("alpha"); p.Remove("objective");
        p["objective"] = "quantile";
        p["rounds_q10_q50_q90"] = string.Join('/', Rounds);
        p["validation_fraction"] = useStopping ? options.ValidationFraction.ToString(CultureInfo.InvariantCulture) : "0";
        p["refit_on_all_rows"] = (useStopping && options.RefitOnAllRows).ToString();
        p["weighted"] = (weights != null).ToString();
        Info = new FitInfo(Name, horizon, frame.Dates[rows[0]], frame.Dates[rows[^1]], rows.Length, frame.FeatureHash, p, options.Booster.Seed);
    }

    public IReadOnlyList<QuantileForecast> Predict(Frame frame, IReadOnlyList<int> originRows)
    {
        CheckFeatures(frame);
        var x = LightGbmMatrix.FromColumns(frame.Features, originRows);
        var p = Models.Select(m => m.Predict(x, options.Booster.Threads)).ToArray();
        var result = new QuantileForecast[originRows.Count];
        for (var i = 0; i < result.Length; i++)
            result[i] = UnseenMissing(frame, originRows[i]).Count > 0 ? QuantileForecast.Abstain : new QuantileForecast(p[0][i], p[1][i], p[2][i]);
        return result;
    }

    /// <summary>Features missing (NaN) at <paramref name="row"/> that were never missing in the training rows.</summary>
    public IReadOnlyList<string> UnseenMissing(Frame frame, int row)
    {
        List<string>? list = null;
        for (var j = 0; j < frame.Features.Length; j++)
            if (double.IsNaN(frame.Features[j][row]) && !seenMissing[j]) (list ??= []).Add(frame.FeatureNames[j]);
        return list ?? (IReadOnlyList<string>)[];
    }

    /// <summary>SHAP contributions of one quantile model for the given rows: per row one value per feature,
    /// bias last (sums to that model's raw prediction).</summary>
    public double[][] Contributions(Frame frame, IReadOnlyList<int> rows, double level)
    {
        CheckFeatures(frame);
        return ModelFor(level).Contributions(LightGbmMatrix.FromColumns(frame.Features, rows), options.Booster.Threads);
    }

    void CheckFeatures(Frame frame)
    {
        _ = Models;
        if (!frame.FeatureNames.SequenceEqual(FeatureNames))
            throw new ArgumentException($"{Name}: the frame's features ({frame.FeatureNames.Length}, hash {frame.FeatureHash}) differ from the fitted ones ({FeatureNames.Count}, hash {Frame.HashOf(FeatureNames)}).");
    }

    /// <summary>Writes q10.txt, q50.txt, q90.txt (LightGBM's own text format) and state.json into a folder.</summary>
    public void Save(string directory)
    {
        var ms = Models;
        Directory.CreateDirectory(directory);
        for (var q = 0; q < Levels.Length; q++) ms[q].Save(Path.Combine(directory, $"q{Levels[q] * 100:00}.txt"));
        ModelFiles.Write(directory, "state.json", new SavedFit(Name, Horizon, FeatureNames.ToArray(), seenMissing, options.Booster.Threads, Info!));
    }

    public static LightGbmQuantileForecaster Load(string directory)
    {
        var saved = ModelFiles.Read<SavedFit>(directory, "state.json", "LightGBM quantile");
        if (saved.SeenMissing.Length != saved.FeatureNames.Length)
            throw new InvalidDataException($"{directory}: state.json lists {saved.FeatureNames.Length} features but {saved.SeenMissing.Length} missing flags.");
        var o = new LightGbmQuantileOptions();
        var f = new LightGbmQuantileForecaster(o with { Booster = o.Booster with { Threads = saved.Threads } }, saved.Name)
            { Horizon = saved.Horizon, FeatureNames = saved.FeatureNames, Info = saved.Info, seenMissing = saved.SeenMissing };
        var ms = new List<LightGbmModel>();
        try
        {
            foreach (var level in Levels)
            {
                var m = LightGbmModel.Load(Path.Combine(directory, $"q{level * 100:00}.txt"));
                ms.Add(m);
                if (!m.FeatureNames.SequenceEqual(saved.FeatureNames))
                    throw new InvalidDataException($"{directory}: q{level * 100:00}.txt has features {Frame.HashOf(m.FeatureNames)} ({m.FeatureCount}), state.json lists {Frame.HashOf(saved.FeatureNames)} ({saved.FeatureNames.Length}).");
            }
        }
        catch { foreach (var m in ms) m.Dispose(); throw; }
        f.models = ms.ToArray();
        return f;
    }

    sealed record SavedFit(string Name, int Horizon, string[] FeatureNames, bool[] SeenMissing, int Threads, FitInfo Info);

    public void Dispose()
    {
        foreach (var m in models ?? []) m.Dispose();
        models = null;
        disposed = true;
    }
}
