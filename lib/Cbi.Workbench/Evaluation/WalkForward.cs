using Cbi.Workbench.IO;
using System.Diagnostics;
using Cbi.Workbench.Models;
using Cbi.Workbench.Validation;

namespace Cbi.Workbench.Evaluation;

/// <summary>What a walk-forward run produced: the long-table rows, how many forecasts had crossing quantiles
/// (repaired by sorting) and how many scored origins had no target inside the data (not emitted).</summary>
public sealed record BacktestResult(IReadOnlyList<PredictionRow> Rows, int QuantileCrossings, int OriginsWithoutTarget, TimeSpan Elapsed);

/// <summary>Walk-forward backtesting over chronological folds: for every fold of a requested horizon, a fresh
/// model (one per horizon, from the factory) is fitted on the fold's (purged) training rows and predicts its
/// score rows.</summary>
public static class WalkForward
{
    public static BacktestResult Run(Func<int, IForecaster> factory, Frame frame, IEnumerable<Fold> folds, IEnumerable<int> horizons,
        bool progress = true)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(frame);
        var hs = horizons.Distinct().OrderBy(h => h).ToArray();
        if (hs.Length == 0) throw new ArgumentException("no horizons given.", nameof(horizons));
        foreach (var h in hs)
            if (h < 1 || h >= frame.Rows) throw new ArgumentOutOfRangeException(nameof(horizons), h, $"horizon must be in 1..{frame.Rows - 1} (the frame has {frame.Rows} rows).");
        var foldList = folds.ToList();
        var sw = Stopwatch.StartNew();
        var rows = new List<PredictionRow>();
        int crossings = 0, noTarget = 0;
        string? name = null;
        foreach (var h in hs)
        {
            var hf = foldList.Where(f => f.Horizon == h).OrderBy(f => f.Index).ToList();
            if (hf.Count == 0) throw new ArgumentException($"no fold has horizon {h}.", nameof(folds));
            foreach (var fold in hf)
            {
                var model = factory(h);
                name ??= model.Name;
                model.Fit(frame, fold.TrainRows, h);
                var origins = fold.ScoreRows.Where(r => frame.TargetRow(r, h) >= 0).ToArray();
                noTarget += fold.ScoreRows.Length - origins.Length;
                if (origins.Length == 0) continue;
                var fc = model.Predict(frame, origins);
                if (fc.Count != origins.Length)
                    throw new InvalidOperationException($"{model.Name}: Predict returned {fc.Count} forecasts for {origins.Length} origins (fold {fold.Index}, h {h}).");
                for (var i = 0; i < origins.Length; i++)
                {
                    var o = origins[i];
                    var q = fc[i];
                    if (!double.IsFinite(q.Q10) || !double.IsFinite(q.Q50) || !double.IsFinite(q.Q90))
                        throw new InvalidOperationException($"{model.Name}: non-finite quantile forecast at origin {frame.Dates[o]:yyyy-MM-dd} (row {o}, h {h}, fold {fold.Index}): {q}.");
                    double a = q.Q10, b = q.Q50, c = q.Q90;
                    if (!(a <= b && b <= c))
                    {
                        crossings++;
                        Span<double> s = [a, b, c];
                        s.Sort();
                        a = s[0]; b = s[1]; c = s[2];
                    }
                    rows.Add(new PredictionRow(model.Name, h, frame.Dates[o], frame.Dates[o + h], frame.Target(o, h), a, b, c, fold.Index, fold.Split));
                }
                if (progress)
                    Log.Progress($"[walk-forward {model.Name}] h={h} fold {fold.Index} ({fold.Split}): trained on {fold.TrainRows.Length} rows, scored {origins.Length}");
            }
        }
        if (crossings > 0)
            Log.Progress($"[walk-forward {name}] {crossings} forecasts had crossing quantiles; repaired by sorting.");
        if (noTarget > 0 && progress)
            Log.Progress($"[walk-forward {name}] {noTarget} score origins have no target inside the data; not emitted.");
        return new BacktestResult(rows, crossings, noTarget, sw.Elapsed);
    }
}
