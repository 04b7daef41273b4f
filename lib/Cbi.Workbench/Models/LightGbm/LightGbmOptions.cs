using System.Globalization;

namespace Cbi.Workbench.Models.LightGbm;

internal enum LightGbmObjective { Regression, Quantile, Huber }
internal enum LightGbmBoosting { Gbdt, Dart }

/// <summary>Training settings. Defaults are LightGBM's own except <see cref="Threads"/> (1: on a shared 2-core
/// machine one OpenMP thread per model was 2–4× faster than two, see NOTES-stack.md) and the fixed seed.</summary>
internal sealed record LightGbmOptions
{
    public LightGbmObjective Objective { get; init; } = LightGbmObjective.Regression;
    /// <summary>Quantile level for <see cref="LightGbmObjective.Quantile"/> (0 &lt; α &lt; 1), or the Huber delta.</summary>
    public double Alpha { get; init; } = 0.9;
    public LightGbmBoosting Boosting { get; init; } = LightGbmBoosting.Gbdt;
    /// <summary>Maximum boosting rounds (early stopping may end sooner).</summary>
    public int Iterations { get; init; } = 100;
    public double LearningRate { get; init; } = 0.1;
    public int NumLeaves { get; init; } = 31;
    /// <summary>≤ 0 means no limit.</summary>
    public int MaxDepth { get; init; } = -1;
    public int MinDataInLeaf { get; init; } = 20;
    public double FeatureFraction { get; init; } = 1.0;
    public double BaggingFraction { get; init; } = 1.0;
    /// <summary>Re-draw the bagging sample every k rounds; 0 disables bagging.</summary>
    public int BaggingFreq { get; init; } = 0;
    public double LambdaL1 { get; init; } = 0.0;
    public double LambdaL2 { get; init; } = 0.0;
    public int MaxBin { get; init; } = 255;
    /// <summary>Validation metric (lower is better): quantile, l1, l2, rmse, huber, mape. Null = the objective's own.</summary>
    public string? Metric { get; init; }
    /// <summary>Stop when the validation metric has not improved for this many rounds; 0 = train all rounds.
    /// Needs a validation set; not available with DART, whose earlier trees are rescaled after the fact.</summary>
    public int EarlyStoppingRounds { get; init; } = 0;
    public int Threads { get; init; } = 1;
    public int Seed { get; init; } = 42;
    /// <summary>Any other LightGBM parameter (e.g. drop_rate for DART), passed through verbatim.</summary>
    public IReadOnlyDictionary<string, string>? Extra { get; init; }
    /// <summary>Called after each round with (round, validation metric); throwing from it stops training
    /// cleanly (used by the search engine's pruner at boosting checkpoints).</summary>
    public Action<int, double>? OnValidation { get; init; }

    static readonly string[] LossMetrics = ["quantile", "l1", "l2", "rmse", "huber", "mape"];

    internal string MetricName => Metric ?? Objective switch
    {
        LightGbmObjective.Quantile => "quantile",
        LightGbmObjective.Huber => "huber",
        _ => "l2",
    };

