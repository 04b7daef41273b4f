using Cbi.Workbench.Data;

namespace Cbi.Workbench.Tests.Data;

/// <summary>Each loader on its real file. Counts and values are quoted from data/raw (line numbers are 1-based
/// physical lines, header = line 1) or from PROVENANCE.md; price tolerance 1e-9 (values are read, not computed).</summary>
public class LoaderTests
{
    static readonly string Raw = Workbench.RawDir;
    const double Tol = 1e-9;

    [Fact]
    public void yahoo_soybean_oil_drops_null_holiday_rows()
    {
        var zl = RawLoaders.YahooOhlcv(Raw, "yahoo_commodities_ubitron/Soybean Oil.csv", "ZL", "US cents/lb");
        Assert.Equal(5411 - 205, zl.Bars.Count); // PROVENANCE §1: 5411 rows, 205 `null` rows
        Assert.Equal(new DateOnly(2000, 3, 15), zl.Bars[0].Date);
        Assert.Equal(16.85, zl.Bars[0].Close, Tol); // line 2: 2000-03-15,17.049999,17.129999,16.809999,16.850000,…
        Assert.Equal(new DateOnly(2021, 6, 9), zl.Bars[^1].Date);
        var b = zl.Bars.Single(x => x.Date == new DateOnly(2008, 3, 3)); // line 2070: 2008-03-03,68.410004,70.820000,68.410004,70.400002,…,10802
        Assert.Equal((68.410004, 70.82, 68.410004, 70.400002, 10802.0), (b.Open, b.High, b.Low, b.Close, b.Volume));
        Assert.DoesNotContain(zl.Bars, x => x.Date == new DateOnly(2003, 11, 24)); // line 965: 2003-11-24,null,null,…
        Assert.DoesNotContain(zl.Bars, x => double.IsNaN(x.Close) || x.Close == 0);
    }

    [Fact]
    public void omar_soybean_oil_covers_2015_to_2026()
    {
        var zl = RawLoaders.LowerOhlcv(Raw, "palm_fcpo_omar/soybean_oil.csv", "ZL", "yahoo_omar", "US cents/lb");
        Assert.Equal(2897, zl.Bars.Count); // PROVENANCE §2
        Assert.Equal(new DateOnly(2015, 1, 2), zl.Bars[0].Date);
        Assert.Equal(70.55000305175781, zl.Bars[^1].Close, Tol); // line 2898: 2026-07-14,…,70.55000305175781,50032
        Assert.Equal(90.5999984741211, zl.Bars.Single(x => x.Date == new DateOnly(2022, 4, 28)).Close, Tol); // line 1843
    }

    [Fact]
    public void fcpo_and_usdmyr_load()
    {
        var fcpo = RawLoaders.LowerOhlcv(Raw, "palm_fcpo_omar/fcpo_tradingview_myr.csv", "FCPO", "tradingview_omar", "MYR/tonne");
        Assert.Equal(2820, fcpo.Bars.Count);
        Assert.Equal(7104.0, fcpo.Bars.Single(x => x.Date == new DateOnly(2022, 4, 29)).Close, Tol); // line 1796: 2022-04-29,6908.0,7229.0,6851.0,7104.0,25313.0
        var myr = RawLoaders.Dated(Raw, "palm_fcpo_omar/usdmyr.csv", "date", "close", "USDMYR", "yahoo_omar", "MYR per USD");
        Assert.Equal(3002, myr.Values.Count);
        Assert.Equal(new DateOnly(2015, 1, 1), myr.Values[0].Date);
    }

    [Fact]
    public void edwin_open_close_files_have_no_high_low_volume()
    {
        var dx = RawLoaders.OpenClose(Raw, "yahoo_openclose_edwin/price_DX_F.csv", "DX", "index points");
        Assert.Equal(5086, dx.Bars.Count); // PROVENANCE §3
        var b = dx.Bars.Single(x => x.Date == new DateOnly(2022, 9, 27)); // line 4214: 2022-09-27,113.84500122070312,114.0469970703125
        Assert.Equal(113.84500122070312, b.Open, Tol);
        Assert.Equal(114.0469970703125, b.Close, Tol);
        Assert.True(double.IsNaN(b.High) && double.IsNaN(b.Low) && double.IsNaN(b.Volume));
    }

    [Fact]
    public void quandl_second_contract_uses_settle()
    {
        var zl2 = RawLoaders.QuandlChris(Raw, "quandl_chris_sergejgorev/ZL.csv", "ZL2", "US cents/lb");
        Assert.Equal(15107, zl2.Bars.Count);
        Assert.Equal(new DateOnly(1959, 7, 1), zl2.Bars[0].Date);
        Assert.Equal(new DateOnly(2019, 11, 5), zl2.Bars[^1].Date);
        Assert.Equal(31.79, zl2.Bars[^1].Close, Tol); // last line: 2019-11-05,32.06,32.17,31.75,32.0,0.3,31.79,…  (Settle, not Last 32.0)
    }

    [Fact]
    public void eia_wti_keeps_the_negative_2020_price()
    {
        var wti = RawLoaders.Dated(Raw, "eia_oil_datasets/wti-daily.csv", "Date", "Price", "WTI_SPOT", "eia", "USD/bbl");
        Assert.Equal(10226, wti.Values.Count);
        Assert.Equal(-36.98, wti.Values.Single(v => v.Date == new DateOnly(2020, 4, 20)).Value, Tol); // line 8645: 2020-04-20,-36.98
    }

