using Cbi.Workbench.Data;

namespace Cbi.Workbench.Tests.Data;

/// <summary>A last good warehouse built once from the real data/raw, which every failed build below must leave
/// byte-identical.</summary>
public sealed class GoodWarehouseFixture : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("cbi-good-wh-").FullName;
    public string Path { get; }
    public byte[] Bytes { get; }

    public GoodWarehouseFixture()
    {
        Path = System.IO.Path.Combine(Dir, "warehouse.duckdb");
        Warehouse.Build(Workbench.RawDir, Path, TextWriter.Null);
        Bytes = File.ReadAllBytes(Path);
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}

/// <summary>Each kind of bad raw input, in at least three different sources: the loaders refuse duplicate and
/// out-of-order dates, files without a usable row and non-positive prices, naming file, line and column (ISO dates);
/// the quality gate stops the build on implausible values and lasting unit switches. In every case the build fails
/// and the last good warehouse stays byte-identical. The damage is written into a scratch copy of data/raw with a
/// regenerated manifest, so it reaches the loaders.</summary>
[Trait("Category", "Slow")]
public class BadRawInputSuiteTests(GoodWarehouseFixture good) : IClassFixture<GoodWarehouseFixture>
{
    /// <summary>Damages one file of a scratch data/raw, builds over a copy of the good warehouse, returns the error.</summary>
    Exception BuildFails(string rel, Func<List<string>, List<string>> damage)
    {
        using var raw = new ScratchRaw();
        var lines = File.ReadAllLines(raw.File(rel)).ToList();
        File.WriteAllText(raw.File(rel), string.Join('\n', damage(lines)) + "\n");
        RawManifest.Write(raw.Dir);
        var target = System.IO.Path.Combine(good.Dir, $"copy-{Guid.NewGuid():N}.duckdb");
        File.Copy(good.Path, target);
        try
        {
            var e = Assert.ThrowsAny<Exception>(() => Warehouse.Build(raw.Dir, target, TextWriter.Null));
            Assert.Equal(good.Bytes, File.ReadAllBytes(target));
            Assert.Single(Directory.GetFiles(good.Dir, System.IO.Path.GetFileName(target) + "*"));
            return e;
        }
        finally { File.Delete(target); }
    }

    static int LineOf(List<string> lines, string start) => lines.FindIndex(l => l.StartsWith(start, StringComparison.Ordinal)) + 1;

    static string Message(string rel, int line, string column, string problem) => $"data/raw/{rel}: line {line}, column '{column}': {problem}";

    [Theory]
    [InlineData("yahoo_commodities_ubitron/Soybean Oil.csv", "2010-01-04", "Date")]
    [InlineData("palm_fcpo_omar/soybean_oil.csv", "2018-03-14", "date")]
    [InlineData("fred_dgs10_carpet155/DGS10.csv", "2010-01-04", "observation_date")]
    public void a_repeated_date_names_both_lines(string rel, string date, string column)
    {
        var at = 0;
        var e = BuildFails(rel, l => { at = LineOf(l, date + ","); l.Insert(at, l[at - 1]); return l; });
        Assert.Equal(Message(rel, at + 1, column, $"duplicate date {date} (also on line {at})."), e.Message);
    }

    [Theory]
    [InlineData("quandl_chris_sergejgorev/ZC.csv", "2001-03-01", "2001-03-02", "Date")]
    [InlineData("vix_cboe_datasets/vix-daily.csv", "2010-01-04", "2010-01-05", "DATE")]
    [InlineData("yahoo_openclose_edwin/price_ZS_F.csv", "2010-01-04", "2010-01-05", "date")]
    public void a_date_out_of_order_names_the_line_and_the_earlier_one(string rel, string first, string second, string column)
    {
        var at = 0;
        var e = BuildFails(rel, l => { at = LineOf(l, first + ","); (l[at - 1], l[at]) = (l[at], l[at - 1]); return l; });
        Assert.Equal(Message(rel, at + 1, column, $"date {first} is earlier than {second} on line {at}: rows must be in ascending date order."), e.Message);
    }

