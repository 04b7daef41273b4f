using Cbi.Workbench.Features;
using Cbi.Workbench.Models;

namespace Cbi.Workbench.Deep;

/// <summary>How a network reads the point-in-time feature table, fitted on one fold's training rows only: the
/// encoder window of past rows ending at the origin (never later), the known-future inputs of each head horizon
/// (computed from the session calendar of the target date, so no future row of the data is read), the scaler of
/// every channel, the per-horizon target scale, and which features may be missing (they get a mask channel).
/// Serialised as JSON beside a checkpoint so a reloaded model reads a frame exactly as the fitted one did.</summary>
internal sealed class SequenceLayout
{
    /// <summary>Number of known-future channels per head horizon (<see cref="FutureRow"/>).</summary>
    internal const int FutureChannels = 5;

    public string[] FeatureNames { get; init; } = [];
    public string FeatureHash { get; init; } = "";
    /// <summary>Encoder length L in rows (trading days) ending at the origin.</summary>
    public int Encoder { get; init; }
    /// <summary>Horizons of the output heads (trading days), ascending; the fitted horizon is one of them.</summary>
    public int[] HeadHorizons { get; init; } = [];
    /// <summary>The horizon the forecaster answers for.</summary>
    public int Horizon { get; init; }
    /// <summary>Feature columns read as observed inputs (values known only up to the origin).</summary>
    public int[] Observed { get; init; } = [];
    /// <summary>Feature columns known in advance (FeatureCatalogue family "calendar": calendar, WASDE days, contract rolls).</summary>
    public int[] Known { get; init; } = [];
    /// <summary>Feature columns that were missing somewhere in the training windows: zero-filled after scaling, with a 0/1
    /// missing-indicator channel each. Every other column was never missing in training, so a NaN there at prediction
    /// time has no learnt meaning and the model abstains (<see cref="MissingInputRule.AbstainWhenUnseen"/>).</summary>
    public int[] Masked { get; init; } = [];
    public double[] Means { get; init; } = [];
    public double[] Sigmas { get; init; } = [];
    /// <summary>σ of the daily log return of the close over the training rows (scales the return channel).</summary>
    public double ReturnSigma { get; init; }
    /// <summary>σ of the training targets per head horizon (the nets learn targets divided by it).</summary>
    public double[] TargetSigmas { get; init; } = [];

    /// <summary>Channels per encoder step: the close's log return, observed, known and mask channels.</summary>
    internal int Channels => 1 + Observed.Length + Known.Length + Masked.Length;
    internal int Heads => HeadHorizons.Length;

