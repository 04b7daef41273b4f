using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Features;
using Cbi.Workbench.Models;
using Cbi.Workbench.Search;
using Cbi.Workbench.Tests.Data;
using Cbi.Workbench.Validation;

namespace Cbi.Workbench.Tests.Models;

/// <summary>The contract every model of the catalogue keeps, checked for every registered spec (the baselines,
/// LightGBM, and whatever is registered later, like the test-only <see cref="ThrowAwayModel"/>), as MathNet runs one
/// check over every distribution. Data: the real point-in-time feature table (warehouse built from data/raw),
/// training on 2009–2014 (purged at the horizon), origins in January 2015, h = 5.</summary>
[Collection("warehouse")]
public class CatalogueContractTests
{
    const int H = 5;
    // The networks train on the most recent 300 windows only (LightGBM and the baselines ignore MaxRecentRows), which
    // keeps their ~9 fits each here to seconds; the contract does not depend on how well a model learnt.
    static readonly TrainingBudget Small = new(60, 10, MaxRecentRows: 300);
    readonly Frame frame;
    readonly int[] train;
    readonly int[] origins;

    public CatalogueContractTests(WarehouseFixture wh)
    {
        ThrowAwayModel.EnsureRegistered();
        frame = Shared(wh.Path);
        var first = frame.RowOf(frame.Dates.First(d => d >= new DateOnly(2015, 1, 2)));
        origins = Enumerable.Range(0, 5).Select(k => first + 7 * k).ToArray();
        var start = Array.FindIndex(frame.Dates, d => d >= new DateOnly(2009, 1, 1));
        train = Enumerable.Range(start, first - start).Where(r => r + H < first).ToArray();
    }

    static Frame? shared;
    static Frame Shared(string warehouse) => shared ??= Splits.Development(FeatureBuilder.Build(warehouse));

    /// <summary>Every registered spec (the test-only one included), by name.</summary>
    public static TheoryData<string> Specs
    {
        get
        {
            ThrowAwayModel.EnsureRegistered();
            return new TheoryData<string>(ModelCatalog.All.Select(s => s.Name));
        }
    }

    IForecaster Fitted(ModelSpec spec, Frame f, int seed = 42)
    {
        var m = spec.Create(budget: Small, seed: seed);
        m.Fit(f, train, H);
        return m;
    }

    static Frame Copy(Frame f, int rows, Action<double[][]>? edit = null)
    {
        var features = f.Features.Select(c => c[..rows]).ToArray();
        edit?.Invoke(features);
        return new Frame(f.Dates[..rows], f.Close[..rows], f.FeatureNames, features, f.Weights?[..rows], f.Calendar);
    }

    static void Dispose(IForecaster m) => (m as IDisposable)?.Dispose();

    /// <summary>One walk-forward fold of <paramref name="spec"/> on <paramref name="f"/> through the engine (the training
    /// rows and origins of this class).</summary>
    BacktestResult WalkForward(ModelSpec spec, Frame f) =>
        Backtest.Run(Backtest.Factory(spec, null, Small, 42, null), spec.MissingInputs, f,
            [new Fold(0, H, train, origins, "validation")], [H], progress: false);

    /// <summary>Every origin gives a row within the sanity bound or an abstention that says why.</summary>
    void AssertSane(string name, Frame f, BacktestResult r)
    {
        var bound = Backtest.SanityBound(f, train, H);
        Assert.True(double.IsFinite(bound));
        Assert.Equal(origins.Length, r.Rows.Count + r.Abstentions.Count);
        Assert.All(r.Rows, x => Assert.True(Math.Abs(x.Q10) <= bound && Math.Abs(x.Q50) <= bound && Math.Abs(x.Q90) <= bound,
            $"{name}: ({x.Q10}, {x.Q50}, {x.Q90}) beyond ±{bound}"));
        Assert.All(r.Abstentions, a => Assert.False(string.IsNullOrWhiteSpace(a.Reason)));
    }

    [Theory, MemberData(nameof(Specs))]
    public void a_feature_stale_in_training_that_then_moves_gives_no_forecast_beyond_the_sanity_bound(string name)
    {
        // Constructed edit of the real table: every feature that is present throughout is frozen at its first training
        // value (plus 1e-9 wiggles, σ ≈ 1e-9) for the whole training period, then moves by 0.1 per origin — a stale
        // series that resumed. A scaler dividing by that σ turned the nets' forecasts into −1,923 and +139,745.
        var last = origins[^1];
        var f = Copy(frame, last + H + 1, cols =>
        {
            foreach (var c in cols.Where(c => train.Concat(origins).All(r => !double.IsNaN(c[r]))))
            {
                var level = c[train[0]];
                for (var r = 0; r < origins[0]; r++) if (!double.IsNaN(c[r])) c[r] = level + 1e-9 * (r % 2);
                for (var r = origins[0]; r < c.Length; r++) if (!double.IsNaN(c[r])) c[r] = level + 0.1 * (r - origins[0] + 1);
            }
        });
        AssertSane(name, f, WalkForward(ModelCatalog.Get(name), f));
    }

