using Cbi.Workbench.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cbi.Workbench.Models;
using Cbi.Workbench.Reporting;
using Cbi.Workbench.Validation;

namespace Cbi.Workbench.Features;

/// <summary>Standardisation (x − mean)/σ per feature, fitted on training rows only and persisted with the
/// locked feature order, so a model can refuse a frame whose columns moved. Missing values stay NaN.
/// A feature with no training values or σ = 0 is left unscaled (mean 0, σ 1), a near-constant one only centred, and both
/// are listed in <see cref="Unscaled"/> rather than silently dividing by (nearly) zero.</summary>
public sealed class Scaler
{
    /// <summary>Relative σ below which a training feature counts as constant (see <see cref="Unscaled"/>).</summary>
    public const double NearConstant = 1e-6;

    /// <summary>The feature names in the locked order the scaler was fitted on.</summary>
    public string[] FeatureNames { get; init; } = [];
    /// <summary>Training mean per feature, same order and length as <see cref="FeatureNames"/> (0 for unscaled features).</summary>
    public double[] Means { get; init; } = [];
    /// <summary>Training sample standard deviation (n − 1) per feature, same order and length as <see cref="FeatureNames"/>
    /// (1 for unscaled features).</summary>
    public double[] Sigmas { get; init; } = [];
    /// <summary>Features left unscaled: fewer than 2 non-missing training values, σ zero or infinite (mean 0, σ 1), or
    /// near-constant, σ ≤ <see cref="NearConstant"/> × max(1, |mean|) (centred at the training mean, σ 1).</summary>
    public string[] Unscaled { get; init; } = [];
    /// <summary>Number of training row indices the scaler was fitted on.</summary>
    public int TrainRows { get; init; }
    /// <summary>Date of the earliest training row, yyyy-MM-dd.</summary>
    public string TrainStart { get; init; } = "";
    /// <summary>Date of the latest training row, yyyy-MM-dd.</summary>
    public string TrainEnd { get; init; } = "";
    /// <summary>SHA-256 (first 16 hex) of the feature names in order.</summary>
    public string FeatureHash { get; init; } = "";

    /// <summary>Fits on <paramref name="trainRows"/> of <paramref name="frame"/>. Training rows must be
    /// before the holdout: nothing fitted may have seen a holdout value.</summary>
    /// <param name="frame">The feature frame.</param>
    /// <param name="trainRows">Row indices into <paramref name="frame"/>, any order; each dated before <see cref="Splits.HoldoutStart"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="trainRows"/> is empty or holds a holdout row.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A row index is outside the frame.</exception>
    public static Scaler Fit(Frame frame, IReadOnlyList<int> trainRows)
    {
        if (trainRows.Count == 0) throw new ArgumentException("the scaler needs at least one training row.", nameof(trainRows));
        foreach (var r in trainRows)
        {
            if (r < 0 || r >= frame.Rows) throw new ArgumentOutOfRangeException(nameof(trainRows), r, $"row outside the frame (0…{frame.Rows - 1}).");
            if (frame.Dates[r] >= Splits.HoldoutStart)
                throw new ArgumentException($"training row {r} ({frame.Dates[r]:yyyy-MM-dd}) is in the holdout (≥ {Splits.HoldoutStart:yyyy-MM-dd}); fit on training rows only.", nameof(trainRows));
        }
        var p = frame.FeatureNames.Length;
        var means = new double[p]; var sigmas = new double[p]; var unscaled = new List<string>();
        for (var j = 0; j < p; j++)
        {
            var col = frame.Features[j];
            double s = 0; var n = 0;
            foreach (var r in trainRows) if (!double.IsNaN(col[r])) { s += col[r]; n++; }
            double m = n > 0 ? s / n : 0, ss = 0;
            foreach (var r in trainRows) if (!double.IsNaN(col[r])) ss += (col[r] - m) * (col[r] - m);
            var sd = n > 1 ? Math.Sqrt(ss / (n - 1)) : 0;
            if (n < 2 || sd == 0 || double.IsInfinity(sd)) { unscaled.Add(frame.FeatureNames[j]); means[j] = 0; sigmas[j] = 1; }
            // Near-constant in training (a stale series): dividing by its tiny σ would turn a later move of 0.1 into 1e8.
            // Treated as constant — centred at its training mean, not scaled — and listed with the unscaled features.
            else if (sd <= NearConstant * Math.Max(1, Math.Abs(m))) { unscaled.Add(frame.FeatureNames[j]); means[j] = m; sigmas[j] = 1; }
            else { means[j] = m; sigmas[j] = sd; }
        }
        var ordered = trainRows.OrderBy(r => r).ToArray();
        return new Scaler
        {
            FeatureNames = (string[])frame.FeatureNames.Clone(), Means = means, Sigmas = sigmas, Unscaled = unscaled.ToArray(),
            TrainRows = trainRows.Count, TrainStart = frame.Dates[ordered[0]].ToString("yyyy-MM-dd"),
            TrainEnd = frame.Dates[ordered[^1]].ToString("yyyy-MM-dd"), FeatureHash = HashOf(frame.FeatureNames),
        };
    }

