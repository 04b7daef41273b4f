namespace Cbi.Workbench.Models;

/// <summary>The one contract every forecaster implements (random walk, ARIMA, GARCH, LightGBM, deep nets,
/// the ensemble). An instance forecasts one horizon. The backtester, the search engine, the ensemble and
/// the holdout evaluation depend only on this.</summary>
public interface IForecaster
{
    /// <summary>Name used in the long prediction table (the random walk is <c>rw</c>).</summary>
    string Name { get; }

    /// <summary>Fits on <paramref name="trainRows"/> of <paramref name="frame"/>. The caller has already purged
    /// every row whose target date reaches the scored period; a model must not look at other rows' targets.</summary>
    void Fit(Frame frame, IReadOnlyList<int> trainRows, int horizon);

    /// <summary>P10/P50/P90 of the forward log return from each origin row. A model may use features and
    /// closes at or before the origin row, never targets that end after it.</summary>
    IReadOnlyList<QuantileForecast> Predict(Frame frame, IReadOnlyList<int> originRows);

    /// <summary>What the model was fitted on (null before Fit).</summary>
    FitInfo? Info { get; }
}

public readonly record struct QuantileForecast(double Q10, double Q50, double Q90);

/// <summary>Provenance of a fitted model: training date range, feature-list hash, parameters and seed.</summary>
public sealed record FitInfo(string Model, int Horizon, DateOnly TrainStart, DateOnly TrainEnd, int TrainRows,
    string FeatureHash, IReadOnlyDictionary<string, string> Parameters, int Seed);

/// <summary>One row of the long prediction table (artifacts/&lt;profile&gt;/predictions.parquet).
/// <c>Y</c> and the quantiles are log returns of the quoted ZL close from origin to target.</summary>
public sealed record PredictionRow(string Model, int Horizon, DateOnly OriginDate, DateOnly TargetDate,
    double Y, double Q10, double Q50, double Q90, int Fold, string Split);
