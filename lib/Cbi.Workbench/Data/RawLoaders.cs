namespace Cbi.Workbench.Data;

/// <summary>Strict loaders, one per source format. Each reads a vendored file under data/raw unchanged and
/// returns values in file order; missing tokens (<c>null</c>, <c>.</c>, blank, <c>…</c>) become NaN or an
/// absent observation, never zero. Any other defect throws <see cref="RawDataException"/>.</summary>
internal static class RawLoaders
{
    const string Iso = "yyyy-MM-dd";

    static RawCsv Open(string rawDir, string rel, int skip = 0) =>
        RawCsv.Read(Path.Combine(rawDir, rel), "data/raw/" + rel, skip);

    /// <summary>Rows of one file must be in strictly ascending date order (a repeated or earlier date is a defect of the
    /// file, named with both lines), and at least one row must carry a value.</summary>
    static void CheckDates(RawCsv csv, int dateCol, int valueCol, IReadOnlyList<DateOnly> dates, IReadOnlyList<int> lines)
    {
        if (dates.Count == 0)
            throw new RawDataException(csv.File, csv.Rows[^1].Line, csv.Header[valueCol],
                $"no usable row: all {csv.Rows.Count} data rows lack a value in this column.");
        for (var i = 1; i < dates.Count; i++)
        {
            if (dates[i] == dates[i - 1])
                throw new RawDataException(csv.File, lines[i], csv.Header[dateCol], $"duplicate date {dates[i]:yyyy-MM-dd} (also on line {lines[i - 1]}).");
            if (dates[i] < dates[i - 1])
                throw new RawDataException(csv.File, lines[i], csv.Header[dateCol],
                    $"date {dates[i]:yyyy-MM-dd} is earlier than {dates[i - 1]:yyyy-MM-dd} on line {lines[i - 1]}: rows must be in ascending date order.");
        }
    }

    /// <summary>A price of an instrument that cannot trade at or below zero (every one here but WTI crude, which
    /// settled at −37.63 USD/bbl on 2020-04-20) must be positive.</summary>
    static void CheckPositive(RawCsv csv, int line, string[] f, bool allowNonPositive, params int[] cols)
    {
        if (allowNonPositive) return;
        foreach (var c in cols)
        {
            var x = csv.Number(line, f, c);
            if (x <= 0) throw new RawDataException(csv.File, line, csv.Header[c], $"price {x} is not positive; this instrument cannot trade at or below zero.");
        }
    }

    static PriceFile Checked(RawCsv csv, int dateCol, int valueCol, PriceFile pf)
    {
        CheckDates(csv, dateCol, valueCol, pf.Bars.Select(b => b.Date).ToList(), pf.Lines);
        return pf;
    }

    /// <summary>Yahoo CSV export (Date,Open,High,Low,Close,Adj Close,Volume). Rows whose prices are all
    /// <c>null</c> are Yahoo's holiday placeholders and are dropped.</summary>
    public static PriceFile YahooOhlcv(string rawDir, string rel, string symbol, string units, bool allowNonPositive = false)
    {
        var csv = Open(rawDir, rel);
        int d = csv.Column("Date"), o = csv.Column("Open"), h = csv.Column("High"), l = csv.Column("Low"),
            c = csv.Column("Close"), v = csv.Column("Volume");
        csv.Column("Adj Close");
        var pf = new PriceFile(symbol, "yahoo_ubitron", csv.File, units, [], [], ["Open", "High", "Low", "Close", "Volume"]);
        foreach (var (line, f) in csv.Rows)
        {
            var date = csv.Date(line, f, d, Iso);
            var bar = new Bar(date, csv.Number(line, f, o), csv.Number(line, f, h), csv.Number(line, f, l), csv.Number(line, f, c), csv.Number(line, f, v));
            if (double.IsNaN(bar.Open) && double.IsNaN(bar.High) && double.IsNaN(bar.Low) && double.IsNaN(bar.Close)) continue;
            if (double.IsNaN(bar.Close)) throw new RawDataException(csv.File, line, "Close", "close is missing on a row that has other prices.");
            CheckPositive(csv, line, f, allowNonPositive, o, h, l, c);
            pf.Bars.Add(bar); pf.Lines.Add(line);
        }
        return Checked(csv, d, c, pf);
    }