    [Theory, MemberData(nameof(Specs))]
    public void a_flat_price_stretch_before_the_origins_gives_finite_forecasts_within_the_sanity_bound(string name)
    {
        // Constructed edit: the last 100 closes of the training period unchanged (a market that did not trade), as GARCH
        // met it with zero-width bands before its variance floor.
        var f = new Frame(frame.Dates, frame.Close.Select((c, r) => r > origins[0] - 100 && r <= origins[0] ? frame.Close[origins[0] - 100] : c).ToArray(),
            frame.FeatureNames, frame.Features, frame.Weights, frame.Calendar);
        AssertSane(name, f, WalkForward(ModelCatalog.Get(name), f));
    }

    [Fact]
    public void the_engine_turns_a_forecast_beyond_the_sanity_bound_into_an_abstention_that_says_so()
    {
        var r = Backtest.Run((_, _) => new FixedForecaster(new QuantileForecast(-2000, 0, 140000)), MissingInputRule.NotRead, frame,
            [new Fold(0, H, train, origins, "validation")], [H], progress: false);
        Assert.Empty(r.Rows);
        Assert.Equal(origins.Length, r.Abstentions.Count);
        Assert.StartsWith("sanity bound: forecast (P10 -2000, P50 0, P90 1.4E+05) outside ±", r.Abstentions[0].Reason);
    }

    sealed class FixedForecaster(QuantileForecast q) : IForecaster
    {
        public string Name => "fixed";
        public FitInfo? Info => null;
        public void Save(string directory) => throw new NotSupportedException();
        public void Fit(Frame frame, IReadOnlyList<int> trainRows, int horizon) { }
        public IReadOnlyList<QuantileForecast> Predict(Frame frame, IReadOnlyList<int> originRows) => originRows.Select(_ => q).ToArray();
    }

    [Theory, MemberData(nameof(Specs))]
    public void forecasts_are_unchanged_when_the_data_after_the_origin_is_cut_off(string name)
    {
        var spec = ModelCatalog.Get(name);
        var o = origins[^1];
        var cut = Copy(frame, o + 1);
        var a = Fitted(spec, frame);
        var b = Fitted(spec, cut);
        try { Assert.Equal(b.Predict(cut, [o]), a.Predict(frame, [o])); }
        finally { Dispose(a); Dispose(b); }
    }

    [Theory, MemberData(nameof(Specs))]
    public void the_backtester_counts_raw_crossings_and_emits_ordered_quantiles(string name)
    {
        var spec = ModelCatalog.Get(name);
        var fold = new Fold(0, H, train, origins, "validation");
        var run = Backtest.Run(spec, frame, [fold], [H], budget: Small, progress: false);
        Assert.Equal(origins.Length, run.Rows.Count + run.Abstentions.Count);
        Assert.All(run.Rows, r => Assert.True(r.Q10 <= r.Q50 && r.Q50 <= r.Q90, $"{name} {r.OriginDate}: {r.Q10} {r.Q50} {r.Q90}"));
        var m = Fitted(spec, frame);
        try { Assert.Equal(m.Predict(frame, origins).Count(q => !q.IsAbstention && q.Repaired().Crossed), run.QuantileCrossings); }
        finally { Dispose(m); }
        Assert.All(run.Rows, r => Assert.Equal(name, r.Model));
    }

    [Theory, MemberData(nameof(Specs))]
    public void predict_before_fit_is_refused_with_an_error_naming_the_model(string name)
    {
        var m = ModelCatalog.Get(name).Create(budget: Small);
        try { Assert.Contains(name, Assert.Throws<InvalidOperationException>(() => m.Predict(frame, origins)).Message); }
        finally { Dispose(m); }
    }

    [Theory, MemberData(nameof(Specs))]
    public void the_same_seed_gives_identical_forecasts(string name)
    {
        var spec = ModelCatalog.Get(name);
        var a = Fitted(spec, frame, seed: 7);
        var b = Fitted(spec, frame, seed: 7);
        try { Assert.Equal(a.Predict(frame, origins), b.Predict(frame, origins)); }
        finally { Dispose(a); Dispose(b); }
    }

    [Theory, MemberData(nameof(Specs))]
    public void a_saved_and_reloaded_model_predicts_bit_identically_under_a_stable_version(string name)
    {
        var spec = ModelCatalog.Get(name);
        var root = Directory.CreateTempSubdirectory("cbi-models-").FullName;
        var m = Fitted(spec, frame);
        try
        {
            var saved = ModelStore.Save(m, root);
            Assert.Equal(saved.Version, ModelStore.Save(m, root).Version);
            Assert.Equal(name, saved.Info.Model);
            Assert.Equal(Path.Combine(root, name, $"h{H}", saved.Version), saved.Directory);
            var back = ModelStore.Load(saved.Directory);
            try
            {
                Assert.Equal(m.Predict(frame, origins), back.Predict(frame, origins));
                Assert.Equal(m.Info!.TrainEnd, back.Info!.TrainEnd);
            }
            finally { Dispose(back); }
        }
        finally { Dispose(m); Directory.Delete(root, recursive: true); }
    }

