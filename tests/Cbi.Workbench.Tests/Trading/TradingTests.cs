using Cbi.Workbench.Data;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Features;
using Cbi.Workbench.Models;
using Cbi.Workbench.Tests.Data;
using Cbi.Workbench.Trading;
using static Cbi.Workbench.Tests.Models.ConstructedSeries;

namespace Cbi.Workbench.Tests.Trading;

/// <summary>Signals and the trading backtest: risk caps and roll handling (constructed forecasts; real roll days).</summary>
[Collection("warehouse")]
public class TradingTests(WarehouseFixture wh)
{
    static PredictionRow Row(DateOnly origin, int h, double q10, double q50, double q90) => new("m", h, origin, origin.AddDays(h), 0, q10, q50, q90, 0, "holdout");

    [Fact]
    public void positions_never_exceed_the_per_signal_and_gross_caps()
    {
        var days = Dates(300);
        var rng = new Random(1);
        // Extreme, noisy forecasts at three horizons every day: scores far beyond the caps in both directions.
        var rows = days.SelectMany(d => new[] { 1, 5, 21 }.Select(h => { var m = (rng.NextDouble() - 0.5) * 2; return Row(d, h, m - 0.01, m, m + 0.01); })).ToList();
        var o = new SignalOptions(MaxPosition: 1.0, MaxLeverage: 2.5);
        var signals = Signals.From(rows, o);
        Assert.All(signals, s => Assert.InRange(s.Position, -1.0, 1.0));
        var returns = days.Skip(1).Select((d, i) => new DailyReturn(d, days[i], 0.001 * Math.Sin(i), "quoted")).ToList();
        var (run, summary) = TradingBacktest.Run("caps", signals, returns, o);
        Assert.All(run, d => Assert.InRange(Math.Abs(d.Position), 0, 2.5));
        Assert.True(summary.MaxGrossPosition <= 2.5);
    }

    [Fact]
    public void the_strategy_goes_flat_for_good_once_the_drawdown_reaches_the_stop()
    {
        var days = Dates(200);
        var signals = days.Select(d => new Signal(d, 1, Side.Long, 1.0, 1)).ToList();
        // Falls 1 % a day: a 20 % drawdown after 23 days, then flat whatever follows.
        var returns = days.Skip(1).Select((d, i) => new DailyReturn(d, days[i], i < 100 ? Math.Log(0.99) : Math.Log(1.05), "quoted")).ToList();
        var (run, summary) = TradingBacktest.Run("stop", signals, returns, new SignalOptions(CostPerTurnover: 0));
        Assert.NotNull(summary.StoppedOn);
        var stop = run.ToList().FindIndex(d => d.Date == summary.StoppedOn);
        Assert.True(run[stop].Drawdown >= 0.20 && run[stop - 1].Drawdown < 0.20);
        Assert.All(run.Skip(stop + 1), d => Assert.Equal(0, d.Position));
        Assert.True(summary.MaxDrawdown < 0.21);
    }

    [Fact]
    public void a_roll_day_return_without_a_measured_gap_never_enters_pnl()
    {
        var snapshot = Snapshot.Load(wh.Path);
        var returns = TradingBacktest.Returns(snapshot, new DateOnly(2015, 1, 1), new DateOnly(2026, 7, 14));
        var rolls = snapshot.ZlRollDays.Where(d => d >= new DateOnly(2015, 1, 2)).ToHashSet();
        var measured = snapshot.ZlMeasuredRollDays.ToHashSet();
        Assert.All(returns.Where(r => rolls.Contains(r.Date)), r => Assert.Equal(measured.Contains(r.Date) ? "back-adjusted" : "dropped", r.Source));
        Assert.Contains(returns, r => r.Source == "dropped"); // every roll after 2019-11 has no measured gap
        var signals = returns.Select(r => new Signal(r.Previous, 1, Side.Long, 1.0, 1)).ToList();
        var (run, _) = TradingBacktest.Run("always long", signals, returns, new SignalOptions(CostPerTurnover: 0));
        var byDate = run.ToDictionary(d => d.Date);
        foreach (var r in returns.Where(r => r.Source == "dropped")) Assert.Equal(0, byDate[r.Date].Pnl);
        foreach (var r in returns.Where(r => r.Source == "back-adjusted"))
        {
            var quoted = Math.Log(snapshot.Bars("ZL").Single(b => b.Date == r.Date).Close / snapshot.Bars("ZL").Single(b => b.Date == r.Previous).Close);
            Assert.NotEqual(quoted, r.LogReturn); // the contract switch's jump is not what is booked
        }
    }