    internal void Validate()
    {
        static void Req(bool ok, string name, object value, string rule)
        { if (!ok) throw new ArgumentOutOfRangeException(name, value, $"LightGBM option {name} = {value}: {rule}."); }
        Req(Objective != LightGbmObjective.Quantile || (Alpha > 0 && Alpha < 1), nameof(Alpha), Alpha, "a quantile level must lie strictly between 0 and 1");
        Req(Objective != LightGbmObjective.Huber || Alpha > 0, nameof(Alpha), Alpha, "the Huber delta must be positive");
        Req(Iterations >= 1, nameof(Iterations), Iterations, "must be ≥ 1");
        Req(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "must be positive");
        Req(NumLeaves >= 2 && NumLeaves <= 131072, nameof(NumLeaves), NumLeaves, "must be in [2, 131072]");
        Req(MinDataInLeaf >= 1, nameof(MinDataInLeaf), MinDataInLeaf, "must be ≥ 1");
        Req(FeatureFraction > 0 && FeatureFraction <= 1, nameof(FeatureFraction), FeatureFraction, "must be in (0, 1]");
        Req(BaggingFraction > 0 && BaggingFraction <= 1, nameof(BaggingFraction), BaggingFraction, "must be in (0, 1]");
        Req(BaggingFreq >= 0, nameof(BaggingFreq), BaggingFreq, "must be ≥ 0");
        Req(LambdaL1 >= 0 && LambdaL2 >= 0, "Lambda", $"{LambdaL1}/{LambdaL2}", "L1/L2 penalties must be ≥ 0");
        Req(MaxBin >= 2, nameof(MaxBin), MaxBin, "must be ≥ 2");
        Req(Threads >= 1, nameof(Threads), Threads, "must be ≥ 1");
        Req(EarlyStoppingRounds >= 0, nameof(EarlyStoppingRounds), EarlyStoppingRounds, "must be ≥ 0");
        Req(LossMetrics.Contains(MetricName), nameof(Metric), MetricName, "supported (lower-is-better) metrics are " + string.Join(", ", LossMetrics));
        if (EarlyStoppingRounds > 0 && Boosting == LightGbmBoosting.Dart)
            throw new ArgumentException("Early stopping is not available with DART boosting: DART rescales earlier trees when it drops them, so the best round's model no longer exists at the end. Set EarlyStoppingRounds = 0.", nameof(EarlyStoppingRounds));
        if (Extra != null)
            foreach (var (k, v) in Extra)
                if (string.IsNullOrWhiteSpace(k) || k.Any(c => char.IsWhiteSpace(c) || c == '=') || v.Any(char.IsWhiteSpace))
                    throw new ArgumentException($"LightGBM extra parameter '{k}={v}' must not contain whitespace or '=' in its name.", nameof(Extra));
    }

    static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Parameters fixed when the dataset is binned. feature_pre_filter=false keeps every feature so a
    /// later min_data_in_leaf cannot disagree with the binning (LightGBM would refuse otherwise).</summary>
    internal string DatasetParameters() =>
        $"max_bin={MaxBin} feature_pre_filter=false verbose=-1 num_threads={Threads} seed={Seed} data_random_seed={Seed}";

    internal string BoosterParameters()
    {
        var p = new List<string>
        {
            "objective=" + Objective switch { LightGbmObjective.Quantile => "quantile", LightGbmObjective.Huber => "huber", _ => "regression" },
            "boosting=" + (Boosting == LightGbmBoosting.Dart ? "dart" : "gbdt"),
            "learning_rate=" + F(LearningRate), "num_leaves=" + NumLeaves, "max_depth=" + MaxDepth,
            "min_data_in_leaf=" + MinDataInLeaf, "feature_fraction=" + F(FeatureFraction),
            "bagging_fraction=" + F(BaggingFraction), "bagging_freq=" + BaggingFreq,
            "lambda_l1=" + F(LambdaL1), "lambda_l2=" + F(LambdaL2), "max_bin=" + MaxBin,
            "metric=" + MetricName, "num_threads=" + Threads, "seed=" + Seed,
            // Same seed, same data, same thread count → the same model, bit for bit.
            "deterministic=true", "force_row_wise=true", "feature_pre_filter=false", "verbose=-1",
        };
        if (Objective != LightGbmObjective.Regression) p.Add("alpha=" + F(Alpha));
        if (Extra != null) p.AddRange(Extra.Select(kv => kv.Key + "=" + kv.Value));
        return string.Join(' ', p);
    }

    /// <summary>The settings as strings, for FitInfo and study records.</summary>
    public IReadOnlyDictionary<string, string> Describe() =>
        BoosterParameters().Split(' ').Select(s => s.Split('=', 2)).Where(a => a[0] is not ("verbose" or "feature_pre_filter" or "force_row_wise"))
            .ToDictionary(a => a[0], a => a[1]).Append(new("iterations", Iterations.ToString(CultureInfo.InvariantCulture)))
            .Append(new("early_stopping_rounds", EarlyStoppingRounds.ToString(CultureInfo.InvariantCulture)))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
}