    [Theory, MemberData(nameof(Specs))]
    public void disposing_a_model_releases_every_native_object_it_held(string name)
    {
        var before = NativeResources.Live;
        var m = Fitted(ModelCatalog.Get(name), frame);
        if (m is not IDisposable d)
        {
            Assert.Equal(before, NativeResources.Live); // a managed-only model holds nothing native
            return;
        }
        d.Dispose();
        Assert.Equal(before, NativeResources.Live);
        Assert.Throws<InvalidOperationException>(() => m.Predict(frame, origins));
    }

    [Theory, MemberData(nameof(Specs))]
    public void an_input_missing_at_the_origin_follows_the_declared_rule(string name)
    {
        var spec = ModelCatalog.Get(name);
        Assert.True(Enum.IsDefined(spec.MissingInputs));
        var o = origins[0];
        // A feature that was never missing in the training rows, nor at the origin: missing there for the first time.
        var j = Enumerable.Range(0, frame.Features.Length).First(c => train.All(r => !double.IsNaN(frame.Features[c][r])) && !double.IsNaN(frame.Features[c][o]));
        var holed = Copy(frame, frame.Rows, fs => { fs[j] = (double[])fs[j].Clone(); fs[j][o] = double.NaN; });
        var m = Fitted(spec, frame);
        try
        {
            var clean = m.Predict(frame, [o])[0];
            var missing = m.Predict(holed, [o])[0];
            switch (spec.MissingInputs)
            {
                case MissingInputRule.NotRead or MissingInputRule.AbstainWhenPriceMissing:
                    Assert.Equal(clean, missing); // no feature is read
                    break;
                case MissingInputRule.AbstainWhenUnseen:
                    Assert.True(missing.IsAbstention, $"{name} forecast {missing} although {frame.FeatureNames[j]} is missing");
                    var run = Backtest.Run(spec, holed, [new Fold(0, H, train, [o], "validation")], [H], budget: Small, progress: false);
                    Assert.Empty(run.Rows);
                    Assert.Contains(frame.FeatureNames[j], Assert.Single(run.Abstentions).Reason);
                    break;
                case MissingInputRule.DropAbstainingMembers:
                    // Never a number made from a missing input: either every weighted member abstained, or the forecast
                    // is the weighted combination of the members that did not, their weights rescaled.
                    Assert.True(missing.IsAbstention || (double.IsFinite(missing.Q10) && double.IsFinite(missing.Q50) && double.IsFinite(missing.Q90)), $"{name}: {missing}");
                    if (m is Cbi.Workbench.Ensemble.EnsembleForecaster e)
                        Assert.Equal(Cbi.Workbench.Ensemble.EnsembleForecaster.Combine(e.Weights["all"], e.Members.Select(x => x.Predict(holed, [o])[0]).ToArray()), missing);
                    break;
                default:
                    Assert.Fail($"{name}: rule {spec.MissingInputs} has no contract check yet; add one here.");
                    break;
            }
        }
        finally { Dispose(m); }
    }

    [Fact]
    public void a_registered_spec_appears_in_the_listing_the_backtester_the_search_and_these_tests()
    {
        var spec = ThrowAwayModel.EnsureRegistered();
        Assert.Contains(ModelCatalog.Listing(), l => l.StartsWith(ThrowAwayModel.Name + " ", StringComparison.Ordinal) && l.Contains("test only"));
        Assert.Contains(ThrowAwayModel.Name, ModelCatalog.Resolve("baselines").Select(s => s.Name));
        Assert.Contains(Specs.Cast<object[]>(), row => (string)row[0] == ThrowAwayModel.Name);

        var run = Backtest.Run(spec, frame, [new Fold(0, H, train, origins, "validation")], [H], progress: false);
        Assert.Equal(origins.Length, run.Rows.Count);

        var profile = RunProfile.Smoke with { Name = "contract", Search = new SearchBudget(3, 2, 1) };
        var best = ModelSearch.Run(spec, frame, [new Fold(0, H, train, origins, "validation")], H, profile, Study.InMemory);
        Assert.InRange(best.Params["width"], 0.5, 3.0);
        Assert.True(double.IsFinite(best.Value));
    }

    [Fact]
    public void a_name_is_registered_once_and_a_default_point_must_cover_the_space()
    {
        var spec = ThrowAwayModel.EnsureRegistered();
        Assert.Contains("already registered", Assert.Throws<ArgumentException>(() => ModelCatalog.Register(spec)).Message);
        Assert.Contains("lacks parameter 'width'", Assert.Throws<ArgumentException>(() =>
            ModelCatalog.Register(spec with { Name = "test_band2", DefaultPoint = new Dictionary<string, double>() })).Message);
        Assert.Contains("outside its range", Assert.Throws<ArgumentException>(() =>
            spec.Create(new Dictionary<string, double> { ["width"] = 9 })).Message);
        Assert.Contains("unknown model 'nope'", Assert.Throws<ArgumentException>(() => ModelCatalog.Get("nope")).Message);
    }
}