    [Fact]
    public void fred_blank_and_dot_are_missing_not_zero()
    {
        var dgs = RawLoaders.Dated(Raw, "fred_dgs10_carpet155/DGS10.csv", "observation_date", "DGS10", "DGS10", "fred", "percent");
        Assert.Equal(16750 - 716, dgs.Values.Count); // PROVENANCE §10: 16,750 rows, 716 blank
        Assert.Equal(15.84, dgs.Values.Single(v => v.Date == new DateOnly(1981, 9, 30)).Value, Tol); // line 5153
        var brl = RawLoaders.Dated(Raw, "fred_dexbzus_joshgainer/DEXBZUS.csv", "DATE", "DEXBZUS", "DEXBZUS", "fred", "BRL per USD");
        Assert.Equal(5870 - 223, brl.Values.Count); // PROVENANCE §11: 5,870 rows, 223 shown as `.`
        Assert.Equal(5.9204, brl.Values.Single(v => v.Date == new DateOnly(2020, 5, 13)).Value, Tol); // line 5574
        Assert.DoesNotContain(brl.Values, v => v.Value == 0);
        var brl2 = RawLoaders.Dated(Raw, "fred_dexbzus_wygong/DEXBZUS.csv", "observation_date", "DEXBZUS", "DEXBZUS", "fred", "BRL per USD");
        Assert.Equal(1305 - 54, brl2.Values.Count);
        Assert.Equal(6.2021, brl2.Values.Single(v => v.Date == new DateOnly(2024, 12, 27)).Value, Tol); // line 946
    }

    [Fact]
    public void vix_close_column()
    {
        var vix = RawLoaders.Dated(Raw, "vix_cboe_datasets/vix-daily.csv", "DATE", "CLOSE", "VIX", "cboe", "index points");
        Assert.Equal(9235, vix.Values.Count);
        Assert.Equal(82.69, vix.Values.Single(v => v.Date == new DateOnly(2020, 3, 16)).Value, Tol); // line 7608: …,57.83,83.56,57.83,82.69 (close, not high 83.56)
    }

    [Fact]
    public void refinitiv_d4_rin_starts_2014_05_28()
    {
        var rin = RawLoaders.RefinitivColumn(Raw, "rin-d4-us", "RIN_D4", "c/RIN");
        Assert.Equal(2456, rin.Values.Count); // PROVENANCE §5: rin-d4-us 2,456 values
        Assert.Equal(new DateOnly(2014, 5, 28), rin.Values[0].Date);
        Assert.Equal(77.0, rin.Values[0].Value, Tol); // line 523: 2014-05-28,39.63,498.5,5,5,1497.75,77.0,…
    }

    [Fact]
    public void cot_legacy_sbo_reads_all_columns()
    {
        var rows = RawLoaders.CotLegacy(Raw, "cftc_cot_legacy_vitor/CoT_Disagg_FutsOnly__SBO.csv", "007601", out _);
        Assert.Equal(895, rows.Count);
        Assert.Equal(new DateOnly(2009, 1, 6), rows[0].AsOf);
        // line 2: 2009-01-06 … open_interest_all 199647, noncomm long 19478, short 30654, spread 40268, comm long 116639, short 109925
        Assert.Equal(new[] { 199647.0, 19478, 30654, 40268, 116639, 109925 }, rows[0].Values[..6]);
        Assert.Equal(737253.0, rows.Single(r => r.AsOf == new DateOnly(2025, 11, 18)).Values[0]); // line 882
        Assert.Equal(new DateOnly(2026, 2, 24), rows[^1].AsOf);
    }

    [Fact]
    public void wasde_calendar_corrects_2012_01_112_and_flags_october_2013()
    {
        var w = RawLoaders.Wasde(Raw);
        // dubilava 261 rows + josea 80 rows − 33 identical dates in 2020-01…2022-09 (PROVENANCE §12)
        Assert.Equal(261 + 80 - 33, w.Count);
        var jan12 = Assert.Single(w, x => x.Date.Year == 2012 && x.Date.Month == 1);
        Assert.Equal(new DateOnly(2012, 1, 12), jan12.Date); // raw line 134: 2012,1,112
        Assert.Contains("corrected", jan12.Note);
        Assert.Contains("suspect", w.Single(x => x.Date == new DateOnly(2013, 10, 31)).Note);
        Assert.Equal(new DateOnly(2026, 9, 11), w[^1].Date);
    }

    [Fact]
    public void pink_sheet_skips_the_title_block_and_reads_ellipsis_as_missing()
    {
        var p = RawLoaders.PinkSheet(Raw);
        var soy = p.Where(v => v.Code == "SOYBEAN_OIL").ToList();
        Assert.Equal(1962.88, soy.Single(v => v.Month == new DateOnly(2022, 5, 1)).Value, Tol); // line 756, column 26
        Assert.Equal("$/mt", soy[0].Unit);
        Assert.Equal(790, p.Select(v => v.Month).Distinct().Count()); // 1960M01 … 2025M10
        Assert.DoesNotContain(p, v => v.Code == "CRUDE_WTI" && v.Month == new DateOnly(1960, 1, 1)); // line 8: 1960M01,…,…  (WTI `…`)
    }
}