    /// <summary>yfinance/TradingView lower-case OHLCV (date,open,high,low,close,volume), palm_fcpo_omar.</summary>
    public static PriceFile LowerOhlcv(string rawDir, string rel, string symbol, string source, string units, bool allowNonPositive = false)
    {
        var csv = Open(rawDir, rel);
        int d = csv.Column("date"), o = csv.Column("open"), h = csv.Column("high"), l = csv.Column("low"),
            c = csv.Column("close"), v = csv.Column("volume");
        var pf = new PriceFile(symbol, source, csv.File, units, [], [], ["open", "high", "low", "close", "volume"]);
        foreach (var (line, f) in csv.Rows)
        {
            var bar = new Bar(csv.Date(line, f, d, Iso), csv.Number(line, f, o), csv.Number(line, f, h), csv.Number(line, f, l),
                csv.Number(line, f, c), csv.Number(line, f, v));
            if (double.IsNaN(bar.Close)) continue;
            CheckPositive(csv, line, f, allowNonPositive, o, h, l, c);
            pf.Bars.Add(bar); pf.Lines.Add(line);
        }
        return Checked(csv, d, c, pf);
    }

    /// <summary>yfinance open/close files (date,open,close): high, low and volume are NaN.</summary>
    public static PriceFile OpenClose(string rawDir, string rel, string symbol, string units, bool allowNonPositive = false)
    {
        var csv = Open(rawDir, rel);
        int d = csv.Column("date"), o = csv.Column("open"), c = csv.Column("close");
        var pf = new PriceFile(symbol, "yahoo_edwin", csv.File, units, [], [], ["open", null, null, "close", null]);
        foreach (var (line, f) in csv.Rows)
        {
            var bar = new Bar(csv.Date(line, f, d, Iso), csv.Number(line, f, o), double.NaN, double.NaN, csv.Number(line, f, c), double.NaN);
            if (double.IsNaN(bar.Close)) continue;
            CheckPositive(csv, line, f, allowNonPositive, o, c);
            pf.Bars.Add(bar); pf.Lines.Add(line);
        }
        return Checked(csv, d, c, pf);
    }

    /// <summary>Quandl CHRIS continuous #2 contract: close = Settle (the exchange settlement).</summary>
    public static PriceFile QuandlChris(string rawDir, string rel, string symbol, string units, bool allowNonPositive = false)
    {
        var csv = Open(rawDir, rel);
        int d = csv.Column("Date"), o = csv.Column("Open"), h = csv.Column("High"), l = csv.Column("Low"),
            s = csv.Column("Settle"), v = csv.Column("Volume");
        csv.Column("Previous Day Open Interest");
        var pf = new PriceFile(symbol, "quandl_chris", csv.File, units, [], [], ["Open", "High", "Low", "Settle", "Volume"]);
        foreach (var (line, f) in csv.Rows)
        {
            var bar = new Bar(csv.Date(line, f, d, Iso), csv.Number(line, f, o), csv.Number(line, f, h), csv.Number(line, f, l),
                csv.Number(line, f, s), csv.Number(line, f, v));
            if (double.IsNaN(bar.Close)) continue;
            CheckPositive(csv, line, f, allowNonPositive, s);
            pf.Bars.Add(bar); pf.Lines.Add(line);
        }
        return Checked(csv, d, s, pf);
    }

    /// <summary>A two-column dated series (EIA <c>Date,Price</c>, FRED <c>observation_date,DGS10</c>, …).</summary>
    public static SeriesFile Dated(string rawDir, string rel, string dateColumn, string valueColumn, string name, string source, string units)
    {
        var csv = Open(rawDir, rel);
        int d = csv.Column(dateColumn), v = csv.Column(valueColumn);
        var sf = new SeriesFile(name, source, csv.File, units, [], csv.Header[v]);
        foreach (var (line, f) in csv.Rows)
        {
            var date = csv.Date(line, f, d, Iso);
            var x = csv.Number(line, f, v);
            if (!double.IsNaN(x)) sf.Values.Add((date, x, line));
        }
        CheckDates(csv, d, v, sf.Values.Select(x => x.Date).ToList(), sf.Values.Select(x => x.Line).ToList());
        return sf;
    }

