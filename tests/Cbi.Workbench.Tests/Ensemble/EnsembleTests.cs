using Cbi.Workbench.Data;
using Cbi.Workbench.Ensemble;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Features;
using Cbi.Workbench.Models;
using Cbi.Workbench.Search;
using Cbi.Workbench.Tests.Data;
using Cbi.Workbench.Validation;
using MathNet.Numerics.Distributions;
using static Cbi.Workbench.Tests.Models.ConstructedSeries;

namespace Cbi.Workbench.Tests.Ensemble;

/// <summary>Quantile-averaging weights (constructed member forecasts with known answers).</summary>
public class QuantileCombinerTests
{
    [Fact]
    public void weights_are_non_negative_and_sum_to_one_for_every_level()
    {
        var rng = new Random(3);
        var y = Enumerable.Range(0, 400).Select(_ => Normal.Sample(rng, 0, 1)).ToArray();
        double[][] q = [y.Select(_ => -1.0).ToArray(), y.Select(v => v - 0.5).ToArray(), y.Select(_ => 2.0).ToArray()];
        foreach (var tau in new[] { 0.1, 0.5, 0.9 })
        {
            var w = QuantileCombiner.Fit(q, y, tau);
            Assert.All(w, x => Assert.True(x >= 0));
            Assert.Equal(1.0, w.Sum(), 12);
        }
    }

    [Fact]
    public void the_member_that_is_the_true_quantile_takes_the_weight()
    {
        // y ~ N(0,1); member 0 forecasts the true median 0, member 1 a median shifted by +1, member 2 by −1.
        var rng = new Random(4);
        var y = Enumerable.Range(0, 2000).Select(_ => Normal.Sample(rng, 0, 1)).ToArray();
        double[][] q = [new double[y.Length], Enumerable.Repeat(1.0, y.Length).ToArray(), Enumerable.Repeat(-1.0, y.Length).ToArray()];
        var w = QuantileCombiner.Fit(q, y, 0.5);
        // Any mix of +1 and −1 in equal parts also gives 0: the loss is what must be optimal (the pinball loss of the
        // true median of N(0,1) is E|z|/2 = 0.3989…/1 ÷ 2 over the sample), reached within 1e-3.
        Assert.Equal(QuantileCombiner.Loss(q, y, 0.5, [1, 0, 0]), QuantileCombiner.Loss(q, y, 0.5, w), 3);
    }

    [Fact]
    public void an_ensemble_of_identical_members_equals_the_member()
    {
        var member = new QuantileForecast(-0.03, 0.001, 0.035);
        foreach (var w in new[] { QuantileWeights.Equal(["a", "b", "c"]), new QuantileWeights(["a", "b", "c"], [0.2, 0.3, 0.5], [0.6, 0.4, 0], [0, 0, 1]) })
        {
            var combined = EnsembleForecaster.Combine(w, [member, member, member]);
            Assert.Equal(member.Q10, combined.Q10, 15);
            Assert.Equal(member.Q50, combined.Q50, 15);
            Assert.Equal(member.Q90, combined.Q90, 15);
        }
    }

    [Fact]
    public void an_abstaining_member_is_left_out_and_the_others_rescaled()
    {
        var w = new QuantileWeights(["a", "b"], [0.25, 0.75], [0.25, 0.75], [0.25, 0.75]);
        var c = EnsembleForecaster.Combine(w, [new QuantileForecast(-1, 0, 1), QuantileForecast.Abstain]);
        Assert.Equal(new QuantileForecast(-1, 0, 1), c);
        Assert.True(EnsembleForecaster.Combine(w, [QuantileForecast.Abstain, QuantileForecast.Abstain]).IsAbstention);
    }
}

/// <summary>Bad input to the ensemble study: clear errors naming the model, the horizon and the dates.</summary>
public class EnsembleBadInputTests
{
    static PredictionRow Row(string model, int h, DateOnly origin, double y = 0.01, int offset = 7) =>
        new(model, h, origin, origin.AddDays(offset), y, -0.02, 0, 0.02, 0, "validation");

    static readonly Frame F = Cycle(400);

    [Fact]
    public void a_member_missing_the_horizon_is_refused()
    {
        var rows = F.Dates.Skip(100).Take(50).Select(d => Row("rw", 5, d)).ToList();
        var e = Assert.Throws<ArgumentException>(() => EnsembleStudy.Compare(rows, F, [5], ["rw", "mean"]));
        Assert.Equal("ensemble: member mean has no validation rows at h 5.", e.Message);
    }

    [Fact]
    public void a_member_missing_origins_is_refused_naming_them()
    {
        var days = F.Dates.Skip(100).Take(50).ToArray();
        var rows = days.Select(d => Row("rw", 5, d)).Concat(days.Where((_, i) => i is < 10 or >= 13).Select(d => Row("mean", 5, d))).ToList();
        var e = Assert.Throws<ArgumentException>(() => EnsembleStudy.Compare(rows, F, [5], ["rw", "mean"]));
        Assert.Equal($"ensemble: member mean lacks 3 origin(s) at h 5 that other members have ({days[10]:yyyy-MM-dd} … {days[12]:yyyy-MM-dd}).", e.Message);
    }