    /// <summary>Fits the layout on the training rows of one fold.</summary>
    /// <exception cref="ArgumentException">no training row has a full encoder window (names L and the first row), or no
    /// training row has a target.</exception>
    internal static SequenceLayout Fit(string model, Frame frame, IReadOnlyList<int> trainRows, int horizon, int encoder, IReadOnlyList<int> headHorizons)
    {
        if (encoder < 1) throw new ArgumentOutOfRangeException(nameof(encoder), encoder, $"{model}: the encoder length must be ≥ 1 row.");
        if (horizon < 1) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, $"{model}: horizon must be ≥ 1 trading day.");
        if (trainRows.Count == 0) throw new ArgumentException($"{model}: no training rows.", nameof(trainRows));
        foreach (var r in trainRows)
            if (r < 0 || r >= frame.Rows) throw new ArgumentOutOfRangeException(nameof(trainRows), r, $"{model}: training row outside the frame (0…{frame.Rows - 1}).");
        var usable = trainRows.Where(r => r >= encoder).ToArray();
        if (usable.Length == 0)
            throw new ArgumentException($"{model}: the encoder ({encoder} rows) is longer than the history: every training row has fewer than {encoder + 1} rows up to it " +
                                        $"(last training row {trainRows.Max()}, {frame.Dates[trainRows.Max()]:yyyy-MM-dd}).", nameof(trainRows));
        var known = new List<int>(); var observed = new List<int>();
        for (var j = 0; j < frame.FeatureNames.Length; j++)
        {
            var spec = FeatureCatalogue.All.FirstOrDefault(f => f.Name == frame.FeatureNames[j]);
            (spec?.Family == "calendar" ? known : observed).Add(j);
        }
        // The scaler sees training rows only (Scaler.Fit), never a row of the scored period.
        var scaler = Scaler.Fit(frame, trainRows);
        // A column missing in some training row gets a mask channel; one never missing in the training rows makes the model
        // abstain wherever it is missing (the rule's definition; a training window reaching back to a row before the
        // first training row where it is missing is left out of training for the same reason).
        var masked = new List<int>();
        for (var j = 0; j < frame.FeatureNames.Length; j++)
        {
            var col = frame.Features[j];
            foreach (var i in trainRows) if (double.IsNaN(col[i])) { masked.Add(j); break; }
        }
        var heads = headHorizons.Append(horizon).Distinct().Order().ToArray();
        var cutoff = Cutoff(frame, trainRows, horizon);
        var rets = usable.Select(r => Math.Log(frame.Close[r] / frame.Close[r - 1])).ToArray();
        var sigmas = heads.Select(k =>
        {
            var ys = trainRows.Where(r => Usable(frame, r, k, cutoff)).Select(r => frame.Target(r, k)).ToArray();
            return ys.Length > 1 ? Sd(ys) : Sd(rets) * Math.Sqrt(k);
        }).ToArray();
        if (!trainRows.Any(r => Usable(frame, r, horizon, cutoff)))
            throw new ArgumentException($"{model}: no training row has a {horizon}-day target inside the data.", nameof(trainRows));
        return new SequenceLayout
        {
            FeatureNames = (string[])frame.FeatureNames.Clone(), FeatureHash = frame.FeatureHash, Encoder = encoder, HeadHorizons = heads,
            Horizon = horizon, Observed = observed.ToArray(), Known = known.ToArray(), Masked = masked.ToArray(),
            Means = scaler.Means, Sigmas = scaler.Sigmas, ReturnSigma = Math.Max(Sd(rets), 1e-6),
            TargetSigmas = sigmas.Select(s => Math.Max(s, 1e-6)).ToArray(),
        };
    }

    /// <summary>The last close a training target may use: the latest target row of the fitted horizon over the training
    /// rows. The caller purged the training rows so that row lies before the scored period; a head of another horizon
    /// learns only targets that end by then, so a longer head cannot reach into the scored period either.</summary>
    internal static int Cutoff(Frame frame, IReadOnlyList<int> trainRows, int horizon) =>
        trainRows.Select(r => frame.TargetRow(r, horizon)).DefaultIfEmpty(-1).Max();

    internal static bool Usable(Frame frame, int row, int k, int cutoff)
    {
        var t = frame.TargetRow(row, k);
        return t >= 0 && t <= cutoff;
    }

    static double Sd(double[] x)
    {
        if (x.Length < 2) return 0;
        var m = x.Average();
        return Math.Sqrt(x.Sum(v => (v - m) * (v - m)) / (x.Length - 1));
    }

    /// <summary>Checks that a frame has the fitted features in the fitted order.</summary>
    /// <exception cref="ArgumentException">names the first difference (count, name or order).</exception>
    internal void RequireSameFeatures(string model, Frame frame)
    {
        if (frame.FeatureNames.Length != FeatureNames.Length)
            throw new ArgumentException($"{model}: the frame has {frame.FeatureNames.Length} features, the model was fitted on {FeatureNames.Length} " +
                                        $"(feature hash {frame.FeatureHash} vs {FeatureHash}).", nameof(frame));
        for (var j = 0; j < FeatureNames.Length; j++)
            if (frame.FeatureNames[j] != FeatureNames[j])
                throw new ArgumentException($"{model}: feature {j} of the frame is '{frame.FeatureNames[j]}', the model was fitted with '{FeatureNames[j]}' there.", nameof(frame));
    }

    /// <summary>Writes the encoder window of <paramref name="origin"/> (rows origin−L+1 … origin, channels as in
    /// <see cref="Channels"/>) into <paramref name="dst"/> (length L·Channels, row-major by time). Returns null, or the
    /// reason to abstain: a feature never missing in training is missing in the window.</summary>
    /// <exception cref="ArgumentException">the origin has fewer than L + 1 rows of history (the encoder is longer than the history).</exception>
    internal string? Past(string model, Frame frame, int origin, Span<float> dst)
    {
        if (origin - Encoder < 0)
            throw new ArgumentException($"{model}: the encoder ({Encoder} rows) is longer than the history at origin row {origin} " +
                                        $"({frame.Dates[origin]:yyyy-MM-dd}): it needs {Encoder + 1} rows up to the origin, the frame has {origin + 1}.", nameof(origin));
        var c = Channels;
        var maskAt = new Dictionary<int, int>();
        for (var m = 0; m < Masked.Length; m++) maskAt[Masked[m]] = 1 + Observed.Length + Known.Length + m;
        for (var s = 0; s < Encoder; s++)
        {
            var row = origin - Encoder + 1 + s;
            var o = s * c;
            dst[o] = (float)(Math.Log(frame.Close[row] / frame.Close[row - 1]) / ReturnSigma);
            var k = 1;
            foreach (var cols in new[] { Observed, Known })
                foreach (var j in cols)
                {
                    var v = frame.Features[j][row];
                    if (double.IsNaN(v))
                    {
                        if (!maskAt.TryGetValue(j, out var mc))
                            return $"AbstainWhenUnseen: '{FeatureNames[j]}' is missing at {frame.Dates[row]:yyyy-MM-dd} (inside the encoder window) but was never missing in training";
                        dst[o + k] = 0; // the scaled training mean; the mask channel says the value is absent
                        dst[o + mc] = 1;
                    }
                    else
                    {
                        dst[o + k] = (float)((v - Means[j]) / Sigmas[j]);
                        if (maskAt.TryGetValue(j, out var mc)) dst[o + mc] = 0;
                    }
                    k++;
                }
        }
        return null;
    }

    /// <summary>Known-future inputs of each head horizon (length Heads·<see cref="FutureChannels"/>): day of week and day of
    /// year of the target session (sin/cos) and log(h)/log(252). The target date comes from the frame's session calendar
    /// (the h-th session after the origin), never from a later row of the data.</summary>
    internal void FutureRow(Frame frame, int origin, Span<float> dst)
    {
        var s0 = frame.SessionOf(origin);
        for (var k = 0; k < HeadHorizons.Length; k++)
        {
            var d = frame.Calendar.DateOf(s0 + HeadHorizons[k]);
            var o = k * FutureChannels;
            var dow = ((int)d.DayOfWeek - 1) / 5.0; var doy = (d.DayOfYear - 1) / 366.0;
            dst[o] = (float)Math.Sin(2 * Math.PI * dow); dst[o + 1] = (float)Math.Cos(2 * Math.PI * dow);
            dst[o + 2] = (float)Math.Sin(2 * Math.PI * doy); dst[o + 3] = (float)Math.Cos(2 * Math.PI * doy);
            dst[o + 4] = (float)(Math.Log(HeadHorizons[k]) / Math.Log(252));
        }
    }
}

