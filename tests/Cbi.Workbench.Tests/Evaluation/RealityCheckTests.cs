using System.Text.Json;
using Cbi.Workbench.Evaluation;

namespace Cbi.Workbench.Tests.Evaluation;

/// <summary>White's Reality Check and Hansen's SPA against the arch package's SPA on the same numbers and the same
/// bootstrap resamples (reference: scripts/spa-reference.py, arch commit in spa-reference.json).</summary>
public class RealityCheckTests
{
    sealed record Reference(string Source, int Block, int Reps, double[] Benchmark, double[][] Models, int[][] Indices, Dictionary<string, double> Pvalues);

    static Reference Load() => JsonSerializer.Deserialize<Reference>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Evaluation", "spa-reference.json")),
        new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;

    static double[][] Differentials(Reference r) =>
        r.Models.Select(m => r.Benchmark.Select((b, t) => b - m[t]).ToArray()).ToArray();

    [Fact]
    public void spa_and_reality_check_p_values_equal_arch_on_the_same_bootstrap_indices()
    {
        var r = Load();
        Assert.Contains("github.com/bashtage/arch", r.Source);
        var (rc, lower, consistent, upper) = RealityCheck.PValues(Differentials(r), r.Indices, r.Block, studentize: false);
        // arch 8 (SPA with studentize=True still compares unstudentized maxima; studentization enters the consistent
        // threshold only): exact equality, since both count the same replications.
        Assert.Equal(r.Pvalues["lower"], lower);
        Assert.Equal(r.Pvalues["consistent"], consistent);
        Assert.Equal(r.Pvalues["upper"], upper);
        Assert.Equal(r.Pvalues["upper"], rc); // White's Reality Check is the SPA re-centring every model
    }

    [Fact]
    public void with_a_single_model_studentizing_does_not_change_the_p_values()
    {
        var r = Load();
        // A model that beats the benchmark on average (model 1 improved by 0.05): the statistic is positive, so the
        // 0-floor of the studentized form is idle and dividing one series by its ω̂ cannot change any comparison.
        var d = Differentials(r).Skip(1).Take(1).Select(x => x.Select(v => v + 0.05).ToArray()).ToArray();
        Assert.True(d[0].Average() > 0);
        var plain = RealityCheck.PValues(d, r.Indices, r.Block, studentize: false);
        var student = RealityCheck.PValues(d, r.Indices, r.Block, studentize: true);
        Assert.Equal(plain.Consistent, student.Consistent);
        Assert.Equal(plain.Upper, student.Upper);
    }

    [Fact]
    public void a_clearly_better_model_gets_a_small_p_value_and_a_copy_of_the_benchmark_does_not()
    {
        var rng = new Random(5);
        var bench = Enumerable.Range(0, 400).Select(_ => 1 + 0.2 * rng.NextDouble()).ToArray();
        var better = bench.Select(b => b - 0.05 + 0.02 * (rng.NextDouble() - 0.5)).ToArray();
        var same = bench.ToArray();
        var r = RealityCheck.Test(bench, [same, better], ["same", "better"], horizon: 1, bootstraps: 500);
        Assert.Equal("better", r.Best);
        Assert.True(r.SpaConsistentP < 0.01 && r.RealityCheckP < 0.01, $"{r}");
        var none = RealityCheck.Test(bench, [same], ["same"], horizon: 1, bootstraps: 500);
        Assert.True(none.SpaConsistentP > 0.5, $"{none}");
    }

    [Fact]
    public void misaligned_losses_are_refused_naming_the_model()
    {
        var bench = Enumerable.Repeat(1.0, 50).ToArray();
        var e = Assert.Throws<ArgumentException>(() => RealityCheck.Test(bench, [bench[..49]], ["lgbm#3"], horizon: 5));
        Assert.Contains("lgbm#3 has 49 losses, the benchmark 50", e.Message);
    }
}
