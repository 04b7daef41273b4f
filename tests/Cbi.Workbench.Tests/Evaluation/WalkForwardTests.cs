using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Models;
using DuckDB.NET.Data;
using static Cbi.Workbench.Tests.Models.ConstructedSeries;

namespace Cbi.Workbench.Tests.Evaluation;

public class WalkForwardTests
{
    /// <summary>Returns fixed, deliberately crossed quantiles (Q10 above Q90) to exercise the repair.</summary>
    sealed class CrossingForecaster : IForecaster
    {
        public string Name => "crossed";
        public FitInfo? Info => null;
        public void Save(string directory) => throw new NotSupportedException();
        public void Fit(Frame frame, IReadOnlyList<int> trainRows, int horizon) { }
        public IReadOnlyList<QuantileForecast> Predict(Frame frame, IReadOnlyList<int> originRows) =>
            originRows.Select(_ => new QuantileForecast(0.003, 0.001, 0.002)).ToArray(); // within the sanity bound of Cycle's ±2 % days
    }

    [Fact]
    public void rows_carry_origin_target_dates_and_realised_log_returns()
    {
        var f = Cycle(500, drift: 0.001);
        var folds = Expanding(f, 300, 50, 3, 5).Concat(Expanding(f, 300, 50, 3, 21));
        var r = Backtest.Run(ModelCatalog.Get("rw"), f, folds, [5, 21], progress: false);
        // 3 folds × 50 origins at h = 5 (all have targets: last origin 449 + 5 < 500), and at h = 21 the same.
        Assert.Equal(300, r.Rows.Count);
        Assert.Equal(0, r.QuantileCrossings);
        var row = r.Rows.First(x => x.Horizon == 21 && x.Fold == 1);
        var o = Array.IndexOf(f.Dates, row.OriginDate);
        Assert.Equal(350, o);
        Assert.Equal(f.Dates[371], row.TargetDate);
        Assert.Equal(Math.Log(f.Close[371] / f.Close[350]), row.Y, 14);
        Assert.Equal("rw", row.Model);
        Assert.Equal("validation", row.Split);
    }

    [Fact]
    public void origins_without_a_target_are_counted_not_emitted()
    {
        // The split generator never scores such origins; a hand-made fold (scoring rows 380..419) can.
        var f = Cycle(420);
        var fold = new Cbi.Workbench.Validation.Fold(0, 5, Range(0, 374), Range(380, 420), "validation");
        var r = Backtest.Run(ModelCatalog.Get("rw"), f, [fold], [5], progress: false);
        // Origins 380..419; those ≥ 415 have no row 5 days later → 35 rows, 5 counted.
        Assert.Equal(35, r.Rows.Count);
        Assert.Equal(5, r.OriginsWithoutTarget);
    }

    [Fact]
    public void crossing_quantiles_are_counted_and_repaired_by_sorting()
    {
        var f = Cycle(400);
        var r = Backtest.Run((_, _) => new CrossingForecaster(), MissingInputRule.NotRead, f, Expanding(f, 300, 10, 2, 1), [1], progress: false);
        Assert.Equal(20, r.QuantileCrossings);
        Assert.All(r.Rows, x => Assert.Equal((0.001, 0.002, 0.003), (x.Q10, x.Q50, x.Q90)));
    }

    [Theory]
    [InlineData("garch_n")]
    [InlineData("ets")]
    [InlineData("arima")]
    public void folds_fitted_side_by_side_give_exactly_the_serial_rows_in_the_serial_order(string model)
    {
        var f = Cycle(700, drift: 0.0005);
        var folds = new[] { 1, 5, 21 }.SelectMany(h => Expanding(f, 400, 60, 4, h)).ToList();
        var spec = ModelCatalog.Get(model);
        var factory = Backtest.Factory(spec, null, TrainingBudget.Default, 42, null);
        var serial = Backtest.Run(factory, spec.MissingInputs, f, folds, [1, 5, 21], progress: false, parallelism: 1);
        var parallel = Backtest.Run(factory, spec.MissingInputs, f, folds, [1, 5, 21], progress: false, parallelism: 4);
        Assert.Equal(720, serial.Rows.Count + serial.Abstentions.Count);
        Assert.NotEmpty(serial.Rows);
        Assert.Equal(serial.Rows, parallel.Rows); // records: every field, bit for bit, in the same order
        Assert.Equal(serial.Abstentions, parallel.Abstentions);
        Assert.Equal(serial.Fits.Select(x => (x.Horizon, x.Fold)), parallel.Fits.Select(x => (x.Horizon, x.Fold)));
        Assert.Equal(serial.QuantileCrossings, parallel.QuantileCrossings);
    }

