using Cbi.Workbench.IO;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cbi.Workbench.Reporting;

namespace Cbi.Workbench.Models.LightGbm;

/// <summary>Settings of the per-horizon P10/P50/P90 LightGBM models.</summary>
public sealed record LightGbmQuantileOptions
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
    /// <summary>Use <see cref="Frame.Weights"/> (e.g. regime weights) as sample weights when the frame has them.</summary>
    public bool UseFrameWeights { get; init; } = true;
}

/// <summary>Separate LightGBM quantile-loss models for P10, P50 and P90 of the forward log return at one horizon.
/// Predicted quantiles that cross are repaired by sorting each row's three values (monotone rearrangement,
/// Chernozhukov, Fernández-Val &amp; Galichon 2010, which never increases pinball loss), and counted.</summary>
public sealed class LightGbmQuantileForecaster : IForecaster, IDisposable
{
    public static readonly double[] Levels = [0.1, 0.5, 0.9];
    readonly LightGbmQuantileOptions options;
    LightGbmModel[]? models;

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
    /// <summary>Rows whose raw P10 ≤ P50 ≤ P90 order had to be repaired, in the last <see cref="Predict"/> call.</summary>
    public int LastCrossings { get; private set; }
    /// <summary>Rows repaired / rows predicted since the model was fitted or loaded.</summary>
    public int TotalCrossings { get; private set; }
    public int TotalPredicted { get; private set; }
    /// <summary>Boosting rounds of the P10, P50, P90 models.</summary>
    public IReadOnlyList<int> Rounds => Models.Select(m => m.BestIteration).ToArray();

    LightGbmModel[] Models => models ?? throw new InvalidOperationException($"{Name}: call Fit (or Load) before using the model.");

    /// <summary>The fitted model of one level (0.1, 0.5 or 0.9), e.g. for SHAP or gain importance.</summary>
    public LightGbmModel ModelFor(double level)
    {
        var i = Array.IndexOf(Levels, level);
        return i >= 0 ? Models[i] : throw new ArgumentException($"Level {level} is not one of {string.Join(", ", Levels)}.", nameof(level));
    }

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
        TotalCrossings = TotalPredicted = LastCrossings = 0;
        var p = options.Booster.Describe().ToDictionary(kv => kv.Key, kv => kv.Value);
        p.Remove("alpha"); p.Remove("objective");
        p["objective"] = "quantile";
        p["rounds_q10_q50_q90"] = string.Join('/', Rounds);
        p["validation_fraction"] = useStopping ? options.ValidationFraction.ToString(CultureInfo.InvariantCulture) : "0";
        p["refit_on_all_rows"] = (useStopping && options.RefitOnAllRows).ToString();
        p["weighted"] = (weights != null).ToString();
        Info = new FitInfo(Name, horizon, frame.Dates[rows[0]], frame.Dates[rows[^1]], rows.Length, FeatureHash(frame.FeatureNames), p, options.Booster.Seed);
    }

    public IReadOnlyList<QuantileForecast> Predict(Frame frame, IReadOnlyList<int> originRows)
    {
        CheckFeatures(frame);
        var x = LightGbmMatrix.FromColumns(frame.Features, originRows);
        var p = Models.Select(m => m.Predict(x, options.Booster.Threads)).ToArray();
        var result = new QuantileForecast[originRows.Count];
        var crossings = 0;
        for (var i = 0; i < result.Length; i++)
        {
            double a = p[0][i], b = p[1][i], c = p[2][i];
            if (!(a <= b && b <= c))
            {
                crossings++;
                Span<double> s = [a, b, c];
                s.Sort();
                (a, b, c) = (s[0], s[1], s[2]);
            }
            result[i] = new QuantileForecast(a, b, c);
        }
        LastCrossings = crossings;
        TotalCrossings += crossings;
        TotalPredicted += result.Length;
        return result;
    }

    /// <summary>SHAP contributions of one quantile model for the given rows: per row one value per feature,
    /// bias last (sums to that model's raw, unrepaired prediction).</summary>
    public double[][] Contributions(Frame frame, IReadOnlyList<int> rows, double level)
    {
        CheckFeatures(frame);
        return ModelFor(level).Contributions(LightGbmMatrix.FromColumns(frame.Features, rows), options.Booster.Threads);
    }

    void CheckFeatures(Frame frame)
    {
        _ = Models;
        if (!frame.FeatureNames.SequenceEqual(FeatureNames))
            throw new ArgumentException($"{Name}: the frame's features ({frame.FeatureNames.Length}, hash {FeatureHash(frame.FeatureNames)}) differ from the fitted ones ({FeatureNames.Count}, hash {FeatureHash(FeatureNames)}).");
    }

    internal static string FeatureHash(IEnumerable<string> names) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', names))))[..16];

    /// <summary>Writes q10.txt, q50.txt, q90.txt (LightGBM's own text format) and fit.json into a folder.</summary>
    public void Save(string directory)
    {
        var ms = Models;
        Directory.CreateDirectory(directory);
        for (var q = 0; q < Levels.Length; q++) ms[q].Save(Path.Combine(directory, $"q{Levels[q] * 100:00}.txt"));
        AtomicFile.WriteAllText(Path.Combine(directory, "fit.json"), JsonSerializer.Serialize(new SavedFit(Name, Horizon, FeatureNames.ToArray(), Info!),
            new JsonSerializerOptions { WriteIndented = true }));
    }

    public static LightGbmQuantileForecaster Load(string directory, LightGbmQuantileOptions? options = null)
    {
        var fitPath = Path.Combine(directory, "fit.json");
        if (!File.Exists(fitPath)) throw new FileNotFoundException($"No fit.json in {directory}; not a saved LightGBM quantile model.", fitPath);
        var saved = JsonSerializer.Deserialize<SavedFit>(File.ReadAllText(fitPath)) ?? throw new InvalidDataException($"{fitPath} is empty.");
        var f = new LightGbmQuantileForecaster(options, saved.Name) { Horizon = saved.Horizon, FeatureNames = saved.FeatureNames, Info = saved.Info };
        var ms = new List<LightGbmModel>();
        try
        {
            foreach (var level in Levels)
            {
                var m = LightGbmModel.Load(Path.Combine(directory, $"q{level * 100:00}.txt"));
                ms.Add(m);
                if (m.FeatureCount != saved.FeatureNames.Length)
                    throw new InvalidDataException($"{directory}: q{level * 100:00}.txt has {m.FeatureCount} features, fit.json lists {saved.FeatureNames.Length}.");
            }
        }
        catch { foreach (var m in ms) m.Dispose(); throw; }
        f.models = ms.ToArray();
        return f;
    }

    sealed record SavedFit(string Name, int Horizon, string[] FeatureNames, FitInfo Info);

    public void Dispose()
    {
        foreach (var m in models ?? []) m.Dispose();
        models = null;
    }
}