/// <summary>Windows of many origins as flat arrays (past: N·L·C, future: N·K·F, targets and their masks: N·K), the
/// trainer's and the predictor's input; <see cref="Abstain"/> holds the reason per origin (null = usable).</summary>
internal sealed class WindowSet
{
    internal required int Count { get; init; }
    internal required float[] Past { get; init; }
    internal required float[] Future { get; init; }
    internal required float[] Targets { get; init; }
    internal required float[] TargetMask { get; init; }
    internal required string?[] Abstain { get; init; }

    /// <summary>Windows of <paramref name="origins"/>; targets (scaled by the layout) only where
    /// <paramref name="targetCutoff"/> ≥ 0 and the target row is at or before it.</summary>
    internal static WindowSet Build(string model, SequenceLayout layout, Frame frame, IReadOnlyList<int> origins, int targetCutoff)
    {
        int n = origins.Count, l = layout.Encoder, c = layout.Channels, k = layout.Heads, f = SequenceLayout.FutureChannels;
        var past = new float[n * l * c]; var fut = new float[n * k * f]; var y = new float[n * k]; var ym = new float[n * k];
        var abstain = new string?[n];
        for (var i = 0; i < n; i++)
        {
            var o = origins[i];
            abstain[i] = layout.Past(model, frame, o, past.AsSpan(i * l * c, l * c));
            layout.FutureRow(frame, o, fut.AsSpan(i * k * f, k * f));
            if (targetCutoff < 0) continue;
            for (var h = 0; h < k; h++)
                if (SequenceLayout.Usable(frame, o, layout.HeadHorizons[h], targetCutoff))
                {
                    y[i * k + h] = (float)(frame.Target(o, layout.HeadHorizons[h]) / layout.TargetSigmas[h]);
                    ym[i * k + h] = 1;
                }
        }
        return new WindowSet { Count = n, Past = past, Future = fut, Targets = y, TargetMask = ym, Abstain = abstain };
    }
}