    sealed class FailingForecaster(int failAtHorizon) : IForecaster
    {
        public string Name => "failing";
        public FitInfo? Info => null;
        public void Save(string directory) => throw new NotSupportedException();
        public void Fit(Frame frame, IReadOnlyList<int> trainRows, int horizon)
        {
            if (horizon == failAtHorizon) throw new ArgumentException($"cannot fit at h {horizon}");
        }
        public IReadOnlyList<QuantileForecast> Predict(Frame frame, IReadOnlyList<int> originRows) =>
            originRows.Select(_ => new QuantileForecast(-0.01, 0, 0.01)).ToArray();
    }

    [Fact]
    public void a_fold_that_fails_while_others_run_surfaces_as_its_own_exception()
    {
        var f = Cycle(500);
        var folds = new[] { 1, 5 }.SelectMany(h => Expanding(f, 300, 50, 3, h)).ToList();
        var e = Assert.Throws<ArgumentException>(() =>
            Backtest.Run((_, _) => new FailingForecaster(5), MissingInputRule.NotRead, f, folds, [1, 5], progress: false, parallelism: 2));
        Assert.Equal("cannot fit at h 5", e.Message);
    }

    [Fact]
    public void a_horizon_without_folds_is_a_clear_error()
    {
        var f = Cycle(400);
        var e = Assert.Throws<ArgumentException>(() => Backtest.Run(ModelCatalog.Get("rw"), f, Expanding(f, 300, 10, 1, 1), [5], progress: false));
        Assert.Contains("horizon 5", e.Message);
    }

