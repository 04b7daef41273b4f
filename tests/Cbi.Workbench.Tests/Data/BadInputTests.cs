using Cbi.Workbench.Data;

namespace Cbi.Workbench.Tests.Data;

/// <summary>Damaged raw inputs give an error naming file, line and column, and never replace a good warehouse.</summary>
public class BadInputTests
{
    static RawDataException LoadFails(Action<ScratchRaw> damage)
    {
        using var raw = new ScratchRaw();
        damage(raw);
        return Assert.Throws<RawDataException>(() => RawLoaders.YahooOhlcv(raw.Dir, "yahoo_commodities_ubitron/Soybean Oil.csv", "ZL", "c/lb"));
    }

    static void Rewrite(ScratchRaw raw, string rel, Func<string, string> edit) =>
        File.WriteAllText(raw.File(rel), edit(File.ReadAllText(raw.File(rel))));

    const string Zl = "yahoo_commodities_ubitron/Soybean Oil.csv";

    [Fact]
    public void truncated_csv_names_file_line_and_column()
    {
        var e = LoadFails(r => Rewrite(r, Zl, s => s[..s.LastIndexOf(',')])); // cut the last record's Volume field
        Assert.Equal("data/raw/" + Zl, e.File);
        Assert.Equal(5412, e.Line); // header + 5411 rows: the last record is line 5412
        Assert.Equal("Volume", e.Column);
    }

    [Fact]
    public void renamed_column_names_the_expected_column()
    {
        var e = LoadFails(r => Rewrite(r, Zl, s => s.Replace("Date,Open,High,Low,Close,", "Date,Open,High,Low,Settle,")));
        Assert.Equal(1, e.Line);
        Assert.Equal("Close", e.Column);
    }

    [Fact]
    public void non_date_value_names_line_and_column()
    {
        var e = LoadFails(r => Rewrite(r, Zl, s => s.Replace("2008-03-03,68.41", "2008-03-3x,68.41")));
        Assert.Equal(2070, e.Line);
        Assert.Equal("Date", e.Column);
        Assert.Contains("2008-03-3x", e.Message);
    }

    [Fact]
    public void non_number_value_names_line_and_column()
    {
        var e = LoadFails(r => Rewrite(r, Zl, s => s.Replace("2008-03-03,68.410004,70.820000", "2008-03-03,68.410004,7O.820000")));
        Assert.Equal((2070, "High"), (e.Line, e.Column));
    }

    [Theory]
    [InlineData(",6,10", "yr")]        // blank year: was cast to int.MinValue and crashed in DateTime without a location
    [InlineData("2005,6,9.5", "date")] // fractional day: was silently truncated to the 9th
    public void wasde_date_parts_must_be_whole_numbers_named_by_line_and_column(string row, string column)
    {
        using var raw = new ScratchRaw();
        const string rel = "wasde_dates_dubilava/wasde_dates.csv";
        var lines = File.ReadAllLines(raw.File(rel));
        lines[2] = row; // third line of the file
        File.WriteAllText(raw.File(rel), string.Join('\n', lines) + "\n");
        var e = Assert.Throws<RawDataException>(() => RawLoaders.Wasde(raw.Dir));
        Assert.Equal(("data/raw/" + rel, 3, column), (e.File, e.Line, e.Column));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void failed_build_leaves_the_previous_warehouse_intact()
    {
        using var raw = new ScratchRaw();
        var dir = Directory.CreateTempSubdirectory("cbi-wh-bad-").FullName;
        try
        {
            var path = Path.Combine(dir, "warehouse.duckdb");
            Warehouse.Build(raw.Dir, path, TextWriter.Null);
            var before = File.ReadAllBytes(path);

            // A close that disagrees between the two joined Yahoo ZL files (overlap 2015-01-02 … 2021-06-08).
            var lines = File.ReadAllLines(raw.File("palm_fcpo_omar/soybean_oil.csv"));
            var i = Array.FindIndex(lines, l => l.StartsWith("2018-03-14,"));
            var f = lines[i].Split(','); f[4] = "99.0"; lines[i] = string.Join(',', f);
            File.WriteAllText(raw.File("palm_fcpo_omar/soybean_oil.csv"), string.Join('\n', lines) + "\n");

            // stale manifest: the hash check stops the build first
            var h = Assert.Throws<RawDataException>(() => Warehouse.Build(raw.Dir, path, TextWriter.Null));
            Assert.Equal(("data/raw/MANIFEST.tsv", "sha256"), (h.File, h.Column));
            Assert.Contains("data/raw/palm_fcpo_omar/soybean_oil.csv has SHA-256", h.Message);
            // manifest regenerated: the join check stops it, naming the line and column
            RawManifest.Write(raw.Dir);
            var e = Assert.Throws<RawDataException>(() => Warehouse.Build(raw.Dir, path, TextWriter.Null));
            Assert.Equal(("data/raw/palm_fcpo_omar/soybean_oil.csv", i + 1, "close"), (e.File, e.Line, e.Column));

            Assert.Equal(before, File.ReadAllBytes(path));
            Assert.Single(Directory.GetFiles(dir)); // no temporary file left behind
        }
        finally { Directory.Delete(dir, true); }
    }
}