    /// <summary>One column of the Refinitiv-style panel (sparse: blank = no value that day).</summary>
    public static SeriesFile RefinitivColumn(string rawDir, string column, string name, string units) =>
        Dated(rawDir, "refinitiv_rossi/commodities_raw_data.csv", "Date", column, name, "refinitiv_rossi", units);

    /// <summary>CFTC legacy futures-only sheet (vitor): dates like <c>2009-01-06T00:00:00.000</c>.</summary>
    public static List<(DateOnly AsOf, double[] Values, int Line)> CotLegacy(string rawDir, string rel, string expectedCode, out string file)
    {
        var csv = Open(rawDir, rel);
        file = csv.File;
        int d = csv.Column("report_date_as_yyyy_mm_dd"), code = csv.Column("cftc_contract_market_code");
        var cols = new[]
        {
            "open_interest_all", "noncomm_positions_long_all", "noncomm_positions_short_all", "noncomm_postions_spread_all",
            "comm_positions_long_all", "comm_positions_short_all", "nonrept_positions_long_all", "nonrept_positions_short_all",
        }.Select(csv.Column).ToArray();
        var rows = new List<(DateOnly, double[], int)>();
        foreach (var (line, f) in csv.Rows)
        {
            if (f[code].Trim() != expectedCode)
                throw new RawDataException(csv.File, line, "cftc_contract_market_code", $"expected contract {expectedCode}, found '{f[code]}'.");
            rows.Add((csv.Date(line, f, d, "yyyy-MM-dd'T'HH:mm:ss.fff", Iso), cols.Select(c => Contracts(csv, line, f, c)).ToArray(), line));
        }
        return rows;
    }

    /// <summary>Quandl CFTC commercial positions (Date, Commercial Long, Commercial Short; the repo's derived
    /// "Commercial Index" is ignored).</summary>
    public static List<(DateOnly AsOf, double Long, double Short, int Line)> CotQuandl(string rawDir, string rel, out string file)
    {
        var csv = Open(rawDir, rel);
        file = csv.File;
        int d = csv.Column("Date"), lo = csv.Column("Commercial Long"), sh = csv.Column("Commercial Short");
        return csv.Rows.Select(r => (csv.Date(r.Line, r.Fields, d, Iso), Contracts(csv, r.Line, r.Fields, lo), Contracts(csv, r.Line, r.Fields, sh), r.Line)).ToList();
    }

    /// <summary>An open interest or a position count (NaN when missing), within <see cref="QualityGate.MaxContracts"/>.</summary>
    static double Contracts(RawCsv csv, int line, string[] f, int col)
    {
        var x = csv.Number(line, f, col);
        return double.IsNaN(x) || x is >= 0 and <= QualityGate.MaxContracts ? x
            : throw new RawDataException(csv.File, line, csv.Header[col], $"{x} contracts is outside the plausible range 0…{QualityGate.MaxContractsText} contracts.");
    }

