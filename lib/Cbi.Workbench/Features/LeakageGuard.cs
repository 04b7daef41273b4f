using Cbi.Workbench.Models;

namespace Cbi.Workbench.Features;

/// <summary>Proves features are point in time: for each check date t the features are rebuilt from a snapshot
/// truncated at t (what had been published by t) and compared, bit for bit (NaN equals NaN), with row t of
/// the features built from full history. Any difference means some feature at t used information from after
/// t, and is reported with the feature and date.</summary>
public static partial class LeakageGuard
{
    public sealed record Mismatch(string Feature, DateOnly Date, double Truncated, double FullHistory)
    {
        public override string ToString() => $"{Feature} at {Date:yyyy-MM-dd}: as-of build {Truncated:R}, full-history build {FullHistory:R}";
    }

    public sealed record Result(IReadOnlyList<DateOnly> Dates, IReadOnlyList<string> Features, IReadOnlyList<Mismatch> Mismatches,
        double Seconds)
    {
        public bool Passed => Mismatches.Count == 0;
        public int ValuesCompared => Dates.Count * Features.Count;

        public string Summary() => Passed
            ? $"leakage guard passed: {Features.Count} features × {Dates.Count} dates ({Dates[0]:yyyy-MM-dd} … {Dates[^1]:yyyy-MM-dd}) identical bit for bit ({Seconds:F1} s)"
            : $"leakage guard FAILED: {Mismatches.Count} mismatches in {Mismatches.Select(m => m.Feature).Distinct().Count()} features; first: {Mismatches[0]}";
    }

    /// <summary>Checks every catalogue feature on <paramref name="count"/> ZL trading days spread over
    /// [<paramref name="from"/>, <paramref name="to"/>] (default 2001-01-02 … the last ZL date), rebuilding from
    /// <c>Snapshot.Load(warehouse, asOf: t)</c> for each.</summary>
    public static Result Run(string? warehousePath = null, int count = 60, DateOnly? from = null, DateOnly? to = null,
        FeatureOptions? options = null, Action<string>? progress = null)
    {
        IFeatureSource Load(DateOnly? asOf) => new FeatureBuilder.SnapshotSource(Data.Snapshot.Load(warehousePath, asOf));
        var grid = Data.Snapshot.Load(warehousePath).Bars("ZL").Where(b => !double.IsNaN(b.Close)).Select(b => b.Date).ToArray();
        var dates = SpreadDates(grid, count, from ?? new DateOnly(2001, 1, 1), to ?? grid[^1]);
        return Run(Load, src => FeatureBuilder.Build(src, options), dates, progress);
    }

    /// <summary><paramref name="count"/> ZL trading days spread evenly (by row) over [from, to] of the grid.</summary>
    public static DateOnly[] SpreadDates(IReadOnlyList<DateOnly> grid, int count, DateOnly from, DateOnly to)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "need at least one check date.");
        var inRange = grid.Where(d => d >= from && d <= to).ToArray();
        if (inRange.Length == 0) throw new ArgumentException($"no ZL trading days between {from:yyyy-MM-dd} and {to:yyyy-MM-dd}.");
        if (count >= inRange.Length) return inRange;
        return Enumerable.Range(0, count)
            .Select(k => inRange[(int)Math.Round(k * (inRange.Length - 1) / (double)Math.Max(1, count - 1))])
            .Distinct().ToArray();
    }

    /// <summary>The comparison itself. <paramref name="load"/> returns the point-in-time source for an as-of date
    /// (null = full history); <paramref name="build"/> turns a source into features (the real builder, or a
    /// deliberately leaky one in tests).</summary>
    internal static Result Run(Func<DateOnly?, IFeatureSource> load, Func<IFeatureSource, Frame> build,
        IReadOnlyList<DateOnly> dates, Action<string>? progress = null)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var full = build(load(null));
        var rowOf = new Dictionary<DateOnly, int>();
        for (var i = 0; i < full.Rows; i++) rowOf[full.Dates[i]] = i;
        var mismatches = new List<Mismatch>();
        for (var k = 0; k < dates.Count; k++)
        {
            var t = dates[k];
            if (!rowOf.TryGetValue(t, out var row))
                throw new ArgumentException($"check date {t:yyyy-MM-dd} is not a ZL trading day of the full-history build.");
            var part = build(load(t));
            if (part.Rows == 0 || part.Dates[^1] != t)
                throw new InvalidOperationException($"the snapshot as of {t:yyyy-MM-dd} ends at {(part.Rows == 0 ? "nothing" : part.Dates[^1].ToString("yyyy-MM-dd"))}, not at {t:yyyy-MM-dd}.");
            if (!part.FeatureNames.SequenceEqual(full.FeatureNames))
                throw new InvalidOperationException($"the as-of {t:yyyy-MM-dd} build has a different feature list than the full build.");
            var last = part.Rows - 1;
            for (var j = 0; j < full.FeatureNames.Length; j++)
            {
                double a = part.Features[j][last], b = full.Features[j][row];
                if (BitConverter.DoubleToInt64Bits(a) != BitConverter.DoubleToInt64Bits(b) && !(double.IsNaN(a) && double.IsNaN(b)))
                    mismatches.Add(new Mismatch(full.FeatureNames[j], t, a, b));
            }
            progress?.Invoke($"[leakage-guard] {k + 1}/{dates.Count} {t:yyyy-MM-dd}: {mismatches.Count} mismatches so far");
        }
        return new Result(dates, full.FeatureNames, mismatches, sw.Elapsed.TotalSeconds);
    }
}