    [Fact]
    public void procurement_buys_each_month_once_and_its_saving_is_the_even_price_less_the_price_paid()
    {
        var bars = Snapshot.Load(wh.Path).Bars("ZL").Where(b => b.Date.Year == 2019).ToList();
        // Forecast: P50 > 0 only on the 10th trading day of each month.
        var rows = bars.GroupBy(b => b.Date.Month).SelectMany(g => g.Select((b, i) => Row(b.Date, 5, -0.02, i == 9 ? 0.01 : -0.01, 0.02))).ToList();
        var (months, summary) = Procurement.Run(bars, rows, bootstraps: 500);
        Assert.Equal(12, months.Count);
        foreach (var m in months)
        {
            var month = bars.Where(b => b.Date.Month == m.Month.Month).ToArray();
            Assert.Equal(month[9].Date, m.BoughtOn);
            Assert.Equal(month.Average(b => b.Close) - month[9].Close, m.Saving, 12);
        }
        Assert.True(summary.Low <= summary.MeanSaving && summary.MeanSaving <= summary.High);
    }
}

/// <summary>Point-in-time regime labels.</summary>
[Collection("warehouse")]
public class RegimeTests(WarehouseFixture wh)
{
    [Fact]
    public void regime_labels_at_t_do_not_change_when_the_data_after_t_is_removed()
    {
        var full = ModelComparison.PriceFrame(Snapshot.Load(wh.Path).Bars("ZL"));
        foreach (var t in new[] { 1500, 3000, 4200, 5000, 5800, 6300 })
        {
            var cut = new Frame(full.Dates[..(t + 1)], full.Close[..(t + 1)], [], [], calendar: full.Calendar);
            Assert.Equal(Regimes.MarketRegime(full, t), Regimes.MarketRegime(cut, t));
            Assert.Equal(Regimes.VolatilityRegime(full, t), Regimes.VolatilityRegime(cut, t));
        }
        Assert.Contains(new[] { "crisis", "bull", "bear", "normal" }, g => Enumerable.Range(3000, 3000).Any(t => Regimes.MarketRegime(full, t) == g));
    }
}

