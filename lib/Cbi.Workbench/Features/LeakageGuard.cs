using Cbi.Workbench.Models;

namespace Cbi.Workbench.Features;

/// <summary>Proves features are point in time: for each check date t the features are rebuilt from a snapshot
/// truncated at t (what had been published by t) and compared, bit for bit (NaN equals NaN), with row t of
/// the features built from full history. Any difference means some feature at t used information from after
/// t, and is reported with the feature and date.</summary>
public static partial class LeakageGuard
{
    /// <summary>A feature value at a check date that differs between the as-of build and the full-history build.</summary>
    /// <param name="Feature">Feature name.</param>
    /// <param name="Date">The check date t.</param>
    /// <param name="Truncated">The value at t built from the snapshot as of t.</param>
    /// <param name="FullHistory">The value at t built from the full-history snapshot.</param>
    public sealed record Mismatch(string Feature, DateOnly Date, double Truncated, double FullHistory)
    {
        /// <summary>"feature at yyyy-MM-dd: as-of build …, full-history build …" with round-trip number formatting.</summary>
        public override string ToString() => $"{Feature} at {Date:yyyy-MM-dd}: as-of build {Truncated:R}, full-history build {FullHistory:R}";
    }

    /// <summary>Outcome of a leakage check.</summary>
    /// <param name="Dates">The check dates, ascending.</param>
    /// <param name="Features">The features compared, in frame order.</param>
    /// <param name="Mismatches">Every differing (feature, date), in date then feature order; empty when the check passed.</param>
    /// <param name="Seconds">Wall-clock time of the whole check, seconds.</param>
    public sealed record Result(IReadOnlyList<DateOnly> Dates, IReadOnlyList<string> Features, IReadOnlyList<Mismatch> Mismatches,
        double Seconds)
    {
        /// <summary>True when no value differed.</summary>
        public bool Passed => Mismatches.Count == 0;
        /// <summary>Dates × features.</summary>
        public int ValuesCompared => Dates.Count * Features.Count;

        /// <summary>One line: passed with counts, date range and time, or failed with the mismatch count and the first mismatch.</summary>
        public string Summary() => Passed
            ? $"leakage guard passed: {Features.Count} features × {Dates.Count} dates ({Dates[0]:yyyy-MM-dd} … {Dates[^1]:yyyy-MM-dd}) identical bit for bit ({Seconds:F1} s)"
            : $"leakage guard FAILED: {Mismatches.Count} mismatches in {Mismatches.Select(m => m.Feature).Distinct().Count()} features; first: {Mismatches[0]}";
    }

    /// <summary>Checks the features on <paramref name="count"/> ZL trading days spread over
    /// [<paramref name="from"/>, <paramref name="to"/>] (default 2001-01-01 … the last ZL date), rebuilding from
    /// <c>Snapshot.Load(warehouse, asOf: t)</c> for each. One full-history build plus one build per check date.</summary>
    /// <param name="warehousePath">The DuckDB warehouse; null = <see cref="Workbench.WarehousePath"/>.</param>
    /// <param name="count">Number of check dates (≥ 1); fewer when the range has fewer trading days.</param>
    /// <param name="from">First date of the range; null = 2001-01-01.</param>
    /// <param name="to">Last date of the range; null = the last ZL date.</param>
    /// <param name="options">Features to build (null = every catalogue feature) and weights.</param>
    /// <param name="progress">Receives one line per check date; null = silent.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1.</exception>
    /// <exception cref="ArgumentException">No ZL trading day lies in the range, or the feature selection is invalid.</exception>
    /// <exception cref="InvalidOperationException">An as-of build does not end at its check date.</exception>
    /// <exception cref="FileNotFoundException">There is no warehouse file.</exception>
    /// <exception cref="InvalidDataException">The warehouse is stale.</exception>
    public static Result Run(string? warehousePath = null, int count = 60, DateOnly? from = null, DateOnly? to = null,
        FeatureOptions? options = null, Action<string>? progress = null)
    {
        IFeatureSource Load(DateOnly? asOf) => new FeatureBuilder.SnapshotSource(Data.Snapshot.Load(warehousePath, asOf));
        var grid = Data.Snapshot.Load(warehousePath).Bars("ZL").Where(b => !double.IsNaN(b.Close)).Select(b => b.Date).ToArray();
        var dates = SpreadDates(grid, count, from ?? new DateOnly(2001, 1, 1), to ?? grid[^1]);
        return Run(Load, src => FeatureBuilder.Build(src, options), dates, progress);
    }

    /// <summary><paramref name="count"/> ZL trading days spread evenly (by row) over [from, to] of the grid.</summary>
    /// <param name="grid">ZL trading days, ascending.</param>
    /// <param name="count">Number of dates wanted (≥ 1).</param>
    /// <param name="from">First date of the range (inclusive).</param>
    /// <param name="to">Last date of the range (inclusive).</param>
    /// <returns>Ascending dates, the first and last of the range included when <paramref name="count"/> ≥ 2; every
    /// day of the range when it has at most <paramref name="count"/> days.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1.</exception>
    /// <exception cref="ArgumentException">No date of <paramref name="grid"/> lies in [from, to].</exception>
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