    /// <summary>A new frame with standardised features (dates, close and weights shared): (x − mean)/σ per
    /// column; NaN stays NaN.</summary>
    /// <param name="frame">A frame with exactly <see cref="FeatureNames"/> in the same order.</param>
    /// <exception cref="ArgumentException">The frame's features differ from <see cref="FeatureNames"/> in number, name or order.</exception>
    public Frame Transform(Frame frame)
    {
        RequireSameOrder(frame.FeatureNames);
        var cols = new double[FeatureNames.Length][];
        for (var j = 0; j < cols.Length; j++)
        {
            var src = frame.Features[j];
            var dst = new double[src.Length];
            for (var i = 0; i < src.Length; i++) dst[i] = (src[i] - Means[j]) / Sigmas[j];
            cols[j] = dst;
        }
        return new Frame(frame.Dates, frame.Close, frame.FeatureNames, cols, frame.Weights, frame.Calendar);
    }

    /// <summary>Checks that <paramref name="names"/> equals <see cref="FeatureNames"/> element by element.</summary>
    /// <param name="names">Feature names to check.</param>
    /// <exception cref="ArgumentException">They differ in number, name or order.</exception>
    public void RequireSameOrder(IReadOnlyList<string> names)
    {
        if (names.Count != FeatureNames.Length)
            throw new ArgumentException($"the frame has {names.Count} features, the scaler was fitted on {FeatureNames.Length} (hash {FeatureHash}).");
        for (var j = 0; j < names.Count; j++)
            if (names[j] != FeatureNames[j])
                throw new ArgumentException($"feature {j} is '{names[j]}' but the scaler's locked order has '{FeatureNames[j]}' there.");
    }

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Writes the scaler as indented JSON (atomically).</summary>
    /// <param name="path">Destination file (replaced if it exists).</param>
    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    /// <summary>Reads a scaler written by <see cref="Save"/> and checks its internal consistency.</summary>
    /// <param name="path">The JSON file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">It is not scaler JSON, its arrays differ in length, or its
    /// <see cref="FeatureHash"/> does not match its feature names.</exception>
    public static Scaler Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"scaler file {path} does not exist.", path);
        Scaler s;
        try { s = JsonSerializer.Deserialize<Scaler>(File.ReadAllText(path)) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a scaler JSON ({e.Message}).", e); }
        var p = s.FeatureNames.Length;
        if (s.Means.Length != p || s.Sigmas.Length != p)
            throw new InvalidDataException($"{path}: {p} feature names but {s.Means.Length} means and {s.Sigmas.Length} sigmas.");
        if (s.FeatureHash != HashOf(s.FeatureNames))
            throw new InvalidDataException($"{path}: featureHash {s.FeatureHash} does not match its feature names ({HashOf(s.FeatureNames)}).");
        return s;
    }

    /// <summary>First 16 lower-case hex digits of SHA-256 over <paramref name="names"/> joined by newlines (same as <see cref="Frame.FeatureHash"/>).</summary>
    /// <param name="names">Feature names in order.</param>
    public static string HashOf(IEnumerable<string> names) =>
        Models.Frame.HashOf(names);
}
