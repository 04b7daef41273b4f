using System.Globalization;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Models;

namespace Cbi.Workbench.Cli.Commands;

/// <summary>`cbi backtest`: validation walk-forward of catalogue models into the shared prediction table.</summary>
internal sealed class BacktestCommand : ICliCommand
{
    public string Name => "backtest";
    public string Usage => "backtest --model NAME[,NAME…] [--profile smoke|full] [--horizons 5,21] [--default-params] [--no-warehouse]  " +
                           "validation walk-forward (searched models use their best-params.json) → predictions.parquet";

    public int Run(string[] args)
    {
        var a = new CliArgs(args, "default-params", "no-warehouse");
        a.RejectUnknown([.. ModelArgs.Known, "default-params", "no-warehouse"]);
        var (models, profile) = ModelArgs.Read(a);
        var frames = new Dictionary<ModelInputs, Frame>();
        var rows = new List<PredictionRow>();
        Frame? priceFrame = null;
        foreach (var spec in models)
        {
            if (!frames.TryGetValue(spec.Inputs, out var frame)) frames[spec.Inputs] = frame = ModelComparison.FrameFor(spec.Inputs);
            if (spec.Inputs == ModelInputs.Prices) priceFrame = frame;
            // null: the context's tuned point (nearest searched horizon where the horizon was not searched).
            Func<int, IReadOnlyDictionary<string, double>?>? parameters = a.Has("default-params") ? _ => null : null;
            if (spec.Space != null && !a.Has("default-params"))
            {
                var best = ModelSearch.ReadBest(spec, profile).ToDictionary(r => r.Horizon, r => r.Parameters);
                Console.Error.WriteLine(best.Count > 0
                    ? $"[backtest] {spec.Name}: searched parameters for h = {string.Join(",", best.Keys)} from {ModelSearch.OutputDir(spec, profile)}; the nearest searched horizon's elsewhere"
                    : $"[backtest] {spec.Name}: not searched in profile {profile.Name}; default point");
            }
            // The run context: a combination learns from the scored rows already in the table, a wrapper's base takes its tuned point.
            var context = RunContext.FromArtifacts(profile, Path.Combine(Workbench.ArtifactsDir, profile.Name));
            var run = Backtest.Validation(spec, frame, context, parameters);
            rows.AddRange(run.Rows);
            PredictionStore.WriteAbstentions(run.Abstentions);
            Console.WriteLine($"{spec.Name}: {run.Rows.Count} prediction rows, {run.QuantileCrossings} quantile crossings repaired, " +
                              $"{run.Abstentions.Count} abstentions, {run.Elapsed.TotalSeconds:F1} s");
        }
        // Both stores in one write (warehouse commit, then the Parquet rename), so a killed run cannot leave them apart unrepaired.
        PredictionStore.Write(rows, warehousePath: a.Has("no-warehouse") ? null : "");
        // Skill needs the reference's rows on the same origins: read them from the table when not computed here.
        var all = PredictionStore.ReadParquet();
        var names = models.Select(m => m.Name).Append(ModelCatalog.Reference.Name).ToHashSet();
        var summary = MetricsSummary.Compute(all.Where(r => names.Contains(r.Model)), priceFrame);
        foreach (var c in ModelComparison.Compare(summary).Where(c => models.Any(m => m.Name == c.Model)))
            Console.WriteLine(FormattableString.Invariant(
                $"{c.Model,-9} h={c.Horizon,3} n={c.N,4} QS skill {c.QuantileScoreSkillVsRw,7:F3}  MAE skill {c.MaeSkillVsRw,7:F3}  DM p {c.DmPValueVsRw,6:F3} (N/h {c.DmEffectiveN,5:F1})  cover {c.Coverage80:F2}"));
        return 0;
    }
}