/// <summary>The forecast store and the holdout ledger.</summary>
public class ForecastStoreTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void exporting_the_same_forecasts_twice_adds_nothing_and_a_warehouse_rebuild_keeps_them()
    {
        var dir = Directory.CreateTempSubdirectory("cbi-forecasts-").FullName;
        try
        {
            var wh = Path.Combine(dir, "warehouse.duckdb");
            var pq = Path.Combine(dir, "forecasts.parquet");
            Warehouse.Build(Workbench.RawDir, wh, TextWriter.Null);
            var f = Cycle(300);
            var rows = ForecastExport.InPrices(f, [250, 251, 252], [new(-0.02, 0.0, 0.02), new(-0.03, 0.01, 0.02), QuantileForecast.Abstain], 5, "m@abc");
            Assert.Equal(2, rows.Count);
            Assert.Equal(f.Close[250] * Math.Exp(-0.02), rows[0].P10, 12);
            Assert.Equal(f.Dates[255], rows[0].TargetDate);
            Assert.Equal(2, ForecastExport.Append(rows, wh, pq));
            Assert.Equal(0, ForecastExport.Append(rows, wh, pq));
            Assert.Equal(1, ForecastExport.Append([rows[0] with { ModelVersion = "m@def" }], wh, pq));
            Assert.Equal(3, ForecastExport.Read(wh).Count);
            Warehouse.Build(Workbench.RawDir, wh, TextWriter.Null);
            Assert.Equal(3, ForecastExport.Read(wh).Count);

            // A second profile exporting to the same warehouse: each copy holds only the rows its profile exported (the
            // shared row with the first export's values), the table holds them all.
            var other = Path.Combine(dir, "other", "forecasts.parquet");
            var late = rows[1] with { ModelVersion = "m@ghi" };
            Assert.Equal(1, ForecastExport.Append([rows[0] with { P50 = rows[0].P50 * 1.01 }, late], wh, other));
            Assert.Equal(4, ForecastExport.Read(wh).Count);
            Assert.Equal([("m@abc", rows[0].OriginDate), ("m@ghi", rows[1].OriginDate)], KeysIn(other));
            Assert.Equal(rows[0].P50, PricesIn(other)[0], 12);
            Assert.Equal(0, ForecastExport.Append([rows[0]], wh, pq));   // written again after the other profile's export
            Assert.Equal([("m@abc", rows[0].OriginDate), ("m@abc", rows[1].OriginDate), ("m@def", rows[0].OriginDate)], KeysIn(pq));

            // A new warehouse (a fresh clone's): the copy's rows go back into the table and the copy loses none.
            File.Delete(wh);
            Warehouse.Build(Workbench.RawDir, wh, TextWriter.Null);
            Assert.Empty(ForecastExport.Read(wh));
            Assert.Equal(0, ForecastExport.Append([rows[0]], wh, pq));
            Assert.Equal(3, KeysIn(pq).Count);
            Assert.Equal(3, ForecastExport.Read(wh).Count);

            // An unreadable copy stops the export, naming the file, and writes nothing.
            File.WriteAllText(other, "not parquet");
            var e = Assert.Throws<InvalidDataException>(() => ForecastExport.Append([late with { ModelVersion = "m@jkl" }], wh, other));
            Assert.Contains("forecasts.parquet is not a readable forecast copy", e.Message);
            Assert.Equal(3, ForecastExport.Read(wh).Count);
            Assert.Equal("not parquet", File.ReadAllText(other));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    static List<(string, DateOnly)> KeysIn(string parquet) =>
        Query(parquet, "model_version, origin_date", r => (r.GetString(0), r.GetFieldValue<DateOnly>(1)));

    static List<double> PricesIn(string parquet) => Query(parquet, "p50", r => r.GetDouble(0));

    static List<T> Query<T>(string parquet, string columns, Func<System.Data.Common.DbDataReader, T> read)
    {
        using var con = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:");
        con.Open();
        using var cmd = con.CreateCommand();
        cmd.CommandText = $"SELECT {columns} FROM read_parquet('{parquet}') ORDER BY model_version, horizon, origin_date";
        using var r = cmd.ExecuteReader();
        var list = new List<T>();
        while (r.Read()) list.Add(read(r));
        return list;
    }

    [Fact]
    public void the_same_release_evaluated_again_is_a_re_report_not_a_new_look()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cbi-ledger-{Guid.NewGuid():N}.jsonl");
        try
        {
            HoldoutModel[] release = [new("rw", 5, "aaa", 10, 0), new("ensemble", 5, "bbb", 10, 0)];
            var first = HoldoutEvaluation.Record(RunProfile.Smoke, release, [], _ => "ensemble", path);
            var again = HoldoutEvaluation.Record(RunProfile.Smoke, release.Reverse().ToArray(), [], _ => "ensemble", path);
            var other = HoldoutEvaluation.Record(RunProfile.Smoke, [release[0], release[1] with { Version = "ccc" }], [], _ => "ensemble", path);
            Assert.True(first.NewLook);
            Assert.False(again.NewLook);
            Assert.Equal(first.ConfigurationHash, again.ConfigurationHash);
            Assert.True(other.NewLook);
            Assert.Equal((1, 1, 2), (first.DistinctConfigurations, again.DistinctConfigurations, other.DistinctConfigurations));
            Assert.Equal(2, HoldoutEvaluation.Read(path).Count); // one line per configuration
        }
        finally { File.Delete(path); }
    }
}