    /// <summary>Both WASDE date files, merged. The dubilava file's <c>2012,1,112</c> is corrected to
    /// 2012-01-12 here (the raw file stays unchanged): day 112 cannot exist, and USDA released the January 2012
    /// WASDE on Thursday 12 January 2012. Its <c>2013,10,31</c> is kept but flagged: the October 2013 WASDE is
    /// believed to have been cancelled by the US government shutdown (the November report came on 2013-11-08);
    /// not verified against USDA.</summary>
    public static List<WasdeRelease> Wasde(string rawDir)
    {
        var result = new List<WasdeRelease>();
        var a = Open(rawDir, "wasde_dates_dubilava/wasde_dates.csv");
        int yr = a.Column("yr"), mo = a.Column("mo"), day = a.Column("date");
        // A blank or fractional field must not become a cast artefact (int.MinValue, a truncated day).
        int Whole(int line, string[] f, int col)
        {
            var x = a.Number(line, f, col);
            return x == Math.Floor(x) && x is >= 1 and <= 9999 ? (int)x
                : throw new RawDataException(a.File, line, a.Header[col], $"'{f[col]}' is not a whole number between 1 and 9999.");
        }
        // One release a month: a second row for a month (a duplicated line, or two days) is a defect of the file.
        var monthLine = new Dictionary<(int, int), int>();
        foreach (var (line, f) in a.Rows)
        {
            int y = Whole(line, f, yr), m = Whole(line, f, mo), dd = Whole(line, f, day);
            if (!monthLine.TryAdd((y, m), line))
                throw new RawDataException(a.File, line, "mo", $"a second release for {y}-{m:00} (also on line {monthLine[(y, m)]}); the file lists one WASDE release a month.");
            string? note = null;
            if (y == 2012 && m == 1 && dd == 112) { dd = 12; note = "raw row '2012,1,112' corrected to 2012-01-12 (invalid day)"; }
            if (y == 2013 && m == 10 && dd == 31) note = "suspect: October 2013 WASDE believed cancelled (shutdown); unverified";
            if (m < 1 || m > 12 || dd < 1 || dd > DateTime.DaysInMonth(y, m))
                throw new RawDataException(a.File, line, "date", $"'{y},{m},{dd}' is not a calendar date.");
            result.Add(new WasdeRelease(new DateOnly(y, m, dd), "wasde_dubilava", note));
        }
        var b = Open(rawDir, "wasde_dates_josea/wasde_dates.csv");
        int rd = b.Column("release_date");
        var byMonthA = result.ToDictionary(r => (r.Date.Year, r.Date.Month), r => (r.Date, Line: monthLine[(r.Date.Year, r.Date.Month)]));
        var seen = result.Select(r => r.Date).ToHashSet();
        var monthLineB = new Dictionary<(int, int), int>();
        foreach (var (line, f) in b.Rows)
        {
            var date = b.Date(line, f, rd, Iso);
            if (!monthLineB.TryAdd((date.Year, date.Month), line))
                throw new RawDataException(b.File, line, "release_date",
                    $"a second release for {date:yyyy-MM} (also on line {monthLineB[(date.Year, date.Month)]}); the file lists one WASDE release a month.");
            // The two files must agree where they overlap (2020-01 … 2022-09): same month, same day.
            if (byMonthA.TryGetValue((date.Year, date.Month), out var other) && other.Date != date)
                throw new RawDataException(b.File, line, "release_date",
                    $"{date:yyyy-MM-dd} disagrees with {a.File} line {other.Line} ({other.Date:yyyy-MM-dd}) for the same month.");
            if (seen.Add(date)) result.Add(new WasdeRelease(date, "wasde_josea", null));
        }
        return result.OrderBy(r => r.Date).ToList();
    }

    /// <summary>World Bank Pink Sheet monthly sheet: 6 lines before the code header (line 7), units on line 6,
    /// rows like <c>1960M01</c>, <c>…</c> = missing.</summary>
    public static List<PinkValue> PinkSheet(string rawDir)
    {
        const string rel = "worldbank_pinksheet/CMO-Historical-Data-Monthly.csv";
        var units = Open(rawDir, rel, skip: 5).Header; // line 6 read as a header row gives the units
        var csv = Open(rawDir, rel, skip: 6);
        var values = new List<PinkValue>();
        foreach (var (line, f) in csv.Rows)
        {
            var s = f[0].Trim();
            if (s.Length != 7 || s[4] != 'M' || !int.TryParse(s[..4], out var y) || !int.TryParse(s[5..], out var m) || m < 1 || m > 12)
                throw new RawDataException(csv.File, line, "(month)", $"'{s}' is not a month of the form YYYYMmm.");
            for (var c = 1; c < f.Length; c++)
            {
                var x = csv.Number(line, f, c);
                if (!double.IsNaN(x)) values.Add(new PinkValue(csv.Header[c], units[c].Trim('(', ')'), new DateOnly(y, m, 1), x));
            }
        }
        return values;
    }
}
