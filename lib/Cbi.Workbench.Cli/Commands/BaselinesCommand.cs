using System.Globalization;
using Cbi.Workbench.Data;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Models;

namespace Cbi.Workbench.Cli.Commands;

/// <summary>`cbi baselines`: validation walk-forward of the statistical baselines on real ZL, written to the shared
/// prediction table (Parquet + warehouse) with a metrics summary.</summary>
internal sealed class BaselinesCommand : ICliCommand
{
    public string Name => "baselines";
    public string Usage => "baselines [--models rw,mean,...|all|fast] [--horizons 1,5,21,63,126,252] [--folds 7] [--no-warehouse]  " +
                           "validation walk-forward of the baselines → predictions.parquet + baselines-summary.csv";

    public int Run(string[] args)
    {
        var a = new CliArgs(args, "no-warehouse");
        a.RejectUnknown("models", "horizons", "folds", "no-warehouse");
        var models = (a.Get("models") ?? "all") switch
        {
            "all" => Baseline.All,
            "fast" => Baseline.Fast,
            var s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        };
        foreach (var m in models) Baseline.Factory(m);
        var horizons = a.GetInts("horizons", BaselineStudy.Horizons.ToArray());
        var folds = a.GetInt("folds", 7);

        var frame = BaselineStudy.PriceFrame(Snapshot.Load(Warehouse.EnsureBuilt()).Bars("ZL"));
        var run = BaselineStudy.RunValidation(frame, models, horizons, folds);
        PredictionStore.WriteParquet(run.Rows.ToList());
        if (!a.Has("no-warehouse")) PredictionStore.WriteWarehouse(run.Rows.ToList());
        var summary = MetricsSummary.Compute(run.Rows, frame, folds: BaselineStudy.ValidationFolds(frame, horizons, folds));
        var path = Path.Combine(Workbench.ProfileDir, "baselines-summary.csv");
        MetricsSummary.WriteCsv(summary, path);
        Console.WriteLine($"{run.Rows.Count} prediction rows, {run.QuantileCrossings} quantile crossings repaired; summary {path}");
        foreach (var c in BaselineStudy.Compare(summary))
            Console.WriteLine(FormattableString.Invariant(
                $"{c.Model,-9} h={c.Horizon,3} n={c.N,4} QS skill {c.QuantileScoreSkillVsRw,7:F3}  MAE skill {c.MaeSkillVsRw,7:F3}  DM p {c.DmPValueVsRw,6:F3} (N/h {c.DmEffectiveN,5:F1})  MASE {c.Mase,5:F2}  cover {c.Coverage80:F2}  MAPE {c.MapePrice,5:F2} %"));
        return 0;
    }
}