    [Fact]
    public void members_disagreeing_on_an_origin_are_refused_as_misaligned()
    {
        var days = F.Dates.Skip(100).Take(50).ToArray();
        var rows = days.Select(d => Row("rw", 5, d)).Concat(days.Select((d, i) => Row("mean", 5, d, offset: i == 7 ? 8 : 7))).ToList();
        var e = Assert.Throws<ArgumentException>(() => EnsembleStudy.Compare(rows, F, [5], ["rw", "mean"]));
        Assert.Contains($"mean and rw disagree at h 5, origin {days[7]:yyyy-MM-dd}", e.Message);
        Assert.Contains("misaligned origins", e.Message);
    }

    [Fact]
    public void an_empty_calibration_set_is_refused_naming_model_horizon_and_dates()
    {
        var spec = Conformal.Wrap(ModelCatalog.Get("rw"), ConformalMethod.Cqr);
        var m = spec.Create();
        var e = Assert.Throws<ArgumentException>(() => m.Fit(F, Range(0, 80), 5));
        Assert.StartsWith($"rw+cqr h=5: 40 calibration outcomes ({F.Dates[0]:yyyy-MM-dd} … {F.Dates[79]:yyyy-MM-dd}), need at least 60", e.Message); // at most half the 80 rows
    }
}

/// <summary>Conformal calibration on real folds and on a constructed coverage shift.</summary>
[Collection("warehouse")]
public class ConformalTests(WarehouseFixture wh)
{
    [Fact]
    [Trait("Category", "Slow")]
    public void adaptive_conformal_bands_cover_within_three_points_of_80_percent_on_later_real_folds()
    {
        // Each validation fold (2020-01 … 2023-06) is predicted by a model calibrated only on rows before it (its
        // training window's tail and the outcomes known by each origin). Base: the random walk, whose own P10–P90
        // covers 61 % (h = 5) and 56 % (h = 21) of these outcomes.
        var dev = Splits.Development(FeatureBuilder.Build(Snapshot.Load(wh.Path)));
        var spec = Conformal.Wrap(ModelCatalog.Get("rw"), ConformalMethod.Aci);
        foreach (var h in new[] { 5, 21 })
        {
            var rows = Backtest.Run(spec, dev, Splits.Validation(dev, h), [h], progress: false).Rows;
            var coverage = rows.Average(r => r.Y >= r.Q10 && r.Y <= r.Q90 ? 1.0 : 0);
            Assert.InRange(coverage, 0.77, 0.83);
        }
    }

    [Fact]
    public void aci_restores_coverage_after_the_volatility_triples_where_a_fixed_band_does_not()
    {
        // Constructed returns: σ = 0.01 for 1,500 sessions, then 0.03. A base model with the fixed 80 % band ±1.2816σ of
        // its training returns covers, after the shift, 2Φ(1.2816/3) − 1 = 0.3307 (the known answer); ACI must bring the
        // second half's coverage back to 80 % ± 6 points (its long-run guarantee with γ = 0.03 over 1,500 updates is
        // (0.9 + 0.03)/(0.03 · 1,500) ≈ 0.021 per side).
        var rng = new Random(9);
        var y = new double[3100];
        y[0] = Math.Log(40);
        for (var t = 1; t < y.Length; t++) y[t] = y[t - 1] + (t < 1500 ? 0.01 : 0.03) * Normal.Sample(rng, 0, 1);
        var f = FromLogPrice(y);
        var band = new ModelSpec
        {
            Name = "fixed_band", Description = "test", Inputs = ModelInputs.Prices, MissingInputs = MissingInputRule.NotRead,
            Factory = (_, _, _, _) => new FixedBand(), Loader = _ => throw new NotSupportedException(),
        };
        var train = Range(0, 1400);
        var origins = Range(1600, 3095);
        var plain = band.Create(); plain.Fit(f, train, 1);
        var plainCoverage = Cover(f, origins, plain.Predict(f, origins));
        Assert.Equal(0.3307, plainCoverage, 0.03);
        var aci = Conformal.Wrap(band, ConformalMethod.Aci).Create();
        aci.Fit(f, train, 1);
        Assert.InRange(Cover(f, origins, aci.Predict(f, origins)), 0.74, 0.86);
    }

    static double Cover(Frame f, int[] origins, IReadOnlyList<QuantileForecast> q) =>
        origins.Select((o, i) => (Y: f.Target(o, 1), Q: q[i])).Average(x => x.Y >= x.Q.Q10 && x.Y <= x.Q.Q90 ? 1.0 : 0);

    /// <summary>P50 = 0, P10/P90 = ∓1.2816·σ of the training daily returns (a band that does not adapt).</summary>
    sealed class FixedBand : IForecaster
    {
        double sigma;
        public string Name => "fixed_band";
        public FitInfo? Info { get; private set; }
        public void Fit(Frame frame, IReadOnlyList<int> trainRows, int horizon)
        {
            var r = trainRows.Skip(1).Select(i => Math.Log(frame.Close[i] / frame.Close[i - 1])).ToArray();
            var m = r.Average();
            sigma = Math.Sqrt(r.Sum(x => (x - m) * (x - m)) / (r.Length - 1)) * Math.Sqrt(horizon);
            Info = new FitInfo(Name, horizon, frame.Dates[trainRows[0]], frame.Dates[trainRows[^1]], trainRows.Count, "none", new Dictionary<string, string>(), 0);
        }
        public IReadOnlyList<QuantileForecast> Predict(Frame frame, IReadOnlyList<int> originRows) =>
            originRows.Select(_ => new QuantileForecast(-1.2816 * sigma, 0, 1.2816 * sigma)).ToArray();
        public void Save(string directory) => throw new NotSupportedException();
    }
}