    [Theory]
    [InlineData("yahoo_commodities_ubitron/Soybean Meal.csv", "Close")]
    [InlineData("fred_dexbzus_joshgainer/DEXBZUS.csv", "DEXBZUS")]
    [InlineData("yahoo_openclose_edwin/price_DX_F.csv", "close")]
    public void a_file_without_a_usable_row_is_refused(string rel, string column)
    {
        var rows = 0;
        var e = BuildFails(rel, l =>
        {
            rows = l.Count - 1;
            var header = l[0].Split(',');
            return [l[0], .. l.Skip(1).Select(r => string.Join(',', r.Split(',').Select((f, i) => i == 0 ? f : header[i] == "Volume" ? f : "null")))];
        });
        Assert.Equal(Message(rel, rows + 1, column, $"no usable row: all {rows} data rows lack a value in this column."), e.Message);
    }

    [Theory]
    [InlineData("yahoo_commodities_ubitron/Soybean Oil.csv", "2005-03-02", 4, "Close", "-23")]
    [InlineData("quandl_chris_sergejgorev/ZS.csv", "2005-03-02", 6, "Settle", "0")]
    [InlineData("yahoo_openclose_edwin/price_HO_F.csv", "2010-01-04", 2, "close", "-2.19")]
    public void a_non_positive_price_of_an_instrument_that_cannot_go_negative_is_refused(string rel, string date, int field, string column, string value)
    {
        var at = 0;
        var e = BuildFails(rel, l => { at = LineOf(l, date + ","); var f = l[at - 1].Split(','); f[field] = value; l[at - 1] = string.Join(',', f); return l; });
        Assert.Equal(Message(rel, at, column, $"price {double.Parse(value, System.Globalization.CultureInfo.InvariantCulture)} is not positive; this instrument cannot trade at or below zero."), e.Message);
    }

    [Theory]
    [InlineData("yahoo_commodities_ubitron/Soybean Oil.csv", "2005-03-02", 4, "1e308", "out_of_range ZL 2005-03-02 (", "close 1E+308 outside the plausible range 3…500 US cents/lb")]
    [InlineData("fred_dgs10_carpet155/DGS10.csv", "2010-01-04", 1, "1e308", "out_of_range DGS10 2010-01-04 (fred_carpet155)", "value 1E+308 outside the plausible range -5…30 percent")]
    [InlineData("fred_dexbzus_joshgainer/DEXBZUS.csv", "2010-01-04", 1, "-1.72", "out_of_range DEXBZUS 2010-01-04 (fred_joshgainer)", "value -1.72 outside the plausible range 0.5…50 BRL per USD")]
    public void an_implausible_value_stops_the_build_in_the_quality_gate(string rel, string date, int field, string value, string finding, string detail)
    {
        var e = BuildFails(rel, l => { var at = LineOf(l, date + ","); var f = l[at - 1].Split(','); f[field] = value; l[at - 1] = string.Join(',', f); return l; });
        Assert.IsType<InvalidDataException>(e);
        Assert.StartsWith("quality gate: ", e.Message);
        Assert.Contains("the warehouse was not replaced", e.Message);
        Assert.Contains(finding, e.Message);
        Assert.Contains(detail, e.Message);
    }

    /// <summary>Writes <paramref name="value"/> into field <paramref name="field"/> of the first line containing
    /// <paramref name="marker"/>; <paramref name="at"/> gets that line's 1-based number.</summary>
    static List<string> SetField(List<string> l, string marker, int field, string value, out int at)
    {
        at = l.FindIndex(x => x.Contains(marker, StringComparison.Ordinal)) + 1;
        var f = l[at - 1].Split(',');
        f[field] = value;
        l[at - 1] = string.Join(',', f);
        return l;
    }