    [Fact]
    public void an_origin_where_the_model_now_abstains_loses_the_row_an_earlier_run_wrote_there()
    {
        var dir = Directory.CreateTempSubdirectory("cbi-pred-");
        try
        {
            var path = Path.Combine(dir.FullName, "predictions.parquet");
            var f = Cycle(500);
            var rows = Backtest.Run(ModelCatalog.Get("rw"), f, Expanding(f, 300, 50, 2, 5), [5], progress: false).Rows;
            PredictionStore.WriteParquet(rows.ToList(), path);
            // A later run abstains at the first three origins (e.g. under the sanity bound) and forecasts the others.
            var gone = rows.Take(3).Select(r => new Abstention(r.Model, r.Horizon, r.OriginDate, r.Fold, "sanity bound: test")).ToList();
            var later = new BacktestResult(rows.Skip(3).ToList(), 0, 0, gone, TimeSpan.Zero);
            PredictionStore.Write(later, path, warehousePath: null);
            var table = PredictionStore.ReadParquet(path);
            Assert.Equal(rows.Count - 3, table.Count);
            Assert.DoesNotContain(table, r => gone.Any(g => g.Origin == r.OriginDate));
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void parquet_table_has_the_contract_columns_and_replaces_exactly_the_keys_written()
    {
        var dir = Directory.CreateTempSubdirectory("cbi-pred-");
        try
        {
            var path = Path.Combine(dir.FullName, "predictions.parquet");
            var f = Cycle(500);
            var rw = Backtest.Run(ModelCatalog.Get("rw"), f, Expanding(f, 300, 50, 2, 5), [5], progress: false).Rows;
            var mean = Backtest.Run(ModelCatalog.Get("mean"), f, Expanding(f, 300, 50, 2, 5), [5], progress: false).Rows;
            PredictionStore.WriteParquet(rw.ToList(), path);
            PredictionStore.WriteParquet(mean.ToList(), path);
            // Ten rw rows rewritten with other values: those ten keys replaced, every other rw row and every mean row kept.
            var changed = rw.Take(10).Select(r => r with { Q50 = r.Q50 + 0.001, Q90 = r.Q90 + 0.001 }).ToList();
            PredictionStore.WriteParquet(changed, path);
            var back = PredictionStore.ReadParquet(path);
            Assert.Equal(rw.Count + mean.Count, back.Count);
            Assert.Equal(changed.OrderBy(x => x.OriginDate), back.Where(x => x.Model == "rw").OrderBy(x => x.OriginDate).Take(10));
            Assert.Equal(rw.Skip(10).OrderBy(x => x.OriginDate), back.Where(x => x.Model == "rw").OrderBy(x => x.OriginDate).Skip(10));
            Assert.Equal(mean.OrderBy(x => x.OriginDate).First(), back.Where(x => x.Model == "mean").OrderBy(x => x.OriginDate).First());

            using var con = new DuckDBConnection("DataSource=:memory:");
            con.Open();
            using var cmd = con.CreateCommand();
            cmd.CommandText = $"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('{path}'))";
            using var rd = cmd.ExecuteReader();
            var cols = new List<string>();
            while (rd.Read()) cols.Add($"{rd.GetString(0)} {rd.GetString(1)}");
            Assert.Equal(PredictionStore.Columns, string.Join(", ", cols));
            Assert.Empty(Directory.GetFiles(dir.FullName, "*.tmp"));
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void warehouse_table_replaces_rows_per_model_in_one_transaction()
    {
        var dir = Directory.CreateTempSubdirectory("cbi-wh-");
        try
        {
            var db = Path.Combine(dir.FullName, "w.duckdb");
            var f = Cycle(500);
            var rw = Backtest.Run(ModelCatalog.Get("rw"), f, Expanding(f, 300, 50, 2, 1), [1], progress: false).Rows.ToList();
            Assert.Throws<FileNotFoundException>(() => PredictionStore.WriteWarehouse(rw, "smoke", db));
            using (var create = new DuckDBConnection($"DataSource={db}")) create.Open();
            PredictionStore.WriteWarehouse(rw, "smoke", db);
            PredictionStore.WriteWarehouse(rw, "smoke", db);
            using var con = new DuckDBConnection($"DataSource={db}");
            con.Open();
            using var cmd = con.CreateCommand();
            cmd.CommandText = "SELECT count(*) FROM predictions WHERE model = 'rw'";
            Assert.Equal(100L, Convert.ToInt64(cmd.ExecuteScalar()));
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void summary_scores_skill_against_the_random_walk_on_shared_origins()
    {
        var f = Cycle(600, drift: 0.001);
        var folds = Expanding(f, 300, 100, 3, 5).ToList();
        var rows = Backtest.Run(ModelCatalog.Get("rw"), f, folds, [5], progress: false).Rows
            .Concat(Backtest.Run(ModelCatalog.Get("rw_drift"), f, folds, [5], progress: false).Rows).ToList();
        var s = MetricsSummary.Compute(rows, f);
        var rw = s.Single(x => x.Model == "rw");
        var drift = s.Single(x => x.Model == "rw_drift");
        Assert.True(double.IsNaN(rw.QuantileScoreSkill));
        // Every 5-day return of this series is exactly 0.005. rw_drift's slope since row 0 is 0.001 plus the partial
        // cycle (|·| ≤ 0.03) over ≥ 300 days, so its 5-day centre is off by at most 5·0.03/300 = 5e-4: MAE ≤ 5e-4
        // against rw's 0.005 → MAE skill ≥ 0.9.
        Assert.InRange(drift.MaeLog, 0, 5e-4);
        Assert.InRange(drift.MaeSkill, 0.9, 1);
        Assert.Equal(295, drift.N); // origins 300..599, the last 5 have no target inside 600 rows
        // rw misses by 0.005 in log terms every time: price MAPE = 100·(1 − e^{−0.005}) = 0.498752 %.
        Assert.Equal(100 * (1 - Math.Exp(-0.005)), rw.MapePrice, 9);
    }

    // Paired rw / model rows at one horizon with varying losses, so that a DM statistic exists.
    static List<PredictionRow> PairedRows(int n, int h)
    {
        var rows = new List<PredictionRow>();
        var d0 = new DateOnly(2010, 1, 4);
        for (var i = 0; i < n; i++)
        {
            var y = 0.02 * Math.Sin(0.7 * i);
            var o = d0.AddDays(i); var t = o.AddDays(h);
            rows.Add(new PredictionRow("rw", h, o, t, y, -0.03, 0, 0.03, 0, "validation"));
            rows.Add(new PredictionRow("m", h, o, t, y, -0.03 + 0.01 * Math.Cos(1.3 * i), 0.005 * Math.Cos(0.9 * i), 0.03, 0, "validation"));
        }
        return rows;
    }

    [Fact]
    public void diebold_mariano_p_value_is_withheld_below_ten_non_overlapping_periods()
    {
        // 40 origins at h = 5 are 40/5 = 8 non-overlapping periods (< 10): statistic kept, p-value NaN, not reliable.
        var few = MetricsSummary.Compute(PairedRows(40, 5)).Single(r => r.Model == "m");
        Assert.Equal(8.0, few.DmEffectiveN, 12);
        Assert.False(few.DmReliable);
        Assert.True(double.IsNaN(few.DmPValue));
        Assert.True(double.IsFinite(few.DmStatistic));
        // 50 origins at h = 5 are exactly 10 periods: the p-value is reported and is a probability.
        var enough = MetricsSummary.Compute(PairedRows(50, 5)).Single(r => r.Model == "m");
        Assert.Equal(10.0, enough.DmEffectiveN, 12);
        Assert.True(enough.DmReliable);
        Assert.InRange(enough.DmPValue, 0, 1);
        // The reference itself has no DM test.
        var rw = MetricsSummary.Compute(PairedRows(50, 5)).Single(r => r.Model == "rw");
        Assert.False(rw.DmReliable);
        Assert.True(double.IsNaN(rw.DmEffectiveN));
    }

    [Fact]
    public void random_walk_has_no_direction_in_the_summary()
    {
        // rw's P50 is exactly 0 in every row: its directional accuracy and PT p-value are undefined (NaN), not
        // computed over "down" calls; model m's P50 (0.005·cos 0.9i) is never 0, so both are defined for it.
        var s = MetricsSummary.Compute(PairedRows(50, 5));
        var rw = s.Single(r => r.Model == "rw");
        Assert.True(double.IsNaN(rw.DirectionalAccuracy));
        Assert.True(double.IsNaN(rw.PtPValue));
        var m = s.Single(r => r.Model == "m");
        Assert.InRange(m.DirectionalAccuracy, 0, 1);
        Assert.InRange(m.PtPValue, 0, 1);
    }

    [Fact]
    public void mase_scale_is_the_mean_absolute_in_sample_no_change_error_of_the_fold()
    {
        // Cycle: 1-day log returns cycle −0.02, −0.01, 0, 0.01, 0.02, so over 300 training rows (60 full cycles) the
        // mean |1-day no-change error| is (0.02+0.01+0+0.01+0.02)/5 = 0.012.
        var f = Cycle(400);
        var fold = new Cbi.Workbench.Validation.Fold(0, 1, Range(0, 300), Range(301, 310), "validation");
        Assert.Equal(0.012, MetricsSummary.NoChangeScale(f, fold), 14);
    }

    [Fact]
    public void summary_mase_scales_errors_by_the_folds_in_sample_no_change_error()
    {
        // Every 5-day log return of Cycle(·, drift 0.001) is exactly 5·0.001 = 0.005, in and out of sample, so rw
        // (P50 = 0) misses by the in-sample scale every time: MASE = 1. rw_drift's MAE ≤ 5e-4 (see the skill test)
        // gives MASE ≤ 5e-4 / 0.005 = 0.1.
        var f = Cycle(600, drift: 0.001);
        var folds = Expanding(f, 300, 100, 3, 5).ToList();
        var rows = Backtest.Run(ModelCatalog.Get("rw"), f, folds, [5], progress: false).Rows
            .Concat(Backtest.Run(ModelCatalog.Get("rw_drift"), f, folds, [5], progress: false).Rows).ToList();
        var s = MetricsSummary.Compute(rows, f, folds: folds);
        Assert.Equal(1.0, s.Single(x => x.Model == "rw").Mase, 9);
        Assert.InRange(s.Single(x => x.Model == "rw_drift").Mase, 0, 0.1);
        // Without folds there is no in-sample scale: NaN, not a guess.
        Assert.True(double.IsNaN(MetricsSummary.Compute(rows, f).Single(x => x.Model == "rw").Mase));
        // Folds that did not produce the rows are refused.
        var other = Expanding(f, 350, 50, 2, 5).ToList();
        Assert.Throws<ArgumentException>(() => MetricsSummary.Compute(rows, f, folds: other));
    }
}
