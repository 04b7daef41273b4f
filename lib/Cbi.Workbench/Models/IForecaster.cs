namespace Cbi.Workbench.Models;

/// <summary>The one contract every forecaster implements (random walk, ARIMA, GARCH, LightGBM, deep nets, the
/// ensemble). An instance forecasts one horizon. Forecasters are made by their <see cref="ModelSpec"/>; the
/// backtester, the search, the model store and the contract tests depend only on this and the spec. A forecaster
/// that holds native memory (LightGBM boosters, libtorch tensors) also implements <see cref="IDisposable"/>, and
/// whoever created it disposes it.</summary>
public interface IForecaster
{
    /// <summary>Name used in the long prediction table; equals its spec's <see cref="ModelSpec.Name"/>.</summary>
    string Name { get; }

    /// <summary>Fits on <paramref name="trainRows"/> of <paramref name="frame"/>. The caller has already purged
    /// every row whose target date reaches the scored period; a model must not look at other rows' targets.</summary>
    /// <param name="frame">The design matrix (rows ascending by date).</param>
    /// <param name="trainRows">Row indexes into <paramref name="frame"/>, ascending.</param>
    /// <param name="horizon">Trading days ahead, ≥ 1.</param>
    /// <exception cref="ArgumentException">too few usable rows, or rows/horizon out of range (message names the model).</exception>
    void Fit(Frame frame, IReadOnlyList<int> trainRows, int horizon);

    /// <summary>P10/P50/P90 of the forward log return ln(C[t+h]/C[t]) from each origin row, one per origin in the
    /// same order. A model may use features and closes at or before the origin row, never later ones. The three
    /// values are the model's own: the backtester counts and repairs crossings. All three are NaN when the model
    /// abstains under its <see cref="MissingInputRule"/>.</summary>
    /// <exception cref="InvalidOperationException">called before <see cref="Fit"/> (or after disposal).</exception>
    IReadOnlyList<QuantileForecast> Predict(Frame frame, IReadOnlyList<int> originRows);

    /// <summary>What the model was fitted on (null before Fit).</summary>
    FitInfo? Info { get; }

    /// <summary>Writes the fitted state into <paramref name="directory"/> (created if needed) in the model's own
    /// format, such that its spec's <see cref="ModelSpec.Loader"/> restores a forecaster whose forecasts are
    /// bit-identical. <see cref="ModelStore"/> adds the provenance (fit.json) and the version id.</summary>
    /// <exception cref="InvalidOperationException">called before <see cref="Fit"/>.</exception>
    void Save(string directory);
}

/// <summary>P10, P50 and P90 of a forward log return (dimensionless; ≈ fractional price change).</summary>
/// <param name="Q10">10th percentile.</param>
/// <param name="Q50">Median.</param>
/// <param name="Q90">90th percentile.</param>
public readonly record struct QuantileForecast(double Q10, double Q50, double Q90)
{
    /// <summary>The forecast of a model that abstains at an origin (all NaN).</summary>
    public static QuantileForecast Abstain => new(double.NaN, double.NaN, double.NaN);

    /// <summary>True when every quantile is NaN (the model abstained).</summary>
    public bool IsAbstention => double.IsNaN(Q10) && double.IsNaN(Q50) && double.IsNaN(Q90);

    /// <summary>The quantiles in non-decreasing order (monotone rearrangement, Chernozhukov, Fernández-Val &amp;
    /// Galichon 2010, Econometrica 78(3): sorting never increases the pinball loss), and whether they had crossed.</summary>
    public (QuantileForecast Ordered, bool Crossed) Repaired()
    {
        if (Q10 <= Q50 && Q50 <= Q90) return (this, false);
        Span<double> s = [Q10, Q50, Q90];
        s.Sort();
        return (new QuantileForecast(s[0], s[1], s[2]), true);
    }
}

/// <summary>Provenance of a fitted model.</summary>
/// <param name="Model">Spec name.</param>
/// <param name="Horizon">Trading days ahead.</param>
/// <param name="TrainStart">Date of the first training row used.</param>
/// <param name="TrainEnd">Date of the last training row used.</param>
/// <param name="TrainRows">Training rows used.</param>
/// <param name="FeatureHash">Hash of the feature names in order (<see cref="Frame.FeatureHash"/>); "none" for price-only models.</param>
/// <param name="Parameters">Settings and fitted values as text (G6 or exact where stated).</param>
/// <param name="Seed">Random seed (0 for deterministic models).</param>
public sealed record FitInfo(string Model, int Horizon, DateOnly TrainStart, DateOnly TrainEnd, int TrainRows,
    string FeatureHash, IReadOnlyDictionary<string, string> Parameters, int Seed);

/// <summary>One row of the long prediction table (artifacts/&lt;profile&gt;/predictions.parquet).
/// <c>Y</c> and the quantiles are log returns of the quoted ZL close from origin to target.</summary>
/// <param name="Model">Spec name.</param>
/// <param name="Horizon">Trading days ahead.</param>
/// <param name="OriginDate">Forecast origin (the last close the model may use).</param>
/// <param name="TargetDate">The trading day <paramref name="Horizon"/> rows later.</param>
/// <param name="Y">Realised log return ln(C[target]/C[origin]).</param>
/// <param name="Q10">P10 (after crossing repair).</param>
/// <param name="Q50">P50.</param>
/// <param name="Q90">P90.</param>
/// <param name="Fold">Walk-forward fold index.</param>
/// <param name="Split"><c>validation</c> or <c>holdout</c>.</param>
public sealed record PredictionRow(string Model, int Horizon, DateOnly OriginDate, DateOnly TargetDate,
    double Y, double Q10, double Q50, double Q90, int Fold, string Split);

/// <summary>A model that can say which inputs drive its forecasts (tree gain, SHAP, attention).</summary>
public interface IExplainableForecaster : IForecaster
{
    /// <summary>Total split gain per feature of the model of one quantile level (0.1, 0.5 or 0.9); length = the
    /// frame's feature count, in <see cref="Frame.FeatureNames"/> order.</summary>
    /// <exception cref="ArgumentException">a level other than 0.1, 0.5, 0.9.</exception>
    double[] GainImportance(double level);

    /// <summary>SHAP contributions (TreeSHAP, Lundberg et al. 2020) of one quantile model for the given rows:
    /// rows × (features + 1), bias last; each row sums to that model's raw prediction.</summary>
    /// <exception cref="ArgumentException">a level other than 0.1, 0.5, 0.9, or a frame with other features.</exception>
    double[][] Contributions(Frame frame, IReadOnlyList<int> rows, double level);
}