    [Theory]
    [InlineData("yahoo_commodities_ubitron/Soybean Oil.csv", "2005-03-02,", 6, "Volume", "ZL")]
    [InlineData("palm_fcpo_omar/soybean_oil.csv", "2018-03-14,", 5, "volume", "ZL")]
    [InlineData("quandl_chris_sergejgorev/ZC.csv", "2005-03-02,", 7, "Volume", "ZC2")]
    public void a_volume_of_1e308_stops_the_build_naming_file_line_and_column(string rel, string marker, int field, string column, string symbol)
    {
        // Volume was not range-checked: a ZL volume of 1e308 passed the quality gate.
        var at = 0;
        var e = BuildFails(rel, l => SetField(l, marker, field, "1e308", out at));
        Assert.IsType<InvalidDataException>(e);
        Assert.Contains($"out_of_range {symbol} {marker.TrimEnd(',')} (data/raw/{rel}): data/raw/{rel} line {at}, column '{column}': " +
                        "volume 1E+308 outside the plausible range 0…5E7 contracts", e.Message);
    }

    [Theory]
    [InlineData("cftc_cot_legacy_vitor/CoT_Disagg_FutsOnly__SBO.csv", ",2010-01-05T", 10, "open_interest_all")]
    [InlineData("cftc_cot_legacy_vitor/CoT_Disagg_FutsOnly__Soybeans.csv", ",2010-01-05T", 10, "open_interest_all")]
    [InlineData("quandl_chris_sergejgorev/ZL_cot.csv", "2005-03-01,", 1, "Commercial Long")]
    public void an_open_interest_or_position_of_1e308_is_refused_naming_file_line_and_column(string rel, string marker, int field, string column)
    {
        var at = 0;
        var e = BuildFails(rel, l => SetField(l, marker, field, "1e308", out at));
        Assert.Equal(Message(rel, at, column, "1E+308 contracts is outside the plausible range 0…5E7 contracts."), e.Message);
    }

    [Theory]
    [InlineData("fred_dgs10_carpet155/DGS10.csv", "2010-01-04,", "DGS10", "150")]
    [InlineData("fred_dexbzus_joshgainer/DEXBZUS.csv", "2010-01-04,", "DEXBZUS", "-1.72")]
    [InlineData("fred_dexbzus_wygong/DEXBZUS.csv", "2024-01-02,", "DEXBZUS", "485.3")]
    public void an_out_of_range_yield_or_exchange_rate_names_its_file_line_and_column(string rel, string marker, string column, string value)
    {
        // The gate named the series and the date only; the value's file and line are what the person fixing it needs.
        var at = 0;
        var e = BuildFails(rel, l => SetField(l, marker, 1, value, out at));
        Assert.IsType<InvalidDataException>(e);
        Assert.Contains($"data/raw/{rel} line {at}, column '{column}': value {double.Parse(value, System.Globalization.CultureInfo.InvariantCulture)} outside the plausible range", e.Message);
    }

    [Theory]
    [InlineData("wasde_dates_dubilava/wasde_dates.csv", "2005,1,", "mo", "2005-01")]
    [InlineData("wasde_dates_josea/wasde_dates.csv", "2021-03-", "release_date", "2021-03")]
    public void a_duplicated_row_in_a_wasde_dates_file_names_the_file_and_both_lines(string rel, string start, string column, string month)
    {
        // It stopped `cbi warehouse` with "An item with the same key has already been added. Key: (2005, 1)".
        var at = 0;
        var e = BuildFails(rel, l => { at = LineOf(l, start); l.Insert(at, l[at - 1]); return l; });
        Assert.Equal(Message(rel, at + 1, column, $"a second release for {month} (also on line {at}); the file lists one WASDE release a month."), e.Message);
    }

    [Fact]
    public void a_price_series_that_switches_units_for_good_stops_the_build()
    {
        const string rel = "yahoo_commodities_ubitron/Brent Crude Oil.csv";
        var e = BuildFails(rel, l =>
        {
            var from = LineOf(l, "2015-01-02,") - 1;
            for (var i = from; i < l.Count; i++)
            {
                var f = l[i].Split(',');
                for (var k = 1; k <= 5; k++)
                    if (double.TryParse(f[k], System.Globalization.CultureInfo.InvariantCulture, out var x)) f[k] = (100 * x).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
                l[i] = string.Join(',', f);
            }
            return l;
        });
        Assert.IsType<InvalidDataException>(e);
        Assert.Contains("unit_switch BZ 2015-01-02 (yahoo_ubitron): close jumps ×", e.Message);
        Assert.Contains("a change of units or scale from this date on", e.Message);
    }
}
